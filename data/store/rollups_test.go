package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
)

// TestRollupDefinitionsMatchSchema: every rollup table the migrations create has exactly one
// definition in rollups.go, and each definition names the table's columns, its primary key in
// order and each column's type; every rollup counts its rows in n.
func TestRollupDefinitionsMatchSchema(t *testing.T) {
	st := MustOpen(t)
	var tables []string
	rows, err := st.r.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rollup\\_%' ESCAPE '\\' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var defined []string
	for _, ru := range rollups {
		defined = append(defined, ru.table)
	}
	slices.Sort(defined)
	if !slices.Equal(tables, defined) {
		t.Fatalf("rollup tables in the schema %v, defined %v", tables, defined)
	}
	for _, ru := range rollups {
		t.Run(ru.table, func(t *testing.T) {
			type col struct {
				name, typ string
				pk        int
			}
			var got []col
			rows, err := st.r.Query("SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid", ru.table)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var c col
				rows.Scan(&c.name, &c.typ, &c.pk)
				got = append(got, c)
			}
			var want []col
			for i, c := range ru.keys {
				want = append(want, col{c.name, sqlType(c), i + 1})
			}
			for _, c := range ru.sums {
				want = append(want, col{c.name, sqlType(c), 0})
			}
			if ru.table == "rollup_customer_lifetime" {
				for _, c := range lifetimeCopies {
					want = append(want, col{c.name, c.typ, 0})
				}
			}
			byName := func(a, b col) int { return strings.Compare(a.name, b.name) }
			slices.SortFunc(got, byName)
			slices.SortFunc(want, byName)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("table %v\ndefinition %v", got, want)
			}
			if !slices.Contains(ru.sums, count) {
				t.Error("no n column counting the rows: CheckRollups skips the rows whose n is 0")
			}
			if len(ru.keys) > maxRollupKeys || len(ru.sums) > maxRollupSums {
				t.Errorf("%d keys and %d sums: raise maxRollupKeys/maxRollupSums", len(ru.keys), len(ru.sums))
			}
			lookups := 0
			for _, c := range ru.keys {
				if c.lookup != nil {
					lookups++
				}
			}
			if lookups > 1 || slices.ContainsFunc(ru.sums, func(c rollupCol) bool { return c.lookup != nil }) {
				t.Error("at most one key, and no sum, may come from another table")
			}
			folds := slices.ContainsFunc(ru.sums, func(c rollupCol) bool { return c.fold != "" })
			if folds && lookups > 0 || slices.ContainsFunc(ru.keys, func(c rollupCol) bool { return c.fold != "" }) {
				t.Error("a least/greatest value is recomputed from the source rows of its key: not with a key from another table, and never a key")
			}
			for _, c := range ru.sums {
				if c.via != "" {
					checkVia(t, ru, c)
				}
				if last := ru.keys[len(ru.keys)-1]; c.prev && (len(ru.keys) < 2 || c.expr != last.expr || c.text != last.text || c.fold != "" || lookups > 0) {
					t.Errorf("%s: a previous key needs other keys to group by and the last key's expression and type, no fold, no looked-up key", c.name)
				}
			}
		})
	}
}

// checkVia: the rollup a least/greatest value is recomputed from counts the same rows, is kept
// first by the triggers (defined earlier), is keyed by this rollup's keys and then others, one
// of which is the value.
func checkVia(t *testing.T, ru rollup, c rollupCol) {
	t.Helper()
	at := slices.IndexFunc(rollups, func(v rollup) bool { return v.table == c.via })
	if at < 0 || at >= slices.IndexFunc(rollups, func(v rollup) bool { return v.table == ru.table }) {
		t.Fatalf("%s: %s is not a rollup defined before it", c.name, c.via)
	}
	v := rollups[at]
	if c.fold == "" || v.source != ru.source || v.filter != ru.filter || len(v.keys) <= len(ru.keys) ||
		!slices.Equal(v.keys[:len(ru.keys)], ru.keys) || viaColumn(c) == "" {
		t.Errorf("%s cannot be recomputed from %s: a MIN/MAX needs a rollup of the same rows keyed by these keys and then the value", c.name, c.via)
	}
}

func sqlType(c rollupCol) string {
	if c.text {
		return "TEXT"
	}
	return "INTEGER"
}

// rollupRows returns every rollup row with a non-zero count, per table, in key order.
func rollupRows(t *testing.T, st *Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, ru := range rollups {
		cs := names(ru.cols())
		if ru.table == "rollup_customer_lifetime" { // and its copies (rollup_copies.go)
			for _, c := range lifetimeCopies {
				cs = append(cs, c.name)
			}
		}
		cols := strings.Join(cs, ", ")
		keys := strings.Join(names(ru.keys), ", ")
		rows, err := st.r.Query("SELECT " + cols + " FROM " + ru.table + " WHERE n <> 0 ORDER BY " + keys)
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]any, len(cs))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out[ru.table] = append(out[ru.table], fmt.Sprint(vals...))
		}
		rows.Close()
	}
	return out
}

// randomWrites applies one round of random writes through the Writer: new and changed
// appointments (every key column moves: day, hour, status, service, resource, length), payments
// linked, relinked and unlinked, paid and unpaid, in two currencies, and deletes of both.
func randomWrites(t *testing.T, st *Store, rng *rand.Rand, round int) {
	t.Helper()
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	statuses := []data.AppointmentStatus{data.StatusScheduled, data.StatusConfirmed, data.StatusCompleted, data.StatusCancelled, data.StatusNoShow}
	pays := []data.PaymentStatus{data.PaymentPending, data.PaymentSucceeded, data.PaymentFailed, data.PaymentRefunded}
	err := st.Write(context.Background(), func(tx *sql.Tx) error {
		w, err := NewWriter(context.Background(), tx, ny)
		if err != nil {
			return err
		}
		defer w.Close()
		if round == 0 {
			for id := int64(1); id <= 3; id++ {
				ts := base
				w.PutResource(data.Resource{ID: id, Name: "r", Kind: data.ResourceStaff, Active: true, UpdatedAt: ts})
				w.PutService(data.Service{ID: id, Name: "s", DurationMinutes: 30, PriceCents: 1000, Active: true, UpdatedAt: ts})
				w.PutCustomer(data.Customer{ID: id, Name: "c", Email: "e", Phone: "p", Status: data.CustomerActive, CreatedAt: ts, UpdatedAt: ts})
			}
		}
		for range 40 {
			id := 1 + rng.Int64N(30)
			start := base.Add(time.Duration(rng.IntN(10*24)) * time.Hour).Add(time.Duration(rng.IntN(4)) * 15 * time.Minute)
			a := data.Appointment{ID: id, CustomerID: 1 + rng.Int64N(3), ServiceID: 1 + rng.Int64N(3), ResourceID: 1 + rng.Int64N(3),
				StartAt: start, EndAt: start.Add(time.Duration(15+rng.IntN(120)) * time.Minute), Status: statuses[rng.IntN(len(statuses))],
				BookedAt: base, PriceCents: 1000, UpdatedAt: start}
			if err := w.PutAppointment(a); err != nil {
				return err
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
		for range 40 {
			p := data.Payment{ID: 1 + rng.Int64N(40), CustomerID: 1 + rng.Int64N(3), AmountCents: rng.Int64N(10000) - 1000,
				Currency: []string{"USD", "EUR"}[rng.IntN(2)], Status: pays[rng.IntN(len(pays))], CreatedAt: base}
			p.UpdatedAt = p.CreatedAt
			var exists int
			appt := 1 + rng.Int64N(30)
			tx.QueryRow("SELECT COUNT(*) FROM appointments WHERE id = ?", appt).Scan(&exists)
			if exists == 1 && rng.IntN(4) > 0 {
				p.AppointmentID = &appt
			}
			if rng.IntN(5) > 0 {
				paid := base.Add(time.Duration(rng.IntN(10*24)) * time.Hour)
				p.PaidAt = &paid
			}
			if err := w.PutPayment(p); err != nil {
				return err
			}
		}
		for range 6 {
			entity := []string{"appointments", "payments"}[rng.IntN(2)]
			if err := w.Delete(entity, 1+rng.Int64N(30)); err != nil {
				return err
			}
		}
		// A customer's contact details and status change (copied into their lifetime row).
		_, err = tx.Exec("UPDATE customers SET name = 'c' || ?1, email = 'e' || ?1, phone = 'p' || ?1, status = CASE WHEN ?1 % 3 = 0 THEN 'inactive' ELSE 'active' END WHERE id = 1 + ?1 % 3", round)
		if err != nil {
			return err
		}
		// The tenant's currency changes now and then (the lifetime rows copy the revenue in it).
		if round%7 == 6 {
			if _, err := tx.Exec("UPDATE tenant SET currency = CASE currency WHEN 'USD' THEN 'EUR' ELSE 'USD' END"); err != nil {
				return err
			}
		}
		// A service change moves the revenue of the appointment's payments.
		_, err = tx.Exec("UPDATE appointments SET service_id = 1 + (service_id % 3) WHERE id IN (SELECT appointment_id FROM payments WHERE id % 5 = ?)", round%5)
		if err != nil {
			return err
		}
		return w.Flush()
	})
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
}

// TestRollupsTriggersRebuildAndCheckAgree: for every rollup, the generated triggers, the
// generated rebuild and the generated check compute the same rows. Random writes go through the
// triggers; after each round CheckRollups compares with the GROUP BY; at the end the rebuild
// must reproduce the triggers' rows exactly, and so must a bulk load of the same rows.
func TestRollupsTriggersRebuildAndCheckAgree(t *testing.T) {
	ctx := context.Background()
	st := MustOpen(t)
	if err := st.SetTenant(ctx, testTenant()); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(12, 1))
	most := map[string]int{} // the most rows each rollup had after a round
	for round := range 25 {
		randomWrites(t, st, rng, round)
		if err := st.CheckRollups(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for table, rows := range rollupRows(t, st) {
			most[table] = max(most[table], len(rows))
		}
	}
	byTriggers := rollupRows(t, st)
	for _, ru := range rollups {
		if most[ru.table] < 3 {
			t.Fatalf("%s had at most %d rows: the random writes do not exercise it", ru.table, most[ru.table])
		}
	}
	if err := st.RebuildRollups(ctx); err != nil {
		t.Fatal(err)
	}
	if byRebuild := rollupRows(t, st); !reflect.DeepEqual(byTriggers, byRebuild) {
		t.Fatalf("rebuild differs from the triggers:\ntriggers %v\nrebuild  %v", byTriggers, byRebuild)
	}
	if err := st.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}
	// The same rows loaded in bulk (no triggers, rebuild at the end), under the same tenant
	// (whose currency the lifetime revenue copies).
	bulk := MustOpen(t)
	tenant, err := st.Tenant(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := bulk.SetTenant(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	err = bulk.BulkWrite(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec("ATTACH DATABASE ? AS src", st.Path()); err != nil {
			return err
		}
		for _, e := range data.Entities() {
			if _, err := tx.Exec("INSERT INTO main." + e + " SELECT * FROM src." + e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if byBulk := rollupRows(t, bulk); !reflect.DeepEqual(byTriggers, byBulk) {
		t.Fatalf("bulk load differs from the triggers:\ntriggers %v\nbulk     %v", byTriggers, byBulk)
	}
	if err := bulk.CheckRollups(ctx); err != nil { // the revenue digests packed by the rebuild too
		t.Fatal(err)
	}
}

// TestInstallTriggersReplacesLegacyTriggers: a store made by a build before the generated
// triggers has triggers under the old names; installing the current ones drops them, so no
// write is counted twice.
func TestInstallTriggersReplacesLegacyTriggers(t *testing.T) {
	ctx := context.Background()
	st := MustOpen(t)
	seedRows(t, st)
	err := st.Write(ctx, func(tx *sql.Tx) error {
		for _, name := range legacyTriggerNames {
			on := "appointments"
			if strings.HasPrefix(name, "pay_") {
				on = "payments"
			}
			if _, err := tx.Exec("CREATE TRIGGER " + name + " AFTER UPDATE ON " + on + " BEGIN UPDATE rollup_appt_hour SET n = n + 1; END"); err != nil {
				return err
			}
		}
		return installTriggers(ctx, tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"UPDATE appointments SET status = 'no_show' WHERE id = 4", "UPDATE payments SET amount_cents = 1 WHERE id = 5"} {
		if err := st.Write(ctx, func(tx *sql.Tx) error { _, err := tx.Exec(q); return err }); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	st.r.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'").Scan(&n)
	if want := len(rollupTriggers()) + len(copyTriggers()) + len(digestTriggers()); n != want {
		t.Fatalf("%d triggers installed, want the %d generated, the lifetime copies' and the revenue digests'", n, want)
	}
}

// TestMigrationAddingARollupRebuildsIt: a migration whose SQL creates a rollup table gets the
// reinstall-and-rebuild step without a hook of its own; other migrations get none.
func TestMigrationAddingARollupRebuildsIt(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if createsRollup.MatchString(m.sql) && m.after == nil {
			t.Errorf("%s creates a rollup but has no after step", m.name)
		}
	}
	for _, body := range []string{"CREATE TABLE rollup_new (local_date TEXT)", "CREATE TABLE IF NOT EXISTS rollup_new (local_date TEXT)"} {
		if afterHook(99, body) == nil {
			t.Errorf("a new migration with %q does not rebuild the rollups", body)
		}
	}
	if afterHook(99, "CREATE INDEX x ON appointments (id)") != nil {
		t.Error("a migration creating no rollup got an after step")
	}
}
