package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

func TestVerifyFindsProblems(t *testing.T) {
	st := MustOpen(t)
	seedRows(t, st)
	if err := st.Verify(context.Background()); err != nil {
		t.Fatalf("healthy store: %v", err)
	}
	before, _ := st.Fingerprint(context.Background())
	// A rollup edited behind the triggers' back is caught.
	st.Write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec("UPDATE rollup_appt_service SET n = n + 1")
		return err
	})
	if err := st.Verify(context.Background()); err == nil || !strings.Contains(err.Error(), "rollup_appt_service") {
		t.Fatalf("tampered rollup: %v", err)
	}
	st.RebuildRollups(context.Background())
	// A dangling foreign key (written with checks off) is caught.
	st.w.Exec("PRAGMA foreign_keys = OFF")
	st.w.Exec("UPDATE payments SET customer_id = 999")
	st.w.Exec("PRAGMA foreign_keys = ON")
	if err := st.Verify(context.Background()); err == nil || !strings.Contains(err.Error(), "payments") {
		t.Fatalf("dangling foreign key: %v", err)
	}
	after, _ := st.Fingerprint(context.Background())
	if after["payments"] == before["payments"] || after["appointments"] != before["appointments"] {
		t.Fatalf("fingerprints did not follow the change: %v -> %v", before, after)
	}
}
