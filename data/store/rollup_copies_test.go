package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// copiesFromSources is each visiting customer's copies computed from customers, the
// appointments and the payments themselves (not the booked and revenue rollups), as "id status
// name email phone booked revenue" rows (revenue: succeeded payments in the tenant's currency).
func copiesFromSources(t *testing.T, db *sql.DB) string {
	t.Helper()
	return queryRows(t, db, `SELECT c.id, c.status, c.name, c.email, c.phone,
 (SELECT MAX(start_at) FROM appointments b WHERE b.customer_id = c.id AND b.status IN ('scheduled', 'confirmed')),
 (SELECT COALESCE(SUM(amount_cents), 0) FROM payments p WHERE p.customer_id = c.id AND p.status = 'succeeded'
   AND p.paid_local_date IS NOT NULL AND p.currency = (SELECT currency FROM tenant))
 FROM customers c WHERE EXISTS (SELECT 1 FROM appointments a WHERE a.customer_id = c.id AND a.status = 'completed') ORDER BY c.id`)
}

func copiesOfLifetime(t *testing.T, db *sql.DB) string {
	t.Helper()
	return queryRows(t, db, "SELECT customer_id, status, name, email, phone, booked_last_start, COALESCE(revenue_cents, 0) FROM rollup_customer_lifetime WHERE n > 0 ORDER BY customer_id")
}

func queryRows(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out strings.Builder
	for rows.Next() {
		vals, ptrs := make([]any, len(cols)), make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&out, vals...)
	}
	return out.String()
}

// TestUpgradeFillsLifetimeCopies: opening a version-7 store migrates it through version 9, which
// fills every visiting customer's copies from the customers and their bookings.
func TestUpgradeFillsLifetimeCopies(t *testing.T) {
	st := openUpgraded(t, v7Fixture, 7, "SELECT COUNT(*) FROM pragma_table_info('rollup_customer_lifetime') WHERE name = 'status'")
	got, want := copiesOfLifetime(t, st.r), copiesFromSources(t, st.r)
	if strings.Count(want, "\n") < 3 || got != want {
		t.Fatalf("lifetime copies after the upgrade\n got %s\nwant %s", got, want)
	}
	if err := st.CheckRollups(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestLifetimeCopiesFollowWrites: a rename, a status change, a booking after now, a payment in
// the tenant's currency (and not one in another) and a change of the tenant's currency reach
// the lifetime row in the same transaction, and a stale copy is reported by CheckRollups.
func TestLifetimeCopiesFollowWrites(t *testing.T) {
	ctx := context.Background()
	st := MustOpen(t)
	_, _, c, _, _, _ := seedRows(t, st)
	for _, q := range []string{
		"UPDATE customers SET name = 'Renamed', email = 'r@example.com', phone = '+1 555', status = 'inactive' WHERE id = 3",
		`INSERT INTO appointments (id, customer_id, service_id, resource_id, start_at, end_at, status, booked_at, price_cents, local_date, local_hour, updated_at)
		 SELECT 40, customer_id, service_id, resource_id, start_at + 86400, end_at + 86400, 'scheduled', booked_at, price_cents, date(local_date, '+1 day'), local_hour, updated_at FROM appointments WHERE id = 4`,
		"UPDATE appointments SET status = 'cancelled' WHERE id = 40",
		"UPDATE customers SET status = 'active' WHERE id = 3",
		`INSERT INTO payments (id, customer_id, appointment_id, amount_cents, currency, status, created_at, paid_at, created_local_date, paid_local_date, updated_at)
		 SELECT 50, customer_id, appointment_id, 1200, 'USD', 'succeeded', created_at, paid_at, created_local_date, paid_local_date, updated_at FROM payments WHERE id = 5`,
		`INSERT INTO payments (id, customer_id, appointment_id, amount_cents, currency, status, created_at, paid_at, created_local_date, paid_local_date, updated_at)
		 SELECT 51, customer_id, appointment_id, 700, 'EUR', 'succeeded', created_at, paid_at, created_local_date, paid_local_date, updated_at FROM payments WHERE id = 5`,
		"UPDATE payments SET status = 'refunded' WHERE id = 5",
		"UPDATE tenant SET currency = 'EUR'",
		"UPDATE payments SET amount_cents = 900 WHERE id = 51",
		"UPDATE tenant SET currency = 'USD'",
		"DELETE FROM payments WHERE id = 50",
	} {
		if err := st.Write(ctx, func(tx *sql.Tx) error { _, err := tx.Exec(q); return err }); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if got, want := copiesOfLifetime(t, st.r), copiesFromSources(t, st.r); got != want {
			t.Fatalf("after %s\n got %s\nwant %s", q, got, want)
		}
	}
	if err := st.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}
	for _, stale := range []string{"name = 'stale'", "revenue_cents = 1"} {
		if _, err := st.w.Exec("UPDATE rollup_customer_lifetime SET "+stale+" WHERE customer_id = ?", c.ID); err != nil {
			t.Fatal(err)
		}
		if err := st.CheckRollups(ctx); err == nil || !strings.Contains(err.Error(), "copies") {
			t.Fatalf("CheckRollups with a stale copy (%s) = %v, want the copies named", stale, err)
		}
		if err := st.RebuildRollups(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
