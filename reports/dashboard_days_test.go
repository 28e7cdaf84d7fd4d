package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// The Dashboard documents carry the screen's "Last 30 days" section: the daily chart, the
// counts by status and the busy hours, from the same query as the screen, each left out with
// the plan that adds it when the plan does not include it.

func TestDashboardDaysQueryIsTheLast30Days(t *testing.T) {
	q, err := DashboardDaysQuery(windowAt(license.Professional))
	must(t, err)
	if q.Period.From != "2026-02-09" || q.Period.To != "2026-03-10" {
		t.Errorf("period %s to %s, want 2026-02-09 to 2026-03-10 (30 days up to the fixture's today)", q.Period.From, q.Period.To)
	}
	q, err = DashboardDaysQuery(windowAt(license.Free))
	must(t, err)
	if q.Period.From != "2026-03-04" || q.Period.To != "2026-03-10" {
		t.Errorf("FREE: period %s to %s, want the 7 days of its history window", q.Period.From, q.Period.To)
	}
}

func TestDashboardDocumentHasTheLast30Days(t *testing.T) {
	s := openFixture(t)
	d := documentOf(t, s, license.Professional, DocumentRequest{Report: ReportDashboard})
	if d.DashboardDays == nil {
		t.Fatal("the dashboard document has no last-30-days section")
	}
	q, err := DashboardDaysQuery(windowAt(license.Professional))
	must(t, err)
	want, err := s.Appointments(context.Background(), ents(license.Professional), q)
	must(t, err)
	gotJS, _ := json.Marshal(d.DashboardDays)
	wantJS, _ := json.Marshal(want)
	if string(gotJS) != string(wantJS) {
		t.Fatalf("section = %s\nwant the screen's query: %s", gotJS, wantJS)
	}
	if want.Total == 0 || want.BusyHours == nil {
		t.Fatal("the fixture's last 30 days are empty: the test would prove nothing")
	}
	layout, err := renderPDF(d, 0)
	must(t, err)
	if layout.heatPage == 0 {
		t.Error("the dashboard PDF has no busy-hours heatmap")
	}
	_, text := renderText(t, d)
	checkHas(t, text, []string{"Last 30 days", "Feb 9, 2026 – Mar 10, 2026, by local start date", "Daily appointments by status", "By status", "Busy hours"})
	for _, st := range data.AppointmentStatuses().All() {
		checkHas(t, text, []string{StatusLabel(st)})
	}
	b := writeBook(t, d)
	if got, want := b.GetSheetList(), []string{sheetSummary, sheetCharts, sheetByDay, sheetByStatus, sheetBusyHours, sheetAbout}; !equalStrings(got, want) {
		t.Errorf("sheets %v, want %v", got, want)
	}
	if got := len(b.charts()); got != 2 {
		t.Errorf("%d charts, want 2 (daily by status, by status)", got)
	}
	totalCol := string(rune('B' + len(data.AppointmentStatuses().All()))) // after a column per status
	for i, day := range want.DailyBreakdown {
		if got := b.date(sheetByDay, fmt.Sprintf("A%d", i+2)); got != day.Date {
			t.Errorf("By day row %d is %q, want %s", i+2, got, day.Date)
		}
		if got := b.num(sheetByDay, totalCol+fmt.Sprint(i+2)); got != float64(day.Count) {
			t.Errorf("By day %s total = %v, want %d", day.Date, got, day.Count)
		}
	}
	if n := len(want.DailyBreakdown); n != 30 {
		t.Errorf("%d days, want 30", n)
	}
	for i, st := range data.AppointmentStatuses().All() {
		if got, w := b.num(sheetByStatus, fmt.Sprintf("B%d", i+2)), float64(want.ByStatus[string(st)]); got != w {
			t.Errorf("By status %s = %v, want %v", st, got, w)
		}
	}
}

// On a plan without charts or busy hours nothing is read for the section, and both documents
// name the plan that adds each part.
func TestDashboardDocumentLocksTheLast30Days(t *testing.T) {
	s := openFixture(t)
	d := documentOf(t, s, license.Free, DocumentRequest{Report: ReportDashboard})
	if d.DashboardDays != nil {
		t.Fatal("FREE has the last-30-days section")
	}
	want := []string{"Charts of the last 30 days (appointments per day and by status): STARTER", "Busy hours: STARTER"}
	if !equalStrings(d.Locked, want) {
		t.Errorf("locked %q, want %q", d.Locked, want)
	}
	layout, err := renderPDF(d, 0)
	must(t, err)
	if layout.heatPage != 0 {
		t.Error("a locked heatmap is drawn")
	}
	_, text := renderText(t, d)
	checkHas(t, text, []string{"Busy hours: STARTER", "Charts of the last 30 days"})
	b := writeBook(t, d)
	if got, want := b.GetSheetList(), []string{sheetSummary, sheetAbout}; !equalStrings(got, want) {
		t.Errorf("sheets %v, want %v", got, want)
	}
	if !strings.Contains(strings.Join(b.cells(quoteSheet(sheetSummary)+"!A1:A60"), "|"), "Busy hours: STARTER") {
		t.Error("the Summary does not say busy hours are left out")
	}
}

// A license granting busy hours but not the charts gets the heatmap, and the charts' place
// names the plan that adds them.
func TestDashboardDocumentBusyHoursWithoutCharts(t *testing.T) {
	s := openFixture(t)
	e := license.EntitlementsFor(license.Payload{Plan: license.Free, Features: map[string]bool{license.FeatureBusyHours: true}}, true)
	d, err := s.Document(context.Background(), e, DocumentRequest{Report: ReportDashboard})
	must(t, err)
	if d.DashboardDays == nil || !d.DashboardDays.Includes("busy_hours") || d.DashboardDays.Includes("daily_breakdown") {
		t.Fatalf("section %+v, want busy hours without the charts", d.DashboardDays)
	}
	layout, err := renderPDF(d, 0)
	must(t, err)
	if layout.heatPage == 0 {
		t.Error("the granted heatmap is not drawn")
	}
	_, text := renderText(t, d)
	checkHas(t, text, []string{"Charts are included in the STARTER plan"})
	if strings.Contains(text, "Daily appointments by status") {
		t.Error("a locked chart is drawn")
	}
}
