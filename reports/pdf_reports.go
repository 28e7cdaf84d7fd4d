package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// The pages of the three reports in a PDF. The dashboard fits one page (two with long
// notes); appointments and revenue open with the headline numbers and charts, then the tables.
// The daily breakdown is a compact table up to pdfDailyTableDays days, the page-1 chart past it.

// pdfDailyTableDays is the longest period whose daily breakdown is printed as a table.
const pdfDailyTableDays = 62

// pdfTopBars is how many services a bar chart shows; the tables list them all.
const pdfTopBars = 10

func (p *pdfDoc) dashboard(db Dashboard) {
	p.f.AddPage()
	zone := nonEmpty(p.d.TimeZone, db.Tenant.TimeZone)
	p.title("Dashboard", fmt.Sprintf("This month: %s, local dates in %s", isoRange(db.Period.StartDate, db.Period.EndDate), zone))
	p.provenance()
	day, hour := "—", "—"
	if db.PeakBookingDay != nil {
		day = *db.PeakBookingDay
	}
	if db.PeakBookingHour != nil {
		hour = fmt.Sprintf("%02d:00–%02d:59", *db.PeakBookingHour, *db.PeakBookingHour)
	}
	since := db.SinceNote()
	p.heading("This month", 26)
	p.cards([]pdfCard{
		{Label: "Appointments this month", Value: data.Thousands(db.TotalAppointmentsThisMonth), Note: "Every status, future ones included."},
		{Label: "Upcoming appointments", Value: data.Thousands(db.UpcomingAppointmentsCount), Note: "Scheduled or confirmed, starting after now."},
		{Label: "Active resources", Value: data.Thousands(db.ActiveResourcesCount), Note: "Staff, rooms and equipment marked active."},
		{Label: "Active services", Value: data.Thousands(db.ActiveServicesCount), Note: "Services marked active."},
	}, 4, 24)
	p.heading("History", 26)
	p.cards([]pdfCard{
		{Label: "Appointments, all time", Value: data.Thousands(db.TotalAppointmentsAllTime), Note: db.AllTimeLabel() + "."},
		{Label: "Average duration", Value: fmt.Sprintf("%.2f min", db.AverageAppointmentDurationMinutes), Note: "Mean scheduled length (end – start)."},
		{Label: "Peak booking day", Value: day, Note: "The weekday with the most, by local start date."},
		{Label: "Peak booking hour", Value: hour, Note: "The local hour in which the most began."},
	}, 4, 24)
	p.caption(pdfMargin, p.cw, "Average duration, peak day and peak hour: "+since)
	p.dashboardDays(p.d.DashboardDays)
	p.notes(p.d.Locked)
}

func (p *pdfDoc) appointments(g GatedAppointments) {
	a := g.AppointmentAnalytics
	p.f.AddPage()
	zone := nonEmpty(a.TimeZone, p.d.TimeZone)
	p.title("Appointments", fmt.Sprintf("%s, %d days, local dates in %s", isoRange(a.From, a.To), a.PeriodDays, zone))
	p.provenance()
	p.cards(apptCards(g), 4, 24)
	p.apptComparison(a)
	if !g.Includes("total") {
		p.lockedBlock("Counts, charts and tables", g.lockedPlan("total"))
		p.busyHours(g)
		p.notes(p.lockedWords(g))
		return
	}
	p.apptCharts(a)
	page := p.f.PageNo()
	p.busyHours(g)
	if p.f.PageNo() == page { // the tables start a page, unless the heatmap just did
		p.f.AddPage()
	}
	p.apptTables(a)
	p.notes(p.lockedWords(g))
}

// apptCards are the headline numbers; a locked one names the plan that adds it.
func apptCards(g GatedAppointments) []pdfCard {
	a := g.AppointmentAnalytics
	trend := "—"
	if a.BookingTrendPercent != nil {
		trend = fmt.Sprintf("%+.2f%%", *a.BookingTrendPercent)
	}
	cards := []pdfCard{
		{Label: "Appointments", Value: data.Thousands(a.Total), Note: "Every status unless filtered."},
		{Label: "Booking trend", Value: trend, Note: "Against the same number of days just before."},
		{Label: "Cancellation rate", Value: fmt.Sprintf("%.2f%%", a.CancellationRatePercent), Note: "Cancelled ÷ total."},
		{Label: "No-show rate", Value: fmt.Sprintf("%.2f%%", a.NoShowRatePercent), Note: "No-shows ÷ total."},
	}
	fields := []string{"total", "booking_trend_percent", "cancellation_rate_percent", "no_show_rate_percent"}
	for i, fld := range fields {
		if !g.Includes(fld) {
			cards[i] = pdfCard{Label: cards[i].Label, Value: "Included in " + g.lockedPlan(fld), Note: "Not in the plan this report was made on.", Locked: true}
		}
	}
	return cards
}

// lockedPlan names the plan that adds field.
func (g GatedAppointments) lockedPlan(field string) string {
	for _, l := range g.Locked {
		for _, f := range l.Fields {
			if f == field {
				return l.Plan.String()
			}
		}
	}
	return "a higher plan"
}

// lockedWords lists the locked sections for the notes: the provenance's words, else the
// report's own list in the registry's names.
func (p *pdfDoc) lockedWords(g GatedAppointments) []string {
	if len(p.d.Locked) > 0 {
		return p.d.Locked
	}
	var out []string
	for _, l := range g.Locked {
		name := l.Feature
		if f, ok := license.FeatureByCode(l.Feature); ok {
			name = f.Name
		}
		out = append(out, name+": "+l.Plan.String())
	}
	return out
}

// lockedBlock says, in place of a section, which plan adds it.
func (p *pdfDoc) lockedBlock(what, plan string) {
	p.heading(what, 12)
	p.font(false, 10)
	p.f.SetX(pdfMargin)
	p.f.MultiCell(p.cw, 5, what+" are included in the "+plan+" plan; the plan this report was made on leaves them out.", "", "L", false)
}

// apptCharts draws page 1's charts: the daily lines by status, then by status and by service.
func (p *pdfDoc) apptCharts(a AppointmentAnalytics) {
	p.dailyStatusChart(a)
	status := statusBars(a)
	var svc []pdfBar
	for _, s := range a.ByService[:min(pdfTopBars, len(a.ByService))] {
		svc = append(svc, pdfBar{Label: s.Name, Value: float64(s.Count), Text: data.Thousands(s.Count), Color: pdfAccent})
	}
	const gap = 8.0
	w := (p.cw - gap) / 2
	p.room(7 + float64(max(len(status), len(svc)))*5.8 + 4)
	y := p.f.GetY() + 4
	y1 := p.barChart(pdfMargin, y, w, "By status", status)
	y2 := p.barChart(pdfMargin+w+gap, y, w, topTitle("By service", len(svc), len(a.ByService)), svc)
	p.f.SetXY(pdfMargin, max(y1, y2))
}

// dailyStatusChart draws the daily lines by status, full width (with the document's
// comparison when it has one).
func (p *pdfDoc) dailyStatusChart(a AppointmentAnalytics) {
	dates := make([]string, len(a.DailyBreakdown))
	var series []pdfSeries
	for _, st := range data.AppointmentStatuses().All() {
		s := pdfSeries{Name: StatusLabel(st), Color: StatusColor(st), Dash: pdfDash[st], Values: make([]float64, len(a.DailyBreakdown))}
		for i, d := range a.DailyBreakdown {
			dates[i] = d.Date
			s.Values[i] = float64(d.StatusBreakdown[string(st)])
		}
		if a.ByStatus[string(st)] > 0 || a.Total == 0 {
			series = append(series, s)
		}
	}
	title := "Daily appointments by status"
	if len(dates) > pdfDailyTableDays {
		// A year of days zigzags with the week: the mean of each day and the 6 before it reads.
		title += " (7-day average)"
		for i := range series {
			series[i].Values = trailingMean(series[i].Values, 7)
		}
	}
	if cs, ct := p.comparedApptLines(a); cs != nil {
		series, title = cs, ct
	}
	p.room(86)
	y := p.f.GetY() + 2
	p.lineChart(pdfMargin, y, p.cw, 82, title, dates, series, countLabel)
}

// statusBars are the period's counts by status as bars, every status in its colour.
func statusBars(a AppointmentAnalytics) []pdfBar {
	var out []pdfBar
	for _, st := range data.AppointmentStatuses().All() {
		n := a.ByStatus[string(st)]
		out = append(out, pdfBar{Label: StatusLabel(st), Value: float64(n), Text: data.Thousands(n), Color: StatusColor(st)})
	}
	return out
}

// topTitle says when a chart shows only the first n of all.
func topTitle(title string, n, all int) string {
	if n < all {
		return fmt.Sprintf("%s (top %d of %d)", title, n, all)
	}
	return title
}

// apptTables prints the tables: by status, by service and by resource, the daily breakdown.
func (p *pdfDoc) apptTables(a AppointmentAnalytics) {
	var status [][]string
	for _, st := range data.AppointmentStatuses().All() {
		n := a.ByStatus[string(st)]
		status = append(status, []string{StatusLabel(st), data.Thousands(n), share(n, a.Total)})
	}
	p.heading("By status", tableHeight(len(status)))
	p.table(pdfMargin, []pdfCol{{"Status", 50, "L"}, {"Appointments", 30, "R"}, {"Share", 25, "R"}}, status)
	named := func(rows []NamedCount) [][]string {
		out := [][]string{}
		for _, r := range rows {
			out = append(out, []string{r.Name, strconv.FormatInt(r.ID, 10), data.Thousands(r.Count), share(r.Count, a.Total)})
		}
		return out
	}
	cols := func(what string) []pdfCol {
		return []pdfCol{{what, 46, "L"}, {"ID", 10, "R"}, {"Count", 16, "R"}, {"Share", 14, "R"}}
	}
	p.f.Ln(2)
	p.pair([2]string{"By service", "By resource"}, [2][]pdfCol{cols("Service"), cols("Resource")}, [2][][]string{named(a.ByService), named(a.ByResource)})
	p.dailyAppointments(a)
}

// share is part of whole as a percentage with one decimal.
func share(part, whole int64) string {
	if whole == 0 {
		return "—"
	}
	return strconv.FormatFloat(float64(part)*100/float64(whole), 'f', 1, 64) + "%"
}

// dailyAppointments prints the daily breakdown as a compact table, or says where the chart is.
func (p *pdfDoc) dailyAppointments(a AppointmentAnalytics) {
	if len(a.DailyBreakdown) > pdfDailyTableDays {
		p.heading("Daily breakdown", 10)
		p.caption(pdfMargin, p.cw, longPeriodNote(len(a.DailyBreakdown)))
		return
	}
	cols := []pdfCol{{"Date", 10, "L"}, {"Total", 8, "R"}}
	for _, st := range data.AppointmentStatuses().All() {
		cols = append(cols, pdfCol{StatusLabel(st), 8, "R"})
	}
	rows := make([][]string, 0, len(a.DailyBreakdown))
	for _, d := range a.DailyBreakdown {
		r := []string{d.Date, data.Thousands(d.Count)}
		for _, st := range data.AppointmentStatuses().All() {
			r = append(r, data.Thousands(d.StatusBreakdown[string(st)]))
		}
		rows = append(rows, r)
	}
	p.heading("Daily breakdown", tableHeight(4))
	p.caption(pdfMargin, p.cw, "One row per local date of the period, zeros included.")
	p.f.Ln(1)
	p.compact(cols, rows, 2)
}

func (p *pdfDoc) revenue(r RevenueAnalytics) {
	cur := nonEmpty(r.Currency, p.d.Tenant.Currency)
	money := func(c int64) string { return pdfMoney(c, cur) }
	p.f.AddPage()
	zone := nonEmpty(r.TimeZone, p.d.TimeZone)
	p.title("Revenue", fmt.Sprintf("%s, %d days, local dates in %s, in %s", isoRange(r.From, r.To), r.PeriodDays, zone, cur))
	p.provenance()
	p.cards([]pdfCard{
		{Label: "Total revenue", Value: money(r.TotalRevenueCents), Note: "Succeeded payments in " + cur + ", by the local date paid."},
		{Label: "Transactions", Value: data.Thousands(r.TransactionCount), Note: "Number of those succeeded payments."},
		{Label: "Average transaction value", Value: money(r.AverageTransactionValueCents), Note: "Total revenue ÷ transactions."},
	}, 3, 24)
	p.revenueComparison(r, cur)
	dates := make([]string, len(r.DailyBreakdown))
	values := make([]float64, len(r.DailyBreakdown))
	for i, d := range r.DailyBreakdown {
		dates[i], values[i] = d.Date, float64(d.RevenueCents)
	}
	axis := func(v float64) string { return moneyAxis(int64(math.Round(v)), cur) }
	p.room(74)
	y := p.f.GetY() + 2
	if cs, ct := p.comparedRevenueLines(r); cs != nil {
		p.lineChart(pdfMargin, y, p.cw, 70, ct, dates, cs, axis)
	} else if len(values) <= pdfDailyTableDays {
		p.columnChart(pdfMargin, y, p.cw, 70, "Daily revenue", dates, values, pdfAccent, axis)
	} else {
		p.lineChart(pdfMargin, y, p.cw, 70, "Daily revenue (7-day average)", dates, []pdfSeries{{Name: "Revenue", Color: pdfAccent, Width: 0.5, Values: trailingMean(values, 7)}}, axis)
	}
	var bars []pdfBar
	for _, s := range r.ByService[:min(pdfTopBars, len(r.ByService))] {
		bars = append(bars, pdfBar{Label: s.ServiceName, Value: float64(s.RevenueCents), Text: money(s.RevenueCents), Color: pdfAccent})
	}
	p.room(7 + float64(len(bars))*5.8 + 4)
	p.barChart(pdfMargin, p.f.GetY()+4, p.cw*0.7, topTitle("Revenue by service", len(bars), len(r.ByService)), bars)
	p.f.AddPage()
	p.revenueTables(r, money)
	p.notes(p.d.Locked)
}

// moneyAxis is an axis label: the amount without a zero fraction.
func moneyAxis(minor int64, cur string) string {
	return strings.TrimSuffix(pdfMoney(minor, cur), ".00")
}

func (p *pdfDoc) revenueTables(r RevenueAnalytics, money func(int64) string) {
	rows := [][]string{}
	for _, s := range r.ByService {
		rows = append(rows, []string{s.ServiceName, strconv.FormatInt(s.ServiceID, 10), data.Thousands(s.Count), money(s.RevenueCents), share(s.RevenueCents, r.TotalRevenueCents)})
	}
	p.heading("By service", tableHeight(min(len(rows), 4)))
	p.table(pdfMargin, []pdfCol{{"Service", 70, "L"}, {"ID", 14, "R"}, {"Transactions", 26, "R"}, {"Revenue", 36, "R"}, {"Share", 18, "R"}}, rows)
	if len(r.DailyBreakdown) > pdfDailyTableDays {
		p.heading("Daily breakdown", 10)
		p.caption(pdfMargin, p.cw, longPeriodNote(len(r.DailyBreakdown)))
		return
	}
	daily := make([][]string, 0, len(r.DailyBreakdown))
	for _, d := range r.DailyBreakdown {
		daily = append(daily, []string{d.Date, data.Thousands(d.TransactionCount), money(d.RevenueCents)})
	}
	p.heading("Daily breakdown", tableHeight(4))
	p.caption(pdfMargin, p.cw, "One row per local date of the period, zeros included.")
	p.f.Ln(1)
	p.compact([]pdfCol{{"Date", 10, "L"}, {"Transactions", 10, "R"}, {"Revenue", 10, "R"}}, daily, 3)
}

// trailingMean is each value's mean with up to n-1 values before it.
func trailingMean(vs []float64, n int) []float64 {
	out := make([]float64, len(vs))
	sum := 0.0
	for i, v := range vs {
		sum += v
		if i >= n {
			sum -= vs[i-n]
		}
		out[i] = sum / float64(min(i+1, n))
	}
	return out
}

// longPeriodNote says where the days of a period too long for a daily table are.
func longPeriodNote(days int) string {
	return fmt.Sprintf("The period has %d days, so the daily breakdown is the chart on page 1 (as 7-day averages); the Excel report and the JSON list every day.", days)
}
