package store

import (
	"context"
	"database/sql"
	"testing"
)

// TestOpenFinishesInterruptedBulkLoad: a sync killed during a bulk load leaves pages written
// without triggers or indexes; the next Open must finish the load so the store is consistent.
func TestOpenFinishesInterruptedBulkLoad(t *testing.T) {
	ctx := context.Background()
	st := MustOpen(t)
	path := st.Path()
	var indexesBefore int
	st.r.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").Scan(&indexesBefore)
	err := st.Write(ctx, func(tx *sql.Tx) error {
		if err := PutTenant(ctx, tx, testTenant()); err != nil {
			return err
		}
		bulk, err := enterBulk(ctx, tx)
		if err != nil || !bulk {
			t.Fatalf("enterBulk = %v, %v; want bulk mode for an empty store", bulk, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seedRows(t, st) // a page applied in bulk mode: no triggers, so no rollups
	if err := st.CheckRollups(ctx); err == nil {
		t.Fatal("the bulk page fed the rollups; the test no longer models bulk mode")
	}
	st.Close() // the sync is killed here, before finishBulk

	st2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if err := st2.Verify(ctx); err != nil {
		t.Fatalf("store after an interrupted bulk load: %v", err)
	}
	var marker, indexes int
	st2.r.QueryRow("SELECT COUNT(*) FROM settings WHERE key = ?", bulkKey).Scan(&marker)
	st2.r.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").Scan(&indexes)
	if marker != 0 || indexes != indexesBefore {
		t.Fatalf("bulk marker %d (want 0), %d indexes (want %d)", marker, indexes, indexesBefore)
	}
	// Writes after recovery go through the triggers again.
	st2.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("UPDATE appointments SET status = 'cancelled'")
		return err
	})
	if err := st2.CheckRollups(ctx); err != nil {
		t.Fatalf("triggers not reinstalled: %v", err)
	}
	// Finishing again (the interrupted sync resuming) is a no-op.
	if err := st2.FinishBulk(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestMigration4FinishesOldBulkLoad: a store left in bulk mode by a version-3 build kept the
// DDL of indexes that version 4 drops. Upgrading must finish that load (rows, rollups and
// triggers agree) and still end without the dropped indexes.
func TestMigration4FinishesOldBulkLoad(t *testing.T) {
	ctx := context.Background()
	st := MustOpen(t)
	path := st.Path()
	err := st.Write(ctx, func(tx *sql.Tx) error {
		if err := PutTenant(ctx, tx, testTenant()); err != nil {
			return err
		}
		if _, err := enterBulk(ctx, tx); err != nil {
			return err
		}
		// What a version-3 build saved: its indexes included one version 4 drops.
		_, err := tx.Exec(`UPDATE settings SET value = json_insert(value, '$[#]', 'CREATE INDEX appointments_status ON appointments (status, start_at)') WHERE key = ?`, bulkKey)
		if err != nil {
			return err
		}
		// Nor had it the tables of later versions.
		if _, err := tx.Exec("DROP TABLE rollup_customer_visit; DROP TABLE rollup_customer_revenue"); err != nil {
			return err
		}
		_, err = tx.Exec("PRAGMA user_version = 3")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	seedRows(t, st) // a page applied in bulk mode
	st.Close()

	st2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if v, _ := st2.SchemaVersion(ctx); v != LatestSchemaVersion() {
		t.Fatalf("schema version %d, want %d", v, LatestSchemaVersion())
	}
	if err := st2.Verify(ctx); err != nil {
		t.Fatalf("store after upgrading an interrupted bulk load: %v", err)
	}
	var dropped, kept, marker int
	st2.r.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('appointments_status', 'appointments_local_date', 'payments_paid', 'payments_status')").Scan(&dropped)
	st2.r.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('appointments_start', 'payments_appointment')").Scan(&kept)
	st2.r.QueryRow("SELECT COUNT(*) FROM settings WHERE key = ?", bulkKey).Scan(&marker)
	if dropped != 0 || kept != 2 || marker != 0 {
		t.Fatalf("after migration 4: %d dropped indexes remain (want 0), %d kept (want 2), bulk marker %d (want 0)", dropped, kept, marker)
	}
}

// TestFinishBulkTwoCores: FinishBulk ends a bulk load whose rows are committed (rollups from a
// read connection beside the index builds), leaves no bulk state, and gives the writer its
// cache back.
func TestFinishBulkTwoCores(t *testing.T) {
	ctx := context.Background()
	st := MustOpen(t)
	var cacheBefore int64
	st.w.QueryRow("PRAGMA cache_size").Scan(&cacheBefore)
	err := st.Write(ctx, func(tx *sql.Tx) error {
		if err := PutTenant(ctx, tx, testTenant()); err != nil {
			return err
		}
		_, err := enterBulk(ctx, tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	seedRows(t, st)
	if err := st.FinishBulk(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Verify(ctx); err != nil {
		t.Fatalf("store after FinishBulk: %v", err)
	}
	var marker int
	var cache int64
	st.r.QueryRow("SELECT COUNT(*) FROM settings WHERE key = ?", bulkKey).Scan(&marker)
	st.w.QueryRow("PRAGMA cache_size").Scan(&cache)
	if marker != 0 || cache != cacheBefore {
		t.Fatalf("bulk marker %d (want 0), writer cache %d (want %d)", marker, cache, cacheBefore)
	}
}
