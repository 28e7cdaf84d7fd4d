package ui

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/license"
)

func TestLockedButtonShowsOverlayNamingPlan(t *testing.T) {
	tests := []struct {
		feature, label string
		wantPlan       string
		wantName       string
	}{
		{license.FeatureExportXLSX, "Export Excel", "PROFESSIONAL", "Excel export"},
		{license.FeatureExportJSON, "Export JSON", "STARTER", "JSON export"},
		{license.FeatureAdvancedAnalytics, "Compare periods", "PROFESSIONAL", "Advanced analytics"},
	}
	for _, tc := range tests {
		t.Run(tc.feature, func(t *testing.T) {
			f := newLicShell(t, licTenant(true), nil)
			tapped := false
			o := NewLockedButton(f.s, tc.feature, tc.label, theme.DownloadIcon(), func() { tapped = true })
			b, ok := o.(*widget.Button)
			if !ok {
				t.Fatalf("locked button is %T, want *widget.Button", o)
			}
			if !strings.Contains(b.Text, tc.label) || !strings.Contains(b.Text, tc.wantPlan) {
				t.Errorf("button text %q should name %q and the plan %s", b.Text, tc.label, tc.wantPlan)
			}
			if b.Icon != LockIcon() {
				t.Error("a locked button shows the lock icon")
			}
			if n := len(licOverlays(f.s)); n != 0 {
				t.Fatalf("%d overlays before the tap", n)
			}
			test.Tap(b)
			if tapped {
				t.Error("a locked button ran its action")
			}
			ov := licOverlays(f.s)
			if len(ov) != 1 {
				t.Fatalf("%d overlays after the tap, want the prompt", len(ov))
			}
			licContains(t, "overlay", licText(ov...), tc.wantName, tc.wantPlan, "Your FREE plan does not include", "[Upgrade]", "[Activate license]", "[Close]")
			test.Tap(licButton(t, "Close", ov...))
			if n := len(licOverlays(f.s)); n != 0 {
				t.Errorf("Close left %d overlays", n)
			}
		})
	}
}

func TestLockedButtonAllowedRuns(t *testing.T) {
	f := newLicShell(t, licTenant(true), licPlan(t, license.Enterprise))
	tapped := false
	o := NewLockedButton(f.s, license.FeatureExportXLSX, "Export Excel", theme.DownloadIcon(), func() { tapped = true })
	b := o.(*widget.Button)
	if b.Text != "Export Excel" || b.Icon != theme.DownloadIcon() {
		t.Errorf("allowed button = %q with icon %v, want the plain label and its own icon", b.Text, b.Icon)
	}
	test.Tap(b)
	if !tapped {
		t.Error("an allowed button did not run its action")
	}
	if n := len(licOverlays(f.s)); n != 0 {
		t.Errorf("an allowed button showed %d overlays", n)
	}
}

func TestLockedButtonActivateOpensDialog(t *testing.T) {
	f := newLicShell(t, licTenant(true), nil)
	test.Tap(NewLockedButton(f.s, license.FeatureExportXLSX, "Export Excel", nil, func() {}).(*widget.Button))
	test.Tap(licButton(t, "Activate license", licOverlays(f.s)...))
	ov := licOverlays(f.s)
	if len(ov) != 1 {
		t.Fatalf("%d overlays, want only the activation dialog (the prompt closes itself)", len(ov))
	}
	licContains(t, "dialog", licText(ov...), "Activate license", "Paste the license text", "[Activate]", "[Open file…]")
}

func TestUpgradePromptVariants(t *testing.T) {
	variants := map[string]PromptVariant{"inline": PromptInline, "banner": PromptBanner, "overlay": PromptOverlay}
	for name, v := range variants {
		t.Run(name, func(t *testing.T) {
			f := newLicShell(t, licTenant(true), nil)
			p := NewUpgradePrompt(f.s, v, license.FeatureAdvancedAnalytics)
			w := test.NewTempWindow(t, p)
			w.Resize(fyne.NewSize(900, 400))
			licContains(t, name, licText(p), "Advanced analytics", "PROFESSIONAL", "Your FREE plan does not include Advanced analytics")
			test.Tap(licButton(t, "Upgrade", p))
			if got := f.app.urls(); len(got) != 1 || got[0] != license.DefaultUpgradeURL {
				t.Errorf("Upgrade opened %v, want [%s]", got, license.DefaultUpgradeURL)
			}
			test.Tap(licButton(t, "Activate license", p))
			licContains(t, "after Activate license", licText(licOverlays(f.s)...), "Paste the license text")
		})
	}
}

func TestUpgradePromptUsesLicenseUpgradeURL(t *testing.T) {
	const link = "https://vendor.example/upgrade?from=starter"
	text := licSign(t, license.Payload{LicenseID: "S1", Plan: license.Starter, ExpiresAt: licNow.AddDate(1, 0, 0), UpgradeURL: link})
	f := newLicShell(t, licTenant(true), text)
	p := NewUpgradePrompt(f.s, PromptInline, license.FeatureExportXLSX)
	licContains(t, "prompt", licText(p), "Your STARTER plan does not include Excel export", "PROFESSIONAL")
	test.Tap(licButton(t, "Upgrade", p))
	if got := f.app.urls(); len(got) != 1 || got[0] != link {
		t.Errorf("Upgrade opened %v, want [%s]", got, link)
	}
}

func TestUpgradePromptEmptyWhenAllowed(t *testing.T) {
	f := newLicShell(t, licTenant(true), licPlan(t, license.Professional))
	for _, v := range []PromptVariant{PromptInline, PromptBanner, PromptOverlay} {
		p := NewUpgradePrompt(f.s, v, license.FeatureExportXLSX)
		if txt := licText(p); txt != "" {
			t.Errorf("variant %d shows %q for an allowed feature", v, txt)
		}
		if p.MinSize().Height != 0 {
			t.Errorf("variant %d takes %v for an allowed feature", v, p.MinSize())
		}
	}
}

// Revenue analytics has two conditions; the prompt must say which one is missing and offer
// Upgrade only when a plan would help.
func TestRevenuePromptNamesMissingCondition(t *testing.T) {
	tests := []struct {
		name        string
		plan        license.Plan // Free: no license
		payments    bool
		want        []string
		notWant     []string
		wantUpgrade bool
	}{
		{"plan missing", license.Free, true, []string{"Your FREE plan does not include Revenue analytics", "PROFESSIONAL"}, []string{"accepts payments, and this tenant"}, true},
		{"payments missing", license.Enterprise, false, []string{"needs a tenant that accepts payments", "Turn on payments"}, []string{"does not include"}, false},
		{"both missing", license.Starter, false, []string{"Your STARTER plan does not include Revenue analytics", "accepts payments", "Upgrade to PROFESSIONAL and turn on payments"}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var text []byte
			if tc.plan != license.Free {
				text = licPlan(t, tc.plan)
			}
			f := newLicShell(t, licTenant(tc.payments), text)
			for _, v := range []PromptVariant{PromptInline, PromptBanner, PromptOverlay} {
				got := licText(NewUpgradePrompt(f.s, v, license.FeatureRevenueAnalytics))
				licContains(t, tc.name, got, tc.want...)
				for _, nw := range tc.notWant {
					if strings.Contains(got, nw) {
						t.Errorf("variant %d says %q:\n%s", v, nw, got)
					}
				}
				if has := strings.Contains(got, "[Upgrade]"); has != tc.wantUpgrade {
					t.Errorf("variant %d: Upgrade shown = %v, want %v", v, has, tc.wantUpgrade)
				}
			}
			// The overlay ticks the met condition and crosses the missing one.
			overlay := licText(NewUpgradePrompt(f.s, PromptOverlay, license.FeatureRevenueAnalytics))
			licContains(t, "overlay conditions", overlay, "plan or higher", "A tenant that accepts payments")
		})
	}
}

func TestLockedSectionDimsAndBlocks(t *testing.T) {
	f := newLicShell(t, licTenant(true), nil)
	tapped := 0
	inner := widget.NewButton("Compare periods", func() { tapped++ })
	content := container.NewVBox(container.NewHBox(inner, layout.NewSpacer()), layout.NewSpacer())
	sec := NewLockedSection(f.s, license.FeatureAdvancedAnalytics, content)
	w := test.NewTempWindow(t, sec)
	w.Resize(fyne.NewSize(900, 600))
	licContains(t, "locked section", licText(sec), "Advanced analytics", "PROFESSIONAL", "[Upgrade]", "[Activate license]")
	if !inner.Visible() {
		t.Error("locked content should stay in place, dimmed, not hidden")
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(inner).Add(fyne.NewPos(5, 5))
	test.TapCanvas(w.Canvas(), pos)
	if tapped != 0 {
		t.Error("a tap went through the lock to the content")
	}

	open := NewLockedSection(newLicShell(t, licTenant(true), licPlan(t, license.Professional)).s, license.FeatureAdvancedAnalytics, content)
	if open != content {
		t.Errorf("an allowed section is %T, want the content itself", open)
	}
}

func TestHistoryPrompt(t *testing.T) {
	f := newLicShell(t, licTenant(true), nil)
	w := f.s.Entitlements().Window(licNow)
	err := w.CheckDate(licNow.AddDate(0, 0, -30))
	var he *license.HistoryError
	if !errors.As(err, &he) {
		t.Fatalf("CheckDate 30 days back on FREE = %v, want a HistoryError", err)
	}
	p := NewHistoryPrompt(f.s, he)
	licContains(t, "history prompt", licText(p), "30 days ago", "last 7 days", "Upgrade to STARTER")
	test.Tap(licButton(t, "Upgrade", p))
	if got := f.app.urls(); len(got) != 1 || got[0] != he.UpgradeURL {
		t.Errorf("Upgrade opened %v, want [%s]", got, he.UpgradeURL)
	}
	if txt := licText(NewHistoryPrompt(f.s, nil)); txt != "" {
		t.Errorf("a nil error shows %q", txt)
	}
}

func TestRevokedFeatureRow(t *testing.T) {
	text := licSign(t, license.Payload{LicenseID: "E1", Plan: license.Enterprise, ExpiresAt: licNow.AddDate(1, 0, 0),
		Features: map[string]bool{license.FeatureExportXLSX: false}})
	f := newLicShell(t, licTenant(true), text)
	for _, r := range featureRows(f.s.Entitlements()) {
		if r.Name != "Excel export" {
			continue
		}
		if r.Allowed || r.Details != "Turned off by your license" || r.Unlocks != "A license that includes it" {
			t.Errorf("revoked row = %+v", r)
		}
	}
	// Upgrading does not help with a revoked feature, but a new license does.
	p := licText(NewUpgradePrompt(f.s, PromptInline, license.FeatureExportXLSX))
	licContains(t, "revoked prompt", p, "Your license turns off Excel export", "[Activate license]")
}

// TestPromptGallery renders the three prompt variants, a locked button's overlay and the
// revenue conditions in both themes, for looking at: set ALMANAC_SCREENSHOTS=DIR.
func TestPromptGallery(t *testing.T) {
	dir := os.Getenv("ALMANAC_SCREENSHOTS")
	if dir == "" {
		t.Skip("set ALMANAC_SCREENSHOTS=DIR to write the prompt gallery")
	}
	for _, variant := range []string{"light", "dark"} {
		f := newLicShell(t, licTenant(true), licPlan(t, license.Starter))
		f.app.Settings().SetTheme(ThemeFor(variant))
		card := newPanel(container.NewVBox(
			widget.NewLabelWithStyle("Inline, inside a card", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			NewUpgradePrompt(f.s, PromptInline, license.FeatureExportXLSX)))
		content := container.NewVBox(
			widget.NewLabelWithStyle("Banner, at the top of a screen", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			NewUpgradePrompt(f.s, PromptBanner, license.FeatureAdvancedAnalytics),
			card,
			widget.NewLabelWithStyle("Overlay, over a locked section; locked button", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			container.NewHBox(NewLockedButton(f.s, license.FeatureExportXLSX, "Export Excel", theme.DownloadIcon(), func() {})),
		)
		locked := NewLockedSection(f.s, license.FeatureRevenueAnalytics, container.NewGridWithColumns(3,
			NewCard("Revenue", "Succeeded payments by the local date they were paid."),
			NewCard("Transactions", "Number of succeeded payments."),
			NewCard("Average", "Revenue ÷ transactions.")))
		w := test.NewTempWindow(t, container.NewPadded(container.NewBorder(content, nil, nil, nil, locked)))
		// Wrapped labels learn their height from their width: lay out twice, as a live window does.
		w.Resize(fyne.NewSize(900, 760))
		w.Canvas().Capture()
		w.Content().Refresh()
		w.Resize(fyne.NewSize(900, 761))
		writePNG(t, filepath.Join(dir, "prompts-"+variant+".png"), w.Canvas().Capture())

		// A locked button, tapped: the overlay prompt as a modal over the window.
		f.s.Win.Resize(fyne.NewSize(900, 560))
		test.Tap(NewLockedButton(f.s, license.FeatureExportXLSX, "Export Excel", nil, func() {}).(*widget.Button))
		f.s.Win.Canvas().Capture()
		writePNG(t, filepath.Join(dir, "locked-button-"+variant+".png"), f.s.Win.Canvas().Capture())
	}
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
