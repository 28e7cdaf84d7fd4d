package ui

import (
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/license"
)

// lockedScreen adds a screen made of one locked section, the way the analytics and export
// screens gate theirs, so a test can watch Shell.Refresh re-gate it.
func lockedScreen(f *licFixture, feature string) *widget.Button {
	inner := widget.NewButton("Compare periods", func() {})
	f.s.screens = append(f.s.screens, Screen{ID: "locked-test", Title: "Locked", Build: func(s *Shell) fyne.CanvasObject {
		return NewLockedSection(s, feature, inner)
	}})
	f.s.nav.Refresh()
	return inner
}

// The whole flow: a locked section, its "Activate license", a pasted dev-signed ENTERPRISE
// license verified as it is pasted, the preview, Activate, and every gate re-evaluated live.
func TestActivationFlowUnlocksSectionAndBadges(t *testing.T) {
	text, err := os.ReadFile("../license/testdata/dev-demo-enterprise-custom.lic")
	if err != nil {
		t.Fatal(err)
	}
	f := newLicShell(t, licTenant(true), nil)
	inner := lockedScreen(f, license.FeatureAdvancedAnalytics)
	if !f.s.ShowID("locked-test") {
		t.Fatal("no test screen")
	}
	analytics := f.screen(t, "analytics")
	if got := f.s.Badge(analytics); !strings.Contains(got, "STARTER") {
		t.Fatalf("analytics badge on FREE = %q, want the plan that unlocks it", got)
	}
	if f.s.Content() == fyne.CanvasObject(inner) {
		t.Fatal("the section is open on FREE")
	}
	if got := f.s.plan.Text; got != "Plan: FREE" {
		t.Errorf("header = %q", got)
	}

	test.Tap(licButton(t, "Activate license", f.s.Content()))
	dlg := licOverlays(f.s)
	activate := licButton(t, "Activate", dlg...)
	if !activate.Disabled() {
		t.Error("Activate is enabled before any text")
	}
	licEntry(t, dlg...).SetText(string(text)) // a paste
	f.settle(t, "the check", func() bool { return strings.Contains(licText(dlg...), "Valid license") })
	licContains(t, "preview", licText(dlg...), "Valid license: ENTERPRISE plan", "Maple Street Wellness", "demo",
		"DEV-DEMO-ENT-CUSTOM", "unlocked by this license", "Advanced analytics", "Excel export")
	if activate.Disabled() {
		t.Fatal("Activate stays disabled for a valid license")
	}
	if st := f.m.Status("demo"); st.State != license.StateNone {
		t.Fatalf("the license is active before Activate: %v", st.State)
	}

	test.Tap(activate)
	f.settle(t, "the activation", func() bool {
		return strings.Contains(licText(licOverlays(f.s)...), "License activated") && current(f.s)()
	})
	if st := f.m.Status("demo"); st.Plan != license.Enterprise {
		t.Fatalf("after Activate the manager is on %v", st.Plan)
	}
	if f.s.Content() != fyne.CanvasObject(inner) {
		t.Errorf("the locked section did not open after activation: %T", f.s.Content())
	}
	if got := f.s.Badge(analytics); got != "" {
		t.Errorf("analytics badge after activation = %q, want none", got)
	}
	if got := f.s.plan.Text; got != "Plan: ENTERPRISE" {
		t.Errorf("header after activation = %q", got)
	}
	licContains(t, "confirmation", licText(licOverlays(f.s)...), "License activated", "ENTERPRISE")
	if strings.Contains(licText(licOverlays(f.s)...), "Paste the license text") {
		t.Error("the activation dialog stayed open")
	}
}

// Removing from the License screen locks everything again without a restart.
func TestRemoveRegatesLive(t *testing.T) {
	f := newLicShell(t, licTenant(true), licPlan(t, license.Enterprise))
	lockedScreen(f, license.FeatureExportXLSX)
	analytics := f.screen(t, "analytics")
	if got := f.s.Badge(analytics); got != "" {
		t.Fatalf("badge on ENTERPRISE = %q", got)
	}
	f.s.ShowID("license")
	licContains(t, "license screen", licText(f.s.Content()), "ENTERPRISE", "Valid license", "TEST-ENTERPRISE", "Maple Street Wellness", "Last 365 days")
	test.Tap(licButton(t, "Remove", f.s.Content()))
	confirm := licOverlays(f.s)
	licContains(t, "confirmation", licText(confirm...), "Remove the ENTERPRISE license TEST-ENTERPRISE?", "Nothing local is deleted")
	if f.m.Status("demo").Plan != license.Enterprise {
		t.Fatal("Remove acted before confirmation")
	}
	test.Tap(licButton(t, "Remove", confirm...))
	f.settle(t, "the removal", func() bool { return f.s.plan.Text == "Plan: FREE" })
	if got := f.m.Status("demo").State; got != license.StateNone {
		t.Fatalf("state after Remove = %v", got)
	}
	if got := f.s.Badge(analytics); !strings.Contains(got, "STARTER") {
		t.Errorf("analytics badge after Remove = %q", got)
	}
	licContains(t, "license screen after Remove", licText(f.s.Content()), "FREE", "No license", "Last 7 days")
	if got := f.s.plan.Text; got != "Plan: FREE" {
		t.Errorf("header after Remove = %q", got)
	}
	if !licButton(t, "Remove", f.s.Content()).Disabled() {
		t.Error("Remove stays enabled with no license")
	}
	f.s.ShowID("locked-test")
	licContains(t, "section after Remove", licText(f.s.Content()), "Excel export", "PROFESSIONAL")
}

// Failures are worded plainly with their code, Activate stays off and the active license stays.
func TestActivationDialogErrors(t *testing.T) {
	good := licPlan(t, license.Professional)
	// Flip one base64 character inside the armored block.
	lines := strings.Split(string(good), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "-----BEGIN") {
			b := []byte(lines[i+3])
			if b[10] == 'A' {
				b[10] = 'B'
			} else {
				b[10] = 'A'
			}
			lines[i+3] = string(b)
			break
		}
	}
	flipped := []byte(strings.Join(lines, "\n"))
	tests := []struct {
		name string
		text []byte
		want []string
	}{
		{"garbage", []byte("hello, this is my license"), []string{"not a complete license", "MALFORMED"}},
		{"bit flip", flipped, []string{"MALFORMED|BAD_SIGNATURE"}},
		{"expired", licSign(t, license.Payload{Plan: license.Enterprise, IssuedAt: licNow.AddDate(-2, 0, 0), ExpiresAt: licNow.AddDate(-1, 0, 0)}), []string{"has expired", "EXPIRED"}},
		{"not yet", licSign(t, license.Payload{Plan: license.Enterprise, NotBefore: licNow.AddDate(0, 1, 0), ExpiresAt: licNow.AddDate(1, 0, 0)}), []string{"not started yet", "NOT_YET_VALID"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newLicShell(t, licTenant(true), licPlan(t, license.Starter))
			a := showActivationDialog(f.s)
			a.entry.SetText(string(tc.text))
			f.settle(t, "the verdict", func() bool { return strings.Contains(licText(a.result), "Error code") })
			got := licText(a.result)
			for _, w := range tc.want {
				alts := strings.Split(w, "|")
				found := false
				for _, alt := range alts {
					found = found || strings.Contains(got, alt)
				}
				if !found {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
			if !a.activate.Disabled() {
				t.Error("Activate is enabled for a refused license")
			}
			if st := f.m.Status("demo"); st.Plan != license.Starter {
				t.Errorf("the active license changed to %v", st.Plan)
			}
			// Fixing the text enables Activate; clearing it disables it again.
			a.entry.SetText(string(good))
			f.settle(t, "the verdict", func() bool { return strings.Contains(licText(a.result), "Valid license") })
			if a.activate.Disabled() {
				t.Errorf("Activate stays disabled after a valid paste:\n%s", licText(a.result))
			}
			licContains(t, "replacing", licText(a.result), "It replaces the active STARTER license")
			a.entry.SetText("")
			if !a.activate.Disabled() {
				t.Error("Activate enabled for an empty text")
			}
		})
	}
}

func TestLicenseScreenFeatureRows(t *testing.T) {
	tests := []struct {
		name     string
		plan     license.Plan
		payments bool
		locked   map[string]string // feature name -> a phrase in Details ("" for the description)
	}{
		{"free", license.Free, true, map[string]string{
			"Analytics charts": "", "Advanced analytics": "", "Revenue analytics": "", "JSON export": "", "Excel export": "",
			"PDF reports": "", "Excel reports": "", "Period comparisons": "", "Busy hours": "", "Staff performance": "", "Customer insights": "", "Scheduled jobs": ""}},
		{"professional without payments", license.Professional, false, map[string]string{"Revenue analytics": "accepts payments"}},
		{"enterprise", license.Enterprise, true, map[string]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var text []byte
			if tc.plan != license.Free {
				text = licPlan(t, tc.plan)
			}
			f := newLicShell(t, licTenant(tc.payments), text)
			rows := featureRows(f.s.Entitlements())
			feats := license.Features()
			if len(rows) != len(feats) {
				t.Fatalf("%d rows for %d features", len(rows), len(feats))
			}
			for i, r := range rows {
				ft := feats[i]
				why, wantLocked := tc.locked[r.Name]
				if r.Allowed == wantLocked {
					t.Errorf("%s: allowed = %v", r.Name, r.Allowed)
				}
				if !strings.HasPrefix(r.Unlocks, ft.MinPlan.String()) && r.Details != "Turned off by your license" {
					t.Errorf("%s: unlocked by %q, want %s", r.Name, r.Unlocks, ft.MinPlan)
				}
				if why == "" {
					why = ft.Description
				}
				if !strings.Contains(r.Details, why) {
					t.Errorf("%s: details = %q, want %q", r.Name, r.Details, why)
				}
				if r.Name == "Revenue analytics" && r.Unlocks != "PROFESSIONAL + payments" {
					t.Errorf("revenue unlocked by %q", r.Unlocks)
				}
			}
			f.s.ShowID("license")
			licContains(t, "screen", licText(f.s.Content()), tc.plan.String(), "What your plan includes", "[Activate license]", "[Remove]")
		})
	}
}

func TestLicenseStatesAndBanners(t *testing.T) {
	text := licSign(t, license.Payload{LicenseID: "L1", Plan: license.Professional, ExpiresAt: licNow.AddDate(0, 0, 30), GraceDays: 7})
	tests := []struct {
		name        string
		at          time.Time
		plan        string
		screen      []string
		banner      string
		wantBanner  bool
		bannerLabel string
	}{
		{"valid", licNow, "PROFESSIONAL", []string{"Valid license"}, "", false, ""},
		{"expiring", licNow.AddDate(0, 0, 20), "PROFESSIONAL", []string{"expiring in 10 days"}, "expires on", true, ""},
		{"grace", licNow.AddDate(0, 0, 33), "PROFESSIONAL", []string{"grace period"}, "Everything keeps working until", true, ""},
		{"expired", licNow.AddDate(0, 0, 40), "FREE", []string{"Expired: back on FREE"}, "back on FREE", true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newLicShell(t, licTenant(true), text)
			f.setNow(tc.at)
			f.s.ShowID("license")
			f.s.Refresh()
			f.settle(t, "the refresh", current(f.s))
			if got := f.s.plan.Text; got != "Plan: "+tc.plan {
				t.Errorf("header = %q, want plan %s", got, tc.plan)
			}
			licContains(t, "screen", licText(f.s.Content()), tc.screen...)
			banners := licText(f.s.banner)
			if license.DevelopmentBuild() != strings.Contains(banners, "Development build") {
				t.Errorf("development banner shown = %v in a development build = %v", !license.DevelopmentBuild(), license.DevelopmentBuild())
			}
			if tc.wantBanner {
				licContains(t, "banner", banners, tc.banner, "[Activate license]")
			} else if strings.Contains(banners, "[Activate license]") {
				t.Errorf("a valid license shows a license banner:\n%s", banners)
			}
		})
	}
}

// A stored license that does not apply (another tenant) says so on the License screen.
func TestLicenseScreenForeignLicense(t *testing.T) {
	f := newLicShell(t, licTenant(true), nil)
	other := licSign(t, license.Payload{TenantID: "other", Plan: license.Enterprise, ExpiresAt: licNow.AddDate(1, 0, 0)})
	if _, err := f.m.Activate(other); err != nil {
		t.Fatal(err)
	}
	// Licenses are saved per tenant, so only a file copied by hand is another tenant's.
	copyLicenseFile(t, f.m.Dir(), "other", "demo")
	f.s.Refresh()
	f.settle(t, "the refresh", current(f.s))
	f.s.ShowID("license")
	licContains(t, "screen", licText(f.s.Content()), "does not apply", "different business", "WRONG_TENANT", "FREE")
	if b := licButton(t, "Remove", f.s.Content()); b.Disabled() {
		t.Error("Remove should be offered for a stored license that does not apply")
	}
}
