package reports

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"
	"unsafe"
)

// csvEncoder writes RFC 4180 CSV with encoding/csv: a header, then one line per record.
type csvEncoder struct {
	w       *csv.Writer
	raw     io.Writer
	flusher interface{ Flush() error }
	cols    []exportColumn
	clock   *zoneClock
	bom     bool
	rec     []string
	buf     []byte // scratch for numbers and times; the record's strings point into it
}

func newCSVEncoder(w io.Writer, flusher interface{ Flush() error }, cols []exportColumn, loc *time.Location, bom bool) *csvEncoder {
	return &csvEncoder{w: csv.NewWriter(w), raw: w, flusher: flusher, cols: cols, clock: newZoneClock(loc), bom: bom,
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
	return e.w.Write(e.rec)
}

func (e *csvEncoder) row(cells []cell) error {
	// Numbers and times are formatted into one scratch buffer; the strings viewing it are
	// handed to csv.Writer, which copies them out before the next row reuses the buffer.
	e.buf = e.buf[:0]
	var spans [64][2]int32
	for i, c := range e.cols {
		v := &cells[i]
		if v.null {
			e.rec[i] = ""
			continue
		}
		switch c.kind {
		case kindText, kindCode:
			e.rec[i] = neutralize(v.s)
			continue
		case kindDate:
			e.rec[i] = v.s
			continue
		case kindTime:
			start := len(e.buf)
			e.buf = e.clock.appendRFC3339(e.buf, v.i)
			spans[i] = [2]int32{int32(start), int32(len(e.buf))}
		case kindBool:
			e.rec[i] = strconv.FormatBool(v.i != 0)
			continue
		default: // kindInt, kindID, kindMoney: plain integers, never neutralised
			start := len(e.buf)
			e.buf = strconv.AppendInt(e.buf, v.i, 10)
			spans[i] = [2]int32{int32(start), int32(len(e.buf))}
		}
		e.rec[i] = ""
	}
	for i, c := range e.cols {
		if cells[i].null {
			continue
		}
		switch c.kind {
		case kindTime, kindInt, kindID, kindMoney:
			sp := spans[i]
			e.rec[i] = bytesString(e.buf[sp[0]:sp[1]])
		}
	}
	return e.w.Write(e.rec)
}

func (e *csvEncoder) end(int64) error {
	e.w.Flush()
	if err := e.w.Error(); err != nil {
		return err
	}
	return e.flusher.Flush()
}

// bytesString views b as a string without copying; valid only until b is next written.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// neutralize stops a spreadsheet from running a text cell as a formula (OWASP "CSV injection"):
// a cell starting with = + - @ tab or CR gets a leading apostrophe. Only text goes through here;
// numeric columns are written as numbers, so -5 stays -5.
func neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func (e *csvEncoder) close() error { return nil }
