package data

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
	if err := finishBulk(ctx, st2); err != nil {
		t.Fatal(err)
	}
}
