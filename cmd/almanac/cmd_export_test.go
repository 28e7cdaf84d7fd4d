package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/license/devkeys"
)

// activatePlan signs a license for the demo tenant with the development key, as
// `almanac-license sign --dev` does, and activates it in home.
func activatePlan(t *testing.T, home string, plan license.Plan) {
	t.Helper()
	activatePlanFor(t, home, "demo", plan)
}

// activatePlanFor is activatePlan for tenant.
func activatePlanFor(t *testing.T, home, tenant string, plan license.Plan) {
	t.Helper()
	kid, priv, err := license.ParsePrivateKey(devkeys.PrivateKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	text, err := license.Sign(license.Payload{LicenseID: "TEST-" + plan.String(), TenantID: tenant, Plan: plan,
		IssuedAt: time.Now().Add(-time.Hour), ExpiresAt: time.Now().AddDate(1, 0, 0)}, kid, priv)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plan.lic")
	if err := os.WriteFile(path, text, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "--home", home, "license", "activate", path); code != 0 {
		t.Fatalf("activate %v: exit %d: %s", plan, code, stderr)
	}
}

func TestExportCommand(t *testing.T) {
	home := demoHome(t)
	out := t.TempDir()
	thirtyAgo := time.Now().AddDate(0, 0, -30).Format("2006-01-02")
	cases := []struct {
		name string
		args []string
		code int
		msg  string // in stderr
	}{
		{"csv on free", []string{"appointments", "--format", "csv", "--out", out}, 0, ""},
		{"flags before dataset", []string{"--format", "csv", "--out", out, "customers"}, 0, ""},
		{"xlsx on free", []string{"appointments", "--format", "xlsx", "--out", out}, 3, "PROFESSIONAL"},
		{"json on free", []string{"customers", "--format", "json", "--out", out}, 3, "STARTER"},
		{"30-day range on free", []string{"appointments", "--format", "csv", "--from", thirtyAgo, "--out", out}, 3, "STARTER"},
		{"days clamped on free", []string{"payments", "--format", "csv", "--days", "30", "--out", out}, 0, "7-day history window"},
		{"no dataset", []string{"--format", "csv"}, 2, "name one dataset"},
		{"two datasets", []string{"customers", "services", "--format", "csv"}, 2, "name one dataset"},
		{"unknown dataset", []string{"invoices", "--format", "csv"}, 2, "invoices"},
		{"no format", []string{"customers"}, 2, "--format"},
		{"bad format", []string{"customers", "--format", "pdf"}, 2, "--format"},
		{"days zero", []string{"payments", "--format", "csv", "--days", "0"}, 2, "--days"},
		{"days negative", []string{"payments", "--format", "csv", "--days", "-4"}, 2, "--days"},
		{"days text", []string{"payments", "--format", "csv", "--days", "many"}, 2, "--days"},
		{"bad date", []string{"appointments", "--format", "csv", "--from", "2026-13-01"}, 2, "--from"},
		{"bad status", []string{"appointments", "--format", "csv", "--status", "gone"}, 2, "--status"},
		{"bad service", []string{"appointments", "--format", "csv", "--service", "abc"}, 2, "--service"},
		{"bad resource", []string{"appointments", "--format", "csv", "--resource", "-1"}, 2, "--resource"},
		{"bad active", []string{"services", "--format", "csv", "--active", "maybe"}, 2, "--active"},
		{"filter not for dataset", []string{"customers", "--format", "csv", "--service", "1"}, 2, "--service"},
		{"excel with json", []string{"customers", "--format", "json", "--excel"}, 2, "--excel"},
		{"unknown flag", []string{"customers", "--format", "csv", "--sheet", "x"}, 2, "sheet"},
		{"missing folder", []string{"customers", "--format", "csv", "--out", filepath.Join(out, "no", "such", "x.csv")}, 1, "does not exist"},
		{"missing folder with slash", []string{"customers", "--format", "csv", "--out", filepath.Join(out, "nodir") + "/"}, 1, "does not exist"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"--home", home, "export"}, c.args...)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, c.code, stderr)
			}
			if !strings.Contains(stderr, c.msg) {
				t.Fatalf("stderr %q does not mention %q", stderr, c.msg)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("stderr is not one line: %q", stderr)
			}
			if c.code == 0 {
				path := strings.TrimSpace(stdout)
				if st, err := os.Stat(path); err != nil || st.Size() == 0 {
					t.Fatalf("printed path %q: %v", path, err)
				}
			} else if stdout != "" {
				t.Fatalf("stdout %q on failure", stdout)
			}
		})
	}
}

func TestExportCommandEveryFormatWithLicense(t *testing.T) {
	home := demoHome(t)
	activatePlan(t, home, license.Enterprise)
	out := t.TempDir()
	for _, ds := range []string{"appointments", "customers", "resources", "services", "payments", "subscriptions"} {
		for _, f := range []string{"csv", "json", "xlsx"} {
			code, stdout, stderr := runCLI(t, "--home", home, "export", ds, "--format", f, "--out", out, "--json")
			if code != 0 {
				t.Fatalf("%s %s: exit %d: %s", ds, f, code, stderr)
			}
			var got struct {
				Path    string `json:"path"`
				Dataset string `json:"dataset"`
				Format  string `json:"format"`
				Rows    *int64 `json:"rows"`
			}
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("%s %s: %v: %s", ds, f, err, stdout)
			}
			if got.Dataset != ds || got.Format != f || got.Rows == nil || *got.Rows == 0 || filepath.Ext(got.Path) != "."+f {
				t.Fatalf("%s %s: %s", ds, f, stdout)
			}
			if _, err := os.Stat(got.Path); err != nil {
				t.Fatal(err)
			}
		}
	}
}
