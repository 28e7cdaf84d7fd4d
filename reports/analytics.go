package reports

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// Appointment analytics (seed 001). Every count is of appointments by the local date of their
// start in the tenant's time zone. Reports read one snapshot (store.Snapshot.ApptCounts, over
// the daily rollups, so they cost O(days)) and compute the metrics from its typed counts.

// DefaultAnalyticsDays is the period of appointment and revenue analytics when none is given.
const DefaultAnalyticsDays = 30

// AppointmentFilter narrows appointment analytics; zero values mean "all".
type AppointmentFilter struct {
	Status     string
	ServiceID  int64
	ResourceID int64
}

// Words names the filter's set fields in the words every front end shows ("status cancelled",
// "service #3", "resource #2"), in that order; none set gives none.
func (f AppointmentFilter) Words() []string {
	var w []string
	if f.Status != "" {
		w = append(w, "status "+f.Status)
	}
	if f.ServiceID != 0 {
		w = append(w, fmt.Sprintf("service #%d", f.ServiceID))
	}
	if f.ResourceID != 0 {
		w = append(w, fmt.Sprintf("resource #%d", f.ResourceID))
	}
	return w
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
	BusyHours               [][]int64        `json:"busy_hours"` // 7 weekdays (Monday first) × 24 local hours
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
// A period starting before the history window of ents fails with *license.HistoryError.
func (s *Service) reportBasis(ctx context.Context, sn *store.Snapshot, ents license.Entitlements, p Period) (t data.Tenant, from, to string, days int, nm names, err error) {
	if t, err = sn.Tenant(ctx); err != nil {
		return
	}
	if from, to, days, err = closedPeriod(p, Today(s.now(), t.Location())); err != nil {
		return
	}
	if err = s.checkHistory(ents, t.Location(), from); err != nil {
		return
	}
	n, err := sn.Names(ctx)
	nm = names{services: n.Services, resources: n.Resources}
	return
}

// appointments computes appointment analytics for q from one snapshot, ungated.
func (s *Service) appointments(ctx context.Context, ents license.Entitlements, q AppointmentQuery) (AppointmentAnalytics, error) {
	var out AppointmentAnalytics
	err := s.store.Snapshot(ctx, func(sn *store.Snapshot) error {
		t, from, to, days, names, err := s.reportBasis(ctx, sn, ents, q.Period)
		if err != nil {
			return err
		}
		if err := names.checkFilter(q.Filter); err != nil {
			return err
		}
		c, err := sn.ApptCounts(ctx, from, to, q.Filter.data())
		if err != nil {
			return fmt.Errorf("appointment analytics: %w", err)
		}
		out = newApptAgg(c).analytics(from, to, days, names)
		out.Filter, out.TimeZone = q.Filter, t.TimeZone
		cells, err := sn.ApptsByDayHour(ctx, from, to, q.Filter.data())
		if err != nil {
			return fmt.Errorf("busy hours: %w", err)
		}
		out.BusyHours = busyHours(cells)
		out.BookingTrendPercent, err = bookingTrend(ctx, sn, from, days, out.Total, q)
		return err
	})
	return out, err
}

// data is the filter in the store's terms.
func (f AppointmentFilter) data() store.ApptFilter {
	return store.ApptFilter{Status: f.Status, ServiceID: f.ServiceID, ResourceID: f.ResourceID}
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
func bookingTrend(ctx context.Context, sn *store.Snapshot, from string, days int, total int64, q AppointmentQuery) (*float64, error) {
	start, _ := time.Parse(data.DateLayout, from)
	prevFrom := start.AddDate(0, 0, -days)
	prevTo := start.AddDate(0, 0, -1)
	if !q.Window.Unlimited && !q.Window.Today.IsZero() {
		civil := time.Date(prevFrom.Year(), prevFrom.Month(), prevFrom.Day(), 0, 0, 0, 0, q.Window.Today.Location())
		if q.Window.CheckDate(civil) != nil {
			return nil, nil
		}
	}
	prev, err := sn.ApptTotal(ctx, prevFrom.Format(data.DateLayout), prevTo.Format(data.DateLayout), q.Filter.data())
	if err != nil {
		return nil, fmt.Errorf("appointment trend: %w", err)
	}
	if prev == 0 {
		return nil, nil
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

// newApptAgg indexes the store's counts by day and status.
func newApptAgg(c store.ApptCounts) *apptAgg {
	a := &apptAgg{days: map[string]*[5]int64{}, byService: c.ByService, byResource: c.ByResource}
	for _, d := range c.Days {
		a.addDay(d.Date, d.Status, d.N)
	}
	return a
}

func statusIndex(s string) int { return data.AppointmentStatuses().Index(s) }

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

// analytics lays the aggregate out as the report: every day of the period and every status.
func (a *apptAgg) analytics(from, to string, days int, names names) AppointmentAnalytics {
	out := AppointmentAnalytics{ByStatus: zeroStatuses(), PeriodDays: days, From: from, To: to}
	start, _ := time.Parse(data.DateLayout, from)
	statuses := data.AppointmentStatuses().All()
	for i := range days {
		date := start.AddDate(0, 0, i).Format(data.DateLayout)
		dc := DayCount{Date: date, StatusBreakdown: zeroStatuses()}
		if d := a.days[date]; d != nil {
			for si, n := range d {
				st := string(statuses[si])
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
	m := make(map[string]int64, data.AppointmentStatuses().Len())
	for _, s := range data.AppointmentStatuses().All() {
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

// checkFilter refuses values that cannot match anything, naming the flag.
func (n names) checkFilter(f AppointmentFilter) error {
	if f.Status != "" && !data.AppointmentStatuses().Valid(f.Status) {
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
	err := s.store.Snapshot(ctx, func(sn *store.Snapshot) error {
		svcs, err := sn.ServiceChoices(ctx)
		if err != nil {
			return err
		}
		rsrcs, err := sn.ResourceChoices(ctx)
		c.Services, c.Resources = options(svcs), options(rsrcs)
		return err
	})
	return c, err
}

func options(cs []store.Choice) []Option {
	var out []Option
	for _, c := range cs {
		out = append(out, Option{ID: c.ID, Name: c.Name, Active: c.Active})
	}
	return out
}
