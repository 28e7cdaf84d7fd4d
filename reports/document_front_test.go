package reports

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// fakeRenderers puts fakes in place of WritePDF and WriteReportXLSX for one test: each writes
// the format and the document as JSON, so a test can read back what the renderer was given.
func fakeRenderers(t *testing.T, render func(io.Writer, Document) error) {
	t.Helper()
	old := renderers
	t.Cleanup(func() { renderers = old })
	if render == nil {
		render = func(w io.Writer, d Document) error { return json.NewEncoder(w).Encode(d) }
	}
	renderers = map[DocFormat]func(io.Writer, Document) error{DocPDF: render, DocXLSX: render}
}

func fxQuery(p license.Plan) AppointmentQuery {
	return AppointmentQuery{Period: Period{From: "2026-03-01", To: "2026-03-10"}, Window: windowAt(p)}
}

// Every number of a document is the one the report's own call (what --json prints) returns.
func TestDocumentIsTheReportsOwnCall(t *testing.T) {
	svc := openFixture(t)
	ctx := context.Background()
	pro := ents(license.Professional)

	dash, err := svc.Dashboard(ctx, pro)
	must(t, err)
	doc, err := svc.Document(ctx, pro, DocumentRequest{Report: ReportDashboard, Version: "1.2.3"})
	must(t, err)
	if !reflect.DeepEqual(*doc.Dashboard, dash) || doc.Appointments != nil || doc.Revenue != nil {
		t.Errorf("dashboard document %+v, want %+v", doc.Dashboard, dash)
	}

	q := fxQuery(license.Professional)
	q.Filter = AppointmentFilter{Status: "completed", ServiceID: 1, ResourceID: 1}
	g, err := svc.Appointments(ctx, pro, q)
	must(t, err)
	doc, err = svc.Document(ctx, pro, DocumentRequest{Report: ReportAppointments, Appointments: q})
	must(t, err)
	if a, b := mustJSON(t, doc.Appointments), mustJSON(t, g); a != b {
		t.Errorf("appointments document %s, want %s", a, b)
	}
	if want := "Status: Completed; Service: Massage (#1); Resource: Ava (#1)"; doc.Filters != want {
		t.Errorf("filters %q, want %q", doc.Filters, want)
	}
	if want := "Mar 1, 2026 – Mar 10, 2026 (10 days)"; !strings.Contains(doc.Period, "(10 days)") || doc.Period == "" {
		t.Errorf("period %q, want like %q", doc.Period, want)
	}

	rq := RevenueQuery{Period: q.Period, ServiceID: 0, OnlyService: true}
	r, err := svc.Revenue(ctx, pro, rq)
	must(t, err)
	doc, err = svc.Document(ctx, pro, DocumentRequest{Report: ReportRevenue, Revenue: rq})
	must(t, err)
	if !reflect.DeepEqual(*doc.Revenue, r) || doc.Filters != "Service: "+NoServiceName {
		t.Errorf("revenue document %+v filters %q, want %+v", doc.Revenue, doc.Filters, r)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	must(t, err)
	return string(b)
}

func TestDocumentProvenance(t *testing.T) {
	svc := openFixture(t)
	ctx := context.Background()
	doc, err := svc.Document(ctx, ents(license.Starter), DocumentRequest{Report: ReportAppointments, Appointments: fxQuery(license.Starter), Version: "1.2.3"})
	must(t, err)
	p := doc.Provenance
	if p.Business != "Fixture Spa" || p.TenantID != "fx" || p.Report != "Appointments" || p.TimeZone != "America/New_York" ||
		p.Plan != "STARTER" || p.Version != "1.2.3" || p.Filters != "" {
		t.Errorf("provenance %+v", p)
	}
	if want := license.FormatDateTime(fixtureNow, fxZone); p.Generated != want {
		t.Errorf("generated %q, want the service's clock in the tenant's zone %q", p.Generated, want)
	}
	if p.DataAsOf != "Never synced" {
		t.Errorf("data as of %q for a store never synced", p.DataAsOf)
	}
	if doc.Paper != PaperLetter {
		t.Errorf("paper %q for America/New_York, want letter", doc.Paper)
	}
	// STARTER: no rates, and the document says which plan adds them.
	if want := []string{"Cancellation and no-show rates: PROFESSIONAL"}; !reflect.DeepEqual(p.Locked, want) {
		t.Errorf("locked %q, want %q", p.Locked, want)
	}
	for _, d := range p.Definitions {
		if d.Metric == "Cancellation rate" || d.Metric == "No-show rate" {
			t.Errorf("STARTER document defines a locked metric: %+v", d)
		}
	}
	if len(p.Definitions) < 5 {
		t.Errorf("definitions %+v", p.Definitions)
	}
	doc, err = svc.Document(ctx, ents(license.Starter), DocumentRequest{Report: ReportDashboard, Paper: "A4"})
	must(t, err)
	if doc.Paper != PaperA4 || doc.Period != "" || len(doc.Locked) != 0 {
		t.Errorf("dashboard: paper %q period %q locked %q", doc.Paper, doc.Period, doc.Locked)
	}
}

func TestDataAsOf(t *testing.T) {
	at := time.Date(2026, 11, 30, 19, 5, 0, 0, time.UTC)
	cases := []struct {
		t    data.Tenant
		want string
	}{
		{data.Tenant{IsDemo: true, LastSyncAt: &at}, "Demo data"},
		{data.Tenant{}, "Never synced"},
		{data.Tenant{TimeZone: "America/New_York", LastSyncAt: &at}, "Data as of " + license.FormatDateTime(at, mustLoc("America/New_York")) + " (last sync)"},
	}
	for _, c := range cases {
		if got := DataAsOf(c.t); got != c.want {
			t.Errorf("DataAsOf(%+v) = %q, want %q", c.t, got, c.want)
		}
	}
	if DataAsOf(cases[2].t) == DataAsOf(data.Tenant{TimeZone: "Asia/Tokyo", LastSyncAt: &at}) {
		t.Error("the last sync is not shown in the tenant's zone")
	}
}

// Each definition a document prints is docs/metrics.md's own words.
func TestDefinitionsAreMetricsMd(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "metrics.md"))
	must(t, err)
	doc := strings.NewReplacer("**", "", "`", "").Replace(string(b))
	doc = regexp.MustCompile(`\s+`).ReplaceAllString(doc, " ")
	for key, d := range definitions {
		if d.Metric == "" || len(d.Text) < 10 {
			t.Errorf("%s: empty definition %+v", key, d)
		}
		if !strings.Contains(doc, d.Text) {
			t.Errorf("%s: %q is not in docs/metrics.md", key, d.Text)
		}
	}
	for _, list := range [][]string{dashboardFields, appointmentFields, revenueFields, customerFields, staffFields} {
		for _, f := range list {
			if _, ok := definitions[f]; !ok {
				t.Errorf("%s has no definition", f)
			}
		}
	}
}

func TestCheckDocument(t *testing.T) {
	cases := []struct {
		plan   license.Plan
		report Report
		f      DocFormat
		want   license.Plan // 0: allowed
	}{
		{license.Free, ReportDashboard, DocPDF, license.Starter},
		{license.Starter, ReportDashboard, DocPDF, 0},
		{license.Starter, ReportAppointments, DocPDF, 0},
		{license.Starter, ReportDashboard, DocXLSX, license.Professional},
		{license.Free, ReportAppointments, DocXLSX, license.Professional}, // the plan that unlocks the document
		{license.Free, ReportDashboard, DocXLSX, license.Professional},
		{license.Free, ReportRevenue, DocPDF, license.Professional},
		{license.Free, ReportAppointments, DocPDF, license.Starter},
		{license.Starter, ReportRevenue, DocPDF, license.Professional},
		{license.Professional, ReportRevenue, DocXLSX, 0},
	}
	for _, c := range cases {
		err := CheckDocument(ents(c.plan), c.report, c.f)
		var ue *license.UpgradeError
		switch {
		case c.want == 0 && err != nil:
			t.Errorf("%v %s %s: %v", c.plan, c.report, c.f, err)
		case c.want != 0 && (!errors.As(err, &ue) || ue.Required != c.want):
			t.Errorf("%v %s %s: %v, want an UpgradeError naming %v", c.plan, c.report, c.f, err, c.want)
		}
	}
	if err := CheckDocument(ents(license.Internal), ReportDashboard, "docx"); !errors.Is(err, ErrUsage) {
		t.Errorf("unknown format: %v", err)
	}
}

var paperCases = []struct {
	in   string
	want Paper
	ok   bool
}{{"a4", PaperA4, true}, {"Letter", PaperLetter, true}, {" A4 ", PaperA4, true}, {"", "", true}, {"legal", "", false}, {"a5", "", false}}

func TestParsePaper(t *testing.T) {
	for _, c := range paperCases {
		p, err := ParsePaper(c.in)
		if p != c.want || (err == nil) != c.ok {
			t.Errorf("ParsePaper(%q) = %q, %v", c.in, p, err)
		}
		var ie *data.InputError
		if err != nil && (!errors.Is(err, ErrUsage) || !errors.As(err, &ie) || ie.Field != data.FieldPaper) {
			t.Errorf("ParsePaper(%q): %v is not a usage error naming the paper", c.in, err)
		}
	}
}

func FuzzParsePaper(f *testing.F) {
	for _, c := range paperCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePaper(s)
		if err == nil && p != "" && p != PaperA4 && p != PaperLetter {
			t.Fatalf("ParsePaper(%q) = %q", s, p)
		}
		if err != nil && !errors.Is(err, ErrUsage) {
			t.Fatalf("ParsePaper(%q): %v", s, err)
		}
	})
}

func TestSaveDocumentWritesTheDocument(t *testing.T) {
	fakeRenderers(t, nil)
	svc := openFixture(t)
	ctx := context.Background()
	dir := t.TempDir()
	req := DocumentRequest{Report: ReportAppointments, Appointments: fxQuery(license.Professional), Paper: PaperA4, Version: "9"}
	path := filepath.Join(dir, "Appointments.pdf")
	got, err := svc.SaveDocument(ctx, ents(license.Professional), req, DocPDF, path, false)
	must(t, err)
	if got != path {
		t.Errorf("saved to %q, want %q", got, path)
	}
	b, err := os.ReadFile(path)
	must(t, err)
	var doc Document
	must(t, json.Unmarshal(b, &doc))
	want, err := svc.Document(ctx, ents(license.Professional), req)
	must(t, err)
	if doc.Paper != PaperA4 || doc.Plan != "PROFESSIONAL" || mustJSON(t, doc.Appointments) != mustJSON(t, want.Appointments) {
		t.Errorf("the renderer got %s", b)
	}
	if parts, _ := filepath.Glob(filepath.Join(dir, ".*.part")); len(parts) != 0 {
		t.Errorf("left behind %v", parts)
	}
}

func TestSaveDocumentRefuses(t *testing.T) {
	fakeRenderers(t, func(io.Writer, Document) error { t.Error("rendered a refused document"); return nil })
	svc := openFixture(t)
	ctx := context.Background()
	dir := t.TempDir()
	taken := filepath.Join(dir, "taken.pdf")
	must(t, os.WriteFile(taken, []byte("old"), 0o644))
	dash := DocumentRequest{Report: ReportDashboard}
	cases := []struct {
		name  string
		plan  license.Plan
		f     DocFormat
		path  string
		check func(error) bool
	}{
		{"pdf on FREE", license.Free, DocPDF, filepath.Join(dir, "a.pdf"), upgradeTo(license.Starter)},
		{"excel on STARTER", license.Starter, DocXLSX, filepath.Join(dir, "a.xlsx"), upgradeTo(license.Professional)},
		{"taken name", license.Starter, DocPDF, taken, func(err error) bool { return errors.Is(err, fs.ErrExist) && !errors.Is(err, ErrUsage) }},
		{"folder missing", license.Starter, DocPDF, filepath.Join(dir, "nope", "a.pdf"), inputField(data.FieldPDF)},
		{"wrong extension", license.Professional, DocXLSX, filepath.Join(dir, "a.pdf"), func(err error) bool { return errors.Is(err, ErrUsage) && inputField(data.FieldXLSX)(err) }},
		{"a folder", license.Starter, DocPDF, dir + "/", func(err error) bool { return errors.Is(err, ErrUsage) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.SaveDocument(ctx, ents(c.plan), dash, c.f, c.path, false)
			if !c.check(err) {
				t.Errorf("error %v (%T)", err, err)
			}
		})
	}
	if b, _ := os.ReadFile(taken); string(b) != "old" {
		t.Errorf("the taken file was changed: %q", b)
	}
}

func upgradeTo(p license.Plan) func(error) bool {
	return func(err error) bool {
		var ue *license.UpgradeError
		return errors.As(err, &ue) && ue.Required == p
	}
}

func inputField(field string) func(error) bool {
	return func(err error) bool {
		var ie *data.InputError
		return errors.As(err, &ie) && ie.Field == field
	}
}

func TestSaveDocumentOverwriteReplacesOnlyWhenComplete(t *testing.T) {
	svc := openFixture(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dash.xlsx")
	must(t, os.WriteFile(path, []byte("old"), 0o644))
	req := DocumentRequest{Report: ReportDashboard}

	fakeRenderers(t, func(w io.Writer, d Document) error {
		io.WriteString(w, "half")
		return errors.New("renderer broke")
	})
	if _, err := svc.SaveDocument(ctx, ents(license.Professional), req, DocXLSX, path, true); err == nil || !strings.Contains(err.Error(), "renderer broke") {
		t.Fatalf("error %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("a failed save changed the file: %q", b)
	}
	fakeRenderers(t, func(w io.Writer, d Document) error { _, err := io.WriteString(w, "new "+d.Report); return err })
	if _, err := svc.SaveDocument(ctx, ents(license.Professional), req, DocXLSX, path, true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new Dashboard" {
		t.Errorf("file %q after overwrite", b)
	}
}

// Cancel stops a render in the middle: the renderer's writes fail, nothing is left behind.
func TestSaveDocumentCancel(t *testing.T) {
	svc := openFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	var writeErr error
	fakeRenderers(t, func(w io.Writer, d Document) error {
		cancel()
		big := make([]byte, 1<<20) // past the output buffer, so the write reaches the file
		_, writeErr = w.Write(big)
		return writeErr
	})
	_, err := svc.SaveDocument(ctx, ents(license.Starter), DocumentRequest{Report: ReportDashboard}, DocPDF, filepath.Join(dir, "d.pdf"), false)
	if !errors.Is(err, context.Canceled) || !errors.Is(writeErr, context.Canceled) {
		t.Fatalf("error %v, write %v", err, writeErr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %v", entries)
	}
}
