package reports

import "fmt"

// dashboardDays prints the Dashboard's "Last 30 days" section as the screen shows it: the daily
// lines by status and the counts by status (each locked, with the plan that adds them, when the
// plan leaves the charts out), then the busy hours. Nothing is printed without the section; the
// notes then name the plan that adds it.
func (p *pdfDoc) dashboardDays(g *GatedAppointments) {
	if g == nil {
		return
	}
	a := g.AppointmentAnalytics
	p.heading(fmt.Sprintf("Last %d days", a.PeriodDays), 8)
	p.caption(pdfMargin, p.cw, fmt.Sprintf("%s, by local start date, every status.", isoRange(a.From, a.To)))
	if !g.Includes("daily_breakdown") {
		p.lockedBlock("Charts", g.lockedPlan("daily_breakdown"))
	} else {
		p.dailyStatusChart(a)
		status := statusBars(a)
		p.room(7 + float64(len(status))*5.8 + 4)
		y := p.barChart(pdfMargin, p.f.GetY()+4, (p.cw-8)/2, "By status", status)
		p.f.SetXY(pdfMargin, y)
	}
	p.busyHours(*g)
}
