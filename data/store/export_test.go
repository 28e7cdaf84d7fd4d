package store

import (
	"database/sql"
	"slices"
	"testing"
)

// Internals the external tests (package store_test) reach.

// TxForTest is the snapshot's transaction, for a test's own plain SQL beside the typed reads.
func (sn *Snapshot) TxForTest() *sql.Tx { return sn.tx }

// AddDatasetForTest appends d to the dataset table until the test ends.
func AddDatasetForTest(t testing.TB, d Dataset) {
	saved := datasets
	datasets = append(slices.Clone(datasets), d)
	t.Cleanup(func() { datasets = saved })
}

// StatusStrings is the dataset table's helper for status lists.
func StatusStrings[S ~string](statuses []S) []string { return statusStrings(statuses) }

// RollupForTest is the rollup d counts from for f (nil for the table itself).
func (d *Dataset) RollupForTest(f ExportFilter) *CountRollup { return d.rollupFor(f) }

// SortedForTest says whether the rows were read in rowid order and sorted, and whether such a
// read was given up for one through the index (after Next).
func (r *ExportRows) SortedForTest() (sorted, gaveUp bool) {
	return r.sorted != nil && r.sorted.err == nil, r.gaveUp
}

// SetMaxSortedRowsForTest changes the rows a sorted range may hold until the test ends.
func SetMaxSortedRowsForTest(t testing.TB, n int) {
	saved := maxSortedRows
	maxSortedRows = n
	t.Cleanup(func() { maxSortedRows = saved })
}
