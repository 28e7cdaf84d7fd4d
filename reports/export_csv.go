package reports

import (
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// csvEncoder writes RFC 4180 CSV: a header, then one line per record, every line ending in CRLF.
// It quotes as encoding/csv does but keeps a field's own line breaks exactly: csv.Writer's CRLF
// mode silently drops a carriage return inside a field.
type csvEncoder struct {
	line    []byte // the record being written, reused
	raw     io.Writer
	flusher interface{ Flush() error }
	cols    []exportColumn
	clock   *zoneClock
	bom     bool
	rec     []string // the header
	rows    *csvRows
}

func newCSVEncoder(w io.Writer, flusher interface{ Flush() error }, cols []exportColumn, loc *time.Location, bom bool) *csvEncoder {
	clock := newZoneClock(loc)
	return &csvEncoder{line: make([]byte, 0, 1024), raw: w, flusher: flusher, cols: cols, clock: clock, bom: bom,
		rec: make([]string, len(cols)), rows: &csvRows{cols: cols, clock: clock}}
}

// utf8BOM makes Excel read the file as UTF-8; scripts prefer none, so it is opt-in.
const utf8BOM = "\uFEFF"

func (e *csvEncoder) begin() error {
	if e.bom {
		if _, err := io.WriteString(e.raw, utf8BOM); err != nil {
			return err
		}
	}
	for i, c := range e.cols {
		e.rec[i] = c.key
	}
	return e.write()
}

// write encodes e.rec as one line and writes it.
func (e *csvEncoder) write() error {
	e.line = appendCSVRecord(e.line[:0], e.rec)
	_, err := e.raw.Write(e.line)
	return err
}

// appendCSVRecord appends rec as one RFC 4180 line ending in CRLF. A field is quoted when it
// holds a comma, a quote, CR or LF or starts with a space (as encoding/csv decides); inside
// quotes a quote is doubled and everything else, line breaks included, is kept as it is.
func appendCSVRecord(b []byte, rec []string) []byte {
	for i, f := range rec {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVField(b, f)
	}
	return append(b, '\r', '\n')
}

// appendCSVField appends one field, quoted when csvNeedsQuotes says so.
func appendCSVField(b []byte, f string) []byte {
	if !csvNeedsQuotes(f) {
		return append(b, f...)
	}
	b = append(b, '"')
	for {
		j := strings.IndexByte(f, '"')
		if j < 0 {
			break
		}
		b = append(b, f[:j+1]...)
		b = append(b, '"')
		f = f[j+1:]
	}
	b = append(b, f...)
	return append(b, '"')
}

// csvNeedsQuotes is encoding/csv's rule: delimiter, quote, CR or LF anywhere, a leading space,
// or the field `\.` (which PostgreSQL's COPY would read as the end of data).
func csvNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	if c := f[0]; c < utf8.RuneSelf {
		return unicode.IsSpace(rune(c))
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

func (e *csvEncoder) row(cells []cell) error {
	e.line = e.rows.appendRow(e.line[:0], cells)
	_, err := e.raw.Write(e.line)
	return err
}

// csvRows encodes records as CSV lines; each goroutine that encodes needs its own (the zone
// clock caches).
type csvRows struct {
	cols  []exportColumn
	clock *zoneClock
}

func (e *csvEncoder) rowAppender() rowAppender {
	return &csvRows{cols: e.cols, clock: newZoneClock(e.clock.loc)}
}

// separatorLen is 0: CSV records need nothing between them besides their own CRLF.
func (e *csvEncoder) separatorLen() int { return 0 }

// appendRow appends the record as one line. Numbers, instants and booleans never need quotes
// (no comma, quote, line break or leading space), so they are appended as they are; text and
// dates go through the quoting rule of appendCSVRecord.
func (r *csvRows) appendRow(b []byte, cells []cell) []byte {
	for i, c := range r.cols {
		if i > 0 {
			b = append(b, ',')
		}
		v := &cells[i]
		if v.Null {
			continue
		}
		switch c.kind {
		case kindText, kindCode:
			b = appendCSVField(b, neutralize(v.Text))
		case kindDate:
			b = appendCSVField(b, v.Text)
		case kindTime:
			b = r.clock.appendRFC3339(b, v.Int)
		case kindBool:
			b = strconv.AppendBool(b, v.Int != 0)
		case kindEncoded:
			b = append(b, v.Text...)
		default: // kindInt, kindID, kindMoney: plain integers, never neutralised
			b = strconv.AppendInt(b, v.Int, 10)
		}
	}
	return append(b, '\r', '\n')
}

func (e *csvEncoder) end(int64) error { return e.flusher.Flush() }

// encodeName is a name as appendRow writes a text field: neutralised, then quoted as needed.
func (e *csvEncoder) encodeName(s string) string { return string(appendCSVField(nil, neutralize(s))) }

// encodeNames makes the columns at cols take preloaded names encoded by encodeName.
func (e *csvEncoder) encodeNames(cols []bool) {
	e.cols = encodedColumns(e.cols, cols)
	e.rows.cols = e.cols
}

// bytesString views b as a string without copying; valid only until b is next written.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (e *csvEncoder) close() error { return nil }
