package reports

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/almanac-app/almanac/data/store"
)

// A large CSV or JSON export is read and encoded on several cores: its rows are cut into ranges
// of the dataset's key (the leading ORDER BY column: an instant or the id), every reader takes
// every len(readers)-th range on its own read transaction of the same commit (Store.Snapshots),
// encodes it into blocks of bytes, and one writer writes the ranges' blocks in range order. The
// file is byte for byte the one a single reader would write, and memory stays a few blocks per
// reader however many rows there are.

const (
	// exportReaders is how many read transactions a CSV or JSON export takes (at most the cores).
	exportReaders = 2
	// splitMinRows is the smallest export worth splitting: below it, one reader is as fast.
	splitMinRows = 20_000
	// rowsPerRange sizes the ranges: small enough that a reader ahead of the writer holds only
	// a range or so of encoded rows, large enough that starting a query per range costs nothing.
	rowsPerRange = 4096
	maxRanges    = 4096
	// blockSize is how many encoded bytes a reader hands the writer at once, and rangeBlocks how
	// many blocks a range may have waiting (a range bigger than that makes its reader wait).
	blockSize   = 64 << 10
	rangeBlocks = 128
	// readerBlocks is how many blocks each reader owns: a reader ahead of the writer waits for
	// one to come back, so a slow disk holds memory to a few ranges' bytes, not the file's. A
	// reader waits only on its own blocks, and its ranges are written in its order, so the
	// writer always holds the blocks it waits for.
	readerBlocks = 16
)

// readersFor is how many read transactions an export of the dataset in the format takes: one for
// a typed dataset (its rows are read up front) and XLSX (a single sheet stream).
func readersFor(ds *dataset, f Format) int {
	if ds.typed || f == FormatXLSX {
		return 1
	}
	return max(1, min(exportReaders, runtime.GOMAXPROCS(0)))
}

// splitEncoder is an encoder whose records can be encoded apart and concatenated.
type splitEncoder interface {
	encoder
	rowAppender() rowAppender // a new one, for one goroutine
	separatorLen() int        // bytes the file's first record goes without (JSON's comma)
}

// rowAppender encodes one record after b.
type rowAppender interface {
	appendRow(b []byte, row []cell) []byte
}

// block is a run of encoded records of one range, and the pool of its reader.
type block struct {
	b    []byte
	rows int64
	home chan []byte
}

// splitRanges is the key ranges to read in parallel, or nil when the export is read whole.
func (j *exportJob) splitRanges(ctx context.Context, sns []*store.Snapshot, enc encoder) ([]store.KeyRange, error) {
	if _, ok := enc.(splitEncoder); !ok || len(sns) < 2 || j.typed != nil {
		return nil, nil
	}
	minRows := int64(splitMinRows)
	if j.req.splitMinRows != 0 {
		minRows = j.req.splitMinRows
	}
	if minRows < 0 || j.meta.Count < minRows {
		return nil, nil
	}
	n := int(min(max(j.meta.Count/rowsPerRange, int64(2*len(sns))), maxRanges))
	if j.req.splitRanges > 0 {
		n = j.req.splitRanges
	}
	ranges, err := sns[0].ExportRanges(ctx, j.ds.name, j.filter, n)
	if err != nil || len(ranges) < 2 {
		return nil, err
	}
	return ranges, nil
}

// streamRanges is stream for a split export: readers on sns encode the ranges, the calling
// goroutine writes them to w in order.
func (j *exportJob) streamRanges(ctx context.Context, sns []*store.Snapshot, enc splitEncoder, w io.Writer, ranges []store.KeyRange) (int64, error) {
	nm, err := j.beginExport(ctx, sns[0], enc)
	if err != nil {
		return 0, err
	}
	return j.encodeRanges(ctx, sns, enc, w, ranges, nm)
}

// encodeRanges is streamRanges after beginExport.
func (j *exportJob) encodeRanges(ctx context.Context, sns []*store.Snapshot, enc splitEncoder, w io.Writer, ranges []store.KeyRange, nm *store.ExportNames) (int64, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	parts := make([]chan block, len(ranges))
	for i := range parts {
		parts[i] = make(chan block, rangeBlocks)
	}
	var wg sync.WaitGroup
	for r, sn := range sns {
		free := make(chan []byte, readerBlocks)
		for range readerBlocks {
			free <- make([]byte, 0, blockSize+4<<10)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			app := enc.rowAppender()
			for k := r; k < len(ranges); k += len(sns) {
				if err := j.readRange(ctx, sn, ranges[k], nm, app, parts[k], free); err != nil {
					cancel(err)
					return
				}
			}
		}()
	}
	n, err := j.writeRanges(ctx, parts, w, enc.separatorLen())
	if err != nil {
		cancel(err)
	}
	wg.Wait()
	if err != nil {
		return n, err
	}
	return n, j.finish(enc, n)
}

// readRange reads the rows of one range, completes and encodes them, and sends them to out in
// blocks taken from free (its reader's pool); it closes out when the range is complete.
func (j *exportJob) readRange(ctx context.Context, sn *store.Snapshot, r store.KeyRange, nm *store.ExportNames, app rowAppender, out chan<- block, free chan []byte) error {
	f := j.filter
	f.Range = &r
	rows, err := sn.ExportRows(ctx, j.ds.name, f, nm == nil)
	if err != nil {
		return err
	}
	defer rows.Close()
	rows.HoldNames(nm) // a sorted range fills its names as it loads them
	row := make([]cell, len(j.ds.columns))
	var consts []int // the tenant currency columns: not read, the same on every row
	for i, c := range j.ds.columns {
		if c.tenantCurrency {
			row[i].Text = j.tenant.Currency
			consts = append(consts, i)
		}
	}
	derive, clean := j.completeRow(nm), j.cleanRow(nm)
	send := func(b block) error {
		select {
		case out <- b:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	next := func() (block, error) {
		select {
		case b := <-free:
			return block{b: b[:0], home: free}, nil
		case <-ctx.Done():
			return block{}, context.Cause(ctx)
		}
	}
	cur, err := next()
	if err != nil {
		return err
	}
	var seen int64
	for rows.Next() {
		cells, err := rows.ScanHeld(row)
		if err != nil {
			return fmt.Errorf("read row: %w", err)
		}
		for _, i := range consts {
			cells[i] = row[i]
		}
		if rows.NamesFilled() {
			clean(cells)
		} else {
			derive(cells)
		}
		cur.b = app.appendRow(cur.b, cells)
		cur.rows++
		if len(cur.b) >= blockSize {
			if err := send(cur); err != nil {
				return err
			}
			if cur, err = next(); err != nil {
				return err
			}
		}
		if seen++; seen%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return context.Cause(ctx)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read rows: %w", err)
	}
	if cur.rows == 0 {
		free <- cur.b // unused: back to the pool
	} else if err := send(cur); err != nil {
		return err
	}
	close(out)
	return nil
}

// writeRanges writes each range's blocks in order and hands their buffers back; the file's
// first record loses its first sep bytes. It reports progress as the rows reach the file.
func (j *exportJob) writeRanges(ctx context.Context, parts []chan block, w io.Writer, sep int) (int64, error) {
	var n, reported int64
	for _, part := range parts {
		for {
			var b block
			var ok bool
			select {
			case b, ok = <-part:
			case <-ctx.Done():
				return n, context.Cause(ctx)
			}
			if !ok {
				break
			}
			out := b.b
			if n == 0 {
				out = out[sep:]
			}
			if _, err := w.Write(out); err != nil {
				return n, err
			}
			n += b.rows
			b.home <- b.b // never blocks: the pool holds all its reader's blocks
			if j.req.Progress != nil && n-reported >= progressEvery {
				reported = n
				j.req.Progress(n, max(n, j.meta.Count))
			}
		}
	}
	return n, nil
}
