package data

import (
	"errors"
	"os"
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

func TestLockFileNamesHolder(t *testing.T) {
	p := t.TempDir() + "/jobs/run-1.lock"
	l, err := LockFile(p, "almanac jobs run --due", false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = LockFile(p, "almanac jobs run 1", false)
	var he *HeldError
	if !errors.As(err, &he) || !errors.Is(err, ErrBusy) || he.PID != os.Getpid() || he.Command != "almanac jobs run --due" {
		t.Fatalf("second lock: %v", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	l2, err := LockFile(p, "almanac jobs run 1", false)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	l2.Unlock()
}

// A pinned tenant (the global --tenant) wins over <home>/active, and one the home lacks says so.
func TestHomeTenantPinned(t *testing.T) {
	h := Home{Dir: t.TempDir()}
	for _, id := range []string{"a", "b"} {
		if err := os.MkdirAll(h.Dir+"/tenants", 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(h.TenantPath(id), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.SetActive("a"); err != nil {
		t.Fatal(err)
	}
	h.Tenant = "b"
	if id, err := h.ActiveTenant(); err != nil || id != "b" {
		t.Errorf("pinned b: %q %v", id, err)
	}
	h.Tenant = "c"
	var ie *InputError
	if _, err := h.ActiveTenant(); !errors.As(err, &ie) || ie.Field != FieldTenant || errors.Is(err, ErrNoTenant) {
		t.Errorf("pinned missing c: %v", err)
	}
}
