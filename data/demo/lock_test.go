package demo_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/datatest"
	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"
)

func TestBuildDemoWaitsForLock(t *testing.T) {
	dir := t.TempDir()
	h := data.Home{Dir: dir}
	first := datatest.TableHash(t, datatest.BuildDemo(t, dir, demo.Options{Appointments: 500, Seed: 1, Today: datatest.DemoToday}))
	l, err := h.LockStore(data.DemoTenantID, "almanac sync")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	_, err = demo.Build(context.Background(), h, demo.Options{Appointments: 700, Seed: 2, Today: datatest.DemoToday})
	if !errors.Is(err, data.ErrBusy) {
		t.Fatalf("demo build beside a locked store: %v, want ErrBusy", err)
	}
	st, err := store.OpenActive(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := datatest.TableHash(t, st); !reflect.DeepEqual(got, first) {
		t.Fatal("a refused demo build replaced the locked store")
	}
}

// A sync that finishes while the demo builds makes its tenant active; the demo build must not
// take that away (the reported bug: the synced tenant "vanished").
func TestDemoKeepsTenantActivatedMeanwhile(t *testing.T) {
	h := data.Home{Dir: t.TempDir()}
	ctx := context.Background()
	switched := false
	o := demo.Options{Appointments: 3000, Seed: 1, Today: datatest.DemoToday, Progress: func(done, total int) {
		if switched {
			return
		}
		switched = true
		st, err := store.Open(ctx, h.TenantPath("maple"))
		if err != nil {
			t.Error(err)
			return
		}
		st.Close()
		if err := h.SetActive("maple"); err != nil {
			t.Error(err)
		}
	}}
	_, err := demo.Build(ctx, h, o)
	if !errors.Is(err, demo.ErrActiveChanged) {
		t.Fatalf("BuildDemo: %v, want ErrActiveChanged", err)
	}
	if id, _ := h.ActiveTenant(); id != "maple" {
		t.Fatalf("active tenant %q after the demo build, want the synced maple", id)
	}
	if _, err := os.Stat(h.TenantPath(data.DemoTenantID)); err != nil {
		t.Errorf("the demo store was not built: %v", err)
	}
	// Run on its own, the demo build does switch (the user asked for it).
	if _, err := demo.Build(ctx, h, demo.Options{Appointments: 300, Today: datatest.DemoToday}); err != nil {
		t.Fatal(err)
	}
	if id, _ := h.ActiveTenant(); id != data.DemoTenantID {
		t.Fatalf("active tenant %q, want demo", id)
	}
}
