package data

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"
)

func TestLockStoreNamesHolder(t *testing.T) {
	h := Home{Dir: t.TempDir()}
	l, err := h.LockStore("maple", "almanac sync --full")
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.LockStore("maple", "almanac demo")
	var be *BusyError
	if !errors.As(err, &be) || !errors.Is(err, ErrBusy) {
		t.Fatalf("second lock: %v, want a *BusyError", err)
	}
	if be.PID != os.Getpid() || be.Command != "almanac sync --full" || be.Store != h.TenantPath("maple") || be.Since.IsZero() {
		t.Errorf("busy error %+v names the wrong holder", be)
	}
	if other, err := h.LockStore("acme", "almanac sync"); err != nil {
		t.Errorf("another tenant's store is locked too: %v", err)
	} else {
		other.Unlock()
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	l2, err := h.LockStore("maple", "almanac demo")
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	l2.Unlock()
}

func TestBuildDemoWaitsForLock(t *testing.T) {
	dir := t.TempDir()
	h := Home{Dir: dir}
	first := tableHash(t, buildDemo(t, dir, DemoOptions{Appointments: 500, Seed: 1, Today: demoToday}))
	l, err := h.LockStore(DemoTenantID, "almanac sync")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	_, err = BuildDemo(context.Background(), h, DemoOptions{Appointments: 700, Seed: 2, Today: demoToday})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("demo build beside a locked store: %v, want ErrBusy", err)
	}
	st, err := h.OpenActive(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := tableHash(t, st); !reflect.DeepEqual(got, first) {
		t.Fatal("a refused demo build replaced the locked store")
	}
}

func TestSyncWaitsForLock(t *testing.T) {
	_, ts := newTestServer(t, 300)
	h := Home{Dir: t.TempDir()}
	l, err := h.LockStore(testRemote().ID, "almanac demo")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Sync(context.Background(), h, testOptions(ts.URL))
	var be *BusyError
	if !errors.As(err, &be) || be.Command != "almanac demo" {
		t.Fatalf("sync beside a locked store: %v, want a *BusyError naming the demo", err)
	}
	if _, err := os.Stat(h.TenantPath(testRemote().ID)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused sync created the store: %v", err)
	}
	l.Unlock()
	if _, err := Sync(context.Background(), h, testOptions(ts.URL)); err != nil {
		t.Fatalf("sync after unlock: %v", err)
	}
}

// A sync that finishes while the demo builds makes its tenant active; the demo build must not
// take that away (the reported bug: the synced tenant "vanished").
func TestDemoKeepsTenantActivatedMeanwhile(t *testing.T) {
	h := Home{Dir: t.TempDir()}
	ctx := context.Background()
	switched := false
	o := DemoOptions{Appointments: 3000, Seed: 1, Today: demoToday, Progress: func(done, total int) {
		if switched {
			return
		}
		switched = true
		st, err := Open(ctx, h.TenantPath("maple"))
		if err != nil {
			t.Error(err)
			return
		}
		st.Close()
		if err := h.SetActive("maple"); err != nil {
			t.Error(err)
		}
	}}
	_, err := BuildDemo(ctx, h, o)
	if !errors.Is(err, ErrActiveChanged) {
		t.Fatalf("BuildDemo: %v, want ErrActiveChanged", err)
	}
	if id, _ := h.ActiveTenant(); id != "maple" {
		t.Fatalf("active tenant %q after the demo build, want the synced maple", id)
	}
	if _, err := os.Stat(h.TenantPath(DemoTenantID)); err != nil {
		t.Errorf("the demo store was not built: %v", err)
	}
	// Run on its own, the demo build does switch (the user asked for it).
	if _, err := BuildDemo(ctx, h, DemoOptions{Appointments: 300, Today: demoToday}); err != nil {
		t.Fatal(err)
	}
	if id, _ := h.ActiveTenant(); id != DemoTenantID {
		t.Fatalf("active tenant %q, want demo", id)
	}
}
