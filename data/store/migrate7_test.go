package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"testing"
)

// v6Fixture is a demo tenant (150 appointments, America/New_York) written by the build before
// migration 7 (schema version 6, main at 8620cf3): no per-customer lifetime rollups.
const v6Fixture = "testdata/v6.db"

// lifetimeFromRows computes rollup_customer_lifetime and rollup_customer_booked from the
// appointments in Go, as "customer_id n first last" rows in customer order.
func lifetimeFromRows(t *testing.T, db *sql.DB) (visits, booked []string) {
	t.Helper()
	type life struct {
		n           int
		first, last string
		booked      int
		lastStart   int64
	}
	by := map[int64]*life{}
	var ids []int64
	rows, err := db.Query("SELECT customer_id, status, local_date, start_at FROM appointments ORDER BY customer_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, start int64
		var status, date string
		if err := rows.Scan(&id, &status, &date, &start); err != nil {
			t.Fatal(err)
		}
		l := by[id]
		if l == nil {
			l = &life{}
			by[id] = l
			ids = append(ids, id)
		}
		switch status {
		case "completed":
			if l.n == 0 || date < l.first {
				l.first = date
			}
			l.last = max(l.last, date)
			l.n++
		case "scheduled", "confirmed":
			l.booked++
			l.lastStart = max(l.lastStart, start)
		}
	}
	for _, id := range ids {
		if l := by[id]; l.n > 0 {
			visits = append(visits, fmt.Sprintf("%d %d %s %s", id, l.n, l.first, l.last))
		}
		if l := by[id]; l.booked > 0 {
			booked = append(booked, fmt.Sprintf("%d %d %d", id, l.booked, l.lastStart))
		}
	}
	return visits, booked
}

func tableRows(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a, b int64
		var c, d any
		if err := rows.Scan(&a, &b, &c, &d); err != nil {
			t.Fatal(err)
		}
		s := fmt.Sprintf("%d %d %v", a, b, c)
		if d != nil {
			s += fmt.Sprintf(" %v", d)
		}
		out = append(out, s)
	}
	return out
}

// TestUpgradeFromV6BackfillsCustomerLifetime: opening a version-6 store migrates it to 7 and
// fills the per-customer rollups from the existing rows (checked against a computation in Go
// and by CheckRollups), and installs triggers that keep them after the upgrade: a customer's last
// visit moves with a completed appointment and moves back when it is deleted.
func TestUpgradeFromV6BackfillsCustomerLifetime(t *testing.T) {
	ctx := context.Background()
	st := openUpgraded(t, v6Fixture, 6, "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'rollup_customer_lifetime%'")
	const lifeQ = "SELECT customer_id, n, first_visit, last_visit FROM rollup_customer_lifetime WHERE n > 0 ORDER BY customer_id"
	const bookedQ = "SELECT customer_id, n, last_start, NULL FROM rollup_customer_booked WHERE n > 0 ORDER BY customer_id"
	wantLife, wantBooked := lifetimeFromRows(t, st.r)
	if got := tableRows(t, st.r, lifeQ); len(wantLife) < 5 || !reflect.DeepEqual(got, wantLife) {
		t.Fatalf("rollup_customer_lifetime after the upgrade\n got %v\nwant %v", got, wantLife)
	}
	if got := tableRows(t, st.r, bookedQ); len(wantBooked) < 3 || !reflect.DeepEqual(got, wantBooked) {
		t.Fatalf("rollup_customer_booked after the upgrade\n got %v\nwant %v", got, wantBooked)
	}

	// The upgraded store's triggers keep them.
	var id, customer int64
	var last string
	err := st.r.QueryRow(`SELECT a.id, a.customer_id, l.last_visit FROM appointments a JOIN rollup_customer_lifetime l USING (customer_id)
		WHERE a.status = 'scheduled' AND l.n > 0 ORDER BY a.id LIMIT 1`).Scan(&id, &customer, &last)
	if err != nil {
		t.Fatal(err)
	}
	lastVisit := func() string {
		var s string
		st.r.QueryRow("SELECT last_visit FROM rollup_customer_lifetime WHERE customer_id = ?", customer).Scan(&s)
		return s
	}
	for _, step := range []struct{ sql, want string }{
		{"UPDATE appointments SET status = 'completed', local_date = '2030-01-02' WHERE id = ?", "2030-01-02"},
		{"DELETE FROM appointments WHERE id = ?", last},
	} {
		if err := st.Write(ctx, func(tx *sql.Tx) error { _, err := tx.Exec(step.sql, id); return err }); err != nil {
			t.Fatal(err)
		}
		if got := lastVisit(); got != step.want {
			t.Fatalf("after %q: last visit %s, want %s", step.sql, got, step.want)
		}
		if err := st.CheckRollups(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
