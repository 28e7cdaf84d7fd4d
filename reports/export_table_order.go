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
	// The table's id span stands for its row count: it reads in O(log n) where a COUNT(*) would
	// read the whole table, and it is never less (gaps left by deleted rows only make the
	// table order a little less eager).
	all, err := sn.TableIDSpan(ctx, j.ds.name)
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
// buckets, the calling goroutine sorts and writes the buckets in order. A format whose records
// can be encoded apart (CSV, JSON) keeps them encoded in the buckets, as the file will hold them;
// another (XLSX) keeps the rows' cells, and its encoder takes them in order. When the rows
// cannot be sorted so (errTableOrder), it falls back, before anything reached the file, to the
// key ranges or the single reader.
func (j *exportJob) streamTableOrder(ctx context.Context, sns []*store.Snapshot, enc encoder, w io.Writer) (int64, error) {
	nm, err := j.beginExport(ctx, sns[0], enc)
	if err != nil {
		return 0, err
	}
	bounds, err := sns[0].ExportRanges(ctx, j.ds.name, j.filter, int(min(max(j.meta.Count/bucketRows, 2), maxBuckets)))
	if err != nil {
		return 0, err
	}
	split, _ := enc.(splitEncoder)
	writers, err := j.scanBuckets(ctx, sns, split, nm, bounds)
	defer closeScratch(writers)
	if errors.Is(err, errTableOrder) {
		closeScratch(writers)
		return j.fallBack(ctx, sns, enc, w, nm)
	}
	if err != nil {
		return 0, err
	}
	j.tableOrdered = true
	var n int64
	if split != nil {
		n, err = j.writeBuckets(ctx, writers, w, split.separatorLen())
	} else {
		n, err = j.encodeBuckets(ctx, writers, enc)
	}
	if err != nil {
		return n, err
	}
	return n, j.finish(enc, n)
}

// fallBack is the rest of streamAll for an export whose table-order read was given up.
func (j *exportJob) fallBack(ctx context.Context, sns []*store.Snapshot, enc encoder, w io.Writer, nm *store.ExportNames) (int64, error) {
	ranges, err := j.splitRanges(ctx, sns, enc)
	if err != nil {
		return 0, err
	}
	if ranges == nil {
		return j.streamRows(ctx, sns[0], enc, nm)
	}
	return j.encodeRanges(ctx, sns, enc.(splitEncoder), w, ranges, nm)
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
// split encodes the records when set; otherwise they hold the rows' cells (appendCells).
func (j *exportJob) scanBuckets(ctx context.Context, sns []*store.Snapshot, split splitEncoder, nm *store.ExportNames, bounds []store.KeyRange) ([]*bucketWriter, error) {
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
			var app rowAppender = cellAppender{}
			if split != nil {
				app = split.rowAppender()
			}
			if err := j.scanIDs(ctx, sns[i], r, nm, app, writers[i], &read); err != nil {
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
// the work, writing the sorted rows the second. The readers call it at once, so it takes turns
// and never reports less than it did.
func (j *exportJob) progressHalf(read, written int64) {
	if j.req.Progress == nil {
		return
	}
	done := (min(read, j.meta.Count) + written) / 2
	j.progressMu.Lock()
	defer j.progressMu.Unlock()
	if done > j.progressDone {
		j.progressDone = done
		j.req.Progress(done, max(done, j.meta.Count))
	}
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

// writeBuckets writes each bucket's records in order, as they are: the file's first record
// loses its first sep bytes.
func (j *exportJob) writeBuckets(ctx context.Context, writers []*bucketWriter, w io.Writer, sep int) (int64, error) {
	first := true
	return j.eachRecord(ctx, writers, func(rec []byte) error {
		if first {
			rec, first = rec[sep:], false
		}
		_, err := w.Write(rec)
		return err
	})
}

// eachRecord reads back and sorts each bucket in order and calls fn with each of its records
// (valid until fn returns); a second goroutine prepares the next bucket while one is handed out.
// It reports progress and checks ctx every few thousand records.
func (j *exportJob) eachRecord(ctx context.Context, writers []*bucketWriter, fn func(rec []byte) error) (int64, error) {
	if len(writers) == 0 {
		return 0, nil
	}
	nb := len(writers[0].runs)
	ready := make(chan *sortedBucket, 1)
	free := make(chan *sortedBucket, 2)
	free <- new(sortedBucket)
	free <- new(sortedBucket)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }() // the scratch files close after the last read
	wg.Add(1)
	go func() {
		defer wg.Done()
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
			if err := fn(sb.buf[r.off:r.end]); err != nil {
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

// encodeBuckets is writeBuckets for an encoder that takes cells: each record's cells are decoded
// and handed to enc in order.
func (j *exportJob) encodeBuckets(ctx context.Context, writers []*bucketWriter, enc encoder) (int64, error) {
	row := make([]cell, len(j.ds.columns))
	return j.eachRecord(ctx, writers, func(rec []byte) error {
		if err := decodeCells(rec, row); err != nil {
			return err
		}
		return enc.row(row)
	})
}

// cellAppender encodes a row's cells for a bucket record: per cell a tag (0 NULL, 1 integer,
// 2 text), then the integer as a varint or the text's length and bytes.
type cellAppender struct{}

func (cellAppender) appendRow(b []byte, cells []cell) []byte {
	for _, c := range cells {
		switch {
		case c.Null:
			b = append(b, 0)
		case c.Text != "":
			b = append(b, 2)
			b = binary.AppendUvarint(b, uint64(len(c.Text)))
			b = append(b, c.Text...)
		default:
			b = append(b, 1)
			b = binary.AppendVarint(b, c.Int)
		}
	}
	return b
}

// errBadRecord is a bucket record that does not decode: the scratch file was changed.
var errBadRecord = errors.New("the sort's scratch file was changed while the export ran")

// decodeCells is cellAppender's inverse: it fills row, one cell per column, from b.
func decodeCells(b []byte, row []cell) error {
	for i := range row {
		if len(b) == 0 {
			return errBadRecord
		}
		tag := b[0]
		b = b[1:]
		switch tag {
		case 0:
			row[i] = cell{Null: true}
		case 1:
			v, n := binary.Varint(b)
			if n <= 0 {
				return errBadRecord
			}
			row[i], b = cell{Int: v}, b[n:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return errBadRecord
			}
			row[i], b = cell{Text: string(b[n : n+int(l)])}, b[n+int(l):]
		default:
			return errBadRecord
		}
	}
	if len(b) != 0 {
		return errBadRecord
	}
	return nil
}
