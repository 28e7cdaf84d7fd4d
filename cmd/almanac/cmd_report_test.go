package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
)

// proHome is a demo home with the PROFESSIONAL development license active.
func proHome(t *testing.T) string {
	t.Helper()
	home := demoHome(t)
	lic, err := filepath.Abs(filepath.Join("..", "..", "license", "testdata", "dev-demo-professional.lic"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "--home", home, "license", "activate", lic); code != 0 {
		t.Fatalf("license activate: exit %d: %s", code, stderr)
	}
	return home
}

func TestReportGatesAndUsage(t *testing.T) {
	free, pro := demoHome(t), proHome(t)
	cases := []struct {
		name string
		home string
		args []string
		code int
		msg  string // in stderr
	}{
		{"dashboard on FREE", free, []string{"report", "dashboard"}, 0, ""},
		{"revenue on FREE", free, []string{"report", "revenue"}, 3, "PROFESSIONAL"},
		{"appointments on FREE", free, []string{"report", "appointments", "--days", "7"}, 3, "STARTER"},
		{"chart on FREE", free, []string{"report", "dashboard", "--chart", "x.png"}, 3, "STARTER"},
		{"appointments on PRO", pro, []string{"report", "appointments", "--days", "90"}, 0, ""},
		{"revenue on PRO", pro, []string{"report", "revenue", "--service", "1"}, 0, ""},
		{"days clamped", pro, []string{"report", "appointments", "--days", "400"}, 0, "using 90 days"},
		{"date past the window", pro, []string{"report", "appointments", "--from", daysAgo(200)}, 3, "ENTERPRISE"},
		{"no report named", pro, []string{"report"}, 2, "dashboard, appointments, revenue, resources or customers"},
		{"unknown report", pro, []string{"report", "clients"}, 2, "clients"},
		{"customers on FREE", free, []string{"report", "customers"}, 3, "PROFESSIONAL"},
		{"customers on PRO", pro, []string{"report", "customers", "--days", "30", "--lapsed-days", "60"}, 0, ""},
		{"lapsed days not a number", pro, []string{"report", "customers", "--lapsed-days", "0"}, 2, "--lapsed-days"},
		{"lapsed days elsewhere", pro, []string{"report", "appointments", "--lapsed-days", "30"}, 2, "--lapsed-days"},
		{"customers with a filter", pro, []string{"report", "customers", "--service", "1"}, 2, "filters"},
		{"customers past the window", pro, []string{"report", "customers", "--from", daysAgo(200)}, 3, "ENTERPRISE"},
		{"days zero", pro, []string{"report", "appointments", "--days", "0"}, 2, "--days"},
		{"days not a number", pro, []string{"report", "appointments", "--days", "lots"}, 2, "--days"},
		{"days negative", pro, []string{"report", "revenue", "--days", "-3"}, 2, "--days"},
		{"bad status", pro, []string{"report", "appointments", "--status", "done"}, 2, "--status"},
		{"bad service id", pro, []string{"report", "appointments", "--service", "x"}, 2, "--service"},
		{"unknown service", pro, []string{"report", "appointments", "--service", "999"}, 2, "--service 999"},
		{"unknown resource", pro, []string{"report", "appointments", "--resource", "999"}, 2, "--resource 999"},
		{"both days and dates", pro, []string{"report", "appointments", "--days", "3", "--from", "2026-11-01"}, 2, "--days"},
		{"bad date", pro, []string{"report", "revenue", "--from", "2026-02-30"}, 2, "--from"},
		{"dates swapped", pro, []string{"report", "revenue", "--from", "2026-11-20", "--to", "2026-11-01"}, 2, "--to"},
		{"dashboard with days", pro, []string{"report", "dashboard", "--days", "3"}, 2, "--days"},
		{"revenue with status", pro, []string{"report", "revenue", "--status", "completed"}, 2, "--status"},
		{"chart not png", pro, []string{"report", "revenue", "--chart", "out.jpg"}, 2, "--chart"},
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

// Revenue needs a tenant that accepts payments as well as the plan; the refusal says which.
func TestReportRevenueNeedsPayments(t *testing.T) {
	home := proHome(t)
	ctx := context.Background()
	st, err := store.OpenActive(ctx, data.Home{Dir: home})
	if err != nil {
		t.Fatal(err)
	}
	tn, err := st.Tenant(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tn.CanAcceptPayments = false
	if err := st.Write(ctx, func(tx *sql.Tx) error { return store.PutTenant(ctx, tx, tn) }); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, _, stderr := runCLI(t, "--home", home, "report", "revenue")
	if code != 3 || !strings.Contains(stderr, "accepts payments") || strings.Contains(stderr, "PROFESSIONAL to use") {
		t.Errorf("exit %d, stderr %q; want 3 naming the payments condition only", code, stderr)
	}
	free := demoHome(t)
	if code, _, _ := runCLI(t, "--home", free, "report", "revenue"); code != 3 {
		t.Errorf("FREE revenue: exit %d, want 3", code)
	}
}

func TestReportJSONAndChart(t *testing.T) {
	home := proHome(t)
	chart := filepath.Join(t.TempDir(), "daily.png")
	code, out, stderr := runCLI(t, "--home", home, "report", "appointments", "--days", "30", "--json", "--chart", chart)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var a struct {
		Total          int64            `json:"total"`
		ByStatus       map[string]int64 `json:"by_status"`
		DailyBreakdown []struct {
			Date  string `json:"date"`
			Count int64  `json:"count"`
		} `json:"daily_breakdown"`
		PeriodDays int `json:"period_days"`
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var sum, byStatus int64
	for _, d := range a.DailyBreakdown {
		sum += d.Count
	}
	for _, n := range a.ByStatus {
		byStatus += n
	}
	if a.PeriodDays != 30 || len(a.DailyBreakdown) != 30 || sum != a.Total || byStatus != a.Total || a.Total == 0 {
		t.Errorf("period_days %d, %d days, daily sum %d, status sum %d, total %d", a.PeriodDays, len(a.DailyBreakdown), sum, byStatus, a.Total)
	}
	today := time.Now().In(mustZone("America/New_York")).Format(data.DateLayout)
	if last := a.DailyBreakdown[len(a.DailyBreakdown)-1].Date; last != today {
		t.Errorf("last day %s, want today %s", last, today)
	}
	f, err := os.Open(chart)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("--chart wrote no PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 400 {
		t.Errorf("chart %v, want 800x400", b)
	}
	for _, args := range [][]string{{"report", "dashboard"}, {"report", "revenue", "--days", "7"}} {
		code, out, stderr := runCLI(t, append([]string{"--home", home}, args...)...)
		if code != 0 || !strings.Contains(out, "\n") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, stderr)
		}
	}
}

func daysAgo(n int) string {
	return time.Now().In(mustZone("America/New_York")).AddDate(0, 0, -n).Format(data.DateLayout)
}

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // the zone database ships with Go (time/tzdata fallback) in every test run
	}
	return loc
}

// report customers --json prints every documented field; the text report names each number.
func TestReportCustomersJSONAndText(t *testing.T) {
	home := proHome(t)
	code, stdout, stderr := runCLI(t, "--home", home, "report", "customers", "--days", "30", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(stdout), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"new_customers", "returning_customers", "visiting_customers", "retention_rate_percent",
		"average_visits_per_customer", "top_customers", "lapsed_customers", "lapsed_days", "currency", "period_days"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %s: %s", k, stdout)
		}
	}
	if m["new_customers"].(float64)+m["returning_customers"].(float64) != m["visiting_customers"].(float64) || m["period_days"] != 30.0 {
		t.Errorf("new + returning != visiting, or period: %v", m)
	}
	if top := m["top_customers"].([]any); len(top) == 0 || len(top) > 20 {
		t.Errorf("%d top customers, want 1 to 20", len(top))
	}
	code, stdout, stderr = runCLI(t, "--home", home, "report", "customers")
	if code != 0 {
		t.Fatalf("text: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"New customers", "Returning customers", "Visiting customers", "Retention rate", "Visits per customer", "Top customers", "Lapsed customers (no visit for more than 90 days"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, stdout)
		}
	}
}
