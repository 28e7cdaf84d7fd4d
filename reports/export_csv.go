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
	rec     []string
	buf     []byte // scratch for numbers and times; the record's strings point into it
}

func newCSVEncoder(w io.Writer, flusher interface{ Flush() error }, cols []exportColumn, loc *time.Location, bom bool) *csvEncoder {
	return &csvEncoder{line: make([]byte, 0, 1024), raw: w, flusher: flusher, cols: cols, clock: newZoneClock(loc), bom: bom,
		rec: make([]string, len(cols)), buf: make([]byte, 0, 512)}
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
		if !csvNeedsQuotes(f) {
			b = append(b, f...)
			continue
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
		b = append(b, '"')
	}
	return append(b, '\r', '\n')
}

// csvNeedsQuotes is encoding/csv's rule: delimiter, quote, CR or LF anywhere, a leading space,
// or the field `\.` (which PostgreSQL's COPY would read as the end of data).
func csvNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` || strings.ContainsAny(f, ",\"\r\n") {
		return true
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

func (e *csvEncoder) row(cells []cell) error {
	// Numbers and times are formatted into one scratch buffer; the strings viewing it are
	// copied into the line before the next row reuses the buffer.
	e.buf = e.buf[:0]
	var spans [64][2]int32
	for i, c := range e.cols {
		v := &cells[i]
		if v.Null {
			e.rec[i] = ""
			continue
		}
		switch c.kind {
		case kindText, kindCode:
			e.rec[i] = neutralize(v.Text)
			continue
		case kindDate:
			e.rec[i] = v.Text
			continue
		case kindTime:
			start := len(e.buf)
			e.buf = e.clock.appendRFC3339(e.buf, v.Int)
			spans[i] = [2]int32{int32(start), int32(len(e.buf))}
		case kindBool:
			e.rec[i] = strconv.FormatBool(v.Int != 0)
			continue
		default: // kindInt, kindID, kindMoney: plain integers, never neutralised
			start := len(e.buf)
			e.buf = strconv.AppendInt(e.buf, v.Int, 10)
			spans[i] = [2]int32{int32(start), int32(len(e.buf))}
		}
		e.rec[i] = ""
	}
	for i, c := range e.cols {
		if cells[i].Null {
			continue
		}
		switch c.kind {
		case kindTime, kindInt, kindID, kindMoney:
			sp := spans[i]
			e.rec[i] = bytesString(e.buf[sp[0]:sp[1]])
		}
	}
	return e.write()
}

func (e *csvEncoder) end(int64) error { return e.flusher.Flush() }

// bytesString views b as a string without copying; valid only until b is next written.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (e *csvEncoder) close() error { return nil }
