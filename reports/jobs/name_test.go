package jobs

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/reports"
)

var nameCases = []struct {
	in string
	ok bool
}{
	{"", true}, {"{dataset}_{period}_{YYYYMMDD}", true}, {"Weekly report", true}, {"{tenant}-{from}-{to}", true},
	{"sales {YYYY}-{MM}-{DD} {HHMM}.xlsx", true},
	{"../x", false}, {"a/b", false}, {`a\b`, false}, {".hidden", false}, {"{nope}", false}, {"{dataset", false},
	{"x}", false}, {" lead", false}, {"a\x00b", false}, {"a:b", false}, {strings.Repeat("a", 200), false},
}

func TestParseNamePattern(t *testing.T) {
	for _, c := range nameCases {
		_, err := ParseNamePattern(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ParseNamePattern(%q): err %v, want ok %v", c.in, err, c.ok)
		}
	}
}

// FuzzParseNamePattern: an accepted pattern expands to one plain file name in the folder.
func FuzzParseNamePattern(f *testing.F) {
	for _, c := range nameCases {
		f.Add(c.in)
	}
	now := time.Date(2026, 12, 7, 7, 5, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := ParseNamePattern(s); err != nil {
			return
		}
		j := Job{Kind: KindExport, Dataset: "appointments", Format: reports.FormatCSV, Period: "last-week", Tenant: "demo", Name: s}
		name := j.FileName(now, time.UTC)
		if filepath.Base(name) != name || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
			t.Fatalf("%q expands to %q", s, name)
		}
	})
}

func TestFileNameInTenantZone(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	// 02:30 UTC on Tuesday Dec 8 is still Monday Dec 7 in New York.
	now := time.Date(2026, 12, 8, 2, 30, 0, 0, time.UTC)
	j := Job{Kind: KindExport, Dataset: "appointments", Format: reports.FormatXLSX, Period: "last-week"}
	if got, want := j.FileName(now, ny), "appointments_last-week_20261207.xlsx"; got != want {
		t.Errorf("default name %q, want %q", got, want)
	}
	j.Name = "{dataset} {from} to {to}"
	if got, want := j.FileName(now, ny), "appointments 2026-11-30 to 2026-12-06.xlsx"; got != want {
		t.Errorf("dates %q, want %q", got, want)
	}
	d := Job{Kind: KindReport, Report: reports.ReportDashboard, DocFormat: reports.DocPDF, Name: "Dashboard.pdf"}
	if got := d.FileName(now, ny); got != "Dashboard.pdf" || !FixedName(d.Name) {
		t.Errorf("fixed name %q (fixed %v)", got, FixedName(d.Name))
	}
	if FixedName(DefaultNamePattern) {
		t.Error("the default pattern is called fixed")
	}
}
