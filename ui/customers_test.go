package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/container"
	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
)

// The Customers tab shows the service's numbers with their definitions and both lists.
func TestCustomersTabShowsTheReport(t *testing.T) {
	r := demoReports(t, time.Now())
	s, m := newTestShell(t, r)
	activate(t, m, "PROFESSIONAL")
	waitFor(t, "PROFESSIONAL", func() bool { return s.plan.Text == "Plan: PROFESSIONAL" })
	w := s.Entitlements().Window(reports.Today(time.Now(), s.Tenant().Location()))
	p, err := reports.ResolvePeriod(reports.PeriodRequest{Days: "30"}, w, 30)
	if err != nil {
		t.Fatal(err)
	}
	want, err := r.Customers(context.Background(), s.Entitlements(), reports.CustomerQuery{Period: p, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	if want.VisitingCustomers == 0 || len(want.TopCustomers) == 0 {
		t.Fatalf("the demo has no customers to show: %+v", want)
	}
	s.ShowID("analytics")
	tabs := analyticsTabs(t, s)
	cust := tabNamed(tabs, "Customers")
	if cust.Text != "Customers" || cust.Icon != nil {
		t.Fatalf("tab %q (icon %v), want an open Customers tab", cust.Text, cust.Icon)
	}
	tabs.Select(cust)
	visiting := data.Thousands(want.VisitingCustomers)
	waitFor(t, "the visiting customers", func() bool { return anyLabelContains(cust.Content, "Lapsed customers (") })
	got := labels(cust.Content)
	for _, v := range []string{visiting, data.Thousands(want.NewCustomers), defTopCustomers, "Top customers", "Retention rate", "Visits per customer"} {
		if !contains(got, v) {
			t.Errorf("Customers tab lacks %q; labels %v", v, got)
		}
	}
}

// Without Customer insights the tab keeps its place with a lock and the prompt naming
// PROFESSIONAL.
func TestCustomersTabLockedOnStarter(t *testing.T) {
	s, m := newTestShell(t, demoReports(t, time.Now()))
	activate(t, m, "STARTER")
	waitFor(t, "STARTER", func() bool { return s.plan.Text == "Plan: STARTER" })
	s.ShowID("analytics")
	tabs := analyticsTabs(t, s)
	cust := tabNamed(tabs, "Customers")
	if cust.Text != "Customers" || cust.Icon == nil {
		t.Fatalf("tab %q shows no lock", cust.Text)
	}
	tabs.Select(cust)
	testPump.drain()
	if !anyLabelContains(cust.Content, "PROFESSIONAL") {
		t.Errorf("locked Customers tab does not name PROFESSIONAL; labels %v", labels(cust.Content))
	}
}

// tabNamed is the tab titled name (an empty item when there is none).
func tabNamed(tabs *container.AppTabs, name string) *container.TabItem {
	for _, it := range tabs.Items {
		if it.Text == name {
			return it
		}
	}
	return &container.TabItem{}
}
