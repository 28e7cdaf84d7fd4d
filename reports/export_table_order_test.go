package reports

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/almanac-app/almanac/data/store"
	"github.com/almanac-app/almanac/license"
)

// TestExportTableOrderBytesMatchGolden exports every golden case in every format read in table
// order and sorted through the scratch files, with buckets of a few rows and of many, names
// preloaded and joined, and compares each file byte for byte with the golden file (which the
// single reader writes, TestExportSplitBytesMatchOneReader). A bucket limit of a few rows makes
// the export give up the table order for the key ranges, which must not change a byte either.
func TestExportTableOrderBytesMatchGolden(t *testing.T) {
	ents := planEnts(license.Internal)
	defer func(r int64, m int) { bucketRows, maxBucketRows = r, m }(bucketRows, maxBucketRows)
	for _, c := range goldenCases(t) {
		for _, format := range Formats() {
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
						got := exportedBytes(t, c.svc, ents, req)
						g, w := got, golden
						if format == FormatXLSX {
							g, w = zipParts(t, got), zipParts(t, golden)
						}
						if !bytes.Equal(g, w) {
							t.Errorf("buckets of %d rows (at most %d), names limit %d: %d bytes differ from the golden %d at byte %d",
								k.rows, k.max, limit, len(g), len(w), firstDiff(g, w))
						}
						assertNoScratch(t, req.Out)
					}
				}
			})
		}
	}
}

// exportedBytes runs the export and returns its file.
func exportedBytes(t *testing.T, svc *Service, ents license.Entitlements, req ExportRequest) []byte {
	t.Helper()
	res, err := svc.Export(context.Background(), ents, req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	return b
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
		{"appointments in Excel", ExportRequest{Dataset: DatasetAppointments, Format: FormatXLSX}, 1 << 20, true},
		{"payments", ExportRequest{Dataset: DatasetPayments, Period: PeriodRequest{From: "2020-01-01"}}, 1 << 20, true},
		{"appointments completed", ExportRequest{Dataset: DatasetAppointments, Status: "completed"}, 1 << 20, true},
		{"a month of appointments", ExportRequest{Dataset: DatasetAppointments, Period: PeriodRequest{Days: "30"}}, 1 << 20, false},
		{"subscriptions", ExportRequest{Dataset: DatasetSubscriptions}, 1 << 20, false},
		{"crowded buckets", ExportRequest{Dataset: DatasetAppointments}, 10, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			maxBucketRows = c.maxBucket
			req := c.req
			req.Out, req.splitMinRows, req.tableOrderMinRows = t.TempDir(), 1, 1
			if req.Format == "" {
				req.Format = FormatCSV
			}
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

// TestExportTableOrderCancelAndFailure: a table-order export stopped by its context while it
// scans or while it writes, or by a failed write, leaves nothing behind (no file, no scratch
// file) and reports the cause; a complete one reports progress that never goes back and ends at
// its rows.
func TestExportTableOrderCancelAndFailure(t *testing.T) {
	_, svc := demoStore(t, 20000)
	ents := planEnts(license.Internal)
	for _, format := range Formats() {
		base := ExportRequest{Dataset: DatasetAppointments, Format: format, splitMinRows: 1, tableOrderMinRows: 1}
		for _, at := range []int64{1, 26000} { // in the scan (the first half), in the writing
			t.Run(fmt.Sprintf("cancel at %d/%s", at, format), func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				req := base
				req.Out = t.TempDir()
				req.Progress = func(done, total int64) {
					if done >= at/2 {
						cancel()
					}
				}
				if _, err := svc.Export(ctx, ents, req); !errors.Is(err, context.Canceled) {
					t.Fatalf("err %v, want context.Canceled", err)
				}
				assertEmpty(t, req.Out)
			})
		}
		t.Run("write failure/"+string(format), func(t *testing.T) {
			req := base
			req.Out = t.TempDir()
			req.wrap = func(w io.Writer) io.Writer { return &failingWriter{w: w, after: 400_000} }
			if _, err := svc.Export(context.Background(), ents, req); err == nil || !strings.Contains(err.Error(), "injected") {
				t.Fatalf("err %v, want the injected failure", err)
			}
			assertEmpty(t, req.Out)
		})
		t.Run("progress/"+string(format), func(t *testing.T) {
			var last, total int64
			calls := 0
			req := base
			req.Out = t.TempDir()
			req.Progress = func(done, tot int64) {
				if done < last {
					t.Errorf("progress went back from %d to %d", last, done)
				}
				calls++
				last, total = done, tot
			}
			res, err := svc.Export(context.Background(), ents, req)
			if err != nil {
				t.Fatal(err)
			}
			if last != res.Rows || total != res.Rows || res.Rows != 20000 || calls < 4 {
				t.Errorf("progress ended at %d of %d after %d calls; rows %d", last, total, calls, res.Rows)
			}
		})
	}
}

// FuzzDecodeCells: decodeCells never panics and takes back exactly what cellAppender wrote.
func FuzzDecodeCells(f *testing.F) {
	f.Add([]byte{0, 1, 4, 2, 3, 'a', 'b', 'c'}, 3)
	f.Add(cellAppender{}.appendRow(nil, []cell{{Int: -5}, {Text: "é"}, {Null: true}}), 3)
	f.Add([]byte{2, 0xff, 0xff, 0xff, 0xff, 0x0f}, 1)
	f.Fuzz(func(t *testing.T, b []byte, n int) {
		if n < 0 || n > 64 {
			return
		}
		row := make([]cell, n)
		if err := decodeCells(b, row); err != nil {
			return
		}
		if again := (cellAppender{}).appendRow(nil, row); !bytes.Equal(again, b) && !nonCanonical(b) {
			t.Fatalf("decoded %v from %x, which encodes as %x", row, b, again)
		}
	})
}

// nonCanonical reports whether b holds a form cellAppender never writes (an empty text, which
// it writes as the integer 0, or an integer or length with needless varint bytes), so decoding
// and encoding again need not give b back.
func nonCanonical(b []byte) bool {
	for len(b) > 0 {
		tag := b[0]
		b = b[1:]
		switch tag {
		case 0:
		case 1:
			v, n := binary.Varint(b)
			if n != len(binary.AppendVarint(nil, v)) {
				return true
			}
			b = b[n:]
		case 2:
			l, n := binary.Uvarint(b)
			if l == 0 || n != len(binary.AppendUvarint(nil, l)) {
				return true
			}
			b = b[n+int(l):]
		}
	}
	return false
}
