package reports

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// The property test: for random small demo tenants (seed, size, time zone), edited afterwards
// through the Writer so the rollup triggers run too, every report must equal the same numbers
// recomputed here from the raw rows, with local dates derived from the UTC instants (not from
// the stored local_date columns).

var propZones = []string{"America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham", "America/Sao_Paulo", "UTC"}

func TestReportsAgreeWithRawRows(t *testing.T) {
	tenants := 6
	if testing.Short() {
		tenants = 2
	}
	for i := range tenants {
		rng := rand.New(rand.NewPCG(uint64(i), 99))
		o := demo.Options{
			Appointments: 200 + rng.IntN(1500), Seed: rng.Uint64N(1000) + 1, TimeZone: propZones[rng.IntN(len(propZones))],
			Today: time.Date(2024+rng.IntN(3), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC),
		}
		t.Run(fmt.Sprintf("%s-%d-seed%d", o.TimeZone, o.Appointments, o.Seed), func(t *testing.T) {
			checkTenant(t, rng, o)
		})
	}
}

func checkTenant(t *testing.T, rng *rand.Rand, o demo.Options) {
	ctx := context.Background()
	h := data.Home{Dir: t.TempDir()}
	if _, err := demo.Build(ctx, h, o); err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenActive(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	loc, _ := time.LoadLocation(o.TimeZone)
	today := time.Date(o.Today.Year(), o.Today.Month(), o.Today.Day(), 0, 0, 0, 0, loc)
	now := today.Add(time.Duration(rng.IntN(24*60)) * time.Minute)
	mutate(t, st, rng, loc)
	if err := st.CheckRollups(context.Background()); err != nil {
		t.Fatal(err)
	}
	raw := loadRaw(t, st, loc)
	s := New(st, func() time.Time { return now })
	for _, plan := range []license.Plan{license.Free, license.Professional, license.Internal} {
		e := ents(plan)
		got, err := s.Dashboard(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		got.Tenant, got.ComputedAt, got.AllTimeFrom = data.Tenant{}, time.Time{}, ""
		if want := raw.dashboard(now, e.Window(today)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s dashboard\n got %s\nwant %s", plan, dump(got), dump(want))
		}
	}
	for range 25 {
		w := ents(license.Professional).Window(today)
		p := randomPeriod(rng, today)
		f := raw.randomFilter(rng)
		got, err := s.Appointments(ctx, ents(license.Internal), AppointmentQuery{Period: p, Window: w, Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		got.From, got.To, got.Filter, got.TimeZone = "", "", AppointmentFilter{}, ""
		if want := raw.appointments(p, w, f); !reflect.DeepEqual(got.AppointmentAnalytics, want) {
			t.Fatalf("appointments %+v %+v\n got %s\nwant %s", p, f, dump(got.AppointmentAnalytics), dump(want))
		}
		svc := f.ServiceID
		rev, err := s.Revenue(ctx, ents(license.Internal), RevenueQuery{Period: p, ServiceID: svc})
		if err != nil {
			t.Fatal(err)
		}
		rev.From, rev.To, rev.TimeZone = "", "", ""
		if want := raw.revenue(p, svc); !reflect.DeepEqual(rev, want) {
			t.Fatalf("revenue %+v service %d\n got %s\nwant %s", p, svc, dump(rev), dump(want))
		}
	}
}

// mutate edits random rows through the Writer so the triggers, not the bulk rebuild, keep the
// rollups: status and service changes, moves across days, deletes, new and changed payments.
func mutate(t *testing.T, st *store.Store, rng *rand.Rand, loc *time.Location) {
	ctx := context.Background()
	var appts []data.Appointment
	err := st.Read(ctx, func(tx *sql.Tx) error {
		return rawRows(ctx, tx, "SELECT id, customer_id, service_id, resource_id, start_at, end_at, status FROM appointments ORDER BY random() LIMIT 60", nil,
			func(r *sql.Rows) error {
				var a data.Appointment
				var start, end int64
				if err := r.Scan(&a.ID, &a.CustomerID, &a.ServiceID, &a.ResourceID, &start, &end, &a.Status); err != nil {
					return err
				}
				a.StartAt, a.EndAt = time.Unix(start, 0).UTC(), time.Unix(end, 0).UTC()
				appts = append(appts, a)
				return nil
			})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Write(ctx, func(tx *sql.Tx) error {
		w, err := store.NewWriter(ctx, tx, loc)
		if err != nil {
			return err
		}
		defer w.Close()
		for i, a := range appts {
			switch i % 4 {
			case 0:
				a.Status = data.AppointmentStatuses().All()[rng.IntN(5)]
			case 1:
				a.ServiceID = 1 + rng.Int64N(5)
			case 2:
				shift := time.Duration(rng.IntN(72)-36) * time.Hour
				a.StartAt, a.EndAt = a.StartAt.Add(shift), a.EndAt.Add(shift)
			case 3:
				if err := w.Delete("appointments", a.ID); err != nil {
					return err
				}
				continue
			}
			a.UpdatedAt = a.StartAt
			if err := w.PutAppointment(a); err != nil {
				return err
			}
			paid := a.StartAt.Add(time.Duration(rng.IntN(48)) * time.Hour)
			id := a.ID
			if err := w.PutPayment(data.Payment{ID: 9_000_000 + a.ID, CustomerID: a.CustomerID, AppointmentID: &id, AmountCents: 100 + rng.Int64N(9000),
				Currency: "USD", Status: data.PaymentStatuses().All()[rng.IntN(4)], CreatedAt: a.StartAt, PaidAt: &paid, UpdatedAt: a.StartAt}); err != nil {
				return err
			}
		}
		return w.Flush()
	})
	if err != nil {
		t.Fatal(err)
	}
}

func randomPeriod(rng *rand.Rand, today time.Time) Period {
	end := today.AddDate(0, 0, rng.IntN(40)-30)
	start := end.AddDate(0, 0, -rng.IntN(120))
	return Period{From: start.Format(data.DateLayout), To: end.Format(data.DateLayout)}
}

type rawAppt struct {
	id, svc, res, start, end int64
	status                   string
}

type rawPay struct {
	appt, cents int64
	currency    string
	status      string
	paid        *int64
}

type rawTenant struct {
	loc                  *time.Location
	currency             string
	appts                []rawAppt
	pays                 []rawPay
	services, resources  map[int64]string
	activeSvc, activeRes int64
}

func loadRaw(t *testing.T, st *store.Store, loc *time.Location) rawTenant {
	ctx := context.Background()
	r := rawTenant{loc: loc, services: map[int64]string{}, resources: map[int64]string{}}
	err := st.Read(ctx, func(tx *sql.Tx) error {
		tn, err := store.TenantTx(ctx, tx)
		if err != nil {
			return err
		}
		r.currency = tn.Currency
		for table, m := range map[string]map[int64]string{"services": r.services, "resources": r.resources} {
			active := &r.activeSvc
			if table == "resources" {
				active = &r.activeRes
			}
			if err := rawRows(ctx, tx, "SELECT id, name, active FROM "+table, nil, func(rows *sql.Rows) error {
				var id, act int64
				var name string
				if err := rows.Scan(&id, &name, &act); err != nil {
					return err
				}
				m[id] = name
				*active += act
				return nil
			}); err != nil {
				return err
			}
		}
		if err := rawRows(ctx, tx, "SELECT id, service_id, resource_id, start_at, end_at, status FROM appointments", nil, func(rows *sql.Rows) error {
			var a rawAppt
			if err := rows.Scan(&a.id, &a.svc, &a.res, &a.start, &a.end, &a.status); err != nil {
				return err
			}
			r.appts = append(r.appts, a)
			return nil
		}); err != nil {
			return err
		}
		return rawRows(ctx, tx, "SELECT COALESCE(appointment_id, 0), amount_cents, currency, status, paid_at FROM payments", nil, func(rows *sql.Rows) error {
			var p rawPay
			if err := rows.Scan(&p.appt, &p.cents, &p.currency, &p.status, &p.paid); err != nil {
				return err
			}
			r.pays = append(r.pays, p)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (r rawTenant) date(unix int64) string {
	return time.Unix(unix, 0).In(r.loc).Format(data.DateLayout)
}

func (r rawTenant) randomFilter(rng *rand.Rand) AppointmentFilter {
	var f AppointmentFilter
	if rng.IntN(3) == 0 {
		f.Status = string(data.AppointmentStatuses().All()[rng.IntN(5)])
	}
	if rng.IntN(3) == 0 {
		f.ServiceID = 1 + rng.Int64N(int64(len(r.services)))
	}
	if rng.IntN(3) == 0 {
		f.ResourceID = 1 + rng.Int64N(int64(len(r.resources)))
	}
	return f
}

func (r rawTenant) matches(a rawAppt, f AppointmentFilter) bool {
	return (f.Status == "" || a.status == f.Status) && (f.ServiceID == 0 || a.svc == f.ServiceID) && (f.ResourceID == 0 || a.res == f.ResourceID)
}

func dates(from, to string) []string {
	a, _ := time.Parse(data.DateLayout, from)
	b, _ := time.Parse(data.DateLayout, to)
	var out []string
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(data.DateLayout))
	}
	return out
}

func (r rawTenant) appointments(p Period, w license.Window, f AppointmentFilter) AppointmentAnalytics {
	days := dates(p.From, p.To)
	out := AppointmentAnalytics{ByStatus: zeroStatuses(), ByService: []NamedCount{}, ByResource: []NamedCount{}, PeriodDays: len(days)}
	idx := map[string]int{}
	for i, d := range days {
		idx[d] = i
		out.DailyBreakdown = append(out.DailyBreakdown, DayCount{Date: d, StatusBreakdown: zeroStatuses()})
	}
	bySvc, byRes := map[int64]int64{}, map[int64]int64{}
	out.BusyHours = make([][]int64, 7)
	for i := range out.BusyHours {
		out.BusyHours[i] = make([]int64, 24)
	}
	for _, a := range r.appts {
		i, in := idx[r.date(a.start)]
		if !in || !r.matches(a, f) {
			continue
		}
		st := time.Unix(a.start, 0).In(r.loc)
		out.BusyHours[(int(st.Weekday())+6)%7][st.Hour()]++
		out.Total++
		out.ByStatus[a.status]++
		out.DailyBreakdown[i].Count++
		out.DailyBreakdown[i].StatusBreakdown[a.status]++
		bySvc[a.svc]++
		byRes[a.res]++
	}
	out.ByService, out.ByResource = rawRank(bySvc, r.services), rawRank(byRes, r.resources)
	if out.Total > 0 {
		out.CancellationRatePercent = round2(float64(out.ByStatus["cancelled"]) / float64(out.Total) * 100)
		out.NoShowRatePercent = round2(float64(out.ByStatus["no_show"]) / float64(out.Total) * 100)
	}
	start, _ := time.ParseInLocation(data.DateLayout, p.From, w.Today.Location())
	prevFrom := start.AddDate(0, 0, -len(days))
	if w.Unlimited || !prevFrom.Before(w.Cutoff) {
		prevSet := map[string]bool{}
		for _, d := range dates(prevFrom.Format(data.DateLayout), start.AddDate(0, 0, -1).Format(data.DateLayout)) {
			prevSet[d] = true
		}
		var prev int64
		for _, a := range r.appts {
			if prevSet[r.date(a.start)] && r.matches(a, f) {
				prev++
			}
		}
		if prev > 0 {
			v := round2(float64(out.Total-prev) / float64(prev) * 100)
			out.BookingTrendPercent = &v
		}
	}
	return out
}

func rawRank(m map[int64]int64, names map[int64]string) []NamedCount {
	out := []NamedCount{}
	for id, n := range m {
		out = append(out, NamedCount{ID: id, Name: names[id], Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Count > out[j].Count || out[i].Count == out[j].Count && out[i].ID < out[j].ID
	})
	return out
}

func (r rawTenant) revenue(p Period, svcFilter int64) RevenueAnalytics {
	days := dates(p.From, p.To)
	out := RevenueAnalytics{ByService: []ServiceRevenue{}, Currency: r.currency, PeriodDays: len(days)}
	idx := map[string]int{}
	for i, d := range days {
		idx[d] = i
		out.DailyBreakdown = append(out.DailyBreakdown, DayRevenue{Date: d})
	}
	svcOf := map[int64]int64{}
	for _, a := range r.appts {
		svcOf[a.id] = a.svc
	}
	type cell struct{ cents, n int64 }
	bySvc := map[int64]*cell{}
	for _, p := range r.pays {
		if p.status != "succeeded" || p.paid == nil || p.currency != r.currency {
			continue
		}
		i, in := idx[r.date(*p.paid)]
		svc := svcOf[p.appt] // 0 for no (or a deleted) appointment
		if !in || svcFilter != 0 && svc != svcFilter {
			continue
		}
		out.TotalRevenueCents += p.cents
		out.TransactionCount++
		out.DailyBreakdown[i].RevenueCents += p.cents
		out.DailyBreakdown[i].TransactionCount++
		c := at(bySvc, svc)
		c.cents += p.cents
		c.n++
	}
	for id, c := range bySvc {
		name := r.services[id]
		if id == 0 {
			name = NoServiceName
		}
		out.ByService = append(out.ByService, ServiceRevenue{ServiceID: id, ServiceName: name, RevenueCents: c.cents, Count: c.n})
	}
	sort.Slice(out.ByService, func(i, j int) bool {
		a, b := out.ByService[i], out.ByService[j]
		return a.RevenueCents > b.RevenueCents || a.RevenueCents == b.RevenueCents && a.ServiceID < b.ServiceID
	})
	if out.TransactionCount > 0 {
		out.AverageTransactionValueCents = int64(float64(out.TotalRevenueCents)/float64(out.TransactionCount) + 0.5)
	}
	return out
}

func (r rawTenant) dashboard(now time.Time, w license.Window) Dashboard {
	first, last := MonthBounds(now, r.loc)
	out := Dashboard{Period: DatePeriod{first, last}, ActiveResourcesCount: r.activeRes, ActiveServicesCount: r.activeSvc}
	var byDay [7]int64
	var byHour [24]int64
	var minutes, past int64
	for _, a := range r.appts {
		local := time.Unix(a.start, 0).In(r.loc)
		d := local.Format(data.DateLayout)
		if d >= first && d <= last {
			out.TotalAppointmentsThisMonth++
		}
		if a.start > now.Unix() && (a.status == "scheduled" || a.status == "confirmed") {
			out.UpcomingAppointmentsCount++
		}
		if !w.Unlimited && d < w.Cutoff.Format(data.DateLayout) {
			continue
		}
		out.TotalAppointmentsAllTime++
		if a.start > now.Unix() {
			continue // the average and the peaks count past appointments only
		}
		past++
		minutes += (a.end - a.start) / 60
		byDay[local.Weekday()]++
		byHour[local.Hour()]++
	}
	if past > 0 {
		out.AverageAppointmentDurationMinutes = round2(float64(minutes) / float64(past))
		day, hour := 0, 0
		for i := range byDay {
			if byDay[i] > byDay[day] {
				day = i
			}
		}
		for i := range byHour {
			if byHour[i] > byHour[hour] {
				hour = i
			}
		}
		name := time.Weekday(day).String()
		out.PeakBookingDay, out.PeakBookingHour = &name, &hour
	}
	return out
}

// rawRows runs q on the raw tables for the oracle, which must not go through the Snapshot it
// checks.
func rawRows(ctx context.Context, tx *sql.Tx, q string, args []any, each func(*sql.Rows) error) error {
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
