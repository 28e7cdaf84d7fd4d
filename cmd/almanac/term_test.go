package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/demo"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/data/sync/tenantserver"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

var termSafeCases = []struct{ in, want string }{
	{"", ""},
	{"Maple Street Wellness", "Maple Street Wellness"},
	{"Zoë Müller · Café", "Zoë Müller · Café"},
	{"Evil\x1b[2J\x1b[H Spa", `Evil\x1b[2J\x1b[H Spa`},
	{"LIC-1\r\nPlan: ENTERPRISE", `LIC-1\r\nPlan: ENTERPRISE`},
	{"tab\there", `tab\there`},
	{"nul\x00 del\x7f", `nul\x00 del\x7f`},
	{"c1\u009b31m", `c1\u009b31m`},
	{"bidi\u202eevil", `bidi\u202eevil`},
	{"bad\xffbyte", `bad\xffbyte`},
	{"\ufffd is a real character", "\ufffd is a real character"},
}

func TestTermSafe(t *testing.T) {
	for _, c := range termSafeCases {
		if got := termSafe(c.in); got != c.want {
			t.Errorf("termSafe(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzTermSafe: the output has no byte a terminal acts on (C0, DEL, C1 or an invalid byte), is
// unchanged by a second pass, and equals the input whenever the input needed no escaping.
func FuzzTermSafe(f *testing.F) {
	for _, c := range termSafeCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := termSafe(s)
		if hasTerminalControl(got) {
			t.Fatalf("termSafe(%q) = %q keeps a control character", s, got)
		}
		if termSafe(got) != got {
			t.Fatalf("termSafe not idempotent on %q", s)
		}
		if !hasTerminalControl(s) && !strings.ContainsAny(s, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c") && got != s {
			t.Fatalf("termSafe(%q) = %q changed clean text", s, got)
		}
	})
}

// hasTerminalControl reports a byte or rune a terminal would act on.
func hasTerminalControl(s string) bool {
	if strings.ToValidUTF8(s, "\x00") != s {
		return true
	}
	for _, r := range s {
		if r < 0x20 || r >= 0x7f && r <= 0x9f {
			return true
		}
	}
	return false
}

// rawControl is what must never reach the terminal from a server or a license.
func rawControl(out string) bool {
	return strings.ContainsAny(out, "\x1b\x00\u009b") || strings.Contains(out, "\rPlan")
}

func TestPrintsEscapeServerText(t *testing.T) {
	evil := "Evil\x1b[2J\x1b[H Spa"
	var out bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &out}
	printSyncSummary(env, "http://x", datasync.Result{Tenant: data.Tenant{ID: "evil", Name: evil}, NewTenant: true, Store: "/s/evil.db",
		Entities: []datasync.EntityResult{{Entity: "appointments"}}})
	printTenant(env, tenantJSON{Tenant: data.Tenant{ID: "evil", Name: evil, TimeZone: "UTC", Currency: "USD"}, DBPath: "/s/evil.db"})
	if rawControl(out.String()) || !strings.Contains(out.String(), `Evil\x1b[2J\x1b[H Spa`) {
		t.Fatalf("sync and tenant output: %q", out.String())
	}
}

func TestPrintsEscapeLicenseText(t *testing.T) {
	p := license.Payload{LicenseID: "LIC-1\r\nPlan: ENTERPRISE", TenantID: "demo", Licensee: "Acme\rPlan: ENTERPRISE\x1b[8m",
		Plan: license.Professional, ExpiresAt: time.Now().AddDate(1, 0, 0)}
	st := license.Status{State: license.StateValid, Plan: license.Professional, License: &license.License{Payload: p},
		ExpiresAt: p.ExpiresAt, Banner: "Licensed to Acme\x1b[2J"}
	var out bytes.Buffer
	licensePrintActivated(&out, st, true, time.UTC)
	licensePrintStatus(&out, st, true, time.UTC)
	got := out.String()
	if rawControl(got) || strings.Contains(got, "\r") || !strings.Contains(got, `LIC-1\r\nPlan: ENTERPRISE`) || !strings.Contains(got, `Acme\rPlan`) {
		t.Fatalf("license output: %q", got)
	}
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, "Plan: ENTERPRISE") {
			t.Fatalf("a license field made its own line: %q", got)
		}
	}
}

// TestLicenseActivateEscapesFields runs the real command on a signed license whose id and
// licensee carry CR/LF and ESC: whether the parser refuses it or not, none reaches the output.
func TestLicenseActivateEscapesFields(t *testing.T) {
	licNeedsDevKey(t)
	home := licHome(t)
	text := licDevSign(t, func(p *license.Payload) {
		p.LicenseID, p.Licensee = "LIC-1\r\nPlan: ENTERPRISE", "Acme\x1b[2J\rPlan: ENTERPRISE"
	})
	_, stdout, stderr := licRun(t, home, "", "license", "activate", licWrite(t, text))
	_, show, showErr := licRun(t, home, "", "license", "show")
	for _, s := range []string{stdout, stderr, show, showErr} {
		if rawControl(s) || strings.Contains(s, "\r") || strings.Contains(s, "\nPlan: ENTERPRISE") {
			t.Fatalf("license output lets a field's control characters through: %q", s)
		}
	}
}

// TestSyncAndTenantEscapeTenantName syncs from a server whose tenant name clears the screen:
// whether the client refuses the name or stores it, neither sync nor tenant prints the ESC.
func TestSyncAndTenantEscapeTenantName(t *testing.T) {
	rt := datasync.RemoteTenant{Tenant: data.Tenant{ID: "evil", Name: "Evil\x1b[2J\x1b[H Spa", TimeZone: "America/New_York", Currency: "USD", CanAcceptPayments: true}}
	srv, err := tenantserver.New(context.Background(), rt, "s3cret", demo.Options{Appointments: 200, Seed: 5,
		Today: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	home := t.TempDir()
	_, stdout, stderr := runCLI(t, "--home", home, "sync", "--server", ts.URL, "--token", "s3cret")
	_, tout, terr := runCLI(t, "--home", home, "tenant")
	for _, s := range []string{stdout, stderr, tout, terr} {
		if rawControl(s) {
			t.Fatalf("output carries the tenant name's ESC: %q", s)
		}
	}
}

func TestErrorsAreEscaped(t *testing.T) {
	var errb bytes.Buffer
	if code := report(&errb, os.ErrNotExist); code != exitFailure {
		t.Fatal(code)
	}
	errb.Reset()
	report(&errb, usageErr("server said: %s", "no\x1b[2Jway\r\nalmanac: fake"))
	if got := errb.String(); rawControl(got) || strings.Count(got, "\n") != 1 || !strings.Contains(got, `no\x1b[2Jway`) {
		t.Fatalf("error line %q", got)
	}
}

func TestExportOverwriteAndNames(t *testing.T) {
	home := demoHome(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "services.csv")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "--home", home, "export", "services", "--format", "csv", "--out", target)
	numbered := filepath.Join(dir, "services (2).csv")
	if code != 0 || strings.TrimSpace(stdout) != numbered ||
		!strings.Contains(stderr, target+" already exists; wrote "+numbered+" instead") || !strings.Contains(stderr, "--overwrite") {
		t.Fatalf("export onto an existing file: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "--home", home, "export", "services", "--format", "csv", "--out", target, "--overwrite")
	if code != 0 || strings.TrimSpace(stdout) != target || stderr != "" {
		t.Fatalf("--overwrite: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if b, _ := os.ReadFile(target); !strings.HasPrefix(string(b), "id,name,") {
		t.Fatalf("--overwrite did not replace the file: %q", b)
	}
	code, stdout, stderr = runCLI(t, "--home", home, "export", "services", "--format", "csv", "--out", filepath.Join(dir, "services.json"))
	if code != exitUsage || stdout != "" || !strings.Contains(stderr, "--out") || !strings.Contains(stderr, "--format") {
		t.Fatalf("--out services.json --format csv: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "services.json")); err == nil {
		t.Fatal("a file was written despite the usage error")
	}
}

func TestHugeDaysRefused(t *testing.T) {
	home := demoHome(t)
	activatePlan(t, home, license.Internal)
	for _, args := range [][]string{
		{"export", "appointments", "--format", "csv", "--days", "9223372036854775807", "--out", t.TempDir()},
		{"export", "payments", "--format", "csv", "--days", "99999999999999999999", "--out", t.TempDir()},
		{"report", "appointments", "--days", "9223372036854775807"},
		{"report", "revenue", "--days", "36501"},
	} {
		code, stdout, stderr := runCLI(t, append([]string{"--home", home}, args...)...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, "--days") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 naming --days", args, code, stdout, stderr)
		}
	}
}
