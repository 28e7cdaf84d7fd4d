package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// revenueOf is CustomerRevenueIn of from..to in currency, as a map.
func revenueOf(t *testing.T, st *Store, from, to, currency string) map[int64]int64 {
	t.Helper()
	out := map[int64]int64{}
	snapRead(t, st, func(ctx context.Context, sn *Snapshot) error {
		sums, err := sn.CustomerRevenueIn(ctx, nil, from, to, currency)
		if err != nil {
			return err
		}
		for id, c := range sums.All() {
			out[id] = c
		}
		return nil
	})
	return out
}

// rawRevenue is the same sums from the payments themselves.
func rawRevenue(t *testing.T, st *Store, from, to, currency string) map[int64]int64 {
	t.Helper()
	out := map[int64]int64{}
	err := st.Read(context.Background(), func(tx *sql.Tx) error {
		return eachRow(context.Background(), tx, `SELECT customer_id, SUM(amount_cents) FROM payments
 WHERE status = 'succeeded' AND paid_local_date BETWEEN ? AND ? AND currency = ? GROUP BY 1`, func(r *sql.Rows) error {
			var id, c int64
			err := r.Scan(&id, &c)
			out[id] = c
			return err
		}, from, to, currency)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// digestRows is every digest and every pending change, as text.
func digestRows(t *testing.T, st *Store) (days, stale []string) {
	t.Helper()
	err := st.Read(context.Background(), func(tx *sql.Tx) error {
		err := eachRow(context.Background(), tx, "SELECT local_date, currency, pairs FROM "+digestDay+" ORDER BY 1, 2", func(r *sql.Rows) error {
			var d, c string
			var b []byte
			if err := r.Scan(&d, &c, &b); err != nil {
				return err
			}
			ps, err := digestPairs(b)
			days = append(days, fmt.Sprint(d, c, ps))
			return err
		})
		if err != nil {
			return err
		}
		return eachRow(context.Background(), tx, "SELECT local_date, currency, customer_id FROM "+digestStale+" ORDER BY 1, 2, 3", func(r *sql.Rows) error {
			var d, c string
			var id int64
			err := r.Scan(&d, &c, &id)
			stale = append(stale, fmt.Sprint(d, c, id))
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return days, stale
}

// exec runs q in a write that refreshes the digests before its commit or, like a sync's page,
// leaves them pending.
func exec(t *testing.T, st *Store, refresh bool, q string, args ...any) {
	t.Helper()
	err := st.write(context.Background(), func(tx *sql.Tx) error { _, err := tx.Exec(q, args...); return err }, refresh)
	if err != nil {
		t.Fatal(err)
	}
}

// TestRevenueDigestsFollowTheRows: random writes through the triggers keep every digest equal to
// its rows (CheckRollups), the revenue read with digests equals the payments' and the read
// without any digest, and the digests the writes patched equal a rebuild's. A change left
// pending (a sync's page) takes its day's digest out of use until the next commit refreshes it.
func TestRevenueDigestsFollowTheRows(t *testing.T) {
	ctx := context.Background()
	st := MustOpen(t)
	if err := st.SetTenant(ctx, testTenant()); err != nil {
		t.Fatal(err)
	}
	const from, to = "2026-02-27", "2026-03-12" // beyond the random writes' days on both sides
	rng := rand.New(rand.NewPCG(7, 3))
	for round := range 20 {
		randomWrites(t, st, rng, round)
		if err := st.CheckRollups(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		days, stale := digestRows(t, st)
		if len(days) == 0 || len(stale) != 0 {
			t.Fatalf("round %d: %d digests and %d pending changes after a commit, want some and none", round, len(days), len(stale))
		}
		for _, cur := range []string{"USD", "EUR"} {
			if got, want := revenueOf(t, st, from, to, cur), rawRevenue(t, st, from, to, cur); !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d %s: revenue %v, the payments give %v", round, cur, got, want)
			}
		}
	}
	byWrites, _ := digestRows(t, st)
	if err := st.RebuildRollups(ctx); err != nil {
		t.Fatal(err)
	}
	if byRebuild, _ := digestRows(t, st); !reflect.DeepEqual(byWrites, byRebuild) {
		t.Fatalf("the patched digests differ from a rebuild:\nwrites  %v\nrebuild %v", byWrites, byRebuild)
	}

	// A payment's change left pending: its day is read from the rows meanwhile.
	var id int64
	var day string
	err := st.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRow("SELECT id, paid_local_date FROM payments WHERE status = 'succeeded' AND currency = 'USD' AND paid_local_date IS NOT NULL LIMIT 1").Scan(&id, &day)
	})
	if err != nil {
		t.Fatal(err)
	}
	before := revenueOf(t, st, from, to, "USD")
	exec(t, st, false, "UPDATE payments SET amount_cents = amount_cents + 1234 WHERE id = ?", id)
	if _, stale := digestRows(t, st); len(stale) == 0 {
		t.Fatal("a changed payment left no pending change")
	}
	if got, want := revenueOf(t, st, from, to, "USD"), rawRevenue(t, st, from, to, "USD"); !reflect.DeepEqual(got, want) || reflect.DeepEqual(got, before) {
		t.Fatalf("with the change pending: revenue %v, the payments give %v (before %v)", got, want, before)
	}
	if err := st.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}
	exec(t, st, true, "UPDATE settings SET value = value WHERE 0") // any commit refreshes
	if _, stale := digestRows(t, st); len(stale) != 0 {
		t.Fatalf("pending changes %v left after a commit", stale)
	}
	if err := st.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}

	// A rollup row deleted (as no trigger does, but a repair might) refreshes its digest too.
	exec(t, st, true, "DELETE FROM "+digestSource+" WHERE local_date = ? AND currency = 'USD'", day)
	if n := countDigestErrors(t, st); n != 0 {
		t.Fatalf("%d digests disagree with the rows after a rollup row was deleted", n)
	}
	if err := st.RebuildRollups(ctx); err != nil {
		t.Fatal(err)
	}

	// Without any digest (every day read from the rows), the same revenue.
	withDigests := revenueOf(t, st, from, to, "USD")
	exec(t, st, false, "DELETE FROM "+digestDay+" WHERE local_date < '2026-03-05'")
	if got := revenueOf(t, st, from, to, "USD"); !reflect.DeepEqual(got, withDigests) {
		t.Fatalf("with half the digests: revenue %v, with all %v", got, withDigests)
	}
	exec(t, st, false, "DELETE FROM "+digestDay)
	if got := revenueOf(t, st, from, to, "USD"); !reflect.DeepEqual(got, withDigests) {
		t.Fatalf("without digests: revenue %v, with them %v", got, withDigests)
	}
}

// A digest that disagrees with its rows fails the check, naming the table.
func TestCheckRollupsFindsAWrongDigest(t *testing.T) {
	ctx := context.Background()
	st := MustOpen(t)
	seedRows(t, st)
	if err := st.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}
	wrong, _ := appendDigest(nil, []digestPair{{3, 9551}})
	exec(t, st, false, "UPDATE "+digestDay+" SET pairs = ?", wrong)
	if err := st.CheckRollups(ctx); err == nil {
		t.Fatal("a wrong digest passed the check")
	}
}

// The migration to version 11 fills a digest for every day with revenue.
func TestMigration11FillsTheDigests(t *testing.T) {
	ctx := context.Background()
	st := MustOpen(t)
	seedRows(t, st)
	exec(t, st, false, "DELETE FROM "+digestDay)
	exec(t, st, false, "PRAGMA user_version = 10")
	st.Close()
	st2, err := Open(ctx, st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	days, _ := digestRows(t, st2)
	if want := []string{"2026-03-08USD[{3 9550}]"}; !reflect.DeepEqual(days, want) {
		t.Fatalf("digests %v after the migration, want %v", days, want)
	}
}

// countDigestErrors is checkDigests' count.
func countDigestErrors(t *testing.T, st *Store) int {
	t.Helper()
	var n int
	err := st.Read(context.Background(), func(tx *sql.Tx) (err error) { n, err = checkDigests(context.Background(), tx); return err })
	if err != nil {
		t.Fatal(err)
	}
	return n
}
