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
