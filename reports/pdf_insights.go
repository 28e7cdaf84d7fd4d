package reports

import (
	"fmt"
	"strconv"

	"github.com/almanac-app/almanac/data"
)

// The issue-15 sections of the PDF: the customers and staff reports' pages, the busy-hours
// heatmap of the appointments report, and the comparison of a report run with a comparison.
// Every number is the report's own, printed as the other pages print theirs.

// customers prints the customer insights: the headline numbers, the top customers and the
// lapsed customers (a table that runs on over as many pages as it needs, its header repeated).
func (p *pdfDoc) customers(c CustomerInsights) {
	money := func(v int64) string { return pdfMoney(v, nonEmpty(c.Currency, p.d.Tenant.Currency)) }
	p.f.AddPage()
	zone := nonEmpty(c.TimeZone, p.d.TimeZone)
	p.title("Customers", fmt.Sprintf("%s, %d days, local dates in %s; a visit is a completed appointment", isoRange(c.From, c.To), c.PeriodDays, zone))
	p.provenance()
	retention := "—"
	if c.RetentionRatePercent != nil {
		retention = fmt.Sprintf("%.2f%%", *c.RetentionRatePercent)
	}
	p.cards([]pdfCard{
		{Label: "New customers", Value: data.Thousands(c.NewCustomers), Note: "First visit ever in the period."},
		{Label: "Returning customers", Value: data.Thousands(c.ReturningCustomers), Note: "A visit in the period and one before it."},
		{Label: "Visiting customers", Value: data.Thousands(c.VisitingCustomers), Note: "A visit in the period (new + returning)."},
		{Label: "Retention rate", Value: retention, Note: fmt.Sprintf("Of the previous %d days' customers, the share who came back.", c.PeriodDays)},
		{Label: "Visits per customer", Value: fmt.Sprintf("%.2f", c.AverageVisitsPerCustomer), Note: "Visits ÷ visiting customers."},
		{Label: "Lapsed customers", Value: data.Thousands(int64(len(c.LapsedCustomers))), Note: fmt.Sprintf("No visit for more than %d days, nothing booked.", c.LapsedDays)},
	}, 3, 24)
	top := make([][]string, 0, len(c.TopCustomers))
	for i, t := range c.TopCustomers {
		top = append(top, []string{strconv.Itoa(i + 1), t.Name, strconv.FormatInt(t.ID, 10), data.Thousands(t.Visits), money(t.RevenueCents)})
	}
	p.heading(fmt.Sprintf("Top customers by revenue (up to %d)", TopCustomersLimit), tableHeight(min(len(top), 4)))
	p.rowsOrNone(scaleCols([]pdfCol{{"#", 8, "R"}, {"Name", 90, "L"}, {"ID", 14, "R"}, {"Visits", 20, "R"}, {"Revenue", 38, "R"}}, p.cw), top,
		"No customer paid in this period.")
	lapsed := make([][]string, 0, len(c.LapsedCustomers))
	for _, l := range c.LapsedCustomers {
		lapsed = append(lapsed, []string{l.Name, strconv.FormatInt(l.ID, 10), l.Email, l.Phone, l.LastVisit, data.Thousands(l.Visits), money(l.RevenueCents)})
	}
	p.heading(fmt.Sprintf("Lapsed customers (no visit for more than %d days, nothing booked): %s", c.LapsedDays, data.Thousands(int64(len(lapsed)))), tableHeight(min(len(lapsed), 4)))
	p.rowsOrNone(scaleCols([]pdfCol{{"Name", 38, "L"}, {"ID", 10, "C"}, {"Email", 48, "L"}, {"Phone", 26, "L"}, {"Last visit", 20, "L"}, {"Visits", 12, "R"}, {"Lifetime revenue", 26, "R"}}, p.cw),
		lapsed, "No lapsed customers.")
	p.notes(p.d.Locked)
}

// rowsOrNone prints a table, or a caption when it has no rows.
func (p *pdfDoc) rowsOrNone(cols []pdfCol, rows [][]string, none string) {
	if len(rows) == 0 {
		p.caption(pdfMargin, p.cw, none)
		return
	}
	p.table(pdfMargin, cols, rows)
}

// staff prints the staff report: the total and one row per resource.
func (p *pdfDoc) staff(r StaffReport) {
	money := func(v int64) string { return pdfMoney(v, nonEmpty(r.Currency, p.d.Tenant.Currency)) }
	p.f.AddPage()
	zone := nonEmpty(r.TimeZone, p.d.TimeZone)
	p.title("Staff and resources", fmt.Sprintf("%s, %d days, local dates in %s", isoRange(r.From, r.To), r.PeriodDays, zone))
	p.provenance()
	p.cards([]pdfCard{
		{Label: "Total appointments", Value: data.Thousands(r.TotalAppointments), Note: "Every resource, every status."},
		{Label: "Resources listed", Value: data.Thousands(int64(len(r.Resources))), Note: "With an appointment or revenue in the period."},
	}, 4, 24)
	rows := make([][]string, 0, len(r.Resources))
	for _, x := range r.Resources {
		rows = append(rows, []string{x.Name, strconv.FormatInt(x.ID, 10), data.Thousands(x.Appointments), data.Thousands(x.Visits),
			data.Thousands(x.Cancelled), data.Thousands(x.NoShow), fmt.Sprintf("%.2f%%", x.CancellationRatePercent),
			fmt.Sprintf("%.2f%%", x.NoShowRatePercent), fmt.Sprintf("%.2f", x.BookedHours), money(x.RevenueCents), fmt.Sprintf("%.2f%%", x.SharePercent)})
	}
	p.heading("Per resource (most appointments first)", tableHeight(min(len(rows), 4)))
	cols := []pdfCol{{"Resource", 34, "L"}, {"ID", 8, "R"}, {"Appts", 14, "R"}, {"Visits", 14, "R"}, {"Cancelled", 16, "R"},
		{"No-show", 14, "R"}, {"Cancel rate", 17, "R"}, {"No-show rate", 18, "R"}, {"Booked h", 15, "R"}, {"Revenue", 22, "R"}, {"Share", 14, "R"}}
	p.rowsOrNone(scaleCols(cols, p.cw), rows, "No appointments in this period.")
	p.notes(p.d.Locked)
}

// Geometry of the PDF's busy-hours heatmap, mm.
const (
	heatLabelW = 18.0 // the weekday names
	heatRowH   = 6.0
)

// heatCell is the box of the heatmap cell of weekday d (Monday 0) and hour hr, in a heatmap
// whose grid starts at (x, y) and is w mm wide (labels included).
func heatCell(x, y, w float64, d, hr int) (cx, cy, cw, ch float64) {
	cw = (w - heatLabelW) / 24
	return x + heatLabelW + float64(hr)*cw, y + float64(d)*heatRowH, cw, heatRowH
}

// busyHours prints the busy-hours heatmap when the plan includes it: shaded cells in the
// screen heatmap's colours (heat), each with its count, the hours under them and a legend.
// Locked, it is left out and the notes name the plan that adds it, as for the rates.
func (p *pdfDoc) busyHours(g GatedAppointments) {
	if !g.Includes("busy_hours") {
		return
	}
	grid := g.BusyHours
	maxN := busiest(grid)
	p.heading("Busy hours (appointments by local start weekday and hour)", 7*heatRowH+16)
	f := p.f
	x, y := pdfMargin, f.GetY()+1
	p.heatPage, p.heatY = f.PageNo(), y
	light := paletteFor(false)
	for d, name := range Weekdays {
		p.font(false, 7.5)
		p.text(pdfInk)
		_, cy, _, _ := heatCell(x, y, p.cw, d, 0)
		f.SetXY(x, cy)
		f.CellFormat(heatLabelW-1.5, heatRowH, name, "", 0, "R", false, 0, "")
		for hr := range 24 {
			n := busyCell(grid, d, hr)
			cx, cy, cw, ch := heatCell(x, y, p.cw, d, hr)
			p.fillC(heat(light, n, maxN))
			f.Rect(cx+0.15, cy+0.15, cw-0.3, ch-0.3, "F")
			if n > 0 {
				p.font(false, 6)
				p.text(pdfInk)
				if float64(n)/float64(maxN) > 0.55 {
					p.text([3]int{0xff, 0xff, 0xff})
				}
				f.SetXY(cx, cy)
				f.CellFormat(cw, ch, p.fit(strconv.FormatInt(n, 10), cw-0.4), "", 0, "C", false, 0, "")
			}
		}
	}
	p.font(false, 6.5)
	p.text(pdfMuted)
	for hr := range 24 {
		cx, cy, cw, _ := heatCell(x, y, p.cw, 6, hr)
		f.SetXY(cx, cy+heatRowH+0.5)
		f.CellFormat(cw, 3.5, fmt.Sprintf("%02d", hr), "", 0, "C", false, 0, "")
	}
	p.heatLegend(x+heatLabelW, y+7*heatRowH+5, maxN)
	p.text(pdfInk)
}

// heatLegend shows the colour scale: no appointments, then five steps up to the busiest cell.
func (p *pdfDoc) heatLegend(x, y float64, maxN int64) {
	f := p.f
	light := paletteFor(false)
	p.font(false, 7)
	p.text(pdfMuted)
	f.SetXY(x, y)
	f.CellFormat(14, 4, "Appointments:", "", 0, "L", false, 0, "")
	x += 19
	steps := []int64{0}
	for i := int64(1); i <= 5 && maxN > 0; i++ {
		if v := (maxN*i + 4) / 5; v > steps[len(steps)-1] {
			steps = append(steps, v)
		}
	}
	for _, v := range steps {
		p.fillC(heat(light, v, maxN))
		f.Rect(x, y+0.5, 6, 3, "F")
		f.SetXY(x+6.5, y)
		label := data.Thousands(v)
		if v == maxN && v > 0 {
			label += " (busiest)"
		}
		f.CellFormat(f.GetStringWidth(label)+1, 4, label, "", 0, "L", false, 0, "")
		x += 6.5 + f.GetStringWidth(label) + 4
	}
	f.SetXY(pdfMargin, y+6)
}

// comparison prints each headline number beside its value over the comparison period and the
// change, as the JSON's "comparison" object has them: percent for counts and money, "—" when
// the comparison value is 0, percentage points for rates.
func (p *pdfDoc) comparison(current map[string]float64, label func(field string) string, value func(field string, v float64) string) {
	c := p.d.Comparison
	if c == nil {
		return
	}
	rows := make([][]string, 0, len(c.Fields))
	for _, field := range c.Fields {
		rows = append(rows, []string{label(field), value(field, current[field]), value(field, c.Values[field]), changeWords(field, c.Changes[field])})
	}
	p.heading(fmt.Sprintf("Compared with %s (%s, %d days)", isoRange(c.Period.StartDate, c.Period.EndDate), compareWords(c.Period.Mode), c.Period.Days), tableHeight(len(rows)))
	p.table(pdfMargin, scaleCols([]pdfCol{{"Metric", 60, "L"}, {"This period", 40, "R"}, {"Comparison", 40, "R"}, {"Change", 40, "R"}}, p.cw), rows)
	p.f.Ln(2)
}

// changeWords is a change as printed: "+6.02%", "-0.10 pts" for a rate, "—" for none.
func changeWords(field string, ch *float64) string {
	switch {
	case ch == nil:
		return "—"
	case isRateField(field):
		return fmt.Sprintf("%+.2f pts", *ch)
	}
	return fmt.Sprintf("%+.2f%%", *ch)
}

// isRateField reports whether a headline field is a rate, whose change is in points.
func isRateField(field string) bool {
	return field == "cancellation_rate_percent" || field == "no_show_rate_percent"
}

// compareWords names a comparison mode for people.
func compareWords(m CompareMode) string {
	if m == CompareLastYear {
		return "the same dates last year"
	}
	return "the previous period"
}

// headlineLabels are the headline numbers' names in the documents.
var headlineLabels = map[string]string{
	"total": "Appointments", "cancellation_rate_percent": "Cancellation rate", "no_show_rate_percent": "No-show rate",
	"total_revenue_cents": "Total revenue", "transaction_count": "Transactions", "average_transaction_value_cents": "Average transaction value",
}

func headlineLabel(field string) string { return nonEmpty(headlineLabels[field], field) }

// apptComparison prints an appointments document's comparison.
func (p *pdfDoc) apptComparison(a AppointmentAnalytics) {
	cur := map[string]float64{"total": float64(a.Total), "cancellation_rate_percent": a.CancellationRatePercent, "no_show_rate_percent": a.NoShowRatePercent}
	p.comparison(cur, headlineLabel, func(field string, v float64) string {
		if isRateField(field) {
			return fmt.Sprintf("%.2f%%", v)
		}
		return data.Thousands(int64(v))
	})
}

// revenueComparison prints a revenue document's comparison.
func (p *pdfDoc) revenueComparison(r RevenueAnalytics, cur string) {
	now := map[string]float64{"total_revenue_cents": float64(r.TotalRevenueCents), "transaction_count": float64(r.TransactionCount),
		"average_transaction_value_cents": float64(r.AverageTransactionValueCents)}
	p.comparison(now, headlineLabel, func(field string, v float64) string {
		if field == "transaction_count" {
			return data.Thousands(int64(v))
		}
		return pdfMoney(int64(v), cur)
	})
}
