package reports

import (
	"math"
	"strings"
	"sync"
	"time"

	"github.com/wcharczuk/go-chart/v2/drawing"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// The PDF's charts, drawn as vectors (lines and rectangles) so they print as crisp as the
// page. Each status keeps its screen colour (StatusColor) and gets a dash pattern too, and bars
// carry their labels and values, so every chart reads in black and white.

// pdfDash is each status's line pattern (mm on, mm off…); solid for nil.
var pdfDash = map[data.AppointmentStatus][]float64{
	data.StatusScheduled: {2.4, 1.2},
	data.StatusConfirmed: {0.6, 0.9},
	data.StatusCompleted: nil,
	data.StatusCancelled: {3.2, 1.0, 0.6, 1.0},
	data.StatusNoShow:    {2.4, 0.7, 0.6, 0.7, 0.6, 0.7},
}

// pdfSeries is one line of a line chart.
type pdfSeries struct {
	Name   string
	Color  drawing.Color
	Dash   []float64
	Width  float64
	Values []float64
}

func (p *pdfDoc) color(c drawing.Color) { p.f.SetDrawColor(int(c.R), int(c.G), int(c.B)) }
func (p *pdfDoc) fillC(c drawing.Color) { p.f.SetFillColor(int(c.R), int(c.G), int(c.B)) }

// pdfAccent is the colour of single-series charts, as on screen.
var pdfAccent = accent

// chartTitle prints a chart's title at (x, y).
func (p *pdfDoc) chartTitle(x, y, w float64, s string) {
	p.font(true, 9.5)
	p.text(pdfInk)
	p.f.SetXY(x, y)
	p.f.CellFormat(w, 5, s, "", 0, "L", false, 0, "")
}

// lineChart draws series over dates in the box (x, y, w, h): title, legend, y axis with
// gridlines labelled by yLabel, a few date ticks, then the lines.
func (p *pdfDoc) lineChart(x, y, w, h float64, title string, dates []string, series []pdfSeries, yLabel func(float64) string) {
	f := p.f
	p.chartTitle(x, y, w, title)
	legendH := 0.0
	if len(series) > 1 {
		legendH = p.legend(x, y+6, w, series)
	}
	top := y + 7 + legendH
	maxY := 0.0
	for _, s := range series {
		for _, v := range s.Values {
			maxY = math.Max(maxY, v)
		}
	}
	ticks := pdfTicks(maxY)
	p.font(false, 7)
	labelW := 0.0
	for _, t := range ticks {
		labelW = math.Max(labelW, f.GetStringWidth(yLabel(t)))
	}
	px, pw := x+labelW+2, w-labelW-3
	py, ph := top+2, y+h-top-8
	top2 := ticks[len(ticks)-1]
	yOf := func(v float64) float64 { return py + ph - v/top2*ph }
	p.grid(x, px, pw, ticks, yOf, yLabel)
	n := 0
	if len(series) > 0 {
		n = len(series[0].Values)
	}
	xOf := func(i int) float64 {
		if n <= 1 {
			return px + pw/2
		}
		return px + float64(i)*pw/float64(n-1)
	}
	p.dateTicks(dates, xOf, py+ph)
	for _, s := range series {
		p.line(s, xOf, yOf)
	}
	f.SetDashPattern([]float64{}, 0)
	f.SetXY(x, y+h)
}

// grid draws the horizontal gridlines with their labels, right-aligned left of px.
func (p *pdfDoc) grid(x, px, pw float64, ticks []float64, yOf func(float64) float64, yLabel func(float64) string) {
	f := p.f
	f.SetLineWidth(0.15)
	p.draw([3]int{0xdd, 0xdd, 0xdd})
	p.font(false, 7)
	p.text(pdfMuted)
	for _, t := range ticks {
		yy := yOf(t)
		f.Line(px, yy, px+pw, yy)
		f.SetXY(x, yy-1.8)
		f.CellFormat(px-x-1.5, 3.6, yLabel(t), "", 0, "R", false, 0, "")
	}
	p.draw(pdfMuted)
	f.SetLineWidth(0.25)
	f.Line(px, yOf(0), px+pw, yOf(0))
}

// dateTicks labels about 8 of the dates under the axis at y.
func (p *pdfDoc) dateTicks(dates []string, xOf func(int) float64, y float64) {
	f := p.f
	p.font(false, 7)
	p.text(pdfMuted)
	step := max(1, (len(dates)+7)/8)
	for i := 0; i < len(dates); i += step {
		label := dates[i]
		if d, err := time.Parse(data.DateLayout, dates[i]); err == nil {
			label = d.Format("Jan 2")
			if len(dates) > 200 {
				label = d.Format("Jan 2 '06")
			}
		}
		lw := f.GetStringWidth(label)
		f.Line(xOf(i), y, xOf(i), y+0.8)
		f.SetXY(xOf(i)-lw/2-1, y+1)
		f.CellFormat(lw+2, 3.6, label, "", 0, "C", false, 0, "")
	}
	p.text(pdfInk)
}

// line draws one series as a path in its colour and dash pattern.
func (p *pdfDoc) line(s pdfSeries, xOf func(int) float64, yOf func(float64) float64) {
	f := p.f
	if len(s.Values) == 0 {
		return
	}
	p.color(s.Color)
	f.SetLineWidth(nonZero(s.Width, 0.45))
	f.SetDashPattern(dashOr(s.Dash), 0)
	f.SetLineJoinStyle("round")
	f.MoveTo(xOf(0), yOf(s.Values[0]))
	for i, v := range s.Values[1:] {
		f.LineTo(xOf(i+1), yOf(v))
	}
	if len(s.Values) == 1 { // one day: a short mark, so it shows
		f.LineTo(xOf(0)+0.01, yOf(s.Values[0]))
	}
	f.DrawPath("D")
	f.SetDashPattern([]float64{}, 0)
}

func dashOr(d []float64) []float64 {
	if d == nil {
		return []float64{}
	}
	return d
}

func nonZero(v, dflt float64) float64 {
	if v == 0 {
		return dflt
	}
	return v
}

// legend draws one sample line and name per series across w, wrapping; it returns its height.
func (p *pdfDoc) legend(x, y, w float64, series []pdfSeries) float64 {
	f := p.f
	p.font(false, 7.5)
	cx, cy := x, y
	for _, s := range series {
		iw := 9 + f.GetStringWidth(s.Name) + 5
		if cx+iw > x+w && cx > x {
			cx, cy = x, cy+4
		}
		p.color(s.Color)
		f.SetLineWidth(nonZero(s.Width, 0.45) + 0.2)
		f.SetDashPattern(dashOr(s.Dash), 0)
		f.Line(cx, cy+2, cx+7.5, cy+2)
		f.SetDashPattern([]float64{}, 0)
		p.text(pdfInk)
		f.SetXY(cx+8, cy)
		f.CellFormat(iw-8, 4, s.Name, "", 0, "L", false, 0, "")
		cx += iw
	}
	return cy - y + 4
}

// pdfTicks are 0 and four more round steps reaching at least maxY.
func pdfTicks(maxY float64) []float64 {
	step := niceStep(maxY / 4)
	out := make([]float64, 5)
	for i := range out {
		out[i] = float64(i) * step
	}
	return out
}

// niceStep is the smallest of 1, 2, 2.5 or 5 times a power of ten that is at least x (1 for x ≤ 0).
func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	pow := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*pow >= x*(1-1e-9) {
			if m*pow < 1 {
				return 1 // counts: whole steps
			}
			return m * pow
		}
	}
	return 10 * pow
}

// pdfBar is one bar of a bar chart, labelled by name and value.
type pdfBar struct {
	Label string
	Value float64
	Text  string // the value as printed
	Color drawing.Color
}

// barChart draws horizontal bars in the box at (x, y) of width w: a label column, the bar and
// its value printed at its end, so it reads without colour. It returns the y under it.
func (p *pdfDoc) barChart(x, y, w float64, title string, bars []pdfBar) float64 {
	const bh, gap = 4.2, 1.6
	f := p.f
	p.chartTitle(x, y, w, title)
	y += 7
	p.font(false, 7.5)
	labelW, textW, maxV := 0.0, 0.0, 0.0
	for _, b := range bars {
		labelW = math.Max(labelW, f.GetStringWidth(b.Label))
		textW = math.Max(textW, f.GetStringWidth(b.Text))
		maxV = math.Max(maxV, b.Value)
	}
	labelW = math.Min(labelW+1.5, w*0.4)
	bx, bw := x+labelW+1, w-labelW-textW-3
	if len(bars) == 0 {
		p.caption(x, w, "Nothing in this period.")
		return f.GetY()
	}
	for i, b := range bars {
		yy := y + float64(i)*(bh+gap)
		p.text(pdfInk)
		p.font(false, 7.5)
		f.SetXY(x, yy)
		f.CellFormat(labelW, bh, p.fit(b.Label, labelW-1), "", 0, "R", false, 0, "")
		l := 0.0
		if maxV > 0 {
			l = b.Value / maxV * bw
		}
		if l > 0 {
			p.fillC(b.Color)
			p.draw(pdfInk)
			f.SetLineWidth(0.15)
			f.Rect(bx, yy+0.3, l, bh-0.6, "FD")
		}
		f.SetXY(bx+l+0.5, yy)
		f.CellFormat(textW+2, bh, b.Text, "", 0, "L", false, 0, "")
	}
	p.draw(pdfMuted)
	f.SetLineWidth(0.25)
	end := y + float64(len(bars))*(bh+gap)
	f.Line(bx, y-0.5, bx, end-gap+0.5)
	f.SetXY(x, end)
	return end
}

// columnChart draws vertical bars over dates in the box (x, y, w, h), for short periods.
func (p *pdfDoc) columnChart(x, y, w, h float64, title string, dates []string, values []float64, c drawing.Color, yLabel func(float64) string) {
	f := p.f
	p.chartTitle(x, y, w, title)
	maxY := 0.0
	for _, v := range values {
		maxY = math.Max(maxY, v)
	}
	ticks := pdfTicks(maxY)
	p.font(false, 7)
	labelW := 0.0
	for _, t := range ticks {
		labelW = math.Max(labelW, f.GetStringWidth(yLabel(t)))
	}
	px, pw := x+labelW+2, w-labelW-3
	py, ph := y+9, h-17
	topV := ticks[len(ticks)-1]
	yOf := func(v float64) float64 { return py + ph - v/topV*ph }
	p.grid(x, px, pw, ticks, yOf, yLabel)
	n := max(1, len(values))
	slot := pw / float64(n)
	xOf := func(i int) float64 { return px + (float64(i)+0.5)*slot }
	p.fillC(c)
	p.draw(pdfInk)
	f.SetLineWidth(0.1)
	for i, v := range values {
		if v > 0 {
			f.Rect(xOf(i)-slot*0.35, yOf(v), slot*0.7, yOf(0)-yOf(v), "FD")
		}
	}
	p.dateTicks(dates, xOf, py+ph)
	f.SetXY(x, y+h)
}

// countLabel prints an axis count.
func countLabel(v float64) string { return data.Thousands(int64(math.Round(v))) }

// isoRange is two YYYY-MM-DD dates in the screens' words.
func isoRange(from, to string) string {
	return license.FormatISODate(from) + " – " + license.FormatISODate(to)
}

// pdfGlyphs reports whether Go Regular has a glyph for r.
var pdfGlyphs = sync.OnceValue(func() func(rune) bool {
	f, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		return func(rune) bool { return true }
	}
	return func(r rune) bool {
		var b sfnt.Buffer
		i, err := f.GlyphIndex(&b, r)
		return err == nil && i != 0
	}
})

// pdfMoney is FormatMoney with the ISO code in place of a symbol the font lacks ("INR 1,234.50"
// rather than a blank for ₹).
func pdfMoney(minor int64, currency string) string {
	s := FormatMoney(minor, currency)
	info, ok := currencyInfo[strings.ToUpper(currency)]
	if !ok {
		return s
	}
	for _, r := range info.symbol {
		if !pdfGlyphs()(r) {
			return strings.Replace(s, info.symbol, strings.ToUpper(currency)+" ", 1)
		}
	}
	return s
}

// pdfCompareDash is the comparison period's line pattern (mm on, mm off), in comparisonColor.
var pdfCompareDash = []float64{1.8, 1.2}

// comparedPDFSeries is a compared daily chart's two lines: the period's (solid, the accent) and
// the comparison's (dashed, grey), aligned by day offset, each named by its dates in words.
func comparedPDFSeries(curName string, cur []float64, prevName string, prev []float64) []pdfSeries {
	return []pdfSeries{
		{Name: curName, Color: pdfAccent, Width: 0.5, Values: cur},
		{Name: prevName, Color: comparisonColor, Dash: pdfCompareDash, Width: 0.5, Values: AlignByOffset(len(cur), prev)},
	}
}

// comparedLines is the compared daily chart's lines and title for values over from..to beside
// the comparison's prev over its own dates; a long period draws 7-day averages, as the
// single-period charts do.
func comparedLines(title, from, to string, values []float64, cp Period, prev []float64) ([]pdfSeries, string) {
	series := comparedPDFSeries(PeriodWords(from, to), values, PeriodWords(cp.From, cp.To), prev)
	title += ", compared by day of the period"
	if len(values) > pdfDailyTableDays {
		title += " (7-day average)"
		for i := range series {
			series[i].Values = trailingMean(series[i].Values, 7)
		}
	}
	return series, title
}

// comparedApptLines is the appointments document's compared chart, or nil without a comparison.
func (p *pdfDoc) comparedApptLines(a AppointmentAnalytics) ([]pdfSeries, string) {
	c := p.d.Compared
	if c == nil || c.Appointments == nil {
		return nil, ""
	}
	return comparedLines("Daily appointments", a.From, a.To, apptTotals(a.DailyBreakdown), c.Period, apptTotals(c.Appointments.DailyBreakdown))
}

// comparedRevenueLines is the revenue document's compared chart, or nil without a comparison.
func (p *pdfDoc) comparedRevenueLines(r RevenueAnalytics) ([]pdfSeries, string) {
	c := p.d.Compared
	if c == nil || c.Revenue == nil {
		return nil, ""
	}
	return comparedLines("Daily revenue", r.From, r.To, revenueValues(r.DailyBreakdown), c.Period, revenueValues(c.Revenue.DailyBreakdown))
}
