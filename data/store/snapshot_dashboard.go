package store

import (
	"context"
	"database/sql"
	"time"
)

// The snapshot's reads for the dashboard. Dates are local dates (DateLayout) in the tenant's
// time zone; instants are compared as stored, in Unix seconds.

// DashboardTotals are the dashboard's headline counts.
type DashboardTotals struct {
	ApptsInMonth    int64 // appointments on a local date of the month, every status
	ApptsSince      int64 // appointments on or after the all-time start date, future included
	ActiveResources int64
	ActiveServices  int64
	Upcoming        int64 // scheduled or confirmed, starting after now
}

// DayMinutes is the number of appointments on one local date and their booked minutes.
type DayMinutes struct {
	Date       string
	N, Minutes int64
}

// HourMinutes is the number of appointments starting in one local hour (0-23) and their minutes.
type HourMinutes struct {
	Hour, N, Minutes int64
}

// DashboardTotals counts the month monthFrom..monthTo, everything from allFrom on, the active
// resources and services, and the upcoming appointments as of now, whose local date is today.
func (sn *Snapshot) DashboardTotals(ctx context.Context, monthFrom, monthTo, allFrom, today string, now time.Time) (DashboardTotals, error) {
	var t DashboardTotals
	qs := []struct {
		dst  *int64
		q    string
		args []any
	}{
		{&t.ApptsInMonth, `SELECT COALESCE(SUM(n), 0) FROM rollup_appt_service WHERE local_date BETWEEN ? AND ?`, []any{monthFrom, monthTo}},
		{&t.ApptsSince, `SELECT COALESCE(SUM(n), 0) FROM rollup_appt_service WHERE local_date >= ?`, []any{allFrom}},
		{&t.ActiveResources, `SELECT COUNT(*) FROM resources WHERE active = 1`, nil},
		{&t.ActiveServices, `SELECT COUNT(*) FROM services WHERE active = 1`, nil},
		{&t.Upcoming, upcomingSQL, []any{now.Unix(), now.Add(localDayBound).Unix(), today}},
	}
	for _, q := range qs {
		if err := sn.tx.QueryRowContext(ctx, q.q, q.args...).Scan(q.dst); err != nil {
			return t, err
		}
	}
	return t, nil
}

// upcomingSQL counts the scheduled and confirmed appointments that start after now: the rest of
// today from the rows through the start_at index, the days after today from the daily rollup. So
// it reads a day of rows and a row per later day, status and service, however many bookings the
// future holds (counting them row by row took 0.6 s at 10M appointments).
const upcomingSQL = `SELECT
	(SELECT COUNT(*) FROM appointments WHERE start_at > ?1 AND start_at < ?2 AND local_date = ?3
		AND status IN ('scheduled', 'confirmed'))
	+ (SELECT COALESCE(SUM(n), 0) FROM rollup_appt_service WHERE local_date > ?3
		AND status IN ('scheduled', 'confirmed'))`

// localDayBound is longer than any local day (the longest today are 26 hours, where a zone's
// offset moves back by 2): the rest of today's starts all fall within it of now.
const localDayBound = 27 * time.Hour

// ApptsByDay lists, from the daily rollup, the appointments and minutes of every local date
// from from up to (not including) before that has any.
func (sn *Snapshot) ApptsByDay(ctx context.Context, from, before string) ([]DayMinutes, error) {
	var out []DayMinutes
	err := sn.each(ctx, `SELECT local_date, SUM(n), SUM(minutes) FROM rollup_appt_service WHERE local_date >= ? AND local_date < ? GROUP BY 1`,
		[]any{from, before}, func(r *sql.Rows) error {
			var d DayMinutes
			if err := r.Scan(&d.Date, &d.N, &d.Minutes); err != nil {
				return err
			}
			out = append(out, d)
			return nil
		})
	return out, err
}

// ApptsByHour counts, from the hourly rollup, the appointments by local start hour on the
// local dates from from up to (not including) before; hours outside 0-23 are left out.
func (sn *Snapshot) ApptsByHour(ctx context.Context, from, before string) ([24]int64, error) {
	var byHour [24]int64
	err := sn.each(ctx, `SELECT local_hour, SUM(n) FROM rollup_appt_hour WHERE local_date >= ? AND local_date < ? GROUP BY 1`,
		[]any{from, before}, func(r *sql.Rows) error {
			var h, n int64
			if err := r.Scan(&h, &n); err != nil {
				return err
			}
			if h >= 0 && h < 24 {
				byHour[h] += n
			}
			return nil
		})
	return byHour, err
}

// StartedOn lists, from the raw rows through the start_at index, the appointments of local
// date whose start is in [from, until], by local start hour with their minutes.
func (sn *Snapshot) StartedOn(ctx context.Context, date string, from, until time.Time) ([]HourMinutes, error) {
	var out []HourMinutes
	err := sn.each(ctx, `SELECT local_hour, COUNT(*), COALESCE(SUM((end_at - start_at) / 60), 0) FROM appointments
		WHERE start_at >= ? AND start_at <= ? AND local_date = ? GROUP BY 1`,
		[]any{from.Unix(), until.Unix(), date}, func(r *sql.Rows) error {
			var h HourMinutes
			if err := r.Scan(&h.Hour, &h.N, &h.Minutes); err != nil {
				return err
			}
			out = append(out, h)
			return nil
		})
	return out, err
}
