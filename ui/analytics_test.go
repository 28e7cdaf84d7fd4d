package ui

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/store"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"

	"github.com/almanac-app/almanac/data"
)

// find walks the tree under o (like labels) and returns the first object match accepts.
func find(o fyne.CanvasObject, match func(fyne.CanvasObject) bool) fyne.CanvasObject {
	if match(o) {
		return o
	}
	var kids []fyne.CanvasObject
	switch w := o.(type) {
	case *fyne.Container:
		kids = w.Objects
	case *container.Scroll:
		kids = []fyne.CanvasObject{w.Content}
	case fyne.Widget:
		kids = test.WidgetRenderer(w).Objects()
	}
	for _, k := range kids {
		if f := find(k, match); f != nil {
			return f
		}
	}
	return nil
}

func anyLabelContains(o fyne.CanvasObject, sub string) bool {
	for _, l := range labels(o) {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

func activate(t *testing.T, m *license.Manager, plan string) {
	t.Helper()
	if _, err := m.Activate(shellTestLicense(t, plan, time.Now())); err != nil {
		t.Fatal(err)
	}
}

func TestAnalyticsShowsTheReport(t *testing.T) {
	now := time.Now()
	r := demoReports(t, now)
	s, m := newTestShell(t, r)
	activate(t, m, "ENTERPRISE")
	waitFor(t, "ENTERPRISE", func() bool { return s.plan.Text == "Plan: ENTERPRISE" })
	w := s.Entitlements().Window(reports.Today(time.Now(), s.Tenant().Location()))
	p, err := reports.ResolvePeriod(reports.PeriodRequest{Days: "30"}, w, 30)
	if err != nil {
		t.Fatal(err)
	}
	want, err := r.Appointments(context.Background(), s.Entitlements(), reports.AppointmentQuery{Period: p, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	s.ShowID("analytics")
	total := data.Thousands(want.Total)
	waitFor(t, "the appointments total", func() bool { return contains(labels(s.Content()), total) })
	got := labels(s.Content())
	for _, v := range []string{"Booking trend", "Cancellation rate", "Daily breakdown", "No-show rate", "By resource"} {
		if !contains(got, v) {
			t.Errorf("analytics lacks %q", v)
		}
	}
	waitFor(t, "three chart images", func() bool {
		n := 0
		find(s.Content(), func(o fyne.CanvasObject) bool {
			if img, ok := o.(*canvas.Image); ok && img.Resource != nil {
				n++
			}
			return false
		})
		return n >= 3
	})
}

func TestAnalyticsLockedOnFree(t *testing.T) {
	s, _ := newTestShell(t, demoReports(t, time.Now()))
	s.ShowID("analytics")
	testPump.drain()
	// The lowest plan that unlocks the Appointments tab is STARTER (its charts and counts).
	if !anyLabelContains(s.Content(), "STARTER") {
		t.Errorf("locked analytics does not name STARTER; labels %v", labels(s.Content()))
	}
	// One prompt: the rates' own PROFESSIONAL prompt would peek out beside the overlay.
	if anyLabelContains(s.Content(), "PROFESSIONAL") {
		t.Errorf("a second prompt shows under the STARTER overlay; labels %v", labels(s.Content()))
	}
}

func TestRevenueTabNamesTheMissingPayments(t *testing.T) {
	now := time.Now()
	r := demoReports(t, now)
	ctx := context.Background()
	tn, _ := r.Tenant(ctx)
	tn.CanAcceptPayments = false
	if err := r.Store().Write(ctx, func(tx *sql.Tx) error { return store.PutTenant(ctx, tx, tn) }); err != nil {
		t.Fatal(err)
	}
	s, m := newTestShell(t, r)
	activate(t, m, "ENTERPRISE")
	waitFor(t, "ENTERPRISE", func() bool { return s.plan.Text == "Plan: ENTERPRISE" })
	s.ShowID("analytics")
	tabs, _ := find(s.Content(), func(o fyne.CanvasObject) bool { _, ok := o.(*container.AppTabs); return ok }).(*container.AppTabs)
	if tabs == nil {
		t.Fatal("no tabs on the analytics screen")
	}
	if tabs.Items[1].Icon == nil {
		t.Error("the Revenue tab shows no lock")
	}
	tabs.SelectIndex(1)
	if !anyLabelContains(tabs.Items[1].Content, "accepts payments") {
		t.Errorf("revenue tab does not name the payments condition; labels %v", labels(tabs.Items[1].Content))
	}
}

func TestDashboardChartsFollowThePlan(t *testing.T) {
	s, m := newTestShell(t, demoReports(t, time.Now()))
	s.ShowID("dashboard")
	testPump.drain()
	if !anyLabelContains(s.Content(), "STARTER") {
		t.Errorf("FREE dashboard's chart place does not name STARTER; labels %v", labels(s.Content()))
	}
	activate(t, m, "STARTER")
	waitFor(t, "dashboard charts", func() bool {
		return find(s.Content(), func(o fyne.CanvasObject) bool {
			img, ok := o.(*canvas.Image)
			return ok && img.Resource != nil
		}) != nil
	})
}
