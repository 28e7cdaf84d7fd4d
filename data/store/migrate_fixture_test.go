package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

// openUpgraded copies the store file fixture, which must be at schema version from and for
// which absentQ (a COUNT query) finds none of what the upgrade adds, then opens the copy, which
// migrates it: the store returned is at the latest version, beyond from, with its rollups checked.
func openUpgraded(t *testing.T, fixture string, from int, absentQ string) *Store {
	t.Helper()
	ctx := context.Background()
	src, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), filepath.Base(fixture))
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	var v, absent int
	old.QueryRow("PRAGMA user_version").Scan(&v)
	old.QueryRow(absentQ).Scan(&absent)
	old.Close()
	if v != from || absent != 0 {
		t.Fatalf("fixture %s at version %d with %d of what the upgrade adds, want version %d without it", fixture, v, absent, from)
	}
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if v, _ := st.SchemaVersion(ctx); v != LatestSchemaVersion() || v <= from {
		t.Fatalf("upgraded to %d, want %d", v, LatestSchemaVersion())
	}
	if err := st.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}
