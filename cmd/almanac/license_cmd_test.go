package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/demo"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/license/devkeys"
)

// run() reads the real clock, so licenses here are signed relative to it; licTimeline injects
// a clock through Env for the state transitions.
var licStart = time.Now().UTC().Truncate(time.Hour)

// licHome builds a demo tenant ("demo", accepts payments) in a temp home.
func licHome(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	today := time.Now().UTC()
	if _, err := demo.Build(context.Background(), data.Home{Dir: dir}, demo.Options{Appointments: 2000, Today: today}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// licRun runs `almanac --home home args...` in-process with stdin.
func licRun(t *testing.T, home, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"--home", home}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// licShow is `license show --json`, decoded.
func licShow(t *testing.T, home string) map[string]any {
	t.Helper()
	code, out, errOut := licRun(t, home, "", "license", "show", "--json")
	if code != 0 {
		t.Fatalf("license show --json: exit %d: %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("license show --json is not JSON: %v\n%s", err, out)
	}
	return m
}

// licDevSign signs a PROFESSIONAL license for tenant demo with the development key; edit
// changes the payload first.
func licDevSign(t *testing.T, edit func(*license.Payload)) []byte {
	t.Helper()
	kid, priv, err := license.ParsePrivateKey(devkeys.PrivateKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	p := license.Payload{LicenseID: "LIC-1", TenantID: data.DemoTenantID, Licensee: "Acme Ltd", Plan: license.Professional,
		IssuedAt: licStart.Add(-time.Hour), ExpiresAt: licStart.Add(100 * 24 * time.Hour), GraceDays: 14}
	if edit != nil {
		edit(&p)
	}
	text, err := license.Sign(p, kid, priv)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func licWrite(t *testing.T, text []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "demo.lic")
	if err := os.WriteFile(file, text, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// licNeedsDevKey skips tests that activate dev-signed licenses in a release build, which
// must refuse them (TestLicenseReleaseBuildRefusesDevLicense checks that).
func licNeedsDevKey(t *testing.T) {
	if !license.DevelopmentBuild() {
		t.Skip("release build: dev-signed licenses are refused")
	}
}

func licFeatures(t *testing.T, m map[string]any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	list, ok := m["features"].([]any)
	if !ok {
		t.Fatalf("features is %T", m["features"])
	}
	for _, f := range list {
		f := f.(map[string]any)
		out[f["code"].(string)] = f
	}
	if len(out) != len(license.Features()) {
		t.Errorf("%d features in JSON, registry has %d", len(out), len(license.Features()))
	}
	return out
}

func TestLicenseShowJSONWithoutLicense(t *testing.T) {
	home := licHome(t)
	m := licShow(t, home)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"development_build", "expires_at", "features", "history_days", "license_id", "licensee", "plan", "state", "tenant_id"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
	if m["plan"] != "FREE" || m["state"] != "none" || m["history_days"] != 7.0 || m["license_id"] != nil ||
		m["tenant_id"] != nil || m["expires_at"] != nil || m["development_build"] != license.DevelopmentBuild() {
		t.Errorf("no license: %v", m)
	}
	for _, f := range license.Features() {
		got := licFeatures(t, m)[f.Code]
		if got["name"] != f.Name || got["required_plan"] != f.MinPlan.String() || got["allowed"] != (f.MinPlan == license.Free) {
			t.Errorf("%s: %v", f.Code, got)
		}
	}
}

func TestLicenseActivateShowRemove(t *testing.T) {
	licNeedsDevKey(t)
	home := licHome(t)
	text := licDevSign(t, func(p *license.Payload) {
		p.Features = map[string]bool{license.FeatureExportJSON: false}
		p.Limits = map[string]int{license.LimitHistoryDays: 180}
	})
	code, out, errOut := licRun(t, home, "", "license", "activate", licWrite(t, text))
	if code != 0 {
		t.Fatalf("activate: exit %d: %s", code, errOut)
	}
	for _, w := range []string{"Activated PROFESSIONAL license LIC-1 for tenant demo (Acme Ltd).", "History: last 180 days.", "JSON export (turned off by the license)"} {
		if !strings.Contains(out, w) {
			t.Errorf("activate output lacks %q:\n%s", w, out)
		}
	}
	m := licShow(t, home)
	wantExp := licStart.Add(100 * 24 * time.Hour).Format(time.RFC3339)
	if m["plan"] != "PROFESSIONAL" || m["state"] != "valid" || m["license_id"] != "LIC-1" || m["tenant_id"] != "demo" ||
		m["licensee"] != "Acme Ltd" || m["history_days"] != 180.0 || m["expires_at"] != wantExp {
		t.Errorf("after activate: %v (want expires_at %s)", m, wantExp)
	}
	for code, f := range licFeatures(t, m) {
		want := code != license.FeatureExportJSON // the override beats the plan; the demo tenant accepts payments
		if f["allowed"] != want {
			t.Errorf("%s allowed = %v, want %v", code, f["allowed"], want)
		}
	}
	code, out, _ = licRun(t, home, "", "license", "show")
	if code != 0 || !strings.Contains(out, "PROFESSIONAL") || !strings.Contains(out, "locked: turned off by the license") {
		t.Errorf("license show: exit %d\n%s", code, out)
	}

	// A second license from stdin replaces the first.
	code, out, errOut = licRun(t, home, string(licDevSign(t, func(p *license.Payload) { p.LicenseID, p.Plan = "LIC-2", license.Enterprise })), "license", "activate", "-")
	if code != 0 || !strings.Contains(out, "ENTERPRISE license LIC-2") {
		t.Fatalf("activate -: exit %d\n%s%s", code, out, errOut)
	}
	if m := licShow(t, home); m["license_id"] != "LIC-2" || m["history_days"] != 365.0 {
		t.Errorf("after stdin activate: %v", m)
	}

	code, out, _ = licRun(t, home, "", "license", "remove")
	if code != 0 || !strings.Contains(out, "Removed ENTERPRISE license LIC-2 of tenant demo") {
		t.Errorf("remove: exit %d: %s", code, out)
	}
	if m := licShow(t, home); m["state"] != "none" || m["plan"] != "FREE" || m["history_days"] != 7.0 {
		t.Errorf("after remove: %v", m)
	}
	code, out, _ = licRun(t, home, "", "license", "remove")
	if code != 0 || !strings.Contains(out, "nothing to remove") {
		t.Errorf("second remove: exit %d: %s", code, out)
	}
}

// Every refusal exits 4 with its code and leaves the active license alone.
func TestLicenseActivateRefusals(t *testing.T) {
	licNeedsDevKey(t)
	home := licHome(t)
	if code, _, errOut := licRun(t, home, "", "license", "activate", licWrite(t, licDevSign(t, nil))); code != 0 {
		t.Fatalf("activate LIC-1: %s", errOut)
	}
	_, foreignKey, _ := ed25519.GenerateKey(nil)
	foreign, err := license.Sign(license.Payload{LicenseID: "X", TenantID: "demo", Plan: license.Enterprise, ExpiresAt: licStart.Add(1000 * time.Hour)}, "foreign", foreignKey)
	if err != nil {
		t.Fatal(err)
	}
	tampered, err := license.Parse(licDevSign(t, func(p *license.Payload) { p.LicenseID = "LIC-T" }))
	if err != nil {
		t.Fatal(err)
	}
	tampered.Raw = bytes.Replace(tampered.Raw, []byte("PROFESSIONAL"), []byte("ENTERPRISE"), 1)
	tests := []struct {
		name string
		text []byte
		code string
	}{
		{"tampered", tampered.Text(), "BAD_SIGNATURE"},
		{"foreign key", foreign, "UNKNOWN_KEY"},
		{"impossible tenant id", licDevSign(t, func(p *license.Payload) { p.TenantID = "a/b" }), "WRONG_TENANT"},
		{"expired", licDevSign(t, func(p *license.Payload) {
			p.IssuedAt, p.ExpiresAt = licStart.Add(-90*24*time.Hour), licStart.Add(-24*time.Hour)
		}), "EXPIRED"},
		{"not yet valid", licDevSign(t, func(p *license.Payload) { p.NotBefore = licStart.Add(10 * 24 * time.Hour) }), "NOT_YET_VALID"},
		{"garbage", []byte("hello, this is my license"), "MALFORMED"},
		{"too big", bytes.Repeat([]byte("A"), license.MaxLicenseSize+10), "MALFORMED"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, src := range []string{"file", "stdin"} {
				args, stdin := []string{"license", "activate", "-"}, string(tc.text)
				if src == "file" {
					args, stdin = []string{"license", "activate", licWrite(t, tc.text)}, ""
				}
				code, _, errOut := licRun(t, home, stdin, args...)
				if code != 4 || !strings.Contains(errOut, tc.code) {
					t.Errorf("%s: exit %d, stderr %q; want 4 and %s", src, code, errOut, tc.code)
				}
				if strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
					t.Errorf("%s: the error is not one line: %q", src, errOut)
				}
				if m := licShow(t, home); m["license_id"] != "LIC-1" || m["plan"] != "PROFESSIONAL" {
					t.Errorf("%s replaced the active license: %v", src, m)
				}
			}
		})
	}
}

// A saved license moves through its states as time passes; the stored file stands for a
// license activated earlier (activate itself refuses licenses already past expiry).
func TestLicenseShowStates(t *testing.T) {
	licNeedsDevKey(t)
	day := 24 * time.Hour
	tests := []struct {
		name        string
		issued, exp time.Duration // relative to now
		state, plan string
		history     float64
	}{
		{"valid", -day, 100 * day, "valid", "PROFESSIONAL", 90},
		{"expiring", -30 * day, 5 * day, "expiring", "PROFESSIONAL", 90},
		{"grace", -60 * day, -2 * day, "grace", "PROFESSIONAL", 90},
		{"expired", -90 * day, -30 * day, "expired", "FREE", 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := licHome(t)
			text := licDevSign(t, func(p *license.Payload) {
				p.IssuedAt, p.ExpiresAt = licStart.Add(tc.issued), licStart.Add(tc.exp)
			})
			dir := filepath.Join(home, "license")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "license.txt"), text, 0o600); err != nil {
				t.Fatal(err)
			}
			m := licShow(t, home)
			if m["state"] != tc.state || m["plan"] != tc.plan || m["history_days"] != tc.history {
				t.Errorf("state %v plan %v history %v; want %s %s %v", m["state"], m["plan"], m["history_days"], tc.state, tc.plan, tc.history)
			}
			if m["license_id"] != "LIC-1" {
				t.Errorf("license_id = %v: an expired license is still shown", m["license_id"])
			}
		})
	}
}

// The same transitions with an injected clock, through the command's Env: activate once,
// then let time pass.
func TestLicenseTimeline(t *testing.T) {
	licNeedsDevKey(t)
	home := licHome(t)
	now := licStart
	env := func(stdin string) (*Env, *bytes.Buffer) {
		var out bytes.Buffer
		e := newEnv(home)
		e.Stdin, e.Stdout, e.Stderr, e.Now = strings.NewReader(stdin), &out, &out, func() time.Time { return now }
		return e, &out
	}
	e, out := env(string(licDevSign(t, nil))) // expires after 100 days, 14 days of grace
	if err := runLicense(e, []string{"activate", "-"}); err != nil {
		t.Fatalf("activate: %v\n%s", err, out)
	}
	for _, step := range []struct {
		days        int
		state, plan string
	}{{0, "valid", "PROFESSIONAL"}, {90, "expiring", "PROFESSIONAL"}, {101, "grace", "PROFESSIONAL"}, {115, "expired", "FREE"}} {
		now = licStart.Add(time.Duration(step.days) * 24 * time.Hour)
		e, out := env("")
		if err := runLicense(e, []string{"show", "--json"}); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(out.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		if m["state"] != step.state || m["plan"] != step.plan {
			t.Errorf("day %d: %v %v, want %s %s", step.days, m["state"], m["plan"], step.state, step.plan)
		}
	}
}

func TestLicenseReleaseBuildRefusesDevLicense(t *testing.T) {
	if license.DevelopmentBuild() {
		t.Skip("development build; run with -tags release")
	}
	home := licHome(t)
	code, _, errOut := licRun(t, home, string(licDevSign(t, nil)), "license", "activate", "-")
	if code != 4 || !strings.Contains(errOut, "UNKNOWN_KEY") && !strings.Contains(errOut, "NO_TRUSTED_KEYS") {
		t.Errorf("release build: dev license exit %d: %s", code, errOut)
	}
	if m := licShow(t, home); m["development_build"] != false || m["plan"] != "FREE" {
		t.Errorf("release build show: %v", m)
	}
}

func TestLicenseUsageAndFailures(t *testing.T) {
	home := licHome(t)
	tests := []struct {
		args   []string
		code   int
		substr string
	}{
		{[]string{"license"}, 2, "missing command"},
		{[]string{"license", "frob"}, 2, "unknown command"},
		{[]string{"license", "-h"}, 0, "activate FILE|-"},
		{[]string{"license", "activate", "-h"}, 0, "usage: almanac license activate"},
		{[]string{"license", "show", "-h"}, 0, "-json"},
		{[]string{"license", "remove", "-h"}, 0, "usage: almanac license remove"},
		{[]string{"license", "activate"}, 2, "exactly one FILE"},
		{[]string{"license", "activate", "a", "b"}, 2, "exactly one FILE"},
		{[]string{"license", "activate", filepath.Join(t.TempDir(), "missing.lic")}, 1, "no such file"},
		{[]string{"license", "show", "--xml"}, 2, "flag provided but not defined"},
		{[]string{"license", "show", "extra"}, 2, "unexpected argument"},
		{[]string{"license", "remove", "extra"}, 2, "unexpected argument"},
	}
	for _, tc := range tests {
		code, out, errOut := licRun(t, home, "", tc.args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.substr) {
			t.Errorf("%v: exit %d (want %d), output %q lacks %q", tc.args, code, tc.code, out+errOut, tc.substr)
		}
	}
	// No tenant: a plain failure that says how to get one.
	code, _, errOut := licRun(t, t.TempDir(), "", "license", "show", "--json")
	if code != 1 || !strings.Contains(errOut, "almanac demo") {
		t.Errorf("show without a tenant: exit %d: %s", code, errOut)
	}
}

// TestLicenseClockSetBack: with the real records of time (the home's
// last-seen.txt and the record in the tenant store), a clock set back a year
// neither revives an expired license nor lets `license activate` replace the
// working one with an expired license, even after last-seen.txt is deleted.
func TestLicenseClockSetBack(t *testing.T) {
	licNeedsDevKey(t)
	home := licHome(t)
	now := licStart
	cli := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		e := newEnv(home)
		e.Stdin, e.Stdout, e.Stderr, e.Now = strings.NewReader(stdin), &out, &out, func() time.Time { return now }
		err := runLicense(e, args)
		return out.String(), err
	}
	show := func(when string) map[string]any {
		t.Helper()
		out, err := cli("", "show", "--json")
		var m map[string]any
		if err != nil || json.Unmarshal([]byte(out), &m) != nil {
			t.Fatalf("%s: show: %v\n%s", when, err, out)
		}
		return m
	}
	forgetHome := func() {
		t.Helper()
		if err := os.Remove(filepath.Join(home, "license", "last-seen.txt")); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := cli(string(licDevSign(t, nil)), "activate", "-"); err != nil { // expires after 100 days
		t.Fatalf("activate: %v\n%s", err, out)
	}
	now = licStart.Add(50 * 24 * time.Hour)
	if m := show("day 50"); m["state"] != "valid" {
		t.Fatalf("day 50: %v", m["state"])
	}
	now = now.Add(-365 * 24 * time.Hour)
	forgetHome()
	expired := licDevSign(t, func(p *license.Payload) {
		p.LicenseID, p.IssuedAt, p.ExpiresAt = "LIC-OLD", licStart.Add(-400*24*time.Hour), licStart.Add(20*24*time.Hour)
	})
	out, err := cli(string(expired), "activate", "-")
	if exitCode(err) != exitLicense || !strings.Contains(err.Error(), "EXPIRED") || strings.Contains(out, "Activated") {
		t.Fatalf("activating an expired license with the clock a year back: exit %d, %v\n%s", exitCode(err), err, out)
	}
	if m := show("after the refusal"); m["license_id"] != "LIC-1" || m["state"] != "grace" {
		t.Fatalf("the working license was replaced or lost: %v %v", m["license_id"], m["state"])
	}

	now = licStart.Add(120 * 24 * time.Hour) // past grace
	if m := show("day 120"); m["state"] != "expired" {
		t.Fatalf("day 120: %v", m["state"])
	}
	now = now.Add(-365 * 24 * time.Hour)
	forgetHome()
	if m := show("a year back, last-seen.txt deleted"); m["state"] != "expired" || m["plan"] != "FREE" {
		t.Fatalf("an expired license revived: %v %v", m["state"], m["plan"])
	}
}

// TestLicenseFarExpiry: an expiry in year 9999 shows as years left, never a
// negative count of days.
func TestLicenseFarExpiry(t *testing.T) {
	licNeedsDevKey(t)
	home := licHome(t)
	far := licWrite(t, licDevSign(t, func(p *license.Payload) { p.ExpiresAt = time.Date(9999, 12, 1, 0, 0, 0, 0, time.UTC) }))
	code, out, errOut := licRun(t, home, "", "license", "activate", far)
	if code != 0 || !strings.Contains(out, "(over 797") || strings.Contains(out, "-106750") {
		t.Fatalf("activate: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := licRun(t, home, "", "license", "show"); code != 0 || !strings.Contains(out, "(over 797") {
		t.Fatalf("show: exit %d\n%s", code, out)
	}
}
