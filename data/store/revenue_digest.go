package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/almanac-app/almanac/data"
)

// Revenue digests (version 11): a period's revenue per customer (Snapshot.CustomerRevenueIn)
// read one row per day instead of the ~1,300 rows a day of rollup_customer_revenue holds at
// 1,000,000 appointments. digestDay holds, per local date and currency, that day's (customer_id,
// cents) pairs of rollup_customer_revenue with n > 0 as one digest (digest_pairs.go).
//
// A digest is never used stale: triggers on rollup_customer_revenue log every row they change in
// digestStale (its key), in the same transaction as the change, and a reader takes a day's
// digest only when no logged change is pending for it, reading the rows of the other days (a
// missing digest is only slower). Before a write commits (Store.Write), refreshDigests applies
// the pending changes: each affected day's digest is patched with the current rows of the logged
// customers (a merge, not a read of the whole day), or computed from the day's rows when it has
// none yet. A sync's pages leave their changes pending (ApplyPage), so the sync's last write
// applies them once. A rebuild of the rollups (bulk loads, the demo build, RebuildRollups)
// packs every digest from the rows it has just written, still in memory (writeDigests), and the
// migration in one grouped pass (rebuildDigests); CheckRollups compares every usable digest with
// the rows.
const (
	digestDay   = "digest_customer_revenue_day"
	digestStale = "digest_customer_revenue_stale"
)

// digestSource is the rollup the digests pack.
const digestSource = "rollup_customer_revenue"

// Version 11's Go step (afterHooks).
func init() { afterHooks[11] = installDigests }

// digestTriggers log each changed row of digestSource in digestStale, once per key.
func digestTriggers() []rollupTrigger {
	logKey := func(r string) string {
		return fmt.Sprintf(" INSERT INTO %[1]s (local_date, currency, customer_id) SELECT %[2]s.local_date, %[2]s.currency, %[2]s.customer_id"+
			" WHERE NOT EXISTS (SELECT 1 FROM %[1]s WHERE local_date = %[2]s.local_date AND currency = %[2]s.currency AND customer_id = %[2]s.customer_id);", digestStale, r)
	}
	const changed = "NEW.cents IS NOT OLD.cents OR (NEW.n > 0) IS NOT (OLD.n > 0) OR NEW.local_date IS NOT OLD.local_date" +
		" OR NEW.currency IS NOT OLD.currency OR NEW.customer_id IS NOT OLD.customer_id"
	return []rollupTrigger{
		{"digest_revenue_ins", "CREATE TRIGGER digest_revenue_ins AFTER INSERT ON " + digestSource + " BEGIN" + logKey("NEW") + " END"},
		{"digest_revenue_del", "CREATE TRIGGER digest_revenue_del AFTER DELETE ON " + digestSource + " BEGIN" + logKey("OLD") + " END"},
		{"digest_revenue_upd", "CREATE TRIGGER digest_revenue_upd AFTER UPDATE ON " + digestSource + " WHEN " + changed +
			" BEGIN" + logKey("OLD") + logKey("NEW") + " END"},
	}
}

// hasDigests reports whether the schema has the digest tables and their source (the migrations
// before version 11 run without them).
func hasDigests(ctx context.Context, tx *sql.Tx) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN (?, ?, ?)", digestDay, digestStale, digestSource).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read the schema: %w", err)
	}
	return n == 3, nil
}

// installDigests is version 11's Go step: the triggers (with the digests') and every digest.
func installDigests(ctx context.Context, tx *sql.Tx) error {
	if err := installTriggers(ctx, tx); err != nil {
		return err
	}
	return rebuildDigests(ctx, tx)
}

// rebuildDigests recomputes every digest from the rows of digestSource in one grouped pass (its
// primary key's order) and drops the pending changes, which it includes.
func rebuildDigests(ctx context.Context, tx *sql.Tx) error {
	if ok, err := hasDigests(ctx, tx); err != nil || !ok {
		return err
	}
	for _, q := range []string{
		"DELETE FROM " + digestStale,
		"DELETE FROM " + digestDay,
		"INSERT INTO " + digestDay + " (local_date, currency, pairs) SELECT local_date, currency, " + digestFunc + "(customer_id, cents)" +
			" FROM " + digestSource + " WHERE n > 0 GROUP BY local_date, currency",
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("rebuild the revenue digests: %w", err)
		}
	}
	return nil
}

// clearDigests empties the digests and their pending changes (with the rollups they pack).
func clearDigests(ctx context.Context, tx *sql.Tx) error {
	if ok, err := hasDigests(ctx, tx); err != nil || !ok {
		return err
	}
	for _, t := range []string{digestStale, digestDay} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return fmt.Errorf("empty %s: %w", t, err)
		}
	}
	return nil
}

// digestKey is one digest's day and currency.
type digestKey struct{ date, currency string }

// refreshDigests applies the pending changes to the digests (see the header) and drops them.
func refreshDigests(ctx context.Context, tx *sql.Tx) error {
	var any bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+digestStale+")").Scan(&any); err != nil {
		return fmt.Errorf("read the pending revenue digest changes: %w", err)
	}
	if !any {
		return nil
	}
	pending, err := pendingDigestChanges(ctx, tx)
	if err != nil || len(pending) == 0 {
		return err
	}
	keys := make([]digestKey, 0, len(pending))
	for k := range pending {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b digestKey) int {
		if a.date != b.date {
			return cmp.Compare(a.date, b.date)
		}
		return cmp.Compare(a.currency, b.currency)
	})
	sts, err := prepareDigestRefresh(ctx, tx)
	if err != nil {
		return err
	}
	defer sts.close()
	for _, k := range keys {
		if err := sts.refresh(ctx, k, pending[k]); err != nil {
			return fmt.Errorf("refresh the revenue digest of %s %s: %w", k.date, k.currency, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+digestStale); err != nil {
		return fmt.Errorf("refresh the revenue digests: %w", err)
	}
	return nil
}

// pendingDigestChanges reads the logged keys with their rows' current values, per day, sorted
// by customer id.
func pendingDigestChanges(ctx context.Context, tx *sql.Tx) (map[digestKey][]digestChange, error) {
	q := `SELECT s.local_date, s.currency, s.customer_id, r.cents, r.n FROM ` + digestStale + ` s
 LEFT JOIN ` + digestSource + ` r ON r.local_date = s.local_date AND r.currency = s.currency AND r.customer_id = s.customer_id
 ORDER BY s.local_date, s.currency, s.customer_id`
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read the pending revenue digest changes: %w", err)
	}
	defer rows.Close()
	out := map[digestKey][]digestChange{}
	for rows.Next() {
		var k digestKey
		var c digestChange
		var cents, n sql.NullInt64
		if err := rows.Scan(&k.date, &k.currency, &c.id, &cents, &n); err != nil {
			return nil, fmt.Errorf("read the pending revenue digest changes: %w", err)
		}
		c.v, c.gone = cents.Int64, !n.Valid || n.Int64 <= 0
		out[k] = append(out[k], c)
	}
	return out, rows.Err()
}

// digestRefresh holds the statements refreshing one day's digest, prepared once per refresh.
type digestRefresh struct{ read, compute, del, update *sql.Stmt }

func prepareDigestRefresh(ctx context.Context, tx *sql.Tx) (*digestRefresh, error) {
	var r digestRefresh
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{
		{&r.read, "SELECT pairs FROM " + digestDay + " WHERE local_date = ? AND currency = ?"},
		{&r.compute, "INSERT INTO " + digestDay + " (local_date, currency, pairs) SELECT local_date, currency, " + digestFunc + "(customer_id, cents)" +
			" FROM " + digestSource + " WHERE local_date = ? AND currency = ? AND n > 0 GROUP BY local_date, currency"},
		{&r.del, "DELETE FROM " + digestDay + " WHERE local_date = ? AND currency = ?"},
		{&r.update, "UPDATE " + digestDay + " SET pairs = ? WHERE local_date = ? AND currency = ?"},
	} {
		st, err := tx.PrepareContext(ctx, p.q)
		if err != nil {
			r.close()
			return nil, fmt.Errorf("refresh the revenue digests: %w", err)
		}
		*p.st = st
	}
	return &r, nil
}

func (r *digestRefresh) close() {
	for _, st := range []*sql.Stmt{r.read, r.compute, r.del, r.update} {
		if st != nil {
			st.Close()
		}
	}
}

// refresh patches day k's digest with changes, computes it from the rows when it has none, and
// deletes it when no pair is left.
func (r *digestRefresh) refresh(ctx context.Context, k digestKey, changes []digestChange) error {
	var old []byte
	err := r.read.QueryRowContext(ctx, k.date, k.currency).Scan(&old)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = r.compute.ExecContext(ctx, k.date, k.currency)
		return err
	}
	if err != nil {
		return err
	}
	b, err := patchDigest(old, changes)
	if err != nil {
		return err
	}
	if len(b) == 0 {
		_, err = r.del.ExecContext(ctx, k.date, k.currency)
		return err
	}
	_, err = r.update.ExecContext(ctx, b, k.date, k.currency)
	return err
}

// checkDigests counts the usable digests (no change pending) that differ from the rows they pack.
func checkDigests(ctx context.Context, tx *sql.Tx) (int, error) {
	if ok, err := hasDigests(ctx, tx); err != nil || !ok {
		return 0, err
	}
	q := `SELECT d.pairs, (SELECT ` + pairsFunc + `(r.customer_id, r.cents) FROM ` + digestSource + ` r
   WHERE r.local_date = d.local_date AND r.currency = d.currency AND r.n > 0)
 FROM ` + digestDay + ` d
 WHERE NOT EXISTS (SELECT 1 FROM ` + digestStale + ` s WHERE s.local_date = d.local_date AND s.currency = d.currency)`
	bad := 0
	err := eachRow(ctx, tx, q, func(r *sql.Rows) error {
		var digest, rows []byte
		if err := r.Scan(&digest, &rows); err != nil {
			return err
		}
		if !digestMatches(digest, rows) {
			bad++
		}
		return nil
	})
	return bad, err
}

// digestMatches reports whether digest holds exactly the pairs of pairsFunc value rows.
func digestMatches(digest, rows []byte) bool {
	got, err := digestPairs(digest)
	if err != nil {
		return false
	}
	var want []digestPair
	if err := eachPair(rows, func(a, b int64) { want = append(want, digestPair{a, b}) }); err != nil {
		return false
	}
	slices.SortFunc(want, func(a, b digestPair) int { return cmp.Compare(a.id, b.id) })
	return slices.Equal(got, want)
}

// eachRow calls fn for each row of q in tx.
func eachRow(ctx context.Context, tx *sql.Tx, q string, fn func(*sql.Rows) error, args ...any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// revenueDigestsIn calls fn with each usable digest of currency from from to to, in date order,
// and returns the spans of days (inclusive) it had none for.
func revenueDigestsIn(ctx context.Context, tx *sql.Tx, from, to, currency string, fn func(pairs []byte) error) ([][2]string, error) {
	q := `SELECT d.local_date, d.pairs FROM ` + digestDay + ` d
 WHERE d.local_date BETWEEN ?1 AND ?2 AND d.currency = ?3
   AND NOT EXISTS (SELECT 1 FROM ` + digestStale + ` s WHERE s.local_date = d.local_date AND s.currency = ?3)
 ORDER BY d.local_date`
	var gaps [][2]string
	next := from // the first day not covered yet
	err := eachRow(ctx, tx, q, func(r *sql.Rows) error {
		var day string
		var pairs sql.RawBytes
		if err := r.Scan(&day, &pairs); err != nil {
			return err
		}
		if day > next {
			gaps = append(gaps, [2]string{next, shiftDate(day, -1)})
		}
		next = shiftDate(day, 1)
		return fn(pairs)
	}, from, to, currency)
	if err != nil {
		return nil, err
	}
	if next <= to {
		gaps = append(gaps, [2]string{next, to})
	}
	return gaps, nil
}

// shiftDate moves the local date d (DateLayout) by n days.
func shiftDate(d string, n int) string {
	t, err := time.Parse(data.DateLayout, d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, n).Format(data.DateLayout)
}

// writeDigests replaces every digest with the packed rows of t, digestSource's rebuilt rows in
// key order (local_date, currency, customer_id), and drops the pending changes.
func (t rollupTable) writeDigests(ctx context.Context, tx *sql.Tx) error {
	if ok, err := hasDigests(ctx, tx); err != nil || !ok {
		return err
	}
	if err := clearDigests(ctx, tx); err != nil {
		return err
	}
	at := func(cs []rollupCol, name string) int {
		return slices.IndexFunc(cs, func(c rollupCol) bool { return c.name == name })
	}
	date, cur, id := at(t.ru.keys, "local_date"), at(t.ru.keys, "currency"), at(t.ru.keys, "customer_id")
	cents, n := at(t.ru.sums, "cents"), at(t.ru.sums, "n")
	if date != 0 || cur != 1 || id != 2 || cents < 0 || n < 0 {
		return fmt.Errorf("pack the revenue digests: %s is not keyed (local_date, currency, customer_id)", t.ru.table)
	}
	st, err := tx.PrepareContext(ctx, "INSERT INTO "+digestDay+" (local_date, currency, pairs) VALUES (?, ?, ?)")
	if err != nil {
		return fmt.Errorf("pack the revenue digests: %w", err)
	}
	defer st.Close()
	var ps []digestPair
	var buf []byte
	for i, r := range t.rows {
		if r.v[n] > 0 {
			ps = append(ps, digestPair{r.k[id], r.v[cents]})
		}
		if i+1 < len(t.rows) && t.compareKeys(r.k, t.rows[i+1].k, 2) == 0 {
			continue // the day goes on
		}
		if len(ps) > 0 {
			if buf, err = appendDigest(buf[:0], ps); err != nil {
				return fmt.Errorf("pack the revenue digests: %w", err)
			}
			if _, err := st.ExecContext(ctx, t.text[r.k[date]], t.text[r.k[cur]], buf); err != nil {
				return fmt.Errorf("pack the revenue digests: %w", err)
			}
		}
		ps = ps[:0]
	}
	return nil
}
