package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// DatePeriod is the dashboard's period: the current calendar month, local dates inclusive.
type DatePeriod struct {
	StartDate string `json:"start_date"`
	EndDate   string `json:"end_date"`
}

// Dashboard holds the dashboard numbers (seed 001); every plan may see them. Definitions are in
// docs/metrics.md; in short, in the tenant's time zone: this month is the whole current
// calendar month, future included; all time is every appointment from the history window's
// cutoff on (future included); average duration, peak day and peak hour are over the past ones
// among them (started at or before now), every status; upcoming means scheduled or confirmed
// and starting after now.
type Dashboard struct {
	TotalAppointmentsThisMonth        int64      `json:"total_appointments_this_month"`
	TotalAppointmentsAllTime          int64      `json:"total_appointments_all_time"`
	ActiveResourcesCount              int64      `json:"active_resources_count"`
	ActiveServicesCount               int64      `json:"active_services_count"`
	UpcomingAppointmentsCount         int64      `json:"upcoming_appointments_count"`
	AverageAppointmentDurationMinutes float64    `json:"average_appointment_duration_minutes"`
	PeakBookingDay                    *string    `json:"peak_booking_day"`
	PeakBookingHour                   *int       `json:"peak_booking_hour"`
	Period                            DatePeriod `json:"period"`

	// AllTimeFrom is the first local date "all time" counts ("" when the window is unlimited).
	AllTimeFrom string      `json:"-"`
	Tenant      data.Tenant `json:"-"`
	ComputedAt  time.Time   `json:"-"`
}

// SinceNote says what the average and the peaks cover, for the line under their cards.
func (d Dashboard) SinceNote() string {
	if d.AllTimeFrom == "" {
		return "Past appointments, all time; future bookings not counted."
	}
	return "Past appointments since " + license.FormatISODate(d.AllTimeFrom) + "; future bookings not counted."
}

// AllTimeLabel names the all-time card honestly: it says so when the window cuts history.
func (d Dashboard) AllTimeLabel() string {
	if d.AllTimeFrom == "" {
		return "Appointments, all time"
	}
	return "Appointments since " + license.FormatISODate(d.AllTimeFrom) + " (your plan's history window)"
}

// dashboard computes the dashboard numbers from one snapshot, with ents deciding the window.
func (s *Service) dashboard(ctx context.Context, ents license.Entitlements) (Dashboard, error) {
	var out Dashboard
	err := s.store.Snapshot(ctx, func(sn *store.Snapshot) error {
		t, err := sn.Tenant(ctx)
		if err != nil {
			return err
		}
		now := s.now()
		w := ents.Window(Today(now, t.Location()))
		first, last := MonthBounds(now, t.Location())
		out = Dashboard{Period: DatePeriod{first, last}, Tenant: t, ComputedAt: now}
		allFrom := "0000-01-01"
		if !w.Unlimited {
			out.AllTimeFrom = w.Cutoff.Format(data.DateLayout)
			allFrom = out.AllTimeFrom
		}
		tot, err := sn.DashboardTotals(ctx, first, last, allFrom, Today(now, t.Location()).Format(data.DateLayout), now)
		if err != nil {
			return fmt.Errorf("dashboard: %w", err)
		}
		out.TotalAppointmentsThisMonth, out.TotalAppointmentsAllTime = tot.ApptsInMonth, tot.ApptsSince
		out.ActiveResourcesCount, out.ActiveServicesCount = tot.ActiveResources, tot.ActiveServices
		out.UpcomingAppointmentsCount = tot.Upcoming
		if err := dashboardPast(ctx, sn, &out, now, t.Location(), allFrom); err != nil {
			return fmt.Errorf("dashboard: %w", err)
		}
		return nil
	})
	return out, err
}

// pastStats accumulates the appointments that have started, for the average and the peaks.
type pastStats struct {
	n, minutes int64
	byDay      [7]int64
	byHour     [24]int64
}

// dashboardPast computes average duration, peak day and peak hour over the appointments from
// allFrom that started at or before now: whole past days from the rollups, today's started
// ones from the raw rows through the start_at index. Future bookings never count, so the
// numbers describe what happened. Peak ties go to the earlier one (Sunday first, hour 0 first);
// both stay nil without past appointments.
func dashboardPast(ctx context.Context, sn *store.Snapshot, out *Dashboard, now time.Time, loc *time.Location, allFrom string) error {
	var st pastStats
	today := Today(now, loc)
	todayDate := today.Format(data.DateLayout)
	days, err := sn.ApptsByDay(ctx, allFrom, todayDate)
	if err != nil {
		return err
	}
	if err := st.addDays(days); err != nil {
		return err
	}
	if st.byHour, err = sn.ApptsByHour(ctx, allFrom, todayDate); err != nil {
		return err
	}
	if todayDate >= allFrom {
		hours, err := sn.StartedOn(ctx, todayDate, today, now)
		if err != nil {
			return err
		}
		st.addToday(hours, today)
	}
	st.fill(out)
	return nil
}

// addDays adds whole past days by weekday.
func (st *pastStats) addDays(days []store.DayMinutes) error {
	for _, dm := range days {
		d, err := time.Parse(data.DateLayout, dm.Date)
		if err != nil {
			return fmt.Errorf("rollup date %q: %w", dm.Date, err)
		}
		st.byDay[d.Weekday()] += dm.N
		st.n, st.minutes = st.n+dm.N, st.minutes+dm.Minutes
	}
	return nil
}

// addToday adds today's appointments that have started by now.
func (st *pastStats) addToday(hours []store.HourMinutes, today time.Time) {
	var n, minutes int64
	for _, h := range hours {
		if h.Hour >= 0 && h.Hour < 24 {
			st.byHour[h.Hour] += h.N
		}
		n, minutes = n+h.N, minutes+h.Minutes
	}
	st.byDay[today.Weekday()] += n
	st.n, st.minutes = st.n+n, st.minutes+minutes
}

func (st *pastStats) fill(out *Dashboard) {
	if st.n > 0 {
		out.AverageAppointmentDurationMinutes = round2(float64(st.minutes) / float64(st.n))
	}
	if i := argmax(st.byDay[:]); i >= 0 {
		name := time.Weekday(i).String()
		out.PeakBookingDay = &name
	}
	if i := argmax(st.byHour[:]); i >= 0 {
		out.PeakBookingHour = &i
	}
}

// argmax is the first index of the largest positive value, or -1.
func argmax(xs []int64) int {
	best := -1
	for i, x := range xs {
		if x > 0 && (best < 0 || x > xs[best]) {
			best = i
		}
	}
	return best
}
