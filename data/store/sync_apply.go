package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
)

// PrepareSync writes the server's tenant into st (refusing another tenant's store) and, for a
// full sync, empties it first. It reports whether the sync loads in bulk mode (see enterBulk).
func (st *Store) PrepareSync(ctx context.Context, remote data.Tenant, full bool) (t data.Tenant, bulk bool, err error) {
	var known map[string]map[int64]struct{}
	err = st.Write(ctx, func(tx *sql.Tx) error {
		old, err := TenantTx(ctx, tx)
		switch {
		case errors.Is(err, data.ErrNotFound):
		case err != nil:
			return err
		case old.ID != remote.ID:
			return fmt.Errorf("store %s holds tenant %q, not the server's %q: %w", st.Path(), old.ID, remote.ID, data.ErrTenantChanged)
		case old.TimeZone != remote.TimeZone && !full:
			return fmt.Errorf("the tenant's time zone changed from %s to %s: %w", old.TimeZone, remote.TimeZone, data.ErrNeedFullSync)
		default:
			t.LastSyncAt = old.LastSyncAt
		}
		if full {
			if err := emptyStore(ctx, tx); err != nil {
				return err
			}
		}
		if bulk, err = enterBulk(ctx, tx); err != nil {
			return err
		}
		if bulk {
			if known, err = emptyParents(ctx, tx); err != nil {
				return err
			}
		}
		t = data.Tenant{ID: remote.ID, Name: remote.Name, TimeZone: remote.TimeZone, Currency: remote.Currency,
			CanAcceptPayments: remote.CanAcceptPayments, LastSyncAt: t.LastSyncAt}
		return PutTenant(ctx, tx, t)
	})
	if err == nil && bulk {
		st.bulkRefs.begin(known)
	}
	return t, bulk, err
}

// bulkKey is the setting that marks a store being loaded in bulk mode; its value is the DDL of
// the secondary indexes dropped for the load.
const bulkKey = "sync.bulk_indexes"

// enterBulk decides how pages are applied. Loading an empty store row by row through the rollup
// triggers and six indexes per table is several times slower than building them once at the
// end, so a store with no entity rows enters bulk mode: triggers and secondary indexes are
// dropped in this transaction and the DDL is kept in the settings; finishBulk restores
// everything in one transaction at the end. If the sync is killed midway, the next Open finishes
// the load (recoverBulk), so no opened store ever has rollups that disagree with its rows.
// Otherwise the current trigger definitions are (re)installed, so a store made by an older build
// gets them.
func enterBulk(ctx context.Context, tx *sql.Tx) (bool, error) {
	var ddl string
	err := tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", bulkKey).Scan(&ddl)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("read bulk state: %w", err)
	}
	var rows int
	q := "SELECT " + strings.Repeat("(SELECT EXISTS (SELECT 1 FROM %s)) + ", len(data.Entities())) + "0"
	args := make([]any, len(data.Entities()))
	for i, e := range data.Entities() {
		args[i] = e
	}
	if err := tx.QueryRowContext(ctx, fmt.Sprintf(q, args...)).Scan(&rows); err != nil {
		return false, fmt.Errorf("check for rows: %w", err)
	}
	if rows > 0 {
		return false, installTriggers(ctx, tx)
	}
	if err := dropTriggers(ctx, tx); err != nil {
		return false, err
	}
	indexes, err := dropIndexes(ctx, tx)
	if err != nil {
		return false, err
	}
	b, _ := json.Marshal(indexes)
	_, err = tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?)", bulkKey, string(b))
	return true, err
}

// FinishBulk ends a bulk load (see PrepareSync): it recreates the indexes, rebuilds the rollups
// from the rows and reinstalls the triggers, in one transaction. The pages are committed, so a
// read transaction on a connection of its own aggregates the rollups on one core while the
// writer builds the indexes on the other (finishLoad).
//
// Meanwhile the writer's cache is smaller, as in the demo build: its cached pages would add up
// with the rollups waiting in memory (peak RSS), for no speed. The index builds sort in runs of
// their own size (sortOnDisk).
func (st *Store) FinishBulk(ctx context.Context) error {
	st.bulkRefs.forget()
	restore, err := st.shrinkCache(ctx, finishCacheKiB)
	if err != nil {
		return err
	}
	// A connection of its own: the shared read pool may be held by the app's readers.
	read, err := sql.Open("sqlite", dsn(st.path, false, false))
	if err != nil {
		restore() //nolint:errcheck // the open error matters more
		return fmt.Errorf("open a reader of %s: %w", st.path, err)
	}
	defer read.Close()
	err = st.Write(ctx, func(tx *sql.Tx) error { return finishBulk(ctx, tx, read) })
	if err == nil {
		st.bulkRefs.end()
	}
	if rerr := restore(); err == nil {
		err = rerr
	}
	return err
}

// finishBulkTx ends bulk mode inside tx on one core: migration 4 finishes an old build's load
// in its own transaction, whose changes a read connection would not see.
func finishBulkTx(ctx context.Context, tx *sql.Tx) error { return finishBulk(ctx, tx, nil) }

// finishBulk ends bulk mode inside tx. With no bulk state there is nothing to do: a store
// opened after an interrupted load has already been finished by Open (see recoverBulk). With
// read (the same file; tx must not have changed the rows) the rollups are aggregated there
// beside the index builds, else in tx after them. The bulk state goes in the same transaction.
func finishBulk(ctx context.Context, tx *sql.Tx, read *sql.DB) error {
	var ddl string
	err := tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", bulkKey).Scan(&ddl)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read bulk state: %w", err)
	}
	var indexes []string
	if err := json.Unmarshal([]byte(ddl), &indexes); err != nil {
		return fmt.Errorf("bulk state is damaged: %v: %w", err, data.ErrNeedFullSync)
	}
	if read != nil {
		err = finishLoad(ctx, tx, read, indexes)
	} else {
		err = finishLoadTx(ctx, tx, indexes)
	}
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "DELETE FROM settings WHERE key = ?", bulkKey)
	return err
}

// finishLoadTx is finishLoad within tx alone: the indexes, the rollups, the triggers.
func finishLoadTx(ctx context.Context, tx *sql.Tx, indexes []string) error {
	if err := createIndexes(ctx, tx, indexes); err != nil {
		return err
	}
	if err := rebuildRollups(ctx, tx); err != nil {
		return err
	}
	return installTriggers(ctx, tx)
}

// recoverBulk finishes a bulk load that was interrupted (a killed sync), so every opened store
// has its indexes, triggers and rollups in agreement with its rows. A resumed sync then goes on
// through the triggers: slower than bulk mode, always consistent. The loaded pages are
// committed, so read (the store's read pool) aggregates the rollups as in FinishBulk.
func (s *Store) recoverBulk(ctx context.Context, read *sql.DB) error {
	var n int
	if err := s.w.QueryRowContext(ctx, "SELECT COUNT(*) FROM settings WHERE key = ?", bulkKey).Scan(&n); err != nil || n == 0 {
		return err
	}
	if err := s.Write(ctx, func(tx *sql.Tx) error { return finishBulk(ctx, tx, read) }); err != nil {
		return fmt.Errorf("finish an interrupted sync load in %s: %w", s.path, err)
	}
	return nil
}

// emptyStore deletes every entity row, rollup and cursor; triggers are dropped meanwhile since
// the rollups are emptied anyway.
func emptyStore(ctx context.Context, tx *sql.Tx) error {
	if err := dropTriggers(ctx, tx); err != nil {
		return err
	}
	for i := len(data.Entities()) - 1; i >= 0; i-- {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+data.Entities()[i]); err != nil {
			return fmt.Errorf("empty %s: %w", data.Entities()[i], err)
		}
	}
	for _, ru := range rollups {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+ru.table); err != nil {
			return fmt.Errorf("empty %s: %w", ru.table, err)
		}
	}
	if err := clearDigests(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM sync_cursors"); err != nil {
		return fmt.Errorf("reset sync cursors: %w", err)
	}
	return installTriggers(ctx, tx)
}

// SetTenant writes the tenant row (see PutTenant).
func (s *Store) SetTenant(ctx context.Context, t data.Tenant) error {
	return s.Write(ctx, func(tx *sql.Tx) error { return PutTenant(ctx, tx, t) })
}

// SyncCursor returns the stored cursor of entity ("" before its first page).
func (s *Store) SyncCursor(ctx context.Context, entity string) (string, error) {
	var c string
	err := s.r.QueryRowContext(ctx, "SELECT cursor FROM sync_cursors WHERE entity = ?", entity).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return c, err
}

// ErrConcurrentSync means another sync moved the cursor while this one was running.
var ErrConcurrentSync = errors.New("another sync changed this store meanwhile: run the sync again")

// ErrMissingParent means a page references a row of a parent entity the store does not have yet
// (the server created both after the parent entity was synced); another round fetches it.
var ErrMissingParent = errors.New("a record references a row that has not been synced yet")

// Page is one decoded, validated page of a sync's changes to one entity, ready to apply.
type Page struct {
	Entity string
	From   string  // the cursor it was fetched with: applying refuses if the stored one moved
	Next   string  // the cursor after it
	IDs    []int64 // ids of the records Put writes
	Dels   []int64 // ids deleted (tombstones)
	Put    func(w *Writer) error
}

// pageWrite is a sync page's write: Write, leaving the revenue digests' pending changes for the
// sync's last write.
func (st *Store) pageWrite(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return st.write(ctx, fn, false)
}

// ApplyPage writes one page and the entity's new cursor in one transaction and returns the
// counts per entity (deletions cascade to children). The page's changes to the revenue digests
// are left for the sync's last write (Store.write).
func (st *Store) ApplyPage(ctx context.Context, loc *time.Location, pg *Page) (added, updated int64, deleted map[string]int64, err error) {
	st.bulkRefs.mu.Lock()
	defer st.bulkRefs.mu.Unlock()
	write, checked := st.pageWrite, st.checkedBulkPage(pg)
	if checked {
		write = st.writeUnenforced // a bulk load: no triggers, so no digest changes pending
	}
	err = write(ctx, func(tx *sql.Tx) error {
		var cur string
		err := tx.QueryRowContext(ctx, "SELECT cursor FROM sync_cursors WHERE entity = ?", pg.Entity).Scan(&cur)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read %s cursor: %w", pg.Entity, err)
		}
		if cur != pg.From {
			return ErrConcurrentSync
		}
		var pc parentCheck
		if checked {
			if pc, err = st.bulkRefs.forPage(ctx, tx, pg.Entity); err != nil {
				return err
			}
		}
		if added, err = writeRecords(ctx, tx, loc, pg, pc); err != nil {
			return err
		}
		updated = int64(len(pg.IDs)) - added
		if deleted, err = deleteCascade(ctx, tx, pg.Entity, pg.Dels); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sync_cursors (entity, cursor, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (entity) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
			pg.Entity, pg.Next, time.Now().Unix())
		if err != nil {
			return fmt.Errorf("save %s cursor: %w", pg.Entity, err)
		}
		return nil
	})
	if err == nil && st.bulkRefs.on {
		st.bulkRefs.committed(pg, checked, deleted)
	}
	return added, updated, deleted, err
}

// writeRecords upserts the page's records and returns how many were new; with pc, each row's
// references are checked against it (see bulkRefs).
func writeRecords(ctx context.Context, tx *sql.Tx, loc *time.Location, pg *Page, pc parentCheck) (int64, error) {
	if len(pg.IDs) == 0 {
		return 0, nil
	}
	w, err := NewWriter(ctx, tx, loc)
	if err != nil {
		return 0, err
	}
	defer w.Close()
	w.parents = pc
	// Checked per statement, not at commit: a page holds one entity, its parents are already
	// stored, and a failed commit would leave the connection inside the transaction.
	if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = OFF"); err != nil {
		return 0, err
	}
	if err := pg.Put(w); err != nil {
		return 0, fkError(err)
	}
	if err := w.Flush(); err != nil {
		return 0, fkError(err)
	}
	return w.Added(pg.Entity), nil
}

func fkError(err error) error {
	if err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed") {
		return fmt.Errorf("%w (%v)", ErrMissingParent, err)
	}
	return err
}

// cascades lists, per parent entity, the child rows deleted before it. The server deletes or
// re-parents children itself (and sends those changes later in the same sync); deleting them
// here first keeps foreign keys satisfied at every commit. payments.appointment_id is SET NULL
// by the schema, as the server does for payments it keeps.
var cascades = map[string][]struct{ table, column string }{
	"customers": {{"payments", "customer_id"}, {"subscriptions", "customer_id"}, {"appointments", "customer_id"}},
	"services":  {{"appointments", "service_id"}},
	"resources": {{"appointments", "resource_id"}},
}

// deleteCascade deletes ids of entity, each after its cascades' children. The statements are
// prepared once per page: preparing a DELETE compiles the table's rollup triggers, which costs
// more than running it.
func deleteCascade(ctx context.Context, tx *sql.Tx, entity string, ids []int64) (map[string]int64, error) {
	n := map[string]int64{}
	if len(ids) == 0 {
		return n, nil
	}
	var stmts []*sql.Stmt
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	prepare := func(q string) (*sql.Stmt, error) {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("delete %s: %w", entity, err)
		}
		stmts = append(stmts, st)
		return st, nil
	}
	children := make([]*sql.Stmt, len(cascades[entity]))
	for i, c := range cascades[entity] {
		st, err := prepare("DELETE FROM " + c.table + " WHERE " + c.column + " = ?")
		if err != nil {
			return nil, err
		}
		children[i] = st
	}
	del, err := prepare("DELETE FROM " + entity + " WHERE id = ?")
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		// A missing id (never synced, or a repeated tombstone) deletes nothing: its children
		// cannot exist either, since foreign keys hold.
		for i, c := range cascades[entity] {
			k, err := execCountStmt(ctx, children[i], []any{id})
			if err != nil {
				return nil, fmt.Errorf("delete %s of %s %d: %w", c.table, entity, id, err)
			}
			n[c.table] += k
		}
		k, err := execCountStmt(ctx, del, []any{id})
		if err != nil {
			return nil, fmt.Errorf("delete %s %d: %w", entity, id, err)
		}
		n[entity] += k
	}
	return n, nil
}
