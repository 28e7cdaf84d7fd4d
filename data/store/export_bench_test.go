package store_test

import (
	"context"
	"os"
	"testing"

	"github.com/almanac-app/almanac/data/store"
)

// BenchmarkExportRangesRead reads every appointment of the store at $ALMANAC_BENCHREF_STORE
// (a built tenant, say the bench-table cache's) range by range on one snapshot, as a CSV or JSON
// export's reader does, names left to ExportNames: the store's part of an export's CPU, per row.
func BenchmarkExportRangesRead(b *testing.B) {
	path := os.Getenv("ALMANAC_BENCHREF_STORE")
	if path == "" {
		b.Skip("ALMANAC_BENCHREF_STORE is not set")
	}
	ctx := context.Background()
	st, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	d, _ := store.DatasetByName(store.DatasetAppointments)
	row := make([]store.Cell, len(d.Columns))
	var n int64
	for b.Loop() {
		n = 0
		err := st.Snapshot(ctx, func(sn *store.Snapshot) error {
			ranges, err := sn.ExportRanges(ctx, d.Name, store.ExportFilter{}, 244)
			if err != nil {
				return err
			}
			for _, r := range ranges {
				rows, err := sn.ExportRows(ctx, d.Name, store.ExportFilter{Range: &r}, false)
				if err != nil {
					return err
				}
				for rows.Next() {
					if err := rows.Scan(row); err != nil {
						return err
					}
					n++
				}
				if err := rows.Close(); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*n), "ns/row")
}
