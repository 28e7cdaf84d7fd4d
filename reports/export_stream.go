package reports

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/almanac-app/almanac/data/store"
)

// progressEvery is how many rows pass between progress calls and cancellation checks.
const progressEvery = 4096

// Rows travel from the reader to the encoder in batches: SQLite's stepping and the formatting
// and writing then run on two cores at once, while memory stays a few fixed batches however
// many rows there are.
const (
	batchRows = 512
	batches   = 4
)

type rowBatch struct {
	cells []cell // batchRows rows of len(columns) cells
	n     int    // rows filled
}

// streamAll writes every row: in table order, sorted through scratch files, for a large share of
// a large table (export_table_order.go); in key ranges on all of sns when the export is large
// enough and its format allows (export_parallel.go); else on sns[0] alone.
func (j *exportJob) streamAll(ctx context.Context, sns []*store.Snapshot, enc encoder, w io.Writer) (int64, error) {
	for _, sn := range sns {
		restore, err := sn.ScanCache(ctx)
		if err != nil {
			return 0, err
		}
		defer restore()
	}
	tableOrder, err := j.useTableOrder(ctx, sns[0])
	if err != nil {
		return 0, err
	}
	if tableOrder {
		return j.streamTableOrder(ctx, sns, enc, w)
	}
	ranges, err := j.splitRanges(ctx, sns, enc)
	if err != nil {
		return 0, err
	}
	if ranges == nil {
		return j.stream(ctx, sns[0], enc)
	}
	return j.streamRanges(ctx, sns, enc.(splitEncoder), w, ranges)
}

// stream reads the dataset's rows and hands each to enc, checking ctx as it goes. The calling
// goroutine reads (it owns the snapshot's transaction); a second one encodes.
func (j *exportJob) stream(ctx context.Context, sn *store.Snapshot, enc encoder) (int64, error) {
	nm, err := j.beginExport(ctx, sn, enc)
	if err != nil {
		return 0, err
	}
	return j.streamRows(ctx, sn, enc, nm)
}

// streamRows is stream after the encoder's start and the names (nil: the query joins them).
func (j *exportJob) streamRows(ctx context.Context, sn *store.Snapshot, enc encoder, nm *store.ExportNames) (int64, error) {
	rows, err := j.openRows(ctx, sn, nm == nil)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	ncol := len(j.ds.columns)
	free, full := make(chan *rowBatch, batches), make(chan *rowBatch, batches)
	for range batches {
		b := &rowBatch{cells: make([]cell, batchRows*ncol)}
		j.fillConstants(b, ncol)
		free <- b
	}
	var failed atomic.Bool
	encDone := make(chan error, 1)
	derive := j.completeRow(nm)
	go func() { encDone <- encodeBatches(enc, ncol, full, free, &failed, derive) }()
	n, err := j.read(ctx, rows, ncol, free, full, &failed)
	close(full)
	if encErr := <-encDone; encErr != nil {
		err = encErr // the reader stopped because the encoder failed; that is the cause
	}
	if err != nil {
		return n, err
	}
	return n, j.finish(enc, n)
}

// exportRows is what stream reads rows from: the store's query (*store.ExportRows) or a typed
// dataset's rows read beforehand (*typedRows).
type exportRows interface {
	Next() bool
	Scan(row []cell) error
	Err() error
	Close() error
}

// openRows starts reading the dataset's rows.
func (j *exportJob) openRows(ctx context.Context, sn *store.Snapshot, joinNames bool) (exportRows, error) {
	if j.typed != nil {
		return j.typed, nil
	}
	return sn.ExportRows(ctx, j.ds.name, j.filter, joinNames)
}

// completeRow is what the encoding goroutine does to a row before encoding it: fill the names
// from nm (nil when the query joined them) and drop control characters from every text cell,
// whichever the format. The names in nm were cleaned once when loaded (loadNames).
func (j *exportJob) completeRow(nm *store.ExportNames) func([]cell) {
	clean := j.cleanRow(nm)
	return func(row []cell) {
		if nm != nil {
			nm.Fill(row)
		}
		clean(row)
	}
}

// cleanRow is completeRow for a row whose names from nm are already filled (or that has none):
// it only drops control characters from the text cells that are not such names.
func (j *exportJob) cleanRow(nm *store.ExportNames) func([]cell) {
	var text []int
	for i, c := range j.ds.columns {
		if (c.kind == kindText || c.kind == kindCode) && !(nm != nil && j.ds.nameCols[i]) {
			text = append(text, i)
		}
	}
	return func(row []cell) {
		for _, i := range text {
			if !row[i].Null {
				row[i].Text = cleanText(row[i].Text)
			}
		}
	}
}

// fillConstants writes the columns that are the same on every row once per batch.
func (j *exportJob) fillConstants(b *rowBatch, ncol int) {
	for i, c := range j.ds.columns {
		if !c.tenantCurrency {
			continue
		}
		for r := range batchRows {
			b.cells[r*ncol+i].Text = j.tenant.Currency
		}
	}
}

// read scans rows into batches and sends them on full; it stops early when the encoder failed.
func (j *exportJob) read(ctx context.Context, rows exportRows, ncol int, free, full chan *rowBatch, failed *atomic.Bool) (int64, error) {
	var n int64
	b := <-free
	b.n = 0
	for rows.Next() {
		if err := rows.Scan(b.cells[b.n*ncol : (b.n+1)*ncol]); err != nil {
			return n, fmt.Errorf("read row %d: %w", n+1, err)
		}
		b.n++
		n++
		if b.n == batchRows {
			full <- b
			b = <-free
			b.n = 0
		}
		if n%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
			if failed.Load() {
				return n, nil // the encoder's error is reported by stream
			}
			if j.req.Progress != nil {
				j.req.Progress(n, max(n, j.meta.Count))
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("read rows: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return n, err
	}
	if b.n > 0 {
		full <- b
	}
	return n, nil
}

// encodeBatches completes each row (derive fills looked-up columns and cleans text), encodes it
// and returns the batch for reuse. After an error it keeps draining (so the reader never
// blocks) and returns the first error.
func encodeBatches(enc encoder, ncol int, full <-chan *rowBatch, free chan<- *rowBatch, failed *atomic.Bool, derive func([]cell)) error {
	var err error
	for b := range full {
		for r := 0; err == nil && r < b.n; r++ {
			row := b.cells[r*ncol : (r+1)*ncol]
			if derive != nil {
				derive(row)
			}
			if err = enc.row(row); err != nil {
				failed.Store(true)
			}
		}
		free <- b
	}
	return err
}

// finish ends the encoder's output after its n rows and reports the last progress.
func (j *exportJob) finish(enc encoder, n int64) error {
	if err := enc.end(n); err != nil {
		return err
	}
	if j.req.Progress != nil {
		j.req.Progress(n, n)
	}
	return nil
}
