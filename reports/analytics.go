package reports

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// Appointment analytics (seed 001). Every count is of appointments by the local date of their
// start in the tenant's time zone. Reports read one snapshot and use the daily rollups, so they
// cost O(days). Filter combinations no rollup covers read raw rows through an index: service
// AND resource together, and a status filter together with a service or resource filter (for
// the other dimension's breakdown only); see apptAggregate.

// DefaultAnalyticsDays is the period of appointment and revenue analytics when none is given.
const DefaultAnalyticsDays = 30

// AppointmentFilter narrows appointment analytics; zero values mean "all".
type AppointmentFilter struct {
	Status     string
	ServiceID  int64
	ResourceID int64
}

// AppointmentQuery asks for appointment analytics over a resolved period. Window decides
// whether the previous period (for the trend) is visible.
type AppointmentQuery struct {
	Period Period
	Window license.Window
	Filter AppointmentFilter
}

// NamedCount is one row of by_service or by_resource.
type NamedCount struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// DayCount is one day of daily_breakdown: every status is listed, zeros included.
type DayCount struct {
	Date            string           `json:"date"`
	Count           int64            `json:"count"`
	StatusBreakdown map[string]int64 `json:"status_breakdown"`
}

// AppointmentAnalytics is the appointments report; JSON field names are the seed's.
type AppointmentAnalytics struct {
	Total                   int64            `json:"total"`
	ByStatus                map[string]int64 `json:"by_status"`
	ByService               []NamedCount     `json:"by_service"`
	ByResource              []NamedCount     `json:"by_resource"`
	DailyBreakdown          []DayCount       `json:"daily_breakdown"`
	BookingTrendPercent     *float64         `json:"booking_trend_percent"`
	CancellationRatePercent float64          `json:"cancellation_rate_percent"`
	NoShowRatePercent       float64          `json:"no_show_rate_percent"`
	PeriodDays              int              `json:"period_days"`

	// For display only.
	From     string            `json:"-"`
	To       string            `json:"-"`
	Filter   AppointmentFilter `json:"-"`
	TimeZone string            `json:"-"`
}

// Window is the history window as of the tenant's local today.
func (s *Service) Window(ctx context.Context, ents license.Entitlements) (license.Window, data.Tenant, error) {
	t, err := s.store.Tenant(ctx)
	if err != nil {
		return license.Window{}, t, err
	}
	return ents.Window(Today(s.now(), t.Location())), t, nil
}

// reportBasis is what every period report reads first in its snapshot: the tenant, the period
// as local dates in the tenant's zone, and the names of services and resources.
func (s *Service) reportBasis(ctx context.Context, tx *sql.Tx, p Period) (t data.Tenant, from, to string, days int, nm names, err error) {
	if t, err = data.TenantTx(ctx, tx); err != nil {
		return
	}
	if from, to, days, err = closedPeriod(p, Today(s.now(), t.Location())); err != nil {
		return
	}
	nm, err = loadNames(ctx, tx)
	return
}

// Appointments computes appointment analytics for q from one snapshot.
func (s *Service) Appointments(ctx context.Context, q AppointmentQuery) (AppointmentAnalytics, error) {
	var out AppointmentAnalytics
	err := s.store.Read(ctx, func(tx *sql.Tx) error {
		t, from, to, days, names, err := s.reportBasis(ctx, tx, q.Period)
		if err != nil {
			return err
		}
		if err := names.checkFilter(q.Filter); err != nil {
			return err
		}
		agg, err := apptAggregate(ctx, tx, from, to, q.Filter)
		if err != nil {
			return fmt.Errorf("appointment analytics: %w", err)
		}
		out = agg.analytics(from, to, days, names)
		out.Filter, out.TimeZone = q.Filter, t.TimeZone
		out.BookingTrendPercent, err = bookingTrend(ctx, tx, from, days, out.Total, q)
		return err
	})
	return out, err
}

// closedPeriod gives a period both ends; an open end (--from without --to) runs through today.
func closedPeriod(p Period, today time.Time) (from, to string, days int, err error) {
	to = p.To
	if to == "" {
		to = today.Format(data.DateLayout)
	}
	a, err1 := time.Parse(data.DateLayout, p.From)
	b, err2 := time.Parse(data.DateLayout, to)
	if err1 != nil || err2 != nil {
		return "", "", 0, usageError(data.FieldPeriod, p.From+" to "+to, "is not two YYYY-MM-DD dates", "")
	}
	if b.Before(a) && p.To == "" {
		// Only --from was typed: name it, not the --to the user never gave.
		return "", "", 0, usageError(data.FieldFrom, p.From, "is after today ("+to+")", "give a date on or before today, or add {to}")
	}
	if b.Before(a) {
		return "", "", 0, usageError(data.FieldTo, to, "is before {from} "+p.From, "swap the dates")
	}
	return p.From, to, daysBetween(a, b) + 1, nil
}

// bookingTrend compares total with the same filter over the days just before from; nil when
// that period is empty or reaches past the history window.
func bookingTrend(ctx context.Context, tx *sql.Tx, from string, days int, total int64, q AppointmentQuery) (*float64, error) {
	start, _ := time.Parse(data.DateLayout, from)
	prevFrom := start.AddDate(0, 0, -days)
	prevTo := start.AddDate(0, 0, -1)
	if !q.Window.Unlimited && !q.Window.Today.IsZero() {
		civil := time.Date(prevFrom.Year(), prevFrom.Month(), prevFrom.Day(), 0, 0, 0, 0, q.Window.Today.Location())
		if q.Window.CheckDate(civil) != nil {
			return nil, nil
		}
	}
	prev, err := apptTotal(ctx, tx, prevFrom.Format(data.DateLayout), prevTo.Format(data.DateLayout), q.Filter)
	if err != nil || prev == 0 {
		return nil, err
	}
	v := round2(float64(total-prev) * 100 / float64(prev))
	return &v, nil
}

// round2 rounds half away from zero to 2 decimals.
func round2(x float64) float64 { return math.Round(x*100) / 100 }

// percent is part ÷ whole × 100 to 2 decimals, 0 when whole is 0.
func percent(part, whole int64) float64 {
	if whole == 0 {
		return 0
	}
	return round2(float64(part) * 100 / float64(whole))
}

// apptAgg accumulates counts by day and status, service and resource.
type apptAgg struct {
	days       map[string]*[5]int64
	byService  map[int64]int64
	byResource map[int64]int64
}

func newApptAgg() *apptAgg {
	return &apptAgg{days: map[string]*[5]int64{}, byService: map[int64]int64{}, byResource: map[int64]int64{}}
}

func statusIndex(s string) int {
	for i, v := range data.AppointmentStatuses {
		if string(v) == s {
			return i
		}
	}
	return -1
}

func (a *apptAgg) addDay(date, status string, n int64) {
	i := statusIndex(status)
	if i < 0 || n == 0 {
		return
	}
	d := a.days[date]
	if d == nil {
		d = new([5]int64)
		a.days[date] = d
	}
	d[i] += n
}

// filterSQL is the WHERE tail shared by every appointment query.
func filterSQL(f AppointmentFilter, withService, withResource bool) (string, []any) {
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

// apptAggregate picks the rollups that cover the filter; see the comment at the top. Only a
// status filter combined with a service or resource filter, or service and resource together,
// reads raw rows, through the (service_id, local_date) or (resource_id, local_date) index.
func apptAggregate(ctx context.Context, tx *sql.Tx, from, to string, f AppointmentFilter) (*apptAgg, error) {
	a := newApptAgg()
	period := []any{from, to}
	between := " WHERE local_date BETWEEN ? AND ?"
	if f.ServiceID != 0 && f.ResourceID != 0 {
		w, args := filterSQL(f, true, true)
		err := scanRows(ctx, tx, "SELECT local_date, status, COUNT(*) FROM appointments"+between+w+" GROUP BY 1, 2",
			append(period, args...), func(r *sql.Rows) error { return a.scanDay(r, nil) })
		a.byService[f.ServiceID], a.byResource[f.ResourceID] = a.total(), a.total()
		return a, err
	}
	if f.ResourceID != 0 {
		w, args := filterSQL(f, false, true)
		if err := scanRows(ctx, tx, "SELECT local_date, status, SUM(n) FROM rollup_appt_resource"+between+w+" GROUP BY 1, 2",
			append(period, args...), func(r *sql.Rows) error { return a.scanDay(r, nil) }); err != nil {
			return nil, err
		}
		a.byResource[f.ResourceID] = a.total()
		return a, crossCounts(ctx, tx, "service_id", "resource_id", f.ResourceID, f.Status, period, a.byService)
	}
	w, args := filterSQL(f, true, false)
	if err := scanRows(ctx, tx, "SELECT local_date, status, service_id, SUM(n) FROM rollup_appt_service"+between+w+" GROUP BY 1, 2, 3",
		append(period, args...), func(r *sql.Rows) error { return a.scanDay(r, a.byService) }); err != nil {
		return nil, err
	}
	if f.ServiceID != 0 {
		return a, crossCounts(ctx, tx, "resource_id", "service_id", f.ServiceID, f.Status, period, a.byResource)
	}
	return a, scanRows(ctx, tx, "SELECT resource_id, SUM(n) FROM rollup_appt_resource"+between+w+" GROUP BY 1",
		append(period, args...), scanInto(a.byResource))
}

// crossCounts counts by the other dimension (group) for one service or resource (col = id):
// from rollup_appt_service_resource, which has no status, or with a status filter from the raw
// rows through the appointments index on (col, local_date).
func crossCounts(ctx context.Context, tx *sql.Tx, group, col string, id int64, status string, period []any, dst map[int64]int64) error {
	args := append([]any{id}, period...)
	q := "SELECT " + group + ", SUM(n) FROM rollup_appt_service_resource WHERE " + col + " = ? AND local_date BETWEEN ? AND ? GROUP BY 1"
	if status != "" {
		q = "SELECT " + group + ", COUNT(*) FROM appointments WHERE " + col + " = ? AND local_date BETWEEN ? AND ? AND status = ? GROUP BY 1"
		args = append(args, status)
	}
	return scanRows(ctx, tx, q, args, scanInto(dst))
}

// apptTotal counts appointments matching f from from to to, through the same rollups.
func apptTotal(ctx context.Context, tx *sql.Tx, from, to string, f AppointmentFilter) (int64, error) {
	table, w, args := "rollup_appt_service", "", []any(nil)
	sum := "SUM(n)"
	switch {
	case f.ServiceID != 0 && f.ResourceID != 0:
		table, sum = "appointments", "COUNT(*)"
		w, args = filterSQL(f, true, true)
	case f.ResourceID != 0:
		table = "rollup_appt_resource"
		w, args = filterSQL(f, false, true)
	default:
		w, args = filterSQL(f, true, false)
	}
	var n int64
	err := tx.QueryRowContext(ctx, "SELECT COALESCE("+sum+", 0) FROM "+table+" WHERE local_date BETWEEN ? AND ?"+w,
		append([]any{from, to}, args...)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("appointment trend: %w", err)
	}
	return n, nil
}

func scanRows(ctx context.Context, tx *sql.Tx, q string, args []any, each func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanInto adds (id, n) rows into m.
func scanInto(m map[int64]int64) func(*sql.Rows) error {
	return func(r *sql.Rows) error {
		var id, n int64
		if err := r.Scan(&id, &n); err != nil {
			return err
		}
		m[id] += n
		return nil
	}
}

// scanDay reads (date, status, [service,] n); with byService set, the service column is there.
func (a *apptAgg) scanDay(r *sql.Rows, byService map[int64]int64) error {
	var date, status string
	var svc, n int64
	dst := []any{&date, &status, &n}
	if byService != nil {
		dst = []any{&date, &status, &svc, &n}
	}
	if err := r.Scan(dst...); err != nil {
		return err
	}
	a.addDay(date, status, n)
	if byService != nil && n != 0 {
		byService[svc] += n
	}
	return nil
}

func (a *apptAgg) total() int64 {
	var t int64
	for _, d := range a.days {
		for _, n := range d {
			t += n
		}
	}
	return t
}

// analytics lays the aggregate out as the report: every day of the period and every status.
func (a *apptAgg) analytics(from, to string, days int, names names) AppointmentAnalytics {
	out := AppointmentAnalytics{ByStatus: zeroStatuses(), PeriodDays: days, From: from, To: to}
	start, _ := time.Parse(data.DateLayout, from)
	for i := range days {
		date := start.AddDate(0, 0, i).Format(data.DateLayout)
		dc := DayCount{Date: date, StatusBreakdown: zeroStatuses()}
		if d := a.days[date]; d != nil {
			for si, n := range d {
				st := string(data.AppointmentStatuses[si])
				dc.StatusBreakdown[st] = n
				dc.Count += n
				out.ByStatus[st] += n
			}
		}
		out.Total += dc.Count
		out.DailyBreakdown = append(out.DailyBreakdown, dc)
	}
	out.ByService = rank(a.byService, names.services)
	out.ByResource = rank(a.byResource, names.resources)
	out.CancellationRatePercent = percent(out.ByStatus[string(data.StatusCancelled)], out.Total)
	out.NoShowRatePercent = percent(out.ByStatus[string(data.StatusNoShow)], out.Total)
	return out
}

func zeroStatuses() map[string]int64 {
	m := make(map[string]int64, len(data.AppointmentStatuses))
	for _, s := range data.AppointmentStatuses {
		m[string(s)] = 0
	}
	return m
}

// rank lists non-zero counts largest first, ties by id.
func rank(counts map[int64]int64, names map[int64]string) []NamedCount {
	out := []NamedCount{}
	for id, n := range counts {
		if n != 0 {
			out = append(out, NamedCount{ID: id, Name: nameOf(names, id), Count: n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func nameOf(names map[int64]string, id int64) string {
	if n, ok := names[id]; ok {
		return n
	}
	return "#" + strconv.FormatInt(id, 10)
}

// names maps service and resource ids to names; both tables are small.
type names struct {
	services, resources map[int64]string
}

func loadNames(ctx context.Context, tx *sql.Tx) (names, error) {
	n := names{services: map[int64]string{}, resources: map[int64]string{}}
	for table, m := range map[string]map[int64]string{"services": n.services, "resources": n.resources} {
		err := scanRows(ctx, tx, "SELECT id, name FROM "+table, nil, func(r *sql.Rows) error {
			var id int64
			var name string
			if err := r.Scan(&id, &name); err != nil {
				return err
			}
			m[id] = name
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("read %s: %w", table, err)
		}
	}
	return n, nil
}

// checkFilter refuses values that cannot match anything, naming the flag.
func (n names) checkFilter(f AppointmentFilter) error {
	if f.Status != "" && !data.ValidAppointmentStatus(f.Status) {
		return usageError(data.FieldStatus, f.Status, "is not an appointment status", "use scheduled, confirmed, completed, cancelled or no_show")
	}
	if _, ok := n.services[f.ServiceID]; f.ServiceID != 0 && !ok {
		return usageError(data.FieldService, fmt.Sprint(f.ServiceID), "is not a service of this tenant", "see the service ids in the appointments report")
	}
	if _, ok := n.resources[f.ResourceID]; f.ResourceID != 0 && !ok {
		return usageError(data.FieldResource, fmt.Sprint(f.ResourceID), "is not a resource of this tenant", "see the resource ids in the appointments report")
	}
	return nil
}

// Option is a service or resource a filter can pick.
type Option struct {
	ID     int64
	Name   string
	Active bool
}

// Catalog lists the services and resources of the tenant for filter pickers, by name.
type Catalog struct {
	Services, Resources []Option
}

// Catalog reads the filter choices from one snapshot.
func (s *Service) Catalog(ctx context.Context) (Catalog, error) {
	var c Catalog
	err := s.store.Read(ctx, func(tx *sql.Tx) error {
		for _, t := range []struct {
			table string
			dst   *[]Option
		}{{"services", &c.Services}, {"resources", &c.Resources}} {
			err := scanRows(ctx, tx, "SELECT id, name, active FROM "+t.table+" ORDER BY name, id", nil, func(r *sql.Rows) error {
				var o Option
				if err := r.Scan(&o.ID, &o.Name, &o.Active); err != nil {
					return err
				}
				*t.dst = append(*t.dst, o)
				return nil
			})
			if err != nil {
				return fmt.Errorf("read %s: %w", t.table, err)
			}
		}
		return nil
	})
	return c, err
}
