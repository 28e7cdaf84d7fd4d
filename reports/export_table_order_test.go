package reports

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/almanac-app/almanac/data/store"
	"github.com/almanac-app/almanac/license"
)

// TestExportTableOrderBytesMatchGolden exports every golden case in CSV and JSON read in table
// order and sorted through the scratch files, with buckets of a few rows and of many, names
// preloaded and joined, and compares each file byte for byte with the golden file (which the
// single reader writes, TestExportSplitBytesMatchOneReader). A bucket limit of a few rows makes
// the export give up the table order for the key ranges, which must not change a byte either.
func TestExportTableOrderBytesMatchGolden(t *testing.T) {
	ents := planEnts(license.Internal)
	defer func(r int64, m int) { bucketRows, maxBucketRows = r, m }(bucketRows, maxBucketRows)
	for _, c := range goldenCases(t) {
		for _, format := range []Format{FormatCSV, FormatJSON} {
			name := c.name + "." + string(format)
			t.Run(name, func(t *testing.T) {
				golden, err := os.ReadFile(filepath.Join("testdata", "export", name))
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range []struct {
					rows int64
					max  int
				}{{3, 1 << 20}, {1000, 1 << 20}, {3, 2}} {
					for _, limit := range []int{0, -1} {
						bucketRows, maxBucketRows = k.rows, k.max
						req := c.req
						req.Format, req.Out = format, t.TempDir()
						req.splitMinRows, req.tableOrderMinRows, req.namesLimit = 1, 1, limit
						res, err := c.svc.Export(context.Background(), ents, req)
						if err != nil {
							t.Fatal(err)
						}
						got, err := os.ReadFile(res.Path)
						if err != nil {
							t.Fatal(err)
						}
						if !bytes.Equal(got, golden) {
							t.Errorf("buckets of %d rows (at most %d), names limit %d: %d bytes differ from the golden %d at byte %d",
								k.rows, k.max, limit, len(got), len(golden), firstDiff(got, golden))
						}
						assertNoScratch(t, req.Out)
					}
				}
			})
		}
	}
}

// assertNoScratch fails when an export left anything but its file in dir.
func assertNoScratch(t *testing.T, dir string) {
	t.Helper()
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 {
		var names []string
		for _, e := range left {
			names = append(names, e.Name())
		}
		t.Errorf("the export left %v in its folder", names)
	}
}

// TestExportTableOrderReallyUsed makes sure the test above compares something: a large share of
// the appointments and payments is read in table order, a small share (a month of a long
// history), a dataset without a RowID, or too many rows for a bucket is not.
func TestExportTableOrderReallyUsed(t *testing.T) {
	_, svc := demoStore(t, 2000)
	ents := planEnts(license.Internal)
	defer func(m int) { maxBucketRows = m }(maxBucketRows)
	for _, c := range []struct {
		name      string
		req       ExportRequest
		maxBucket int
		want      bool
	}{
		{"appointments", ExportRequest{Dataset: DatasetAppointments}, 1 << 20, true},
		{"payments", ExportRequest{Dataset: DatasetPayments, Period: PeriodRequest{From: "2020-01-01"}}, 1 << 20, true},
		{"appointments completed", ExportRequest{Dataset: DatasetAppointments, Status: "completed"}, 1 << 20, true},
		{"a month of appointments", ExportRequest{Dataset: DatasetAppointments, Period: PeriodRequest{Days: "30"}}, 1 << 20, false},
		{"subscriptions", ExportRequest{Dataset: DatasetSubscriptions}, 1 << 20, false},
		{"crowded buckets", ExportRequest{Dataset: DatasetAppointments}, 10, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			maxBucketRows = c.maxBucket
			req := c.req
			req.Format, req.Out, req.splitMinRows, req.tableOrderMinRows = FormatCSV, t.TempDir(), 1, 1
			err := svc.store.Snapshots(context.Background(), 2, func(sns []*store.Snapshot) error {
				t0, err := sns[0].Tenant(context.Background())
				if err != nil {
					return err
				}
				job, err := svc.plan(ents, req, findDataset(req.Dataset), t0)
				if err != nil {
					return err
				}
				res, err := job.run(context.Background(), sns)
				if err != nil {
					return err
				}
				if job.tableOrdered != c.want || res.Rows == 0 {
					t.Errorf("read in table order: %v, want %v (%d rows)", job.tableOrdered, c.want, res.Rows)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			assertNoScratch(t, req.Out)
		})
	}
}
