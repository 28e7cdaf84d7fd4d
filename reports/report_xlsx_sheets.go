package reports

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// The sheets of each report's workbook: its Summary rows, its tables and its charts.

// summaryRow is one headline number of the Summary sheet. A row without a value shows its
// note instead (a locked section, or a number that does not exist, like a trend without a
// previous period).
type summaryRow struct {
	label   string
	field   string   // the report's JSON field, which a definition may name too
	aliases []string // other names a definition may use
	kind    colKind
	value   any
	note    string
}

// appointments lays out the appointments report: Summary, Charts, the four tables, About.
func (b *reportBook) appointments(g *GatedAppointments) error {
	a := g.AppointmentAnalytics
	rows := []summaryRow{
		{label: "Appointments", field: "total", aliases: []string{"Total", "Total appointments"}, kind: colCount, value: a.Total},
		b.trendRow(g),
		b.gatedPercent(g, "Cancellation rate", "cancellation_rate_percent", a.CancellationRatePercent),
		b.gatedPercent(g, "No-show rate", "no_show_rate_percent", a.NoShowRatePercent),
		{label: "Days in the period", field: "period_days", aliases: []string{"Period days", "Period"}, kind: colCount, value: int64(a.PeriodDays)},
	}
	if !g.Includes("total") {
		rows[0] = b.lockedRow(g, rows[0])
	}
	if err := b.summary(b.periodHeading(), rows, b.lockedLines(g.Locked)); err != nil {
		return err
	}
	tables := apptTables(g)
	charts := apptCharts(tables)
	tables, charts = b.withComparison(tables, charts)
	return b.tablesAndCharts(tables, charts)
}

// tablesAndCharts writes the Charts sheet (when there are charts), each table on its sheet,
// then the charts over them.
func (b *reportBook) tablesAndCharts(tables []*bookTable, charts []bookChart) error {
	if err := b.chartsSheet(len(charts)); err != nil {
		return err
	}
	for _, t := range tables {
		if err := b.writeTable(t); err != nil {
			return err
		}
	}
	return b.addCharts(charts)
}

// trendRow is the booking trend, or why there is none.
func (b *reportBook) trendRow(g *GatedAppointments) summaryRow {
	r := summaryRow{label: "Booking trend", field: "booking_trend_percent", aliases: []string{"Booking trend percent", "Trend"}, kind: colPercent}
	switch {
	case !g.Includes(r.field):
		return b.lockedRow(g, r)
	case g.BookingTrendPercent == nil:
		r.note = fmt.Sprintf("None: nothing to compare in the %d days before", g.PeriodDays)
	default:
		r.value = *g.BookingTrendPercent
	}
	return r
}

// gatedPercent is a percentage row, or the plan that adds it.
func (b *reportBook) gatedPercent(g *GatedAppointments, label, field string, v float64) summaryRow {
	r := summaryRow{label: label, field: field, kind: colPercent, value: v}
	if !g.Includes(field) {
		return b.lockedRow(g, r)
	}
	return r
}

// lockedRow replaces a row's number with the plan that adds it.
func (b *reportBook) lockedRow(g *GatedAppointments, r summaryRow) summaryRow {
	for _, l := range g.Locked {
		for _, f := range l.Fields {
			if f == r.field {
				r.value, r.note = nil, l.Plan.String()+" adds it"
				if b.d.Plan != "" {
					r.note += " (not in " + b.d.Plan + ")"
				}
			}
		}
	}
	return r
}

// lockedNote says which plan adds a section, e.g. "Not in the STARTER plan: PROFESSIONAL adds
// Advanced analytics".
func lockedNote(l LockedSection, plan string) string {
	name := l.Feature
	if f, ok := license.FeatureByCode(l.Feature); ok {
		name = f.Name
	}
	in := "Not in this plan"
	if plan != "" {
		in = "Not in the " + plan + " plan"
	}
	return in + ": " + l.Plan.String() + " adds " + name
}

// lockedLines are the Summary's closing lines on what the plan leaves out: the front end's
// words (Provenance.Locked) when it gave them, else the report's locked sections.
func (b *reportBook) lockedLines(locked []LockedSection) []string {
	if len(b.d.Locked) > 0 {
		return b.d.Locked
	}
	var out []string
	for _, l := range locked {
		out = append(out, lockedNote(l, b.d.Plan))
	}
	return out
}

// apptTables are the appointments report's tables the plan includes.
func apptTables(g *GatedAppointments) []*bookTable {
	var out []*bookTable
	if g.Includes("daily_breakdown") {
		out = append(out, byDayTable(g.DailyBreakdown))
	}
	if g.Includes("by_status") {
		t := &bookTable{sheet: sheetByStatus, name: "ByStatus", cols: []tableCol{{"Status", colText}, {"Appointments", colCount}}}
		for _, st := range data.AppointmentStatuses().All() {
			t.rows = append(t.rows, []any{StatusLabel(st), g.ByStatus[string(st)]})
		}
		out = append(out, t)
	}
	if g.Includes("by_service") {
		out = append(out, namedTable(sheetByService, "ByService", "Service", g.ByService))
	}
	if g.Includes("by_resource") {
		out = append(out, namedTable(sheetByResource, "ByResource", "Resource", g.ByResource))
	}
	if g.Includes("busy_hours") {
		out = append(out, busyHoursTable(g.BusyHours))
	}
	return out
}

// byDayTable is one row per local date: a column per status, then the day's total.
func byDayTable(days []DayCount) *bookTable {
	t := &bookTable{sheet: sheetByDay, name: "ByDay", cols: []tableCol{{"Date", colDate}}}
	statuses := data.AppointmentStatuses().All()
	for _, st := range statuses {
		t.cols = append(t.cols, tableCol{StatusLabel(st), colCount})
	}
	t.cols = append(t.cols, tableCol{"Total", colCount})
	for _, d := range days {
		row := []any{d.Date}
		for _, st := range statuses {
			row = append(row, d.StatusBreakdown[string(st)])
		}
		t.rows = append(t.rows, append(row, d.Count))
	}
	return t
}

// namedTable is by_service or by_resource: id, name, count, largest first as in the report.
func namedTable(sheet, name, what string, counts []NamedCount) *bookTable {
	t := &bookTable{sheet: sheet, name: name, cols: []tableCol{{"ID", colID}, {what, colText}, {"Appointments", colCount}}}
	for _, c := range counts {
		t.rows = append(t.rows, []any{c.ID, c.Name, c.Count})
	}
	return t
}

// revenue lays out the revenue report: Summary, Charts, by day, by service, About.
func (b *reportBook) revenue(r *RevenueAnalytics) error {
	rows := []summaryRow{
		{label: "Revenue", field: "total_revenue_cents", aliases: []string{"Total revenue"}, kind: colMoney, value: r.TotalRevenueCents},
		{label: "Transactions", field: "transaction_count", aliases: []string{"Transaction count", "Payments"}, kind: colCount, value: r.TransactionCount},
		{label: "Average transaction value", field: "average_transaction_value_cents", aliases: []string{"Average transaction"}, kind: colMoney, value: r.AverageTransactionValueCents},
		{label: "Currency", field: "currency", kind: colText, value: r.Currency},
		{label: "Days in the period", field: "period_days", aliases: []string{"Period days", "Period"}, kind: colCount, value: int64(r.PeriodDays)},
	}
	if err := b.summary(b.periodHeading(), rows, b.d.Locked); err != nil {
		return err
	}
	day := &bookTable{sheet: sheetByDay, name: "RevenueByDay", cols: []tableCol{{"Date", colDate}, {"Revenue", colMoney}, {"Transactions", colCount}}}
	for _, d := range r.DailyBreakdown {
		day.rows = append(day.rows, []any{d.Date, d.RevenueCents, d.TransactionCount})
	}
	svc := &bookTable{sheet: sheetByService, name: "RevenueByService", cols: []tableCol{{"ID", colID}, {"Service", colText}, {"Revenue", colMoney}, {"Transactions", colCount}}}
	for _, s := range r.ByService {
		svc.rows = append(svc.rows, []any{s.ServiceID, s.ServiceName, s.RevenueCents, s.Count})
	}
	charts := revenueCharts(day, moneyNumFmt(b.currency))
	tables, charts := b.withComparison([]*bookTable{day, svc}, charts)
	return b.tablesAndCharts(tables, charts)
}

// dashboard lays out the dashboard: its numbers on the Summary sheet, then About.
func (b *reportBook) dashboard(d *Dashboard) error {
	day := summaryRow{label: "Peak booking day", field: "peak_booking_day", aliases: []string{"Peak day"}, kind: colText, note: "None yet: no past appointments"}
	if d.PeakBookingDay != nil {
		day.value = *d.PeakBookingDay
	}
	hour := summaryRow{label: "Peak booking hour", field: "peak_booking_hour", aliases: []string{"Peak hour"}, kind: colHour, note: day.note}
	if d.PeakBookingHour != nil {
		hour.value = *d.PeakBookingHour
	}
	rows := []summaryRow{
		{label: "Appointments this month", field: "total_appointments_this_month", aliases: []string{"This month"}, kind: colCount, value: d.TotalAppointmentsThisMonth},
		{label: d.AllTimeLabel(), field: "total_appointments_all_time", aliases: []string{"Appointments, all time", "All time", "Appointments all time"}, kind: colCount, value: d.TotalAppointmentsAllTime},
		{label: "Active resources", field: "active_resources_count", kind: colCount, value: d.ActiveResourcesCount},
		{label: "Active services", field: "active_services_count", kind: colCount, value: d.ActiveServicesCount},
		{label: "Upcoming appointments", field: "upcoming_appointments_count", aliases: []string{"Upcoming"}, kind: colCount, value: d.UpcomingAppointmentsCount},
		{label: "Average appointment duration (minutes)", field: "average_appointment_duration_minutes", aliases: []string{"Average appointment duration", "Average duration"}, kind: colDecimal, value: d.AverageAppointmentDurationMinutes},
		day, hour,
		{label: "First day of the month", field: "period.start_date", aliases: []string{"start_date", "Period start"}, kind: colDate, value: d.Period.StartDate},
		{label: "Last day of the month", field: "period.end_date", aliases: []string{"end_date", "Period end"}, kind: colDate, value: d.Period.EndDate},
	}
	heading := []string{"Month: " + license.FormatISODate(d.Period.StartDate) + " – " + license.FormatISODate(d.Period.EndDate),
		"Average duration and peaks: " + d.SinceNote()}
	if err := b.summary(append(heading, b.contextLines()...), rows, b.d.Locked); err != nil {
		return err
	}
	return b.dashboardDays(b.d.DashboardDays)
}

// dashboardDays adds the Dashboard's "Last 30 days" section the plan includes: the Charts
// sheet (appointments per day by status, by status), the By day and By status tables they
// draw, and Busy hours. Without the section nothing is added (the Summary's notes name the
// plan that adds it).
func (b *reportBook) dashboardDays(g *GatedAppointments) error {
	if g == nil {
		return nil
	}
	var tables []*bookTable
	for _, t := range apptTables(g) {
		if t.sheet == sheetByDay || t.sheet == sheetByStatus || t.sheet == sheetBusyHours {
			tables = append(tables, t)
		}
	}
	charts := apptCharts(tables)
	return b.tablesAndCharts(tables, charts)
}

// periodHeading is the Summary's lines under the title for a period report.
func (b *reportBook) periodHeading() []string {
	var out []string
	if b.d.Period != "" {
		out = append(out, "Period: "+b.d.Period)
	}
	filters := b.d.Filters
	if filters == "" {
		filters = "none"
	}
	return append(append(out, "Filters: "+filters), b.contextLines()...)
}

// contextLines say where the numbers come from: zone, freshness, plan.
func (b *reportBook) contextLines() []string {
	var out []string
	if tz := b.d.TimeZone; tz != "" {
		out = append(out, "Dates in the time zone "+tz)
	}
	if b.d.DataAsOf != "" {
		out = append(out, b.d.DataAsOf)
	}
	if b.d.Plan != "" {
		out = append(out, "Plan: "+b.d.Plan)
	}
	return out
}

// summary writes the Summary sheet: a title, the heading lines, a Metric | Value | Definition
// table, then what the plan leaves out and any definitions no row took.
func (b *reportBook) summary(heading []string, rows []summaryRow, locked []string) error {
	if err := b.newSheet(sheetSummary); err != nil {
		return err
	}
	w := &sheetWriter{f: b.f, sheet: sheetSummary}
	title := b.d.Report + " report"
	if b.d.Business != "" {
		title = b.d.Business + " — " + title
	}
	w.put(1, title, b.st.title)
	for _, h := range heading {
		w.next()
		w.put(1, h, 0)
	}
	w.next()
	w.next()
	for i, h := range []string{"Metric", "Value", "Definition"} {
		w.put(i+1, h, b.st.header)
	}
	used := map[int]bool{}
	labelWidth := 10.0
	for _, r := range rows {
		w.next()
		w.put(1, r.label, b.st.label)
		if r.value != nil {
			c := b.typedCell(r.kind, r.value)
			if c.StyleID == 0 {
				c.StyleID = b.st.top
			}
			w.cell(2, c)
		} else {
			w.put(2, r.note, b.st.note)
		}
		def := b.definitionOf(r, used)
		w.put(3, def, b.st.wrap)
		w.fitLines(wrappedLines(r.note, valueWidth*7/8), wrappedLines(def, definitionWidth*5/4))
		labelWidth = max(labelWidth, float64(len([]rune(r.label)))+2)
	}
	b.comparisonBlock(w, rows)
	b.summaryTail(w, locked, used)
	if w.err != nil {
		return w.err
	}
	if err := b.summaryWidths(min(labelWidth, 64)); err != nil {
		return err
	}
	return b.pageSetup(sheetSummary, 0)
}

// summaryTail lists what the plan leaves out and the definitions no row took.
func (b *reportBook) summaryTail(w *sheetWriter, locked []string, used map[int]bool) {
	if len(locked) > 0 {
		w.next()
		w.next()
		w.put(1, "Not in this plan", b.st.header)
		for _, l := range locked {
			w.next()
			w.put(1, l, b.st.line) // runs on over the empty cells beside it
		}
	}
	first := true
	for i, def := range b.d.Definitions {
		if used[i] {
			continue
		}
		if first {
			w.next()
			w.next()
			w.put(1, "More definitions", b.st.header)
			first = false
		}
		w.next()
		w.put(1, def.Metric, b.st.label)
		w.put(3, def.Text, b.st.wrap)
		w.fitLines(wrappedLines(def.Text, definitionWidth*5/4))
	}
}

// Widths of the Summary's value and definition columns, in characters.
const (
	valueWidth      = 30
	definitionWidth = 90
)

// wrappedLines estimates how many lines text takes in a wrapped column holding perLine
// characters a line (a column's width counts digits: about a quarter more letters of plain
// prose fit, fewer of italics).
func wrappedLines(text string, perLine int) int {
	n := utf8.RuneCountInString(text)
	return max(1, (n+perLine-1)/perLine)
}

// summaryWidths fits the Summary's columns: labels, values, and definitions that wrap.
func (b *reportBook) summaryWidths(label float64) error {
	for _, c := range []struct {
		col string
		w   float64
	}{{"A", label}, {"B", valueWidth}, {"C", definitionWidth}} {
		if err := b.f.SetColWidth(sheetSummary, c.col, c.col, c.w); err != nil {
			return err
		}
	}
	return nil
}

// definitionOf is the definition a row's metric has in the provenance, by its label, its JSON
// field or an alias, ignoring case, spaces and punctuation; used marks it taken.
func (b *reportBook) definitionOf(r summaryRow, used map[int]bool) string {
	names := map[string]bool{normName(r.label): true, normName(r.field): true}
	for _, a := range r.aliases {
		names[normName(a)] = true
	}
	for i, d := range b.d.Definitions {
		if !used[i] && names[normName(d.Metric)] {
			used[i] = true
			return d.Text
		}
	}
	return ""
}

// normName keeps the letters and digits of s, in lower case.
func normName(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			sb.WriteRune(unicode.ToLower(r))
		}
	}
	return sb.String()
}

// sheetWriter writes cells of a normal sheet row by row, keeping the first error.
type sheetWriter struct {
	f     *excelize.File
	sheet string
	row   int
	err   error
}

func (w *sheetWriter) next() { w.row++ }

// fitLines sets the row's height for its tallest wrapped cell: spreadsheets do not all grow a
// row for wrapped text when they open a file (LibreOffice does not).
func (w *sheetWriter) fitLines(lines ...int) {
	n := 1
	for _, l := range lines {
		n = max(n, l)
	}
	if w.err == nil && n > 1 {
		w.err = w.f.SetRowHeight(w.sheet, w.row, min(15*float64(n), excelize.MaxRowHeight))
	}
}

// put writes a text cell with a style (0 for none).
func (w *sheetWriter) put(col int, v string, style int) {
	w.cell(col, excelize.Cell{StyleID: style, Value: v})
}

// cell writes a typed cell.
func (w *sheetWriter) cell(col int, c excelize.Cell) {
	if w.err != nil {
		return
	}
	if w.row == 0 {
		w.row = 1
	}
	ref, err := excelize.CoordinatesToCellName(col, w.row)
	if err == nil {
		err = w.f.SetCellValue(w.sheet, ref, c.Value)
	}
	if err == nil && c.StyleID != 0 {
		err = w.f.SetCellStyle(w.sheet, ref, ref, c.StyleID)
	}
	w.err = err
}

// about writes the provenance, one field per row, as the dataset exports' About sheet does.
func (b *reportBook) about() error {
	if err := b.newSheet(sheetAbout); err != nil {
		return err
	}
	w := &sheetWriter{f: b.f, sheet: sheetAbout}
	for _, kv := range b.aboutRows() {
		w.next()
		w.put(1, kv[0], b.st.label)
		w.put(2, kv[1], b.st.wrap)
	}
	if w.err != nil {
		return w.err
	}
	if err := b.f.SetColWidth(sheetAbout, "A", "A", 24); err != nil {
		return err
	}
	return b.f.SetColWidth(sheetAbout, "B", "B", 90)
}

// aboutRows flattens the provenance into label/value pairs.
func (b *reportBook) aboutRows() [][2]string {
	p := b.d.Provenance
	dataAsOf := p.DataAsOf
	if dataAsOf == "" {
		dataAsOf = "never synced"
	}
	rows := [][2]string{
		{"report", p.Report}, {"business", p.Business}, {"tenant_id", p.TenantID},
		{"period", p.Period}, {"filters", p.Filters}, {"timezone", p.TimeZone},
		{"currency", b.currency}, {"data_as_of", dataAsOf}, {"plan", p.Plan},
		{"app_version", p.Version}, {"generated", p.Generated},
	}
	for _, l := range p.Locked {
		rows = append(rows, [2]string{"locked", l})
	}
	for _, d := range p.Definitions {
		rows = append(rows, [2]string{"definition: " + d.Metric, d.Text})
	}
	sheets := b.f.GetSheetList()
	return append(rows,
		[2]string{"sheets", strings.Join(sheets, ", ")},
		[2]string{"notes", "Every number is the report's own value, as its JSON prints it: counts as numbers, money in " +
			b.currency + " with its currency format, percentages as percentages, dates as the tenant's local dates. " +
			"The charts read the cells of the table sheets, so they follow any change made there."})
}
