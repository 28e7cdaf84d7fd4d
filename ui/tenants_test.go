package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// copyLicenseFile puts tenant from's saved license under tenant to's name, as a user copying
// files by hand would.
func copyLicenseFile(t *testing.T, dir, from, to string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "tenants", from+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tenants", to+".txt"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// fakeTenants is a home's tenant list; Use marks the tenant active and returns its reports.
type fakeTenants struct {
	mu      sync.Mutex
	list    []data.TenantEntry
	reports map[string]Reports
	used    []string
}

func (f *fakeTenants) List(context.Context) ([]data.TenantEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.list), nil
}

func (f *fakeTenants) Use(_ context.Context, id string) (Reports, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.used = append(f.used, id)
	for i := range f.list {
		f.list[i].Active = f.list[i].ID == id
	}
	return f.reports[id], nil
}

func maple1() data.Tenant {
	return data.Tenant{ID: "maple-1", Name: "Maple Street Wellness", TimeZone: "America/New_York", Currency: "USD", CanAcceptPayments: true}
}

// newTenantShell is newLicShell with a tenant switcher over tenants, showing the first one.
func newTenantShell(t *testing.T, m func(*license.Manager) *license.Manager, tenants ...data.Tenant) (*licFixture, *fakeTenants) {
	t.Helper()
	f := &licFixture{app: &licApp{App: test.NewTempApp(t)}, now: licNow}
	f.m = m(license.NewManagerWithKeys(t.TempDir(), f.clock, licDevKeys(t)))
	ft := &fakeTenants{reports: map[string]Reports{}}
	for i, tn := range tenants {
		ft.list = append(ft.list, data.TenantEntry{Tenant: tn, Active: i == 0})
		ft.reports[tn.ID] = tenantOnly(tn)
	}
	f.pump = make(chan func(), 1024)
	f.s = NewShell(f.app, Config{Reports: tenantOnly(tenants[0]), Licenses: f.m, Tenants: ft, Dispatch: func(fn func()) { f.pump <- fn }})
	t.Cleanup(f.s.Win.Close)
	f.settle(t, "the shell's first load", func() bool { return f.s.loaded })
	return f, ft
}

func noDemo(m *license.Manager) *license.Manager { return m }

func withDemo(m *license.Manager) *license.Manager { return m.WithDemoTenant(data.DemoTenantID) }

func TestTenantSwitcherRegatesWithoutRestart(t *testing.T) {
	f, ft := newTenantShell(t, noDemo, licTenant(true), maple1())
	if _, err := f.m.Activate(licSign(t, license.Payload{TenantID: "maple-1", Plan: license.Enterprise, ExpiresAt: licNow.AddDate(1, 0, 0)})); err != nil {
		t.Fatal(err)
	}
	sel := f.s.switcher.sel
	f.settle(t, "the switcher", func() bool { return f.s.switcher.view.Visible() && len(sel.Options) == 2 })
	want := []string{"Maple Street Wellness (demo)", "Maple Street Wellness (maple-1)"}
	if !slices.Equal(sel.Options, want) || sel.Selected != want[0] || f.s.title.Visible() {
		t.Fatalf("switcher options %q selected %q title visible %v", sel.Options, sel.Selected, f.s.title.Visible())
	}
	analytics := f.screen(t, "analytics")
	if f.s.plan.Text != "Plan: FREE" || f.s.Badge(analytics) == "" {
		t.Fatalf("before the switch: %q, badge %q", f.s.plan.Text, f.s.Badge(analytics))
	}
	f.s.ShowID("license")
	sel.SetSelected(want[1])
	f.settle(t, "the switch", func() bool { return f.s.Tenant().ID == "maple-1" })
	if f.s.plan.Text != "Plan: ENTERPRISE" || f.s.Badge(analytics) != "" {
		t.Errorf("after the switch: %q, analytics badge %q", f.s.plan.Text, f.s.Badge(analytics))
	}
	licContains(t, "license screen after the switch", licText(f.s.Content()), "ENTERPRISE", "maple-1")
	f.settle(t, "the reloaded switcher", func() bool { return sel.Selected == want[1] })
	if f.s.Current() != "license" {
		t.Errorf("the switch left the screen on show: %s", f.s.Current())
	}
	if !slices.Equal(ft.used, []string{"maple-1"}) {
		t.Errorf("Use calls %v", ft.used)
	}
}

func TestTenantSwitcherHiddenWithOneTenant(t *testing.T) {
	f, _ := newTenantShell(t, noDemo, maple1())
	f.drain()
	f.s.Refresh()
	f.settle(t, "the refresh", current(f.s))
	f.drain()
	if f.s.switcher.view.Visible() || !f.s.title.Visible() || f.s.title.Text != "Maple Street Wellness" {
		t.Errorf("one tenant: switcher visible %v, title %q visible %v", f.s.switcher.view.Visible(), f.s.title.Text, f.s.title.Visible())
	}
}

func TestTenantLabels(t *testing.T) {
	list := []data.TenantEntry{
		{Tenant: data.Tenant{ID: "demo", Name: "Maple Street Wellness"}},
		{Tenant: data.Tenant{ID: "maple-1", Name: "Maple Street Wellness"}},
		{Tenant: data.Tenant{ID: "oak", Name: "Oak Dental"}},
		{Tenant: data.Tenant{ID: "broken"}},
	}
	want := []string{"Maple Street Wellness (demo)", "Maple Street Wellness (maple-1)", "Oak Dental", "broken"}
	if got := TenantLabels(list); !slices.Equal(got, want) {
		t.Errorf("TenantLabels = %q, want %q", got, want)
	}
}

// On the demo, the License screen says a license is issued for the business's own id and
// that the demo is trying the license saved for it; the demo cannot remove that license.
func TestLicenseScreenOnDemo(t *testing.T) {
	f, _ := newTenantShell(t, withDemo, licTenant(true), maple1())
	f.s.ShowID("license")
	licContains(t, "demo without a license", licText(f.s.Content()), DemoLicenseText, "No license: FREE plan")
	if _, err := f.m.Activate(licSign(t, license.Payload{TenantID: "maple-1", Plan: license.Enterprise, ExpiresAt: licNow.AddDate(1, 0, 0)})); err != nil {
		t.Fatal(err)
	}
	f.settle(t, "the re-gate", func() bool { return f.s.plan.Text == "Plan: ENTERPRISE" })
	f.s.ShowID("license")
	licContains(t, "demo trying a license", licText(f.s.Content()), "Demo data: trying the license saved for tenant maple-1", DemoLicenseText)
	if !licButton(t, "Remove", f.s.Content()).Disabled() {
		t.Error("the demo offers to remove another tenant's license")
	}
}

// A license for a tenant that is not active is accepted and saved for it, with a notice.
func TestActivationForAnotherTenant(t *testing.T) {
	acme := maple1()
	acme.ID = "acme"
	f, _ := newTenantShell(t, withDemo, acme)
	a := showActivationDialog(f.s)
	a.entry.SetText(string(licSign(t, license.Payload{TenantID: "other", Plan: license.Enterprise, ExpiresAt: licNow.AddDate(1, 0, 0)})))
	f.settle(t, "the verdict", func() bool { return !a.activate.Disabled() })
	licContains(t, "verdict", licText(a.result), "Valid license", "This license is for tenant other, not the active tenant acme", "applies when that tenant is active")
	a.confirm()
	f.settle(t, "the activation", func() bool { return f.m.Status("other").Plan == license.Enterprise })
	if got := f.m.Status("acme").Plan; got != license.Free {
		t.Errorf("acme got %v from another tenant's license", got)
	}
	if f.s.plan.Text != "Plan: FREE" {
		t.Errorf("header %q", f.s.plan.Text)
	}
}

// The preview of a license for another tenant compares with that tenant's features, not the
// active one's: activating it takes nothing from the tenant on show.
func TestActivationPreviewForAnotherTenantLosesNothing(t *testing.T) {
	acme := maple1()
	acme.ID = "acme"
	f, _ := newTenantShell(t, noDemo, acme)
	if _, err := f.m.Activate(licSign(t, license.Payload{TenantID: "acme", Plan: license.Enterprise, ExpiresAt: licNow.AddDate(1, 0, 0)})); err != nil {
		t.Fatal(err)
	}
	f.settle(t, "the re-gate", func() bool { return f.s.plan.Text == "Plan: ENTERPRISE" })
	a := showActivationDialog(f.s)
	a.entry.SetText(string(licSign(t, license.Payload{TenantID: "other", Plan: license.Starter, ExpiresAt: licNow.AddDate(1, 0, 0)})))
	f.settle(t, "the verdict", func() bool { return !a.activate.Disabled() })
	got := licText(a.result)
	if strings.Contains(got, "you would lose it") {
		t.Errorf("a license for another tenant says the active tenant would lose features:\n%s", got)
	}
	licContains(t, "verdict", got, "unlocked by this license") // other is on FREE now
}

// TestTenantSwitcherWaitsForRunningWork: while an export runs on the tenant on show, picking
// another tenant does not switch (that would close the store under the export).
func TestTenantSwitcherWaitsForRunningWork(t *testing.T) {
	f, ft := newTenantShell(t, noDemo, licTenant(true), maple1())
	sel := f.s.switcher.sel
	f.settle(t, "the switcher", func() bool { return f.s.switcher.view.Visible() && len(sel.Options) == 2 })
	first := sel.Selected
	f.s.exportJob().stop = func() {} // an export in progress
	sel.SetSelected(sel.Options[1])
	f.drain()
	if len(ft.used) != 0 || f.s.Tenant().ID != "demo" || sel.Selected != first {
		t.Fatalf("switched under a running export: Use calls %v, tenant %s, selected %q", ft.used, f.s.Tenant().ID, sel.Selected)
	}
	f.s.exports.stop = nil // the export finished
	sel.SetSelected(sel.Options[1])
	f.settle(t, "the switch", func() bool { return f.s.Tenant().ID == "maple-1" })
}
