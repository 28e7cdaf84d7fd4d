package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/license"
)

// Issue 10, item 15: refusals name what the user typed and a plan anyone can buy.
func TestReportRefusalsNameWhatWasTyped(t *testing.T) {
	pro := proHome(t)
	future := time.Now().AddDate(0, 0, 10).Format("2006-01-02")
	cases := []struct {
		name    string
		args    []string
		code    int
		want    string
		notWant string
	}{
		{"revenue --service 0 is the No appointment bucket", []string{"report", "revenue", "--service", "0", "--json"}, 0, "", ""},
		{"appointments have no service 0", []string{"report", "appointments", "--service", "0"}, 2, "--service", ""},
		{"negative service", []string{"report", "revenue", "--service", "-1"}, 2, "--service", ""},
		{"future --from alone names --from", []string{"report", "appointments", "--from", future}, 2, "report: --from " + future, "report: --to"},
		{"past every plan names no INTERNAL", []string{"report", "appointments", "--from", daysAgo(800)}, 3, "No plan on sale", "INTERNAL"},
		{"export status grammar", []string{"export", "appointments", "--format", "csv", "--status", "done"}, 2, "not an appointment status", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"--home", pro}, c.args...)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, c.code, stderr)
			}
			if !strings.Contains(stderr, c.want) || c.notWant != "" && strings.Contains(stderr, c.notWant) {
				t.Errorf("stderr %q: want %q, not %q", stderr, c.want, c.notWant)
			}
		})
	}
}

func TestReportRevenueServiceZeroOnlyThatBucket(t *testing.T) {
	pro := proHome(t)
	code, out, stderr := runCLI(t, "--home", pro, "report", "revenue", "--days", "90", "--service", "0", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r struct {
		ByService []struct {
			ServiceID int64 `json:"service_id"`
		} `json:"by_service"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for _, s := range r.ByService {
		if s.ServiceID != 0 {
			t.Errorf("--service 0 lists service %d", s.ServiceID)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	_, want, _ := runCLI(t, "version")
	code, got, stderr := runCLI(t, "--version")
	if code != 0 || got != want || want == "" {
		t.Errorf("--version: exit %d, %q (stderr %q); version prints %q", code, got, stderr, want)
	}
}

// Piped progress is whole lines, no carriage returns; a terminal redraws one line.
func TestProgressPipedAndTerminal(t *testing.T) {
	clock := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	var piped bytes.Buffer
	p := &progressLine{w: &piped, now: now}
	for i := range 10 { // ten updates a second apart: one line at the start, one after pipeEvery
		p.show("customers", "customers "+string(rune('0'+i)), false)
		clock = clock.Add(time.Second)
	}
	p.show("customers", "customers done", true)
	p.show("appointments", "appointments 1", false)
	p.finish()
	lines := strings.Split(strings.TrimSuffix(piped.String(), "\n"), "\n")
	if strings.Contains(piped.String(), "\r") {
		t.Errorf("piped progress has carriage returns: %q", piped.String())
	}
	want := []string{"customers 0", "customers 3", "customers 6", "customers 9", "customers done", "appointments 1"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("piped lines %q, want %q", lines, want)
	}
	var tty bytes.Buffer
	p = &progressLine{w: &tty, tty: true, now: now}
	p.show("customers", "customers 1", false)
	p.finish()
	if tty.String() != "\rcustomers 1\n" {
		t.Errorf("terminal progress %q", tty.String())
	}
	// The demo's progress, piped (tests run with a buffer), is lines without carriage returns.
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"--home", t.TempDir(), "demo", "--appointments", "500"}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errb.String())
	}
	if strings.Contains(errb.String(), "\r") || !strings.Contains(errb.String(), "demo: 500 of 500 appointments\n") {
		t.Errorf("demo stderr piped: %q", errb.String())
	}
}

// Issue 10, item 2: STARTER gets the appointments report its plan promises; the rates
// (advanced analytics) are left out and listed under "locked".
func TestReportAppointmentsOnStarter(t *testing.T) {
	home := demoHome(t)
	activatePlan(t, home, license.Starter)
	code, out, stderr := runCLI(t, "--home", home, "report", "appointments", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"total", "by_status", "by_service", "by_resource", "daily_breakdown", "booking_trend_percent", "period_days"} {
		if _, ok := got[k]; !ok {
			t.Errorf("STARTER report lacks %q", k)
		}
	}
	for _, k := range []string{"cancellation_rate_percent", "no_show_rate_percent"} {
		if _, ok := got[k]; ok {
			t.Errorf("STARTER report shows %q", k)
		}
	}
	var locked []struct {
		Feature string   `json:"feature"`
		Plan    string   `json:"plan"`
		Fields  []string `json:"fields"`
	}
	if err := json.Unmarshal(got["locked"], &locked); err != nil {
		t.Fatalf("locked: %v in %s", err, out)
	}
	if len(locked) != 1 || locked[0].Feature != license.FeatureAdvancedAnalytics || locked[0].Plan != "PROFESSIONAL" ||
		strings.Join(locked[0].Fields, ",") != "cancellation_rate_percent,no_show_rate_percent" {
		t.Errorf("locked = %+v", locked)
	}
	code, text, stderr := runCLI(t, "--home", home, "report", "appointments")
	if code != 0 || strings.Contains(text, "Cancellation rate") || !strings.Contains(text, "PROFESSIONAL") {
		t.Errorf("text report on STARTER: exit %d, stderr %q\n%s", code, stderr, text)
	}
	// PROFESSIONAL gets every field and no "locked".
	pro := proHome(t)
	_, out, _ = runCLI(t, "--home", pro, "report", "appointments", "--json")
	got = nil
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if _, ok := got["locked"]; ok || got["cancellation_rate_percent"] == nil {
		t.Errorf("PROFESSIONAL report: %s", out)
	}
}
