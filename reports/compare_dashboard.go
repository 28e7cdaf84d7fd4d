package reports

import (
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// DashboardNotCompared are the dashboard numbers a comparison leaves out, in the dashboard's
// order: they describe now (active resources and services, upcoming bookings) or the whole
// history window (all time, average duration, peaks), not the month, so no earlier period has
// a value of them (docs/metrics.md, "Comparisons").
var DashboardNotCompared = []string{"total_appointments_all_time", "active_resources_count", "active_services_count",
	"upcoming_appointments_count", "average_appointment_duration_minutes", "peak_booking_day", "peak_booking_hour"}

// MonthPeriod is the dashboard's period, the whole current calendar month, as a Period.
func (d Dashboard) MonthPeriod() Period {
	p := Period{Kind: PeriodThisMonth, From: d.Period.StartDate, To: d.Period.EndDate}
	f, err1 := time.Parse(data.DateLayout, p.From)
	t, err2 := time.Parse(data.DateLayout, p.To)
	if err1 == nil && err2 == nil {
		p.Days = daysBetween(f, t) + 1
	}
	return p
}

// DashboardComparisonPeriod is the month the dashboard is compared with under mode: previous is
// last month, whole; last-year the same month a year earlier. One starting before the window's
// cutoff is refused with *license.HistoryError naming the plan that reaches it.
func DashboardComparisonPeriod(d Dashboard, mode CompareMode, w license.Window) (Period, error) {
	return ResolveComparison(d.MonthPeriod(), mode, w)
}

// DashboardHeadlines are the dashboard numbers a comparison covers: the appointments of the
// month (every appointment starting in it, every status, future ones included).
func DashboardHeadlines(monthTotal int64) []Headline {
	return []Headline{{Field: "total_appointments_this_month", Value: float64(monthTotal)}}
}

// CompareDashboard is the dashboard's comparison with the month cp, whose appointments number
// prevTotal (an appointment report's total over cp counts them the same way).
func CompareDashboard(mode CompareMode, cp Period, d Dashboard, prevTotal int64) Comparison {
	c := Compare(mode, cp, DashboardHeadlines(d.TotalAppointmentsThisMonth), DashboardHeadlines(prevTotal))
	c.NotCompared = DashboardNotCompared
	return c
}
