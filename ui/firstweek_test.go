package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetest "fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"

	"github.com/almanac-app/almanac/data"
)

func analyticsTabs(t *testing.T, s *Shell) *container.AppTabs {
	t.Helper()
	tabs, _ := find(s.Content(), func(o fyne.CanvasObject) bool { _, ok := o.(*container.AppTabs); return ok }).(*container.AppTabs)
	if tabs == nil {
		t.Fatal("no tabs on the analytics screen")
	}
	return tabs
}

// Issue 10, item 2: STARTER opens the Analytics screen with what its plan promises; the rates
// keep their place behind an inline prompt naming PROFESSIONAL.
func TestAnalyticsOnStarter(t *testing.T) {
	r := demoReports(t, time.Now())
	s, m := newTestShell(t, r)
	analytics := Screens()[1]
	if got := s.Badge(analytics); got != "🔒 STARTER" {
		t.Errorf("FREE analytics badge %q, want the lowest plan that unlocks part of it", got)
	}
	activate(t, m, "STARTER")
	waitFor(t, "STARTER", func() bool { return s.plan.Text == "Plan: STARTER" })
	if got := s.Badge(analytics); got != "" {
		t.Errorf("STARTER analytics badge %q: part of the screen is open", got)
	}
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
	tab := analyticsTabs(t, s).Items[0].Content
	total := data.Thousands(want.Total)
	waitFor(t, "the appointments total", func() bool { return contains(labels(tab), total) })
	if find(tab, func(o fyne.CanvasObject) bool { _, ok := o.(*blocker); return ok }) != nil {
		t.Error("the Appointments tab is locked on STARTER")
	}
	got := labels(tab)
	for _, v := range []string{"By service", "By resource", "By status", "Daily breakdown", "Booking trend"} {
		if !contains(got, v) {
			t.Errorf("STARTER analytics lacks %q", v)
		}
	}
	if !anyLabelContains(tab, "PROFESSIONAL") || !anyLabelContains(tab, "Advanced analytics") {
		t.Errorf("no inline prompt naming PROFESSIONAL for the rates; labels %v", got)
	}
	if rate := fmt.Sprintf("%.2f%%", want.CancellationRatePercent); want.CancellationRatePercent != 0 && contains(got, rate) {
		t.Errorf("STARTER sees the cancellation rate %s", rate)
	}
	waitFor(t, "three chart images", func() bool {
		n := 0
		find(tab, func(o fyne.CanvasObject) bool {
			if img, ok := o.(*canvas.Image); ok && img.Resource != nil {
				n++
			}
			return false
		})
		return n >= 3
	})
}

// The Revenue tab shows only the filter it honours: service.
func TestRevenueTabShowsOnlyItsFilters(t *testing.T) {
	s, m := newTestShell(t, demoReports(t, time.Now()))
	activate(t, m, "PROFESSIONAL")
	waitFor(t, "PROFESSIONAL", func() bool { return s.plan.Text == "Plan: PROFESSIONAL" })
	s.ShowID("analytics")
	filter := func(name string) fyne.CanvasObject {
		o := find(s.Content(), func(o fyne.CanvasObject) bool {
			c, ok := o.(*fyne.Container)
			if !ok {
				return false
			}
			for _, k := range c.Objects {
				if l, ok := k.(*widget.Label); ok && l.Text == name {
					return true
				}
			}
			return false
		})
		if o == nil {
			t.Fatalf("no %s filter", name)
		}
		return o
	}
	tabs := analyticsTabs(t, s)
	tabs.SelectIndex(1)
	if filter("Status").Visible() || filter("Resource").Visible() || !filter("Service").Visible() {
		t.Errorf("Revenue tab: status %v, resource %v, service %v visible; want the service filter only",
			filter("Status").Visible(), filter("Resource").Visible(), filter("Service").Visible())
	}
	tabs.SelectIndex(0)
	if !filter("Status").Visible() || !filter("Resource").Visible() {
		t.Error("back on Appointments the status and resource filters stay hidden")
	}
}

// Tables put the name and its count first, each column wide enough for its whole text.
func TestTablesShowNamesAndCountsWhole(t *testing.T) {
	fynetest.NewTempApp(t)
	a := reports.AppointmentAnalytics{ByStatus: map[string]int64{},
		ByService:  []reports.NamedCount{{ID: 7, Name: "Physiotherapy Assessment", Count: 12345}, {ID: 12, Name: "Acupuncture", Count: 987}},
		ByResource: []reports.NamedCount{{ID: 3, Name: "Dr. Ana Lopez-Fernandez", Count: 1234567}}}
	var heads [][]string
	for _, o := range apptTables(a) {
		find(o, func(o fyne.CanvasObject) bool {
			if tb, ok := o.(*widget.Table); ok {
				var h []string
				_, cols := tb.Length()
				for c := range cols {
					l := widget.NewLabel("")
					tb.UpdateHeader(widget.TableCellID{Row: -1, Col: c}, l)
					h = append(h, l.Text)
				}
				heads = append(heads, h)
			}
			return false
		})
	}
	if len(heads) < 3 || strings.Join(heads[0], ",") != "Service,Count,ID" || strings.Join(heads[1], ",") != "Resource,Count,ID" {
		t.Fatalf("table headers %v: want name, count, then id", heads)
	}
	head := []string{"Service", "Count", "ID"}
	rows := [][]string{{"Physiotherapy Assessment", "12,345", "7"}, {"Acupuncture", "1,234,567", "12"}}
	widths := columnWidths(head, rows)
	for i := range head {
		for j, r := range append(rows, head) {
			style := fyne.TextStyle{Bold: j == len(rows)}
			need := fyne.MeasureText(r[i], theme.TextSize(), style).Width + 2*theme.InnerPadding()
			if widths[i] < need {
				t.Errorf("column %q is %.0f wide; %q needs %.0f", head[i], widths[i], r[i], need)
			}
		}
	}
	if widths[2] >= widths[0] {
		t.Errorf("the ID column (%.0f) is as wide as the names (%.0f)", widths[2], widths[0])
	}
}

// Issue 10, item 8: the average and peak cards say what they cover.
func TestDashboardSaysSinceWhen(t *testing.T) {
	r := demoReports(t, time.Now())
	s, _ := newTestShell(t, r)
	d, err := r.Dashboard(context.Background(), license.FreeEntitlements(true))
	if err != nil {
		t.Fatal(err)
	}
	s.ShowID("dashboard")
	note := "since " + license.FormatISODate(d.AllTimeFrom)
	for _, title := range []string{"Average duration", "Peak booking day", "Peak booking hour"} {
		waitFor(t, title+" caption", func() bool {
			c, _ := find(s.Content(), func(o fyne.CanvasObject) bool {
				c, ok := o.(*Card)
				return ok && c.Title.Text == title
			}).(*Card)
			return c != nil && strings.Contains(c.Caption.Text, note) && strings.Contains(c.Caption.Text, "future bookings not counted")
		})
	}
}
