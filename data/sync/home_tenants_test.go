package sync_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/datatest"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/demo"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/data/sync/tenantserver"
)

// putSyncedTenant makes a store in h as a sync would leave it: a server tenant, not demo data.
func putSyncedTenant(t *testing.T, h data.Home, id, name string) {
	t.Helper()
	st, err := store.Open(context.Background(), h.TenantPath(id))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 15, 4, 0, 0, time.UTC)
	if err := st.SetTenant(context.Background(), data.Tenant{ID: id, Name: name, TimeZone: "America/New_York", Currency: "USD", LastSyncAt: &at}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestHomeTenantsListAndUse(t *testing.T) {
	ctx := context.Background()
	h := data.Home{Dir: t.TempDir()}
	if got, err := store.Tenants(ctx, h); err != nil || len(got) != 0 {
		t.Fatalf("empty home: %v, %v", got, err)
	}
	if _, err := demo.Build(ctx, h, demo.Options{Appointments: 200, Seed: 1, Today: datatest.Today}); err != nil {
		t.Fatal(err)
	}
	putSyncedTenant(t, h, "maple-1", "Maple Street Wellness")
	got, err := store.Tenants(ctx, h)
	if err != nil || len(got) != 2 {
		t.Fatalf("Tenants = %+v, %v", got, err)
	}
	if got[0].ID != "demo" || !got[0].Active || got[0].Source() != "demo" || got[0].Name != got[1].Name {
		t.Errorf("first = %+v", got[0])
	}
	if got[1].ID != "maple-1" || got[1].Active || got[1].Source() != "server" || got[1].LastSyncAt == nil {
		t.Errorf("second = %+v", got[1])
	}
	tn, err := store.UseTenant(ctx, h, "maple-1")
	if err != nil || tn.ID != "maple-1" {
		t.Fatalf("UseTenant = %+v, %v", tn, err)
	}
	if id, _ := h.ActiveTenant(); id != "maple-1" {
		t.Errorf("active = %q", id)
	}
	if _, err := store.UseTenant(ctx, h, "nope"); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("unknown tenant: %v", err)
	}
	if _, err := store.UseTenant(ctx, h, "../x"); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("bad id: %v", err)
	}
	if id, _ := h.ActiveTenant(); id != "maple-1" {
		t.Errorf("a refused use changed the active tenant to %q", id)
	}
}

func TestBuildDemoKeepsSyncedStore(t *testing.T) {
	ctx := context.Background()
	h := data.Home{Dir: t.TempDir()}
	putSyncedTenant(t, h, data.DemoTenantID, "Synced Business") // synced by a build that allowed the id
	if err := h.SetActive(data.DemoTenantID); err != nil {
		t.Fatal(err)
	}
	_, err := demo.Build(ctx, h, demo.Options{Appointments: 50, Seed: 1, Today: datatest.Today})
	if !errors.Is(err, data.ErrTenantChanged) {
		t.Fatalf("BuildDemo over a synced store: %v", err)
	}
	tn, err := store.ReadTenantFile(ctx, h.TenantPath(data.DemoTenantID))
	if err != nil || tn.Name != "Synced Business" || tn.IsDemo {
		t.Errorf("synced store replaced: %+v, %v", tn, err)
	}
	// A demo store is rebuilt as before.
	h2 := data.Home{Dir: t.TempDir()}
	for range 2 {
		if _, err := demo.Build(ctx, h2, demo.Options{Appointments: 50, Seed: 1, Today: datatest.Today}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSyncRefusesReservedDemoID(t *testing.T) {
	ctx := context.Background()
	r := datatest.Remote()
	r.ID = data.DemoTenantID
	srv, err := tenantserver.New(ctx, r, datatest.Token, demo.Options{Appointments: 30, Seed: 5, Today: datatest.Today})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	h := data.Home{Dir: t.TempDir()}
	if _, err := demo.Build(ctx, h, demo.Options{Appointments: 50, Seed: 1, Today: datatest.Today}); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(h.TenantPath(data.DemoTenantID))
	if err != nil {
		t.Fatal(err)
	}
	_, err = datasync.Sync(ctx, h, datatest.Options(ts.URL))
	if !errors.Is(err, datasync.ErrReservedTenant) {
		t.Fatalf("Sync of a server tenant with the demo id: %v", err)
	}
	after, _ := os.ReadFile(h.TenantPath(data.DemoTenantID))
	if string(before) != string(after) {
		t.Error("the refused sync changed the demo store")
	}
	if tn, _ := store.ReadTenantFile(ctx, h.TenantPath(data.DemoTenantID)); !tn.IsDemo {
		t.Error("the demo store no longer holds demo data")
	}
}
