package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"slices"
)

// A dataset ordered by an instant that its table is not stored by (appointments by start, kept
// in booking order) costs a table seek per row when read through the instant's index. Once the
// table outgrows the page cache, each seek reads a page from the file, and every page is read
// once for each of its rows: the cost per row grows with the table. Read in table order instead
// (ExportFilter.IDs), every page is read once; the caller puts the rows in the dataset's order
// itself (reports sorts them through a scratch file).

// TableOrder is where a dataset's Key and RowID sit in its rows, when its rows can be read in
// table order and sorted by Key, then RowID, to give ExportRows' order; ok is false otherwise.
func TableOrder(dataset string) (key, id int, ok bool) {
	d := findDataset(dataset)
	if d == nil || d.RowID == "" || d.Dates == nil || d.Key != d.Dates.Instant {
		return 0, 0, false
	}
	key, id = d.columnWithSQL(d.Key), d.columnWithSQL(d.RowID)
	return key, id, key >= 0 && id >= 0
}

// ExportIDRanges cuts the dataset's table into at most n ranges of RowID of about equal width
// (ExportFilter.IDs), in order, the first and last open-ended; nil when the table is empty or
// the dataset has no RowID.
func (sn *Snapshot) ExportIDRanges(ctx context.Context, dataset string, n int) ([]KeyRange, error) {
	d, err := datasetNamed(dataset)
	if err != nil || d.RowID == "" || n < 1 {
		return nil, err
	}
	lo, hi, err := sn.idBounds(ctx, d)
	if err != nil || !lo.Valid {
		return nil, err
	}
	return splitKeys(lo.Int64, hi.Int64+1, n), nil
}

// TableIDSpan is how many RowIDs the dataset's table spans, MAX − MIN + 1: at least its row
// count, and equal to it while the ids have no gaps. It reads the two ends of the primary key
// (O(log n)) where COUNT(*) reads the whole table (about a second at 10M rows), so an export can
// afford it to weigh its share of the table. 0 when the table is empty or the dataset has no
// RowID.
func (sn *Snapshot) TableIDSpan(ctx context.Context, dataset string) (int64, error) {
	d, err := datasetNamed(dataset)
	if err != nil || d.RowID == "" {
		return 0, err
	}
	lo, hi, err := sn.idBounds(ctx, d)
	if err != nil || !lo.Valid {
		return 0, err
	}
	return hi.Int64 - lo.Int64 + 1, nil
}

// idBounds is the least and greatest RowID of d's table, both invalid when it is empty.
func (sn *Snapshot) idBounds(ctx context.Context, d *Dataset) (lo, hi sql.NullInt64, err error) {
	// Each in a subquery of its own, so SQLite seeks each end of the table (see ExportRanges).
	q := "SELECT (SELECT MIN(" + d.RowID + ") FROM " + d.From + "), (SELECT MAX(" + d.RowID + ") FROM " + d.From + ")"
	if err := sn.tx.QueryRowContext(ctx, q).Scan(&lo, &hi); err != nil {
		return lo, hi, fmt.Errorf("id range: %w", err)
	}
	return lo, hi, nil
}

// ErrOddKey is ScanTableOrder's answer to a Key that is not an integer: Go would not sort such
// rows as SQLite's ORDER BY does, so the caller reads them in the dataset's order instead.
var ErrOddKey = errors.New("a key that is not an integer")

// ScanTableOrder reads the rows of f (whose IDs must be set) in table order into row, which has
// one Cell per dataset column, and calls fn after each; the columns the query does not read
// (names left to ExportNames when joinNames is false, the tenant's currency) are not touched.
// On a snapshot of Store.Snapshots it reads on the connection below database/sql, as a sorted
// range does (export_raw.go). It stops with ErrOddKey at a Key that is not an integer, and with
// fn's error.
func (sn *Snapshot) ScanTableOrder(ctx context.Context, dataset string, f ExportFilter, joinNames bool, row []Cell, fn func() error) error {
	if f.IDs == nil {
		return errors.New("ScanTableOrder needs an id range")
	}
	if sn.conn == nil {
		return sn.scanTableOrderRows(ctx, dataset, f, joinNames, row, fn)
	}
	d, err := datasetFiltered(dataset, f)
	if err != nil {
		return err
	}
	q, err := newRawQuery(d.selectSQL(f, joinNames))
	if err != nil {
		return err
	}
	scanned := scannedColumns(d, joinNames)
	keyAt := slices.Index(scanned, d.columnWithSQL(d.Key))
	return sn.conn.Raw(func(dc any) error {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return errors.New("the SQLite driver cannot run a query on its connection")
		}
		rows, err := qc.QueryContext(ctx, q.sql, q.args)
		if err != nil {
			return fmt.Errorf("query: %w", err)
		}
		defer rows.Close()
		dest := make([]driver.Value, len(scanned))
		for {
			if err := rows.Next(dest); err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			if _, ok := dest[keyAt].(int64); !ok {
				return ErrOddKey
			}
			for j, i := range scanned {
				if err := row[i].Scan(dest[j]); err != nil {
					return fmt.Errorf("column %d: %w", j, err)
				}
			}
			if err := fn(); err != nil {
				return err
			}
		}
	})
}

// scanTableOrderRows is ScanTableOrder through database/sql (a snapshot of Store.Snapshot).
func (sn *Snapshot) scanTableOrderRows(ctx context.Context, dataset string, f ExportFilter, joinNames bool, row []Cell, fn func() error) error {
	rows, err := sn.ExportRows(ctx, dataset, f, joinNames)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(row); err != nil {
			return err
		}
		if rows.OddKey() {
			return ErrOddKey
		}
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}
