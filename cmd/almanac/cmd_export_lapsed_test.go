package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/license"
)

// TestExportLapsedCustomersFlags: the lapsed_customers export's plan gate (Customer insights,
// PROFESSIONAL: exit 3 naming the plan), its --lapsed-days and the flags it refuses (exit 2,
// one line naming the flag and the fix).
func TestExportLapsedCustomersFlags(t *testing.T) {
	free, pro := demoHome(t), demoHome(t)
	activatePlan(t, pro, license.Professional)
	out := t.TempDir()
	cases := []struct {
		name string
		home string
		args []string
		code int
		msg  []string // each in stderr
	}{
		{"free", free, []string{"lapsed_customers", "--format", "csv"}, 3, []string{"Customer insights", "PROFESSIONAL"}},
		{"csv on pro", pro, []string{"lapsed_customers", "--format", "csv"}, 0, nil},
		{"xlsx with days", pro, []string{"lapsed_customers", "--format", "xlsx", "--lapsed-days", "30"}, 0, nil},
		{"days zero", pro, []string{"lapsed_customers", "--format", "csv", "--lapsed-days", "0"}, 2, []string{"--lapsed-days 0", "from 1 to"}},
		{"days text", pro, []string{"lapsed_customers", "--format", "csv", "--lapsed-days", "lots"}, 2, []string{"--lapsed-days"}},
		{"from", pro, []string{"lapsed_customers", "--format", "csv", "--from", "2026-11-01"}, 2, []string{"no date filter", "--from", "--lapsed-days"}},
		{"period", pro, []string{"lapsed_customers", "--format", "csv", "--period", "this-month"}, 2, []string{"--period"}},
		{"status", pro, []string{"lapsed_customers", "--format", "csv", "--status", "active"}, 2, []string{"--status"}},
		{"days on appointments", pro, []string{"appointments", "--format", "csv", "--lapsed-days", "30"}, 2, []string{"--lapsed-days 30 is not a setting of appointments"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"--home", c.home, "export", "--out", out}, c.args...)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, c.code, stderr)
			}
			for _, m := range c.msg {
				if !strings.Contains(stderr, m) {
					t.Errorf("stderr %q does not mention %q", stderr, m)
				}
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("stderr is not one line: %q", stderr)
			}
			if c.code == 0 {
				if st, err := os.Stat(strings.TrimSpace(stdout)); err != nil || st.Size() == 0 || !strings.Contains(stdout, "lapsed_customers_") {
					t.Errorf("printed path %q: %v", stdout, err)
				}
			}
		})
	}
	// --lapsed-days takes exactly the values report customers takes.
	for _, v := range []string{"1", "90", "36500", "36501", "0", "-3", "1.5", "abc", "+7"} {
		rc, _, _ := runCLI(t, "--home", pro, "report", "customers", "--lapsed-days", v)
		ec, _, _ := runCLI(t, "--home", pro, "export", "lapsed_customers", "--format", "csv", "--out", out, "--lapsed-days", v)
		if rc != ec || (rc != 0 && rc != exitUsage) {
			t.Errorf("--lapsed-days %s: report exits %d, export %d", v, rc, ec)
		}
	}
}

// TestExportLapsedCustomersMatchesReport: on the same store and clock, the export's records are
// the report's lapsed_customers, for the default and for another threshold.
func TestExportLapsedCustomersMatchesReport(t *testing.T) {
	home := demoHome(t)
	activatePlan(t, home, license.Professional)
	now := time.Now()
	run := func(cmd func(*Env, []string) error, args ...string) []byte {
		t.Helper()
		var stdout, stderr bytes.Buffer
		env := &Env{Home: home, Now: func() time.Time { return now }, Stdout: &stdout, Stderr: &stderr, Ctx: context.Background()}
		if err := cmd(env, args); err != nil {
			t.Fatalf("%v: %v (%s)", args, err, stderr.String())
		}
		return stdout.Bytes()
	}
	nonEmpty := 0
	for _, days := range []string{"", "20"} {
		var report struct {
			Lapsed []map[string]any `json:"lapsed_customers"`
		}
		args := []string{"customers", "--json"}
		if days != "" {
			args = append(args, "--lapsed-days", days)
		}
		if err := json.Unmarshal(run(runReport, args...), &report); err != nil {
			t.Fatal(err)
		}
		args = []string{"lapsed_customers", "--format", "json", "--out", t.TempDir()}
		if days != "" {
			args = append(args, "--lapsed-days", days)
		}
		path := strings.TrimSpace(string(run(runExport, args...)))
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			Records []map[string]any `json:"records"`
		}
		if err := json.Unmarshal(b, &file); err != nil {
			t.Fatal(err)
		}
		for _, r := range file.Records {
			delete(r, "currency") // the report gives the currency once, not per row
		}
		if len(file.Records) != len(report.Lapsed) || (len(report.Lapsed) > 0 && !reflect.DeepEqual(file.Records, report.Lapsed)) {
			t.Errorf("--lapsed-days %q: export %d records, report %d, or they differ", days, len(file.Records), len(report.Lapsed))
		}
		if len(report.Lapsed) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty == 0 {
		t.Error("no lapsed customers at all: the comparison proves nothing")
	}
}
