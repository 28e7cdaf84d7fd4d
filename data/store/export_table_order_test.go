package store_test

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/store"
)

// tableOrderRows reads the dataset's rows in n rowid ranges in table order and reports whether
// any had an odd key; it fails the test when a range's rows do not come in rowid order.
func tableOrderRows(t *testing.T, ctx context.Context, sn *store.Snapshot, d store.Dataset, f store.ExportFilter, n int) ([][]store.Cell, bool) {
	t.Helper()
	_, id, _ := store.TableOrder(d.Name)
	ranges, err := sn.ExportIDRanges(ctx, d.Name, n)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]store.Cell
	odd := false
	for _, r := range ranges {
		f := f
		f.IDs = &r
		rows, err := sn.ExportRows(ctx, d.Name, f, true)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			row := make([]store.Cell, len(d.Columns))
			if err := rows.Scan(row); err != nil {
				t.Fatal(err)
			}
			if row[id].Int < r.Lo || row[id].Int >= r.Hi || (len(out) > 0 && out[len(out)-1][id].Int >= row[id].Int) {
				t.Fatalf("%s: id %d out of table order in range %+v", d.Name, row[id].Int, r)
			}
			out = append(out, row)
		}
		odd = odd || rows.OddKey()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out, odd
}

// scanTableOrder is tableOrderRows through ScanTableOrder; odd says it stopped at an odd key.
func scanTableOrder(t *testing.T, ctx context.Context, sn *store.Snapshot, d store.Dataset, f store.ExportFilter, n int) ([][]store.Cell, bool) {
	t.Helper()
	ranges, err := sn.ExportIDRanges(ctx, d.Name, n)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]store.Cell
	for _, r := range ranges {
		f := f
		f.IDs = &r
		row := make([]store.Cell, len(d.Columns))
		err := sn.ScanTableOrder(ctx, d.Name, f, true, row, func() error {
			out = append(out, slices.Clone(row))
			return nil
		})
		if errors.Is(err, store.ErrOddKey) {
			return out, true
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return out, false
}

// TestExportRowsInTableOrder reads appointments and payments with every filter in rowid ranges
// in table order, sorts the rows by key, then id, and expects exactly the rows of one ordered
// read; a key stored as a real number is reported (OddKey), so that the caller gives up the
// table order for a read SQLite sorts.
func TestExportRowsInTableOrder(t *testing.T) {
	st := exportStore(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("America/New_York")
	check := func(t *testing.T) (odd bool) {
		read := func(sn *store.Snapshot) error {
			for _, name := range []string{store.DatasetAppointments, store.DatasetPayments} {
				d, _ := store.DatasetByName(name)
				key, id, ok := store.TableOrder(name)
				if !ok {
					t.Fatalf("%s cannot be read in table order", name)
				}
				for _, f := range filtersFor(d, loc) {
					want, err := readAll(ctx, sn, d, f, true)
					if err != nil {
						return err
					}
					for _, n := range []int{1, 3, 40} {
						for _, how := range []func(*testing.T, context.Context, *store.Snapshot, store.Dataset, store.ExportFilter, int) ([][]store.Cell, bool){tableOrderRows, scanTableOrder} {
							got, o := how(t, ctx, sn, d, f, n)
							odd = odd || o
							slices.SortStableFunc(got, func(x, y []store.Cell) int {
								return cmp.Or(cmp.Compare(x[key].Int, y[key].Int), cmp.Compare(x[id].Int, y[id].Int))
							})
							if !o && !reflect.DeepEqual(got, want) {
								t.Errorf("%s %+v in %d id ranges: %d rows differ from the %d of one ordered read", name, f, n, len(got), len(want))
							}
						}
					}
				}
			}
			return nil
		}
		if err := st.Snapshot(ctx, read); err != nil {
			t.Fatal(err)
		}
		if err := st.Snapshots(ctx, 1, func(sns []*store.Snapshot) error { return read(sns[0]) }); err != nil {
			t.Fatal(err)
		}
		return odd
	}
	if check(t) {
		t.Error("integer keys reported as odd")
	}
	for _, name := range []string{store.DatasetCustomers, store.DatasetSubscriptions} {
		if _, _, ok := store.TableOrder(name); ok {
			t.Errorf("%s reads in table order, but its key is not an instant beside a rowid", name)
		}
	}
	err := st.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE appointments SET start_at = start_at + 0.5 WHERE id % 3 = 0`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !check(t) {
		t.Error("a real key was not reported")
	}
}

// TestTableOrderIDSpan: a dataset's id span is at least its row count, and exactly it while its ids
// have no gaps; 0 for a dataset without a RowID.
func TestTableOrderIDSpan(t *testing.T) {
	st := exportStore(t)
	ctx := context.Background()
	err := st.Snapshot(ctx, func(sn *store.Snapshot) error {
		for _, name := range []string{store.DatasetAppointments, store.DatasetPayments, store.DatasetCustomers} {
			d, _ := store.DatasetByName(name)
			span, err := sn.TableIDSpan(ctx, name)
			if err != nil {
				return err
			}
			if d.RowID == "" {
				if span != 0 {
					t.Errorf("%s: span %d without a RowID, want 0", name, span)
				}
				continue
			}
			var n, lo, hi int64
			q := "SELECT COUNT(*), MIN(" + d.RowID + "), MAX(" + d.RowID + ") FROM " + d.From
			if err := sn.TxForTest().QueryRowContext(ctx, q).Scan(&n, &lo, &hi); err != nil {
				return err
			}
			if span != hi-lo+1 || span < n || n == 0 {
				t.Errorf("%s: span %d for %d rows with ids %d to %d", name, span, n, lo, hi)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
