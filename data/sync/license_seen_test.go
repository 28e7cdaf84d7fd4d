package sync_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/datatest"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/demo"
	datasync "github.com/almanac-app/almanac/data/sync"
)

func TestLicenseSeenRecord(t *testing.T) {
	ctx := context.Background()
	h := data.Home{Dir: t.TempDir()}
	if _, err := demo.Build(ctx, h, demo.Options{Appointments: 50, Seed: 1, Today: datatest.Today}); err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenActive(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if b, err := st.LicenseSeen(ctx); err != nil || b != nil {
		t.Fatalf("fresh store: %q, %v", b, err)
	}
	want := "2026-06-15T12:00:00Z\n{\"LIC-1\":{\"days\":2}}\n"
	if err := st.RecordLicenseSeen(ctx, []byte(want)); err != nil {
		t.Fatal(err)
	}
	if b, err := st.LicenseSeen(ctx); err != nil || string(b) != want {
		t.Fatalf("read back %q, %v", b, err)
	}
	// The demo's times come from this computer, not from a server.
	if at, err := st.NewestServerTime(ctx); err != nil || !at.IsZero() {
		t.Errorf("demo store: newest server time %v, %v; want zero", at, err)
	}
}

// TestNewestServerTime: a synced store knows the newest instant its server
// sent, the last sync's server time or a row's updated_at, whichever is later.
func TestNewestServerTime(t *testing.T) {
	ctx := context.Background()
	_, ts := datatest.NewServer(t, 300)
	h := data.Home{Dir: t.TempDir()}
	res, err := datasync.Sync(ctx, h, datatest.Options(ts.URL))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenActive(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var newestRow int64
	err = st.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT MAX(updated_at) FROM appointments").Scan(&newestRow)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := *res.Tenant.LastSyncAt
	if row := time.Unix(newestRow, 0).UTC(); row.After(want) {
		want = row
	}
	got, err := st.NewestServerTime(ctx)
	if err != nil || !got.Equal(want) {
		t.Fatalf("NewestServerTime = %v, %v; want %v", got, err, want)
	}
	// A row the server stamped later than its own clock said still counts.
	future := res.Tenant.LastSyncAt.Add(400 * 24 * time.Hour)
	err = st.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE payments SET updated_at = ? WHERE id = (SELECT MIN(id) FROM payments)", future.Unix())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetSetting(ctx, "license.server_time", ""); err != nil { // drop the cache
		t.Fatal(err)
	}
	if got, err := st.NewestServerTime(ctx); err != nil || !got.Equal(future) {
		t.Fatalf("with a later row: %v, %v; want %v", got, err, future)
	}
	if got, err := st.NewestServerTime(ctx); err != nil || !got.Equal(future) { // from the cache
		t.Fatalf("cached: %v, %v; want %v", got, err, future)
	}
}
