package sync_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/datatest"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/data/sync/tenantserver"
)

// newTenantServer starts a tenantd-like server for tenant id with its own token.
func newTenantServer(tb testing.TB, id, name, token string, n int) *httptest.Server {
	tb.Helper()
	rt := datasync.RemoteTenant{Tenant: data.Tenant{ID: id, Name: name, TimeZone: "Europe/Berlin", Currency: "EUR"}}
	srv, err := tenantserver.New(context.Background(), rt, token, demo.Options{Appointments: n, Seed: 9, Today: datatest.Today})
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(ts.Close)
	return ts
}

// TestSyncSecondTenantNeedsAdd: with a synced tenant active, a server serving a tenant the home
// does not keep is refused (naming both, nothing written) unless AddTenant; then it is added and
// active, the first kept; a server of a tenant the home keeps needs no AddTenant.
func TestSyncSecondTenantNeedsAdd(t *testing.T) {
	_, tsA := datatest.NewServer(t, 300)
	tsB := newTenantServer(t, "birch", "Birch Yoga", "b-token", 200)
	h := data.Home{Dir: t.TempDir()}
	ctx := context.Background()
	if _, err := datasync.Sync(ctx, h, datatest.Options(tsA.URL)); err != nil {
		t.Fatal(err)
	}
	before := datatest.DumpTables(t, h.TenantPath("maple"))
	oB := datasync.Options{Server: tsB.URL, Token: "b-token", Retry: datatest.FastRetry()}
	res, err := datasync.Sync(ctx, h, oB)
	var ote *datasync.OtherTenantError
	if !errors.As(err, &ote) || !errors.Is(err, data.ErrTenantChanged) || ote.Active.Name != "Maple Street Wellness" || ote.Remote.ID != "birch" {
		t.Fatalf("without AddTenant: err %v", err)
	}
	if !strings.Contains(err.Error(), "Birch Yoga") || !strings.Contains(err.Error(), "Maple Street Wellness") || !res.Accepted || res.Remote.ID != "birch" {
		t.Errorf("refusal %q, result %+v", err, res)
	}
	if id, _ := h.ActiveTenant(); id != "maple" {
		t.Errorf("active %q after the refusal", id)
	}
	if _, err := os.Stat(h.TenantPath("birch")); err == nil {
		t.Error("a refused sync created the other tenant's store")
	}
	datatest.SameTables(t, datatest.DumpTables(t, h.TenantPath("maple")), before)

	oB.AddTenant = true
	res, err = datasync.Sync(ctx, h, oB)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Added || !res.NewTenant || res.Tenant.ID != "birch" || res.Entity("appointments").Added != 200 {
		t.Errorf("added: %+v", res)
	}
	if id, _ := h.ActiveTenant(); id != "birch" {
		t.Errorf("active %q, want birch", id)
	}
	datatest.SameTables(t, datatest.DumpTables(t, h.TenantPath("maple")), before)
	if list, _ := store.Tenants(ctx, h); len(list) != 2 {
		t.Errorf("tenants %+v", list)
	}

	// Back to maple's server: the home keeps it, so no AddTenant is needed; it becomes active.
	res, err = datasync.Sync(ctx, h, datatest.Options(tsA.URL))
	if err != nil || res.Added || !res.NewTenant || res.Tenant.ID != "maple" {
		t.Fatalf("known tenant: %+v, %v", res, err)
	}
	if id, _ := h.ActiveTenant(); id != "maple" {
		t.Errorf("active %q, want maple", id)
	}
}

func TestSyncSettingsPerTenant(t *testing.T) {
	h := data.Home{Dir: t.TempDir()}
	ctx := context.Background()
	putTenant(t, h, "maple", nil)
	putTenant(t, h, "birch", nil)
	a := datasync.Settings{Server: "http://a.example", Token: "ta"}
	b := datasync.Settings{Server: "http://b.example", Token: "tb"}
	if err := datasync.SaveSettingsOf(h, "maple", a); err != nil {
		t.Fatal(err)
	}
	if err := datasync.SaveSettingsOf(h, "birch", b); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]datasync.Settings{"maple": a, "birch": b} {
		if err := h.SetActive(id); err != nil {
			t.Fatal(err)
		}
		if got, err := datasync.LoadSettings(ctx, h); err != nil || got != want {
			t.Errorf("active %s: got %+v, %v", id, got, err)
		}
	}
	if got, _ := datasync.SettingsOf(ctx, h, data.DemoTenantID); got != (datasync.Settings{}) {
		t.Errorf("demo slot %+v", got)
	}
	if err := datasync.SaveSettingsOf(h, "../x", a); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("bad id: %v", err)
	}
}

// putTenant writes a synced tenant's store with its last sync time.
func putTenant(t *testing.T, h data.Home, id string, last *time.Time) {
	t.Helper()
	st, err := store.Open(context.Background(), h.TenantPath(id))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetTenant(context.Background(), data.Tenant{ID: id, Name: id, TimeZone: "UTC", Currency: "EUR", LastSyncAt: last}); err != nil {
		t.Fatal(err)
	}
}

// TestSyncSettingsMigration: the single sync.json of earlier versions moves to the synced tenant
// whose last sync is newest (the demo's slot without one), never over a tenant's own settings.
func TestSyncSettingsMigration(t *testing.T) {
	old, recent := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	legacy := `{"server":"http://127.0.0.1:8417","token":"tok","last_result":"1 added","last_ok":true}`
	cases := []struct {
		name    string
		setup   func(t *testing.T, h data.Home)
		owner   string
		keepOld string // a tenant whose own settings must stay
	}{
		{"newest sync owns it", func(t *testing.T, h data.Home) {
			putTenant(t, h, "maple", &recent)
			putTenant(t, h, "birch", &old)
			_ = h.SetActive("birch")
		}, "maple", ""},
		{"demo only", func(t *testing.T, h data.Home) {
			if _, err := demo.Build(context.Background(), h, demo.Options{Appointments: 20, Seed: 1, Today: datatest.Today}); err != nil {
				t.Fatal(err)
			}
		}, data.DemoTenantID, ""},
		{"tie goes to the active", func(t *testing.T, h data.Home) {
			putTenant(t, h, "aa", nil)
			putTenant(t, h, "zz", nil)
			_ = h.SetActive("zz")
		}, "zz", ""},
		{"own settings win", func(t *testing.T, h data.Home) {
			putTenant(t, h, "maple", &recent)
			_ = datasync.SaveSettingsOf(h, "maple", datasync.Settings{Server: "http://own", Token: "own"})
		}, "maple", "http://own"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := data.Home{Dir: t.TempDir()}
			tc.setup(t, h)
			if err := os.WriteFile(filepath.Join(h.Dir, datasync.LegacySyncSetting), []byte(legacy), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := datasync.SettingsOf(context.Background(), h, tc.owner)
			if err != nil {
				t.Fatal(err)
			}
			want := "http://127.0.0.1:8417"
			if tc.keepOld != "" {
				want = tc.keepOld
			}
			if got.Server != want || (tc.keepOld == "" && (got.Token != "tok" || got.LastResult != "1 added" || !got.LastOK)) {
				t.Errorf("owner %s: %+v", tc.owner, got)
			}
			if _, err := os.Stat(filepath.Join(h.Dir, datasync.LegacySyncSetting)); err == nil {
				t.Error("sync.json is still there")
			}
			fi, err := os.Stat(datasync.SettingsPath(h, tc.owner))
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("migrated file: %v %v", fi, err)
			}
			for _, other := range []string{"maple", "birch", "aa", "zz", data.DemoTenantID} {
				if other == tc.owner {
					continue
				}
				if _, err := os.Stat(datasync.SettingsPath(h, other)); err == nil {
					t.Errorf("%s got settings too", other)
				}
			}
		})
	}
}

func TestSyncSettingsDamaged(t *testing.T) {
	h := data.Home{Dir: t.TempDir()}
	if err := os.WriteFile(filepath.Join(h.Dir, datasync.LegacySyncSetting), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := datasync.LoadSettings(context.Background(), h); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged legacy file: %v", err)
	}
}
