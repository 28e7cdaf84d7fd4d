package reports

import (
	"fmt"
	"image"
	"math"
	"testing"
	"time"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// monthAppts is an appointments report over from..to whose day k (1-based) has base+k appointments.
func monthAppts(from, to string, base int64) AppointmentAnalytics {
	a := AppointmentAnalytics{From: from, To: to}
	f, _ := time.Parse("2006-01-02", from)
	t, _ := time.Parse("2006-01-02", to)
	for d, k := f, int64(1); !d.After(t); d, k = d.AddDate(0, 0, 1), k+1 {
		a.DailyBreakdown = append(a.DailyBreakdown, DayCount{Date: d.Format("2006-01-02"), Count: base + k})
	}
	return a
}

func TestAlignByOffset(t *testing.T) {
	prev := []float64{10, 20, 30}
	for _, tc := range []struct {
		days int
		want []float64
	}{{3, []float64{10, 20, 30}}, {2, []float64{10, 20}}, {5, []float64{10, 20, 30}}, {0, []float64{}}} {
		got := AlignByOffset(tc.days, prev)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("AlignByOffset(%d) = %v, want %v", tc.days, got, tc.want)
		}
	}
}

// December (31 days) against November (30): day 1 beside day 1, and November's line ends on
// its 30th day; November against October (31): October is cut at its 30th day.
func TestCompareChartAlignsByDayOffset(t *testing.T) {
	for _, tc := range []struct {
		name               string
		cur, prev          AppointmentAnalytics
		wantLen            int
		wantFirst, wantEnd float64
		curName, prevName  string
	}{
		{"31 vs 30", monthAppts("2026-12-01", "2026-12-31", 0), monthAppts("2026-11-01", "2026-11-30", 100), 30, 101, 130, "1–31 Dec 2026", "1–30 Nov 2026"},
		{"30 vs 31", monthAppts("2026-11-01", "2026-11-30", 0), monthAppts("2026-10-01", "2026-10-31", 200), 30, 201, 230, "1–30 Nov 2026", "1–31 Oct 2026"},
		{"to date", monthAppts("2026-12-01", "2026-12-15", 0), monthAppts("2026-11-01", "2026-11-15", 50), 15, 51, 65, "1–15 Dec 2026", "1–15 Nov 2026"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dailyAppointmentsCompareSpec(tc.cur, tc.prev, ChartOptions{})
			if len(c.Series) != 2 {
				t.Fatalf("%d series, want the period's and the comparison's", len(c.Series))
			}
			cur, prev := c.Series[0].(chart.ContinuousSeries), c.Series[1].(chart.ContinuousSeries)
			if cur.Name != tc.curName || prev.Name != tc.prevName {
				t.Errorf("legend %q, %q; want %q, %q", cur.Name, prev.Name, tc.curName, tc.prevName)
			}
			if len(cur.Style.StrokeDashArray) != 0 || len(prev.Style.StrokeDashArray) == 0 {
				t.Errorf("dashes: period %v, comparison %v; want solid and dashed", cur.Style.StrokeDashArray, prev.Style.StrokeDashArray)
			}
			if len(prev.YValues) != tc.wantLen || prev.YValues[0] != tc.wantFirst || prev.YValues[len(prev.YValues)-1] != tc.wantEnd {
				t.Errorf("comparison %v; want %d days from %v to %v", prev.YValues, tc.wantLen, tc.wantFirst, tc.wantEnd)
			}
			for i, x := range prev.XValues {
				if x != float64(i) {
					t.Fatalf("comparison day %d at x %v, want its offset %d", i+1, x, i)
				}
			}
			if top := c.YAxis.Range.GetMax(); top < tc.wantEnd {
				t.Errorf("y axis tops at %v, below the comparison's %v", top, tc.wantEnd)
			}
		})
	}
}

func TestRevenueCompareChartHasDashedComparison(t *testing.T) {
	cur := RevenueAnalytics{From: "2026-12-01", To: "2026-12-02", Currency: "USD",
		DailyBreakdown: []DayRevenue{{Date: "2026-12-01", RevenueCents: 500}, {Date: "2026-12-02", RevenueCents: 700}}}
	prev := RevenueAnalytics{From: "2026-11-29", To: "2026-11-30", Currency: "USD",
		DailyBreakdown: []DayRevenue{{Date: "2026-11-29", RevenueCents: 900}, {Date: "2026-11-30"}}}
	c := dailyRevenueCompareSpec(cur, prev, ChartOptions{})
	p := c.Series[1].(chart.ContinuousSeries)
	if p.Name != "29–30 Nov 2026" || len(p.Style.StrokeDashArray) == 0 || fmt.Sprint(p.YValues) != "[900 0]" {
		t.Errorf("comparison series %q %v dash %v", p.Name, p.YValues, p.Style.StrokeDashArray)
	}
	if c.Series[0].GetName() != "1–2 Dec 2026" {
		t.Errorf("period series %q", c.Series[0].GetName())
	}
}

func TestPeriodWords(t *testing.T) {
	for from, want := range map[[2]string]string{
		{"2026-12-01", "2026-12-15"}: "1–15 Dec 2026",
		{"2026-11-28", "2026-12-05"}: "28 Nov – 5 Dec 2026",
		{"2025-12-28", "2026-01-03"}: "28 Dec 2025 – 3 Jan 2026",
		{"2026-12-01", "2026-12-01"}: "1 Dec 2026",
		{"bad", "2026-12-01"}:        "bad – 2026-12-01",
	} {
		if got := PeriodWords(from[0], from[1]); got != want {
			t.Errorf("PeriodWords(%s, %s) = %q, want %q", from[0], from[1], got, want)
		}
	}
}

// The rendered comparison is dashed: along its row the comparison's grey alternates with the
// background many times, where a solid line would be one run.
func TestCompareChartPixelsAreDashed(t *testing.T) {
	cur := monthAppts("2026-12-01", "2026-12-30", 0)
	prev := monthAppts("2026-11-01", "2026-11-30", 0)
	for i := range cur.DailyBreakdown {
		cur.DailyBreakdown[i].Count = 0
		prev.DailyBreakdown[i].Count = 10 // a flat line half way up (axis 0..20)
	}
	for _, dark := range []bool{false, true} {
		b, err := DailyAppointmentsCompareChart(cur, prev, ChartOptions{Width: 800, Height: 400, Dark: dark})
		if err != nil {
			t.Fatal(err)
		}
		img := decodePNG(t, b)
		row, n := densestRow(img, comparisonColor)
		if n < 100 {
			t.Fatalf("dark=%v: no comparison line found (best row %d has %d grey pixels)", dark, row, n)
		}
		if runs := colourRuns(img, row, comparisonColor); runs < 20 {
			t.Errorf("dark=%v: the comparison line at y=%d has %d runs of its colour, want a dashed line (20+)", dark, row, runs)
		}
	}
}

func nearColour(c, want drawing.Color) bool {
	d := math.Abs(float64(c.R)-float64(want.R)) + math.Abs(float64(c.G)-float64(want.G)) + math.Abs(float64(c.B)-float64(want.B))
	return d < 40
}

func pixel(img image.Image, x, y int) drawing.Color {
	r, g, b, a := img.At(x, y).RGBA()
	return drawing.Color{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: uint8(a >> 8)}
}

// densestRow is the row with the most pixels of colour c, and how many.
func densestRow(img image.Image, c drawing.Color) (int, int) {
	best, bestN := 0, 0
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		n := 0
		for x := bd.Min.X; x < bd.Max.X; x++ {
			if nearColour(pixel(img, x, y), c) {
				n++
			}
		}
		if n > bestN {
			best, bestN = y, n
		}
	}
	return best, bestN
}

// colourRuns counts the separate runs of colour c along row y.
func colourRuns(img image.Image, y int, c drawing.Color) int {
	runs, in := 0, false
	bd := img.Bounds()
	for x := bd.Min.X; x < bd.Max.X; x++ {
		on := nearColour(pixel(img, x, y), c) || nearColour(pixel(img, x, y-1), c) && nearColour(pixel(img, x, y+1), c)
		if on && !in {
			runs++
		}
		in = on
	}
	return runs
}

func TestComparedPDFSeries(t *testing.T) {
	s := comparedPDFSeries("1–3 Dec 2026", []float64{1, 2, 3}, "1–4 Nov 2026", []float64{7, 8, 9, 10})
	if len(s) != 2 || len(s[0].Dash) != 0 || len(s[1].Dash) == 0 {
		t.Fatalf("series %+v: want the period solid and the comparison dashed", s)
	}
	if fmt.Sprint(s[1].Values) != "[7 8 9]" || s[1].Name != "1–4 Nov 2026" {
		t.Errorf("comparison %q %v, want November's first 3 days", s[1].Name, s[1].Values)
	}
}
