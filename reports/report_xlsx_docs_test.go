package reports

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// TestReportXLSXInLibreOffice opens each report workbook of a demo tenant in a real spreadsheet:
// LibreOffice converts it to PDF (so it must read the workbook and draw its charts), the PDF's
// text must hold every chart's title and the Summary's numbers as LibreOffice formats them, and
// pdftoppm renders the page of the charts. It needs LibreOffice Calc and poppler, so it runs
// only with ALMANAC_DOCS_CHECK=1 (`make docs-check`), not in `make test`.
// ALMANAC_DOCS_KEEP=DIR keeps the workbooks, PDFs and pictures in DIR;
// ALMANAC_DOCS_UPDATE=1 also copies the pictures to docs/reports/ for docs/reports.md.
func TestReportXLSXInLibreOffice(t *testing.T) {
	if os.Getenv("ALMANAC_DOCS_CHECK") == "" {
		t.Skip("set ALMANAC_DOCS_CHECK=1 (make docs-check) to open the workbooks in LibreOffice")
	}
	for _, tool := range []string{"libreoffice", "pdftoppm", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: apt-get install libreoffice-calc poppler-utils", tool)
		}
	}
	docs := docsDocuments(t)
	dir := os.Getenv("ALMANAC_DOCS_KEEP") // a folder to keep the workbooks, PDFs and PNGs in
	if dir == "" {
		dir = t.TempDir()
	}
	var files []string
	for _, name := range []string{"appointments", "revenue", "dashboard"} {
		var buf bytes.Buffer
		if err := WriteReportXLSX(&buf, docs[name].doc); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name+".xlsx")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	convertToPDF(t, dir, files)
	for _, name := range []string{"appointments", "revenue", "dashboard"} {
		t.Run(name, func(t *testing.T) {
			checkRendered(t, filepath.Join(dir, name+".pdf"), name, docs[name])
		})
	}
}

// docsDoc is a document and what its rendering must show.
type docsDoc struct {
	doc   Document
	texts []string // text the PDF must contain: chart titles, numbers as formatted
	page  string   // a text on the page to picture
	dpi   int      // its resolution
}

// docsDocuments are the three reports over 30 days of a demo tenant, on PROFESSIONAL.
func docsDocuments(t *testing.T) map[string]docsDoc {
	t.Helper()
	_, s := demoStore(t, 20_000)
	ctx := context.Background()
	e := planEnts(license.Professional)
	tenant, err := s.Tenant(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := Period{From: "2026-05-17", To: "2026-06-15"}
	prov := func(report string) Provenance {
		return Provenance{Business: tenant.Name, TenantID: tenant.ID, Report: report, Period: "May 17, 2026 – Jun 15, 2026 (30 days)",
			TimeZone: tenant.TimeZone, DataAsOf: "Demo data", Plan: "PROFESSIONAL", Version: "docs", Generated: "2026-06-15T14:30:00-04:00",
			Definitions: docsDefinitions[report]}
	}
	w, _, err := s.Window(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.Appointments(ctx, e, AppointmentQuery{Period: p, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Revenue(ctx, e, RevenueQuery{Period: p})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Dashboard(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	dp := prov("Dashboard")
	dp.Period = ""
	return map[string]docsDoc{
		"appointments": {doc: Document{Provenance: prov("Appointments"), Tenant: tenant, Appointments: &g},
			texts: []string{"Appointments per day by status", "Appointments by status", "Appointments by service", data.Thousands(g.Total)},
			page:  "Appointments per day by status", dpi: 60},
		"revenue": {doc: Document{Provenance: prov("Revenue"), Tenant: tenant, Revenue: &r},
			texts: []string{"Revenue per day by paid date", FormatMoney(r.TotalRevenueCents, r.Currency)},
			page:  "Revenue per day by paid date", dpi: 60},
		"dashboard": {doc: Document{Provenance: dp, Tenant: tenant, Dashboard: &d},
			texts: []string{"Appointments this month", data.Thousands(d.TotalAppointmentsThisMonth)},
			page:  "Appointments this month", dpi: 100},
	}
}

// convertToPDF runs LibreOffice once over every workbook, with a profile of its own so it
// neither touches nor waits for the user's.
func convertToPDF(t *testing.T, dir string, files []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", dir}, files...)
	out, err := exec.CommandContext(ctx, "libreoffice", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, out)
	}
}

// checkRendered finds the texts in the PDF and pictures the page that holds want.page.
func checkRendered(t *testing.T, pdf, name string, want docsDoc) {
	pages := pdfPages(t, pdf)
	all := strings.Join(pages, "\f")
	for _, s := range want.texts {
		if !strings.Contains(all, s) {
			t.Errorf("LibreOffice's PDF of the %s workbook lacks %q", name, s)
		}
	}
	page := -1
	for i, p := range pages {
		if strings.Contains(p, want.page) {
			page = i + 1
			break
		}
	}
	if page < 0 {
		t.Fatalf("no page of the %s PDF shows %q", name, want.page)
	}
	png := picture(t, pdf, page, want.dpi)
	t.Logf("%s: %d pages; page %d pictured in %s", name, len(pages), page, png)
	if os.Getenv("ALMANAC_DOCS_UPDATE") != "" {
		publish(t, png, name)
	}
}

// picture renders one page of a PDF as a PNG, trimmed to its content when ImageMagick is
// there (make deps installs it), and returns its path.
func picture(t *testing.T, pdf string, page, dpi int) string {
	t.Helper()
	base := strings.TrimSuffix(pdf, ".pdf") + "-page"
	n := strconv.Itoa(page)
	if out, err := exec.Command("pdftoppm", "-png", "-r", strconv.Itoa(dpi), "-f", n, "-l", n, "-singlefile", pdf, base).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	png := base + ".png"
	if _, err := exec.LookPath("convert"); err == nil {
		if out, err := exec.Command("convert", png, "-strip", "-trim", "+repage", "-bordercolor", "white", "-border", "12", png).CombinedOutput(); err != nil {
			t.Fatalf("convert -trim: %v\n%s", err, out)
		}
	}
	return png
}

// publish copies a picture to docs/reports/ for docs/reports.md.
func publish(t *testing.T, png, name string) {
	t.Helper()
	kind := "charts"
	if name == "dashboard" {
		kind = "summary" // the dashboard's workbook has numbers, no charts
	}
	dst := filepath.Join("..", "docs", "reports", fmt.Sprintf("xlsx-%s-%s.png", name, kind))
	raw, err := os.ReadFile(png)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(dst), 0o755)
	}
	if err == nil {
		err = os.WriteFile(dst, raw, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// pdfPages is the text of each page of a PDF, by pdftotext.
func pdfPages(t *testing.T, pdf string) []string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", pdf, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\f"), "\f")
}

// docsDefinitions are docs/metrics.md's words, as the front end passes them.
var docsDefinitions = map[string][]Definition{
	"Appointments": {
		{"Appointments", "Matching appointments in the period."},
		{"Booking trend", "(total − previous) ÷ previous × 100, where previous is the same count over the N days just before the period. None when previous is 0 or when the previous period starts before the history window's cutoff."},
		{"Cancellation rate", "cancelled ÷ total × 100; 0 when total is 0."},
		{"No-show rate", "no_show ÷ total × 100; 0 when total is 0."},
		{"Days in the period", "Number of local days in the period."},
	},
	"Revenue": {
		{"Revenue", "Sum of succeeded payments paid in the period, in the tenant's currency."},
		{"Transactions", "Number of those payments."},
		{"Average transaction value", "total ÷ count, rounded to a whole minor unit; 0 when there are none."},
	},
	"Dashboard": {
		{"Appointments this month", "Appointments whose local start date is in the current calendar month, the whole month (future ones included), every status."},
		{"Appointments, all time", "Appointments whose local start date is on or after the history window's cutoff (future ones included)."},
		{"Active resources", "Resources marked active."},
		{"Active services", "Services marked active."},
		{"Upcoming appointments", "Appointments with status scheduled or confirmed that start after now."},
		{"Average appointment duration", "Mean of (end − start) in whole minutes over the past appointments from the history window's cutoff on: those that started at or before now (every status)."},
		{"Peak booking day", "The weekday with the most past appointments (same set as the average); ties go to the earlier day, Sunday first."},
		{"Peak booking hour", "The local hour (0–23) in which the most past appointments (same set) started; ties go to the earlier hour."},
	},
}
