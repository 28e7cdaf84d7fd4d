package ui

import (
	"context"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
)

// The Staff tab: locked on STARTER with the overlay naming PROFESSIONAL; on PROFESSIONAL it
// shows the staff report of the screen's period, the busiest resource first.
func TestStaffTab(t *testing.T) {
	r := demoReports(t, time.Now())
	s, m := newTestShell(t, r)
	activate(t, m, "STARTER")
	waitFor(t, "STARTER", func() bool { return s.plan.Text == "Plan: STARTER" })
	s.ShowID("analytics")
	tabs := analyticsTabs(t, s)
	staff := tabs.Items[len(tabs.Items)-1]
	if staff.Text != "Staff" || staff.Icon == nil || !anyLabelContains(staff.Content, "PROFESSIONAL") {
		t.Errorf("STARTER: Staff tab %q, icon %v; labels %v", staff.Text, staff.Icon, labels(staff.Content))
	}
	activate(t, m, "PROFESSIONAL")
	waitFor(t, "PROFESSIONAL", func() bool { return s.plan.Text == "Plan: PROFESSIONAL" })
	s.ShowID("analytics")
	tabs = analyticsTabs(t, s)
	staff = tabs.Items[len(tabs.Items)-1]
	w := s.Entitlements().Window(reports.Today(time.Now(), s.Tenant().Location()))
	p, err := reports.ResolvePeriod(reports.PeriodRequest{Days: "30"}, w, 30)
	if err != nil {
		t.Fatal(err)
	}
	want, err := r.Staff(context.Background(), s.Entitlements(), reports.StaffQuery{Period: p})
	if err != nil || len(want.Resources) == 0 {
		t.Fatalf("staff report: %v, %d resources", err, len(want.Resources))
	}
	tabs.Select(staff)
	total := data.Thousands(want.TotalAppointments)
	waitFor(t, "the staff total", func() bool {
		return contains(labels(staff.Content), total) && anyLabelContains(staff.Content, "By resource")
	})
	if staff.Icon != nil {
		t.Error("PROFESSIONAL: the Staff tab still shows a lock")
	}
}
