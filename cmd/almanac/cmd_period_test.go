package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
)

// TestReportAndExportPeriodFlag: --period resolves calendar periods in the tenant's zone,
// refuses one before the window naming the plan (exit 3) and bad or combined values (exit 2).
func TestReportAndExportPeriodFlag(t *testing.T) {
	free, pro := demoHome(t), proHome(t)
	cases := []struct {
		name string
		home string
		args []string
		code int
		msg  string // in stderr
	}{
		{"this month", pro, []string{"report", "appointments", "--period", "this-month"}, 0, ""},
		{"last week revenue", pro, []string{"report", "revenue", "--period", "last-week"}, 0, ""},
		{"last quarter past the window", pro, []string{"report", "appointments", "--period", "last-quarter"}, 3, "ENTERPRISE"},
		{"last-Nd clamped as --days", pro, []string{"report", "appointments", "--period", "last-400d"}, 0, "using 90 days"},
		{"unknown period", pro, []string{"report", "appointments", "--period", "this-decade"}, 2, "--period this-decade is not a period"},
		{"period and days", pro, []string{"report", "appointments", "--period", "today", "--days", "3"}, 2, "--period today cannot be given with --days, --from or --to"},
		{"period and from", pro, []string{"report", "revenue", "--period", "today", "--from", daysAgo(3)}, 2, "--period"},
		{"dashboard with period", pro, []string{"report", "dashboard", "--period", "today"}, 2, "--period"},
		{"export today", free, []string{"export", "appointments", "--format", "csv", "--period", "today", "--out", t.TempDir()}, 0, ""},
		{"export last month on FREE", free, []string{"export", "appointments", "--format", "csv", "--period", "last-month", "--out", t.TempDir()}, 3, "Upgrade to"},
		{"export period and to", free, []string{"export", "appointments", "--format", "csv", "--period", "today", "--to", daysAgo(0), "--out", t.TempDir()}, 2, "--period"},
		{"export bad period", free, []string{"export", "payments", "--format", "csv", "--period", "last-0d", "--out", t.TempDir()}, 2, "--period last-0d"},
		{"export undated dataset", free, []string{"export", "services", "--format", "csv", "--period", "today", "--out", t.TempDir()}, 2, "--period"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"--home", c.home}, c.args...)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, c.code, stderr)
			}
			if !strings.Contains(stderr, c.msg) {
				t.Errorf("stderr %q lacks %q", stderr, c.msg)
			}
			if c.code != 0 && strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("error is not one line: %q", stderr)
			}
		})
	}
}

// TestReportPeriodThisMonthJSON: --period this-month covers the 1st of the tenant's month
// through today.
func TestReportPeriodThisMonthJSON(t *testing.T) {
	home := proHome(t)
	code, out, stderr := runCLI(t, "--home", home, "report", "appointments", "--period", "this-month", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var a struct {
		Daily []struct {
			Date string `json:"date"`
		} `json:"daily_breakdown"`
		PeriodDays int `json:"period_days"`
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	now := time.Now().In(mustZone("America/New_York"))
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location()).Format(data.DateLayout)
	if len(a.Daily) != now.Day() || a.Daily[0].Date != first || a.Daily[len(a.Daily)-1].Date != now.Format(data.DateLayout) || a.PeriodDays != now.Day() {
		t.Errorf("got %+v, want %s to %s (%d days)", a, first, now.Format(data.DateLayout), now.Day())
	}
}
