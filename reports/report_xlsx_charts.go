package reports

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/almanac-app/almanac/data"
)

// The native charts of a report workbook. Each series refers to cells of a table sheet, never
// to copied values, so the owner can restyle, extend or re-point them in Excel. Colours are the
// screen's: one per status (StatusColor), the accent for single-series charts.

// bookChart is a chart and the cell of the Charts sheet its top-left corner sits on.
type bookChart struct {
	cell  string
	chart *excelize.Chart
}

// Chart sizes in pixels: the daily line spans the sheet; the two bar charts share a row
// under it, from row underWide on (excelize anchors the 380-pixel line over rows 1 to 22;
// a row to spare).
const (
	wideChartW, wideChartH   = 960, 380
	smallChartW, smallChartH = 470, 380
	underWide                = "24"
)

// apptCharts are the appointments report's charts over its tables: daily by status (line), by
// status (column), by service (bar). A chart whose table the plan leaves out, or that has no
// rows, is left out.
func apptCharts(tables []*bookTable) []bookChart {
	var out []bookChart
	for _, t := range tables {
		switch t.sheet {
		case sheetByDay:
			out = append(out, bookChart{"A1", dailyStatusChart(t)})
		case sheetByStatus:
			out = append(out, bookChart{"A" + underWide, byStatusChart(t)})
		case sheetByService:
			if len(t.rows) > 0 {
				out = append(out, bookChart{"I" + underWide, byServiceChart(t)})
			}
		}
	}
	return out
}

// revenueCharts is the revenue report's daily line, its axis in the currency's format.
func revenueCharts(day *bookTable, moneyFmt string) []bookChart {
	n := len(day.rows)
	c := lineChart("Revenue per day by paid date", n)
	c.YAxis.NumFmt = excelize.ChartNumFmt{CustomNumFmt: moneyFmt}
	c.Legend.Position = "none"
	c.Series = []excelize.ChartSeries{lineSeries(day, 1, n, accentHex())}
	return []bookChart{{"A1", c}}
}

// dailyStatusChart draws one line per status column of the by-day table.
func dailyStatusChart(t *bookTable) *excelize.Chart {
	n := len(t.rows)
	c := lineChart("Appointments per day by status", n)
	for i, st := range data.AppointmentStatuses().All() {
		c.Series = append(c.Series, lineSeries(t, i+1, n, statusColorHex(st)))
	}
	return c
}

// lineChart is a daily line chart's frame: dates along the x axis, counts from zero up.
func lineChart(title string, days int) *excelize.Chart {
	zero := 0.0
	return &excelize.Chart{
		Type:      excelize.Line,
		Title:     chartTitle(title),
		Dimension: excelize.ChartDimension{Width: wideChartW, Height: wideChartH},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		XAxis: excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: fmtAxisDay},
			TickLabelSkip: max(1, days/12), Font: axisFont, Alignment: excelize.Alignment{TextRotation: -45}},
		YAxis:        excelize.ChartAxis{MajorGridLines: true, Minimum: &zero, NumFmt: excelize.ChartNumFmt{CustomNumFmt: fmtCount}, Font: axisFont},
		ShowBlanksAs: "zero",
		Format:       excelize.GraphicOptions{PrintObject: ptrTo(true), Name: title},
	}
}

// lineSeries is column col of a by-day table over its n days, in a colour.
func lineSeries(t *bookTable, col, n int, color string) excelize.ChartSeries {
	return excelize.ChartSeries{
		Name:       t.ref(col, 0, 0),
		Categories: t.ref(0, 1, n),
		Values:     t.ref(col, 1, n),
		Fill:       solidFill(color),
		Line:       excelize.LineOptions{Width: 1.75},
		Marker:     excelize.ChartMarker{Symbol: "none"},
	}
}

// byStatusChart draws a column per status. Excel colours a single series' columns one way
// (excelize cannot set point colours outside pies), so each status is its own series of one
// cell, in its colour.
func byStatusChart(t *bookTable) *excelize.Chart {
	zero := 0.0
	gap := uint(40)
	c := &excelize.Chart{
		Type:       excelize.Col,
		Title:      chartTitle("Appointments by status"),
		Dimension:  excelize.ChartDimension{Width: smallChartW, Height: smallChartH},
		Legend:     excelize.ChartLegend{Position: "bottom"},
		VaryColors: ptrTo(false),
		GapWidth:   &gap,
		XAxis:      excelize.ChartAxis{Font: axisFont},
		YAxis:      excelize.ChartAxis{MajorGridLines: true, Minimum: &zero, NumFmt: excelize.ChartNumFmt{CustomNumFmt: fmtCount}, Font: axisFont},
		PlotArea:   excelize.ChartPlotArea{ShowVal: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: fmtCount}},
		Format:     excelize.GraphicOptions{PrintObject: ptrTo(true), Name: "Appointments by status"},
	}
	for i, st := range data.AppointmentStatuses().All() {
		c.Series = append(c.Series, excelize.ChartSeries{
			Name:       t.ref(0, i+1, i+1),
			Categories: t.ref(1, 0, 0),
			Values:     t.ref(1, i+1, i+1),
			Fill:       solidFill(statusColorHex(st)),
		})
	}
	return c
}

// byServiceChart draws the largest services (the table is largest first) as horizontal bars,
// the largest on top.
func byServiceChart(t *bookTable) *excelize.Chart {
	n := min(len(t.rows), chartTopServices)
	title := "Appointments by service"
	if len(t.rows) > n {
		title = fmt.Sprintf("Appointments by service (top %d of %d)", n, len(t.rows))
	}
	zero := 0.0
	gap := uint(50)
	return &excelize.Chart{
		Type:       excelize.Bar,
		Title:      chartTitle(title),
		Dimension:  excelize.ChartDimension{Width: smallChartW, Height: smallChartH},
		Legend:     excelize.ChartLegend{Position: "none"},
		VaryColors: ptrTo(false),
		GapWidth:   &gap,
		XAxis:      excelize.ChartAxis{ReverseOrder: true, Font: axisFont},
		YAxis:      excelize.ChartAxis{MajorGridLines: true, Minimum: &zero, NumFmt: excelize.ChartNumFmt{CustomNumFmt: fmtCount}, Font: axisFont},
		PlotArea:   excelize.ChartPlotArea{ShowVal: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: fmtCount}},
		Format:     excelize.GraphicOptions{PrintObject: ptrTo(true), Name: title},
		Series: []excelize.ChartSeries{{
			Name:       t.ref(2, 0, 0),
			Categories: t.ref(1, 1, n),
			Values:     t.ref(2, 1, n),
			Fill:       solidFill(accentHex()),
		}},
	}
}

// axisFont is dark enough to read on paper (excelize's default is a light grey).
var axisFont = excelize.Font{Size: 9, Color: "404040"}

func chartTitle(s string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s, Font: &excelize.Font{Bold: true, Size: 12, Color: "222222"}}}}
}

func solidFill(hex string) excelize.Fill {
	return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{hex}}
}

func ptrTo[T any](v T) *T { return &v }

// chartsSheet adds the Charts sheet when there are charts, set to print on one page.
func (b *reportBook) chartsSheet(n int) error {
	if n == 0 {
		return nil
	}
	if err := b.newSheet(sheetCharts); err != nil {
		return err
	}
	if err := b.pageSetup(sheetCharts, 1); err != nil {
		return err
	}
	// Rows of 15 points (20 pixels) in every spreadsheet, so the charts anchored on them do not
	// overlap where an application's default row is lower than Excel's.
	return b.f.SetSheetProps(sheetCharts, &excelize.SheetPropsOptions{DefaultRowHeight: ptrTo(15.0), CustomHeight: ptrTo(true)})
}

// pageSetup prints a sheet landscape on the document's paper, one page wide and tall pages
// high (0: as many as it takes).
func (b *reportBook) pageSetup(sheet string, tall int) error {
	size := 9 // A4
	if p := b.d.Paper; p == PaperLetter || p == "" && DefaultPaper(b.d.Tenant.TimeZone) == PaperLetter {
		size = 1
	}
	err := b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: ptrTo("landscape"), FitToWidth: ptrTo(1), FitToHeight: &tall})
	if err != nil {
		return err
	}
	return b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptrTo(true)})
}

// addCharts places the charts on the Charts sheet; the tables they refer to exist by now.
func (b *reportBook) addCharts(charts []bookChart) error {
	for _, c := range charts {
		if err := b.f.AddChart(sheetCharts, c.cell, c.chart); err != nil {
			return fmt.Errorf("chart %q: %w", c.chart.Format.Name, err)
		}
	}
	return nil
}

// sheetCompared holds the comparison period's days, which a compared chart's dashed line
// refers to.
const sheetCompared = "Compared by day"

// comparedDayTable is the period's and the comparison's values side by side by day of the
// period (1, 2, …: the day offset the comparison's line is drawn at), over the days both have;
// each value column is headed by its period in words, which names its line in the chart.
func comparedDayTable(curWords, prevWords string, cur, prev []int64, kind colKind) *bookTable {
	t := &bookTable{sheet: sheetCompared, name: "ComparedByDay", cols: []tableCol{{"Day of the period", colCount}, {curWords, kind}, {prevWords, kind}}}
	for i := range min(len(cur), len(prev)) {
		t.rows = append(t.rows, []any{int64(i + 1), cur[i], prev[i]})
	}
	return t
}

// compareLine is column col of the comparison's table as a dashed grey line beside the
// period's days days by day offset: its first rows beside the period's, cut at the period's
// last day; a shorter comparison stops where its days end.
func compareLine(cmp *bookTable, col, days int) excelize.ChartSeries {
	n := len(AlignByOffset(days, make([]float64, len(cmp.rows))))
	c := comparisonColor
	return excelize.ChartSeries{
		Name:   cmp.ref(col, 0, 0),
		Values: cmp.ref(col, 1, max(1, n)),
		Fill:   solidFill(fmt.Sprintf("%02X%02X%02X", c.R, c.G, c.B)),
		Line:   excelize.LineOptions{Width: 1.75, Dash: excelize.LineDashDash},
		Marker: excelize.ChartMarker{Symbol: "none"},
	}
}

// dailyCompareChart is a daily line of the period's column col of day (solid, in the accent)
// beside the comparison's values (dashed), over the period's dates, each named by its period.
func dailyCompareChart(title string, day *bookTable, col int, cmp *bookTable) *excelize.Chart {
	n := len(day.rows)
	c := lineChart(title, n)
	cur := lineSeries(day, col, n, accentHex())
	cur.Name = cmp.ref(1, 0, 0) // the period in words
	c.Series = []excelize.ChartSeries{cur, compareLine(cmp, 2, n)}
	return c
}

// withComparison adds the document's comparison to a report's tables and charts: the Compared
// by day table, and the daily chart (on A1) redrawn with the comparison as a dashed second line.
func (b *reportBook) withComparison(tables []*bookTable, charts []bookChart) ([]*bookTable, []bookChart) {
	c := b.d.Compared
	var day *bookTable
	for _, t := range tables {
		if t.sheet == sheetByDay {
			day = t
		}
	}
	if c == nil || day == nil || len(day.rows) == 0 {
		return tables, charts
	}
	var cur, prev []int64
	var curWords string
	col, kind, title := len(day.cols)-1, colCount, "Appointments per day, compared by day of the period"
	switch {
	case c.Appointments != nil && b.d.Appointments != nil:
		a := b.d.Appointments.AppointmentAnalytics
		curWords = PeriodWords(a.From, a.To)
		for _, d := range a.DailyBreakdown {
			cur = append(cur, d.Count)
		}
		for _, d := range c.Appointments.DailyBreakdown {
			prev = append(prev, d.Count)
		}
	case c.Revenue != nil && b.d.Revenue != nil:
		r := b.d.Revenue
		curWords, col, kind, title = PeriodWords(r.From, r.To), 1, colMoney, "Revenue per day by paid date, compared by day of the period"
		for _, d := range r.DailyBreakdown {
			cur = append(cur, d.RevenueCents)
		}
		for _, d := range c.Revenue.DailyBreakdown {
			prev = append(prev, d.RevenueCents)
		}
	default:
		return tables, charts
	}
	cmp := comparedDayTable(curWords, PeriodWords(c.Period.From, c.Period.To), cur, prev, kind)
	for i := range charts {
		if charts[i].cell == "A1" {
			nc := dailyCompareChart(title, day, col, cmp)
			nc.YAxis.NumFmt, nc.Legend.Position = charts[i].chart.YAxis.NumFmt, "bottom"
			charts[i].chart = nc
		}
	}
	return append(tables, cmp), charts
}
