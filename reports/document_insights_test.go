package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// The issue-15 sections of the report documents: customers, staff, busy hours and the
// comparison, each read back from the PDF (pdftotext, pdftoppm) and the workbook (excelize)
// and held to the report's JSON.

// documentOf computes req with the service's own front, as a save does.
func documentOf(t *testing.T, s *Service, plan license.Plan, req DocumentRequest) Document {
	t.Helper()
	req.Version = "v1.2.3-test"
	d, err := s.Document(context.Background(), ents(plan), req)
	must(t, err)
	return d
}

// jsonNumbers decodes v's JSON keeping numbers as json.Number.
func jsonNumbers(t *testing.T, v any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	must(t, err)
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	must(t, dec.Decode(&obj))
	return obj
}

// decimalsTo moves the float fields named (at any depth) out of obj and returns them with 2
// decimals, as the documents print them; expectedTexts reads the rest.
func decimalsTo(t *testing.T, obj map[string]any, keys ...string) []string {
	t.Helper()
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range keys {
				if n, ok := x[k].(json.Number); ok {
					f, err := n.Float64()
					must(t, err)
					out = append(out, fmt.Sprintf("%.2f", f))
					delete(x, k)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(obj)
	return out
}

var cxRequest = DocumentRequest{Report: ReportCustomers, Customers: CustomerQuery{Period: Period{From: "2026-03-08", To: "2026-03-10"}, Window: windowAt(license.Professional)}}

func TestPDFCustomersNumbersMatchJSON(t *testing.T) {
	s := openCustomersFixture(t)
	d := documentOf(t, s, license.Professional, cxRequest)
	if d.Customers == nil || len(d.Customers.TopCustomers) == 0 || len(d.Customers.LapsedCustomers) == 0 || d.Customers.RetentionRatePercent == nil {
		t.Fatalf("the fixture's customers report is empty: %+v", d.Customers)
	}
	obj := jsonNumbers(t, d.Customers)
	want := append(decimalsTo(t, obj, "average_visits_per_customer"), expectedTexts(t, obj, "USD")...)
	_, text := renderText(t, d)
	checkHas(t, text, want)
	for _, s := range []string{"Top customers by revenue", "Lapsed customers", "New customers", "Retention rate", "Visits per customer", "Returning customers"} {
		if !strings.Contains(text, s) {
			t.Errorf("the customers PDF lacks %q", s)
		}
	}
	// Every number has its definition beside it, in docs/metrics.md's words.
	for _, f := range customerFields {
		words := strings.Fields(definitions[f].Text)
		if !strings.Contains(strings.Join(strings.Fields(text), " "), strings.Join(words[:min(6, len(words))], " ")) {
			t.Errorf("the customers PDF lacks the definition of %s", f)
		}
	}
}

func TestPDFStaffNumbersMatchJSON(t *testing.T) {
	s := openStaffFixture(t)
	d := documentOf(t, s, license.Professional, DocumentRequest{Report: ReportStaff, Staff: StaffQuery{Period: staffPeriod}})
	if d.Staff == nil || len(d.Staff.Resources) < 3 {
		t.Fatalf("the fixture's staff report is short: %+v", d.Staff)
	}
	obj := jsonNumbers(t, d.Staff)
	want := append(decimalsTo(t, obj, "booked_hours"), expectedTexts(t, obj, "USD")...)
	_, text := renderText(t, d)
	checkHas(t, text, want)
	for _, r := range d.Staff.Resources {
		if !strings.Contains(text, r.Name) {
			t.Errorf("the staff PDF lacks %q", r.Name)
		}
	}
	if !strings.Contains(text, "Booked hours") || !strings.Contains(text, "no-shows count: the time was booked") {
		t.Error("the staff PDF lacks the booked hours' definition")
	}
}

// A long lapsed list runs on over pages, its header row repeated on each.
func TestPDFLapsedCustomersPaginate(t *testing.T) {
	c := CustomerInsights{LapsedDays: 90, Currency: "USD", PeriodDays: 30, From: "2026-02-09", To: "2026-03-10", TimeZone: "America/New_York",
		TopCustomers: []TopCustomer{}}
	for i := range 150 {
		c.LapsedCustomers = append(c.LapsedCustomers, LapsedCustomer{ID: int64(1000 + i), Name: fmt.Sprintf("Customer %03d", i),
			Email: fmt.Sprintf("c%03d@example.com", i), Phone: "555-0100", LastVisit: "2025-11-01", Visits: int64(i%7 + 1), RevenueCents: int64(i) * 1000})
	}
	d := Document{Provenance: fixtureProvenance("Customers", "PROFESSIONAL", "Feb 9, 2026 – Mar 10, 2026 (30 days)"), Customers: &c}
	path, text := renderText(t, d)
	pages := pageCount(t, path)
	if pages < 3 {
		t.Fatalf("150 lapsed customers on %d pages", pages)
	}
	for i := range 150 {
		if !strings.Contains(text, fmt.Sprintf("c%03d@example.com", i)) {
			t.Errorf("row %d is missing", i)
		}
	}
	// Each page holding rows of the table starts them under its header.
	for pg := 2; pg <= pages; pg++ {
		out, err := exec.Command(needTool(t, "pdftotext"), "-layout", "-f", strconv.Itoa(pg), "-l", strconv.Itoa(pg), path, "-").CombinedOutput()
		must(t, err)
		page := string(out)
		if strings.Contains(page, "@example.com") && !strings.Contains(page, "Lifetime revenue") {
			t.Errorf("page %d has lapsed rows without the header row:\n%s", pg, page)
		}
	}
}

// The heatmap's cells are shaded by count: the busiest is darker than a quieter one, which is
// darker than an empty one, as rendered by pdftoppm; the counts print in their cells.
func TestPDFBusyHoursHeatmapShading(t *testing.T) {
	ppm := needTool(t, "pdftoppm")
	s := openStaffFixture(t)
	d := documentOf(t, s, license.Professional, DocumentRequest{Report: ReportAppointments,
		Appointments: AppointmentQuery{Period: staffPeriod, Window: windowAt(license.Professional)}})
	g := d.Appointments.BusyHours
	if g[mon][9] != 3 || g[tue][16] != 1 || g[2][3] != 0 {
		t.Fatalf("fixture busy hours changed: %v", g)
	}
	layout, err := renderPDF(d, 0)
	must(t, err)
	if layout.heatPage == 0 {
		t.Fatal("the appointments PDF has no busy-hours heatmap")
	}
	path, text := renderText(t, d)
	if !strings.Contains(text, "Busy hours") || !strings.Contains(text, "(busiest)") {
		t.Errorf("no heatmap heading or legend in:\n%s", text)
	}
	const dpi = 100
	base := filepath.Join(t.TempDir(), "page")
	out, err := exec.Command(ppm, "-png", "-r", strconv.Itoa(dpi), "-f", strconv.Itoa(layout.heatPage), "-l", strconv.Itoa(layout.heatPage), "-singlefile", path, base).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	img := readPNG(t, base+".png")
	lum := func(d, hr int) float64 {
		x, y, w, _ := heatCell(pdfMargin, layout.heatY, layout.cw, d, hr)
		// Just inside the cell's corner, clear of its count.
		px, py := int((x+w*0.15)/25.4*dpi), int((y+heatRowH*0.2)/25.4*dpi)
		r, g, b, _ := img.At(px, py).RGBA()
		return 0.299*float64(r>>8) + 0.587*float64(g>>8) + 0.114*float64(b>>8)
	}
	busiest, quiet, empty := lum(mon, 9), lum(tue, 16), lum(2, 3)
	if !(busiest < quiet && quiet < empty) {
		t.Errorf("luminance busiest %.0f, quiet %.0f, empty %.0f: want darker for more", busiest, quiet, empty)
	}
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	must(t, err)
	return img
}

// Without Busy hours the section is left out of both documents and the notes name the plan.
func TestDocumentsBusyHoursLocked(t *testing.T) {
	s := openStaffFixture(t)
	d := documentOf(t, s, license.Professional, DocumentRequest{Report: ReportAppointments,
		Appointments: AppointmentQuery{Period: staffPeriod, Window: windowAt(license.Professional)}})
	g := *d.Appointments
	g.Locked = append(g.Locked, LockedSection{Feature: license.FeatureBusyHours, Plan: license.Starter, Fields: []string{"busy_hours"}})
	g.BusyHours = nil
	d.Appointments, d.Locked = &g, nil
	layout, err := renderPDF(d, 0)
	must(t, err)
	if layout.heatPage != 0 {
		t.Error("a locked heatmap is drawn")
	}
	_, text := renderText(t, d)
	if !strings.Contains(text, "Busy hours: STARTER") {
		t.Errorf("the notes do not name the plan that adds busy hours:\n%s", text)
	}
	b := writeBook(t, d)
	if idx, _ := b.GetSheetIndex(sheetBusyHours); idx >= 0 {
		t.Error("a locked busy-hours sheet is in the workbook")
	}
	if !strings.Contains(strings.Join(b.cells(quoteSheet(sheetSummary)+"!A1:A60"), "|"), "Busy hours") {
		t.Error("the Summary does not say busy hours are left out")
	}
}

func TestReportXLSXBusyHoursTable(t *testing.T) {
	s := openStaffFixture(t)
	d := documentOf(t, s, license.Professional, DocumentRequest{Report: ReportAppointments,
		Appointments: AppointmentQuery{Period: staffPeriod, Window: windowAt(license.Professional)}})
	b := writeBook(t, d)
	for day, name := range Weekdays {
		if got := b.rawCell(sheetBusyHours, fmt.Sprintf("A%d", day+2)); got != name {
			t.Errorf("row %d is %q, want %s", day+2, got, name)
		}
		for hr := range 24 {
			ref, _ := excelize.CoordinatesToCellName(hr+2, day+2)
			if got, want := b.num(sheetBusyHours, ref), float64(d.Appointments.BusyHours[day][hr]); got != want {
				t.Errorf("%s %02d:00 = %v, want %v", name, hr, got, want)
			}
		}
	}
	cf, err := b.GetConditionalFormats(sheetBusyHours)
	must(t, err)
	rules, ok := cf["B2:Y8"]
	if !ok || len(rules) != 1 || rules[0].Type != "2_color_scale" {
		t.Errorf("conditional formats %+v, want a colour scale over B2:Y8", cf)
	}
}

func TestReportXLSXCustomersMatchJSON(t *testing.T) {
	s := openCustomersFixture(t)
	d := documentOf(t, s, license.Professional, cxRequest)
	c := d.Customers
	b := writeBook(t, d)
	if got, want := b.GetSheetList(), []string{sheetSummary, sheetTopCustomers, sheetLapsedCustomers, sheetAbout}; !equalStrings(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	checkSummaryNum(t, b, "New customers", fmtCount, float64(c.NewCustomers))
	checkSummaryNum(t, b, "Returning customers", fmtCount, float64(c.ReturningCustomers))
	checkSummaryNum(t, b, "Visiting customers", fmtCount, float64(c.VisitingCustomers))
	checkSummaryNum(t, b, "Retention rate", fmtPercent, *c.RetentionRatePercent/100)
	checkSummaryNum(t, b, "Visits per customer", fmtDecimal, c.AverageVisitsPerCustomer)
	if def := b.summaryText("New customers", "C"); def != definitions["new_customers"].Text {
		t.Errorf("new customers' definition %q", def)
	}
	for i, tc := range c.TopCustomers {
		row := i + 2
		if b.rawCell(sheetTopCustomers, fmt.Sprintf("B%d", row)) != strconv.FormatInt(tc.ID, 10) || b.rawCell(sheetTopCustomers, fmt.Sprintf("C%d", row)) != tc.Name ||
			b.num(sheetTopCustomers, fmt.Sprintf("D%d", row)) != float64(tc.Visits) || b.num(sheetTopCustomers, fmt.Sprintf("E%d", row)) != float64(tc.RevenueCents)/100 {
			t.Errorf("top row %d is not %+v", row, tc)
		}
	}
	for i, l := range c.LapsedCustomers {
		row := i + 2
		if b.rawCell(sheetLapsedCustomers, fmt.Sprintf("C%d", row)) != l.Email || b.rawCell(sheetLapsedCustomers, fmt.Sprintf("D%d", row)) != l.Phone ||
			b.date(sheetLapsedCustomers, fmt.Sprintf("E%d", row)) != l.LastVisit || b.num(sheetLapsedCustomers, fmt.Sprintf("F%d", row)) != float64(l.Visits) ||
			b.num(sheetLapsedCustomers, fmt.Sprintf("G%d", row)) != float64(l.RevenueCents)/100 {
			t.Errorf("lapsed row %d is not %+v", row, l)
		}
	}
	if tables, err := b.GetTables(sheetLapsedCustomers); err != nil || len(tables) != 1 {
		t.Errorf("the lapsed sheet has tables %v (%v), want one with its filter", tables, err)
	}
}

func TestReportXLSXStaffMatchJSON(t *testing.T) {
	s := openStaffFixture(t)
	d := documentOf(t, s, license.Professional, DocumentRequest{Report: ReportStaff, Staff: StaffQuery{Period: staffPeriod}})
	b := writeBook(t, d)
	checkSummaryNum(t, b, "Total appointments", fmtCount, float64(d.Staff.TotalAppointments))
	for i, r := range d.Staff.Resources {
		row := i + 2
		got := []float64{}
		for _, col := range "CDEFGHIJK" {
			got = append(got, b.num(sheetStaff, fmt.Sprintf("%c%d", col, row)))
		}
		want := []float64{float64(r.Appointments), float64(r.Visits), float64(r.Cancelled), float64(r.NoShow), r.CancellationRatePercent / 100,
			r.NoShowRatePercent / 100, r.BookedHours, float64(r.RevenueCents) / 100, r.SharePercent / 100}
		for j := range want {
			if !near(got[j], want[j]) {
				t.Errorf("staff row %d (%s) column %d = %v, want %v", row, r.Name, j, got[j], want[j])
			}
		}
		if b.rawCell(sheetStaff, fmt.Sprintf("B%d", row)) != r.Name {
			t.Errorf("staff row %d is not %s", row, r.Name)
		}
	}
}

// A report run with a comparison shows each headline's comparison value and change in both
// documents, as the JSON's "comparison" has them.
func TestDocumentsShowComparison(t *testing.T) {
	s := openFixture(t)
	q := AppointmentQuery{Period: fixturePeriod(), Window: windowAt(license.Enterprise)}
	d := documentOf(t, s, license.Enterprise, DocumentRequest{Report: ReportAppointments, Appointments: q, Compare: ComparePrevious})
	c := d.Comparison
	if c == nil || len(c.Fields) != 3 {
		t.Fatalf("comparison %+v", c)
	}
	// The comparison is the report over the comparison period, as --compare computes it.
	cp, err := ResolveComparison(q.Period, ComparePrevious, windowAt(license.Enterprise))
	must(t, err)
	q.Period = cp
	prev, err := s.Appointments(context.Background(), ents(license.Enterprise), q)
	must(t, err)
	if c.Values["total"] != float64(prev.Total) || c.Values["cancellation_rate_percent"] != prev.CancellationRatePercent {
		t.Errorf("comparison values %v, want the report over %s–%s (%d, %.2f)", c.Values, cp.From, cp.To, prev.Total, prev.CancellationRatePercent)
	}
	_, text := renderText(t, d)
	want := []string{data.Thousands(prev.Total), fmt.Sprintf("%.2f%%", prev.CancellationRatePercent), changeWords("total", c.Changes["total"]),
		changeWords("no_show_rate_percent", c.Changes["no_show_rate_percent"]), isoRange(cp.From, cp.To)}
	checkHas(t, text, want)
	if !strings.Contains(text, " pts") {
		t.Error("a rate's change is not in points")
	}
	b := writeBook(t, d)
	r := b.summaryRowAfter("Compared with", "Appointments")
	if got := b.num(sheetSummary, fmt.Sprintf("B%d", r)); got != float64(prev.Total) {
		t.Errorf("Summary comparison value %v, want %d", got, prev.Total)
	}
	if ch := c.Changes["total"]; ch != nil && !near(b.num(sheetSummary, fmt.Sprintf("C%d", r)), *ch/100) {
		t.Errorf("Summary change %v, want %v%%", b.num(sheetSummary, fmt.Sprintf("C%d", r)), *ch)
	}
	r = b.summaryRowAfter("Compared with", "No-show rate")
	if ch := c.Changes["no_show_rate_percent"]; !near(b.num(sheetSummary, fmt.Sprintf("C%d", r)), *ch) || !strings.Contains(b.numFmt(sheetSummary, fmt.Sprintf("C%d", r)), "pts") {
		t.Errorf("Summary rate change %v (%s), want %v points", b.num(sheetSummary, fmt.Sprintf("C%d", r)), b.numFmt(sheetSummary, fmt.Sprintf("C%d", r)), *ch)
	}
}

// A change against 0 is null in the JSON and "—" in both documents.
func TestDocumentsComparisonAgainstZero(t *testing.T) {
	s := openFixture(t)
	d := documentOf(t, s, license.Enterprise, DocumentRequest{Report: ReportRevenue, Revenue: RevenueQuery{Period: fixturePeriod()}})
	if d.Revenue.TotalRevenueCents == 0 {
		t.Fatal("the fixture has no revenue")
	}
	// A year before the fixture nothing was paid (a window that far back is another test's).
	zero := RevenueHeadlines(RevenueAnalytics{})
	c := Compare(CompareLastYear, Period{From: "2025-02-25", To: "2025-03-10", Days: 14}, RevenueHeadlines(*d.Revenue), zero)
	d.Comparison = &c
	if c.Changes["total_revenue_cents"] != nil {
		t.Fatalf("a change against 0 is %v, want null", *c.Changes["total_revenue_cents"])
	}
	_, text := renderText(t, d)
	if !strings.Contains(text, "the same dates last year") || !strings.Contains(text, "—") {
		t.Errorf("no comparison with a null change in:\n%s", text)
	}
	b := writeBook(t, d)
	r := b.summaryRowAfter("Compared with", "Revenue")
	if got := b.rawCell(sheetSummary, fmt.Sprintf("C%d", r)); got != "—" {
		t.Errorf("Summary change against 0 is %q, want —", got)
	}
}

// Without Period comparisons a document with a comparison is refused naming the plan.
func TestDocumentComparisonGated(t *testing.T) {
	s := openFixture(t)
	_, err := s.Document(context.Background(), ents(license.Starter), DocumentRequest{Report: ReportAppointments,
		Appointments: AppointmentQuery{Period: fixturePeriod(), Window: windowAt(license.Starter)}, Compare: ComparePrevious})
	var ue *license.UpgradeError
	if !errors.As(err, &ue) || ue.Required != license.Professional {
		t.Fatalf("err %v, want the upgrade to PROFESSIONAL", err)
	}
}

// summaryRowAfter is the Summary row labelled label below the first row starting with marker.
func (b book) summaryRowAfter(marker, label string) int {
	rows, err := b.GetRows(sheetSummary)
	if err != nil {
		b.t.Fatal(err)
	}
	seen := false
	for i, r := range rows {
		if len(r) == 0 {
			continue
		}
		if strings.HasPrefix(r[0], marker) {
			seen = true
		} else if seen && r[0] == label {
			return i + 1
		}
	}
	b.t.Fatalf("no %q row after %q on the Summary", label, marker)
	return 0
}
