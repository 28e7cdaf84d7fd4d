package store

import (
	"context"
	"database/sql"
	"fmt"
)

// The snapshot's reads for appointment and revenue analytics. Counts come from the daily
// rollups, so they cost O(days); the filter combinations no rollup covers read raw rows through
// an index: service AND resource together, and a status filter together with a service or
// resource filter (for the other dimension's breakdown only). Dates are local dates
// (DateLayout) in the tenant's time zone, both ends inclusive.

// ApptFilter narrows appointment counts; zero values mean "all".
type ApptFilter struct {
	Status     string
	ServiceID  int64
	ResourceID int64
}

// DayStatusCount is the number of appointments starting on one local date with one status.
type DayStatusCount struct {
	Date   string
	Status string
	N      int64
}

// ApptCounts are the appointments matching a filter over a period: by day and status, and
// by service and by resource (ids to counts; zero counts may be absent).
type ApptCounts struct {
	Days       []DayStatusCount
	ByService  map[int64]int64
	ByResource map[int64]int64
}

// Total is the sum of Days.
func (c ApptCounts) Total() int64 {
	var t int64
	for _, d := range c.Days {
		t += d.N
	}
	return t
}

// Names maps service and resource ids to their names.
type Names struct {
	Services, Resources map[int64]string
}

// Choice is a service or resource as a filter picker lists it.
type Choice struct {
	ID     int64
	Name   string
	Active bool
}

// RevenueCell is succeeded revenue on one local paid date for one service (0: no appointment).
type RevenueCell struct {
	Date      string
	ServiceID int64
	Cents     int64
	N         int64
}

// Names reads the names of every service and resource (both tables are small).
func (sn *Snapshot) Names(ctx context.Context) (Names, error) {
	n := Names{Services: map[int64]string{}, Resources: map[int64]string{}}
	for _, t := range []struct {
		table string
		m     map[int64]string
	}{{"services", n.Services}, {"resources", n.Resources}} {
		err := sn.each(ctx, "SELECT id, name FROM "+t.table, nil, func(r *sql.Rows) error {
			var id int64
			var name string
			if err := r.Scan(&id, &name); err != nil {
				return err
			}
			t.m[id] = name
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("read %s: %w", t.table, err)
		}
	}
	return n, nil
}

// ServiceChoices lists every service with its active flag, by name then id.
func (sn *Snapshot) ServiceChoices(ctx context.Context) ([]Choice, error) {
	return sn.choices(ctx, "services")
}

// ResourceChoices lists every resource with its active flag, by name then id.
func (sn *Snapshot) ResourceChoices(ctx context.Context) ([]Choice, error) {
	return sn.choices(ctx, "resources")
}

func (sn *Snapshot) choices(ctx context.Context, table string) ([]Choice, error) {
	var out []Choice
	err := sn.each(ctx, "SELECT id, name, active FROM "+table+" ORDER BY name, id", nil, func(r *sql.Rows) error {
		var c Choice
		if err := r.Scan(&c.ID, &c.Name, &c.Active); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	return out, nil
}

// apptFilterSQL is the WHERE tail shared by every appointment query.
func apptFilterSQL(f ApptFilter, withService, withResource bool) (string, []any) {
	q, args := "", []any{}
	if f.Status != "" {
		q, args = q+" AND status = ?", append(args, f.Status)
	}
	if withService && f.ServiceID != 0 {
		q, args = q+" AND service_id = ?", append(args, f.ServiceID)
	}
	if withResource && f.ResourceID != 0 {
		q, args = q+" AND resource_id = ?", append(args, f.ResourceID)
	}
	return q, args
}

// ApptCounts counts the appointments matching f from from to to, through the rollups that
// cover the filter; only a status filter combined with a service or resource filter, or
// service and resource together, reads raw rows, through the (service_id, local_date) or
// (resource_id, local_date) index.
func (sn *Snapshot) ApptCounts(ctx context.Context, from, to string, f ApptFilter) (ApptCounts, error) {
	c := ApptCounts{ByService: map[int64]int64{}, ByResource: map[int64]int64{}}
	period := []any{from, to}
	between := " WHERE local_date BETWEEN ? AND ?"
	if f.ServiceID != 0 && f.ResourceID != 0 {
		w, args := apptFilterSQL(f, true, true)
		err := sn.each(ctx, "SELECT local_date, status, COUNT(*) FROM appointments"+between+w+" GROUP BY 1, 2",
			append(period, args...), c.scanDay(nil))
		c.ByService[f.ServiceID], c.ByResource[f.ResourceID] = c.Total(), c.Total()
		return c, err
	}
	if f.ResourceID != 0 {
		w, args := apptFilterSQL(f, false, true)
		if err := sn.each(ctx, "SELECT local_date, status, SUM(n) FROM rollup_appt_resource"+between+w+" GROUP BY 1, 2",
			append(period, args...), c.scanDay(nil)); err != nil {
			return c, err
		}
		c.ByResource[f.ResourceID] = c.Total()
		return c, sn.crossCounts(ctx, "service_id", "resource_id", f.ResourceID, f.Status, period, c.ByService)
	}
	w, args := apptFilterSQL(f, true, false)
	if err := sn.each(ctx, "SELECT local_date, status, service_id, SUM(n) FROM rollup_appt_service"+between+w+" GROUP BY 1, 2, 3",
		append(period, args...), c.scanDay(c.ByService)); err != nil {
		return c, err
	}
	if f.ServiceID != 0 {
		return c, sn.crossCounts(ctx, "resource_id", "service_id", f.ServiceID, f.Status, period, c.ByResource)
	}
	return c, sn.each(ctx, "SELECT resource_id, SUM(n) FROM rollup_appt_resource"+between+w+" GROUP BY 1",
		append(period, args...), scanIDCounts(c.ByResource))
}

// crossCounts counts by the other dimension (group) for one service or resource (col = id):
// from rollup_appt_service_resource, which has no status, or with a status filter from the raw
// rows through the appointments index on (col, local_date).
func (sn *Snapshot) crossCounts(ctx context.Context, group, col string, id int64, status string, period []any, dst map[int64]int64) error {
	args := append([]any{id}, period...)
	q := "SELECT " + group + ", SUM(n) FROM rollup_appt_service_resource WHERE " + col + " = ? AND local_date BETWEEN ? AND ? GROUP BY 1"
	if status != "" {
		q = "SELECT " + group + ", COUNT(*) FROM appointments WHERE " + col + " = ? AND local_date BETWEEN ? AND ? AND status = ? GROUP BY 1"
		args = append(args, status)
	}
	return sn.each(ctx, q, args, scanIDCounts(dst))
}

// scanDay reads (date, status, [service,] n) rows into c; with byService set, the service
// column is there and its counts go into byService.
func (c *ApptCounts) scanDay(byService map[int64]int64) func(*sql.Rows) error {
	return func(r *sql.Rows) error {
		var d DayStatusCount
		var svc int64
		dst := []any{&d.Date, &d.Status, &d.N}
		if byService != nil {
			dst = []any{&d.Date, &d.Status, &svc, &d.N}
		}
		if err := r.Scan(dst...); err != nil {
			return err
		}
		if d.N == 0 {
			return nil
		}
		c.Days = append(c.Days, d)
		if byService != nil {
			byService[svc] += d.N
		}
		return nil
	}
}

// ApptTotal counts the appointments matching f from from to to, through the same rollups.
func (sn *Snapshot) ApptTotal(ctx context.Context, from, to string, f ApptFilter) (int64, error) {
	table, w, args := "rollup_appt_service", "", []any(nil)
	sum := "SUM(n)"
	switch {
	case f.ServiceID != 0 && f.ResourceID != 0:
		table, sum = "appointments", "COUNT(*)"
		w, args = apptFilterSQL(f, true, true)
	case f.ResourceID != 0:
		table = "rollup_appt_resource"
		w, args = apptFilterSQL(f, false, true)
	default:
		w, args = apptFilterSQL(f, true, false)
	}
	var n int64
	err := sn.tx.QueryRowContext(ctx, "SELECT COALESCE("+sum+", 0) FROM "+table+" WHERE local_date BETWEEN ? AND ?"+w,
		append([]any{from, to}, args...)...).Scan(&n)
	return n, err
}

// RevenueByDayService sums succeeded payments in currency paid from from to to, by local paid
// date and service (a payment counts under its appointment's service, 0 without one). With
// service set, only that service id counts.
func (sn *Snapshot) RevenueByDayService(ctx context.Context, from, to, currency string, service *int64) ([]RevenueCell, error) {
	q := "SELECT local_date, service_id, SUM(cents), SUM(n) FROM rollup_revenue_service WHERE local_date BETWEEN ? AND ? AND currency = ?"
	args := []any{from, to, currency}
	if service != nil {
		q, args = q+" AND service_id = ?", append(args, *service)
	}
	var out []RevenueCell
	err := sn.each(ctx, q+" GROUP BY 1, 2", args, func(r *sql.Rows) error {
		var c RevenueCell
		if err := r.Scan(&c.Date, &c.ServiceID, &c.Cents, &c.N); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// each runs q and calls fn for every row.
func (sn *Snapshot) each(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	return eachRow(ctx, sn.tx, q, fn, args...)
}

// scanIDCounts adds (id, n) rows into m.
func scanIDCounts(m map[int64]int64) func(*sql.Rows) error {
	return func(r *sql.Rows) error {
		var id, n intScan
		if err := r.Scan(&id, &n); err != nil {
			return err
		}
		m[int64(id)] += int64(n)
		return nil
	}
}

// DayHourCount is the number of appointments starting on one local date in one local hour.
type DayHourCount struct {
	Date string
	Hour int
	N    int64
}

// ApptsByDayHour counts the appointments matching f from from to to by local start date and
// hour: from the hourly rollups (day x hour x status, and day x hour of one service or one
// resource); a status together with a service or resource, or service and resource together,
// read the raw rows through the (service_id, local_date) or (resource_id, local_date) index.
// Hours outside 0-23 are left out.
func (sn *Snapshot) ApptsByDayHour(ctx context.Context, from, to string, f ApptFilter) ([]DayHourCount, error) {
	q := "SELECT local_date, local_hour, SUM(n) FROM "
	switch {
	case f.ServiceID != 0 && (f.Status != "" || f.ResourceID != 0), f.ResourceID != 0 && f.Status != "":
		q = "SELECT local_date, local_hour, COUNT(*) FROM appointments"
	case f.ServiceID != 0:
		q += "rollup_appt_hour_service"
	case f.ResourceID != 0:
		q += "rollup_appt_hour_resource"
	default:
		q += "rollup_appt_hour"
	}
	q += " WHERE local_date BETWEEN ? AND ?"
	w, args := apptFilterSQL(f, true, true)
	var out []DayHourCount
	err := sn.each(ctx, q+w+" GROUP BY 1, 2", append([]any{from, to}, args...), func(r *sql.Rows) error {
		var c DayHourCount
		if err := r.Scan(&c.Date, &c.Hour, &c.N); err != nil {
			return err
		}
		if c.Hour >= 0 && c.Hour < 24 && c.N != 0 {
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// ResourceStatusCount is the number of appointments of one resource with one status and the
// seconds they book (end − start, summed).
type ResourceStatusCount struct {
	ResourceID int64
	Status     string
	N, Seconds int64
}

// ApptsByResourceStatus counts the appointments starting from from to to by resource and
// status, with their booked seconds, from the staff rollup.
func (sn *Snapshot) ApptsByResourceStatus(ctx context.Context, from, to string) ([]ResourceStatusCount, error) {
	var out []ResourceStatusCount
	err := sn.each(ctx, "SELECT resource_id, status, SUM(n), SUM(seconds) FROM rollup_appt_resource_minutes WHERE local_date BETWEEN ? AND ? GROUP BY 1, 2",
		[]any{from, to}, func(r *sql.Rows) error {
			var c ResourceStatusCount
			if err := r.Scan(&c.ResourceID, &c.Status, &c.N, &c.Seconds); err != nil {
				return err
			}
			if c.N != 0 {
				out = append(out, c)
			}
			return nil
		})
	return out, err
}

// RevenueByResource sums succeeded payments in currency paid from from to to by the resource of
// their appointment (0: none, or a deleted appointment), in minor units.
func (sn *Snapshot) RevenueByResource(ctx context.Context, from, to, currency string) (map[int64]int64, error) {
	out := map[int64]int64{}
	err := sn.each(ctx, "SELECT resource_id, SUM(cents) FROM rollup_revenue_resource WHERE local_date BETWEEN ? AND ? AND currency = ? GROUP BY 1",
		[]any{from, to, currency}, scanIDCounts(out))
	return out, err
}
