package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

func TestJobsAddRefusesBadValues(t *testing.T) {
	home := demoHome(t)
	dir := t.TempDir()
	base := []string{"--home", home, "jobs", "add", "--folder", dir}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--export", "appointments", "--format", "csv"}, 2, "give one schedule"},
		{[]string{"--export", "appointments", "--format", "csv", "--daily", "25:00"}, 2, "--daily"},
		{[]string{"--export", "appointments", "--format", "csv", "--weekly", "funday", "07:00"}, 2, "names no weekday"},
		{[]string{"--export", "appointments", "--format", "csv", "--monthly", "32", "07:00"}, 2, "--monthly"},
		{[]string{"--export", "appointments", "--format", "csv", "--daily", "07:00", "--weekly", "mon", "07:00"}, 2, "give one schedule"},
		{[]string{"--export", "nope", "--format", "csv", "--daily", "07:00"}, 2, "dataset nope is not a dataset"},
		{[]string{"--export", "appointments", "--daily", "07:00"}, 2, "--format"},
		{[]string{"--export", "appointments", "--format", "pdf", "--daily", "07:00"}, 2, "--format"},
		{[]string{"--report", "dashboard", "--daily", "07:00"}, 2, "--pdf or --xlsx"},
		{[]string{"--report", "weather", "--pdf", "--daily", "07:00"}, 2, "--report weather"},
		{[]string{"--report", "dashboard", "--pdf", "--period", "last-week", "--daily", "07:00"}, 2, "--period"},
		{[]string{"--export", "appointments", "--format", "csv", "--period", "fortnight", "--daily", "07:00"}, 2, "--period"},
		{[]string{"--export", "appointments", "--format", "csv", "--daily", "07:00", "--name", "../up"}, 2, "--name"},
		{[]string{"--export", "appointments", "--format", "xlsx", "--excel", "--daily", "07:00"}, 2, "--excel"},
		{[]string{"--export", "appointments", "--format", "csv", "--daily", "07:00", "--tenant", "nobody"}, 2, "--tenant nobody"},
		{[]string{"--export", "customers", "--format", "csv", "--period", "last-week", "--daily", "07:00"}, 2, "has no date filter"},
		{[]string{"--export", "appointments", "--format", "csv", "--status", "asleep", "--daily", "07:00"}, 2, "--status asleep"},
		{[]string{"--export", "customers", "--format", "csv", "--resource", "3", "--daily", "07:00"}, 2, "--resource 3 is not a filter"},
		{[]string{"--report", "dashboard", "--pdf", "--status", "completed", "--daily", "07:00"}, 2, "--status completed is not a filter of the dashboard"},
		{[]string{"--report", "revenue", "--pdf", "--resource", "2", "--daily", "07:00"}, 2, "--resource 2 is not a filter of the revenue"},
		{[]string{"--report", "appointments", "--pdf", "--lapsed-days", "30", "--daily", "07:00"}, 2, "--lapsed-days 30"},
		// The demo home has no license: FREE has no Excel export, nor lapsed customers.
		{[]string{"--export", "lapsed_customers", "--format", "csv", "--daily", "07:00"}, 3, "PROFESSIONAL"},
		{[]string{"--export", "appointments", "--format", "xlsx", "--daily", "07:00"}, 3, "PROFESSIONAL"},
	} {
		code, _, stderr := runCLI(t, append(base, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.msg) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q on one line", c.args, code, stderr, c.code, c.msg)
		}
	}
	code, _, stderr := runCLI(t, append(base[:len(base)-2], "--export", "customers", "--format", "csv", "--daily", "07:00")...)
	if code != 2 || !strings.Contains(stderr, "--folder") {
		t.Errorf("no folder: exit %d %q", code, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(home, "jobs", "jobs.json")); err == nil {
		t.Errorf("a refused add saved a job:\n%s", b)
	}
}

func TestJobsAddListRunRemove(t *testing.T) {
	home := demoHome(t)
	activatePlan(t, home, license.Professional) // Scheduled jobs
	dir := t.TempDir()
	code, out, stderr := runCLI(t, "--home", home, "jobs", "add", "--export", "customers", "--format", "csv", "--monthly", "31", "06:00", "--folder", dir, "--name", "customers")
	if code != 0 || !strings.HasPrefix(out, "added job 1:") {
		t.Fatalf("add: exit %d %q %q", code, out, stderr)
	}
	code, out, _ = runCLI(t, "--home", home, "jobs", "list", "--json")
	var list []struct {
		ID   string `json:"id"`
		Next string `json:"next"`
	}
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 1 || list[0].Next == "" {
		t.Fatalf("list --json: exit %d %v %q", code, err, out)
	}
	for range 2 { // a fixed name is replaced at each run
		code, out, stderr = runCLI(t, "--home", home, "jobs", "run", "1")
		if code != 0 || !strings.HasPrefix(out, "job 1: ok: "+filepath.Join(dir, "customers.csv")) {
			t.Fatalf("run: exit %d %q %q", code, out, stderr)
		}
	}
	if files, _ := os.ReadDir(dir); len(files) != 1 {
		t.Errorf("%d files after two runs of a fixed name, want 1", len(files))
	}
	if code, _, stderr = runCLI(t, "--home", home, "jobs", "run", "7"); code != 2 || !strings.Contains(stderr, "job 7 is not a job") {
		t.Errorf("run 7: exit %d %q", code, stderr)
	}
	if code, _, stderr = runCLI(t, "--home", home, "jobs", "run"); code != 2 {
		t.Errorf("run with nothing: exit %d %q", code, stderr)
	}
	if code, _, _ = runCLI(t, "--home", home, "jobs", "remove", "1"); code != 0 {
		t.Errorf("remove: exit %d", code)
	}
	if code, out, _ = runCLI(t, "--home", home, "jobs", "list"); code != 0 || !strings.Contains(out, "No scheduled jobs") {
		t.Errorf("list after remove: %d %q", code, out)
	}
}

// The global --tenant acts on a named business whatever <home>/active names.
func TestGlobalTenantFlag(t *testing.T) {
	home := demoHome(t)
	if err := os.WriteFile(filepath.Join(home, "active"), []byte("elsewhere\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := runCLI(t, "--home", home, "tenant", "--json"); code == 0 {
		t.Fatal("tenant without --tenant found a tenant: the test does not test the flag")
	}
	for _, args := range [][]string{
		{"--home", home, "--tenant", "demo", "tenant", "--json"},
		{"--tenant=demo", "--home", home, "check"},
		{"--home", home, "--tenant", "demo", "report", "dashboard", "--json"},
		{"--home", home, "--tenant", "demo", "export", "customers", "--format", "csv", "--out", t.TempDir()},
	} {
		if code, out, stderr := runCLI(t, args...); code != 0 || out == "" {
			t.Errorf("%v: exit %d %q", args, code, stderr)
		}
	}
	code, out, _ := runCLI(t, "--home", home, "--tenant", "demo", "tenant", "--json")
	if code != 0 || !strings.Contains(out, `"id": "demo"`) {
		t.Errorf("tenant --json under --tenant demo: %q", out)
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--home", home, "--tenant", "nobody", "check"}, "--tenant nobody is not a tenant of home"},
		{[]string{"--home", home, "--tenant", "../x", "check"}, "is not a tenant id"},
		{[]string{"--home", home, "--tenant"}, "--tenant needs a tenant id"},
		{[]string{"--home", home, "--tenant", "demo"}, "--tenant applies to the commands"},
		{[]string{"--home", home, "--colour", "red", "check"}, "--home DIR and --tenant ID"},
	} {
		if code, _, stderr := runCLI(t, c.args...); code != 2 || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d %q, want 2 and %q", c.args, code, stderr, c.msg)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(home, "active")); string(b) != "elsewhere\n" {
		t.Errorf("--tenant changed <home>/active to %q", b)
	}
}

// A sync-first job of a synced tenant pulls from its saved server before writing, while
// another tenant is active, and leaves the active one alone.
func TestJobsSyncFirst(t *testing.T) {
	srv, url := syncServer(t)
	home := demoHome(t)
	if code, _, stderr := runCLI(t, "--home", home, "sync", "--server", url, "--token", "s3cret", "--add"); code != 0 {
		t.Fatalf("sync: %d %s", code, stderr)
	}
	activatePlanFor(t, home, "maple", license.Professional) // Scheduled jobs
	if code, _, stderr := runCLI(t, "--home", home, "tenant", "use", "demo"); code != 0 {
		t.Fatalf("tenant use: %d %s", code, stderr)
	}
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "--home", home, "--tenant", "maple", "jobs", "add", "--export", "customers", "--format", "csv",
		"--daily", "06:00", "--sync", "--folder", dir, "--name", "customers"); code != 0 {
		t.Fatalf("add: %d %s", code, stderr)
	}
	srv.Mutate(100, 3)
	code, out, stderr := runCLI(t, "--home", home, "jobs", "run", "1")
	if code != 0 || !strings.Contains(out, "job 1: ok:") {
		t.Fatalf("run: %d %q %q", code, out, stderr)
	}
	_, tj, _ := runCLI(t, "--home", home, "--tenant", "maple", "tenant", "--json")
	var got tenantJSON
	if err := json.Unmarshal([]byte(tj), &got); err != nil {
		t.Fatal(err)
	}
	if want := srv.Counts(); got.Counts != want {
		t.Errorf("maple after the job's sync %+v, server %+v", got.Counts, want)
	}
	want := " (" + strconvI(got.Counts.Customers) + " rows)"
	if !strings.Contains(out, want) {
		t.Errorf("run line %q lacks %q", out, want)
	}
	if b, _ := os.ReadFile(filepath.Join(home, "active")); strings.TrimSpace(string(b)) != "demo" {
		t.Errorf("active is %q after the job", b)
	}
}

func strconvI(n int64) string { return strconv.FormatInt(n, 10) }

// TestJobRunWords: a failed run is logged in plain words both the command line and the
// Schedules screen show: a job's fields as the dialog names them, never a flag or a bare field.
func TestJobRunWords(t *testing.T) {
	for _, c := range []struct {
		err       error
		want, not string
	}{
		{fmt.Errorf("export customers: %w", &data.InputError{Field: data.FieldOut, Value: "/x/c.csv", Problem: "is in folder /x, which does not exist", Fix: "create it or choose another {out}"}),
			"Export customers: folder /x/c.csv is in folder /x, which does not exist: create it or choose another folder", "--out"},
		{fmt.Errorf("sync maple: %w", data.ErrNeedFullSync), "tick \"Pull everything again (full resync)\" on the Sync screen", "--full'\n"},
		{errors.New("disk full"), "Disk full", ""},
	} {
		got := jobRunWords(c.err)
		if !strings.Contains(got, c.want) || c.not != "" && strings.Contains(got, c.not) {
			t.Errorf("%v: %q, want %q", c.err, got, c.want)
		}
	}
}
