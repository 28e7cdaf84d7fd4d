package reports

import (
	"bytes"
	"fmt"
	"strconv"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// ChartBusyHours is the busy-hours heatmap.
const ChartBusyHours ChartKind = "busy_hours"

// BusyHoursChart draws busy_hours as a heatmap: rows Monday … Sunday, columns the local hours
// 0 … 23, each cell's colour from the background (no appointment) to the accent colour (the
// busiest cell), its count written in it when the cell is wide enough. A report without busy
// hours (locked) draws an empty grid.
func BusyHoursChart(a AppointmentAnalytics, opts ChartOptions) ([]byte, error) {
	const title = "Busy hours (appointments by local start weekday and hour)"
	p := paletteFor(opts.Dark)
	w, h := opts.size()
	r, err := p.titledCanvas(title, w, h)
	if err != nil {
		return nil, err
	}
	r.SetFontSize(10)
	labelW := r.MeasureText("Wednesday").Width() + 10
	top, bottom, right := 40, 24, 12
	cellW := float64(w-labelW-right) / 24
	cellH := float64(h-top-bottom) / 7
	maxN := busiest(a.BusyHours)
	for d, name := range Weekdays {
		y := top + int(float64(d)*cellH)
		r.Text(name, labelW-6-r.MeasureText(name).Width(), y+int(cellH/2)+r.MeasureText("M").Height()/2)
		for hr := range 24 {
			n := busyCell(a.BusyHours, d, hr)
			x := labelW + int(float64(hr)*cellW)
			cw, ch := int(float64(hr+1)*cellW)-int(float64(hr)*cellW)-1, int(float64(d+1)*cellH)-int(float64(d)*cellH)-1
			fillRect(r, heat(p, n, maxN), x, y, cw, ch)
			if n > 0 && cw >= r.MeasureText("000").Width()+2 {
				s := strconv.FormatInt(n, 10)
				c := p.fg
				if float64(n)/float64(maxN) > 0.55 {
					c = drawing.ColorWhite
				}
				r.SetFontColor(c)
				r.Text(s, x+(cw-r.MeasureText(s).Width())/2, y+ch/2+r.MeasureText("0").Height()/2)
				r.SetFontColor(p.fg)
			}
		}
	}
	for hr := 0; hr < 24; hr += 2 {
		s := fmt.Sprintf("%02d", hr)
		x := labelW + int((float64(hr)+0.5)*cellW) - r.MeasureText(s).Width()/2
		r.Text(s, x, h-8)
	}
	var buf bytes.Buffer
	if err := r.Save(&buf); err != nil {
		return nil, fmt.Errorf("render chart %q: %w", title, err)
	}
	return buf.Bytes(), nil
}

// heat is the colour of a cell with n of max appointments: the grid colour for none, then from
// a light tint of the accent to the accent itself.
func heat(p palette, n, maxN int64) drawing.Color {
	if n <= 0 || maxN <= 0 {
		return p.grid
	}
	t := 0.15 + 0.85*float64(n)/float64(maxN)
	mix := func(a, b uint8) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*t) }
	return drawing.Color{R: mix(p.bg.R, accent.R), G: mix(p.bg.G, accent.G), B: mix(p.bg.B, accent.B), A: 0xff}
}

// titledCanvas is a PNG renderer of w × h pixels in the palette's background with the chart's
// font set and title centred at the top: the set-up every hand-drawn chart shares.
func (p palette) titledCanvas(title string, w, h int) (chart.Renderer, error) {
	r, err := chart.PNG(w, h)
	if err != nil {
		return nil, fmt.Errorf("render chart %q: %w", title, err)
	}
	font, err := defaultFont()
	if err != nil {
		return nil, fmt.Errorf("render chart %q: %w", title, err)
	}
	fillRect(r, p.bg, 0, 0, w, h)
	r.SetFont(font)
	r.SetFontColor(p.fg)
	r.SetFontSize(12)
	tb := r.MeasureText(title)
	r.Text(title, (w-tb.Width())/2, 8+tb.Height())
	return r, nil
}

// busiest is the largest count of a busy-hours grid (0 for an empty one).
func busiest(grid [][]int64) int64 {
	var m int64
	for _, row := range grid {
		for _, n := range row {
			m = max(m, n)
		}
	}
	return m
}

// busyCell is the count of weekday row d (Monday 0) and hour hr, 0 outside the grid (a locked
// report has none).
func busyCell(grid [][]int64, d, hr int) int64 {
	if d < len(grid) && hr < len(grid[d]) {
		return grid[d][hr]
	}
	return 0
}
