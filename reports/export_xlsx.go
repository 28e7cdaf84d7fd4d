package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/xuri/excelize/v2"

	"github.com/almanac-app/almanac/data"
)

// MaxSheetRows is how many data rows fit on one sheet under the header (Excel's 1,048,576 rows
// minus one); further rows continue on a new sheet with the header repeated.
const MaxSheetRows = 1_048_575

// Excel number formats for the typed columns.
const (
	fmtDate = "yyyy-mm-dd"
	fmtTime = "yyyy-mm-dd hh:mm"
	fmtText = 49 // built-in "@": the cell is text, so Excel keeps leading zeros and long digits
)

// excelEpochDays is the Excel serial number of 1970-01-01 (serial 0 is 1899-12-30).
const excelEpochDays = 25569

// xlsxEncoder writes a workbook with excelize's StreamWriter: typed cells, one style id per
// column decided once, a bold frozen header, a table (autofilter) per sheet, fitted widths and an
// "About" sheet with the export's metadata.
type xlsxEncoder struct {
	w       io.Writer
	flusher interface{ Flush() error }
	f       *excelize.File
	cols    []exportColumn
	ds      *dataset
	meta    Metadata
	clock   *zoneClock
	widths  []float64

	perSheet int // data rows per sheet
	sheetNo  int
	sheet    string
	sw       *excelize.StreamWriter
	inSheet  int // data rows on the current sheet

	header, text, date, stamp int            // style ids
	money                     map[string]int // currency -> style id
	vals                      []any
	cells                     []excelize.Cell

	zip  *directZip
	file io.WriterAt // the output file under w, for the ZIP64 patch; nil when w is wrapped
}

func newXLSXEncoder(ctx context.Context, w io.Writer, flusher interface{ Flush() error }, cols []exportColumn, meta Metadata, ds *dataset,
	loc *time.Location, perSheet int, widths []float64) *xlsxEncoder {
	if perSheet <= 0 || perSheet > MaxSheetRows {
		perSheet = MaxSheetRows
	}
	e := &xlsxEncoder{w: w, flusher: flusher, f: excelize.NewFile(), cols: cols, ds: ds, meta: meta, clock: newZoneClock(loc),
		widths: widths, perSheet: perSheet, money: map[string]int{},
		vals: make([]any, len(cols)), cells: make([]excelize.Cell, len(cols))}
	e.zip = newDirectZip(ctx, w)
	e.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return e.zip })
	return e
}

// directZip is the workbook's zip, written straight to the output. excelize's Write assembles
// the whole zip in a bytes.Buffer before copying it out (WriteTo calls WriteToBuffer), which at a
// million rows is the largest thing the export holds: tens of megabytes, doubled while the buffer
// grows. excelize asks SetZipWriter's function for a writer over that buffer; directZip ignores
// the buffer and writes to the output instead, so the buffer stays empty. The bytes are the same
// ones excelize would have copied out, written in the same order by the same archive/zip writer.
//
// Its writes fail once ctx is done: rows stream in batches that check the context, but the
// workbook is compressed in one call at the end (seconds for a million rows), and failing its
// writes is what lets Cancel stop that step too.
//
// For a part over 4 GiB excelize would mark its local header as ZIP64 (version 45), which it does
// by editing its buffer; directZip remembers where such a part's header starts and patch makes
// the same edit in the file.
type directZip struct {
	ctx  context.Context
	out  *countWriter
	zw   *zip.Writer
	big  []int64 // offsets of the local headers of parts over limit bytes
	part *zipPart
	// limit is the size past which a part needs a ZIP64 local header: 4 GiB (tests shrink it).
	limit int64
}

func newDirectZip(ctx context.Context, w io.Writer) *directZip {
	out := &countWriter{w: w}
	return &directZip{ctx: ctx, out: out, zw: zip.NewWriter(out), limit: math.MaxUint32}
}

// Create starts a part whose writes fail once the context is done.
func (z *directZip) Create(name string) (io.Writer, error) {
	if err := z.ctx.Err(); err != nil {
		return nil, err
	}
	z.endPart()
	w, err := z.zw.Create(name)
	if err != nil {
		return nil, err
	}
	// Create ended the previous part and wrote this one's local header (30 bytes, the name, no
	// extra field); once flushed, the output's count is where the header ends.
	if err := z.zw.Flush(); err != nil {
		return nil, err
	}
	z.part = &zipPart{ctx: z.ctx, w: w, header: z.out.n - 30 - int64(len(name))}
	return z.part, nil
}

func (z *directZip) AddFS(fsys fs.FS) error { return z.zw.AddFS(fsys) }

// Close ends the zip: the central directory goes out after the last part.
func (z *directZip) Close() error {
	z.endPart()
	return z.zw.Close()
}

func (z *directZip) endPart() {
	if z.part != nil && z.part.n > z.limit {
		z.big = append(z.big, z.part.header)
	}
	z.part = nil
}

// patch marks the local headers of parts over 4 GiB as ZIP64 (version needed 45), as excelize
// does in its buffer; file is the output the zip was written to from its first byte.
func (z *directZip) patch(file io.WriterAt) error {
	if len(z.big) == 0 {
		return nil
	}
	if file == nil {
		return errors.New("a sheet is over 4 GiB and the output cannot be patched")
	}
	for _, at := range z.big {
		if _, err := file.WriteAt([]byte{45, 0}, at+4); err != nil {
			return err
		}
	}
	return nil
}

// zipPart is one part being written: it counts its bytes and fails once ctx is done.
type zipPart struct {
	ctx    context.Context
	w      io.Writer
	header int64
	n      int64
}

func (p *zipPart) Write(b []byte) (int, error) {
	if err := p.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := p.w.Write(b)
	p.n += int64(n)
	return n, err
}

// ctxWriter fails every write once ctx is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// columnWidths sizes each column for its longest value: text columns by longest (the store's
// cheap queries over small tables, or a typed dataset's rows), typed columns by a known width.
func columnWidths(longest map[string]int, cols []exportColumn) []float64 {
	out := make([]float64, len(cols))
	for i, c := range cols {
		w := float64(len(c.title)) + 4 // room for the filter button
		switch c.kind {
		case kindTime:
			w = max(w, 17)
		case kindDate:
			w = max(w, 11)
		case kindMoney:
			w = max(w, 13)
		case kindID, kindInt:
			w = max(w, 9)
		}
		if n, ok := longest[c.key]; ok {
			w = max(w, float64(n)+2)
		}
		out[i] = min(w, 60)
	}
	return out
}

func (e *xlsxEncoder) begin() error {
	if err := e.styles(); err != nil {
		return err
	}
	return e.startSheet()
}

// styles creates the style ids once; every cell of a column reuses its column's id.
func (e *xlsxEncoder) styles() error {
	var err error
	newStyle := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = e.f.NewStyle(s)
		return id
	}
	e.header = newStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	e.text = newStyle(&excelize.Style{NumFmt: fmtText})
	dateFmt, timeFmt := fmtDate, fmtTime
	e.date = newStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	e.stamp = newStyle(&excelize.Style{CustomNumFmt: &timeFmt})
	return err
}

// moneyStyle is the currency number format for a currency, created on first use.
func (e *xlsxEncoder) moneyStyle(currency string) (int, error) {
	if id, ok := e.money[currency]; ok {
		return id, nil
	}
	numFmt := moneyNumFmt(currency)
	id, err := e.f.NewStyle(&excelize.Style{CustomNumFmt: &numFmt})
	if err != nil {
		return 0, err
	}
	e.money[currency] = id
	return id, nil
}

// moneyNumFmt is the Excel number format of a currency's amounts, e.g. "$"#,##0.00 for USD.
func moneyNumFmt(currency string) string {
	symbol, digits := currencyFormat(currency)
	numFmt := "#,##0"
	if symbol != "" {
		numFmt = `"` + symbol + `"` + numFmt
	}
	if digits > 0 {
		numFmt += "." + strings.Repeat("0", digits)
	}
	return numFmt
}

// currencyFormat is the symbol and digits of the money number format. A code that is not three
// capital letters (a store synced before the client checked them) gets no symbol: it is pasted
// between quotes into the number format, where a quote would break out of the literal.
func currencyFormat(currency string) (symbol string, digits int) {
	info, ok := currencyInfo[strings.ToUpper(currency)]
	switch {
	case ok:
		return info.symbol, info.digits
	case !data.ValidCurrency(currency):
		return "", 2
	}
	return currency + " ", 2
}

// sheetName is the n-th data sheet's name: "Appointments", "Appointments (2)", …
func (e *xlsxEncoder) sheetName(n int) string {
	if n == 1 {
		return e.ds.title
	}
	return fmt.Sprintf("%s (%d)", e.ds.title, n)
}

// startSheet opens the next data sheet: widths and frozen pane first (the stream writer needs
// them before any row), then the bold header.
func (e *xlsxEncoder) startSheet() error {
	e.sheetNo++
	e.sheet, e.inSheet = e.sheetName(e.sheetNo), 0
	var err error
	if e.sheetNo == 1 {
		err = e.f.SetSheetName("Sheet1", e.sheet)
	} else {
		_, err = e.f.NewSheet(e.sheet)
	}
	if err != nil {
		return err
	}
	if e.sw, err = e.f.NewStreamWriter(e.sheet); err != nil {
		return err
	}
	for i, w := range e.widths {
		if err := e.sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := e.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, c := range e.cols {
		e.cells[i] = excelize.Cell{StyleID: e.header, Value: c.title}
		e.vals[i] = e.cells[i]
	}
	return e.sw.SetRow("A1", e.vals)
}

// endSheet adds the table that gives the sheet its autofilter, then flushes the sheet.
func (e *xlsxEncoder) endSheet() error {
	last, err := excelize.CoordinatesToCellName(len(e.cols), e.inSheet+1)
	if err != nil {
		return err
	}
	name := strings.ReplaceAll(e.ds.title, " ", "_")
	if e.sheetNo > 1 {
		name += strconv.Itoa(e.sheetNo)
	}
	stripes := true
	if err := e.sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: name, StyleName: "TableStyleLight9", ShowRowStripes: &stripes}); err != nil {
		return err
	}
	if err := e.sw.Flush(); err != nil {
		return err
	}
	releaseChunkBuffer(e.sw)
	return nil
}

// releaseChunkBuffer frees the in-memory chunk a flushed sheet's StreamWriter keeps. The writer
// gathers a sheet's XML in a bytes.Buffer that it empties into a temporary file each time it
// passes 16 MB, and the workbook holds every sheet's writer until it is zipped; Reset keeps the
// buffer's capacity, so each finished sheet of a split export would keep about 20 MB, and a
// 10-million-row export (ten sheets) 200 MB. excelize v2.11.0 has no call to drop it, so this
// replaces the empty buffer by reflection, only when its data has gone to the temporary file
// (tmp set, nothing left in the buffer); any other shape of the writer is left alone.
func releaseChunkBuffer(sw *excelize.StreamWriter) {
	raw := reflect.ValueOf(sw).Elem().FieldByName("rawData")
	if !raw.IsValid() || raw.Kind() != reflect.Struct {
		return
	}
	tmp, buf := raw.FieldByName("tmp"), raw.FieldByName("buf")
	if !tmp.IsValid() || tmp.Kind() != reflect.Pointer || tmp.IsNil() || !buf.IsValid() || buf.Type() != reflect.TypeFor[bytes.Buffer]() {
		return
	}
	b := (*bytes.Buffer)(unsafe.Pointer(buf.UnsafeAddr()))
	if b.Len() == 0 {
		*b = bytes.Buffer{}
	}
}

func (e *xlsxEncoder) row(cells []cell) error {
	if e.inSheet == e.perSheet {
		if err := e.endSheet(); err != nil {
			return err
		}
		if err := e.startSheet(); err != nil {
			return err
		}
	}
	for i, c := range e.cols {
		v := &cells[i]
		if v.Null {
			e.vals[i] = nil
			continue
		}
		var currency string
		if c.kind == kindMoney {
			currency = e.currencyOf(c, cells)
		}
		cl, err := e.typedCell(c.kind, v, currency)
		if err != nil {
			return err
		}
		// A pointer into the reused cells: a Cell stored in an interface would be copied to
		// the heap, one allocation per cell (13 million at a million appointments).
		e.cells[i] = cl
		e.vals[i] = &e.cells[i]
	}
	e.inSheet++
	ref, err := excelize.CoordinatesToCellName(1, e.inSheet+1)
	if err != nil {
		return err
	}
	return e.sw.SetRow(ref, e.vals)
}

// currencyOf is the currency of a money cell: its currency column's, else the tenant's.
func (e *xlsxEncoder) currencyOf(c exportColumn, cells []cell) string {
	if c.currencyCol >= 0 && !cells[c.currencyCol].Null {
		return cells[c.currencyCol].Text
	}
	return e.meta.Currency
}

// typedCell is the cell for a value: numbers as numbers, instants as Excel serial dates in the
// tenant's zone, money as an amount with the currency's format, identifiers as text.
func (e *xlsxEncoder) typedCell(k kind, v *cell, currency string) (excelize.Cell, error) {
	switch k {
	case kindInt:
		return excelize.Cell{Value: v.Int}, nil
	case kindID:
		return excelize.Cell{StyleID: e.text, Value: strconv.FormatInt(v.Int, 10)}, nil
	case kindCode:
		return excelize.Cell{StyleID: e.text, Value: v.Text}, nil
	case kindMoney:
		id, err := e.moneyStyle(currency)
		_, digits := currencyFormat(currency)
		return excelize.Cell{StyleID: id, Value: minorToMajor(v.Int, digits)}, err
	case kindDate:
		serial, ok := dateSerial(v.Text)
		if !ok {
			return excelize.Cell{Value: v.Text}, nil
		}
		return excelize.Cell{StyleID: e.date, Value: serial}, nil
	case kindTime:
		return excelize.Cell{StyleID: e.stamp, Value: e.clock.serial(v.Int)}, nil
	case kindBool:
		return excelize.Cell{Value: v.Int != 0}, nil
	default:
		return excelize.Cell{Value: v.Text}, nil
	}
}

func minorToMajor(minor int64, digits int) float64 {
	scale := 1.0
	for range digits {
		scale *= 10
	}
	return float64(minor) / scale
}

// dateSerial is the Excel serial of a YYYY-MM-DD date.
func dateSerial(s string) (float64, bool) {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, false
	}
	return float64(d.Unix()/86400 + excelEpochDays), true
}

func (e *xlsxEncoder) end(int64) error {
	if err := e.endSheet(); err != nil {
		return err
	}
	if err := e.aboutSheet(); err != nil {
		return err
	}
	if err := e.properties(); err != nil {
		return err
	}
	e.f.SetActiveSheet(0)
	if err := e.f.Write(e.w); err != nil {
		return err
	}
	if err := e.flusher.Flush(); err != nil {
		return err
	}
	return e.zip.patch(e.file)
}

// properties replaces excelize's document properties (author "xuri", created 2006) with
// Almanac's name and version and the export time, which file managers and Excel's Info pane show.
func (e *xlsxEncoder) properties() error {
	at := e.meta.ExportedAt
	if t, err := time.Parse(time.RFC3339, at); err == nil {
		at = t.UTC().Format(time.RFC3339) // W3CDTF in UTC, as the core properties expect
	}
	title := e.ds.title
	if e.meta.TenantName != "" {
		title += " of " + e.meta.TenantName
	}
	err := e.f.SetDocProps(&excelize.DocProperties{
		Creator: "Almanac", LastModifiedBy: "Almanac", Created: at, Modified: at,
		Title: title, Version: e.meta.AppVersion,
		Description: "Exported by Almanac " + e.meta.AppVersion + " at " + e.meta.ExportedAt + "; see the About sheet.",
	})
	if err != nil {
		return err
	}
	return e.f.SetAppProps(&excelize.AppProperties{Application: "Almanac"})
}

// close releases excelize's temporary files, whether or not the workbook was written.
func (e *xlsxEncoder) close() error { return e.f.Close() }

// aboutSheet writes the metadata the JSON export carries, one field per row.
func (e *xlsxEncoder) aboutSheet() error {
	const about = "About"
	if _, err := e.f.NewSheet(about); err != nil {
		return err
	}
	for i, kv := range metadataRows(e.meta, e.cols) {
		cellRef, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := e.f.SetSheetRow(about, cellRef, &[]any{kv[0], kv[1]}); err != nil {
			return err
		}
	}
	if err := e.f.SetColWidth(about, "A", "A", 22); err != nil {
		return err
	}
	if err := e.f.SetColWidth(about, "B", "B", 90); err != nil {
		return err
	}
	return e.f.SetCellStyle(about, "A1", "A40", e.header)
}

// metadataRows flattens the metadata into label/value pairs for the About sheet.
func metadataRows(m Metadata, cols []exportColumn) [][2]string {
	str := func(p *string, null string) string {
		if p == nil {
			return null
		}
		return *p
	}
	window := "unlimited"
	if m.HistoryWindowDays != nil {
		window = strconv.Itoa(*m.HistoryWindowDays) + " days"
	}
	f := m.Filters
	rows := [][2]string{
		{"dataset", m.Dataset}, {"count", strconv.FormatInt(m.Count, 10)},
		{"exported_at", m.ExportedAt}, {"tenant_id", m.TenantID}, {"tenant_name", m.TenantName},
		{"timezone", m.TimeZone}, {"currency", m.Currency}, {"data_as_of", str(m.DataAsOf, "never synced")},
		{"history_window_days", window}, {"plan", m.Plan}, {"app_version", m.AppVersion},
	}
	add := func(k, v string) {
		if v != "" && v != "0" {
			rows = append(rows, [2]string{"filter " + k, v})
		}
	}
	add("from", f.From)
	add("to", f.To)
	add("days", strconv.Itoa(f.Days))
	add("date_field", f.DateField)
	add("status", f.Status)
	add("service_id", strconv.FormatInt(f.ServiceID, 10))
	add("resource_id", strconv.FormatInt(f.ResourceID, 10))
	if f.Active != nil {
		add("active", strconv.FormatBool(*f.Active))
	}
	add("lapsed_days", strconv.Itoa(f.LapsedDays))
	add("last_visit_before", f.LastVisitBefore)
	rows = append(rows, [2]string{"notes", m.Notes})
	keys := make([]string, len(cols))
	for i, c := range cols {
		keys[i] = c.title + " (" + c.key + ")"
	}
	return append(rows, [2]string{"columns", strings.Join(keys, ", ")})
}
