package reports

import (
	"archive/zip"
	"bytes"
	"html"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// chartXML builds a workbook with the period's by-day table, the comparison's and the compared
// chart, and returns the chart's XML.
func chartXML(t *testing.T, cur, prev AppointmentAnalytics) string {
	t.Helper()
	day := byDayTable(cur.DailyBreakdown)
	var curVals, prevVals []int64
	for _, d := range cur.DailyBreakdown {
		curVals = append(curVals, d.Count)
	}
	for _, d := range prev.DailyBreakdown {
		prevVals = append(prevVals, d.Count)
	}
	cmp := comparedDayTable(PeriodWords(cur.From, cur.To), PeriodWords(prev.From, prev.To), curVals, prevVals, colCount)
	f := excelize.NewFile()
	for _, tb := range []*bookTable{day, cmp} {
		if _, err := f.NewSheet(tb.sheet); err != nil {
			t.Fatal(err)
		}
		for c, col := range tb.cols {
			cell, _ := excelize.CoordinatesToCellName(c+1, 1)
			_ = f.SetCellValue(tb.sheet, cell, col.title)
		}
		for r, row := range tb.rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
				_ = f.SetCellValue(tb.sheet, cell, v)
			}
		}
	}
	if err := f.AddChart("Sheet1", "A1", dailyCompareChart("Appointments per day, compared", day, len(day.cols)-1, cmp)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			return html.UnescapeString(string(b))
		}
	}
	t.Fatal("no chart in the workbook")
	return ""
}

// The workbook's compared chart has two series: the period's Total column, solid, and the
// comparison's values, dashed, over the period's days (November's 30 beside December's 31;
// October's 31 cut at November's 30th).
func TestXLSXCompareChartHasDashedSecondSeries(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cur, prev AppointmentAnalytics
		wantVals  string
	}{
		{"31 vs 30", monthAppts("2026-12-01", "2026-12-31", 0), monthAppts("2026-11-01", "2026-11-30", 100), "'Compared by day'!$C$2:$C$31"},
		{"30 vs 31", monthAppts("2026-11-01", "2026-11-30", 0), monthAppts("2026-10-01", "2026-10-31", 100), "'Compared by day'!$C$2:$C$31"},
		{"15 vs 15", monthAppts("2026-12-01", "2026-12-15", 0), monthAppts("2026-11-01", "2026-11-15", 100), "'Compared by day'!$C$2:$C$16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := chartXML(t, tc.cur, tc.prev)
			sers := regexp.MustCompile(`(?s)<ser>.*?</ser>`).FindAllString(x, -1)
			if len(sers) != 2 {
				t.Fatalf("%d series in the chart, want 2", len(sers))
			}
			if strings.Contains(sers[0], "prstDash") && !strings.Contains(sers[0], `prstDash val="solid"`) {
				t.Errorf("the period's series is dashed: %s", sers[0])
			}
			if !strings.Contains(sers[1], `<a:prstDash val="dash"`) {
				t.Errorf("the comparison's series is not dashed: %s", sers[1])
			}
			if !strings.Contains(sers[1], "<f>"+tc.wantVals+"</f>") {
				t.Errorf("the comparison's values are not %s: %s", tc.wantVals, sers[1])
			}
			if !strings.Contains(sers[0], "<f>'Compared by day'!$B$1</f>") {
				t.Errorf("the period's series is not named by its dates' header: %s", sers[0])
			}
			if !strings.Contains(sers[1], "<f>'Compared by day'!$C$1</f>") {
				t.Errorf("the comparison is not named by its header (the period in words): %s", sers[1])
			}
		})
	}
}
