package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
)

// The issue-15 documents on the command line: report customers|resources --pdf/--xlsx, and
// --compare carried into the appointments and revenue documents.

// Each document holds what --json prints for the same flags.
func TestReportInsightDocumentsMatchJSON(t *testing.T) {
	fakeSave(t)
	pro := proHome(t)
	dir := t.TempDir()
	for _, c := range []struct {
		kind  string
		flags []string
		field func(reports.Document) any
	}{
		{"customers", []string{"--days", "30", "--lapsed-days", "60"}, func(d reports.Document) any { return d.Customers }},
		{"resources", []string{"--period", "last-month"}, func(d reports.Document) any { return d.Staff }},
	} {
		t.Run(c.kind, func(t *testing.T) {
			base := append([]string{"--home", pro, "report", c.kind}, c.flags...)
			code, wantJSON, stderr := runCLI(t, append(base, "--json")...)
			if code != 0 {
				t.Fatalf("--json: exit %d: %s", code, stderr)
			}
			pdf, xlsx := filepath.Join(dir, c.kind+".pdf"), filepath.Join(dir, c.kind+".xlsx")
			code, stdout, stderr := runCLI(t, append(base, "--pdf", pdf, "--xlsx", xlsx)...)
			if code != 0 || stdout != pdf+"\n"+xlsx+"\n" {
				t.Fatalf("exit %d stdout %q: %s", code, stdout, stderr)
			}
			for _, p := range []string{pdf, xlsx} {
				d := readSaved(t, p)
				got, _ := json.MarshalIndent(c.field(d.Document), "", "  ")
				if strings.TrimSpace(string(got)) != strings.TrimSpace(wantJSON) {
					t.Errorf("%s holds\n%s\nwant --json's\n%s", p, got, wantJSON)
				}
			}
		})
	}
}

// --compare reaches the documents: their comparison is the JSON's.
func TestReportCompareDocumentsMatchJSON(t *testing.T) {
	fakeSave(t)
	pro := proHome(t)
	dir := t.TempDir()
	for _, kind := range []string{"appointments", "revenue"} {
		base := []string{"--home", pro, "report", kind, "--period", "last-month", "--compare", "previous"}
		code, stdout, stderr := runCLI(t, append(base, "--json")...)
		if code != 0 {
			t.Fatalf("%s --json: exit %d: %s", kind, code, stderr)
		}
		var js struct {
			Comparison json.RawMessage `json:"comparison"`
		}
		if err := json.Unmarshal([]byte(stdout), &js); err != nil || len(js.Comparison) == 0 {
			t.Fatalf("%s: no comparison in %s (%v)", kind, stdout, err)
		}
		pdf := filepath.Join(dir, kind+".pdf")
		if code, _, stderr := runCLI(t, append(base, "--pdf", pdf)...); code != 0 {
			t.Fatalf("%s --pdf: exit %d: %s", kind, code, stderr)
		}
		d := readSaved(t, pdf)
		if d.Request.Compare != reports.ComparePrevious || d.Document.Comparison == nil {
			t.Fatalf("%s: request %+v, comparison %v", kind, d.Request, d.Document.Comparison)
		}
		got, _ := json.Marshal(d.Document.Comparison)
		var a, b any
		_ = json.Unmarshal(got, &a)
		_ = json.Unmarshal(js.Comparison, &b)
		if ga, _ := json.Marshal(a); string(ga) != mustJSON(t, b) {
			t.Errorf("%s: the document's comparison %s, want the JSON's %s", kind, ga, js.Comparison)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReportInsightDocumentGates(t *testing.T) {
	free, pro := demoHome(t), proHome(t)
	dir := t.TempDir()
	pdf, xlsx := filepath.Join(dir, "r.pdf"), filepath.Join(dir, "r.xlsx")
	for _, c := range []struct {
		name string
		home string
		args []string
		code int
		msg  string
	}{
		{"customers pdf on FREE", free, []string{"report", "customers", "--pdf", pdf}, 3, "PROFESSIONAL"},
		{"resources xlsx on FREE", free, []string{"report", "resources", "--xlsx", xlsx}, 3, "PROFESSIONAL"},
		{"compare pdf on FREE", free, []string{"report", "revenue", "--compare", "previous", "--pdf", pdf}, 3, "PROFESSIONAL"},
		{"resources take no --compare", pro, []string{"report", "resources", "--compare", "previous", "--pdf", pdf}, 2, "--compare"},
		{"customers take no --compare", pro, []string{"report", "customers", "--compare", "previous"}, 2, "--compare"},
		{"resources take no --chart", pro, []string{"report", "resources", "--chart", filepath.Join(dir, "c.png")}, 2, "--chart"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"--home", c.home}, c.args...)...)
			if code != c.code || !strings.Contains(stderr, c.msg) {
				t.Fatalf("exit %d, want %d; stderr %q lacks %q", code, c.code, stderr, c.msg)
			}
		})
	}
}

// The real renderers: the customers PDF reads back (pdftotext) with the JSON's numbers, the
// staff workbook (excelize) with the JSON's rows.
func TestReportInsightDocumentsRendered(t *testing.T) {
	pro := proHome(t)
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "--home", pro, "report", "customers", "--json")
	if code != 0 {
		t.Fatalf("customers --json: exit %d: %s", code, stderr)
	}
	var c reports.CustomerInsights
	if err := json.Unmarshal([]byte(stdout), &c); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(dir, "customers.pdf")
	if code, _, stderr := runCLI(t, "--home", pro, "report", "customers", "--pdf", pdf); code != 0 {
		t.Fatalf("customers --pdf: exit %d: %s", code, stderr)
	}
	if tool, err := exec.LookPath("pdftotext"); err == nil {
		out, err := exec.Command(tool, "-raw", pdf, "-").CombinedOutput()
		if err != nil {
			t.Fatalf("pdftotext: %v: %s", err, out)
		}
		text := strings.Join(strings.Fields(string(out)), " ")
		for _, want := range []string{"New customers " + data.Thousands(c.NewCustomers), "Visiting customers " + data.Thousands(c.VisitingCustomers),
			"Lapsed customers " + data.Thousands(int64(len(c.LapsedCustomers)))} {
			if !strings.Contains(text, want) {
				t.Errorf("the customers PDF lacks %q", want)
			}
		}
		for _, tc := range c.TopCustomers {
			if !strings.Contains(text, tc.Name) || !strings.Contains(text, reports.FormatMoney(tc.RevenueCents, c.Currency)) {
				t.Errorf("the customers PDF lacks top customer %+v", tc)
			}
		}
	}

	code, stdout, stderr = runCLI(t, "--home", pro, "report", "resources", "--json")
	if code != 0 {
		t.Fatalf("resources --json: exit %d: %s", code, stderr)
	}
	var r reports.StaffReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || len(r.Resources) == 0 {
		t.Fatalf("resources: %v %s", err, stdout)
	}
	xlsx := filepath.Join(dir, "staff.xlsx")
	if code, _, stderr := runCLI(t, "--home", pro, "report", "resources", "--xlsx", xlsx); code != 0 {
		t.Fatalf("resources --xlsx: exit %d: %s", code, stderr)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Staff", excelize.Options{RawCellValue: true})
	if err != nil || len(rows) != len(r.Resources)+1 {
		t.Fatalf("Staff sheet: %d rows (%v), want %d", len(rows), err, len(r.Resources)+1)
	}
	for i, x := range r.Resources {
		if rows[i+1][1] != x.Name || rows[i+1][2] != data.Thousands(x.Appointments) && rows[i+1][2] != jsonInt(x.Appointments) {
			t.Errorf("Staff row %d %q, want %s with %d appointments", i+2, rows[i+1], x.Name, x.Appointments)
		}
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }
