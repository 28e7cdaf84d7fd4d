package main

import (
	"archive/zip"
	"encoding/json"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
)

// TestReportCompare: --compare previous of last week is the week before it, its values are
// the report's own numbers over those dates, and the changes follow from them.
func TestReportCompare(t *testing.T) {
	home := proHome(t)
	code, out, stderr := runCLI(t, "--home", home, "report", "appointments", "--period", "last-week", "--compare", "previous", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Total      int64 `json:"total"`
		Comparison struct {
			Period struct {
				Mode      string `json:"mode"`
				StartDate string `json:"start_date"`
				EndDate   string `json:"end_date"`
				Days      int    `json:"days"`
			} `json:"period"`
			Values  map[string]float64  `json:"values"`
			Changes map[string]*float64 `json:"changes"`
		} `json:"comparison"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	today := time.Now().In(mustZone("America/New_York"))
	monday := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, today.Location()).AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	from, to := monday.AddDate(0, 0, -14).Format(data.DateLayout), monday.AddDate(0, 0, -8).Format(data.DateLayout)
	p := got.Comparison.Period
	if p.Mode != "previous" || p.StartDate != from || p.EndDate != to || p.Days != 7 {
		t.Fatalf("compared with %+v, want previous %s to %s (7 days)", p, from, to)
	}
	code, out, stderr = runCLI(t, "--home", home, "report", "appointments", "--from", from, "--to", to, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var direct struct {
		Total      int64   `json:"total"`
		Cancelled  float64 `json:"cancellation_rate_percent"`
		NoShowRate float64 `json:"no_show_rate_percent"`
	}
	if err := json.Unmarshal([]byte(out), &direct); err != nil {
		t.Fatal(err)
	}
	v := got.Comparison.Values
	if v["total"] != float64(direct.Total) || v["cancellation_rate_percent"] != direct.Cancelled || v["no_show_rate_percent"] != direct.NoShowRate {
		t.Fatalf("values %v, want the report over %s to %s: %+v", v, from, to, direct)
	}
	if direct.Total > 0 {
		want := float64(got.Total-direct.Total) / float64(direct.Total) * 100
		if ch := got.Comparison.Changes["total"]; ch == nil || *ch < want-0.006 || *ch > want+0.006 {
			t.Fatalf("change of total %v, want %.2f", ch, want)
		}
	}
}

func TestReportCompareRefusals(t *testing.T) {
	free, pro := demoHome(t), proHome(t)
	cases := []struct {
		name string
		home string
		args []string
		code int
		msg  string
	}{
		{"bad mode", pro, []string{"report", "appointments", "--compare", "yesterday"}, 2, "--compare yesterday is not a comparison"},
		{"dashboard on FREE", free, []string{"report", "dashboard", "--compare", "previous"}, 3, "PROFESSIONAL"},
		{"dashboard last year past PROFESSIONAL's window", pro, []string{"report", "dashboard", "--compare", "last-year"}, 3, "days ago"},
		{"dashboard bad mode", pro, []string{"report", "dashboard", "--compare", "month"}, 2, "--compare month is not a comparison"},
		{"last year past PROFESSIONAL's window", pro, []string{"report", "revenue", "--compare", "last-year"}, 3, "choose a later date"},
		{"previous past the window", pro, []string{"report", "appointments", "--days", "90", "--compare", "previous"}, 3, "ENTERPRISE"},
		{"FREE", free, []string{"report", "revenue", "--compare", "previous"}, 3, "PROFESSIONAL"},
		{"text", pro, []string{"report", "revenue", "--period", "last-7d", "--compare", "previous"}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, append([]string{"--home", c.home}, c.args...)...)
			if code != c.code || !strings.Contains(stderr, c.msg) {
				t.Fatalf("exit %d, want %d; stderr %q lacks %q", code, c.code, stderr, c.msg)
			}
			if c.code == 0 && !strings.Contains(out, "Compared with") {
				t.Errorf("no comparison in %q", out)
			}
		})
	}
}

// TestReportDashboardCompare: --compare previous on the dashboard compares this month with last
// month, and its value is what a direct appointments report over last month counts.
func TestReportDashboardCompare(t *testing.T) {
	home := proHome(t)
	chart := filepath.Join(t.TempDir(), "dash.png")
	code, out, stderr := runCLI(t, "--home", home, "report", "dashboard", "--compare", "previous", "--json", "--chart", chart)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Month      int64 `json:"total_appointments_this_month"`
		Comparison struct {
			Period struct {
				Mode      string `json:"mode"`
				StartDate string `json:"start_date"`
				EndDate   string `json:"end_date"`
			} `json:"period"`
			Values      map[string]float64  `json:"values"`
			Changes     map[string]*float64 `json:"changes"`
			NotCompared []string            `json:"not_compared"`
		} `json:"comparison"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	today := time.Now().In(mustZone("America/New_York"))
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, today.Location())
	from, to := first.AddDate(0, -1, 0).Format(data.DateLayout), first.AddDate(0, 0, -1).Format(data.DateLayout)
	p := got.Comparison.Period
	if p.Mode != "previous" || p.StartDate != from || p.EndDate != to {
		t.Fatalf("compared with %+v, want last month %s to %s", p, from, to)
	}
	code, out, stderr = runCLI(t, "--home", home, "report", "appointments", "--from", from, "--to", to, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var direct struct {
		Total int64 `json:"total"`
	}
	if err := json.Unmarshal([]byte(out), &direct); err != nil {
		t.Fatal(err)
	}
	if v := got.Comparison.Values["total_appointments_this_month"]; v != float64(direct.Total) || direct.Total == 0 {
		t.Fatalf("last month's value %v, want the direct report's %d (and some appointments)", v, direct.Total)
	}
	want := float64(got.Month-direct.Total) / float64(direct.Total) * 100
	if ch := got.Comparison.Changes["total_appointments_this_month"]; ch == nil || *ch < want-0.006 || *ch > want+0.006 {
		t.Fatalf("change %v, want %.2f", ch, want)
	}
	if len(got.Comparison.NotCompared) == 0 {
		t.Errorf("the numbers left out of the comparison are not listed")
	}
	if b, err := os.ReadFile(chart); err != nil || len(b) < 8 || string(b[1:4]) != "PNG" {
		t.Errorf("no compared chart written: %v", err)
	}
	code, out, _ = runCLI(t, "--home", home, "report", "dashboard", "--compare", "previous")
	if code != 0 || !strings.Contains(out, "Compared with") || !strings.Contains(out, "total_appointments_this_month") {
		t.Errorf("text: exit %d\n%s", code, out)
	}
}

// TestReportCompareDocuments: with --compare, the workbook's daily chart has the comparison as
// a second, dashed series over the Compared by day table, and the PDF is written; a comparison
// past the window refuses the documents (exit 3).
func TestReportCompareDocuments(t *testing.T) {
	home := proHome(t)
	dir := t.TempDir()
	xlsx, pdf := filepath.Join(dir, "r.xlsx"), filepath.Join(dir, "r.pdf")
	code, _, stderr := runCLI(t, "--home", home, "report", "revenue", "--period", "last-month", "--compare", "previous", "--xlsx", xlsx, "--pdf", pdf)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	zr, err := zip.OpenReader(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var chart string
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/charts/chart") {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			chart = html.UnescapeString(string(b))
		}
	}
	sers := regexp.MustCompile(`(?s)<ser>.*?</ser>`).FindAllString(chart, -1)
	if len(sers) != 2 || !strings.Contains(sers[1], `<a:prstDash val="dash"`) || !strings.Contains(sers[1], "'Compared by day'!") {
		t.Fatalf("the workbook's chart has %d series, want the period's and a dashed comparison:\n%s", len(sers), chart)
	}
	if st, err := os.Stat(pdf); err != nil || st.Size() == 0 {
		t.Fatalf("no PDF: %v", err)
	}
	code, _, stderr = runCLI(t, "--home", home, "report", "revenue", "--compare", "last-year", "--xlsx", filepath.Join(dir, "old.xlsx"))
	if code != 3 {
		t.Fatalf("last year past PROFESSIONAL's window: exit %d, want 3: %s", code, stderr)
	}
}
