package reports

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/almanac-app/almanac/data/store"
	"github.com/almanac-app/almanac/license"
)

// TestExportSplitBytesMatchOneReader exports every golden case (a demo tenant, the crafted one
// with NULLs, unicode, formula-like text and daylight-saving instants, the hostile-text one,
// filters, empty results) in CSV and JSON read in key ranges on two connections, with several
// range counts, and compares each file byte for byte with the same export read whole on one
// connection (the path every export took before) and with the golden file pinned before ranges
// existed.
func TestExportSplitBytesMatchOneReader(t *testing.T) {
	ents := planEnts(license.Internal)
	for _, c := range goldenCases(t) {
		for _, format := range []Format{FormatCSV, FormatJSON} {
			name := c.name + "." + string(format)
			t.Run(name, func(t *testing.T) {
				golden, err := os.ReadFile(filepath.Join("testdata", "export", name))
				if err != nil {
					t.Fatal(err)
				}
				export := func(req ExportRequest) []byte {
					req.Format, req.Out = format, t.TempDir()
					return exportedBytes(t, c.svc, ents, req)
				}
				whole := c.req
				whole.splitMinRows = -1
				want := export(whole)
				if !bytes.Equal(want, golden) {
					t.Fatalf("read whole: %d bytes differ from the golden %d at byte %d", len(want), len(golden), firstDiff(want, golden))
				}
				for _, ranges := range []int{2, 3, 7, 64} {
					for _, limit := range []int{0, -1} {
						req := c.req
						req.splitMinRows, req.splitRanges, req.namesLimit = 1, ranges, limit
						if got := export(req); !bytes.Equal(got, want) {
							t.Errorf("%d ranges, names limit %d: %d bytes differ from one reader's %d at byte %d",
								ranges, limit, len(got), len(want), firstDiff(got, want))
						}
					}
				}
			})
		}
	}
}

// TestExportSplitReallySplits makes sure the test above compares something: a large enough
// export of a dataset with a key is read in ranges, one of a dataset without is not.
func TestExportSplitReallySplits(t *testing.T) {
	_, svc := demoStore(t, 400)
	ents := planEnts(license.Internal)
	err := svc.store.Snapshots(context.Background(), 2, func(sns []*store.Snapshot) error {
		for _, c := range []struct {
			ds    string
			split bool
		}{{DatasetAppointments, true}, {DatasetPayments, true}, {DatasetServices, true}, {DatasetCustomers, false}} {
			t0, err := sns[0].Tenant(context.Background())
			if err != nil {
				return err
			}
			job, err := svc.plan(ents, ExportRequest{Dataset: c.ds, Format: FormatCSV, splitMinRows: 1, splitRanges: 3}, findDataset(c.ds), t0)
			if err != nil {
				return err
			}
			if err := job.count(context.Background(), sns[0]); err != nil {
				return err
			}
			ranges, err := job.splitRanges(context.Background(), sns, newCSVEncoder(io.Discard, nil, job.ds.columns, job.loc, false))
			if err != nil {
				return err
			}
			if got := len(ranges) > 1; got != c.split {
				t.Errorf("%s: %d ranges", c.ds, len(ranges))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestExportSplitCancelAndFailureLeaveNoFile: a split export stopped by its context or by a
// failed write leaves nothing behind and reports the cause, and its progress ends at the rows.
func TestExportSplitCancelAndFailureLeaveNoFile(t *testing.T) {
	_, svc := demoStore(t, 20000)
	ents := planEnts(license.Internal)
	for _, format := range []Format{FormatCSV, FormatJSON} {
		cancelAndFailLeaveNoFile(t, svc, ents, format, 1)
		t.Run("progress/"+string(format), func(t *testing.T) {
			var last, total int64
			calls := 0
			res, err := svc.Export(context.Background(), ents, ExportRequest{Dataset: DatasetAppointments, Format: format, Out: t.TempDir(),
				splitMinRows: 1, Progress: func(done, tot int64) { calls++; last, total = done, tot }})
			if err != nil {
				t.Fatal(err)
			}
			if last != res.Rows || total != res.Rows || res.Rows != 20000 || calls < 3 {
				t.Errorf("progress ended at %d of %d after %d calls; rows %d", last, total, calls, res.Rows)
			}
		})
	}
}
