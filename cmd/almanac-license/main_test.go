package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/license/devkeys"
)

var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

type result struct {
	code           int
	stdout, stderr string
}

func runTool(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut, func() time.Time { return testNow })
	return result{code, out.String(), errOut.String()}
}

func (r result) want(t *testing.T, code int, substr string) {
	t.Helper()
	if r.code != code || !strings.Contains(squash(r.stdout+r.stderr), squash(substr)) {
		t.Fatalf("exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", r.code, code, substr, r.stdout, r.stderr)
	}
}

// squash collapses runs of space, so checks do not depend on column widths.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestKeygenSignInspect is the vendor's whole path with a fresh key.
func TestKeygenSignInspect(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	r := runTool(t, "", "keygen", "--kid", "prod-2026", "--out", keys)
	r.want(t, 0, "prod-2026 ")
	keyFile, pubFile := filepath.Join(keys, "prod-2026.key"), filepath.Join(keys, "prod-2026.pub")
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("key file mode: %v, %v", fi.Mode(), err)
		}
	}
	// The last stdout line is ready for a LICENSE_PUBKEYS file.
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	list := writeFile(t, filepath.Join(dir, "pubkeys.txt"), lines[len(lines)-1]+"\n")
	if _, err := license.ParseKeySet([]byte(lines[len(lines)-1])); err != nil {
		t.Fatalf("printed key line does not parse: %v", err)
	}
	runTool(t, "", "keygen", "--kid", "prod-2026", "--out", keys).want(t, 1, "already exists")

	lic := filepath.Join(dir, "acme.lic")
	runTool(t, "", "sign", "--key", keyFile, "--tenant", "demo", "--plan", "enterprise", "--expires", "2026-12-31",
		"--not-before", "2026-01-01", "--grace-days", "7", "--feature", "-export_xlsx", "--feature=+revenue_analytics",
		"--limit", "history_days=unlimited", "--licensee", "Acme Ltd", "--upgrade-url", "https://example.com/up",
		"--license-id", "ACME-1", "--issued-at", "2026-03-01", "--out", lic).want(t, 0, "wrote "+lic)

	r = runTool(t, "", "inspect", "--keys", pubFile, lic)
	r.want(t, 0, "Verdict:      OK: genuine (signed by trusted key prod-2026)")
	for _, want := range []string{
		"Key ID:       prod-2026", "License ID:   ACME-1", "Tenant:       demo", "Licensee:     Acme Ltd",
		"Plan:         ENTERPRISE", "Issued: 2026-03-01T00:00:00Z", "Expires:      2027-01-01T11:59:59Z", "Not before:   2025-12-31T10:00:00Z",
		"Grace:        7 days", "Features:     -export_xlsx +revenue_analytics", "Limits:       history_days=unlimited",
		"Upgrade URL:  https://example.com/up", "State now:    valid",
	} {
		if !strings.Contains(squash(r.stdout), squash(want)) {
			t.Errorf("inspect output lacks %q:\n%s", want, r.stdout)
		}
	}
	runTool(t, "", "inspect", "--keys", list, lic).want(t, 0, "OK: genuine")
	// This build does not trust the fresh key.
	runTool(t, "", "inspect", lic).want(t, 4, "UNKNOWN_KEY")
}

func TestSignDev(t *testing.T) {
	r := runTool(t, "", "sign", "--dev", "--tenant", "demo", "--plan", "PROFESSIONAL", "--expires", "2026-06-30")
	r.want(t, 0, "-----BEGIN ALMANAC LICENSE-----")
	l, err := license.Parse([]byte(r.stdout))
	if err != nil || l.KID != license.DevKeyID || l.Payload.GraceDays != 14 {
		t.Fatalf("dev license: %v %+v", err, l)
	}
	// A development build trusts it (inspect reads it from stdin here).
	runTool(t, r.stdout, "inspect", "-").want(t, 0, "OK: genuine (signed by trusted key INSECURE-DEV-ONLY)")
}

func TestInspectRejects(t *testing.T) {
	dir := t.TempDir()
	sign := func(args ...string) string {
		r := runTool(t, "", append([]string{"sign", "--dev", "--tenant", "demo", "--plan", "starter"}, args...)...)
		if r.code != 0 {
			t.Fatalf("sign: %s", r.stderr)
		}
		return r.stdout
	}
	expired := runTool(t, "", "sign", "--dev", "--tenant", "demo", "--plan", "starter", "--expires", "2026-01-31")
	expired.want(t, 0, "warning: this license expired")

	valid := sign("--expires", "2026-12-31")
	l, _ := license.Parse([]byte(valid))
	l.Raw = bytes.Replace(l.Raw, []byte("STARTER"), []byte("INTERNAL"), 1)
	tests := []struct {
		name, text, code string
	}{
		{"expired", expired.stdout, "EXPIRED"},
		{"in grace", sign("--expires", "2026-03-09"), "EXPIRED"},
		{"not yet valid", sign("--expires", "2026-12-31", "--not-before", "2026-04-01"), "NOT_YET_VALID"},
		{"tampered", string(l.Text()), "BAD_SIGNATURE"},
		{"garbage", "hello", "MALFORMED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := writeFile(t, filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")), tt.text)
			runTool(t, "", "inspect", f).want(t, 4, "REJECTED: "+tt.code)
		})
	}
}

func TestUsage(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args   []string
		code   int
		substr string
	}{
		{nil, 2, "missing command"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"-h"}, 0, "Commands:"},
		{[]string{"keygen", "-h"}, 0, "-kid"},
		{[]string{"sign", "-h"}, 0, "-not-before"},
		{[]string{"inspect", "-h"}, 0, "-keys"},
		{[]string{"keygen", "--kid", "a b", "--out", dir}, 2, "key id"},
		{[]string{"keygen", "--out", dir}, 2, "required"},
		{[]string{"keygen", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"sign", "--tenant", "demo", "--plan", "free", "--expires", "2026-12-31"}, 2, "exactly one of --key FILE and --dev"},
		{[]string{"sign", "--dev", "--key", "x", "--tenant", "demo", "--plan", "free", "--expires", "2026-12-31"}, 2, "exactly one"},
		{[]string{"sign", "--dev", "--plan", "free", "--expires", "2026-12-31"}, 2, "required"},
		{[]string{"sign", "--dev", "--tenant", "demo", "--plan", "gold", "--expires", "2026-12-31"}, 2, "unknown plan"},
		{[]string{"sign", "--dev", "--tenant", "demo", "--plan", "free", "--expires", "31/12/2026"}, 2, "--expires"},
		{[]string{"sign", "--dev", "--tenant", "demo", "--plan", "free", "--expires", "2026-12-31", "--feature", "export_xlsx"}, 2, "+code"},
		{[]string{"sign", "--dev", "--tenant", "demo", "--plan", "free", "--expires", "2026-12-31", "--feature", "+teleport"}, 2, "unknown feature"},
		{[]string{"sign", "--dev", "--tenant", "demo", "--plan", "free", "--expires", "2026-12-31", "--limit", "seats=5"}, 2, "known name"},
		{[]string{"sign", "--dev", "--tenant", "demo", "--plan", "free", "--expires", "2026-12-31", "--limit", "history_days=-4"}, 2, "whole number"},
		{[]string{"sign", "--dev", "--tenant", "demo", "--plan", "free", "--expires", "2026-12-31", "--grace-days", "-1"}, 1, "grace_days"},
		{[]string{"sign", "--key", filepath.Join(dir, "missing.key"), "--tenant", "demo", "--plan", "free", "--expires", "2026-12-31"}, 1, "missing.key"},
		{[]string{"sign", "--dev", "--tenant", "demo", "--plan", "free", "--expires", "2026-12-31", "--issued-at", "yesterday"}, 2, "--issued-at"},
		{[]string{"inspect"}, 2, "exactly one license FILE"},
		{[]string{"inspect", filepath.Join(dir, "missing.lic")}, 1, "missing.lic"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			runTool(t, "", tt.args...).want(t, tt.code, tt.substr)
		})
	}
}

// TestSignDevAnywhere builds the real binary and runs `sign --dev` outside
// the repository: the development key is embedded, not looked up on disk.
func TestSignDevAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "almanac-license")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "sign", "--dev", "--tenant", "demo", "--plan", "starter", "--expires", "2099-12-31")
	cmd.Dir = t.TempDir()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sign --dev outside the repo: %v", err)
	}
	if l, err := license.Parse(out); err != nil || license.Verify(l, license.TrustedKeys()) != nil {
		t.Fatalf("license from the binary: %v", err)
	}
}

// TestReleaseBuild builds the tool the way `make release` builds almanac:
// with the release tag and a linked key list. It must trust exactly that
// list: a license signed with a listed key passes, a --dev one is refused.
func TestReleaseBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	dir := t.TempDir()
	runTool(t, "", "keygen", "--kid", "prod-2026", "--out", dir).want(t, 0, "prod-2026")
	pub, err := os.ReadFile(filepath.Join(dir, "prod-2026.pub"))
	if err != nil {
		t.Fatal(err)
	}
	list := "# release keys\nprod-2026 " + string(pub)
	ldflags := "-X github.com/almanac-app/almanac/license.releaseKeys=" + base64.StdEncoding.EncodeToString([]byte(list))
	bin := filepath.Join(dir, "almanac-license")
	if out, err := exec.Command("go", "build", "-tags", "release", "-ldflags", ldflags, "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	inspect := func(text string) (string, int) {
		cmd := exec.Command(bin, "inspect", "-")
		cmd.Stdin = strings.NewReader(text)
		out, err := cmd.Output()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return squash(string(out)), code
	}
	args := []string{"sign", "--tenant", "demo", "--plan", "starter", "--expires", "2099-12-31"}
	prod := runTool(t, "", append(args, "--key", filepath.Join(dir, "prod-2026.key"))...)
	if out, code := inspect(prod.stdout); code != 0 || !strings.Contains(out, "release build") || !strings.Contains(out, "OK: genuine") {
		t.Errorf("release-signed license in a release build: exit %d\n%s", code, out)
	}
	dev := runTool(t, "", append(args, "--dev")...)
	if out, code := inspect(dev.stdout); code != 4 || !strings.Contains(out, "UNKNOWN_KEY") || !strings.Contains(out, "insecure development key") {
		t.Errorf("dev-signed license in a release build: exit %d\n%s", code, out)
	}
}

// TestSignFarAndZeroDates: the tool and Almanac agree. The zero instant, which
// a payload reads as "never expires", is refused rather than signed with a
// warning that Almanac will refuse it; a far expiry inspects as a positive
// count of days; a non-https upgrade URL is refused.
func TestSignFarAndZeroDates(t *testing.T) {
	base := []string{"sign", "--dev", "--tenant", "demo", "--plan", "STARTER"}
	for _, zero := range []string{"0001-01-01T00:00:00Z", "0001-01-01T00:00:00+00:00"} {
		r := runTool(t, "", append(base, "--expires", zero)...)
		r.want(t, 2, "zero instant")
		if strings.Contains(r.stdout, "BEGIN ALMANAC LICENSE") {
			t.Errorf("--expires %s: signed a license", zero)
		}
	}
	runTool(t, "", append(base, "--expires", "2027-01-01", "--not-before", "0001-01-01T00:00:00Z")...).want(t, 2, "zero instant")
	runTool(t, "", append(base, "--expires", "2027-01-01", "--upgrade-url", "file:///etc/passwd")...).want(t, 1, "https://")

	r := runTool(t, "", append(base, "--expires", "9999-12-01")...)
	r.want(t, 0, "BEGIN ALMANAC LICENSE")
	l, err := license.Parse([]byte(r.stdout))
	if err != nil || license.Verify(l, license.TrustedKeys()) != nil {
		t.Fatalf("far license: %v", err)
	}
	out := runTool(t, r.stdout, "inspect", "-")
	out.want(t, 0, "over 7973 years left")
	if strings.Contains(out.stdout, "-106750") {
		t.Errorf("negative days left:\n%s", out.stdout)
	}
	if !strings.Contains(out.stdout, "2912") { // ~2,912,000 days from now, not Duration's 106,751
		t.Errorf("far expiry days:\n%s", out.stdout)
	}
}

// TestInspectUnreadablePayload: a genuinely signed payload Almanac refuses
// (here an unknown key) is reported by its verdict, not shown as empty fields.
func TestInspectUnreadablePayload(t *testing.T) {
	kid, priv, err := license.ParsePrivateKey(devkeys.PrivateKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte(`{"license_id":"L","tenant_id":"demo","plan":"STARTER","seats":5}`)
	l := &license.License{V: 1, KID: kid, Raw: raw,
		Sig: ed25519.Sign(priv, append([]byte("almanac-license\x00v1\x00"+kid+"\x00"), raw...))}
	r := runTool(t, string(l.Text()), "inspect", "-")
	r.want(t, 4, "not readable")
	r.want(t, 4, "UNSUPPORTED_VERSION")
	if strings.Contains(r.stdout, "Plan:") {
		t.Errorf("shows fields of a payload that did not decode:\n%s", r.stdout)
	}
}
