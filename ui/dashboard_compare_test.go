package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
)

// TestDashboardCompareWith: on PROFESSIONAL, "Previous period" puts this month's change beside
// its number and last month's count, computed by an appointments report over last month,
// under it; choosing nothing takes them away.
func TestDashboardCompareWith(t *testing.T) {
	r := demoReports(t, time.Now())
	s, m := newTestShell(t, r)
	activate(t, m, "PROFESSIONAL")
	waitFor(t, "PROFESSIONAL", func() bool { return s.plan.Text == "Plan: PROFESSIONAL" })
	ents := s.Entitlements()
	w := ents.Window(reports.Today(time.Now(), s.Tenant().Location()))
	d, err := r.Dashboard(context.Background(), ents)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := reports.DashboardComparisonPeriod(d, reports.ComparePrevious, w)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := r.Appointments(context.Background(), ents, reports.AppointmentQuery{Period: cp, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	s.ShowID("dashboard")
	card := findCard(s, "Appointments this month")
	month := data.Thousands(d.TotalAppointmentsThisMonth)
	waitFor(t, "this month's number", func() bool { return card != nil && card.Value.Text == month })
	sel := compareSelect(s)
	if sel == nil || sel.Disabled() {
		t.Fatalf("no open Compare with choice on the Dashboard: %v", sel)
	}
	sel.SetSelected(comparePrevious)
	value := month + "  " + ChangeText(reports.Change(float64(d.TotalAppointmentsThisMonth), float64(prev.Total), false), false)
	caption := "Compared with " + data.Thousands(prev.Total)
	waitFor(t, "the compared month", func() bool { return card.Value.Text == value && strings.Contains(card.Caption.Text, caption) })
	if !anyLabelContains(s.Content(), "Compared with "+reports.PeriodWords(cp.From, cp.To)) {
		t.Errorf("the status does not name last month: %v", strings.Join(labels(s.Content()), " | "))
	}
	sel.SetSelected(compareLastYear) // December a year ago is past PROFESSIONAL's 90 days
	waitFor(t, "the history prompt", func() bool {
		return anyLabelContains(s.Content(), "ENTERPRISE") || anyLabelContains(s.Content(), "days ago")
	})
	sel.SetSelected(compareNone)
	waitFor(t, "the comparison gone", func() bool {
		return card.Value.Text == month && !strings.Contains(card.Caption.Text, "Compared")
	})
}

// TestDashboardCompareLockedOnStarter: STARTER sees the Dashboard's choice disabled beside the
// prompt naming period comparisons and their plan.
func TestDashboardCompareLockedOnStarter(t *testing.T) {
	s, m := newTestShell(t, demoReports(t, time.Now()))
	activate(t, m, "STARTER")
	waitFor(t, "STARTER", func() bool { return s.plan.Text == "Plan: STARTER" })
	s.ShowID("dashboard")
	testPump.drain()
	sel := compareSelect(s)
	if sel == nil || !sel.Disabled() {
		t.Fatalf("Compare with is not disabled on STARTER: %v", sel)
	}
	if !anyLabelContains(s.Content(), "Period comparisons") || !anyLabelContains(s.Content(), "PROFESSIONAL") {
		t.Errorf("no prompt names Period comparisons and PROFESSIONAL: %v", strings.Join(labels(s.Content()), " | "))
	}
}
