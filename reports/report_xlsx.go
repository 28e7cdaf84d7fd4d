package reports

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/almanac-app/almanac/data"
)

// The Excel report workbook (issue 14): a "Summary" sheet with the headline numbers and their
// definitions, one sheet per table with typed cells, a "Charts" sheet of native Excel charts
// that reference those cells (so an owner can restyle or extend them), and an "About" sheet
// with the provenance. The tables are small (one row per day, status, service or resource), so
// the workbook costs little beside the report itself.

// Sheet names of a report workbook.
const (
	sheetSummary    = "Summary"
	sheetCharts     = "Charts"
	sheetByDay      = "By day"
	sheetByStatus   = "By status"
	sheetByService  = "By service"
	sheetByResource = "By resource"
	sheetAbout      = "About"
)

// Number formats of the report workbook beyond the dataset exports' ones.
const (
	fmtCount   = "#,##0"
	fmtPercent = "0.00%"
	fmtDecimal = "#,##0.00"
	fmtHour    = `00":00"` // a peak hour of 14 shows as 14:00 and stays the number 14
	fmtAxisDay = "mmm d"
)

// chartTopServices is how many services the by-service chart shows (the screen's top 10).
const chartTopServices = 10

// WriteReportXLSX writes d as an Excel workbook to w. Every number is a typed cell taken from
// the report d carries, the same values its JSON prints; sections the plan leaves out are
// named with the plan that adds them instead of numbers.
func WriteReportXLSX(w io.Writer, d Document) error {
	b, err := newReportBook(d)
	if err != nil {
		return fmt.Errorf("excel report: %w", err)
	}
	defer b.f.Close()
	if err := b.build(); err != nil {
		return fmt.Errorf("excel report: %w", err)
	}
	if err := b.f.Write(w); err != nil {
		return fmt.Errorf("excel report: %w", err)
	}
	return nil
}

// colKind is how a table column's values become cells.
type colKind int

const (
	colText    colKind = iota // a string
	colID                     // an int64 id, as text like the dataset exports' ids
	colCount                  // an int64 count
	colMoney                  // int64 minor units of the workbook's currency
	colPercent                // a float64 percent (12.5 is 12.5 %), as the fraction 0.125
	colDate                   // a YYYY-MM-DD local date, as an Excel date
	colDecimal                // a float64 with 2 decimals
	colHour                   // an int hour of the day
)

// tableCol is one column of a table sheet.
type tableCol struct {
	title string
	kind  colKind
}

// bookTable is one table sheet: a bold frozen header, typed rows, an autofilter.
type bookTable struct {
	sheet, name string // the sheet's name and the Excel table's (no spaces)
	cols        []tableCol
	rows        [][]any
	colorScale  bool // shade the numbers (every column but the first) by a colour scale; small tables only
}

// ref is an absolute reference to rows first..last (1-based data rows) of column col (0-based)
// of the table's sheet, e.g. 'By day'!$B$2:$B$31; a header reference when first is 0.
func (t *bookTable) ref(col, first, last int) string {
	c, _ := excelize.ColumnNumberToName(col + 1)
	r := func(row int) string { return fmt.Sprintf("$%s$%d", c, row+1) }
	if first == last {
		return quoteSheet(t.sheet) + "!" + r(first)
	}
	return quoteSheet(t.sheet) + "!" + r(first) + ":" + r(last)
}

// quoteSheet quotes a sheet name for a formula reference.
func quoteSheet(name string) string { return "'" + strings.ReplaceAll(name, "'", "''") + "'" }

// bookStyles are the workbook's style ids, made once.
type bookStyles struct {
	title, header, label, text, wrap, note, line, top int
	date, count, percent, decimal, hour, money        int
	changePct, changePts, changeNone                  int // changes, left under the Definition heading
}

// reportBook builds one workbook.
type reportBook struct {
	f        *excelize.File
	d        Document
	currency string
	st       bookStyles
	named    bool // the first sheet has replaced "Sheet1"
}

func newReportBook(d Document) (*reportBook, error) {
	if d.reportsSet() != 1 {
		return nil, errors.New("the document carries no report, or more than one")
	}
	b := &reportBook{f: excelize.NewFile(), d: d, currency: d.Tenant.Currency}
	if c := docCurrency(d); c != "" {
		b.currency = c
	}
	if err := b.styles(); err != nil {
		b.f.Close()
		return nil, err
	}
	return b, nil
}

// docCurrency is the currency the document's report names, "" when it names none.
func docCurrency(d Document) string {
	switch {
	case d.Revenue != nil:
		return d.Revenue.Currency
	case d.Customers != nil:
		return d.Customers.Currency
	case d.Staff != nil:
		return d.Staff.Currency
	}
	return ""
}

// styles makes the style ids every cell reuses.
func (b *reportBook) styles() error {
	var err error
	style := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = b.f.NewStyle(s)
		return id
	}
	// A font without a name is drawn in a serif face by LibreOffice: name the workbook's own.
	family, ferr := b.f.GetDefaultFont()
	if ferr != nil {
		return ferr
	}
	font := func(f excelize.Font) *excelize.Font { f.Family = family; return &f }
	// Numbers sit at the top of their row, beside a definition that may wrap onto more lines.
	top := &excelize.Alignment{Vertical: "top"}
	custom := func(f string) *excelize.Style { return &excelize.Style{CustomNumFmt: &f, Alignment: top} }
	b.st = bookStyles{
		title:   style(&excelize.Style{Font: font(excelize.Font{Bold: true, Size: 14})}),
		header:  style(&excelize.Style{Font: font(excelize.Font{Bold: true, Size: 11})}),
		label:   style(&excelize.Style{Font: font(excelize.Font{Bold: true, Size: 11}), Alignment: top}),
		text:    style(&excelize.Style{NumFmt: fmtText}),
		wrap:    style(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}),
		top:     style(&excelize.Style{Alignment: top}),
		line:    style(&excelize.Style{Font: font(excelize.Font{Italic: true, Size: 11, Color: "555555"})}),
		note:    style(&excelize.Style{Font: font(excelize.Font{Italic: true, Size: 11, Color: "555555"}), Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}),
		date:    style(custom(fmtDate)),
		count:   style(custom(fmtCount)),
		percent: style(custom(fmtPercent)),
		decimal: style(custom(fmtDecimal)),
		hour:    style(custom(fmtHour)),
		money:   style(custom(moneyNumFmt(b.currency))),
	}
	left := &excelize.Alignment{Vertical: "top", Horizontal: "left"}
	change := func(f string) *excelize.Style { return &excelize.Style{CustomNumFmt: &f, Alignment: left} }
	b.st.changePct = style(change(`+0.00%;-0.00%;0.00%`))
	b.st.changePts = style(change(`+0.00" pts";-0.00" pts";0.00" pts"`))
	b.st.changeNone = style(&excelize.Style{Alignment: left})
	return err
}

// build lays out the sheets of the document's report, then the About sheet and the properties.
func (b *reportBook) build() error {
	var err error
	switch {
	case b.d.Appointments != nil:
		err = b.appointments(b.d.Appointments)
	case b.d.Revenue != nil:
		err = b.revenue(b.d.Revenue)
	case b.d.Customers != nil:
		err = b.customers(b.d.Customers)
	case b.d.Staff != nil:
		err = b.staff(b.d.Staff)
	default:
		err = b.dashboard(b.d.Dashboard)
	}
	if err != nil {
		return err
	}
	if err := b.about(); err != nil {
		return err
	}
	if err := b.properties(); err != nil {
		return err
	}
	b.f.SetActiveSheet(0)
	return nil
}

// newSheet adds a sheet; the first one takes the place of excelize's "Sheet1".
func (b *reportBook) newSheet(name string) error {
	if !b.named {
		b.named = true
		return b.f.SetSheetName("Sheet1", name)
	}
	_, err := b.f.NewSheet(name)
	return err
}

// writeTable writes t on its own sheet with the stream writer: fitted widths and the frozen
// header first (the stream writer needs them before any row), then the rows and a table that
// gives the autofilter.
func (b *reportBook) writeTable(t *bookTable) error {
	if t.colorScale {
		return b.writeShadedTable(t) // a conditional format does not survive the stream writer
	}
	if err := b.newSheet(t.sheet); err != nil {
		return err
	}
	sw, err := b.f.NewStreamWriter(t.sheet)
	if err != nil {
		return err
	}
	for i, w := range t.widths() {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	row := make([]any, len(t.cols))
	for i, c := range t.cols {
		row[i] = excelize.Cell{StyleID: b.st.header, Value: c.title}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return err
	}
	for r, vals := range t.rows {
		for i, c := range t.cols {
			row[i] = b.typedCell(c.kind, vals[i])
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", r+2), row); err != nil {
			return err
		}
	}
	// A table needs a row under its header (Excel repairs a header-only one): an empty table
	// keeps one blank row.
	last, _ := excelize.CoordinatesToCellName(len(t.cols), max(len(t.rows), 1)+1)
	stripes := true
	if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: t.name, StyleName: "TableStyleLight9", ShowRowStripes: &stripes}); err != nil {
		return err
	}
	return sw.Flush()
}

// widths fits each column to its title and longest value.
func (t *bookTable) widths() []float64 {
	out := make([]float64, len(t.cols))
	for i, c := range t.cols {
		w := float64(utf8.RuneCountInString(c.title)) + 4 // room for the filter button
		switch c.kind {
		case colDate:
			w = max(w, 12)
		case colMoney:
			w = max(w, 14)
		case colCount, colPercent, colDecimal, colID, colHour:
			w = max(w, 10)
		}
		for _, r := range t.rows {
			if s, ok := r[i].(string); ok && c.kind == colText {
				w = max(w, float64(utf8.RuneCountInString(s))+2)
			}
		}
		out[i] = min(w, 60)
	}
	return out
}

// typedCell is the cell of a value of kind k.
func (b *reportBook) typedCell(k colKind, v any) excelize.Cell {
	switch k {
	case colID:
		n, _ := v.(int64)
		return excelize.Cell{StyleID: b.st.text, Value: fmt.Sprint(n)}
	case colCount:
		return excelize.Cell{StyleID: b.st.count, Value: v}
	case colMoney:
		n, _ := v.(int64)
		_, digits := currencyFormat(b.currency)
		return excelize.Cell{StyleID: b.st.money, Value: minorToMajor(n, digits)}
	case colPercent:
		p, _ := v.(float64)
		return excelize.Cell{StyleID: b.st.percent, Value: p / 100}
	case colDate:
		s, _ := v.(string)
		if serial, ok := dateSerial(s); ok {
			return excelize.Cell{StyleID: b.st.date, Value: serial}
		}
		return excelize.Cell{Value: s}
	case colDecimal:
		return excelize.Cell{StyleID: b.st.decimal, Value: v}
	case colHour:
		return excelize.Cell{StyleID: b.st.hour, Value: v}
	default:
		return excelize.Cell{Value: v}
	}
}

// properties sets the document properties Excel's Info pane and file managers show.
func (b *reportBook) properties() error {
	p := b.d.Provenance
	title := p.Report + " report"
	if p.Business != "" {
		title += " of " + p.Business
	}
	at := b.generatedAt().UTC().Format(time.RFC3339)
	err := b.f.SetDocProps(&excelize.DocProperties{
		Creator: "Almanac", LastModifiedBy: "Almanac", Created: at, Modified: at,
		Title: title, Subject: p.Period, Version: p.Version, Category: "Report",
		Description: "Made by Almanac " + p.Version + "; see the About sheet for what it covers.",
	})
	if err != nil {
		return err
	}
	return b.f.SetAppProps(&excelize.AppProperties{Application: "Almanac"})
}

// generatedAt reads Provenance.Generated (in the tenant's zone); the dashboard's computation
// time, else now, when it is not a time written in one of the usual layouts.
func (b *reportBook) generatedAt() time.Time {
	loc := b.d.Tenant.Location()
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "Jan 2, 2006 15:04", "Jan 2, 2006 3:04 PM", "January 2, 2006 15:04"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(b.d.Generated), loc); err == nil {
			return t
		}
	}
	if b.d.Dashboard != nil && !b.d.Dashboard.ComputedAt.IsZero() {
		return b.d.Dashboard.ComputedAt
	}
	return time.Now()
}

// statusColorHex is a status's chart colour as Excel's RRGGBB.
func statusColorHex(st data.AppointmentStatus) string {
	c := StatusColor(st)
	return fmt.Sprintf("%02X%02X%02X", c.R, c.G, c.B)
}

// accentHex is the colour of single-series charts, as on screen.
func accentHex() string { return fmt.Sprintf("%02X%02X%02X", accent.R, accent.G, accent.B) }
