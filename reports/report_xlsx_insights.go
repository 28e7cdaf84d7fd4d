package reports

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/almanac-app/almanac/license"
)

// The issue-15 sheets of a report workbook: the customers and staff reports, the busy-hours
// table of the appointments report (7 × 24 with a colour scale), and the comparison block of
// the Summary when a report was run with a comparison.

// Sheet names of the issue-15 tables.
const (
	sheetTopCustomers    = "Top customers"
	sheetLapsedCustomers = "Lapsed customers"
	sheetStaff           = "Staff"
	sheetBusyHours       = "Busy hours"
)

// customers lays out the customers report: Summary, the top and the lapsed customers, About.
func (b *reportBook) customers(c *CustomerInsights) error {
	retention := summaryRow{label: "Retention rate", field: "retention_rate_percent", kind: colPercent,
		note: "None: nobody visited in the days just before, or they are outside the history window"}
	if c.RetentionRatePercent != nil {
		retention.value = *c.RetentionRatePercent
	}
	rows := []summaryRow{
		{label: "New customers", field: "new_customers", kind: colCount, value: c.NewCustomers},
		{label: "Returning customers", field: "returning_customers", kind: colCount, value: c.ReturningCustomers},
		{label: "Visiting customers", field: "visiting_customers", kind: colCount, value: c.VisitingCustomers},
		retention,
		{label: "Visits per customer", field: "average_visits_per_customer", kind: colDecimal, value: c.AverageVisitsPerCustomer},
		{label: "Lapsed customers", field: "lapsed_customers", kind: colCount, value: int64(len(c.LapsedCustomers))},
		{label: "Lapsed after (days)", field: "lapsed_days", kind: colCount, value: int64(c.LapsedDays)},
		{label: "Currency", field: "currency", kind: colText, value: c.Currency},
		{label: "Days in the period", field: "period_days", aliases: []string{"Period days", "Period"}, kind: colCount, value: int64(c.PeriodDays)},
	}
	if err := b.summary(b.periodHeading(), rows, b.d.Locked); err != nil {
		return err
	}
	top := &bookTable{sheet: sheetTopCustomers, name: "TopCustomers", cols: []tableCol{{"Rank", colCount}, {"ID", colID}, {"Name", colText}, {"Visits", colCount}, {"Revenue", colMoney}}}
	for i, t := range c.TopCustomers {
		top.rows = append(top.rows, []any{int64(i + 1), t.ID, t.Name, t.Visits, t.RevenueCents})
	}
	lapsed := &bookTable{sheet: sheetLapsedCustomers, name: "LapsedCustomers", cols: []tableCol{{"ID", colID}, {"Name", colText}, {"Email", colText},
		{"Phone", colText}, {"Last visit", colDate}, {"Visits", colCount}, {"Lifetime revenue", colMoney}}}
	for _, l := range c.LapsedCustomers {
		lapsed.rows = append(lapsed.rows, []any{l.ID, l.Name, l.Email, l.Phone, l.LastVisit, l.Visits, l.RevenueCents})
	}
	for _, t := range []*bookTable{top, lapsed} {
		if err := b.writeTable(t); err != nil {
			return err
		}
	}
	return nil
}

// staff lays out the staff report: Summary, one row per resource on the Staff sheet, About.
func (b *reportBook) staff(r *StaffReport) error {
	rows := []summaryRow{
		{label: "Total appointments", field: "total_appointments", kind: colCount, value: r.TotalAppointments},
		{label: "Resources listed", field: "resources", kind: colCount, value: int64(len(r.Resources))},
		{label: "Currency", field: "currency", kind: colText, value: r.Currency},
		{label: "Days in the period", field: "period_days", aliases: []string{"Period days", "Period"}, kind: colCount, value: int64(r.PeriodDays)},
	}
	if err := b.summary(b.periodHeading(), rows, b.d.Locked); err != nil {
		return err
	}
	t := &bookTable{sheet: sheetStaff, name: "Staff", cols: []tableCol{{"ID", colID}, {"Resource", colText}, {"Appointments", colCount},
		{"Visits", colCount}, {"Cancelled", colCount}, {"No-show", colCount}, {"Cancellation rate", colPercent}, {"No-show rate", colPercent},
		{"Booked hours", colDecimal}, {"Revenue", colMoney}, {"Share", colPercent}}}
	for _, x := range r.Resources {
		t.rows = append(t.rows, []any{x.ID, x.Name, x.Appointments, x.Visits, x.Cancelled, x.NoShow, x.CancellationRatePercent,
			x.NoShowRatePercent, x.BookedHours, x.RevenueCents, x.SharePercent})
	}
	return b.writeTable(t)
}

// busyHoursTable is busy_hours as 7 rows (Monday first) of 24 hour columns, shaded by a
// colour scale from the grid colour (0) to the accent (the busiest cell), as on screen.
func busyHoursTable(grid [][]int64) *bookTable {
	t := &bookTable{sheet: sheetBusyHours, name: "BusyHours", cols: []tableCol{{"Weekday", colText}}, colorScale: true}
	for hr := range 24 {
		t.cols = append(t.cols, tableCol{fmt.Sprintf("%02d:00", hr), colCount})
	}
	for d, name := range Weekdays {
		row := []any{name}
		for hr := range 24 {
			row = append(row, busyCell(grid, d, hr))
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// writeShadedTable writes a small table as writeTable does (fitted widths, frozen bold header,
// typed cells, a table with its filter) through the cell API, so that its colour scale is
// kept: the stream writer's sheet replaces any conditional format when the file is saved.
func (b *reportBook) writeShadedTable(t *bookTable) error {
	if err := b.newSheet(t.sheet); err != nil {
		return err
	}
	for i, wd := range t.widths() {
		if i > 0 {
			wd = 6.5 // 24 hour columns fit a landscape page
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := b.f.SetColWidth(t.sheet, col, col, wd); err != nil {
			return err
		}
	}
	if err := b.f.SetPanes(t.sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	w := &sheetWriter{f: b.f, sheet: t.sheet}
	for i, c := range t.cols {
		w.put(i+1, c.title, b.st.header)
	}
	for _, vals := range t.rows {
		w.next()
		for i, c := range t.cols {
			w.cell(i+1, b.typedCell(c.kind, vals[i]))
		}
	}
	if w.err != nil {
		return w.err
	}
	last, _ := excelize.CoordinatesToCellName(len(t.cols), max(len(t.rows), 1)+1)
	stripes := false
	if err := b.f.AddTable(t.sheet, &excelize.Table{Range: "A1:" + last, Name: t.name, StyleName: "TableStyleLight9", ShowRowStripes: &stripes}); err != nil {
		return err
	}
	if err := b.addColorScale(t); err != nil {
		return err
	}
	return b.pageSetup(t.sheet, 1)
}

// addColorScale shades the numbers of t (every column but the first) by a two-colour scale.
func (b *reportBook) addColorScale(t *bookTable) error {
	first, _ := excelize.CoordinatesToCellName(2, 2)
	last, _ := excelize.CoordinatesToCellName(len(t.cols), len(t.rows)+1)
	grid := paletteFor(false).grid
	return b.f.SetConditionalFormat(t.sheet, first+":"+last, []excelize.ConditionalFormatOptions{{
		Type: "2_color_scale", Criteria: "=", MinType: "num", MinValue: "0", MaxType: "max",
		MinColor: fmt.Sprintf("#%02X%02X%02X", grid.R, grid.G, grid.B), MaxColor: "#" + accentHex(),
	}})
}

// comparisonBlock writes the Summary's comparison: each headline number's value over the
// comparison period and its change, as the JSON's "comparison" has them (percent for counts
// and money, "—" when the comparison value is 0, percentage points for rates).
func (b *reportBook) comparisonBlock(w *sheetWriter, rows []summaryRow) {
	c := b.d.Comparison
	if c == nil {
		return
	}
	kinds := map[string]summaryRow{}
	for _, r := range rows {
		kinds[r.field] = r
	}
	w.next()
	w.next()
	w.put(1, fmt.Sprintf("Compared with %s – %s (%s, %d days)", license.FormatISODate(c.Period.StartDate), license.FormatISODate(c.Period.EndDate),
		compareWords(c.Period.Mode), c.Period.Days), b.st.header)
	w.next()
	for i, h := range []string{"Metric", "Comparison value", "Change"} {
		w.put(i+1, h, b.st.header)
	}
	for _, field := range c.Fields {
		r := kinds[field]
		w.next()
		w.put(1, nonEmpty(r.label, headlineLabel(field)), b.st.label)
		v := c.Values[field]
		switch r.kind {
		case colMoney, colCount:
			w.cell(2, b.typedCell(r.kind, int64(v)))
		default:
			w.cell(2, b.typedCell(colPercent, v))
		}
		ch := c.Changes[field]
		switch {
		case ch == nil:
			w.put(3, "—", b.st.changeNone)
		case isRateField(field):
			w.cell(3, excelize.Cell{StyleID: b.st.changePts, Value: *ch})
		default:
			w.cell(3, excelize.Cell{StyleID: b.st.changePct, Value: *ch / 100})
		}
	}
}
