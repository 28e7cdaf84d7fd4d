package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/datatest"
	"github.com/almanac-app/almanac/data/demo"
)

// checkDataset is what every entry of the dataset table must satisfy; a new entry gets it by
// being in the table.
func checkDataset(t *testing.T, d store.Dataset) {
	t.Helper()
	if d.Typed {
		checkTypedDataset(t, d)
		return
	}
	if d.Name == "" || d.Title == "" || d.From == "" || d.OrderBy == "" || len(d.Columns) == 0 || d.Param != "" {
		t.Fatalf("%s: name, title, from, order and columns are required, and only typed datasets take a parameter: %+v", d.Name, d)
	}
	keys := map[string]bool{}
	for _, c := range d.Columns {
		if c.Key == "" || c.Title == "" || c.Role == 0 || keys[c.Key] {
			t.Errorf("%s.%s: needs a unique key, a title and a role", d.Name, c.Key)
		}
		keys[c.Key] = true
		noSQL := c.Role == store.RoleName || c.Role == store.RoleTenantCurrency
		if noSQL != (c.SQL == "") {
			t.Errorf("%s.%s: only name and tenant-currency columns have no SQL", d.Name, c.Key)
		}
		switch c.Role {
		case store.RoleName:
			i := d.ColumnIndex(c.IDKey)
			if c.NameTable == "" || i < 0 || d.Columns[i].Role != store.RoleID || d.Columns[i].SQL == "" {
				t.Errorf("%s.%s: a name needs its table and the key of a read id column, got %q", d.Name, c.Key, c.IDKey)
			}
		case store.RoleMoney:
			i := d.ColumnIndex(c.CurrencyKey)
			if i < 0 || (d.Columns[i].Role != store.RoleCurrency && d.Columns[i].Role != store.RoleTenantCurrency) {
				t.Errorf("%s.%s: money needs the key of its currency column, got %q", d.Name, c.Key, c.CurrencyKey)
			}
		}
	}
	known := []string{store.FilterStatus, store.FilterService, store.FilterResource, store.FilterActive}
	var names []string
	for _, f := range d.Filters {
		if !slices.Contains(known, f.Name) || f.Column == "" || slices.Contains(names, f.Name) {
			t.Errorf("%s: filter %+v", d.Name, f)
		}
		names = append(names, f.Name)
	}
	if slices.Contains(names, store.FilterStatus) != (len(d.Statuses) > 0) {
		t.Errorf("%s: a status filter needs its statuses, and statuses need the filter", d.Name)
	}
	if d.Dates != nil && (d.Dates.Field == "" || d.Dates.LocalDate == "" || d.Dates.Instant == "") {
		t.Errorf("%s: dates need a field, a local-date and an instant column", d.Name)
	}
	for _, r := range d.Rollups {
		if d.Dates == nil || !slices.Contains(names, r.Filter) || r.Table == "" || r.Column == "" {
			t.Errorf("%s: rollup %+v must answer one of the dataset's filters, with dates", d.Name, r)
		}
	}
}

// checkTypedDataset: a typed dataset names its columns and their roles and nothing SQL.
func checkTypedDataset(t *testing.T, d store.Dataset) {
	t.Helper()
	if d.Name == "" || d.Title == "" || len(d.Columns) == 0 {
		t.Fatalf("%s: name, title and columns are required: %+v", d.Name, d)
	}
	if d.From != "" || d.Joins != "" || d.OrderBy != "" || d.Dates != nil || len(d.Filters) > 0 || len(d.Rollups) > 0 {
		t.Errorf("%s: a typed dataset has no query parts: %+v", d.Name, d)
	}
	keys := map[string]bool{}
	for _, c := range d.Columns {
		if c.Key == "" || c.Title == "" || c.Role == 0 || keys[c.Key] || c.SQL != "" || c.Role == store.RoleName {
			t.Errorf("%s.%s: needs a unique key, a title and a role, and no SQL or name join", d.Name, c.Key)
		}
		keys[c.Key] = true
		if i := d.ColumnIndex(c.CurrencyKey); c.Role == store.RoleMoney && (i < 0 || d.Columns[i].Role != store.RoleTenantCurrency) {
			t.Errorf("%s.%s: money needs the key of the tenant-currency column, got %q", d.Name, c.Key, c.CurrencyKey)
		}
	}
}

// TestTypedDatasetHasNoQuery: the SQL-building reads refuse lapsed_customers, whose rows come
// from Snapshot.LapsedCustomers, and the table measures none of its columns.
func TestTypedDatasetHasNoQuery(t *testing.T) {
	st := exportStore(t)
	ctx := context.Background()
	d, ok := store.DatasetByName(store.DatasetLapsedCustomers)
	if !ok || !d.Typed || d.Param != data.FieldLapsedDays {
		t.Fatalf("lapsed_customers: %+v, %v", d, ok)
	}
	if _, _, err := store.ExportSQL(d.Name, store.ExportFilter{}); err == nil {
		t.Error("ExportSQL built a query for a typed dataset")
	}
	err := st.Snapshot(ctx, func(sn *store.Snapshot) error {
		if _, err := sn.ExportCount(ctx, d.Name, store.ExportFilter{}); err == nil {
			t.Error("ExportCount counted a typed dataset")
		}
		if rows, err := sn.ExportRows(ctx, d.Name, store.ExportFilter{}, true); err == nil {
			rows.Close()
			t.Error("ExportRows read a typed dataset")
		}
		widths, err := sn.LongestText(ctx, d.Name)
		if err != nil || len(widths) != 0 {
			t.Errorf("LongestText = %v, %v; want nothing measured", widths, err)
		}
		names, err := sn.ExportNames(ctx, d.Name, 1<<30)
		if err != nil || names != nil {
			t.Errorf("ExportNames = %v, %v; want none", names, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDatasetTableIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range store.Datasets() {
		if seen[d.Name] {
			t.Errorf("dataset %s twice", d.Name)
		}
		seen[d.Name] = true
		checkDataset(t, d)
	}
	if len(seen) != 7 {
		t.Errorf("%d datasets, want the 7 exports", len(seen))
	}
	// Datasets hands out copies: changing one changes nothing for the next caller.
	ds := store.Datasets()
	ds[0].Columns[0].SQL = "boom"
	ds[0].Dates.Field = "boom"
	if d, _ := store.DatasetByName(ds[0].Name); d.Columns[0].SQL == "boom" || d.Dates.Field == "boom" {
		t.Error("Datasets returned the table itself")
	}
}

// exportStore is a small demo tenant.
func exportStore(t *testing.T) *store.Store {
	return datatest.BuildDemo(t, t.TempDir(), demo.Options{Appointments: 600, Seed: 5, Today: datatest.DemoToday})
}

// filtersFor are filters the dataset takes, each alone and some together, with an empty result
// somewhere among them.
func filtersFor(d store.Dataset, loc *time.Location) []store.ExportFilter {
	yes, no := true, false
	out := []store.ExportFilter{{Loc: loc}}
	for _, s := range d.Statuses {
		out = append(out, store.ExportFilter{Status: s, Loc: loc})
	}
	for _, f := range d.Filters {
		switch f.Name {
		case store.FilterService:
			out = append(out, store.ExportFilter{ServiceID: 2, Loc: loc}, store.ExportFilter{ServiceID: 999, Loc: loc})
		case store.FilterResource:
			out = append(out, store.ExportFilter{ResourceID: 1, Loc: loc}, store.ExportFilter{ResourceID: 1, ServiceID: 2, Loc: loc})
		case store.FilterActive:
			out = append(out, store.ExportFilter{Active: &yes, Loc: loc}, store.ExportFilter{Active: &no, Loc: loc})
		}
	}
	if d.Dates != nil {
		out = append(out, store.ExportFilter{From: "2026-09-01", To: "2026-10-31", Loc: loc}, store.ExportFilter{From: "2026-11-01", Loc: loc},
			store.ExportFilter{To: "2026-01-31", Status: d.Statuses[0], Loc: loc})
	}
	return out
}

// readAll reads every row of a dataset, names joined per row or filled from preloaded maps.
func readAll(ctx context.Context, sn *store.Snapshot, d store.Dataset, f store.ExportFilter, join bool) ([][]store.Cell, error) {
	var names *store.ExportNames
	if !join {
		var err error
		if names, err = sn.ExportNames(ctx, d.Name, 1<<30); err != nil {
			return nil, err
		}
	}
	rows, err := sn.ExportRows(ctx, d.Name, f, names == nil)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]store.Cell
	for rows.Next() {
		row := make([]store.Cell, len(d.Columns))
		if err := rows.Scan(row); err != nil {
			return nil, err
		}
		if names != nil {
			names.Fill(row)
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// TestExportCountMatchesRows: the count (from a rollup where one covers the filters) is the
// number of rows, and preloaded names give the same rows as names joined per row.
func TestExportCountMatchesRows(t *testing.T) {
	st := exportStore(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("America/New_York")
	err := st.Snapshot(ctx, func(sn *store.Snapshot) error {
		for _, d := range store.Datasets() {
			if d.Typed {
				continue // no query: TestTypedDatasetHasNoQuery
			}
			nonEmpty := 0
			for _, f := range filtersFor(d, loc) {
				n, err := sn.ExportCount(ctx, d.Name, f)
				if err != nil {
					return err
				}
				joined, err := readAll(ctx, sn, d, f, true)
				if err != nil {
					return err
				}
				filled, err := readAll(ctx, sn, d, f, false)
				if err != nil {
					return err
				}
				if n != int64(len(joined)) {
					t.Errorf("%s %+v: count %d, %d rows", d.Name, f, n, len(joined))
				}
				if !reflect.DeepEqual(joined, filled) {
					t.Errorf("%s %+v: preloaded names differ from joined ones", d.Name, f)
				}
				if len(joined) > 0 {
					nonEmpty++
				}
			}
			if nonEmpty < 2 {
				t.Errorf("%s: only %d filters match rows; the comparison proves little", d.Name, nonEmpty)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestExportRowsAreTheTableRows reads appointments and payments the plain way and expects the
// dataset's rows: each column's value, the names, NULL for a missing paid time, in order.
func TestExportRowsAreTheTableRows(t *testing.T) {
	st := exportStore(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("America/New_York")
	f := store.ExportFilter{From: "2026-10-01", To: "2026-10-31", Loc: loc}
	err := st.Snapshot(ctx, func(sn *store.Snapshot) error {
		d, _ := store.DatasetByName(store.DatasetPayments)
		got, err := readAll(ctx, sn, d, store.ExportFilter{From: "2026-10-01", To: "2026-10-31", Status: "succeeded", Loc: loc}, false)
		if err != nil {
			return err
		}
		want, err := plainRows(sn.TxForTest(), `SELECT p.id, p.created_at, p.status, p.amount_cents, p.currency, p.customer_id, c.name,
			p.appointment_id, p.paid_at FROM payments p JOIN customers c ON c.id = p.customer_id
			WHERE p.created_local_date BETWEEN '2026-10-01' AND '2026-10-31' AND p.status = 'succeeded' ORDER BY p.created_at, p.id`)
		if err != nil {
			return err
		}
		if len(got) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("payments:\n got %v\nwant %v", got, want)
		}
		d, _ = store.DatasetByName(store.DatasetAppointments)
		got, err = readAll(ctx, sn, d, f, false)
		if err != nil {
			return err
		}
		want, err = plainRows(sn.TxForTest(), `SELECT a.id, a.start_at, a.end_at, a.status, a.customer_id, c.name, a.service_id, s.name,
			a.resource_id, r.name, a.price_cents, NULL, a.booked_at FROM appointments a
			JOIN customers c ON c.id = a.customer_id JOIN services s ON s.id = a.service_id JOIN resources r ON r.id = a.resource_id
			WHERE a.local_date BETWEEN '2026-10-01' AND '2026-10-31' ORDER BY a.start_at, a.id`)
		if err != nil {
			return err
		}
		for _, r := range want {
			r[11] = store.Cell{} // the tenant's currency is not read: the row leaves it as it was
		}
		if len(got) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("appointments: %d rows, want %d, or they differ", len(got), len(want))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func plainRows(tx *sql.Tx, q string) ([][]store.Cell, error) {
	rows, err := tx.Query(q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]store.Cell
	for rows.Next() {
		row := make([]store.Cell, len(cols))
		dest := make([]any, len(cols))
		for i := range row {
			dest[i] = &row[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

func TestExportCountRollupChoice(t *testing.T) {
	d, _ := store.DatasetByName(store.DatasetAppointments)
	cases := []struct {
		f    store.ExportFilter
		want string // rollup table, "" for COUNT(*)
	}{
		{store.ExportFilter{}, "rollup_appt_service"},
		{store.ExportFilter{Status: "completed", From: "2026-01-01"}, "rollup_appt_service"},
		{store.ExportFilter{ServiceID: 3}, "rollup_appt_service"},
		{store.ExportFilter{ResourceID: 2, Status: "cancelled"}, "rollup_appt_resource"},
		{store.ExportFilter{ServiceID: 3, ResourceID: 2}, ""},
	}
	for _, c := range cases {
		got := ""
		if r := d.RollupForTest(c.f); r != nil {
			got = r.Table
		}
		if got != c.want {
			t.Errorf("%+v: counts from %q, want %q", c.f, got, c.want)
		}
	}
	if p, _ := store.DatasetByName(store.DatasetPayments); p.RollupForTest(store.ExportFilter{}) != nil {
		t.Error("payments have no rollup")
	}
}

func TestExportRefusesFiltersTheDatasetLacks(t *testing.T) {
	st := exportStore(t)
	ctx := context.Background()
	yes := true
	cases := []struct {
		dataset string
		f       store.ExportFilter
	}{
		{store.DatasetCustomers, store.ExportFilter{ServiceID: 1}},
		{store.DatasetResources, store.ExportFilter{From: "2026-01-01"}},
		{store.DatasetSubscriptions, store.ExportFilter{Active: &yes}},
		{store.DatasetPayments, store.ExportFilter{ResourceID: 1}},
		{"staff", store.ExportFilter{}},
	}
	err := st.Snapshot(ctx, func(sn *store.Snapshot) error {
		for _, c := range cases {
			if _, err := sn.ExportCount(ctx, c.dataset, c.f); err == nil {
				t.Errorf("%s %+v counted", c.dataset, c.f)
			}
			if rows, err := sn.ExportRows(ctx, c.dataset, c.f, true); err == nil {
				rows.Close()
				t.Errorf("%s %+v read", c.dataset, c.f)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestExportNames(t *testing.T) {
	st := exportStore(t)
	ctx := context.Background()
	err := st.Snapshot(ctx, func(sn *store.Snapshot) error {
		if m, err := sn.ExportNames(ctx, store.DatasetCustomers, 1<<30); err != nil || m != nil {
			t.Errorf("customers show no names from other tables: %v, %v", m, err)
		}
		if m, err := sn.ExportNames(ctx, store.DatasetAppointments, 3); err != nil || m != nil {
			t.Errorf("a limit below the tables' sizes preloads nothing: %v, %v", m, err)
		}
		m, err := sn.ExportNames(ctx, store.DatasetPayments, 1<<30)
		if err != nil || m == nil {
			t.Fatalf("payments names: %v, %v", m, err)
		}
		var name string
		if err := sn.TxForTest().QueryRow("SELECT name FROM customers WHERE id = 1").Scan(&name); err != nil {
			return err
		}
		d, _ := store.DatasetByName(store.DatasetPayments)
		at, id := d.ColumnIndex("customer_name"), d.ColumnIndex("customer_id")
		row := make([]store.Cell, len(d.Columns))
		for _, c := range []struct {
			id   store.Cell
			want store.Cell
		}{
			{store.Cell{Int: 1}, store.Cell{Text: name}},
			{store.Cell{Int: 1 << 40}, store.Cell{Null: true}}, // no such customer: NULL, as the LEFT JOIN gives
			{store.Cell{Int: 1, Null: true}, store.Cell{Null: true}},
		} {
			row[id], row[at] = c.id, store.Cell{Text: "stale"}
			m.Fill(row)
			if row[at] != c.want {
				t.Errorf("id %+v: name %+v, want %+v", c.id, row[at], c.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLongestText(t *testing.T) {
	st := exportStore(t)
	ctx := context.Background()
	err := st.Snapshot(ctx, func(sn *store.Snapshot) error {
		for _, d := range store.Datasets() {
			if d.Typed {
				continue // no query: TestTypedDatasetHasNoQuery
			}
			got, err := sn.LongestText(ctx, d.Name)
			if err != nil {
				return err
			}
			rows, err := readAll(ctx, sn, d, store.ExportFilter{}, true)
			if err != nil {
				return err
			}
			for i, c := range d.Columns {
				n, measured := got[c.Key]
				want := c.Role == store.RoleText || c.Role == store.RolePhone || c.Role == store.RoleName
				if measured != want {
					t.Errorf("%s.%s measured %v, want %v", d.Name, c.Key, measured, want)
				}
				if !measured || c.Role == store.RoleName {
					continue // names are measured over their whole table, not only the rows that use them
				}
				longest := 0
				for _, r := range rows {
					longest = max(longest, len([]rune(r[i].Text)))
				}
				if n != longest {
					t.Errorf("%s.%s: longest %d, want %d", d.Name, c.Key, n, longest)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSeventhDatasetIsOneEntry adds a dataset over an existing table (payments by their local
// paid date, with the customer's name) as one entry of the table, and expects every export read
// to work for it with nothing else changed.
func TestSeventhDatasetIsOneEntry(t *testing.T) {
	paid := store.Dataset{
		Name: "paid_payments", Title: "Paid payments", From: "payments p", OrderBy: "p.paid_at, p.id",
		Dates:    &store.DateFilter{Field: "payment local paid date", LocalDate: "p.paid_local_date", Instant: "p.paid_at"},
		Filters:  []store.DatasetFilter{{Name: store.FilterStatus, Column: "+p.status"}},
		Statuses: store.StatusStrings(data.PaymentStatuses().All()),
		Columns: []store.DatasetColumn{
			{Key: "id", Title: "ID", Role: store.RoleID, SQL: "p.id"},
			{Key: "paid_at", Title: "Paid", Role: store.RoleTime, SQL: "p.paid_at"},
			{Key: "amount_cents", Title: "Amount", Role: store.RoleMoney, SQL: "p.amount_cents", CurrencyKey: "currency"},
			{Key: "currency", Title: "Currency", Role: store.RoleCurrency, SQL: "p.currency"},
			{Key: "customer_id", Title: "Customer ID", Role: store.RoleID, SQL: "p.customer_id"},
			{Key: "customer_name", Title: "Customer", Role: store.RoleName, NameTable: "customers", IDKey: "customer_id"},
		},
	}
	store.AddDatasetForTest(t, paid)
	checkDataset(t, paid)

	st := exportStore(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("America/New_York")
	f := store.ExportFilter{From: "2026-06-01", To: "2026-10-31", Loc: loc}
	err := st.Snapshot(ctx, func(sn *store.Snapshot) error {
		n, err := sn.ExportCount(ctx, paid.Name, f)
		if err != nil {
			return err
		}
		got, err := readAll(ctx, sn, paid, f, false)
		if err != nil {
			return err
		}
		want, err := plainRows(sn.TxForTest(), `SELECT p.id, p.paid_at, p.amount_cents, p.currency, p.customer_id, c.name
			FROM payments p JOIN customers c ON c.id = p.customer_id
			WHERE p.paid_local_date BETWEEN '2026-06-01' AND '2026-10-31' ORDER BY p.paid_at, p.id`)
		if err != nil {
			return err
		}
		joined, err := readAll(ctx, sn, paid, f, true)
		if err != nil {
			return err
		}
		if len(want) == 0 || n != int64(len(want)) || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(joined, want) {
			t.Errorf("count %d, %d rows (%d joined), want %d rows", n, len(got), len(joined), len(want))
		}
		widths, err := sn.LongestText(ctx, paid.Name)
		if err != nil {
			return err
		}
		if fmt.Sprint(slices.Sorted(maps.Keys(widths))) != "[customer_name]" {
			t.Errorf("measured %v", widths)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
