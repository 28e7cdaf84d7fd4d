package store

import (
	"context"
	"database/sql"
	"fmt"
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
	var lo, hi sql.NullInt64
	// Each in a subquery of its own, so SQLite seeks each end of the table (see ExportRanges).
	q := "SELECT (SELECT MIN(" + d.RowID + ") FROM " + d.From + "), (SELECT MAX(" + d.RowID + ") FROM " + d.From + ")"
	if err := sn.tx.QueryRowContext(ctx, q).Scan(&lo, &hi); err != nil {
		return nil, fmt.Errorf("id range: %w", err)
	}
	if !lo.Valid {
		return nil, nil
	}
	return splitKeys(lo.Int64, hi.Int64+1, n), nil
}
