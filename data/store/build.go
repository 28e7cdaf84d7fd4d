package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"github.com/almanac-app/almanac/data"
)

// BuildFile writes a whole new store at path in one go: tenant t and the rows fill writes, loaded
// in bulk into a scratch file beside path, flushed to disk, then renamed over path. An
// interrupted build leaves the store at path untouched. The caller holds path's write lock.
func BuildFile(ctx context.Context, path string, t data.Tenant, fill func(w *Writer) error) error {
	tmp := path + ".building"
	removeDB(tmp)
	defer removeDB(tmp)
	st, err := openScratch(ctx, tmp)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(t.TimeZone)
	if err != nil {
		st.Close()
		return fmt.Errorf("tenant time zone %q: %w", t.TimeZone, err)
	}
	err = st.BulkWrite(ctx, func(tx *sql.Tx) error {
		if err := PutTenant(ctx, tx, t); err != nil {
			return err
		}
		w, err := NewWriter(ctx, tx, loc)
		if err != nil {
			return err
		}
		defer w.Close()
		if err := fill(w); err != nil {
			return err
		}
		return w.Flush()
	})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	// The rename replaces the old store atomically. Its WAL companions go first: a WAL left
	// beside the new file would be replayed into it. A kill between the two leaves the old
	// store as of its last checkpoint (a cleanly closed store has everything checkpointed).
	removeCompanions(path)
	return os.Rename(tmp, path)
}

// syncFile flushes a finished file to disk before it is renamed into place.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// removeDB removes a SQLite file and its WAL companions.
func removeDB(path string) {
	_ = os.Remove(path)
	removeCompanions(path)
}

// removeCompanions removes a SQLite file's WAL, shared-memory and journal files.
func removeCompanions(path string) {
	for _, p := range []string{path + "-wal", path + "-shm", path + "-journal"} {
		_ = os.Remove(p) // best effort: a leftover file is replaced next time
	}
}
