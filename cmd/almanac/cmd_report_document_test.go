package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// savedDoc is what the fake saveDocument writes: the request, the format and the document the
// reports service computed for it.
type savedDoc struct {
	Format    reports.DocFormat
	Overwrite bool
	Request   reports.DocumentRequest
	Document  reports.Document
}

// fakeSave replaces the renderers' part of saving: the document is computed by the real
// reports service, then written as JSON, so a test compares it with --json.
func fakeSave(t *testing.T) {
	t.Helper()
	old := saveDocument
	t.Cleanup(func() { saveDocument = old })
	saveDocument = func(svc *reports.Service, ctx context.Context, ents license.Entitlements, req reports.DocumentRequest, f reports.DocFormat, path string, overwrite bool) (string, error) {
		if err := reports.CheckDocument(ents, req.Report, f); err != nil {
			return "", err
		}
		doc, err := svc.Document(ctx, ents, req)
		if err != nil {
			return "", err
		}
		b, err := json.Marshal(savedDoc{f, overwrite, req, doc})
		if err != nil {
			return "", err
		}
		return path, os.WriteFile(path, b, 0o644)
	}
}

func readSaved(t *testing.T, path string) savedDoc {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d savedDoc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return d
}

func TestReportDocumentsGatesAndUsage(t *testing.T) {
	fakeSave(t)
	free, pro := demoHome(t), proHome(t)
	dir := t.TempDir()
	taken := filepath.Join(dir, "taken.pdf")
	if err := os.WriteFile(taken, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	pdf, xlsx := filepath.Join(dir, "r.pdf"), filepath.Join(dir, "r.xlsx")
	cases := []struct {
		name string
		home string
		args []string
		code int
		msg  string
	}{
		{"pdf on FREE", free, []string{"report", "dashboard", "--pdf", pdf}, 3, "STARTER"},
		{"xlsx on FREE", free, []string{"report", "dashboard", "--xlsx", xlsx}, 3, "PROFESSIONAL"},
		{"revenue pdf on FREE names the report's plan", free, []string{"report", "revenue", "--pdf", pdf}, 3, "PROFESSIONAL"},
		{"bad paper", pro, []string{"report", "dashboard", "--pdf", pdf, "--paper", "legal"}, 2, "--paper legal is not a paper size: use a4 or letter"},
		{"paper without pdf", pro, []string{"report", "dashboard", "--paper", "a4"}, 2, "--paper"},
		{"overwrite without a file", pro, []string{"report", "dashboard", "--overwrite"}, 2, "--overwrite"},
		{"pdf not .pdf", pro, []string{"report", "dashboard", "--pdf", xlsx}, 2, "--pdf"},
		{"xlsx not .xlsx", pro, []string{"report", "appointments", "--xlsx", pdf}, 2, "--xlsx"},
		{"bad filter still usage", pro, []string{"report", "appointments", "--status", "done", "--pdf", pdf}, 2, "--status"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"--home", c.home}, c.args...)...)
			if code != c.code || !strings.Contains(stderr, c.msg) {
				t.Fatalf("exit %d, want %d; stderr %q lacks %q", code, c.code, stderr, c.msg)
			}
			if _, err := os.Stat(pdf); err == nil {
				t.Errorf("a refused command wrote %s", pdf)
			}
		})
	}
}

// The real save refuses a taken name (exit 1, naming --overwrite) and a missing folder before
// anything is rendered.
func TestReportDocumentTakenAndFolder(t *testing.T) {
	pro := proHome(t)
	dir := t.TempDir()
	taken := filepath.Join(dir, "taken.xlsx")
	if err := os.WriteFile(taken, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "--home", pro, "report", "dashboard", "--xlsx", taken)
	if code != 1 || !strings.Contains(stderr, "--xlsx") || !strings.Contains(stderr, "pass --overwrite") {
		t.Errorf("taken: exit %d, stderr %q", code, stderr)
	}
	if b, _ := os.ReadFile(taken); string(b) != "old" {
		t.Errorf("the taken file changed: %q", b)
	}
	code, _, stderr = runCLI(t, "--home", pro, "report", "dashboard", "--pdf", filepath.Join(dir, "nope", "d.pdf"))
	if code != 1 || !strings.Contains(stderr, "--pdf") || !strings.Contains(stderr, "does not exist") {
		t.Errorf("missing folder: exit %d, stderr %q", code, stderr)
	}
}

// Each document holds the report --json prints for the same flags, and the request the flags
// asked for; the paths are printed instead of the text, or on stderr beside --json.
func TestReportDocumentsMatchJSON(t *testing.T) {
	fakeSave(t)
	pro := proHome(t)
	dir := t.TempDir()
	for _, c := range []struct {
		kind  string
		flags []string
		field func(reports.Document) any
	}{
		{"dashboard", nil, func(d reports.Document) any { return d.Dashboard }},
		{"appointments", []string{"--days", "60", "--status", "completed"}, func(d reports.Document) any { return d.Appointments }},
		{"revenue", []string{"--from", daysAgo(20), "--service", "0"}, func(d reports.Document) any { return d.Revenue }},
	} {
		t.Run(c.kind, func(t *testing.T) {
			pdf, xlsx := filepath.Join(dir, c.kind+".pdf"), filepath.Join(dir, c.kind+".xlsx")
			base := append([]string{"--home", pro, "report", c.kind}, c.flags...)
			code, wantJSON, stderr := runCLI(t, append(base, "--json")...)
			if code != 0 {
				t.Fatalf("--json: exit %d: %s", code, stderr)
			}
			code, stdout, stderr := runCLI(t, append(base, "--pdf", pdf, "--xlsx", xlsx, "--paper", "A4")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if stdout != pdf+"\n"+xlsx+"\n" {
				t.Errorf("stdout %q, want the two paths instead of the text report", stdout)
			}
			for _, p := range []string{pdf, xlsx} {
				d := readSaved(t, p)
				got, _ := json.MarshalIndent(c.field(d.Document), "", "  ")
				if strings.TrimSpace(string(got)) != strings.TrimSpace(wantJSON) {
					t.Errorf("%s holds\n%s\nwant --json's\n%s", p, got, wantJSON)
				}
				if string(d.Format) != strings.TrimPrefix(filepath.Ext(p), ".") || d.Request.Paper != reports.PaperA4 ||
					d.Request.Report != reports.Report(c.kind) || d.Request.Version != Version || d.Overwrite {
					t.Errorf("%s: request %+v format %s", p, d.Request, d.Format)
				}
				if d.Document.Plan != "PROFESSIONAL" || d.Document.DataAsOf != "Demo data" {
					t.Errorf("%s: provenance %+v", p, d.Document.Provenance)
				}
			}
			// Beside --json: the JSON on stdout, the path on stderr; --overwrite is passed on.
			code, stdout, stderr = runCLI(t, append(base, "--json", "--pdf", pdf, "--overwrite")...)
			if code != 0 || strings.TrimSpace(stdout) != strings.TrimSpace(wantJSON) || !strings.Contains(stderr, "wrote "+pdf) {
				t.Errorf("beside --json: exit %d stdout %q stderr %q", code, stdout, stderr)
			}
			if !readSaved(t, pdf).Overwrite {
				t.Error("--overwrite was not passed on")
			}
		})
	}
}

func TestReportHelpNamesDocuments(t *testing.T) {
	code, stdout, _ := runCLI(t, "report", "-h")
	for _, w := range []string{"--pdf FILE.pdf", "--xlsx FILE.xlsx", "--paper a4|letter", "--overwrite", "PROFESSIONAL", "docs/reports.md"} {
		if code != 0 || !strings.Contains(stdout, w) {
			t.Errorf("help (exit %d) lacks %q", code, w)
		}
	}
}
