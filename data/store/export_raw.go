package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"slices"
)

// A sorted key range (sortedRows) is read whole into memory before its first row goes out, so
// its two queries can run below database/sql: on the snapshot's own connection (sql.Conn.Raw),
// through the driver's rows, each value stored into its Cell by one type switch. database/sql's
// Rows.Next and Scan (its locks, the conversion of every value, a Scanner call per column) cost
// about a fifth of the CPU of such a read (BenchmarkExportFloorProcess, modes scan1 and raw1).

// rawRange is what a sorted range reads on its connection: the span's query, then the rest's.
type rawRange struct {
	ctx        context.Context
	conn       *sql.Conn
	span, rest rawQuery
}

type rawQuery struct {
	sql  string
	args []driver.NamedValue
}

// newRawQuery binds args as database/sql would (driver.DefaultParameterConverter: an int
// becomes an int64).
func newRawQuery(q string, args []any) (rawQuery, error) {
	out := rawQuery{sql: q, args: make([]driver.NamedValue, len(args))}
	for i, a := range args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return rawQuery{}, fmt.Errorf("query argument %d: %w", i+1, err)
		}
		out.args[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out, nil
}

// loadRaw is load through rr: false when the range must be read whole instead (too many rows, an
// odd key) or on an error (s.err).
func (s *sortedRows) loadRaw(r *ExportRows, rr *rawRange) bool {
	held := true
	err := rr.conn.Raw(func(dc any) error {
		q, ok := dc.(driver.QueryerContext)
		if !ok {
			return errors.New("the SQLite driver cannot run a query on its connection")
		}
		for _, part := range []rawQuery{rr.span, rr.rest} {
			rows, err := q.QueryContext(rr.ctx, part.sql, part.args)
			if err != nil {
				return fmt.Errorf("query: %w", err)
			}
			all, err := s.fillRaw(r, rows)
			if cerr := rows.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if !all {
				held = false
				return nil
			}
		}
		return nil
	})
	if err != nil {
		s.err = err
		return false
	}
	return held
}

// fillRaw is fill for the driver's rows: false without an error for too many rows or an odd key.
func (s *sortedRows) fillRaw(r *ExportRows, rows driver.Rows) (bool, error) {
	b := s.buf
	dest := make([]driver.Value, len(r.scanned))
	if len(s.words) != len(r.scanned) {
		s.words = make([]words, len(r.scanned))
	}
	for {
		if err := rows.Next(dest); err != nil {
			if errors.Is(err, io.EOF) {
				return true, nil
			}
			return false, err
		}
		if s.n >= maxSortedRows {
			return false, nil
		}
		if _, ok := dest[s.keyAt].(int64); !ok {
			s.odd = true
			return false, nil
		}
		at := len(b.cells)
		b.cells = slices.Grow(b.cells, s.ncol)[:at+s.ncol]
		row := b.cells[at:]
		for _, i := range r.unread {
			row[i] = Cell{} // a reused buffer holds an earlier range's values
		}
		for j, i := range r.scanned {
			if err := row[i].Scan(dest[j]); err != nil {
				return false, fmt.Errorf("column %d: %w", j, err)
			}
			if row[i].Text != "" {
				row[i].Text = s.words[j].intern(row[i].Text)
			}
		}
		b.order = append(b.order, sortKey{key: row[s.key].Int, id: row[s.id].Int, at: int32(s.n)})
		s.n++
	}
}

// words interns a column's texts while they are few (a status, a currency): a held row then
// points to one copy that stays in the CPU cache, instead of a string of its own that the
// driver allocated and that has left the cache by the time the sorted row is encoded (one
// cache miss per row and such column, in the encoder's first look at the text).
type words struct{ seen []string }

// maxWords is how many distinct texts a column interns; a column with more keeps the rest as
// they are.
const maxWords = 8

func (w *words) intern(s string) string {
	for _, x := range w.seen {
		if x == s {
			return x
		}
	}
	if len(w.seen) < maxWords {
		w.seen = append(w.seen, s)
	}
	return s
}
