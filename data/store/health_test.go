package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/datatest"
	"github.com/almanac-app/almanac/data/demo"

	"github.com/almanac-app/almanac/data"

	"github.com/almanac-app/almanac/data/store"
)

// damage overwrites the middle half of the file at path with seeded random bytes, as a failing
// disk or a stray write would.
func damage(t testing.TB, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := len(b) / 4; i < 3*len(b)/4; i++ {
		b[i] = byte(rng.Uint32())
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptStoreIsNamed(t *testing.T) {
	dir := t.TempDir()
	h := data.Home{Dir: dir}
	datatest.BuildDemo(t, dir, demo.Options{Appointments: 3000, Today: datatest.DemoToday}).Close()
	path := h.TenantPath(data.DemoTenantID)
	damage(t, path)
	ctx := context.Background()
	st, err := store.OpenActive(ctx, h)
	if err == nil {
		_, err = st.Fingerprint(ctx) // reads every row of every entity table
		if err == nil {
			err = st.CheckRollups(ctx) // and of the rollups, which fill the back half of the file
		}
		st.Close()
	}
	var ce *data.CorruptError
	if !errors.As(err, &ce) || ce.Store != path || !strings.Contains(ce.Reason, "malformed") {
		t.Fatalf("reading a damaged store: %v, want a *CorruptError naming %s", err, path)
	}
	if err := store.Diagnose(ctx, h, data.DemoTenantID); !errors.Is(err, data.ErrCorrupt) {
		t.Errorf("Diagnose: %v, want ErrCorrupt", err)
	}
}

func TestMoveAsideKeepsTheFile(t *testing.T) {
	dir := t.TempDir()
	h := data.Home{Dir: dir}
	datatest.BuildDemo(t, dir, demo.Options{Appointments: 300, Today: datatest.DemoToday}).Close()
	path := h.TenantPath(data.DemoTenantID)
	damage(t, path)
	before, _ := os.ReadFile(path)
	now := time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC)
	kept, err := h.MoveAside(data.DemoTenantID, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := path + ".damaged-20261201T103000Z"; kept != want {
		t.Errorf("kept as %s, want %s", kept, want)
	}
	if after, err := os.ReadFile(kept); err != nil || !bytes.Equal(after, before) {
		t.Errorf("the kept file differs from the damaged one: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the damaged store is still in place: %v", err)
	}
	if _, err := demo.Build(context.Background(), h, demo.Options{Appointments: 300, Today: datatest.DemoToday}); err != nil {
		t.Fatal(err)
	}
	if err := store.Diagnose(context.Background(), h, data.DemoTenantID); err != nil {
		t.Errorf("rebuilt store: %v", err)
	}
}

func TestEmptyStoreAndMissingTenant(t *testing.T) {
	dir := t.TempDir()
	h := data.Home{Dir: dir}
	ctx := context.Background()
	datatest.BuildDemo(t, dir, demo.Options{Appointments: 300, Today: datatest.DemoToday}).Close()
	path := h.TenantPath(data.DemoTenantID)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := store.OpenActive(ctx, h); !errors.Is(err, data.ErrEmptyStore) {
		t.Fatalf("open an empty store file: %v, want ErrEmptyStore", err)
	}
	if fi, _ := os.Stat(path); fi.Size() != 0 {
		t.Errorf("opening the empty store wrote %d bytes into it", fi.Size())
	}
	if err := store.Diagnose(ctx, h, data.DemoTenantID); !errors.Is(err, data.ErrEmptyStore) {
		t.Errorf("Diagnose: %v, want ErrEmptyStore", err)
	}
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := store.Diagnose(ctx, h, data.DemoTenantID); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("Diagnose of a store with no tenant: %v, want ErrNotFound", err)
	}
}

func TestOpenReadOnly(t *testing.T) {
	dir := t.TempDir()
	datatest.BuildDemo(t, dir, demo.Options{Appointments: 300, Today: datatest.DemoToday}).Close()
	path := data.Home{Dir: dir}.TenantPath(data.DemoTenantID)
	before, _ := os.ReadFile(path)
	ctx := context.Background()
	st, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Counts(ctx)
	if err != nil || c.Appointments != 300 {
		t.Errorf("counts %+v, %v", c, err)
	}
	err = st.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM appointments")
		return err
	})
	if !errors.Is(err, data.ErrReadOnly) {
		t.Errorf("write through a read-only store: %v, want ErrReadOnly", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Error("a read-only open changed the store file")
	}
	if left, _ := filepath.Glob(path + "-*"); len(left) != 0 {
		t.Errorf("a read-only open created %v", left)
	}
}

func TestOpenReadOnlyRefusesAStoreThatNeedsUpgrading(t *testing.T) {
	src, err := os.ReadFile("testdata/v1.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v1.db")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = store.OpenReadOnly(context.Background(), path)
	if !errors.Is(err, data.ErrReadOnly) || !strings.Contains(err.Error(), "upgraded from schema version 1") {
		t.Fatalf("read-only open of a v1 store: %v, want a read-only error about the upgrade", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, src) {
		t.Error("the refused store was changed")
	}
}
