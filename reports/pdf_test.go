package reports

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/store"
	"github.com/almanac-app/almanac/license"
)

// The PDF tests render documents computed from the hand-built fixture store, extract their
// text with pdftotext and compare it with the JSON of the very same result.

// needTool returns the path of a poppler tool, skipping without it unless CI is set.
func needTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing: make deps installs poppler-utils", name)
		}
		t.Skipf("%s is not installed (make deps installs poppler-utils)", name)
	}
	return path
}

// fixtureProvenance is what the front would fill in, by hand.
func fixtureProvenance(report, plan, period string) Provenance {
	return Provenance{
		Business: "Fixture Spa", TenantID: "fx", Report: report, Period: period,
		TimeZone: "America/New_York", DataAsOf: "Data as of Mar 10, 2026 2:55 PM EDT (last sync)",
		Plan: plan, Version: "v1.2.3-test", Generated: "Mar 10, 2026 3:00 PM EDT",
		Definitions: []Definition{
			{Metric: "Appointments", Text: "Appointments whose start falls on a day of the period (tenant's local dates)."},
			{Metric: "Cancellation rate", Text: "Cancelled ÷ total × 100."},
		},
	}
}

func fixturePeriod() Period { return Period{From: "2026-02-25", To: "2026-03-10"} }

// renderText writes d to a temporary PDF and returns its path and pdftotext -layout text.
func renderText(t *testing.T, d Document) (string, string) {
	t.Helper()
	tool := needTool(t, "pdftotext")
	var buf bytes.Buffer
	if err := WritePDF(&buf, d); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return path, string(out)
}

// pageCount reads the page count pdfinfo reports.
func pageCount(t *testing.T, path string) int {
	t.Helper()
	out, err := exec.Command(needTool(t, "pdfinfo"), path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v: %s", err, out)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("pdfinfo printed no page count: %s", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// expectedTexts walks the JSON of a report and says how each headline number and name must
// print: money in the currency, counts with thousands separators, percentages with 2
// decimals and a per cent sign, minutes with 2, the peak hour as HH:00–HH:59. Ids and the daily breakdown are left out.
func expectedTexts(t *testing.T, v any, currency string) []string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(k, e)
			}
		case []any:
			for _, e := range x {
				walk(key, e)
			}
		case json.Number:
			out = append(out, formatExpected(t, key, x, currency)...)
		case string:
			out = append(out, stringExpected(key, x)...)
		}
	}
	for k, e := range obj {
		if k == "daily_breakdown" || k == "locked" {
			continue
		}
		walk(k, e)
	}
	sort.Strings(out)
	return out
}

func formatExpected(t *testing.T, key string, n json.Number, currency string) []string {
	switch {
	case key == "id" || key == "service_id":
		return nil
	case strings.HasSuffix(key, "_cents"):
		c, err := n.Int64()
		must(t, err)
		return []string{FormatMoney(c, currency)}
	case key == "booking_trend_percent":
		f, err := n.Float64()
		must(t, err)
		return []string{fmt.Sprintf("%+.2f%%", f)}
	case strings.HasSuffix(key, "_percent"):
		f, err := n.Float64()
		must(t, err)
		return []string{fmt.Sprintf("%.2f%%", f)}
	case key == "average_appointment_duration_minutes":
		f, err := n.Float64()
		must(t, err)
		return []string{fmt.Sprintf("%.2f min", f)}
	case key == "peak_booking_hour":
		h, err := n.Int64()
		must(t, err)
		return []string{fmt.Sprintf("%02d:00–%02d:59", h, h)}
	case key == "period_days":
		return []string{n.String() + " days"}
	}
	c, err := n.Int64()
	must(t, err)
	return []string{data.Thousands(c)}
}

func stringExpected(key, s string) []string {
	switch key {
	case "currency":
		return nil
	case "start_date", "end_date":
		return []string{license.FormatISODate(s)}
	}
	return []string{s}
}

// checkHas fails for each expected text missing from the PDF's text as whole words: "8" is
// not found inside "2026-03-08".
func checkHas(t *testing.T, text string, want []string) {
	t.Helper()
	flat := strings.Join(strings.Fields(text), " ")
	for _, w := range want {
		word := regexp.MustCompile(`(^|[\s(])` + regexp.QuoteMeta(w) + `($|[\s,.;:)])`)
		if !word.MatchString(flat) {
			t.Errorf("the PDF's text lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("PDF text:\n%s", text)
	}
}

func TestPDFAppointmentsNumbersMatchJSON(t *testing.T) {
	s := openFixture(t)
	ctx := context.Background()
	for _, paper := range []Paper{PaperLetter, PaperA4} {
		t.Run(string(paper), func(t *testing.T) {
			g, err := s.Appointments(ctx, ents(license.Enterprise), AppointmentQuery{Period: fixturePeriod(), Window: windowAt(license.Enterprise)})
			must(t, err)
			if g.Total == 0 || g.BookingTrendPercent == nil && g.CancellationRatePercent == 0 {
				t.Fatalf("fixture report is empty: %+v", g)
			}
			d := Document{Provenance: fixtureProvenance("Appointments", "ENTERPRISE", "Feb 25, 2026 – Mar 10, 2026 (14 days)"), Paper: paper, Appointments: &g}
			path, text := renderText(t, d)
			want := expectedTexts(t, g, "USD")
			if len(want) < 10 {
				t.Fatalf("only %d expected texts from the JSON: %v", len(want), want)
			}
			checkHas(t, text, want)
			checkHas(t, text, []string{"Fixture Spa", "America/New_York", "ENTERPRISE", "v1.2.3-test", "Data as of Mar 10, 2026",
				"Cancelled ÷ total × 100.", "Feb 25, 2026 – Mar 10, 2026 (14 days)", "Daily breakdown", "2026-03-08"})
			n := pageCount(t, path)
			if n < 2 || n > 4 {
				t.Errorf("a 14-day appointments PDF has %d pages, want 2 to 4", n)
			}
			checkHas(t, text, []string{fmt.Sprintf("Page 1 of %d", n), fmt.Sprintf("Page %d of %d", n, n)})
			renderPage1(t, path)
		})
	}
}

func TestPDFPaperSize(t *testing.T) {
	s := openFixture(t)
	db, err := s.Dashboard(context.Background(), ents(license.Starter))
	must(t, err)
	for paper, size := range map[Paper]string{PaperA4: "595.28 x 841.89", PaperLetter: "612 x 792", "": "612 x 792"} {
		d := Document{Provenance: fixtureProvenance("Dashboard", "STARTER", ""), Tenant: data.Tenant{TimeZone: "America/New_York"}, Paper: paper, Dashboard: &db}
		path, _ := renderText(t, d)
		out, err := exec.Command(needTool(t, "pdfinfo"), path).CombinedOutput()
		must(t, err)
		if !strings.Contains(string(out), size) {
			t.Errorf("paper %q: pdfinfo says %s, want page size %s", paper, out, size)
		}
	}
	var buf bytes.Buffer
	if err := WritePDF(&buf, Document{Paper: "a3", Dashboard: &db}); err == nil || !strings.Contains(err.Error(), "a3") {
		t.Errorf("paper a3: err = %v, want a refusal naming it", err)
	}
	if err := WritePDF(&buf, Document{}); err == nil {
		t.Error("a document without a report rendered")
	}
}

func TestPDFStarterAppointmentsHasNoRates(t *testing.T) {
	s := openFixture(t)
	g, err := s.Appointments(context.Background(), ents(license.Starter), AppointmentQuery{Period: fixturePeriod(), Window: windowAt(license.Starter)})
	must(t, err)
	if g.Includes("cancellation_rate_percent") {
		t.Fatal("STARTER includes the rates: the fixture no longer tests the lock")
	}
	// The numbers the full report would print as rates must not appear.
	full, err := s.Appointments(context.Background(), ents(license.Enterprise), AppointmentQuery{Period: fixturePeriod(), Window: windowAt(license.Enterprise)})
	must(t, err)
	d := Document{Provenance: fixtureProvenance("Appointments", "STARTER", "Feb 25, 2026 – Mar 10, 2026 (14 days)"), Appointments: &g}
	path, text := renderText(t, d)
	renderPage1(t, path)
	checkHas(t, text, expectedTexts(t, g, "USD"))
	checkHas(t, text, []string{"Included in PROFESSIONAL", "Advanced analytics: PROFESSIONAL", "Not in the STARTER plan"})
	for _, rate := range []float64{full.CancellationRatePercent, full.NoShowRatePercent} {
		if s := fmt.Sprintf("%.2f%%", rate); strings.Contains(text, s) {
			t.Errorf("the STARTER PDF shows the rate %s", s)
		}
	}
}

func TestPDFRevenueNumbersMatchJSON(t *testing.T) {
	s := openFixture(t)
	r, err := s.Revenue(context.Background(), ents(license.Professional), RevenueQuery{Period: fixturePeriod()})
	must(t, err)
	if r.TotalRevenueCents == 0 {
		t.Fatal("fixture revenue is empty")
	}
	d := Document{Provenance: fixtureProvenance("Revenue", "PROFESSIONAL", "Feb 25, 2026 – Mar 10, 2026 (14 days)"), Revenue: &r}
	path, text := renderText(t, d)
	checkHas(t, text, expectedTexts(t, r, r.Currency))
	checkHas(t, text, []string{NoServiceName, "Revenue by service"})
	if n := pageCount(t, path); n < 2 || n > 3 {
		t.Errorf("a 14-day revenue PDF has %d pages, want 2 or 3", n)
	}
	renderPage1(t, path)
}

func TestPDFDashboardNumbersMatchJSON(t *testing.T) {
	s := openFixture(t)
	db, err := s.Dashboard(context.Background(), ents(license.Professional))
	must(t, err)
	d := Document{Provenance: fixtureProvenance("Dashboard", "PROFESSIONAL", ""), Dashboard: &db}
	path, text := renderText(t, d)
	want := expectedTexts(t, db, "USD")
	checkHas(t, text, want)
	checkHas(t, text, []string{"This month: Mar 1, 2026 – Mar 31, 2026", db.SinceNote()})
	if n := pageCount(t, path); n < 1 || n > 2 {
		t.Errorf("the dashboard PDF has %d pages, want 1 or 2", n)
	}
	renderPage1(t, path)
}

// TestPDFPrintsEveryName renders names in Latin-extended and Greek, and euros, from the store.
func TestPDFPrintsEveryName(t *testing.T) {
	s := openFixture(t)
	ctx := context.Background()
	err := s.store.Write(ctx, func(tx *sql.Tx) error {
		if err := store.PutTenant(ctx, tx, data.Tenant{ID: "fx", Name: "Café Zoë", TimeZone: "America/New_York", Currency: "EUR", CanAcceptPayments: true}); err != nil {
			return err
		}
		w, err := store.NewWriter(ctx, tx, fxZone)
		if err != nil {
			return err
		}
		defer w.Close()
		stamp := local(2025, 1, 1, 0, 0)
		must(t, w.PutService(data.Service{ID: 1, Name: "Łódź Massage", DurationMinutes: 30, PriceCents: 1000, Active: true, UpdatedAt: stamp}))
		must(t, w.PutResource(data.Resource{ID: 1, Name: "Μαρία", Kind: data.ResourceStaff, Active: true, UpdatedAt: stamp}))
		return w.Flush()
	})
	must(t, err)
	tn, err := s.Tenant(ctx)
	must(t, err)
	g, err := s.Appointments(ctx, ents(license.Enterprise), AppointmentQuery{Period: fixturePeriod(), Window: windowAt(license.Enterprise)})
	must(t, err)
	p := fixtureProvenance("Appointments", "ENTERPRISE", "")
	p.Business = tn.Name
	_, text := renderText(t, Document{Provenance: p, Tenant: tn, Appointments: &g})
	checkHas(t, text, []string{"Café Zoë", "Łódź Massage", "Μαρία"})
	r, err := s.Revenue(ctx, ents(license.Enterprise), RevenueQuery{Period: fixturePeriod()})
	must(t, err)
	if r.Currency != "EUR" || r.TotalRevenueCents == 0 {
		t.Fatalf("revenue in EUR: %+v", r)
	}
	_, text = renderText(t, Document{Provenance: p, Tenant: tn, Revenue: &r})
	checkHas(t, text, []string{"Café Zoë", "Łódź Massage", FormatMoney(r.TotalRevenueCents, "EUR")})
	if !strings.Contains(text, "€") {
		t.Error("the euro sign does not print")
	}
}

// TestPDFLongPeriodHasChartNotTable: past 62 days the daily breakdown is the chart only.
func TestPDFLongPeriodHasChartNotTable(t *testing.T) {
	s := openFixture(t)
	q := AppointmentQuery{Period: Period{From: "2025-12-01", To: "2026-03-10"}, Window: windowAt(license.Enterprise)}
	g, err := s.Appointments(context.Background(), ents(license.Enterprise), q)
	must(t, err)
	_, text := renderText(t, Document{Provenance: fixtureProvenance("Appointments", "ENTERPRISE", ""), Appointments: &g})
	checkHas(t, text, expectedTexts(t, g, "USD"))
	checkHas(t, text, []string{"The period has 100 days"})
	if strings.Contains(text, "2026-01-01") {
		t.Error("a 100-day PDF lists the days as a table")
	}
}

// renderPage1 rasterises page 1 at 100 dpi with pdftoppm.
func renderPage1(t *testing.T, path string) {
	t.Helper()
	tool := needTool(t, "pdftoppm")
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command(tool, "-png", "-r", "100", "-f", "1", "-l", "1", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	m, _ := filepath.Glob(prefix + "*.png")
	if len(m) != 1 {
		t.Fatalf("pdftoppm wrote %v, want one page", m)
	}
	if fi, err := os.Stat(m[0]); err != nil || fi.Size() < 10_000 {
		t.Fatalf("page 1 image: %v, %v", fi, err)
	}
	if dir := os.Getenv("ALMANAC_PDF_OUT"); dir != "" { // for looking at the pages
		b, _ := os.ReadFile(path)
		must(t, os.WriteFile(filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "-")+".pdf"), b, 0o644))
	}
}

// TestPDFCompactDailyFitsTwoBlocks: a daily appointments table of 62 days is two blocks of 31
// side by side, so it needs no more than a page.
func TestPDFCompactDailyFitsTwoBlocks(t *testing.T) {
	p, err := renderPDF(Document{Dashboard: &Dashboard{}}, 1)
	must(t, err)
	cols := []pdfCol{{"Date", 10, "L"}, {"Total", 8, "R"}}
	for _, st := range data.AppointmentStatuses().All() {
		cols = append(cols, pdfCol{StatusLabel(st), 8, "R"})
	}
	w := 0.0
	for _, c := range p.naturalCols(cols, [][]string{{"2026-05-17", "12,345", "1,234", "1,234", "12,345", "1,234", "1,234"}}) {
		w += c.W
	}
	if 2*w+3 > p.cw {
		t.Errorf("a daily row needs %.1f mm, two blocks do not fit the %.1f mm of an A4 page", w, p.cw)
	}
}

// TestPDFEmptyAndOneDayPeriods: a period without appointments and a one-day period render,
// their zeros printed.
func TestPDFEmptyAndOneDayPeriods(t *testing.T) {
	s := openFixture(t)
	for _, p := range []Period{{From: "2025-06-01", To: "2025-06-10"}, {From: "2026-03-08", To: "2026-03-08"}} {
		g, err := s.Appointments(context.Background(), ents(license.Enterprise), AppointmentQuery{Period: p, Window: windowAt(license.Enterprise)})
		must(t, err)
		r, err := s.Revenue(context.Background(), ents(license.Enterprise), RevenueQuery{Period: p})
		must(t, err)
		_, text := renderText(t, Document{Provenance: fixtureProvenance("Appointments", "ENTERPRISE", ""), Appointments: &g})
		checkHas(t, text, expectedTexts(t, g, "USD"))
		_, text = renderText(t, Document{Provenance: fixtureProvenance("Revenue", "ENTERPRISE", ""), Revenue: &r})
		checkHas(t, text, expectedTexts(t, r, "USD"))
	}
}

// TestPDFMoneyWithoutGlyph: a currency symbol Go's fonts lack prints as its code.
func TestPDFMoneyWithoutGlyph(t *testing.T) {
	if got := pdfMoney(123450, "INR"); got != "INR 1,234.50" {
		t.Errorf("pdfMoney(123450, INR) = %q, want INR 1,234.50", got)
	}
	if got := pdfMoney(123450, "EUR"); got != FormatMoney(123450, "EUR") {
		t.Errorf("pdfMoney(123450, EUR) = %q, want the euro sign kept", got)
	}
	r := RevenueAnalytics{TotalRevenueCents: 123450, TransactionCount: 3, AverageTransactionValueCents: 41150, Currency: "INR",
		ByService:      []ServiceRevenue{{ServiceID: 1, ServiceName: "Massage", RevenueCents: 123450, Count: 3}},
		DailyBreakdown: []DayRevenue{{Date: "2026-03-01", RevenueCents: 123450, TransactionCount: 3}}, PeriodDays: 1, From: "2026-03-01", To: "2026-03-01"}
	_, text := renderText(t, Document{Provenance: fixtureProvenance("Revenue", "ENTERPRISE", ""), Revenue: &r})
	checkHas(t, text, []string{"INR 1,234.50", "INR 411.50"})
}
