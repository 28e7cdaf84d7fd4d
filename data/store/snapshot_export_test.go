package store_test

import (
	"context"
	"database/sql"
	"reflect"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/store"
)

// rangeReads counts how the ranges were read.
type rangeReads struct{ sorted, gaveUp int }

// rangedRows reads the dataset's rows range by range (n ranges, names joined per row) and counts
// the ranges read in rowid order and sorted, and those whose sorted read was given up.
func rangedRows(ctx context.Context, sn *store.Snapshot, d store.Dataset, f store.ExportFilter, n int) ([][]store.Cell, rangeReads, error) {
	var reads rangeReads
	ranges, err := sn.ExportRanges(ctx, d.Name, f, n)
	if err != nil {
		return nil, reads, err
	}
	var out [][]store.Cell
	for _, r := range ranges {
		f := f
		f.Range = &r
		rows, err := sn.ExportRows(ctx, d.Name, f, true)
		if err != nil {
			return nil, reads, err
		}
		for rows.Next() {
			// Every other row through ScanHeld, which hands out a held row instead of a copy.
			row := make([]store.Cell, len(d.Columns))
			var err error
			if len(out)%2 == 0 {
				err = rows.Scan(row)
			} else {
				var held []store.Cell
				held, err = rows.ScanHeld(make([]store.Cell, len(d.Columns)))
				copy(row, held)
			}
			if err != nil {
				rows.Close()
				return nil, reads, err
			}
			out = append(out, row)
		}
		sorted, gaveUp := rows.SortedForTest()
		if sorted {
			reads.sorted++
		}
		if gaveUp {
			reads.gaveUp++
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return nil, reads, err
		}
		rows.Close()
	}
	return out, reads, nil
}

// TestExportRangesInRowidOrder reads appointments and payments in key ranges, which read their
// id spans in table order and sort them in memory, and expects exactly the rows of one ordered
// read through the index: with the demo's ids (which follow the start times), with start times
// moved so that many rows' ids lie outside their range's span, with ids that follow nothing, with
// a key stored as a real number (read through the index instead), and with ranges larger than a
// sorted read may hold. Each read runs on a snapshot of Store.Snapshot (through database/sql)
// and on one of Store.Snapshots (a sorted range read on its connection, below database/sql).
func TestExportRangesInRowidOrder(t *testing.T) {
	st := exportStore(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("America/New_York")
	// check compares the reads of both datasets and counts how the unfiltered ranges were read.
	check := func(t *testing.T) rangeReads {
		t.Helper()
		var all rangeReads
		read := func(sn *store.Snapshot) error {
			for _, name := range []string{store.DatasetAppointments, store.DatasetPayments} {
				d, _ := store.DatasetByName(name)
				for _, f := range filtersFor(d, loc) {
					want, err := readAll(ctx, sn, d, f, true)
					if err != nil {
						return err
					}
					for _, n := range []int{3, 40} {
						got, reads, err := rangedRows(ctx, sn, d, f, n)
						if err != nil {
							return err
						}
						if !reflect.DeepEqual(got, want) {
							t.Errorf("%s %+v in %d ranges: %d rows differ from the %d of one ordered read", name, f, n, len(got), len(want))
						}
						all.sorted += reads.sorted
						all.gaveUp += reads.gaveUp
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
		return all
	}
	write := func(t *testing.T, q string) {
		t.Helper()
		if err := st.Write(ctx, func(tx *sql.Tx) error { _, err := tx.ExecContext(ctx, q); return err }); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("demo ids", func(t *testing.T) {
		if r := check(t); r.sorted == 0 || r.gaveUp != 0 {
			t.Errorf("%+v: want sorted reads and none given up", r)
		}
	})
	t.Run("some rows moved", func(t *testing.T) {
		write(t, `UPDATE appointments SET start_at = start_at + 86400 * ((id * 7919) % 200), end_at = end_at + 86400 * ((id * 7919) % 200) WHERE id % 5 = 0`)
		write(t, `UPDATE payments SET created_at = created_at - 86400 * ((id * 31) % 90) WHERE id % 7 = 0`)
		if r := check(t); r.sorted == 0 {
			t.Errorf("%+v: want sorted reads", r)
		}
	})
	t.Run("ranges too large to sort", func(t *testing.T) {
		var all rangeReads
		for _, n := range []int{8, 24, 64} {
			store.SetMaxSortedRowsForTest(t, n)
			r := check(t)
			all.gaveUp += r.gaveUp
		}
		if all.gaveUp == 0 {
			t.Error("no sorted read was given up for holding too many rows")
		}
	})
	t.Run("ids follow nothing", func(t *testing.T) {
		write(t, `UPDATE appointments SET start_at = start_at + 3600 * ((id * 7919) % 8760), end_at = end_at + 3600 * ((id * 7919) % 8760)`)
		check(t)
	})
	t.Run("a real key", func(t *testing.T) {
		write(t, `UPDATE appointments SET start_at = start_at + 0.5 WHERE id % 3 = 0`)
		write(t, `UPDATE payments SET created_at = created_at + 0.25 WHERE id % 3 = 0`)
		if r := check(t); r.gaveUp == 0 {
			t.Errorf("%+v: want sorted reads given up for the real keys", r)
		}
	})
}
