package license

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func tenantText(t *testing.T, tenant string, plan Plan, expires time.Time) []byte {
	t.Helper()
	return signedText(t, func(p *Payload) {
		p.TenantID, p.Plan, p.LicenseID, p.ExpiresAt = tenant, plan, "LIC-"+tenant, expires
	})
}

func TestManagerLicensesPerTenant(t *testing.T) {
	f := newFixture(t)
	exp := testNow.Add(200 * day)
	for _, tt := range []struct {
		tenant string
		plan   Plan
	}{{"acme", Enterprise}, {"beta", Starter}} {
		st, err := f.m.Activate(tenantText(t, tt.tenant, tt.plan, exp))
		if err != nil {
			t.Fatalf("activate for %s: %v", tt.tenant, err)
		}
		if st.Plan != tt.plan || st.License.Payload.TenantID != tt.tenant {
			t.Errorf("activate for %s: %v %s", tt.tenant, st.Plan, st.License.Payload.TenantID)
		}
	}
	m := f.restart()
	if got := m.Status("acme").Plan; got != Enterprise {
		t.Errorf("acme: %v, want ENTERPRISE (another tenant's activation replaced it)", got)
	}
	if got := m.Status("beta").Plan; got != Starter {
		t.Errorf("beta: %v, want STARTER", got)
	}
	if st := m.Status("gamma"); st.Plan != Free || st.License != nil || st.Err != nil {
		t.Errorf("a tenant without a license: %+v", st)
	}
	if err := m.Remove("acme"); err != nil {
		t.Fatal(err)
	}
	if m.Status("acme").Plan != Free || m.Status("beta").Plan != Starter {
		t.Error("Remove(acme) did not remove exactly acme's license")
	}
	if l, err := m.Stored("beta"); err != nil || l == nil || l.Payload.TenantID != "beta" {
		t.Errorf("Stored(beta) = %v, %v", l, err)
	}
}

func TestManagerMigratesSingleLicense(t *testing.T) {
	f := newFixture(t)
	legacy := filepath.Join(f.dir, legacyFile)
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(legacy, tenantText(t, "acme", Enterprise, testNow.Add(100*day)), 0o600); err != nil {
		t.Fatal(err)
	}
	if st := f.m.Status("demo"); st.Plan != Free || st.Err != nil {
		t.Errorf("demo after migration: %v %v; the old file was for acme", st.Plan, st.Err)
	}
	if st := f.m.Status("acme"); st.Plan != Enterprise {
		t.Errorf("acme after migration: %v %v", st.Plan, st.Err)
	}
	if _, err := os.Stat(legacy); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("old single license file still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.dir, tenantsDir, "acme.txt")); err != nil {
		t.Errorf("acme's license file: %v", err)
	}

	t.Run("damaged old file", func(t *testing.T) {
		if err := os.WriteFile(legacy, []byte("garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
		if st := f.m.Status("demo"); st.Plan != Free || CodeOf(st.Err) != CodeMalformed || st.Banner == "" {
			t.Errorf("a damaged old file is not reported: %+v", st)
		}
		if st := f.m.Status("acme"); st.Plan != Enterprise {
			t.Errorf("acme's own license lost to a damaged old file: %v", st.Plan)
		}
		if err := f.m.Remove("demo"); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(legacy); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Remove left the damaged file: %v", err)
		}
	})
}

func TestManagerDemoUsesSavedLicense(t *testing.T) {
	f := newFixture(t)
	m := f.m.WithDemoTenant("demo")
	if st := m.Status("demo"); st.Plan != Free || st.License != nil {
		t.Fatalf("demo with nothing saved: %+v", st)
	}
	for _, text := range [][]byte{
		tenantText(t, "acme", Starter, testNow.Add(300*day)),
		tenantText(t, "beta", Enterprise, testNow.Add(100*day)),
		tenantText(t, "gamma", Enterprise, testNow.Add(50*day)),
	} {
		if _, err := m.Activate(text); err != nil {
			t.Fatal(err)
		}
	}
	st := m.Status("demo")
	if st.Plan != Enterprise || st.License.Payload.TenantID != "beta" || !st.Active() {
		t.Errorf("demo uses %v of %s, want ENTERPRISE of beta (highest plan, latest expiry)", st.Plan, st.License.Payload.TenantID)
	}
	if !m.Applies("beta", "demo") || !m.Applies("acme", "acme") || m.Applies("acme", "beta") {
		t.Error("Applies is wrong")
	}
	if e := m.Entitlements("demo", true); e.Plan() != Enterprise {
		t.Errorf("demo entitlements %v", e.Plan())
	}
	if f.restart().Status("demo").Plan != Free {
		t.Error("without a demo tenant, the id demo borrowed a license")
	}
	f.clock.t = testNow.Add(200 * day) // past beta's and gamma's grace
	if st := m.Status("demo"); st.Plan != Starter || st.License.Payload.TenantID != "acme" {
		t.Errorf("demo after the others expired: %v", st.Plan)
	}
}

func TestFormatLicenseTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skip(err)
	}
	// How almanac-license signs --expires 2027-12-31 and --not-before 2027-01-01.
	expires := time.Date(2027, 12, 31, 23, 59, 59, 0, lastZone).UTC()
	notBefore := time.Date(2027, 1, 1, 0, 0, 0, 0, firstZone).UTC()
	instant := time.Date(2027, 6, 30, 17, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		t    time.Time
		loc  *time.Location
		want string
	}{
		{"date expiry in New York", expires, ny, "Dec 31, 2027"},
		{"date expiry in Tokyo", expires, tokyo, "Dec 31, 2027"},
		{"date expiry in UTC", expires, time.UTC, "Dec 31, 2027"},
		{"grace end, 14 days on", expires.Add(14 * day), ny, "Jan 14, 2028"},
		{"date start", notBefore, ny, "Jan 1, 2027"},
		{"instant", instant, ny, "Jun 30, 2027 1:00 PM EDT"},
		{"instant in Tokyo", instant, tokyo, "Jul 1, 2027 2:00 AM JST"},
	}
	for _, tt := range tests {
		if got := FormatLicenseTime(tt.t, tt.loc); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

var isoDateCases = []struct{ in, want string }{
	{"2026-11-02", "Nov 2, 2026"},
	{"2027-12-31", "Dec 31, 2027"},
	{"", ""},
	{"not a date", "not a date"},
	{"2026-02-30", "2026-02-30"},
}

func TestFormatISODate(t *testing.T) {
	for _, tt := range isoDateCases {
		if got := FormatISODate(tt.in); got != tt.want {
			t.Errorf("FormatISODate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzFormatISODate(f *testing.F) {
	for _, tt := range isoDateCases {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := FormatISODate(s)
		if got == s {
			return
		}
		d, err := time.Parse(DateLayout, got)
		if err != nil {
			t.Fatalf("FormatISODate(%q) = %q, not in the screens' layout: %v", s, got, err)
		}
		if d.Format(isoDate) != s {
			t.Fatalf("FormatISODate(%q) = %q, a different day", s, got)
		}
	})
}

// TestRemoveKeepsAnotherTenantsOldLicense: removing tenant beta's license in a home that still
// has the old single file, holding acme's license, moves acme's to its own file first rather
// than deleting it.
func TestRemoveKeepsAnotherTenantsOldLicense(t *testing.T) {
	f := newFixture(t)
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.dir, legacyFile), tenantText(t, "acme", Enterprise, testNow.Add(100*day)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.m.Remove("beta"); err != nil {
		t.Fatal(err)
	}
	if st := f.m.Status("acme"); st.Plan != Enterprise {
		t.Errorf("acme's license lost by removing beta's: %v %v", st.Plan, st.Err)
	}
}
