package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// The Excel report workbook: every number is checked against the JSON of the same report
// (the struct marshalled, as `report --json` prints it), every chart series against the cells
// it refers to.

// testDefinitions are hand-made definitions: two match Summary rows, one matches none.
var testDefinitions = []Definition{
	{Metric: "Cancellation rate", Text: "cancelled ÷ total × 100; 0 when total is 0."},
	{Metric: "Revenue", Text: "Sum of succeeded payments paid in the period."},
	{Metric: "Upcoming appointments", Text: "Scheduled or confirmed, starting after now."},
	{Metric: "Something else", Text: "A definition no row takes."},
}

// provenance is the hand-filled provenance of the fixture's documents.
func provenance(report string, plan license.Plan) Provenance {
	return Provenance{
		Business: "Fixture Spa", TenantID: "fx", Report: report, Period: "Mar 1, 2026 – Mar 10, 2026 (10 days)",
		TimeZone: "America/New_York", DataAsOf: "Demo data", Plan: plan.String(), Version: "1.2.3-test",
		Generated: "2026-03-10T15:00:00-04:00", Definitions: testDefinitions,
	}
}

var fxPeriod = Period{From: "2026-03-01", To: "2026-03-10"}

// apptDoc computes the fixture's appointments report on plan and wraps it as a document.
func apptDoc(t *testing.T, s *Service, plan license.Plan) (Document, []byte) {
	t.Helper()
	g, err := s.Appointments(context.Background(), ents(plan), AppointmentQuery{Period: fxPeriod, Window: windowAt(plan)})
	if err != nil {
		t.Fatal(err)
	}
	tenant, _ := s.Tenant(context.Background())
	js, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return Document{Provenance: provenance("Appointments", plan), Tenant: tenant, Appointments: &g}, js
}

func revenueDoc(t *testing.T, s *Service) (Document, []byte) {
	t.Helper()
	r, err := s.Revenue(context.Background(), ents(license.Professional), RevenueQuery{Period: fxPeriod})
	if err != nil {
		t.Fatal(err)
	}
	tenant, _ := s.Tenant(context.Background())
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return Document{Provenance: provenance("Revenue", license.Professional), Tenant: tenant, Revenue: &r}, js
}

func dashboardDoc(t *testing.T, s *Service) (Document, []byte) {
	t.Helper()
	d, err := s.Dashboard(context.Background(), ents(license.Professional))
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	p := provenance("Dashboard", license.Professional)
	p.Period = ""
	return Document{Provenance: p, Tenant: d.Tenant, Dashboard: &d}, js
}

// book writes d and reopens it; the bytes are kept for the chart XML.
type book struct {
	*excelize.File
	raw []byte
	t   *testing.T
}

func writeBook(t *testing.T, d Document) book {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteReportXLSX(&buf, d); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return book{File: f, raw: buf.Bytes(), t: t}
}

// rawCell is a cell's stored value: a number as its digits, not as its format shows it.
func (b book) rawCell(sheet, cell string) string {
	b.t.Helper()
	v, err := b.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// num is a numeric cell's value; it fails the test when the cell holds text.
func (b book) num(sheet, cell string) float64 {
	b.t.Helper()
	v := b.rawCell(sheet, cell)
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		b.t.Fatalf("%s!%s = %q, want a number", sheet, cell, v)
	}
	return f
}

// numFmt is the custom number format of a cell's style.
func (b book) numFmt(sheet, cell string) string {
	b.t.Helper()
	id, err := b.GetCellStyle(sheet, cell)
	if err != nil {
		b.t.Fatal(err)
	}
	st, err := b.GetStyle(id)
	if err != nil {
		b.t.Fatal(err)
	}
	if st.CustomNumFmt == nil {
		return ""
	}
	return *st.CustomNumFmt
}

// date reads a date cell: a number formatted as a date, as YYYY-MM-DD.
func (b book) date(sheet, cell string) string {
	b.t.Helper()
	if f := b.numFmt(sheet, cell); f != fmtDate {
		b.t.Errorf("%s!%s has number format %q, want the date format %q", sheet, cell, f, fmtDate)
	}
	tm, err := excelize.ExcelDateToTime(b.num(sheet, cell), false)
	if err != nil {
		b.t.Fatal(err)
	}
	return tm.Format(data.DateLayout)
}

// summaryRow finds the Summary's row whose metric label is label: its row number.
func (b book) summaryRow(label string) int {
	b.t.Helper()
	rows, err := b.GetRows(sheetSummary)
	if err != nil {
		b.t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == label {
			return i + 1
		}
	}
	b.t.Fatalf("Summary has no row %q", label)
	return 0
}

// summaryNum is the Summary's number for label, and its number format.
func (b book) summaryNum(label string) (float64, string) {
	b.t.Helper()
	cell := fmt.Sprintf("B%d", b.summaryRow(label))
	return b.num(sheetSummary, cell), b.numFmt(sheetSummary, cell)
}

func (b book) summaryText(label string, col string) string {
	b.t.Helper()
	v, _ := b.GetCellValue(sheetSummary, fmt.Sprintf("%s%d", col, b.summaryRow(label)))
	return v
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// jsonOf decodes a report's JSON with numbers kept exact.
func jsonOf(t *testing.T, js []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func jnum(t *testing.T, v any) float64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("JSON value %v is not a number", v)
	}
	f, _ := n.Float64()
	return f
}

func TestReportXLSXAppointmentsMatchJSON(t *testing.T) {
	s := openFixture(t)
	d, js := apptDoc(t, s, license.Professional)
	j := jsonOf(t, js)
	b := writeBook(t, d)

	if got, want := b.GetSheetList(), []string{sheetSummary, sheetCharts, sheetByDay, sheetByStatus, sheetByService, sheetByResource, sheetBusyHours, sheetAbout}; !equalStrings(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	checkSummaryNum(t, b, "Appointments", fmtCount, jnum(t, j["total"]))
	checkSummaryNum(t, b, "Cancellation rate", fmtPercent, jnum(t, j["cancellation_rate_percent"])/100)
	checkSummaryNum(t, b, "No-show rate", fmtPercent, jnum(t, j["no_show_rate_percent"])/100)
	checkSummaryNum(t, b, "Days in the period", fmtCount, jnum(t, j["period_days"]))
	if j["booking_trend_percent"] == nil {
		t.Fatal("the fixture's trend is null; pick a period with a previous one")
	}
	checkSummaryNum(t, b, "Booking trend", fmtPercent, jnum(t, j["booking_trend_percent"])/100)
	if got := b.summaryText("Cancellation rate", "C"); got != testDefinitions[0].Text {
		t.Errorf("cancellation rate's definition %q, want %q", got, testDefinitions[0].Text)
	}

	checkByDay(t, b, j["daily_breakdown"].([]any))
	byStatus := j["by_status"].(map[string]any)
	for i, st := range data.AppointmentStatuses().All() {
		row := i + 2
		if got := b.rawCell(sheetByStatus, fmt.Sprintf("A%d", row)); got != StatusLabel(st) {
			t.Errorf("By status row %d is %q, want %q", row, got, StatusLabel(st))
		}
		if got, want := b.num(sheetByStatus, fmt.Sprintf("B%d", row)), jnum(t, byStatus[string(st)]); got != want {
			t.Errorf("By status %s = %v, want %v", st, got, want)
		}
	}
	checkNamed(t, b, sheetByService, j["by_service"].([]any))
	checkNamed(t, b, sheetByResource, j["by_resource"].([]any))
}

func checkSummaryNum(t *testing.T, b book, label, format string, want float64) {
	t.Helper()
	got, f := b.summaryNum(label)
	if !near(got, want) {
		t.Errorf("Summary %q = %v, want %v (JSON)", label, got, want)
	}
	if f != format {
		t.Errorf("Summary %q has number format %q, want %q", label, f, format)
	}
}

// checkByDay compares the By day sheet with daily_breakdown: a real date, a count per status,
// the total.
func checkByDay(t *testing.T, b book, days []any) {
	t.Helper()
	rows, _ := b.GetRows(sheetByDay)
	if len(rows) != len(days)+1 {
		t.Fatalf("By day has %d rows, want a header and %d days", len(rows), len(days))
	}
	statuses := data.AppointmentStatuses().All()
	for i, v := range days {
		day := v.(map[string]any)
		row := i + 2
		if got := b.date(sheetByDay, fmt.Sprintf("A%d", row)); got != day["date"] {
			t.Errorf("By day row %d date %s, want %s", row, got, day["date"])
		}
		sb := day["status_breakdown"].(map[string]any)
		for si, st := range statuses {
			col, _ := excelize.ColumnNumberToName(si + 2)
			if got, want := b.num(sheetByDay, fmt.Sprintf("%s%d", col, row)), jnum(t, sb[string(st)]); got != want {
				t.Errorf("By day %s %s = %v, want %v", day["date"], st, got, want)
			}
		}
		col, _ := excelize.ColumnNumberToName(len(statuses) + 2)
		if got, want := b.num(sheetByDay, fmt.Sprintf("%s%d", col, row)), jnum(t, day["count"]); got != want {
			t.Errorf("By day %s total = %v, want %v", day["date"], got, want)
		}
	}
}

// checkNamed compares a by-service or by-resource sheet with its JSON list, in order.
func checkNamed(t *testing.T, b book, sheet string, list []any) {
	t.Helper()
	rows, _ := b.GetRows(sheet)
	if len(rows) != len(list)+1 {
		t.Fatalf("%s has %d rows, want a header and %d", sheet, len(rows), len(list))
	}
	if len(list) == 0 {
		t.Fatalf("%s: the fixture has no rows to compare", sheet)
	}
	for i, v := range list {
		e := v.(map[string]any)
		row := i + 2
		if got, want := b.rawCell(sheet, fmt.Sprintf("A%d", row)), e["id"].(json.Number).String(); got != want {
			t.Errorf("%s row %d id %s, want %s", sheet, row, got, want)
		}
		if got := b.rawCell(sheet, fmt.Sprintf("B%d", row)); got != e["name"] {
			t.Errorf("%s row %d name %q, want %q", sheet, row, got, e["name"])
		}
		if got, want := b.num(sheet, fmt.Sprintf("C%d", row)), jnum(t, e["count"]); got != want {
			t.Errorf("%s %s = %v, want %v", sheet, e["name"], got, want)
		}
	}
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, "\x00") == strings.Join(b, "\x00")
}

func TestReportXLSXRevenueMatchJSON(t *testing.T) {
	s := openFixture(t)
	d, js := revenueDoc(t, s)
	j := jsonOf(t, js)
	b := writeBook(t, d)
	if got, want := b.GetSheetList(), []string{sheetSummary, sheetCharts, sheetByDay, sheetByService, sheetAbout}; !equalStrings(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	usd := `"$"#,##0.00`
	checkSummaryNum(t, b, "Revenue", usd, jnum(t, j["total_revenue_cents"])/100)
	checkSummaryNum(t, b, "Transactions", fmtCount, jnum(t, j["transaction_count"]))
	checkSummaryNum(t, b, "Average transaction value", usd, jnum(t, j["average_transaction_value_cents"])/100)
	checkSummaryNum(t, b, "Days in the period", fmtCount, jnum(t, j["period_days"]))
	if got := b.summaryText("Currency", "B"); got != j["currency"] {
		t.Errorf("currency %q, want %q", got, j["currency"])
	}
	if got := b.summaryText("Revenue", "C"); got != testDefinitions[1].Text {
		t.Errorf("revenue's definition %q, want %q", got, testDefinitions[1].Text)
	}
	days := j["daily_breakdown"].([]any)
	for i, v := range days {
		day := v.(map[string]any)
		row := i + 2
		if got := b.date(sheetByDay, fmt.Sprintf("A%d", row)); got != day["date"] {
			t.Errorf("By day row %d date %s, want %s", row, got, day["date"])
		}
		if got, want := b.num(sheetByDay, fmt.Sprintf("B%d", row)), jnum(t, day["revenue_cents"])/100; !near(got, want) {
			t.Errorf("revenue on %s = %v, want %v", day["date"], got, want)
		}
		if f := b.numFmt(sheetByDay, fmt.Sprintf("B%d", row)); f != usd {
			t.Errorf("revenue cell format %q, want %q", f, usd)
		}
		if got, want := b.num(sheetByDay, fmt.Sprintf("C%d", row)), jnum(t, day["transaction_count"]); got != want {
			t.Errorf("transactions on %s = %v, want %v", day["date"], got, want)
		}
	}
	svcs := j["by_service"].([]any)
	if len(svcs) < 2 {
		t.Fatalf("the fixture has %d services with revenue, want several", len(svcs))
	}
	for i, v := range svcs {
		e := v.(map[string]any)
		row := i + 2
		if got := b.rawCell(sheetByService, fmt.Sprintf("B%d", row)); got != e["service_name"] {
			t.Errorf("By service row %d %q, want %q", row, got, e["service_name"])
		}
		if got, want := b.num(sheetByService, fmt.Sprintf("C%d", row)), jnum(t, e["revenue_cents"])/100; !near(got, want) {
			t.Errorf("revenue of %s = %v, want %v", e["service_name"], got, want)
		}
		if got, want := b.num(sheetByService, fmt.Sprintf("D%d", row)), jnum(t, e["count"]); got != want {
			t.Errorf("transactions of %s = %v, want %v", e["service_name"], got, want)
		}
	}
}

func TestReportXLSXDashboardMatchJSON(t *testing.T) {
	s := openFixture(t)
	d, js := dashboardDoc(t, s)
	j := jsonOf(t, js)
	b := writeBook(t, d)
	if got, want := b.GetSheetList(), []string{sheetSummary, sheetAbout}; !equalStrings(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	for label, field := range map[string]string{
		"Appointments this month": "total_appointments_this_month", d.Dashboard.AllTimeLabel(): "total_appointments_all_time",
		"Active resources": "active_resources_count", "Active services": "active_services_count",
		"Upcoming appointments": "upcoming_appointments_count",
	} {
		checkSummaryNum(t, b, label, fmtCount, jnum(t, j[field]))
	}
	checkSummaryNum(t, b, "Average appointment duration (minutes)", fmtDecimal, jnum(t, j["average_appointment_duration_minutes"]))
	checkSummaryNum(t, b, "Peak booking hour", fmtHour, jnum(t, j["peak_booking_hour"]))
	if got := b.summaryText("Peak booking day", "B"); got != j["peak_booking_day"] {
		t.Errorf("peak day %q, want %q", got, j["peak_booking_day"])
	}
	period := j["period"].(map[string]any)
	if got := b.date(sheetSummary, fmt.Sprintf("B%d", b.summaryRow("First day of the month"))); got != period["start_date"] {
		t.Errorf("month start %s, want %s", got, period["start_date"])
	}
	if got := b.date(sheetSummary, fmt.Sprintf("B%d", b.summaryRow("Last day of the month"))); got != period["end_date"] {
		t.Errorf("month end %s, want %s", got, period["end_date"])
	}
	if got := b.summaryText("Upcoming appointments", "C"); got != testDefinitions[2].Text {
		t.Errorf("upcoming's definition %q, want %q", got, testDefinitions[2].Text)
	}
}

// A STARTER appointments workbook has every count and the trend but no rates: their rows name
// the plan that adds them, and no other percentage is written anywhere.
func TestReportXLSXStarterHasNoRates(t *testing.T) {
	s := openFixture(t)
	d, js := apptDoc(t, s, license.Starter)
	j := jsonOf(t, js)
	if _, ok := j["cancellation_rate_percent"]; ok {
		t.Fatal("the STARTER JSON has the cancellation rate")
	}
	b := writeBook(t, d)
	checkSummaryNum(t, b, "Appointments", fmtCount, jnum(t, j["total"]))
	for _, label := range []string{"Cancellation rate", "No-show rate"} {
		got := b.summaryText(label, "B")
		if !strings.Contains(got, "PROFESSIONAL") || !strings.Contains(got, "STARTER") {
			t.Errorf("%s on STARTER shows %q, want the plan that adds it (PROFESSIONAL)", label, got)
		}
	}
	full, _ := apptDoc(t, s, license.Professional)
	rate := full.Appointments.CancellationRatePercent / 100
	if rate == 0 {
		t.Fatal("the fixture's cancellation rate is 0; the test could not tell it is missing")
	}
	trend := fmt.Sprintf("B%d", b.summaryRow("Booking trend")) // STARTER's one percentage
	for _, sheet := range b.GetSheetList() {
		for r, row := range mustRows(t, b, sheet) {
			for c := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if b.numFmt(sheet, ref) == fmtPercent && (sheet != sheetSummary || ref != trend) {
					t.Errorf("%s!%s is a percentage on STARTER", sheet, ref)
				}
				if v, err := strconv.ParseFloat(row[c], 64); err == nil && (near(v, rate) || near(v, rate*100)) {
					t.Errorf("%s!%s holds the cancellation rate on STARTER", sheet, ref)
				}
			}
		}
	}
	if got := len(b.charts()); got != 3 {
		t.Errorf("STARTER has %d charts, want the 3 of Analytics charts", got)
	}
}

func mustRows(t *testing.T, b book, sheet string) [][]string {
	t.Helper()
	rows, err := b.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// xChart is what the test reads of a chart part.
type xChart struct {
	Title []string `xml:"chart>title>tx>rich>p>r>t"`
	Line  []xPlot  `xml:"chart>plotArea>lineChart"`
	Bar   []xPlot  `xml:"chart>plotArea>barChart"`
}

type xPlot struct {
	Dir xVal   `xml:"barDir"`
	Ser []xSer `xml:"ser"`
}

type xSer struct {
	Name     string `xml:"tx>strRef>f"`
	Cat      string `xml:"cat>strRef>f"`
	Val      string `xml:"val>numRef>f"`
	Fill     xVal   `xml:"spPr>solidFill>srgbClr"`
	LineFill xVal   `xml:"spPr>ln>solidFill>srgbClr"`
}

type xVal struct {
	Val string `xml:"val,attr"`
}

// chartInfo is one chart: its kind ("line", "col", "bar"), title and series.
type chartInfo struct {
	kind, title string
	ser         []xSer
}

// charts reads every chart part of the workbook.
func (b book) charts() map[string]chartInfo {
	b.t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b.raw), int64(len(b.raw)))
	if err != nil {
		b.t.Fatal(err)
	}
	out := map[string]chartInfo{}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/charts/chart") {
			continue
		}
		rc, _ := f.Open()
		raw, _ := io.ReadAll(rc)
		rc.Close()
		var c xChart
		if err := xml.Unmarshal(raw, &c); err != nil {
			b.t.Fatalf("%s: %v", f.Name, err)
		}
		info := chartInfo{title: strings.Join(c.Title, "")}
		switch {
		case len(c.Line) == 1 && len(c.Bar) == 0:
			info.kind, info.ser = "line", c.Line[0].Ser
		case len(c.Bar) == 1 && len(c.Line) == 0:
			info.kind, info.ser = c.Bar[0].Dir.Val, c.Bar[0].Ser
		default:
			b.t.Fatalf("%s: %d line and %d bar plots, want one plot", f.Name, len(c.Line), len(c.Bar))
		}
		out[info.title] = info
	}
	return out
}

// cells resolves a reference like 'By day'!$B$2:$B$11 to the raw values of its cells.
func (b book) cells(ref string) []string {
	b.t.Helper()
	i := strings.LastIndex(ref, "!")
	if i < 0 {
		b.t.Fatalf("reference %q has no sheet", ref)
	}
	sheet := strings.ReplaceAll(strings.Trim(ref[:i], "'"), "''", "'")
	from, to, _ := strings.Cut(strings.ReplaceAll(ref[i+1:], "$", ""), ":")
	if to == "" {
		to = from
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(from)
	c2, r2, err2 := excelize.CellNameToCoordinates(to)
	if err1 != nil || err2 != nil {
		b.t.Fatalf("reference %q: %v %v", ref, err1, err2)
	}
	var out []string
	for r := r1; r <= r2; r++ {
		for c := c1; c <= c2; c++ {
			cell, _ := excelize.CoordinatesToCellName(c, r)
			out = append(out, b.rawCell(sheet, cell))
		}
	}
	return out
}

func hexOf(st data.AppointmentStatus) string {
	c := StatusColor(st)
	return fmt.Sprintf("%02X%02X%02X", c.R, c.G, c.B)
}

// The charts' series refer to the cells that hold the report's numbers, in the screen's
// colours: checked by resolving each reference and comparing with the JSON.
func TestReportXLSXChartsReferToTheNumbers(t *testing.T) {
	s := openFixture(t)
	d, js := apptDoc(t, s, license.Professional)
	j := jsonOf(t, js)
	b := writeBook(t, d)
	charts := b.charts()
	if len(charts) != 3 {
		t.Fatalf("%d charts (%v), want 3", len(charts), charts)
	}
	days := j["daily_breakdown"].([]any)
	daily := charts["Appointments per day by status"]
	if daily.kind != "line" || len(daily.ser) != data.AppointmentStatuses().Len() {
		t.Fatalf("daily chart: %s with %d series, want a line per status", daily.kind, len(daily.ser))
	}
	for i, st := range data.AppointmentStatuses().All() {
		ser := daily.ser[i]
		if got := b.cells(ser.Name); len(got) != 1 || got[0] != StatusLabel(st) {
			t.Errorf("daily series %d is named %q, want %q", i, got, StatusLabel(st))
		}
		if ser.LineFill.Val != hexOf(st) {
			t.Errorf("daily %s line colour %s, want %s", st, ser.LineFill.Val, hexOf(st))
		}
		vals, cats := b.cells(ser.Val), b.cells(ser.Cat)
		if len(vals) != len(days) || len(cats) != len(days) {
			t.Fatalf("daily %s has %d values and %d dates, want %d", st, len(vals), len(cats), len(days))
		}
		for k, v := range days {
			day := v.(map[string]any)
			want := day["status_breakdown"].(map[string]any)[string(st)].(json.Number).String()
			if vals[k] != want {
				t.Errorf("daily %s point %d = %s, want %s", st, k, vals[k], want)
			}
			serial, _ := strconv.ParseFloat(cats[k], 64)
			tm, _ := excelize.ExcelDateToTime(serial, false)
			if tm.Format(data.DateLayout) != day["date"] {
				t.Errorf("daily point %d is dated %s, want %s", k, tm.Format(data.DateLayout), day["date"])
			}
		}
	}

	byStatus := charts["Appointments by status"]
	if byStatus.kind != "col" || len(byStatus.ser) != data.AppointmentStatuses().Len() {
		t.Fatalf("status chart: %s with %d series, want a column per status", byStatus.kind, len(byStatus.ser))
	}
	for i, st := range data.AppointmentStatuses().All() {
		ser := byStatus.ser[i]
		want := j["by_status"].(map[string]any)[string(st)].(json.Number).String()
		if got := b.cells(ser.Val); len(got) != 1 || got[0] != want {
			t.Errorf("status column %s = %q, want %s", st, got, want)
		}
		if got := b.cells(ser.Name); got[0] != StatusLabel(st) {
			t.Errorf("status column %d named %q, want %q", i, got, StatusLabel(st))
		}
		if ser.Fill.Val != hexOf(st) {
			t.Errorf("status column %s colour %s, want %s", st, ser.Fill.Val, hexOf(st))
		}
	}

	bySvc := charts["Appointments by service"]
	if bySvc.kind != "bar" || len(bySvc.ser) != 1 {
		t.Fatalf("service chart: %s with %d series, want one horizontal series", bySvc.kind, len(bySvc.ser))
	}
	svcs := j["by_service"].([]any)
	names, vals := b.cells(bySvc.ser[0].Cat), b.cells(bySvc.ser[0].Val)
	if len(names) != len(svcs) || len(vals) != len(svcs) {
		t.Fatalf("service chart has %d names and %d values, want %d", len(names), len(vals), len(svcs))
	}
	for i, v := range svcs {
		e := v.(map[string]any)
		if names[i] != e["name"] || vals[i] != e["count"].(json.Number).String() {
			t.Errorf("service bar %d = %s %s, want %s %s", i, names[i], vals[i], e["name"], e["count"])
		}
	}
}

func TestReportXLSXRevenueChart(t *testing.T) {
	s := openFixture(t)
	d, js := revenueDoc(t, s)
	j := jsonOf(t, js)
	b := writeBook(t, d)
	charts := b.charts()
	c, ok := charts["Revenue per day by paid date"]
	if len(charts) != 1 || !ok || c.kind != "line" || len(c.ser) != 1 {
		t.Fatalf("revenue charts %v, want one line", charts)
	}
	days := j["daily_breakdown"].([]any)
	vals := b.cells(c.ser[0].Val)
	if len(vals) != len(days) {
		t.Fatalf("revenue line has %d points, want %d", len(vals), len(days))
	}
	for i, v := range days {
		want := jnum(t, v.(map[string]any)["revenue_cents"]) / 100
		if got, _ := strconv.ParseFloat(vals[i], 64); !near(got, want) {
			t.Errorf("revenue point %d = %v, want %v", i, got, want)
		}
	}
}

// Over a long period the service chart shows the ten largest, from the top of the table.
func TestReportXLSXServiceChartTopTen(t *testing.T) {
	var svcs []NamedCount
	for i := range 14 {
		svcs = append(svcs, NamedCount{ID: int64(i + 1), Name: fmt.Sprintf("Service %d", i+1), Count: int64(100 - i)})
	}
	g := GatedAppointments{AppointmentAnalytics: AppointmentAnalytics{ByStatus: zeroStatuses(), ByService: svcs, ByResource: []NamedCount{},
		DailyBreakdown: []DayCount{{Date: "2026-03-01", StatusBreakdown: zeroStatuses()}}, PeriodDays: 1}}
	b := writeBook(t, Document{Provenance: Provenance{Report: "Appointments"}, Appointments: &g})
	c, ok := b.charts()["Appointments by service (top 10 of 14)"]
	if !ok {
		t.Fatalf("charts %v, want the top 10 of 14 services", b.charts())
	}
	if got := b.cells(c.ser[0].Cat); len(got) != 10 || got[0] != "Service 1" || got[9] != "Service 10" {
		t.Errorf("top-10 chart names %q", got)
	}
}

// Money cells take the currency's format and its minor-unit digits.
func TestReportXLSXMoneyPerCurrency(t *testing.T) {
	for _, tt := range []struct {
		currency, format string
		want             float64
	}{
		{"USD", `"$"#,##0.00`, 1234.56},
		{"EUR", `"€"#,##0.00`, 1234.56},
		{"JPY", `"¥"#,##0`, 123456},
		{"PLN", `"PLN "#,##0.00`, 1234.56},
	} {
		t.Run(tt.currency, func(t *testing.T) {
			r := RevenueAnalytics{TotalRevenueCents: 123456, TransactionCount: 1, AverageTransactionValueCents: 123456, Currency: tt.currency,
				ByService: []ServiceRevenue{}, DailyBreakdown: []DayRevenue{{Date: "2026-03-01", RevenueCents: 123456, TransactionCount: 1}}, PeriodDays: 1}
			b := writeBook(t, Document{Provenance: Provenance{Report: "Revenue"}, Revenue: &r})
			checkSummaryNum(t, b, "Revenue", tt.format, tt.want)
			if got := b.num(sheetByDay, "B2"); !near(got, tt.want) {
				t.Errorf("day revenue %v, want %v", got, tt.want)
			}
		})
	}
}

// The sheets are usable as they open: frozen headers, an autofilter over each table, columns
// wide enough for the names, the provenance on About and the document properties set.
func TestReportXLSXSheetsAndAbout(t *testing.T) {
	s := openFixture(t)
	d, _ := apptDoc(t, s, license.Professional)
	d.Locked = []string{"Nothing is locked; a line for the test"}
	b := writeBook(t, d)
	for _, sheet := range []string{sheetByDay, sheetByStatus, sheetByService, sheetByResource} {
		p, err := b.GetPanes(sheet)
		if err != nil || !p.Freeze || p.YSplit != 1 {
			t.Errorf("%s panes %+v %v, want the header frozen", sheet, p, err)
		}
		tables, err := b.GetTables(sheet)
		rows := mustRows(t, b, sheet)
		last, _ := excelize.CoordinatesToCellName(len(rows[0]), len(rows))
		if err != nil || len(tables) != 1 || tables[0].Range != "A1:"+last {
			t.Errorf("%s tables %+v %v, want one over A1:%s", sheet, tables, err, last)
		}
	}
	w, _ := b.GetColWidth(sheetByService, "B")
	if w < float64(len("Old service")) {
		t.Errorf("service column width %v is narrower than the names", w)
	}
	about := map[string]string{}
	for _, r := range mustRows(t, b, sheetAbout) {
		if len(r) == 2 {
			about[r[0]] = r[1]
		}
	}
	for k, want := range map[string]string{"business": "Fixture Spa", "report": "Appointments", "period": d.Period, "plan": "PROFESSIONAL",
		"app_version": "1.2.3-test", "timezone": "America/New_York", "data_as_of": "Demo data", "locked": d.Locked[0],
		"definition: Something else": testDefinitions[3].Text} {
		if about[k] != want {
			t.Errorf("About %s = %q, want %q", k, about[k], want)
		}
	}
	// The definition no row takes is listed under the table, not lost.
	if got := b.summaryText("Something else", "C"); got != testDefinitions[3].Text {
		t.Errorf("unmatched definition on Summary = %q", got)
	}
	props, err := b.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Creator != "Almanac" || props.Title != "Appointments report of Fixture Spa" || props.Created != "2026-03-10T19:00:00Z" || props.Version != "1.2.3-test" {
		t.Errorf("properties %+v", props)
	}
}

func TestReportXLSXRefusesAnEmptyDocument(t *testing.T) {
	if err := WriteReportXLSX(io.Discard, Document{}); err == nil {
		t.Error("a document without a report was written")
	}
	a, r := &GatedAppointments{}, &RevenueAnalytics{}
	if err := WriteReportXLSX(io.Discard, Document{Appointments: a, Revenue: r}); err == nil {
		t.Error("a document with two reports was written")
	}
}

// A day's date stays the tenant's local date whatever zone the machine runs in.
func TestReportXLSXDatesAreLocalDates(t *testing.T) {
	old := time.Local
	time.Local = time.FixedZone("far", 13*3600)
	defer func() { time.Local = old }()
	r := RevenueAnalytics{Currency: "USD", ByService: []ServiceRevenue{}, PeriodDays: 1, DailyBreakdown: []DayRevenue{{Date: "2026-03-08"}}}
	b := writeBook(t, Document{Provenance: Provenance{Report: "Revenue"}, Revenue: &r})
	if got := b.date(sheetByDay, "A2"); got != "2026-03-08" {
		t.Errorf("date %s, want 2026-03-08", got)
	}
}

// A period without appointments still makes a workbook: zeros by day and status, empty service
// and resource tables, and no service chart (a chart over no cells would be broken).
func TestReportXLSXEmptyPeriod(t *testing.T) {
	s := openFixture(t)
	q := AppointmentQuery{Period: Period{From: "2026-02-01", To: "2026-02-05"}, Window: windowAt(license.Professional)}
	g, err := s.Appointments(context.Background(), ents(license.Professional), q)
	if err != nil {
		t.Fatal(err)
	}
	if g.Total != 0 {
		t.Fatalf("the fixture has %d appointments in the period, want none", g.Total)
	}
	b := writeBook(t, Document{Provenance: provenance("Appointments", license.Professional), Appointments: &g})
	charts := b.charts()
	if _, ok := charts["Appointments by service"]; ok || len(charts) != 2 {
		t.Errorf("charts %v, want the daily and status charts only", charts)
	}
	if rows := mustRows(t, b, sheetByService); len(rows) != 1 {
		t.Errorf("By service has %d rows, want the header only", len(rows))
	}
	if tables, _ := b.GetTables(sheetByService); len(tables) != 1 || tables[0].Range != "A1:C2" {
		t.Errorf("empty By service table %+v, want A1:C2 (a blank row under the header)", tables)
	}
	if got := b.num(sheetByDay, "G6"); got != 0 {
		t.Errorf("last day's total %v, want 0", got)
	}
	if got := b.summaryText("Booking trend", "B"); !strings.HasPrefix(got, "None") {
		t.Errorf("trend without a previous period shows %q", got)
	}
}

// Whatever the provenance and the names hold, the workbook is written and reopens, and a
// generated time in any form never fails it.
func FuzzReportXLSXText(f *testing.F) {
	f.Add("Café Zoë", "Status: completed", "2026-03-10T15:00:00-04:00", "=HYPERLINK(\"x\")")
	f.Add("Łódź", "", "Dec 1, 2026 14:05", "Μαρία's room")
	f.Add("a\x00b\x1f", "\ufffe", "not a time", strings.Repeat("x", 40000))
	f.Fuzz(func(t *testing.T, business, filters, generated, name string) {
		g := GatedAppointments{AppointmentAnalytics: AppointmentAnalytics{ByStatus: zeroStatuses(), PeriodDays: 1,
			ByService:      []NamedCount{{ID: 1, Name: name, Count: 2}},
			ByResource:     []NamedCount{{ID: 1, Name: name, Count: 2}},
			DailyBreakdown: []DayCount{{Date: "2026-03-01", Count: 2, StatusBreakdown: zeroStatuses()}}}}
		d := Document{Provenance: Provenance{Business: business, Report: "Appointments", Filters: filters, Generated: generated,
			Definitions: []Definition{{Metric: name, Text: name}}}, Appointments: &g}
		var buf bytes.Buffer
		if err := WriteReportXLSX(&buf, d); err != nil {
			t.Fatal(err)
		}
		b, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if v, err := b.GetCellValue(sheetByService, "C2"); err != nil || v != "2" {
			t.Errorf("count %q %v after the name %q", v, err, name)
		}
	})
}
