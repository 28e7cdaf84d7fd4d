package reports

import (
	"context"
	"database/sql"
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

// Dashboard computes the dashboard numbers from one snapshot, with ents deciding the window.
func (s *Service) Dashboard(ctx context.Context, ents license.Entitlements) (Dashboard, error) {
	var out Dashboard
	err := s.store.Read(ctx, func(tx *sql.Tx) error {
		t, err := store.TenantTx(ctx, tx)
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
		if err := dashboardCounts(ctx, tx, &out, now, allFrom); err != nil {
			return fmt.Errorf("dashboard: %w", err)
		}
		if err := dashboardPast(ctx, tx, &out, now, t.Location(), allFrom); err != nil {
			return fmt.Errorf("dashboard: %w", err)
		}
		return nil
	})
	return out, err
}

func dashboardCounts(ctx context.Context, tx *sql.Tx, out *Dashboard, now time.Time, allFrom string) error {
	qs := []struct {
		dst  []any
		q    string
		args []any
	}{
		{[]any{&out.TotalAppointmentsThisMonth}, `SELECT COALESCE(SUM(n), 0) FROM rollup_appt_service WHERE local_date BETWEEN ? AND ?`, []any{out.Period.StartDate, out.Period.EndDate}},
		{[]any{&out.TotalAppointmentsAllTime}, `SELECT COALESCE(SUM(n), 0) FROM rollup_appt_service WHERE local_date >= ?`, []any{allFrom}},
		{[]any{&out.ActiveResourcesCount}, `SELECT COUNT(*) FROM resources WHERE active = 1`, nil},
		{[]any{&out.ActiveServicesCount}, `SELECT COUNT(*) FROM services WHERE active = 1`, nil},
		// The start_at index makes this a range count, not a scan.
		{[]any{&out.UpcomingAppointmentsCount}, `SELECT COUNT(*) FROM appointments WHERE status IN ('scheduled', 'confirmed') AND start_at > ?`, []any{now.Unix()}},
	}
	for _, q := range qs {
		if err := tx.QueryRowContext(ctx, q.q, q.args...).Scan(q.dst...); err != nil {
			return err
		}
	}
	return nil
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
func dashboardPast(ctx context.Context, tx *sql.Tx, out *Dashboard, now time.Time, loc *time.Location, allFrom string) error {
	var st pastStats
	today := Today(now, loc)
	todayDate := today.Format(data.DateLayout)
	err := scanRows(ctx, tx, `SELECT local_date, SUM(n), SUM(minutes) FROM rollup_appt_service WHERE local_date >= ? AND local_date < ? GROUP BY 1`,
		[]any{allFrom, todayDate}, func(r *sql.Rows) error {
			var date string
			var n, minutes int64
			if err := r.Scan(&date, &n, &minutes); err != nil {
				return err
			}
			d, err := time.Parse(data.DateLayout, date)
			if err != nil {
				return fmt.Errorf("rollup date %q: %w", date, err)
			}
			st.byDay[d.Weekday()] += n
			st.n, st.minutes = st.n+n, st.minutes+minutes
			return nil
		})
	if err != nil {
		return err
	}
	err = scanRows(ctx, tx, `SELECT local_hour, SUM(n) FROM rollup_appt_hour WHERE local_date >= ? AND local_date < ? GROUP BY 1`,
		[]any{allFrom, todayDate}, scanHours(&st.byHour))
	if err != nil {
		return err
	}
	if todayDate >= allFrom {
		if err := st.addToday(ctx, tx, today, now); err != nil {
			return err
		}
	}
	st.fill(out)
	return nil
}

// addToday adds today's appointments that have started by now.
func (st *pastStats) addToday(ctx context.Context, tx *sql.Tx, today, now time.Time) error {
	var n, minutes int64
	err := scanRows(ctx, tx, `SELECT local_hour, COUNT(*), COALESCE(SUM((end_at - start_at) / 60), 0) FROM appointments
		WHERE start_at >= ? AND start_at <= ? AND local_date = ? GROUP BY 1`,
		[]any{today.Unix(), now.Unix(), today.Format(data.DateLayout)}, func(r *sql.Rows) error {
			var h, c, m int64
			if err := r.Scan(&h, &c, &m); err != nil {
				return err
			}
			if h >= 0 && h < 24 {
				st.byHour[h] += c
			}
			n, minutes = n+c, minutes+m
			return nil
		})
	st.byDay[today.Weekday()] += n
	st.n, st.minutes = st.n+n, st.minutes+minutes
	return err
}

func scanHours(byHour *[24]int64) func(*sql.Rows) error {
	return func(r *sql.Rows) error {
		var h, n int64
		if err := r.Scan(&h, &n); err != nil {
			return err
		}
		if h >= 0 && h < 24 {
			byHour[h] += n
		}
		return nil
	}
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
