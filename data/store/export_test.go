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
