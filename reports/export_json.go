package reports

import (
	"encoding/json"
	"io"
	"strconv"
	"time"
	"unicode/utf8"
)

// jsonEncoder writes {"metadata":{...},"records":[{...},...]}, one record per line. Records are
// encoded by hand into a reused buffer: encoding/json's reflection per row would cost more than
// the whole CSV export.
type jsonEncoder struct {
	w       io.Writer
	flusher interface{ Flush() error }
	cols    []exportColumn
	meta    Metadata
	clock   *zoneClock
	rows    *jsonRows
	buf     []byte
	first   bool
}

func newJSONEncoder(w io.Writer, flusher interface{ Flush() error }, cols []exportColumn, meta Metadata, loc *time.Location) *jsonEncoder {
	clock := newZoneClock(loc)
	e := &jsonEncoder{w: w, flusher: flusher, cols: cols, meta: meta, clock: clock, buf: make([]byte, 0, 1024), first: true,
		rows: &jsonRows{cols: cols, clock: clock}}
	for _, c := range cols {
		k := appendJSONString(nil, c.key)
		e.rows.keys = append(e.rows.keys, append(k, ':'))
	}
	return e
}

func (e *jsonEncoder) begin() error {
	meta, err := json.Marshal(e.meta)
	if err != nil {
		return err
	}
	e.buf = append(append(append(e.buf[:0], `{"metadata":`...), meta...), ",\n\"records\":["...)
	_, err = e.w.Write(e.buf)
	return err
}

func (e *jsonEncoder) row(cells []cell) error {
	b := e.rows.appendRow(e.buf[:0], cells)
	e.buf = b
	if e.first {
		b = b[1:] // no comma before the first record
	}
	e.first = false
	_, err := e.w.Write(b)
	return err
}

// jsonRows encodes records as `,\n{…}`; each goroutine that encodes needs its own (the zone
// clock caches). The writer drops the comma of the file's first record.
type jsonRows struct {
	cols  []exportColumn
	keys  [][]byte // `"key":` per column, encoded once
	clock *zoneClock
}

func (e *jsonEncoder) rowAppender() rowAppender {
	return &jsonRows{cols: e.cols, keys: e.rows.keys, clock: newZoneClock(e.clock.loc)}
}

// separatorLen is the comma that the first record of the file goes without.
func (e *jsonEncoder) separatorLen() int { return 1 }

func (r *jsonRows) appendRow(b []byte, cells []cell) []byte {
	b = append(b, ",\n{"...)
	for i, c := range r.cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r.keys[i]...)
		v := &cells[i]
		if v.Null {
			b = append(b, "null"...)
			continue
		}
		switch c.kind {
		case kindText, kindCode, kindDate:
			b = appendJSONString(b, v.Text)
		case kindTime:
			b = append(b, '"')
			b = r.clock.appendRFC3339(b, v.Int)
			b = append(b, '"')
		case kindBool:
			b = strconv.AppendBool(b, v.Int != 0)
		case kindEncoded:
			b = append(b, v.Text...)
		default:
			b = strconv.AppendInt(b, v.Int, 10)
		}
	}
	return append(b, '}')
}

func (e *jsonEncoder) end(int64) error {
	if _, err := io.WriteString(e.w, "\n]}\n"); err != nil {
		return err
	}
	return e.flusher.Flush()
}

// encodeName is a name as appendRow writes a text value: a JSON string.
func (e *jsonEncoder) encodeName(s string) string { return string(appendJSONString(nil, s)) }

// encodeNames makes the columns at cols take preloaded names encoded by encodeName.
func (e *jsonEncoder) encodeNames(cols []bool) {
	e.cols = encodedColumns(e.cols, cols)
	e.rows.cols = e.cols
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string: quotes, backslashes and control characters are
// escaped, invalid UTF-8 becomes U+FFFD, and U+2028/U+2029 are escaped for JavaScript readers.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func (e *jsonEncoder) close() error { return nil }
