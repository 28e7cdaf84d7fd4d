package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// prepareStore writes the server's tenant into st (refusing another tenant's store) and, for a
// full sync, empties it first. It reports whether the sync loads in bulk mode (see enterBulk).
func prepareStore(ctx context.Context, st *Store, remote RemoteTenant, full bool) (t Tenant, bulk bool, err error) {
	err = st.Write(ctx, func(tx *sql.Tx) error {
		old, err := TenantTx(ctx, tx)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		case old.ID != remote.ID:
			return fmt.Errorf("store %s holds tenant %q, not the server's %q: %w", st.Path(), old.ID, remote.ID, ErrTenantChanged)
		case old.TimeZone != remote.TimeZone && !full:
			return fmt.Errorf("the tenant's time zone changed from %s to %s: %w", old.TimeZone, remote.TimeZone, ErrNeedFullSync)
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
		t = Tenant{ID: remote.ID, Name: remote.Name, TimeZone: remote.TimeZone, Currency: remote.Currency,
			CanAcceptPayments: remote.CanAcceptPayments, LastSyncAt: t.LastSyncAt}
		return PutTenant(ctx, tx, t)
	})
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
	q := "SELECT " + strings.Repeat("(SELECT EXISTS (SELECT 1 FROM %s)) + ", len(Entities)) + "0"
	args := make([]any, len(Entities))
	for i, e := range Entities {
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

// finishBulk recreates the indexes, rebuilds the rollups from the rows and reinstalls the
// triggers, in one transaction.
func finishBulk(ctx context.Context, st *Store) error {
	return st.Write(ctx, func(tx *sql.Tx) error { return finishBulkTx(ctx, tx) })
}

// finishBulkTx ends bulk mode inside tx. With no bulk state there is nothing to do: a store
// opened after an interrupted load has already been finished by Open (see recoverBulk).
func finishBulkTx(ctx context.Context, tx *sql.Tx) error {
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
		return fmt.Errorf("bulk state is damaged: %v: %w", err, ErrNeedFullSync)
	}
	for _, q := range indexes {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("recreate index: %w", err)
		}
	}
	if err := rebuildRollups(ctx, tx); err != nil {
		return err
	}
	if err := installTriggers(ctx, tx); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "DELETE FROM settings WHERE key = ?", bulkKey)
	return err
}

// recoverBulk finishes a bulk load that was interrupted (a killed sync), so every opened store
// has its indexes, triggers and rollups in agreement with its rows. A resumed sync then goes on
// through the triggers: slower than bulk mode, always consistent.
func (s *Store) recoverBulk(ctx context.Context) error {
	var n int
	if err := s.w.QueryRowContext(ctx, "SELECT COUNT(*) FROM settings WHERE key = ?", bulkKey).Scan(&n); err != nil || n == 0 {
		return err
	}
	if err := s.Write(ctx, func(tx *sql.Tx) error { return finishBulkTx(ctx, tx) }); err != nil {
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
	for i := len(Entities) - 1; i >= 0; i-- {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+Entities[i]); err != nil {
			return fmt.Errorf("empty %s: %w", Entities[i], err)
		}
	}
	for _, q := range rollupQueries {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+q.table); err != nil {
			return fmt.Errorf("empty %s: %w", q.table, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM sync_cursors"); err != nil {
		return fmt.Errorf("reset sync cursors: %w", err)
	}
	return installTriggers(ctx, tx)
}

// SetTenant writes the tenant row (see PutTenant).
func (s *Store) SetTenant(ctx context.Context, t Tenant) error {
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

// syncPage is one decoded, validated page, ready to apply.
type syncPage struct {
	entity    string
	from      string // the cursor it was fetched with
	next      string
	more      bool
	remaining int64
	newest    time.Time // the newest updated_at of the page's changes
	ids       []int64   // ids of the records
	dels      []int64
	put       func(w *Writer) error
}

func (p *syncPage) size() int64 { return int64(len(p.ids) + len(p.dels)) }

// malformed names the entity and cursor of a page that is not applied.
func malformed(entity, cursor string, format string, args ...any) error {
	if cursor == "" {
		cursor = "(start)"
	}
	return fmt.Errorf("the server sent a malformed %s page after cursor %s: %s; the page was not applied",
		entity, cursor, fmt.Sprintf(format, args...))
}

// decodePage parses and checks a page body for entity.
func decodePage(entity, from string, body []byte, limit int) (*syncPage, error) {
	switch entity {
	case "resources":
		return decodeTyped(entity, from, body, limit, checkResource, func(v Resource) int64 { return v.ID }, (*Writer).PutResource)
	case "services":
		return decodeTyped(entity, from, body, limit, checkService, func(v Service) int64 { return v.ID }, (*Writer).PutService)
	case "customers":
		return decodeTyped(entity, from, body, limit, checkCustomer, func(v Customer) int64 { return v.ID }, (*Writer).PutCustomer)
	case "appointments":
		return decodeTyped(entity, from, body, limit, checkAppointment, func(v Appointment) int64 { return v.ID }, (*Writer).PutAppointment)
	case "payments":
		return decodeTyped(entity, from, body, limit, checkPayment, func(v Payment) int64 { return v.ID }, (*Writer).PutPayment)
	case "subscriptions":
		return decodeTyped(entity, from, body, limit, checkSubscription, func(v Subscription) int64 { return v.ID }, (*Writer).PutSubscription)
	}
	return nil, fmt.Errorf("unknown entity %q", entity)
}

func decodeTyped[T any](entity, from string, body []byte, limit int, check func(T) error, id func(T) int64,
	put func(*Writer, T) error) (*syncPage, error) {
	var p changesPage[T]
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, malformed(entity, from, "%s", locateBadRecord[T](body, err))
	}
	if err := checkPageHeader(entity, from, &p.Entity, len(p.Records)+len(p.Deleted), limit, p.NextCursor, p.HasMore); err != nil {
		return nil, err
	}
	pg := &syncPage{entity: entity, from: from, next: p.NextCursor, more: p.HasMore, remaining: max(p.Remaining, 0),
		ids: make([]int64, len(p.Records))}
	seen := make(map[int64]bool, len(p.Records)+len(p.Deleted))
	for i, r := range p.Records {
		if err := check(r); err != nil {
			return nil, malformed(entity, from, "record id %d (#%d): %v", id(r), i, err)
		}
		pg.ids[i] = id(r)
		if at := updatedAt(r); at.After(pg.newest) {
			pg.newest = at
		}
		if seen[pg.ids[i]] {
			return nil, malformed(entity, from, "id %d appears twice", pg.ids[i])
		}
		seen[pg.ids[i]] = true
	}
	for i, d := range p.Deleted {
		if d.ID <= 0 || seen[d.ID] {
			return nil, malformed(entity, from, "tombstone %d: bad or repeated id %d", i, d.ID)
		}
		seen[d.ID] = true
		pg.dels = append(pg.dels, d.ID)
		if d.UpdatedAt.After(pg.newest) {
			pg.newest = d.UpdatedAt
		}
	}
	records := p.Records
	pg.put = func(w *Writer) error {
		for _, r := range records {
			if err := put(w, r); err != nil {
				return err
			}
		}
		return nil
	}
	return pg, nil
}

// updatedAt is a record's updated_at (zero for a type without one).
func updatedAt(v any) time.Time {
	switch r := v.(type) {
	case Resource:
		return r.UpdatedAt
	case Service:
		return r.UpdatedAt
	case Customer:
		return r.UpdatedAt
	case Appointment:
		return r.UpdatedAt
	case Payment:
		return r.UpdatedAt
	case Subscription:
		return r.UpdatedAt
	}
	return time.Time{}
}

// locateBadRecord explains a page that failed to decode: when the page is well-formed JSON but
// one record is not (an amount that does not fit, a date that does not parse), it names that
// record's id, which the error of decoding the whole page does not. It runs only on failure, so
// the happy path decodes once.
func locateBadRecord[T any](body []byte, pageErr error) string {
	var raw struct {
		Records []json.RawMessage `json:"records"`
	}
	if json.Unmarshal(body, &raw) != nil {
		return pageErr.Error()
	}
	for i, r := range raw.Records {
		var v T
		err := json.Unmarshal(r, &v)
		if err == nil {
			continue
		}
		var idOnly struct {
			ID json.Number `json:"id"`
		}
		if json.Unmarshal(r, &idOnly) == nil && idOnly.ID != "" && len(idOnly.ID) <= 20 {
			return fmt.Sprintf("record id %s (#%d): %v", idOnly.ID, i, err)
		}
		return fmt.Sprintf("record #%d (no readable id): %v", i, err)
	}
	return pageErr.Error()
}

func checkPageHeader(entity, from string, got *string, n, limit int, next string, more bool) error {
	switch {
	case *got != entity:
		return malformed(entity, from, "it says it holds %q", *got)
	case n > limit:
		return malformed(entity, from, "%d changes, more than the limit %d", n, limit)
	case len(next) > 256 || strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r > 0x7e }):
		return malformed(entity, from, "next_cursor is not a short printable string")
	case n > 0 && next == "":
		return malformed(entity, from, "next_cursor is empty after %d changes", n)
	case more && n == 0:
		return malformed(entity, from, "has_more is set on a page with no changes")
	case more && next == from:
		return malformed(entity, from, "has_more is set but next_cursor did not advance, so the same page would repeat forever")
	}
	return nil
}

// Record checks: the store's CHECK constraints would refuse these too, but a clear message
// naming the record beats a constraint name.

func checkText(field, s string, required bool) error {
	if required && s == "" {
		return fmt.Errorf("%s is empty", field)
	}
	if len(s) > 1000 {
		return fmt.Errorf("%s is longer than 1000 bytes", field)
	}
	return nil
}

func checkTime(name string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("%s is missing", name)
	}
	if y := t.Year(); y < 1970 || y > 2200 {
		return fmt.Errorf("%s %s is out of range", name, t.Format(time.RFC3339))
	}
	return nil
}

// checkOptTime checks an optional instant.
func checkOptTime(name string, t *time.Time) error {
	if t == nil {
		return nil
	}
	return checkTime(name, *t)
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// MaxMoneyCents bounds every amount from a server: 10^12 minor units (10 billion dollars) is
// far beyond any single record of a small business, and even two million records at the bound
// sum to 2*10^18, inside int64, so rollups and report totals cannot overflow.
const MaxMoneyCents = 1_000_000_000_000

// checkMoney refuses amounts outside [0, MaxMoneyCents], or [-MaxMoneyCents, MaxMoneyCents]
// when negative means something (a payment's refund or correction).
func checkMoney(name string, cents int64, negativeOK bool) error {
	lo := int64(0)
	if negativeOK {
		lo = -MaxMoneyCents
	}
	if cents < lo || cents > MaxMoneyCents {
		if cents < 0 && !negativeOK {
			return fmt.Errorf("%s %d is negative", name, cents)
		}
		return fmt.Errorf("%s %d is beyond the limit of ±%d minor units", name, cents, int64(MaxMoneyCents))
	}
	return nil
}

func checkID(name string, id int64) error {
	if id <= 0 {
		return fmt.Errorf("%s %d is not a positive id", name, id)
	}
	return nil
}

func checkResource(r Resource) error {
	if r.Kind != ResourceStaff && r.Kind != ResourceRoom && r.Kind != ResourceEquipment {
		return fmt.Errorf("kind %q is not staff, room or equipment", r.Kind)
	}
	return firstErr(checkID("id", r.ID), checkText("name", r.Name, true), checkTime("updated_at", r.UpdatedAt))
}

func checkService(s Service) error {
	if s.DurationMinutes <= 0 {
		return fmt.Errorf("duration_minutes %d is not positive", s.DurationMinutes)
	}
	return firstErr(checkID("id", s.ID), checkMoney("price_cents", s.PriceCents, false), checkText("name", s.Name, true), checkTime("updated_at", s.UpdatedAt))
}

func checkCustomer(c Customer) error {
	if c.Status != CustomerActive && c.Status != CustomerInactive {
		return fmt.Errorf("status %q is not active or inactive", c.Status)
	}
	return firstErr(checkID("id", c.ID), checkText("name", c.Name, true), checkText("email", c.Email, false),
		checkText("phone", c.Phone, false), checkTime("created_at", c.CreatedAt), checkTime("updated_at", c.UpdatedAt))
}

func checkAppointment(a Appointment) error {
	switch {
	case !ValidAppointmentStatus(string(a.Status)):
		return fmt.Errorf("status %q is unknown", a.Status)
	case a.EndAt.Before(a.StartAt):
		return fmt.Errorf("end_at is before start_at")
	}
	return firstErr(checkID("id", a.ID), checkMoney("price_cents", a.PriceCents, false), checkID("customer_id", a.CustomerID), checkID("service_id", a.ServiceID),
		checkID("resource_id", a.ResourceID), checkTime("start_at", a.StartAt), checkTime("end_at", a.EndAt),
		checkTime("booked_at", a.BookedAt), checkTime("updated_at", a.UpdatedAt))
}

func checkPayment(p Payment) error {
	switch {
	case !ValidPaymentStatus(string(p.Status)):
		return fmt.Errorf("status %q is unknown", p.Status)
	case !ValidCurrency(p.Currency):
		return fmt.Errorf("currency %q is not a code of three capital letters such as USD", p.Currency)
	case p.AppointmentID != nil && *p.AppointmentID <= 0:
		return fmt.Errorf("appointment_id %d is not a positive id", *p.AppointmentID)
	}
	return firstErr(checkID("id", p.ID), checkMoney("amount_cents", p.AmountCents, true), checkID("customer_id", p.CustomerID), checkTime("created_at", p.CreatedAt),
		checkOptTime("paid_at", p.PaidAt), checkTime("updated_at", p.UpdatedAt))
}

func checkSubscription(s Subscription) error {
	switch {
	case !ValidSubscriptionStatus(string(s.Status)):
		return fmt.Errorf("status %q is unknown", s.Status)
	case !ValidCurrency(s.Currency):
		return fmt.Errorf("currency %q is not a code of three capital letters such as USD", s.Currency)
	case s.Interval != "month" && s.Interval != "year":
		return fmt.Errorf("interval %q is not month or year", s.Interval)
	}
	return firstErr(checkID("id", s.ID), checkMoney("amount_cents", s.AmountCents, false), checkID("customer_id", s.CustomerID), checkText("plan_name", s.PlanName, true),
		checkTime("started_at", s.StartedAt), checkOptTime("canceled_at", s.CanceledAt), checkTime("updated_at", s.UpdatedAt))
}

// errConcurrentSync means another sync moved the cursor while this one was running.
var errConcurrentSync = errors.New("another sync changed this store meanwhile: run the sync again")

// errMissingParent means a page references a row of a parent entity the store does not have yet
// (the server created both after the parent entity was synced); another round fetches it.
var errMissingParent = errors.New("a record references a row that has not been synced yet")

// applyPage writes one page and the entity's new cursor in one transaction and returns the
// counts per entity (deletions cascade to children).
func applyPage(ctx context.Context, st *Store, loc *time.Location, pg *syncPage) (added, updated int64, deleted map[string]int64, err error) {
	err = st.Write(ctx, func(tx *sql.Tx) error {
		var cur string
		err := tx.QueryRowContext(ctx, "SELECT cursor FROM sync_cursors WHERE entity = ?", pg.entity).Scan(&cur)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read %s cursor: %w", pg.entity, err)
		}
		if cur != pg.from {
			return errConcurrentSync
		}
		if added, err = writeRecords(ctx, tx, loc, pg); err != nil {
			return err
		}
		updated = int64(len(pg.ids)) - added
		if deleted, err = deleteCascade(ctx, tx, pg.entity, pg.dels); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sync_cursors (entity, cursor, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (entity) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
			pg.entity, pg.next, time.Now().Unix())
		if err != nil {
			return fmt.Errorf("save %s cursor: %w", pg.entity, err)
		}
		return nil
	})
	return added, updated, deleted, err
}

// writeRecords upserts the page's records and returns how many were new.
func writeRecords(ctx context.Context, tx *sql.Tx, loc *time.Location, pg *syncPage) (int64, error) {
	if len(pg.ids) == 0 {
		return 0, nil
	}
	w, err := NewWriter(ctx, tx, loc)
	if err != nil {
		return 0, err
	}
	defer w.Close()
	// Checked per statement, not at commit: a page holds one entity, its parents are already
	// stored, and a failed commit would leave the connection inside the transaction.
	if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = OFF"); err != nil {
		return 0, err
	}
	if err := pg.put(w); err != nil {
		return 0, fkError(err)
	}
	if err := w.Flush(); err != nil {
		return 0, fkError(err)
	}
	return w.Added(pg.entity), nil
}

func fkError(err error) error {
	if err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed") {
		return fmt.Errorf("%w (%v)", errMissingParent, err)
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

func deleteCascade(ctx context.Context, tx *sql.Tx, entity string, ids []int64) (map[string]int64, error) {
	n := map[string]int64{}
	for _, id := range ids {
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM "+entity+" WHERE id = ?", id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			continue // never synced or already gone: tombstones may repeat
		}
		if err != nil {
			return nil, fmt.Errorf("delete %s %d: %w", entity, id, err)
		}
		for _, c := range cascades[entity] {
			k, err := execCount(ctx, tx, "DELETE FROM "+c.table+" WHERE "+c.column+" = ?", id)
			if err != nil {
				return nil, fmt.Errorf("delete %s of %s %d: %w", c.table, entity, id, err)
			}
			n[c.table] += k
		}
		k, err := execCount(ctx, tx, "DELETE FROM "+entity+" WHERE id = ?", id)
		if err != nil {
			return nil, fmt.Errorf("delete %s %d: %w", entity, id, err)
		}
		n[entity] += k
	}
	return n, nil
}

func execCount(ctx context.Context, tx *sql.Tx, q string, args ...any) (int64, error) {
	r, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}
