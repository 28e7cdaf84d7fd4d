package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// v9Fixture is the v7 fixture opened by the build of schema version 9 (before migration 10):
// rollup_customer_revenue keyed by customer first with an index by date, and the lifetime rows
// without revenue_cents.
const v9Fixture = "testdata/v9.db"

// TestUpgradeFromV9KeysRevenueByDate: opening a version-9 store migrates it to 10, which keys
// rollup_customer_revenue by date (no index of its own left), rebuilds its rows from the payments
// (CheckRollups, in openUpgraded) and fills every lifetime row's revenue in the tenant's currency;
// the triggers installed keep both after a payment, and the lapsed list reads the new index in
// its order without a sort.
func TestUpgradeFromV9KeysRevenueByDate(t *testing.T) {
	ctx := context.Background()
	st := openUpgraded(t, v9Fixture, 9, "SELECT COUNT(*) FROM pragma_table_info('rollup_customer_lifetime') WHERE name = 'revenue_cents'")
	if got := queryRows(t, st.r, "SELECT name FROM pragma_table_info('rollup_customer_revenue') WHERE pk > 0 ORDER BY pk"); got != "local_date\ncurrency\ncustomer_id\n" {
		t.Fatalf("rollup_customer_revenue's primary key %q, want local_date, currency, customer_id", got)
	}
	if got := queryRows(t, st.r, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'rollup_customer_revenue' AND sql IS NOT NULL"); got != "" {
		t.Fatalf("indexes left on rollup_customer_revenue: %s", got)
	}
	var rows int
	st.r.QueryRow("SELECT COUNT(*) FROM rollup_customer_revenue WHERE n > 0").Scan(&rows)
	got, want := copiesOfLifetime(t, st.r), copiesFromSources(t, st.r)
	if rows < 10 || strings.Count(want, "\n") < 10 || got != want {
		t.Fatalf("after the upgrade (%d revenue rows) lifetime copies\n got %s\nwant %s", rows, got, want)
	}
	err := st.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO payments (id, customer_id, appointment_id, amount_cents, currency, status, created_at, paid_at, created_local_date, paid_local_date, updated_at)
		 SELECT 100000, customer_id, appointment_id, 777, currency, 'succeeded', created_at, paid_at, created_local_date, paid_local_date, updated_at
		   FROM payments WHERE status = 'succeeded' AND paid_local_date IS NOT NULL ORDER BY id LIMIT 1`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := copiesOfLifetime(t, st.r), copiesFromSources(t, st.r); got != want {
		t.Fatalf("after a payment, lifetime copies\n got %s\nwant %s", got, want)
	}
	if err := st.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}
	plan := queryRows(t, st.r, `EXPLAIN QUERY PLAN SELECT l.customer_id FROM rollup_customer_lifetime l INDEXED BY rollup_customer_lifetime_lapsed
 WHERE l.last_visit < '9999' ORDER BY l.last_visit DESC, l.customer_id`)
	if strings.Contains(plan, "TEMP B-TREE") {
		t.Fatalf("the lapsed list sorts: %s", plan)
	}
}
