package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"testing"
)

// v7Fixture is the v6 fixture opened by the build of schema version 7 (before migration 8):
// rollup_customer_visit without prev.
const v7Fixture = "testdata/v7.db"

// visitPrevFromRows computes each customer's visit days with the visit day before, from the
// appointments in Go, as "customer_id local_date n prev" rows in key order.
func visitPrevFromRows(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query("SELECT customer_id, local_date, COUNT(*) FROM appointments WHERE status = 'completed' GROUP BY 1, 2 ORDER BY 1, 2")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	last := map[int64]string{}
	for rows.Next() {
		var id, n int64
		var date string
		if err := rows.Scan(&id, &date, &n); err != nil {
			t.Fatal(err)
		}
		prev := "<nil>"
		if p, ok := last[id]; ok {
			prev = p
		}
		last[id] = date
		out = append(out, fmt.Sprintf("%d %s %d %s", id, date, n, prev))
	}
	return out
}

func visitPrevRows(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query("SELECT customer_id, local_date, n, prev FROM rollup_customer_visit WHERE n > 0 ORDER BY 1, 2")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, n int64
		var date string
		var prev any
		if err := rows.Scan(&id, &date, &n, &prev); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d %s %d %v", id, date, n, prev))
	}
	return out
}

// TestUpgradeFromV7BackfillsVisitPrev: opening a version-7 store migrates it to 8 and fills each
// visit day's prev from the existing rows (checked against a computation in Go and by
// CheckRollups), and installs triggers that keep it: a visit between two visit days becomes the
// later one's prev, and its delete restores the earlier one.
func TestUpgradeFromV7BackfillsVisitPrev(t *testing.T) {
	ctx := context.Background()
	st := openUpgraded(t, v7Fixture, 7, "SELECT COUNT(*) FROM pragma_table_info('rollup_customer_visit') WHERE name = 'prev'")
	want := visitPrevFromRows(t, st.r)
	got := visitPrevRows(t, st.r)
	prevs := 0
	for _, r := range want {
		if r[len(r)-5:] != "<nil>" {
			prevs++
		}
	}
	if prevs < 5 || !reflect.DeepEqual(got, want) {
		t.Fatalf("rollup_customer_visit after the upgrade (%d rows with a prev)\n got %v\nwant %v", prevs, got, want)
	}

	// The upgraded store's triggers keep it: a completed visit a day before a customer's second
	// visit day, then its delete.
	var id, customer int64
	var second, first string
	err := st.r.QueryRow(`SELECT a.id, v.customer_id, v.local_date, v.prev FROM rollup_customer_visit v
		JOIN appointments a ON a.customer_id = v.customer_id AND a.status = 'scheduled'
		WHERE v.n > 0 AND v.prev IS NOT NULL AND v.prev < date(v.local_date, '-1 day') ORDER BY a.id LIMIT 1`).Scan(&id, &customer, &second, &first)
	if err != nil {
		t.Fatal(err)
	}
	var between string
	st.r.QueryRow("SELECT date(?, '-1 day')", second).Scan(&between)
	prevOf := func() string {
		var s sql.NullString
		st.r.QueryRow("SELECT prev FROM rollup_customer_visit WHERE customer_id = ? AND local_date = ?", customer, second).Scan(&s)
		return s.String
	}
	for _, step := range []struct{ sql, want string }{
		{"UPDATE appointments SET status = 'completed', local_date = '" + between + "' WHERE id = ?", between},
		{"DELETE FROM appointments WHERE id = ?", first},
	} {
		if err := st.Write(ctx, func(tx *sql.Tx) error { _, err := tx.Exec(step.sql, id); return err }); err != nil {
			t.Fatal(err)
		}
		if got := prevOf(); got != step.want {
			t.Fatalf("after %q: prev of %s is %s, want %s", step.sql, second, got, step.want)
		}
		if err := st.CheckRollups(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
