package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"sync"
)

// A sync's bulk load (see enterBulk) writes its pages with foreign keys not enforced: SQLite's
// check opens each parent table and looks the row up, once per foreign key per inserted row,
// about 40% of the writer's time applying pages at 1M appointments. Instead the store keeps the
// ids of the parent rows committed so far in memory (bulkRefs) and the Writer checks each row's
// references against them before inserting it, so a page referencing a row the store lacks
// still fails with ErrMissingParent before it commits, as with enforcement, and no committed row
// ever dangles. A page with deletions is applied with the keys enforced, since its deletes need
// their ON DELETE actions; the ids of the tables it deleted from are then read again when next
// needed.

// parentKey is one foreign key of an entity table: column refers to parent's id.
type parentKey struct{ column, parent string }

// parentKeys lists the entity tables' foreign keys (migration 1); TestParentKeysMatchSchema keeps
// it in step with the schema.
var parentKeys = map[string][]parentKey{
	"appointments":  {{"customer_id", "customers"}, {"service_id", "services"}, {"resource_id", "resources"}},
	"payments":      {{"customer_id", "customers"}, {"appointment_id", "appointments"}},
	"subscriptions": {{"customer_id", "customers"}},
}

// bulkRefs holds, during a sync's bulk load (PrepareSync to FinishBulk), the ids of the rows
// committed in each parent table, read from the table when first needed and kept up to date as
// pages commit. The sync is the only writer of entity rows meanwhile.
type bulkRefs struct {
	mu  sync.Mutex
	on  bool
	ids map[string]map[int64]struct{} // by parent table; absent: to be read from the table
}

// begin starts a bulk load's checks with the ids already known (emptyParents).
func (b *bulkRefs) begin(known map[string]map[int64]struct{}) {
	b.mu.Lock()
	b.on, b.ids = true, known
	b.mu.Unlock()
}

// end drops the checks and their memory.
func (b *bulkRefs) end() {
	b.mu.Lock()
	b.on, b.ids = false, nil
	b.mu.Unlock()
}

// forget drops the ids held (they are read again if a page comes): FinishBulk does not need
// them, and they would add to its peak memory.
func (b *bulkRefs) forget() {
	b.mu.Lock()
	if b.on {
		b.ids = map[string]map[int64]struct{}{}
	}
	b.mu.Unlock()
}

// parentCheck is the Writer's view of bulkRefs for one page: the committed ids of each parent
// table the page's entity refers to.
type parentCheck map[string]map[int64]struct{}

// forPage returns entity's parents' ids as tx sees them (before the page is written), reading
// from tx those not yet held. b.mu must be held.
func (b *bulkRefs) forPage(ctx context.Context, tx *sql.Tx, entity string) (parentCheck, error) {
	pc := parentCheck{}
	for _, k := range parentKeys[entity] {
		ids, ok := b.ids[k.parent]
		if !ok {
			var err error
			if ids, err = readIDs(ctx, tx, k.parent); err != nil {
				return nil, err
			}
			b.ids[k.parent] = ids
		}
		pc[k.parent] = ids
	}
	return pc, nil
}

// committed records a page that committed: its ids join its entity's set if the page was
// checked; otherwise (a page with deletions, which cascade) every table it deleted from, and
// its own, are read again when next needed.
func (b *bulkRefs) committed(pg *Page, checked bool, deleted map[string]int64) {
	if checked {
		if ids, ok := b.ids[pg.Entity]; ok {
			for _, id := range pg.IDs {
				ids[id] = struct{}{}
			}
		}
		return
	}
	delete(b.ids, pg.Entity)
	for table, n := range deleted {
		if n > 0 {
			delete(b.ids, table)
		}
	}
}

// emptyParents returns an empty id set for each parent table tx holds no row of: a fresh load's
// sets then grow as its pages commit, never read back from the tables.
func emptyParents(ctx context.Context, tx *sql.Tx) (map[string]map[int64]struct{}, error) {
	known := map[string]map[int64]struct{}{}
	for _, keys := range parentKeys {
		for _, k := range keys {
			if _, ok := known[k.parent]; ok {
				continue
			}
			var rows bool
			if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+k.parent+")").Scan(&rows); err != nil {
				return nil, fmt.Errorf("check for %s rows: %w", k.parent, err)
			}
			if !rows {
				known[k.parent] = map[int64]struct{}{}
			}
		}
	}
	return known, nil
}

// readIDs returns the ids of table's rows.
func readIDs(ctx context.Context, tx *sql.Tx, table string) (map[int64]struct{}, error) {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		return nil, fmt.Errorf("read the %s ids: %w", table, err)
	}
	ids := make(map[int64]struct{}, n)
	rows, err := tx.QueryContext(ctx, "SELECT id FROM "+table)
	if err != nil {
		return nil, fmt.Errorf("read the %s ids: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read the %s ids: %w", table, err)
		}
		ids[id] = struct{}{}
	}
	return ids, rows.Err()
}

// check fails with ErrMissingParent, naming the row, when one of the batch's rows (args: rows of
// cols, flattened) refers to a parent id pc lacks.
func (pc parentCheck) check(table string, cols []string, args []any) error {
	width := len(cols)
	for _, k := range parentKeys[table] {
		ids := pc[k.parent]
		at := slices.Index(cols, k.column)
		for r := 0; r+width <= len(args); r += width {
			v, ok := args[r+at].(int64)
			if !ok { // NULL: no reference
				continue
			}
			if _, held := ids[v]; !held {
				return fmt.Errorf("%w: %s record id %v refers to %s id %d, which the store does not hold", ErrMissingParent, table, args[r], k.parent, v)
			}
		}
	}
	return nil
}

// checkedBulkPage reports whether pg is written with the keys unenforced and checked against
// bulkRefs: only during a bulk load, and only a page without deletions.
func (st *Store) checkedBulkPage(pg *Page) bool {
	return st.bulkRefs.on && len(pg.Dels) == 0 && len(pg.IDs) > 0
}

// writeUnenforced runs fn in one write transaction (as Write does) on the writer's connection
// with foreign keys not enforced, and enforces them again after, whatever the outcome. The
// connection is held throughout, so no other write runs unenforced meanwhile.
func (st *Store) writeUnenforced(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	if st.readOnly {
		return st.Write(ctx, fn) // refused with the read-only error
	}
	conn, err := st.w.Conn(ctx)
	if err != nil {
		return classify(st.path, fmt.Errorf("begin write: %w", err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return fmt.Errorf("foreign keys: %w", err)
	}
	defer func() {
		if _, ferr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON"); ferr != nil {
			// Drop the connection: its replacement enforces them (dsn).
			conn.Raw(func(any) error { return driver.ErrBadConn }) //nolint:errcheck // the error is the point
			if err == nil {
				err = fmt.Errorf("foreign keys: %w", ferr)
			}
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return classify(st.path, fmt.Errorf("begin write: %w", err))
	}
	if err := fn(tx); err != nil {
		tx.Rollback() //nolint:errcheck // the original error matters more
		return classify(st.path, err)
	}
	if err := st.bumpGeneration(ctx, tx); err != nil {
		tx.Rollback() //nolint:errcheck // the original error matters more
		return classify(st.path, err)
	}
	if err := tx.Commit(); err != nil {
		return classify(st.path, fmt.Errorf("commit: %w", err))
	}
	return nil
}
