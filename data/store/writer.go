package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
)

// Writer upserts entity rows inside one write transaction, batching many rows per statement.
// It derives the local-date columns from the tenant's time zone. Call Flush before commit.
//
// Each batch is first inserted with ON CONFLICT DO NOTHING, which tells how many rows were new;
// only when some already existed do further statements update them, and only those whose
// values differ (so an unchanged row costs no index or rollup work). Loading a fresh store is
// then one plain insert per batch. A row whose changed columns no UPDATE OF trigger watches (a
// price, a phone) is updated without setting the watched ones, so its rollup triggers do not
// fire: SQLite fires such a trigger when the SET list names a watched column, even unchanged.
type Writer struct {
	ctx     context.Context
	tx      *sql.Tx
	loc     *time.Location
	batches map[string]*batch
	added   map[string]int64
	changed map[string]int64
	// unchecked: foreign keys are not enforced (BuildFile checks them after the load), so a
	// Delete would skip its ON DELETE action and is refused.
	unchecked bool
	// parents, when set, holds the committed parent ids each row's references must be among
	// (a sync's bulk load, with foreign keys not enforced: see bulkRefs).
	parents parentCheck
}

// batch collects rows for one multi-row insert.
type batch struct {
	table   string
	cols    []string
	rows    int
	args    []any
	inserts map[int]*sql.Stmt // prepared inserts by row count
	updates map[int]*sql.Stmt // prepared upserts by row count
	reindex map[int]*sql.Stmt // prepared upserts of rows whose indexed columns changed, by row count
	plain   map[int]*sql.Stmt // prepared upserts of rows whose only changes no trigger watches, by row count
	split   colSplit
}

// indexedColumns lists, per table, the columns its secondary indexes cover
// (TestIndexedColumnsMatchSchema keeps it in step with the migrations). SQLite rewrites an
// index entry whenever an UPDATE sets one of its columns, even to the same value; updating only
// the other columns when these are unchanged (the usual change: a status, a price, a phone)
// saves that work.
var indexedColumns = map[string][]string{
	"appointments":  {"customer_id", "service_id", "resource_id", "start_at", "local_date"},
	"payments":      {"customer_id", "appointment_id", "created_at"},
	"subscriptions": {"customer_id", "status"},
}

const batchRows = 100

var entityColumns = map[string][]string{
	"resources":     {"id", "name", "kind", "active", "updated_at"},
	"services":      {"id", "name", "duration_minutes", "price_cents", "active", "updated_at"},
	"customers":     {"id", "name", "email", "phone", "status", "created_at", "updated_at"},
	"appointments":  {"id", "customer_id", "service_id", "resource_id", "start_at", "end_at", "status", "booked_at", "price_cents", "local_date", "local_hour", "updated_at"},
	"payments":      {"id", "customer_id", "appointment_id", "amount_cents", "currency", "status", "created_at", "paid_at", "created_local_date", "paid_local_date", "updated_at"},
	"subscriptions": {"id", "customer_id", "plan_name", "status", "amount_cents", "currency", "interval", "started_at", "canceled_at", "updated_at"},
}

// NewWriter returns a Writer for tx; loc is the tenant's time zone. Foreign keys are checked at
// commit, so a batch may reference a parent row still waiting in another batch.
func NewWriter(ctx context.Context, tx *sql.Tx, loc *time.Location) (*Writer, error) {
	if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
		return nil, fmt.Errorf("defer foreign keys: %w", err)
	}
	return &Writer{ctx: ctx, tx: tx, loc: loc, batches: map[string]*batch{}, added: map[string]int64{}, changed: map[string]int64{}}, nil
}

// Columns lists an entity table's columns in the order the writer inserts them (nil for a
// table that is not an entity).
func Columns(table string) []string { return slices.Clone(entityColumns[table]) }

// Added is how many rows of table the Writer inserted (ids the table did not hold).
func (w *Writer) Added(table string) int64 { return w.added[table] }

// Changed is how many existing rows of table the Writer updated with different values.
func (w *Writer) Changed(table string) int64 { return w.changed[table] }

// insertSQL is a multi-row INSERT of rows rows; callers add the conflict clause.
func insertSQL(table string, cols []string, rows int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

// colSplit sorts a table's non-id columns for the update statements: indexed (covered by a
// secondary index), watched (named by an UPDATE trigger, not indexed) and plain (the rest).
type colSplit struct {
	indexed, watched, plain []string
}

// splitColumns splits cols by table's secondary indexes and by the columns the UPDATE triggers
// installed on it watch (watched: see updateWatched).
func splitColumns(table string, cols, watched []string) colSplit {
	var c colSplit
	for _, col := range cols {
		switch {
		case slices.Contains(indexedColumns[table], col):
			c.indexed = append(c.indexed, col)
		case slices.Contains(watched, col):
			c.watched = append(c.watched, col)
		default:
			c.plain = append(c.plain, col)
		}
	}
	return c
}

// same is "(cols) IS (excluded.cols)", or "true" without columns; differs is its negation.
func same(cols []string) string {
	if len(cols) == 0 {
		return "true"
	}
	return "(" + strings.Join(cols, ", ") + ") IS (" + excluded(cols) + ")"
}

func differs(cols []string) string {
	if len(cols) == 0 {
		return "false"
	}
	return "(" + strings.Join(cols, ", ") + ") IS NOT (" + excluded(cols) + ")"
}

// upsertSQL updates the existing rows whose watched columns changed (but no indexed one), setting
// the watched and plain columns. A row takes at most one of upsertSQL, plainSQL and reindexSQL.
func upsertSQL(table string, cols []string, rows int, c colSplit) string {
	return conflictUpdate(table, cols, rows, append(slices.Clone(c.watched), c.plain...), same(c.indexed)+" AND "+differs(c.watched))
}

// plainSQL updates only the plain columns of the existing rows whose indexed and watched columns
// are unchanged and plain ones differ: no index entry is rewritten and no trigger fires.
func plainSQL(table string, cols []string, rows int, c colSplit) string {
	return conflictUpdate(table, cols, rows, c.plain, same(c.indexed)+" AND "+same(c.watched)+" AND "+differs(c.plain))
}

// reindexSQL updates every column of the existing rows whose indexed columns changed.
func reindexSQL(table string, cols []string, rows int, c colSplit) string {
	return conflictUpdate(table, cols, rows, cols[1:], differs(c.indexed))
}

func conflictUpdate(table string, cols []string, rows int, set []string, where string) string {
	sets := make([]string, len(set))
	for i, c := range set {
		sets[i] = c + " = excluded." + c
	}
	return fmt.Sprintf("%s ON CONFLICT (id) DO UPDATE SET %s WHERE %s", insertSQL(table, cols, rows), strings.Join(sets, ", "), where)
}

func excluded(cols []string) string { return "excluded." + strings.Join(cols, ", excluded.") }

// updateTrigger finds the event of a trigger: "UPDATE OF a, b ON t" or "UPDATE ON t", before
// its body.
var updateTrigger = regexp.MustCompile(`(?is)^CREATE\s+TRIGGER\s.*?\bUPDATE\s+(?:OF\s+(.+?)\s+)?ON\s+["\[]?(\w+)`)

// updateWatched returns the columns of table that its installed UPDATE triggers watch; a
// trigger on every update (no OF) watches all of cols.
func updateWatched(ctx context.Context, tx *sql.Tx, table string, cols []string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", table)
	if err != nil {
		return nil, fmt.Errorf("read %s triggers: %w", table, err)
	}
	defer rows.Close()
	var watched []string
	for rows.Next() {
		var ddl string
		if err := rows.Scan(&ddl); err != nil {
			return nil, fmt.Errorf("read %s triggers: %w", table, err)
		}
		if i := strings.Index(strings.ToUpper(ddl), " BEGIN"); i >= 0 {
			ddl = ddl[:i]
		}
		m := updateTrigger.FindStringSubmatch(ddl)
		if m == nil || !strings.EqualFold(m[2], table) {
			continue
		}
		if m[1] == "" {
			return slices.Clone(cols), rows.Close()
		}
		for _, c := range strings.Split(m[1], ",") {
			c = strings.ToLower(strings.Trim(strings.TrimSpace(c), "\"`[]"))
			if !slices.Contains(watched, c) {
				watched = append(watched, c)
			}
		}
	}
	return watched, rows.Err()
}

func (w *Writer) add(table string, vals ...any) error {
	b := w.batches[table]
	if b == nil {
		cols := entityColumns[table]
		watched, err := updateWatched(w.ctx, w.tx, table, cols[1:])
		if err != nil {
			return err
		}
		b = &batch{table: table, cols: cols, inserts: map[int]*sql.Stmt{}, updates: map[int]*sql.Stmt{},
			reindex: map[int]*sql.Stmt{}, plain: map[int]*sql.Stmt{}, split: splitColumns(table, cols[1:], watched)}
		w.batches[table] = b
	}
	b.args = append(b.args, vals...)
	b.rows++
	if b.rows < batchRows {
		return nil
	}
	// Parents first: a child row never waits on a parent still in a batch, so no deferred
	// foreign-key violation is outstanding (SQLite scans child tables while one is).
	for _, parent := range data.Entities() {
		if parent == table {
			break
		}
		if err := w.flushTable(parent); err != nil {
			return err
		}
	}
	return w.flushTable(table)
}

func (w *Writer) flushTable(table string) error {
	b := w.batches[table]
	if b == nil || b.rows == 0 {
		return nil
	}
	if w.parents != nil {
		if err := w.parents.check(table, b.cols, b.args); err != nil {
			return err
		}
	}
	ins, err := w.stmt(b.inserts, b.rows, func() string { return insertSQL(table, b.cols, b.rows) + " ON CONFLICT (id) DO NOTHING" })
	if err != nil {
		return err
	}
	added, err := execCountStmt(w.ctx, ins, b.args)
	if err != nil {
		return fmt.Errorf("write %s: %w", table, err)
	}
	w.added[table] += added
	if added < int64(b.rows) {
		if err := w.update(b); err != nil {
			return fmt.Errorf("write %s: %w", table, err)
		}
	}
	b.rows, b.args = 0, b.args[:0]
	return nil
}

// update applies the batch's rows that already existed: upsertSQL, plainSQL when the table
// has plain columns, reindexSQL when it has indexed ones. A row takes at most one of them.
func (w *Writer) update(b *batch) error {
	c := b.split
	steps := []struct {
		cache map[int]*sql.Stmt
		sql   func(string, []string, int, colSplit) string
		use   bool
	}{
		{b.updates, upsertSQL, len(c.watched) > 0},
		{b.plain, plainSQL, len(c.plain) > 0},
		{b.reindex, reindexSQL, len(c.indexed) > 0},
	}
	for _, s := range steps {
		if !s.use {
			continue
		}
		st, err := w.stmt(s.cache, b.rows, func() string { return s.sql(b.table, b.cols, b.rows, c) })
		if err != nil {
			return err
		}
		changed, err := execCountStmt(w.ctx, st, b.args)
		if err != nil {
			return err
		}
		w.changed[b.table] += changed
	}
	return nil
}

// stmt returns the statement prepared for rows rows, preparing q() the first time.
func (w *Writer) stmt(cache map[int]*sql.Stmt, rows int, q func() string) (*sql.Stmt, error) {
	if st := cache[rows]; st != nil {
		return st, nil
	}
	st, err := w.tx.PrepareContext(w.ctx, q())
	if err != nil {
		return nil, fmt.Errorf("prepare a write statement: %w", err)
	}
	cache[rows] = st
	return st, nil
}

func execCountStmt(ctx context.Context, st *sql.Stmt, args []any) (int64, error) {
	r, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// Flush writes every pending row. Parent tables go first so foreign keys hold.
func (w *Writer) Flush() error {
	for _, table := range data.Entities() {
		if err := w.flushTable(table); err != nil {
			return err
		}
	}
	return nil
}

// Close releases prepared statements; it does not flush.
func (w *Writer) Close() {
	for _, b := range w.batches {
		for _, st := range b.inserts {
			st.Close()
		}
		for _, st := range b.updates {
			st.Close()
		}
		for _, st := range b.reindex {
			st.Close()
		}
		for _, st := range b.plain {
			st.Close()
		}
	}
}

func unix(t time.Time) int64 { return t.Unix() }

func unixPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Unix()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// PutResource upserts a resource.
func (w *Writer) PutResource(r data.Resource) error {
	return w.add("resources", r.ID, r.Name, string(r.Kind), boolInt(r.Active), unix(r.UpdatedAt))
}

// PutService upserts a service.
func (w *Writer) PutService(s data.Service) error {
	return w.add("services", s.ID, s.Name, s.DurationMinutes, s.PriceCents, boolInt(s.Active), unix(s.UpdatedAt))
}

// PutCustomer upserts a customer.
func (w *Writer) PutCustomer(c data.Customer) error {
	return w.add("customers", c.ID, c.Name, c.Email, c.Phone, string(c.Status), unix(c.CreatedAt), unix(c.UpdatedAt))
}

// PutAppointment upserts an appointment, deriving its local date and hour.
func (w *Writer) PutAppointment(a data.Appointment) error {
	local := a.StartAt.In(w.loc)
	return w.add("appointments", a.ID, a.CustomerID, a.ServiceID, a.ResourceID, unix(a.StartAt), unix(a.EndAt),
		string(a.Status), unix(a.BookedAt), a.PriceCents, local.Format(data.DateLayout), local.Hour(), unix(a.UpdatedAt))
}

// PutPayment upserts a payment, deriving its local created and paid dates.
func (w *Writer) PutPayment(p data.Payment) error {
	var apptID, paidDate any
	if p.AppointmentID != nil {
		apptID = *p.AppointmentID
	}
	if p.PaidAt != nil {
		paidDate = data.LocalDate(*p.PaidAt, w.loc)
	}
	return w.add("payments", p.ID, p.CustomerID, apptID, p.AmountCents, p.Currency, string(p.Status),
		unix(p.CreatedAt), unixPtr(p.PaidAt), data.LocalDate(p.CreatedAt, w.loc), paidDate, unix(p.UpdatedAt))
}

// PutSubscription upserts a subscription.
func (w *Writer) PutSubscription(s data.Subscription) error {
	return w.add("subscriptions", s.ID, s.CustomerID, s.PlanName, string(s.Status), s.AmountCents, s.Currency,
		s.Interval, unix(s.StartedAt), unixPtr(s.CanceledAt), unix(s.UpdatedAt))
}

// Delete removes one row of entity by id after flushing pending rows. Deleting a missing row is
// not an error (tombstones may repeat).
func (w *Writer) Delete(entity string, id int64) error {
	if _, ok := entityColumns[entity]; !ok {
		return fmt.Errorf("delete from %q: %w: unknown entity", entity, data.ErrInvalid)
	}
	if w.unchecked {
		return fmt.Errorf("delete from %s while building a store: %w: a build only inserts", entity, data.ErrInvalid)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if _, err := w.tx.ExecContext(w.ctx, "DELETE FROM "+entity+" WHERE id = ?", id); err != nil {
		return fmt.Errorf("delete %s %d: %w", entity, id, err)
	}
	return nil
}
