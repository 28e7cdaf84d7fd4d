package reports

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// The PDF of a report document (issue 14): the page frame (header with the business name,
// footer with the period and "Page N of M"), the provenance block, cards, tables and notes.
// The three reports' pages are in pdf_reports.go, the vector charts in pdf_charts.go. Text is
// set in Go's own TrueType fonts, embedded (subset), so Latin-extended, Greek and Cyrillic
// names print; CJK and other scripts are not covered by them.

const (
	pdfFont    = "go"
	pdfMargin  = 15.0 // left, right and top of the body, mm
	pdfBottom  = 16.0 // space kept for the footer, mm
	pdfHeaderY = 8.0  // baseline area of the running header, mm
)

// WritePDF renders d as a PDF on d.Paper (DefaultPaper of the tenant's zone when empty).
// Every number comes from d as computed; locked sections name the plan that adds them.
func WritePDF(w io.Writer, d Document) error {
	if err := d.checkRender(); err != nil {
		return err
	}
	// Two passes: the first counts the pages, the second prints "Page N of M" with the count.
	first, err := renderPDF(d, 0)
	if err != nil {
		return err
	}
	doc, err := renderPDF(d, first.f.PageCount())
	if err != nil {
		return err
	}
	if err := doc.f.Output(w); err != nil {
		return fmt.Errorf("write the PDF: %w", err)
	}
	return nil
}

// checkRender refuses a document with no report, or more than one, or an unknown paper.
func (d Document) checkRender() error {
	if d.reportsSet() != 1 {
		return errors.New("report document: exactly one of dashboard, appointments, revenue, customers and staff must be set")
	}
	if p := d.paper(); p != PaperA4 && p != PaperLetter {
		return fmt.Errorf("report document: paper %q is not a4 or letter", p)
	}
	return nil
}

// paper is the document's paper, defaulting from the tenant's zone.
func (d Document) paper() Paper {
	if d.Paper == "" {
		return DefaultPaper(d.Tenant.TimeZone)
	}
	return Paper(strings.ToLower(string(d.Paper)))
}

// business is the name printed in the header.
func (d Document) business() string {
	if d.Business != "" {
		return d.Business
	}
	return d.Tenant.Name
}

// pdfDoc is one rendering pass over a document.
type pdfDoc struct {
	f     *fpdf.Fpdf
	d     Document
	total int     // pages of the finished document; 0 on the counting pass
	pw    float64 // page width, mm
	ph    float64 // page height, mm
	cw    float64 // content width, mm
	// heatPage and heatY are the page and top of the busy-hours grid, for the tests.
	heatPage int
	heatY    float64
}

// renderPDF lays the whole document out once.
func renderPDF(d Document, total int) (*pdfDoc, error) {
	size := "A4"
	if d.paper() == PaperLetter {
		size = "Letter"
	}
	f := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: size})
	f.AddUTF8FontFromBytes(pdfFont, "", goregular.TTF)
	f.AddUTF8FontFromBytes(pdfFont, "B", gobold.TTF)
	f.SetMargins(pdfMargin, pdfMargin+4, pdfMargin)
	f.SetAutoPageBreak(true, pdfBottom+2)
	f.SetCellMargin(0.8)
	report := d.reportName()
	f.SetTitle(d.business()+" – "+report, true)
	f.SetAuthor(d.business(), true)
	f.SetCreator("Almanac "+d.Version, true)
	f.SetSubject(report+" report", true)
	p := &pdfDoc{f: f, d: d, total: total}
	p.pw, p.ph = f.GetPageSize()
	p.cw = p.pw - 2*pdfMargin
	f.SetHeaderFunc(p.header)
	f.SetFooterFunc(p.footer)
	switch {
	case d.Dashboard != nil:
		p.dashboard(*d.Dashboard)
	case d.Appointments != nil:
		p.appointments(*d.Appointments)
	case d.Customers != nil:
		p.customers(*d.Customers)
	case d.Staff != nil:
		p.staff(*d.Staff)
	default:
		p.revenue(*d.Revenue)
	}
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("lay out the PDF: %w", err)
	}
	return p, nil
}

// reportName is "Dashboard", "Appointments", "Revenue", "Customers" or "Staff".
func (d Document) reportName() string {
	if d.Provenance.Report != "" {
		return d.Provenance.Report
	}
	switch {
	case d.Dashboard != nil:
		return "Dashboard"
	case d.Appointments != nil:
		return "Appointments"
	case d.Customers != nil:
		return "Customers"
	case d.Staff != nil:
		return "Staff"
	}
	return "Revenue"
}

// The colours of the page, besides the statuses'.
var (
	pdfInk    = [3]int{0x22, 0x22, 0x22}
	pdfMuted  = [3]int{0x66, 0x66, 0x66}
	pdfRule   = [3]int{0xbb, 0xbb, 0xbb}
	pdfShade  = [3]int{0xf2, 0xf3, 0xf5}
	pdfHeadBg = [3]int{0xe4, 0xe7, 0xeb}
)

func (p *pdfDoc) text(c [3]int) { p.f.SetTextColor(c[0], c[1], c[2]) }
func (p *pdfDoc) fill(c [3]int) { p.f.SetFillColor(c[0], c[1], c[2]) }
func (p *pdfDoc) draw(c [3]int) { p.f.SetDrawColor(c[0], c[1], c[2]) }
func (p *pdfDoc) font(bold bool, size float64) {
	style := ""
	if bold {
		style = "B"
	}
	p.f.SetFont(pdfFont, style, size)
}

// header prints the business name and the report on every page, over a rule.
func (p *pdfDoc) header() {
	f := p.f
	p.font(true, 9)
	p.text(pdfInk)
	f.SetXY(pdfMargin, pdfHeaderY)
	f.CellFormat(p.cw/2, 5, p.d.business(), "", 0, "L", false, 0, "")
	p.font(false, 9)
	p.text(pdfMuted)
	f.CellFormat(p.cw/2, 5, p.d.reportName()+" report", "", 0, "R", false, 0, "")
	p.draw(pdfRule)
	f.SetLineWidth(0.2)
	f.Line(pdfMargin, pdfHeaderY+6, p.pw-pdfMargin, pdfHeaderY+6)
	f.SetXY(pdfMargin, pdfMargin+4)
	p.text(pdfInk)
}

// footer prints the period and "Page N of M" on every page, under a rule.
func (p *pdfDoc) footer() {
	f := p.f
	y := p.ph - pdfBottom + 4
	p.draw(pdfRule)
	f.SetLineWidth(0.2)
	f.Line(pdfMargin, y, p.pw-pdfMargin, y)
	p.font(false, 8)
	p.text(pdfMuted)
	f.SetXY(pdfMargin, y+1)
	f.CellFormat(p.cw*0.75, 5, p.footerPeriod(), "", 0, "L", false, 0, "")
	total := p.total
	if total == 0 {
		total = f.PageNo() // counting pass: any number of the same width will do
	}
	f.CellFormat(p.cw*0.25, 5, fmt.Sprintf("Page %d of %d", f.PageNo(), total), "", 0, "R", false, 0, "")
	p.text(pdfInk)
}

// footerPeriod is the period in words, as the provenance says it.
func (p *pdfDoc) footerPeriod() string {
	if s := p.period(); s != "" {
		return s
	}
	return p.d.reportName()
}

// period is the provenance's period, or the dashboard's month when it has none.
func (p *pdfDoc) period() string {
	if p.d.Period != "" {
		return p.d.Period
	}
	if db := p.d.Dashboard; db != nil && db.Period.StartDate != "" {
		return "This month: " + isoRange(db.Period.StartDate, db.Period.EndDate)
	}
	return ""
}

// bottom is the lowest y the body may use.
func (p *pdfDoc) bottom() float64 { return p.ph - pdfBottom - 2 }

// room starts a new page unless h mm fit below the current position.
func (p *pdfDoc) room(h float64) {
	if p.f.GetY()+h > p.bottom() {
		p.f.AddPage()
	}
}

// title prints the report's title and a line under it.
func (p *pdfDoc) title(title, sub string) {
	f := p.f
	p.font(true, 18)
	p.text(pdfInk)
	f.SetX(pdfMargin)
	f.CellFormat(p.cw, 9, title, "", 1, "L", false, 0, "")
	if sub != "" {
		p.font(false, 10)
		p.text(pdfMuted)
		f.MultiCell(p.cw, 5, sub, "", "L", false)
	}
	f.Ln(2)
	p.text(pdfInk)
}

// heading prints a section heading, starting a page when the heading and need mm below it
// would not fit.
func (p *pdfDoc) heading(s string, need float64) {
	p.room(8 + need)
	f := p.f
	f.Ln(2)
	p.font(true, 12)
	p.text(pdfInk)
	f.SetX(pdfMargin)
	f.CellFormat(p.cw, 6, s, "", 1, "L", false, 0, "")
	f.Ln(1)
}

// caption prints a small muted line, wrapped, at x over width w.
func (p *pdfDoc) caption(x, w float64, s string) {
	p.font(false, 8)
	p.text(pdfMuted)
	p.f.SetX(x)
	p.f.MultiCell(w, 3.8, s, "", "L", false)
	p.text(pdfInk)
}

// provenance prints what the document is: two columns of labelled lines in a shaded box.
func (p *pdfDoc) provenance() {
	d := p.d
	filters := d.Filters
	if filters == "" {
		filters = "None"
	}
	left := [][2]string{{"Business", p.d.business()}, {"Report", d.reportName()}, {"Period", p.period()}, {"Filters", filters}}
	right := [][2]string{{"Time zone", d.TimeZone}, {"Data", d.DataAsOf}, {"Plan", d.Plan}, {"Almanac", pdfVersion(d.Version, d.Generated)}}
	if right[0][1] == "" {
		right[0][1] = d.Tenant.TimeZone
	}
	f := p.f
	top := f.GetY()
	colW := (p.cw - 4) / 2
	h := max(p.kvBlock(pdfMargin+2, top+2, colW-2, left, true), p.kvBlock(pdfMargin+4+colW, top+2, colW-2, right, true))
	p.fill(pdfShade)
	f.Rect(pdfMargin, top, p.cw, h+4, "F")
	p.kvBlock(pdfMargin+2, top+2, colW-2, left, false)
	p.kvBlock(pdfMargin+4+colW, top+2, colW-2, right, false)
	f.SetXY(pdfMargin, top+h+6)
}

// pdfVersion says which Almanac wrote the document, and when.
func pdfVersion(version, generated string) string {
	if version == "" {
		version = "dev"
	}
	if generated == "" {
		return version
	}
	return version + ", made " + generated
}

// kvBlock prints label/value lines at (x, y) over width w and returns their height; with
// measure set it only measures.
func (p *pdfDoc) kvBlock(x, y, w float64, rows [][2]string, measure bool) float64 {
	const labelW, lh = 20.0, 4.2
	f := p.f
	h := 0.0
	for _, r := range rows {
		p.font(false, 8.5)
		lines := f.SplitText(r[1], w-labelW)
		if len(lines) == 0 {
			lines = []string{"—"}
		}
		if !measure {
			p.text(pdfMuted)
			f.SetXY(x, y+h)
			f.CellFormat(labelW, lh, r[0], "", 0, "L", false, 0, "")
			p.text(pdfInk)
			for i, l := range lines {
				f.SetXY(x+labelW, y+h+float64(i)*lh)
				f.CellFormat(w-labelW, lh, l, "", 0, "L", false, 0, "")
			}
		}
		h += float64(len(lines)) * lh
	}
	return h
}

// pdfCard is one headline number.
type pdfCard struct {
	Label, Value, Note string
	Locked             bool // the value says which plan adds it
}

// cards prints cards in rows of cols, each h mm high.
func (p *pdfDoc) cards(cards []pdfCard, cols int, h float64) {
	const gap = 3.0
	f := p.f
	w := (p.cw - gap*float64(cols-1)) / float64(cols)
	for i := 0; i < len(cards); i += cols {
		p.room(h + gap)
		y := f.GetY()
		for j, c := range cards[i:min(i+cols, len(cards))] {
			p.card(pdfMargin+float64(j)*(w+gap), y, w, h, c)
		}
		f.SetXY(pdfMargin, y+h+gap)
	}
}

func (p *pdfDoc) card(x, y, w, h float64, c pdfCard) {
	f := p.f
	p.fill(pdfShade)
	p.draw(pdfRule)
	f.SetLineWidth(0.2)
	f.Rect(x, y, w, h, "FD")
	p.font(false, 8)
	p.text(pdfMuted)
	f.SetXY(x+1.5, y+1.5)
	f.CellFormat(w-3, 4, c.Label, "", 0, "L", false, 0, "")
	size := 16.0
	if c.Locked {
		size = 10
	}
	p.font(true, size)
	p.text(pdfInk)
	for size > 8 && f.GetStringWidth(c.Value) > w-3 {
		size--
		p.font(true, size)
	}
	f.SetXY(x+1.5, y+6)
	f.CellFormat(w-3, 8, c.Value, "", 0, "L", false, 0, "")
	if c.Note != "" {
		p.font(false, 6.8)
		p.text(pdfMuted)
		lines := f.SplitText(c.Note, w-3)
		for i, l := range lines[:min(len(lines), int((h-15)/3))] {
			f.SetXY(x+1.5, y+14.5+float64(i)*3)
			f.CellFormat(w-3, 3, l, "", 0, "L", false, 0, "")
		}
	}
	p.text(pdfInk)
}

// pdfCol is a table column: its heading, width in mm and alignment ("L" or "R").
type pdfCol struct {
	Head  string
	W     float64
	Align string
}

const pdfRowH = 4.6

// pdfCompactMin is the fewest rows a block of a compact table gets before another block starts.
const pdfCompactMin = 8

// table prints a table at x with a header row, repeating the header on each new page, and
// returns the y under it.
func (p *pdfDoc) table(x float64, cols []pdfCol, rows [][]string) float64 {
	f := p.f
	p.tableHead(x, cols)
	for i, r := range rows {
		if f.GetY()+pdfRowH > p.bottom() {
			f.AddPage()
			p.tableHead(x, cols)
		}
		p.tableRow(x, cols, r, i%2 == 1, 8)
	}
	return f.GetY()
}

func (p *pdfDoc) tableHead(x float64, cols []pdfCol) {
	p.fill(pdfHeadBg)
	p.text(pdfInk)
	p.f.SetX(x)
	for _, c := range cols {
		size := 8.0
		p.font(true, size)
		for size > 6 && p.f.GetStringWidth(c.Head) > c.W-1.6 {
			size -= 0.5
			p.font(true, size)
		}
		p.f.CellFormat(c.W, pdfRowH+0.6, p.fit(c.Head, c.W-1.6), "", 0, c.Align, true, 0, "")
	}
	p.f.Ln(-1)
}

func (p *pdfDoc) tableRow(x float64, cols []pdfCol, r []string, shade bool, size float64) {
	f := p.f
	p.fill(pdfShade)
	p.font(false, size)
	f.SetX(x)
	for i, c := range cols {
		s := ""
		if i < len(r) {
			s = p.fit(r[i], c.W-1.6)
		}
		f.CellFormat(c.W, pdfRowH, s, "", 0, c.Align, shade, 0, "")
	}
	f.Ln(-1)
}

// fit shortens s with an ellipsis until it fits w mm in the current font.
func (p *pdfDoc) fit(s string, w float64) string {
	if p.f.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && p.f.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// tableHeight is the height of a table of n rows, header included.
func tableHeight(n int) float64 { return pdfRowH + 0.6 + float64(n)*pdfRowH }

// pair prints two tables side by side when both fit below, else one under the other.
func (p *pdfDoc) pair(titles [2]string, cols [2][]pdfCol, rows [2][][]string) {
	const gap = 6.0
	need := max(tableHeight(len(rows[0])), tableHeight(len(rows[1]))) + 9
	if p.f.GetY()+need > p.bottom() && need < p.bottom()-pdfMargin-4 {
		p.f.AddPage()
	}
	if p.f.GetY()+need > p.bottom() {
		for i := range 2 {
			p.heading(titles[i], tableHeight(min(len(rows[i]), 3)))
			p.table(pdfMargin, cols[i], rows[i])
		}
		return
	}
	w := (p.cw - gap) / 2
	p.heading(titles[0], 0)
	top := p.f.GetY()
	p.font(true, 12)
	p.f.SetXY(pdfMargin+w+gap, top-7)
	p.f.CellFormat(w, 6, titles[1], "", 0, "L", false, 0, "")
	p.f.SetXY(pdfMargin, top)
	y0 := p.table(pdfMargin, scaleCols(cols[0], w), rows[0])
	p.f.SetXY(pdfMargin+w+gap, top)
	y1 := p.table(pdfMargin+w+gap, scaleCols(cols[1], w), rows[1])
	p.f.SetXY(pdfMargin, max(y0, y1))
}

// scaleCols stretches or shrinks the columns to total w mm.
func scaleCols(cols []pdfCol, w float64) []pdfCol {
	sum := 0.0
	for _, c := range cols {
		sum += c.W
	}
	out := make([]pdfCol, len(cols))
	for i, c := range cols {
		c.W = c.W * w / sum
		out[i] = c
	}
	return out
}

// compact prints a long table of small rows in blocks side by side (blocks of them across
// the page), filling each block top to bottom, page after page.
func (p *pdfDoc) compact(cols []pdfCol, rows [][]string, blocks int) {
	const gap = 3.0
	f := p.f
	cols = p.naturalCols(cols, rows)
	bw := 0.0
	for _, c := range cols {
		bw += c.W
	}
	blocks = min(blocks, (len(rows)+pdfCompactMin-1)/pdfCompactMin) // short tables stay one block
	if blocks < 1 || bw*float64(blocks)+gap*float64(blocks-1) > p.cw {
		blocks = 1
	}
	bw = (p.cw - gap*float64(blocks-1)) / float64(blocks)
	cols = scaleCols(cols, bw)
	for len(rows) > 0 {
		p.room(tableHeight(min(len(rows), 4)))
		top := f.GetY()
		per := int((p.bottom() - top - pdfRowH - 0.6) / pdfRowH)
		if n := (len(rows) + blocks - 1) / blocks; n < per {
			per = n
		}
		bottom := top
		for b := 0; b < blocks && len(rows) > 0; b++ {
			x := pdfMargin + float64(b)*(bw+gap)
			f.SetXY(x, top)
			p.tableHead(x, cols)
			for i, r := range rows[:min(per, len(rows))] {
				p.tableRow(x, cols, r, i%2 == 1, 7)
			}
			bottom = max(bottom, f.GetY())
			rows = rows[min(per, len(rows)):]
		}
		f.SetXY(pdfMargin, bottom)
		if len(rows) > 0 {
			f.AddPage()
		}
	}
}

// naturalCols widens each column to its widest cell (7 pt) and heading (6 pt bold).
func (p *pdfDoc) naturalCols(cols []pdfCol, rows [][]string) []pdfCol {
	out := make([]pdfCol, len(cols))
	for i, c := range cols {
		p.font(true, 6)
		w := p.f.GetStringWidth(c.Head)
		p.font(false, 7)
		for _, r := range rows {
			if i < len(r) {
				w = max(w, p.f.GetStringWidth(r[i]))
			}
		}
		c.W = max(c.W, w+1.7)
		out[i] = c
	}
	return out
}

// notes prints the metric definitions and the locked sections.
func (p *pdfDoc) notes(locked []string) {
	d := p.d
	if len(d.Definitions) == 0 && len(locked) == 0 {
		return
	}
	p.heading("Notes", 12)
	f := p.f
	for _, def := range d.Definitions {
		p.room(8)
		p.font(true, 8.5)
		f.SetX(pdfMargin)
		f.MultiCell(p.cw, 4.2, def.Metric, "", "L", false)
		p.font(false, 8.5)
		f.SetX(pdfMargin + 4)
		f.MultiCell(p.cw-4, 4.2, def.Text, "", "L", false)
		f.Ln(0.8)
	}
	if len(locked) > 0 {
		p.room(8)
		f.Ln(1)
		p.font(true, 8.5)
		f.SetX(pdfMargin)
		f.MultiCell(p.cw, 4.2, "Not in the "+nonEmpty(d.Plan, "current")+" plan", "", "L", false)
		p.font(false, 8.5)
		for _, l := range locked {
			f.SetX(pdfMargin + 4)
			f.MultiCell(p.cw-4, 4.2, "• "+l, "", "L", false)
		}
	}
}

func nonEmpty(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}
