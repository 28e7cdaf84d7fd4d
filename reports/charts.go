package reports

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// Charts are rendered once to PNG bytes; the same bytes serve the screen and --chart FILE.png.
// Each status has one colour in every chart, chosen to read on light and dark backgrounds.

// ChartKind names a chart.
type ChartKind string

// The charts.
const (
	ChartDailyAppointments ChartKind = "daily_appointments"
	ChartByStatus          ChartKind = "by_status"
	ChartByService         ChartKind = "by_service"
	ChartDailyRevenue      ChartKind = "daily_revenue"
)

// ChartOptions sets a chart's pixel size and palette. Zero sizes mean 800×400.
type ChartOptions struct {
	Width, Height int
	Dark          bool
}

func (o ChartOptions) size() (int, int) {
	w, h := o.Width, o.Height
	if w <= 0 {
		w = 800
	}
	if h <= 0 {
		h = 400
	}
	return w, h
}

// StatusColor is the colour of an appointment status in every chart.
func StatusColor(st data.AppointmentStatus) drawing.Color { return statusColors[st] }

var statusColors = map[data.AppointmentStatus]drawing.Color{
	data.StatusScheduled: {R: 0x42, G: 0x85, B: 0xf4, A: 0xff}, // blue
	data.StatusConfirmed: {R: 0x26, G: 0xa6, B: 0x9a, A: 0xff}, // teal
	data.StatusCompleted: {R: 0x66, G: 0xbb, B: 0x44, A: 0xff}, // green
	data.StatusCancelled: {R: 0xef, G: 0x6c, B: 0x3a, A: 0xff}, // orange
	data.StatusNoShow:    {R: 0xab, G: 0x5c, B: 0xd6, A: 0xff}, // purple
}

// accent is the colour of single-series charts (totals, services, revenue).
var accent = drawing.Color{R: 0x3f, G: 0x8c, B: 0xd8, A: 0xff}

// palette is a chart's text, axis, grid and background colours for a theme.
type palette struct{ bg, fg, grid drawing.Color }

func paletteFor(dark bool) palette {
	if dark {
		return palette{bg: drawing.Color{R: 0x1e, G: 0x1f, B: 0x24, A: 0xff}, fg: drawing.Color{R: 0xe8, G: 0xe8, B: 0xea, A: 0xff}, grid: drawing.Color{R: 0x44, G: 0x46, B: 0x4c, A: 0xff}}
	}
	return palette{bg: drawing.ColorWhite, fg: drawing.Color{R: 0x22, G: 0x22, B: 0x22, A: 0xff}, grid: drawing.Color{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff}}
}

func (p palette) text(size float64) chart.Style {
	return chart.Style{FontColor: p.fg, FontSize: size, StrokeColor: p.fg, StrokeWidth: 1}
}

func (p palette) title() chart.Style {
	s := p.text(12)
	s.Padding = chart.Box{Top: 8}
	return s
}

// yAxis starts at zero and leaves headroom above max; a zero max still gives a visible axis.
func (p palette) yAxis(max float64, format chart.ValueFormatter) chart.YAxis {
	top := niceCeil(max * 1.1)
	ticks := make([]chart.Tick, 0, 6)
	for i := 0; i <= 5; i++ {
		v := top * float64(i) / 5
		ticks = append(ticks, chart.Tick{Value: v, Label: format(v)})
	}
	return chart.YAxis{
		Style: p.text(10), Range: &chart.ContinuousRange{Min: 0, Max: top}, Ticks: ticks,
		GridMajorStyle: chart.Style{StrokeColor: p.grid, StrokeWidth: 1},
		GridLines:      gridLines(ticks),
	}
}

func gridLines(ticks []chart.Tick) []chart.GridLine {
	out := make([]chart.GridLine, 0, len(ticks))
	for _, t := range ticks[1:] {
		out = append(out, chart.GridLine{Value: t.Value})
	}
	return out
}

// niceCeil rounds up to 1, 2 or 5 × a power of ten so the 5 tick steps are round; min 5.
func niceCeil(x float64) float64 {
	if x <= 5 {
		return 5
	}
	mag := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= x {
			return m * mag
		}
	}
	return 10 * mag
}

func countFormat(v any) string {
	f, _ := v.(float64)
	return data.Thousands(int64(math.Round(f)))
}

// dateTicks labels at most about 8 of the days (local calendar dates, so never shifted by the
// machine's zone).
func dateTicks(dates []string) []chart.Tick {
	step := max(1, (len(dates)+7)/8)
	var out []chart.Tick
	for i := 0; i < len(dates); i += step {
		d, err := time.Parse(data.DateLayout, dates[i])
		label := dates[i]
		if err == nil {
			label = d.Format("Jan 2")
			if len(dates) > 200 {
				label = d.Format("Jan 2 '06")
			}
		}
		out = append(out, chart.Tick{Value: float64(i), Label: label})
	}
	if len(out) == 1 { // go-chart needs two ticks; a one-day period spans 0..1 (see fixSingle)
		out = append(out, chart.Tick{Value: 1})
	}
	return out
}

func (p palette) lineChart(title string, opts ChartOptions, dates []string, series []chart.Series, maxY float64, yf chart.ValueFormatter) chart.Chart {
	w, h := opts.size()
	xmax := float64(max(1, len(dates)-1))
	c := chart.Chart{
		Title: title, TitleStyle: p.title(), Width: w, Height: h,
		Background: chart.Style{FillColor: p.bg, Padding: chart.Box{Top: 72, Left: 16, Right: 24, Bottom: 16}},
		Canvas:     chart.Style{FillColor: p.bg},
		XAxis:      chart.XAxis{Style: p.text(10), Range: &chart.ContinuousRange{Min: 0, Max: xmax}, Ticks: dateTicks(dates)},
		YAxis:      p.yAxis(maxY, yf),
		Series:     series,
	}
	c.Elements = []chart.Renderable{p.legend(series)}
	return c
}

// legend draws one row of line swatches and names between the title and the canvas. go-chart's
// own legends paint a white box whatever the style, which is unreadable in the dark theme.
func (p palette) legend(series []chart.Series) chart.Renderable {
	return func(r chart.Renderer, cb chart.Box, _ chart.Style) {
		font, err := defaultFont()
		if err != nil {
			return // the chart itself already rendered text with this font
		}
		r.SetFont(font)
		r.SetFontColor(p.fg)
		// Shrink the text until the row fits the canvas width (narrow dashboard charts).
		for size := 10.0; size >= 7; size-- {
			r.SetFontSize(size)
			width := 0
			for _, s := range series {
				width += 21 + r.MeasureText(s.GetName()).Width() + 14
			}
			if width <= cb.Width() {
				break
			}
		}
		x, y := cb.Left, cb.Top-22
		for _, s := range series {
			st := s.GetStyle()
			r.SetStrokeColor(st.StrokeColor)
			r.SetStrokeWidth(3)
			r.SetStrokeDashArray(nil)
			swatch := 16
			if len(st.StrokeDashArray) > 0 { // a dashed series shows its dashes: on, off, on
				r.SetStrokeDashArray([]float64{5, 3})
				swatch = 18
			}
			r.MoveTo(x, y-4)
			r.LineTo(x+swatch, y-4)
			r.Stroke()
			r.SetStrokeDashArray(nil)
			name := s.GetName()
			r.Text(name, x+21, y)
			x += 21 + r.MeasureText(name).Width() + 14
		}
	}
}

func xs(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i)
	}
	return out
}

// DailyAppointmentsChart draws one line per status over the period's days.
func DailyAppointmentsChart(a AppointmentAnalytics, opts ChartOptions) ([]byte, error) {
	p := paletteFor(opts.Dark)
	dates := make([]string, len(a.DailyBreakdown))
	var maxY float64
	for i, d := range a.DailyBreakdown {
		dates[i] = d.Date
	}
	var series []chart.Series
	for _, st := range data.AppointmentStatuses().All() {
		ys := make([]float64, len(dates))
		for i, d := range a.DailyBreakdown {
			ys[i] = float64(d.StatusBreakdown[string(st)])
			maxY = math.Max(maxY, ys[i])
		}
		series = append(series, chart.ContinuousSeries{Name: StatusLabel(st), XValues: xs(len(dates)), YValues: ys,
			Style: chart.Style{StrokeColor: StatusColor(st), StrokeWidth: 2}})
	}
	c := p.lineChart("Appointments per day by status ("+license.FormatISODate(a.From)+" to "+license.FormatISODate(a.To)+")", opts, dates, fixSingle(series), maxY, countFormat)
	return render(c)
}

// DailyRevenueChart draws revenue per paid local date.
func DailyRevenueChart(r RevenueAnalytics, opts ChartOptions) ([]byte, error) {
	p := paletteFor(opts.Dark)
	dates := make([]string, len(r.DailyBreakdown))
	ys := make([]float64, len(dates))
	var maxY float64
	for i, d := range r.DailyBreakdown {
		dates[i], ys[i] = d.Date, float64(d.RevenueCents)
		maxY = math.Max(maxY, ys[i])
	}
	money := func(v any) string {
		f, _ := v.(float64)
		return FormatMoney(int64(math.Round(f)), r.Currency)
	}
	series := []chart.Series{chart.ContinuousSeries{Name: "Revenue (" + r.Currency + ")", XValues: xs(len(dates)), YValues: ys,
		Style: chart.Style{StrokeColor: accent, StrokeWidth: 2, FillColor: accent.WithAlpha(0x40)}}}
	c := p.lineChart("Revenue per day by paid date ("+license.FormatISODate(r.From)+" to "+license.FormatISODate(r.To)+")", opts, dates, fixSingle(series), maxY, money)
	return render(c)
}

// fixSingle widens a one-day series to two points so a line can be drawn.
func fixSingle(series []chart.Series) []chart.Series {
	for i, s := range series {
		cs, ok := s.(chart.ContinuousSeries)
		if ok && len(cs.XValues) == 1 {
			cs.XValues = []float64{0, 1}
			cs.YValues = []float64{cs.YValues[0], cs.YValues[0]}
			series[i] = cs
		}
	}
	return series
}

// bar is one bar of a bar chart.
type bar struct {
	label string
	value float64
	color drawing.Color
}

func (p palette) barChart(title string, opts ChartOptions, bars []bar) ([]byte, error) {
	w, h := opts.size()
	var maxY float64
	values := make([]chart.Value, 0, len(bars))
	for _, b := range bars {
		maxY = math.Max(maxY, b.value)
		values = append(values, chart.Value{Label: b.label, Value: b.value,
			Style: chart.Style{FillColor: b.color, StrokeColor: b.color, StrokeWidth: 1}})
	}
	barW := max(8, min(60, (w-120)/max(1, len(bars))-12))
	c := chart.BarChart{
		Title: title, TitleStyle: p.title(), Width: w, Height: h, BarWidth: barW, BarSpacing: 12,
		Background: chart.Style{FillColor: p.bg, Padding: chart.Box{Top: 48, Left: 16, Right: 24, Bottom: 60}},
		Canvas:     chart.Style{FillColor: p.bg},
		XAxis:      p.text(8),
		YAxis:      p.yAxis(maxY, countFormat),
		Bars:       values,
	}
	// A bar chart draws its grid lines over the bars, so it has none.
	c.YAxis.GridLines, c.YAxis.GridMajorStyle, c.YAxis.GridMinorStyle = nil, chart.Hidden(), chart.Hidden()
	font, err := defaultFont()
	if err != nil {
		return nil, fmt.Errorf("render chart %q: %w", title, err)
	}
	c.Font = font
	var buf bytes.Buffer
	if err := c.Render(chart.PNG, &buf); err != nil {
		return nil, fmt.Errorf("render chart %q: %w", title, err)
	}
	return buf.Bytes(), nil
}

// ByStatusChart draws one bar per status, zeros included, in the status colours.
func ByStatusChart(a AppointmentAnalytics, opts ChartOptions) ([]byte, error) {
	bars := make([]bar, 0, data.AppointmentStatuses().Len())
	for _, st := range data.AppointmentStatuses().All() {
		bars = append(bars, bar{label: StatusLabel(st), value: float64(a.ByStatus[string(st)]), color: StatusColor(st)})
	}
	return paletteFor(opts.Dark).barChart("Appointments by status", opts, bars)
}

// ByServiceChart draws the ten largest services and one "Other" bar for the rest, as
// horizontal bars with each service's whole name beside its bar (wrapped onto two lines when
// it is long), so names stay readable in a narrow chart.
func ByServiceChart(a AppointmentAnalytics, opts ChartOptions) ([]byte, error) {
	var bars []bar
	var other int64
	for i, s := range a.ByService {
		if i < 10 {
			bars = append(bars, bar{label: s.Name, value: float64(s.Count), color: accent})
		} else {
			other += s.Count
		}
	}
	if other > 0 {
		bars = append(bars, bar{label: "Other", value: float64(other), color: drawing.Color{R: 0x9e, G: 0x9e, B: 0x9e, A: 0xff}})
	}
	if len(bars) == 0 {
		bars = []bar{{label: "No appointments", value: 0, color: accent}}
	}
	return paletteFor(opts.Dark).hbarChart("Appointments by service, top 10", opts, bars)
}

// hbar geometry: margins around the plot and the share of the width names may take.
const (
	hbarTop, hbarBottom, hbarSide = 40, 12, 12
	hbarLabelShare                = 0.5
	hbarGap                       = 8 // between a name and its bar, and a bar and its count
)

// hbarChart draws one horizontal bar per entry: the name right-aligned in a column on the
// left, the bar from a common zero line, and the count just past the bar's end.
func (p palette) hbarChart(title string, opts ChartOptions, bars []bar) ([]byte, error) {
	w, h := opts.size()
	r, err := p.titledCanvas(title, w, h)
	if err != nil {
		return nil, err
	}
	r.SetFontSize(10)
	var maxV float64
	countW := 0
	for _, b := range bars {
		maxV = math.Max(maxV, b.value)
		countW = max(countW, r.MeasureText(countFormat(b.value)).Width())
	}
	labelW := labelColumn(w)
	lines := make([][]string, len(bars))
	widest := 0
	for i, b := range bars {
		lines[i] = wrapLabel(r, b.label, labelW, 2)
		for _, l := range lines[i] {
			widest = max(widest, r.MeasureText(l).Width())
		}
	}
	labelW = min(labelW, widest)
	zero := hbarSide + labelW + hbarGap
	span := max(1, w-hbarSide-countW-hbarGap-zero)
	row := float64(h-hbarTop-hbarBottom) / float64(len(bars))
	lineH := r.MeasureText("Hg").Height() + 2
	for i, b := range bars {
		top := hbarTop + int(float64(i)*row)
		mid := top + int(row/2)
		thick := max(4, min(22, int(row*0.65)))
		length := 0
		if maxV > 0 {
			length = int(b.value / maxV * float64(span))
		}
		fillRect(r, b.color, zero, mid-thick/2, length, thick)
		y := mid - (len(lines[i])*lineH)/2 + lineH - 3
		for _, l := range lines[i] {
			r.Text(l, zero-hbarGap-r.MeasureText(l).Width(), y)
			y += lineH
		}
		r.Text(countFormat(b.value), zero+length+hbarGap/2, mid+r.MeasureText("0").Height()/2)
	}
	r.SetStrokeColor(p.grid)
	r.SetStrokeWidth(1)
	r.MoveTo(zero, hbarTop)
	r.LineTo(zero, h-hbarBottom)
	r.Stroke()
	var buf bytes.Buffer
	if err := r.Save(&buf); err != nil {
		return nil, fmt.Errorf("render chart %q: %w", title, err)
	}
	return buf.Bytes(), nil
}

// labelColumn is the most a chart w pixels wide gives the names of its horizontal bars.
func labelColumn(w int) int { return int(float64(w-2*hbarSide) * hbarLabelShare) }

func fillRect(r chart.Renderer, c drawing.Color, x, y, w, h int) {
	if w <= 0 || h <= 0 {
		return
	}
	r.SetFillColor(c)
	r.SetStrokeColor(c)
	r.SetStrokeWidth(0)
	r.MoveTo(x, y)
	r.LineTo(x+w, y)
	r.LineTo(x+w, y+h)
	r.LineTo(x, y+h)
	r.Close()
	r.Fill()
}

// textMeasurer is the part of a chart renderer wrapLabel needs.
type textMeasurer interface{ MeasureText(string) chart.Box }

// wrapLabel breaks s at spaces into at most maxLines lines no wider than width. Whole words
// are kept; only a name too long for every line loses its end, marked with "…".
func wrapLabel(m textMeasurer, s string, width, maxLines int) []string {
	fits := func(t string) bool { return m.MeasureText(t).Width() <= width }
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = word
		case fits(cur + " " + word):
			cur += " " + word
		default:
			lines, cur = append(lines, cur), word
		}
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	if len(lines) > maxLines {
		lines = append(lines[:maxLines-1], strings.Join(lines[maxLines-1:], " "))
	}
	for i, l := range lines {
		if fits(l) {
			continue
		}
		rs := []rune(l)
		for len(rs) > 1 && !fits(string(rs)+"…") {
			rs = rs[:len(rs)-1]
		}
		lines[i] = string(rs) + "…"
	}
	return lines
}

// StatusLabel is a status for people: "No show" rather than "no_show".
func StatusLabel(s data.AppointmentStatus) string {
	switch s {
	case data.StatusNoShow:
		return "No show"
	case "":
		return "All statuses"
	}
	str := string(s)
	return string(str[0]-'a'+'A') + str[1:]
}

// defaultFont is go-chart's default font, loaded once. go-chart loads it lazily itself, but reads
// its variable outside its lock, so two charts drawn at once for the first time race (the
// Dashboard draws its charts in parallel); every chart here takes the font from this instead.
var defaultFont = sync.OnceValues(chart.GetDefaultFont)

func render(c chart.Chart) ([]byte, error) {
	font, err := defaultFont()
	if err != nil {
		return nil, fmt.Errorf("render chart %q: %w", c.Title, err)
	}
	c.Font = font
	var buf bytes.Buffer
	if err := c.Render(chart.PNG, &buf); err != nil {
		return nil, fmt.Errorf("render chart %q: %w", c.Title, err)
	}
	return buf.Bytes(), nil
}

// The comparison period on a daily chart: a second line, dashed, in a neutral grey that reads on
// both themes, aligned by day offset (docs/metrics.md, "Comparisons").
var (
	comparisonColor = drawing.Color{R: 0x9a, G: 0x9a, B: 0xa2, A: 0xff}
	comparisonDash  = []float64{6, 5} // pixels on, off
)

// AlignByOffset lays a comparison's daily values beside a period of days days by day offset:
// day 1 of the comparison beside day 1 of the period, and so on. A shorter comparison stops
// where its days end; a longer one is cut at the period's last day (the axis is the period's).
func AlignByOffset(days int, prev []float64) []float64 {
	n := max(0, min(days, len(prev)))
	out := make([]float64, n)
	copy(out, prev[:n])
	return out
}

// comparisonSeries is the comparison's dashed line over the period's day offsets.
func comparisonSeries(name string, days int, prev []float64) chart.ContinuousSeries {
	ys := AlignByOffset(days, prev)
	return chart.ContinuousSeries{Name: name, XValues: xs(len(ys)), YValues: ys,
		Style: chart.Style{StrokeColor: comparisonColor, StrokeWidth: 2, StrokeDashArray: comparisonDash}}
}

// seriesMax is the largest value of the series' points.
func seriesMax(series []chart.Series) float64 {
	var m float64
	for _, s := range series {
		if cs, ok := s.(chart.ContinuousSeries); ok {
			for _, y := range cs.YValues {
				m = math.Max(m, y)
			}
		}
	}
	return m
}

// apptTotals is the appointments per day of a by-day breakdown.
func apptTotals(days []DayCount) []float64 {
	out := make([]float64, len(days))
	for i, d := range days {
		out[i] = float64(d.Count)
	}
	return out
}

// comparedLine is a compared daily chart's data: the period's values per day (named by its
// dates) beside the comparison's, dashed, aligned by day of the period.
type comparedLine struct {
	title          string
	dates          []string
	name, prevName string
	cur, prev      []float64
	style          chart.Style // the period's line
	format         chart.ValueFormatter
}

func (c comparedLine) spec(opts ChartOptions) chart.Chart {
	series := fixSingle([]chart.Series{
		chart.ContinuousSeries{Name: c.name, XValues: xs(len(c.cur)), YValues: c.cur, Style: c.style},
		comparisonSeries(c.prevName, len(c.dates), c.prev),
	})
	return paletteFor(opts.Dark).lineChart(c.title, opts, c.dates, series, seriesMax(series), c.format)
}

// dailyAppointmentsCompareSpec is the compared appointments chart: the period's appointments
// per day (all statuses), solid, and the comparison's, dashed, each named by its dates.
func dailyAppointmentsCompareSpec(a, prev AppointmentAnalytics, opts ChartOptions) chart.Chart {
	dates := make([]string, len(a.DailyBreakdown))
	for i, d := range a.DailyBreakdown {
		dates[i] = d.Date
	}
	return comparedLine{title: "Appointments per day, compared (by day of the period)", dates: dates,
		name: PeriodWords(a.From, a.To), prevName: PeriodWords(prev.From, prev.To),
		cur: apptTotals(a.DailyBreakdown), prev: apptTotals(prev.DailyBreakdown),
		style: chart.Style{StrokeColor: accent, StrokeWidth: 2}, format: countFormat}.spec(opts)
}

// DailyAppointmentsCompareChart draws the period's appointments per day beside the comparison
// period's (prev), dashed, aligned by day offset.
func DailyAppointmentsCompareChart(a, prev AppointmentAnalytics, opts ChartOptions) ([]byte, error) {
	return render(dailyAppointmentsCompareSpec(a, prev, opts))
}

// revenueValues is the revenue per day of a by-day breakdown, in minor units.
func revenueValues(days []DayRevenue) []float64 {
	out := make([]float64, len(days))
	for i, d := range days {
		out[i] = float64(d.RevenueCents)
	}
	return out
}

// dailyRevenueCompareSpec is the compared revenue chart: the period's line, filled, and the
// comparison's, dashed.
func dailyRevenueCompareSpec(r, prev RevenueAnalytics, opts ChartOptions) chart.Chart {
	dates := make([]string, len(r.DailyBreakdown))
	for i, d := range r.DailyBreakdown {
		dates[i] = d.Date
	}
	money := func(v any) string {
		f, _ := v.(float64)
		return FormatMoney(int64(math.Round(f)), r.Currency)
	}
	return comparedLine{title: "Revenue per day by paid date, compared (" + r.Currency + ")", dates: dates,
		name: PeriodWords(r.From, r.To), prevName: PeriodWords(prev.From, prev.To),
		cur: revenueValues(r.DailyBreakdown), prev: revenueValues(prev.DailyBreakdown),
		style: chart.Style{StrokeColor: accent, StrokeWidth: 2, FillColor: accent.WithAlpha(0x40)}, format: money}.spec(opts)
}

// DailyRevenueCompareChart draws the period's revenue per day beside the comparison period's
// (prev), dashed, aligned by day offset.
func DailyRevenueCompareChart(r, prev RevenueAnalytics, opts ChartOptions) ([]byte, error) {
	return render(dailyRevenueCompareSpec(r, prev, opts))
}
