package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the almanac command line in-process and returns exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func demoHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	if code, _, stderr := runCLI(t, "--home", home, "demo", "--appointments", "2000", "--seed", "3", "--today", "2026-11-23"); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	return home
}

func TestExitCodes(t *testing.T) {
	home := demoHome(t)
	empty := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
		msg  string // in stderr
	}{
		{"version", []string{"--home", home, "version"}, 0, ""},
		{"check", []string{"--home", home, "check"}, 0, ""},
		{"help", []string{"help"}, 0, ""},
		{"command help", []string{"--home", home, "demo", "-h"}, 0, ""},
		{"unknown command", []string{"--home", home, "frobnicate"}, 2, "unknown command"},
		{"unknown global flag", []string{"--verbose", "tenant"}, 2, "--home"},
		{"home without value", []string{"--home"}, 2, "--home needs a directory"},
		{"unknown flag", []string{"--home", home, "tenant", "--yaml"}, 2, "-yaml"},
		{"bad number", []string{"--home", home, "demo", "--appointments", "many"}, 2, "appointments"},
		{"zero appointments", []string{"--home", home, "demo", "--appointments", "0"}, 2, "--appointments"},
		{"bad date", []string{"--home", home, "demo", "--today", "2026-02-30"}, 2, "--today"},
		{"bad zone", []string{"--home", home, "demo", "--timezone", "Mars/Base"}, 2, "--timezone"},
		{"extra argument", []string{"--home", home, "tenant", "extra"}, 2, "unexpected argument"},
		{"no tenant", []string{"--home", empty, "tenant"}, 1, "almanac demo"},
		{"license on empty home", []string{"--home", empty, "license", "show"}, 1, "almanac demo"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, c.code, stderr)
			}
			if !strings.Contains(stderr, c.msg) {
				t.Fatalf("stderr %q does not mention %q", stderr, c.msg)
			}
			if c.code != 0 && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("error is not one line: %q", stderr)
			}
		})
	}
}

func TestTenantJSON(t *testing.T) {
	home := demoHome(t)
	code, out, stderr := runCLI(t, "--home", home, "tenant", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "name", "timezone", "currency", "can_accept_payments", "last_sync_at", "db_path", "counts"} {
		if _, ok := got[k]; !ok {
			t.Errorf("missing key %q in %s", k, out)
		}
	}
	counts := got["counts"].(map[string]any)
	if counts["appointments"].(float64) != 2000 || counts["resources"].(float64) != 12 {
		t.Errorf("counts %v", counts)
	}
	if got["db_path"] != filepath.Join(home, "tenants", "demo.db") || got["last_sync_at"] != nil {
		t.Errorf("db_path %v, last_sync_at %v", got["db_path"], got["last_sync_at"])
	}
	if len(got) != 8 {
		t.Errorf("tenant --json has %d keys, want exactly 8: %s", len(got), out)
	}
}

func TestHomeFromEnvironment(t *testing.T) {
	home := demoHome(t)
	t.Setenv("ALMANAC_HOME", home)
	code, out, _ := runCLI(t, "tenant")
	if code != 0 || !strings.Contains(out, filepath.Join(home, "tenants", "demo.db")) {
		t.Fatalf("ALMANAC_HOME not used: exit %d, %s", code, out)
	}
	other := t.TempDir()
	if code, _, _ := runCLI(t, "--home", other, "tenant"); code != 1 {
		t.Fatalf("--home did not win over ALMANAC_HOME: exit %d", code)
	}
	if code, _, _ := runCLI(t, "--home="+home, "tenant"); code != 0 {
		t.Fatalf("--home=DIR form: exit %d", code)
	}
}

func TestDemoReplacesAtomically(t *testing.T) {
	home := demoHome(t)
	runCLI(t, "--home", home, "demo", "--appointments", "500", "--seed", "9", "--today", "2026-11-23")
	code, out, _ := runCLI(t, "--home", home, "tenant", "--json")
	if code != 0 || !strings.Contains(out, `"appointments": 500`) {
		t.Fatalf("rebuilt demo: %s", out)
	}
	left, _ := filepath.Glob(filepath.Join(home, "tenants", "*"))
	for _, f := range left {
		if strings.Contains(f, "building") {
			t.Errorf("leftover %s", f)
		}
	}
	if _, err := os.Stat(filepath.Join(home, "active")); err != nil {
		t.Error(err)
	}
}
