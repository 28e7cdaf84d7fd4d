package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
)

// TestLicenseRecordWaitsForTheWriter: while a sync or demo holds a store's write lock, the
// license's record of time leaves that store alone (the home's record still moves on), and it
// is written on the next visit once the writer is done.
func TestLicenseRecordWaitsForTheWriter(t *testing.T) {
	home := licHome(t)
	h := data.Home{Dir: home}
	ctx := context.Background()
	seen := func() []byte {
		t.Helper()
		st, err := store.OpenActive(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		b, err := st.LicenseSeen(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	env := newEnv(home)
	now := time.Now()
	env.Now = func() time.Time { return now }
	lock, err := h.LockStore(data.DemoTenantID, "almanac sync")
	if err != nil {
		t.Fatal(err)
	}
	env.Licenses(time.UTC).Status(data.DemoTenantID)
	if b := seen(); b != nil {
		t.Fatalf("the record was written into a store another writer holds: %q", b)
	}
	if _, err := os.Stat(filepath.Join(home, "license", "last-seen.txt")); err != nil {
		t.Fatalf("the home's record: %v", err)
	}
	if err := lock.Unlock(); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	env.Licenses(time.UTC).Status(data.DemoTenantID)
	if b := seen(); b == nil {
		t.Fatal("no record in the store once the writer was done")
	}
}
