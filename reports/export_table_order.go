package reports

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/almanac-app/almanac/data/store"
)

// A large CSV or JSON export of a dataset kept in another order than it is exported in
// (appointments: stored in booking order, exported by start) is read in table order and sorted
// through a scratch file, so that its cost per row stays flat however large the table grows.
// Read in key ranges (export_parallel.go), each row costs a table seek; once the table outgrows
// the page cache, each seek reads a page from the file, and every page is read once for each of
// its rows (at 10M appointments, 40% of the export's time went to those seeks and their reads).
//
// Instead, every reader scans its share of the table's rowids in table order on its own read
// transaction (each page read once), encodes each row as the file will hold it, and appends it,
// behind its Key and RowID, to the bucket of its Key: buckets are the key ranges ExportRanges
// gives, in order. A bucket's records are staged in memory and written to the reader's scratch
// file in runs. Then, bucket by bucket in key order, the runs are read back, the records sorted
// by Key, then RowID (the dataset's ORDER BY), and written out. The file is byte for byte the
// one the key ranges would give; memory holds the staging and about two buckets.

const (
	// tableOrderMinRows is the smallest export read in table order: below it, a table fits the
	// page cache well enough that the key ranges' seeks cost less than the scratch file.
	tableOrderMinRows = 2_000_000
	maxBuckets        = 4096
	// stagingBytes is the memory all buckets' staging may take per reader; each bucket stages
	// between minStaging and maxStaging bytes before writing a run.
	stagingBytes = 16 << 20
	minStaging   = 4 << 10
	maxStaging   = 64 << 10
	// recordHeader is a record's Key, RowID and length before its encoded bytes.
	recordHeader = 8 + 8 + 4
)

// Variables for the tests.
var (
	// bucketRows sizes the buckets (on average); maxBuckets bounds their number.
	bucketRows int64 = 16 << 10
	// maxBucketRows is the most rows a bucket may hold (about 150 MB of records): a tenant whose
	// keys crowd into a few buckets is exported through the key ranges instead.
	maxBucketRows = 1 << 20
)

// errTableOrder is why a table-order read is given up for the key ranges: a Key that is not an
// integer (Go would not sort it as SQLite does) or a bucket with too many rows.
var errTableOrder = errors.New("rows cannot be sorted in table order")

// useTableOrder reports whether the export reads in table order: a large share of a large table
// of a dataset that has a RowID beside its instant Key.
func (j *exportJob) useTableOrder(ctx context.Context, sn *store.Snapshot) (bool, error) {
	least := int64(tableOrderMinRows)
	if j.req.tableOrderMinRows != 0 {
		least = j.req.tableOrderMinRows
	}
	if _, _, ok := store.TableOrder(j.ds.name); !ok || least < 0 || j.meta.Count < least {
		return false, nil
	}
	all, err := sn.ExportCount(ctx, j.ds.name, store.ExportFilter{})
	if err != nil {
		return false, err
	}
	return 2*j.meta.Count >= all, nil // a scan of the table keeps at least half of what it reads
}

// run is a stretch of one bucket's records in a reader's scratch file.
type run struct {
	off int64
	n   int
}

// bucketWriter is one reader's side of a table-order export: the bucket bounds, each bucket's
// staged records, and the runs already in its scratch file.
type bucketWriter struct {
	bounds  []store.KeyRange
	stage   [][]byte
	runs    [][]run
	rows    []int
	file    *os.File
	off     int64
	staging int
}

func newBucketWriter(bounds []store.KeyRange, file *os.File) *bucketWriter {
	per := min(max(stagingBytes/len(bounds), minStaging), maxStaging)
	return &bucketWriter{bounds: bounds, stage: make([][]byte, len(bounds)), runs: make([][]run, len(bounds)),
		rows: make([]int, len(bounds)), file: file, staging: per}
}

// bucket is the index of the bucket that holds key.
func (bw *bucketWriter) bucket(key int64) int {
	i, _ := slices.BinarySearchFunc(bw.bounds, key, func(r store.KeyRange, k int64) int {
		if r.Hi <= k {
			return -1
		}
		if r.Lo > k {
			return 1
		}
		return 0
	})
	return i
}

// add appends one record: the row's Key and RowID, then its encoding.
func (bw *bucketWriter) add(key, id int64, app rowAppender, cells []cell) error {
	i := bw.bucket(key)
	if bw.rows[i]++; bw.rows[i] > maxBucketRows {
		return errTableOrder
	}
	b := bw.stage[i]
	if b == nil {
		b = make([]byte, 0, bw.staging+4<<10)
	}
	at := len(b)
	b = binary.LittleEndian.AppendUint64(b, uint64(key))
	b = binary.LittleEndian.AppendUint64(b, uint64(id))
	b = append(b, 0, 0, 0, 0)
	b = app.appendRow(b, cells)
	binary.LittleEndian.PutUint32(b[at+16:], uint32(len(b)-at-recordHeader))
	bw.stage[i] = b
	if len(b) >= bw.staging {
		return bw.flush(i)
	}
	return nil
}

// flush writes bucket i's staged records to the scratch file as one run.
func (bw *bucketWriter) flush(i int) error {
	b := bw.stage[i]
	if len(b) == 0 {
		return nil
	}
	if _, err := bw.file.Write(b); err != nil {
		return fmt.Errorf("write the sort's scratch file: %w", err)
	}
	bw.runs[i] = append(bw.runs[i], run{off: bw.off, n: len(b)})
	bw.off += int64(len(b))
	bw.stage[i] = b[:0]
	return nil
}

// flushAll writes every bucket's staged records and lets the staging go.
func (bw *bucketWriter) flushAll() error {
	for i := range bw.stage {
		if err := bw.flush(i); err != nil {
			return err
		}
		bw.stage[i] = nil
	}
	return nil
}

// streamTableOrder is stream for a table-order export: readers on sns scan the table into
// buckets, the calling goroutine sorts and writes the buckets in order. It falls back to the key
// ranges when the rows cannot be sorted so (errTableOrder) before anything reaches w.
func (j *exportJob) streamTableOrder(ctx context.Context, sns []*store.Snapshot, enc splitEncoder, w io.Writer, ranges []store.KeyRange) (int64, error) {
	nm, err := j.beginSplit(ctx, sns[0], enc)
	if err != nil {
		return 0, err
	}
	bounds, err := sns[0].ExportRanges(ctx, j.ds.name, j.filter, int(min(max(j.meta.Count/bucketRows, 2), maxBuckets)))
	if err != nil {
		return 0, err
	}
	writers, err := j.scanBuckets(ctx, sns, enc, nm, bounds)
	defer closeScratch(writers)
	if errors.Is(err, errTableOrder) {
		closeScratch(writers)
		return j.encodeRanges(ctx, sns, enc, w, ranges, nm)
	}
	if err != nil {
		return 0, err
	}
	j.tableOrdered = true
	n, err := j.writeBuckets(ctx, writers, w, enc.separatorLen())
	if err != nil {
		return n, err
	}
	return n, j.finish(enc, n)
}

// closeScratch closes and removes the readers' scratch files; safe to call twice.
func closeScratch(writers []*bucketWriter) {
	for _, bw := range writers {
		if bw != nil && bw.file != nil {
			bw.file.Close()
			os.Remove(bw.file.Name())
			bw.file = nil
		}
	}
}

// scanBuckets runs one reader per snapshot over its share of the table's rowids.
func (j *exportJob) scanBuckets(ctx context.Context, sns []*store.Snapshot, enc splitEncoder, nm *store.ExportNames, bounds []store.KeyRange) ([]*bucketWriter, error) {
	ids, err := sns[0].ExportIDRanges(ctx, j.ds.name, len(sns))
	if err != nil {
		return nil, err
	}
	writers := make([]*bucketWriter, len(ids))
	for i := range ids {
		f, err := createPart(j.scratchDir, j.ds.name+"-sort")
		if err != nil {
			return writers, fmt.Errorf("cannot write the sort's scratch file in %s: %w (free some space there)", j.scratchDir, unwrapPath(err))
		}
		writers[i] = newBucketWriter(bounds, f)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	var read atomic.Int64
	for i, r := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := j.scanIDs(ctx, sns[i], r, nm, enc.rowAppender(), writers[i], &read); err != nil {
				cancel(err)
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return writers, err
	}
	return writers, ctx.Err()
}

// scanIDs reads the rows of one rowid range in table order into bw's buckets.
func (j *exportJob) scanIDs(ctx context.Context, sn *store.Snapshot, ids store.KeyRange, nm *store.ExportNames, app rowAppender, bw *bucketWriter, read *atomic.Int64) error {
	key, id, _ := store.TableOrder(j.ds.name)
	f := j.filter
	f.IDs = &ids
	row := make([]cell, len(j.ds.columns))
	for i, c := range j.ds.columns {
		if c.tenantCurrency {
			row[i].Text = j.tenant.Currency
		}
	}
	derive := j.completeRow(nm)
	var seen int64
	err := sn.ScanTableOrder(ctx, j.ds.name, f, nm == nil, row, func() error {
		derive(row)
		if err := bw.add(row[key].Int, row[id].Int, app, row); err != nil {
			return err
		}
		if seen++; seen%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return context.Cause(ctx)
			}
			j.progressHalf(read.Add(progressEvery), 0)
		}
		return nil
	})
	if errors.Is(err, store.ErrOddKey) {
		return errTableOrder
	}
	if err != nil {
		return fmt.Errorf("read rows: %w", err)
	}
	return bw.flushAll()
}

// progressHalf reports a table-order export's progress: reading the table is the first half of
// the work, writing the sorted rows the second.
func (j *exportJob) progressHalf(read, written int64) {
	if j.req.Progress == nil {
		return
	}
	done := (min(read, j.meta.Count) + written) / 2
	j.req.Progress(done, max(done, j.meta.Count))
}

// sortedBucket is one bucket read back from the scratch files, its records in the file's order.
type sortedBucket struct {
	buf  []byte
	recs []record
	err  error
}

// record is one row's place in a sortedBucket's buf.
type record struct {
	key, id  int64
	off, end int
}

// writeBuckets reads back, sorts and writes each bucket in order; a second goroutine prepares
// the next bucket while one is written. The file's first record loses its first sep bytes.
func (j *exportJob) writeBuckets(ctx context.Context, writers []*bucketWriter, w io.Writer, sep int) (int64, error) {
	nb := len(writers[0].runs)
	ready := make(chan *sortedBucket, 1)
	free := make(chan *sortedBucket, 2)
	free <- new(sortedBucket)
	free <- new(sortedBucket)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(ready)
		for i := range nb {
			var sb *sortedBucket
			select {
			case sb = <-free:
			case <-ctx.Done():
				return
			}
			sb.err = sb.load(writers, i)
			select {
			case ready <- sb:
			case <-ctx.Done():
				return
			}
		}
	}()
	var n int64
	for sb := range ready {
		if sb.err != nil {
			return n, sb.err
		}
		for _, r := range sb.recs {
			out := sb.buf[r.off:r.end]
			if n == 0 {
				out = out[sep:]
			}
			if _, err := w.Write(out); err != nil {
				return n, err
			}
			if n++; n%progressEvery == 0 {
				if err := ctx.Err(); err != nil {
					return n, err
				}
				j.progressHalf(j.meta.Count, n)
			}
		}
		free <- sb
	}
	return n, ctx.Err()
}

// load reads bucket i's runs from every reader's scratch file and sorts its records.
func (sb *sortedBucket) load(writers []*bucketWriter, i int) error {
	size := 0
	for _, bw := range writers {
		for _, r := range bw.runs[i] {
			size += r.n
		}
	}
	sb.buf = slices.Grow(sb.buf[:0], size)[:size]
	at := 0
	for _, bw := range writers {
		for _, r := range bw.runs[i] {
			if _, err := bw.file.ReadAt(sb.buf[at:at+r.n], r.off); err != nil {
				return fmt.Errorf("read the sort's scratch file: %w", err)
			}
			at += r.n
		}
	}
	sb.recs = sb.recs[:0]
	for off := 0; off < size; {
		n := int(binary.LittleEndian.Uint32(sb.buf[off+16:]))
		sb.recs = append(sb.recs, record{key: int64(binary.LittleEndian.Uint64(sb.buf[off:])),
			id: int64(binary.LittleEndian.Uint64(sb.buf[off+8:])), off: off + recordHeader, end: off + recordHeader + n})
		off += recordHeader + n
	}
	slices.SortFunc(sb.recs, func(x, y record) int {
		if c := cmp.Compare(x.key, y.key); c != 0 {
			return c
		}
		return cmp.Compare(x.id, y.id)
	})
	return nil
}
