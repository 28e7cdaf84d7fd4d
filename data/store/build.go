package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
)

// BuildFile writes a whole new store at path in one go: tenant t and the rows fill writes, loaded
// in bulk into a scratch file beside path, flushed to disk, then renamed over path. An
// interrupted build leaves the store at path untouched. The caller holds path's write lock.
//
// The rows are committed without indexes, triggers, journal or foreign-key enforcement; the file
// then turns to WAL so that read transactions can aggregate the rollups and check the foreign
// keys on one core while the writer builds the indexes on the other (finishLoad), and back to a
// rollback journal before it is renamed, so the store is the one file. A row whose parent is
// missing fails the build, as a commit with the keys enforced would; fill must not Delete (a
// delete's ON DELETE action would not run).
//
// The keys are checked after the load, not per row: enforcing them looks each child row's
// parents up while it is inserted, about a third of the load's CPU at 1M appointments, all of
// it on the writer's core.
func BuildFile(ctx context.Context, path string, t data.Tenant, fill func(w *Writer) error) error {
	tmp := path + ".building"
	removeDB(tmp)
	defer removeDB(tmp)
	st, err := openScratch(ctx, tmp)
	if err != nil {
		return err
	}
	err = buildScratch(ctx, st, t, fill)
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

// buildScratch loads t and fill's rows into the new store st, then finishes the load.
func buildScratch(ctx context.Context, st *Store, t data.Tenant, fill func(w *Writer) error) error {
	loc, err := time.LoadLocation(t.TimeZone)
	if err != nil {
		return fmt.Errorf("tenant time zone %q: %w", t.TimeZone, err)
	}
	var indexes []string
	if err := foreignKeys(ctx, st.w, false); err != nil {
		return err
	}
	err = st.commit(ctx, func(tx *sql.Tx) error {
		if indexes, err = enterLoad(ctx, tx); err != nil {
			return err
		}
		if err := PutTenant(ctx, tx, t); err != nil {
			return err
		}
		w, err := NewWriter(ctx, tx, loc)
		if err != nil {
			return err
		}
		w.unchecked = true
		defer w.Close()
		if err := fill(w); err != nil {
			return err
		}
		return w.Flush()
	})
	if err != nil {
		return err
	}
	return finishScratch(ctx, st, indexes)
}

// finishScratch finishes the load of the committed rows (finishLoad) while a reader checks their
// foreign keys, and leaves the file alone in a rollback journal.
func finishScratch(ctx context.Context, st *Store, indexes []string) error {
	if err := setJournal(ctx, st.w, "wal"); err != nil {
		return err
	}
	// A smaller cache keeps the cached pages from adding up with the rollups waiting in memory
	// (peak RSS); the index builds sort in runs of their own size (sortOnDisk).
	if _, err := st.w.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", finishCacheKiB)); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fk := &fkCheck{read: st.r, stop: cancel}
	err := st.Write(ctx, func(tx *sql.Tx) error { return finishLoadThen(ctx, tx, st.r, indexes, fk.start) })
	if cerr := fk.wait(); cerr != nil { // a failed check stops finishLoad: its error says why
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := foreignKeys(ctx, st.w, true); err != nil {
		return err
	}
	if err := st.r.Close(); err != nil { // the readers go first: leaving WAL needs the file alone
		return err
	}
	return setJournal(ctx, st.w, "delete")
}

// commit runs fn in one write transaction, committed only if fn returns nil, without bumping
// the store generation (Write does; a scratch file's load counts as one write, the one
// finishing it).
func (s *Store) commit(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return classify(s.path, fmt.Errorf("begin write: %w", err))
	}
	if err := fn(tx); err != nil {
		tx.Rollback() //nolint:errcheck // the original error matters more
		return classify(s.path, err)
	}
	if err := tx.Commit(); err != nil {
		return classify(s.path, fmt.Errorf("commit: %w", err))
	}
	return nil
}

// foreignKeys turns the enforcement of foreign keys on or off for db's connection (one, outside
// any transaction: SQLite ignores the pragma inside one).
func foreignKeys(ctx context.Context, db *sql.DB, on bool) error {
	q := "PRAGMA foreign_keys = OFF"
	if on {
		q = "PRAGMA foreign_keys = ON"
	}
	if _, err := db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("foreign keys: %w", err)
	}
	return nil
}

// fkCheck checks every foreign key of the committed rows on a connection of read, on its own
// goroutine, once the rollup scan has read them (finishLoadThen): on two cores it then shares the
// second one with nothing, while the writer builds indexes on the first. A failed check calls
// stop (the build is lost).
type fkCheck struct {
	read    *sql.DB
	stop    func()
	started bool
	done    chan error
}

// start begins the check; it is called at most once, before finishLoadThen returns.
func (c *fkCheck) start(ctx context.Context) {
	c.started, c.done = true, make(chan error, 1)
	go func() {
		err := firstDangling(ctx, c.read)
		if err != nil {
			c.stop()
		}
		c.done <- err
	}()
}

// wait returns the check's outcome: nil, or an error naming the first row whose parent is
// missing; nil when it never started (finishLoad failed before the scan ended).
func (c *fkCheck) wait() error {
	if !c.started {
		return nil
	}
	return <-c.done
}

// firstDangling runs PRAGMA foreign_key_check and reports its first row as an error.
func firstDangling(ctx context.Context, read *sql.DB) error {
	rows, err := read.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("check the foreign keys: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return fmt.Errorf("check the foreign keys: %w", err)
		}
		return nil
	}
	var table, parent string
	var rowid sql.NullInt64
	var fk int
	if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
		return fmt.Errorf("check the foreign keys: %w", err)
	}
	return fmt.Errorf("%s row %d refers to a missing %s row: %w: FOREIGN KEY constraint failed", table, rowid.Int64, parent, data.ErrInvalid)
}

// setJournal switches the scratch file's journal mode outside any transaction.
func setJournal(ctx context.Context, db *sql.DB, mode string) error {
	var got string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode = "+mode).Scan(&got); err != nil {
		return fmt.Errorf("journal mode %s: %w", mode, err)
	}
	if !strings.EqualFold(got, mode) {
		return fmt.Errorf("journal mode %s: the file stayed in %s", mode, got)
	}
	return nil
}

// enterLoad drops the rollup triggers and the entity tables' secondary indexes for a bulk load
// and returns the indexes' DDL for finishLoad.
func enterLoad(ctx context.Context, tx *sql.Tx) ([]string, error) {
	if err := dropTriggers(ctx, tx); err != nil {
		return nil, err
	}
	return dropIndexes(ctx, tx)
}

// finishLoad ends a bulk load in tx: it recreates the indexes, rebuilds the rollups and
// reinstalls the triggers. The rows must be committed and tx must not have changed them: a read
// transaction from read (the same file) aggregates the rollups on another core while tx builds
// the indexes, then tx writes what it aggregated.
func finishLoad(ctx context.Context, tx *sql.Tx, read *sql.DB, indexes []string) error {
	return finishLoadThen(ctx, tx, read, indexes, nil)
}

// finishLoadThen is finishLoad calling scanned (when not nil) on the reading goroutine once the
// rollup scan has ended well, before it returns.
func finishLoadThen(ctx context.Context, tx *sql.Tx, read *sql.DB, indexes []string, scanned func(context.Context)) error {
	later, err := aggregateBeside(ctx, tx, read, indexes, scanned)
	if err != nil {
		return err
	}
	if err := finishRollups(ctx, tx, later); err != nil {
		return err
	}
	return installTriggers(ctx, tx)
}

// aggregateBeside builds the indexes in tx while a read transaction aggregates the rollups,
// then writes them in tx; it returns the DDL of the rollups' indexes, still to be built. scanned
// (when not nil) is called once the scan has ended well, before aggregateBeside returns.
func aggregateBeside(ctx context.Context, tx *sql.Tx, read *sql.DB, indexes []string, scanned func(context.Context)) ([]string, error) {
	outer := ctx // scanned's work outlives this function; cancel ends only the scan
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tables := make(chan rollupTable, len(rollups))
	done := make(chan error, 1)
	go func() {
		err := aggregateRead(ctx, read, func(t rollupTable) error {
			select {
			case tables <- t:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		close(tables)
		if err == nil && scanned != nil {
			scanned(outer)
		}
		done <- err
	}()
	later, err := writeLoad(ctx, tx, indexes, tables)
	cancel()
	for range tables { // let the reader end before its transaction is left behind
	}
	if aerr := <-done; err == nil {
		err = aerr
	}
	return later, err
}

// aggregateRead runs aggregateRollups in a read transaction of read. Its snapshot is taken
// before the first table is handed on.
func aggregateRead(ctx context.Context, read *sql.DB, emit func(rollupTable) error) error {
	rtx, err := read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin the rollup scan: %w", err)
	}
	defer rtx.Rollback() //nolint:errcheck // a read transaction has nothing to keep
	return aggregateRollups(ctx, rtx, emit)
}

// writeLoad builds the indexes, then writes the rollup tables as they arrive, without the
// rollups' own indexes (dropRollupIndexes: their DDL is returned).
func writeLoad(ctx context.Context, tx *sql.Tx, indexes []string, tables <-chan rollupTable) ([]string, error) {
	if err := createIndexes(ctx, tx, indexes); err != nil {
		return nil, err
	}
	later, err := dropRollupIndexes(ctx, tx)
	if err != nil {
		return nil, err
	}
	for t := range tables {
		if err := t.write(ctx, tx); err != nil {
			return nil, fmt.Errorf("rebuild %s: %w", t.ru.table, err)
		}
	}
	return later, ctx.Err()
}

// createIndexes runs the CREATE INDEX statements ddl, sorting their keys on disk (sortOnDisk).
func createIndexes(ctx context.Context, tx *sql.Tx, ddl []string) error {
	if len(ddl) == 0 {
		return nil
	}
	restore, err := sortOnDisk(ctx, tx)
	if err != nil {
		return err
	}
	for _, q := range ddl {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			restore() //nolint:errcheck // the build's error matters more
			return fmt.Errorf("recreate index: %w", err)
		}
	}
	return restore()
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
