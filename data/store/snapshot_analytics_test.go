package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
)

// A small UTC tenant for the snapshot's analytics and dashboard reads ("now" is 2026-03-05
// 12:00). Expected values are worked out from this table: by hand below, and for every filter
// combination by counting the table in Go.

type snapAppt struct {
	id       int64
	start    time.Time
	minutes  int
	status   data.AppointmentStatus
	svc, res int64
}

func snapAt(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }

var snapNow = snapAt(5, 12, 0)

var snapAppts = []snapAppt{
	{1, snapAt(1, 9, 0), 60, data.StatusCompleted, 1, 1},
	{2, snapAt(1, 10, 0), 30, data.StatusCancelled, 2, 1},
	{3, snapAt(2, 9, 30), 45, data.StatusCompleted, 1, 2},
	{4, snapAt(3, 14, 0), 60, data.StatusNoShow, 1, 1},
	{5, snapAt(5, 11, 0), 30, data.StatusScheduled, 2, 2}, // today, already started
	{6, snapAt(5, 15, 0), 60, data.StatusConfirmed, 1, 2}, // upcoming
	{7, time.Date(2026, 2, 20, 9, 0, 0, 0, time.UTC), 45, data.StatusCompleted, 2, 2},
}

func openSnapFixture(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "snap.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	stamp := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err = st.Write(ctx, func(tx *sql.Tx) error {
		if err := PutTenant(ctx, tx, data.Tenant{ID: "snap", Name: "Snap", TimeZone: "UTC", Currency: "USD", CanAcceptPayments: true}); err != nil {
			return err
		}
		w, err := NewWriter(ctx, tx, time.UTC)
		if err != nil {
			return err
		}
		defer w.Close()
		put := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, s := range []data.Service{{ID: 1, Name: "Massage", Active: true}, {ID: 2, Name: "Facial", Active: true}, {ID: 3, Name: "Aardvark"}} {
			s.DurationMinutes, s.PriceCents, s.UpdatedAt = 30, 1000, stamp
			put(w.PutService(s))
		}
		for _, r := range []data.Resource{{ID: 1, Name: "Ava", Active: true}, {ID: 2, Name: "Bo"}} {
			r.Kind, r.UpdatedAt = data.ResourceStaff, stamp
			put(w.PutResource(r))
		}
		put(w.PutCustomer(data.Customer{ID: 1, Name: "C", Email: "c@example.com", Status: data.CustomerActive, CreatedAt: stamp, UpdatedAt: stamp}))
		for _, a := range snapAppts {
			put(w.PutAppointment(data.Appointment{ID: a.id, CustomerID: 1, ServiceID: a.svc, ResourceID: a.res, StartAt: a.start,
				EndAt: a.start.Add(time.Duration(a.minutes) * time.Minute), Status: a.status, BookedAt: stamp, UpdatedAt: stamp}))
		}
		for _, p := range []struct {
			id, appt, cents int64
			cur             string
			status          data.PaymentStatus
			paid            time.Time
		}{
			{1, 1, 9000, "USD", data.PaymentSucceeded, snapAt(1, 10, 0)},
			{2, 3, 5000, "USD", data.PaymentSucceeded, snapAt(2, 10, 0)},
			{3, 0, 1500, "USD", data.PaymentSucceeded, snapAt(2, 12, 0)}, // no appointment: service 0
			{4, 2, 3000, "USD", data.PaymentFailed, snapAt(1, 11, 0)},
			{5, 1, 700, "EUR", data.PaymentSucceeded, snapAt(1, 10, 30)},
		} {
			pay := data.Payment{ID: p.id, CustomerID: 1, AmountCents: p.cents, Currency: p.cur, Status: p.status, CreatedAt: stamp, UpdatedAt: stamp}
			if p.appt != 0 {
				pay.AppointmentID = &p.appt
			}
			paid := p.paid
			pay.PaidAt = &paid
			put(w.PutPayment(pay))
		}
		return w.Flush()
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// snapRead runs fn in one snapshot of st, failing the test on error.
func snapRead(t *testing.T, st *Store, fn func(ctx context.Context, sn *Snapshot) error) {
	t.Helper()
	ctx := context.Background()
	if err := st.Snapshot(ctx, func(sn *Snapshot) error { return fn(ctx, sn) }); err != nil {
		t.Fatal(err)
	}
}

// countsView is ApptCounts without zero entries and with Days as date → status → n.
type countsView struct {
	Days                  map[string]map[string]int64
	ByService, ByResource map[int64]int64
}

func viewOf(c ApptCounts) countsView {
	v := countsView{Days: map[string]map[string]int64{}, ByService: map[int64]int64{}, ByResource: map[int64]int64{}}
	for _, d := range c.Days {
		if v.Days[d.Date] == nil {
			v.Days[d.Date] = map[string]int64{}
		}
		v.Days[d.Date][d.Status] += d.N
	}
	for src, dst := range map[*map[int64]int64]map[int64]int64{&c.ByService: v.ByService, &c.ByResource: v.ByResource} {
		for id, n := range *src {
			if n != 0 {
				dst[id] += n
			}
		}
	}
	return v
}

// countTable counts snapAppts from from to to matching f, straight from the table.
func countTable(from, to string, f ApptFilter) countsView {
	v := countsView{Days: map[string]map[string]int64{}, ByService: map[int64]int64{}, ByResource: map[int64]int64{}}
	for _, a := range snapAppts {
		date := a.start.Format(data.DateLayout)
		if date < from || date > to || f.Status != "" && string(a.status) != f.Status ||
			f.ServiceID != 0 && a.svc != f.ServiceID || f.ResourceID != 0 && a.res != f.ResourceID {
			continue
		}
		if v.Days[date] == nil {
			v.Days[date] = map[string]int64{}
		}
		v.Days[date][string(a.status)]++
		v.ByService[a.svc]++
		v.ByResource[a.res]++
	}
	return v
}

// Every filter combination, through whichever rollup or raw-row path covers it, gives the
// counts of the table; ApptTotal agrees with them.
func TestSnapshotApptCountsEveryFilter(t *testing.T) {
	st := openSnapFixture(t)
	from, to := "2026-03-01", "2026-03-05"
	statuses := []string{""}
	for _, s := range data.AppointmentStatuses().All() {
		statuses = append(statuses, string(s))
	}
	snapRead(t, st, func(ctx context.Context, sn *Snapshot) error {
		for _, status := range statuses {
			for svc := range int64(4) {
				for res := range int64(3) {
					f := ApptFilter{Status: status, ServiceID: svc, ResourceID: res}
					c, err := sn.ApptCounts(ctx, from, to, f)
					if err != nil {
						return err
					}
					want := countTable(from, to, f)
					if got := viewOf(c); !reflect.DeepEqual(got, want) {
						t.Errorf("ApptCounts %+v\n got %+v\nwant %+v", f, got, want)
					}
					var wantTotal int64
					for _, n := range want.ByService {
						wantTotal += n
					}
					if c.Total() != wantTotal {
						t.Errorf("ApptCounts %+v: Total %d, want %d", f, c.Total(), wantTotal)
					}
					if n, err := sn.ApptTotal(ctx, from, to, f); err != nil || n != wantTotal {
						t.Errorf("ApptTotal %+v = %d, %v; want %d", f, n, err, wantTotal)
					}
				}
			}
		}
		return nil
	})
}

func TestSnapshotApptCountsByHand(t *testing.T) {
	st := openSnapFixture(t)
	snapRead(t, st, func(ctx context.Context, sn *Snapshot) error {
		c, err := sn.ApptCounts(ctx, "2026-03-01", "2026-03-05", ApptFilter{})
		if err != nil {
			return err
		}
		want := countsView{
			Days: map[string]map[string]int64{
				"2026-03-01": {"completed": 1, "cancelled": 1}, "2026-03-02": {"completed": 1},
				"2026-03-03": {"no_show": 1}, "2026-03-05": {"scheduled": 1, "confirmed": 1},
			},
			ByService: map[int64]int64{1: 4, 2: 2}, ByResource: map[int64]int64{1: 3, 2: 3},
		}
		if got := viewOf(c); !reflect.DeepEqual(got, want) {
			t.Errorf("ApptCounts\n got %+v\nwant %+v", got, want)
		}
		// Service and resource together: the raw rows.
		c, err = sn.ApptCounts(ctx, "2026-03-01", "2026-03-05", ApptFilter{ServiceID: 1, ResourceID: 2})
		if err != nil {
			return err
		}
		want = countsView{Days: map[string]map[string]int64{"2026-03-02": {"completed": 1}, "2026-03-05": {"confirmed": 1}},
			ByService: map[int64]int64{1: 2}, ByResource: map[int64]int64{2: 2}}
		if got := viewOf(c); !reflect.DeepEqual(got, want) {
			t.Errorf("ApptCounts service 1 resource 2\n got %+v\nwant %+v", got, want)
		}
		return nil
	})
}

func TestSnapshotNamesAndChoices(t *testing.T) {
	st := openSnapFixture(t)
	snapRead(t, st, func(ctx context.Context, sn *Snapshot) error {
		n, err := sn.Names(ctx)
		if err != nil {
			return err
		}
		want := Names{Services: map[int64]string{1: "Massage", 2: "Facial", 3: "Aardvark"}, Resources: map[int64]string{1: "Ava", 2: "Bo"}}
		if !reflect.DeepEqual(n, want) {
			t.Errorf("Names = %+v, want %+v", n, want)
		}
		svcs, err := sn.ServiceChoices(ctx)
		if err != nil {
			return err
		}
		if want := []Choice{{3, "Aardvark", false}, {2, "Facial", true}, {1, "Massage", true}}; !reflect.DeepEqual(svcs, want) {
			t.Errorf("ServiceChoices = %+v, want %+v (by name)", svcs, want)
		}
		rsrcs, err := sn.ResourceChoices(ctx)
		if err != nil {
			return err
		}
		if want := []Choice{{1, "Ava", true}, {2, "Bo", false}}; !reflect.DeepEqual(rsrcs, want) {
			t.Errorf("ResourceChoices = %+v, want %+v", rsrcs, want)
		}
		return nil
	})
}

func TestSnapshotRevenueByDayService(t *testing.T) {
	st := openSnapFixture(t)
	svc0, svc1 := int64(0), int64(1)
	tests := []struct {
		name     string
		currency string
		service  *int64
		want     map[RevenueCell]bool
	}{
		{"all services", "USD", nil, map[RevenueCell]bool{{"2026-03-01", 1, 9000, 1}: true, {"2026-03-02", 1, 5000, 1}: true, {"2026-03-02", 0, 1500, 1}: true}},
		{"no appointment only", "USD", &svc0, map[RevenueCell]bool{{"2026-03-02", 0, 1500, 1}: true}},
		{"one service", "USD", &svc1, map[RevenueCell]bool{{"2026-03-01", 1, 9000, 1}: true, {"2026-03-02", 1, 5000, 1}: true}},
		{"another currency", "EUR", nil, map[RevenueCell]bool{{"2026-03-01", 1, 700, 1}: true}},
	}
	snapRead(t, st, func(ctx context.Context, sn *Snapshot) error {
		for _, tt := range tests {
			cells, err := sn.RevenueByDayService(ctx, "2026-03-01", "2026-03-05", tt.currency, tt.service)
			if err != nil {
				return err
			}
			got := map[RevenueCell]bool{}
			for _, c := range cells {
				if c.N != 0 {
					got[c] = true
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
			}
		}
		return nil
	})
}

func TestSnapshotDashboardReads(t *testing.T) {
	st := openSnapFixture(t)
	snapRead(t, st, func(ctx context.Context, sn *Snapshot) error {
		tot, err := sn.DashboardTotals(ctx, "2026-03-01", "2026-03-31", "2026-02-25", "2026-03-05", snapNow)
		if err != nil {
			return err
		}
		// Appointment 7 (Feb 20) is before the all-time start; 5 started before now, 6 is upcoming.
		if want := (DashboardTotals{ApptsInMonth: 6, ApptsSince: 6, ActiveResources: 1, ActiveServices: 2, Upcoming: 1}); tot != want {
			t.Errorf("DashboardTotals = %+v, want %+v", tot, want)
		}
		days, err := sn.ApptsByDay(ctx, "2026-02-01", "2026-03-05")
		if err != nil {
			return err
		}
		got := map[string]DayMinutes{}
		for _, d := range days {
			got[d.Date] = d
		}
		want := map[string]DayMinutes{
			"2026-02-20": {"2026-02-20", 1, 45}, "2026-03-01": {"2026-03-01", 2, 90},
			"2026-03-02": {"2026-03-02", 1, 45}, "2026-03-03": {"2026-03-03", 1, 60},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ApptsByDay (today excluded) = %+v, want %+v", got, want)
		}
		hours, err := sn.ApptsByHour(ctx, "2026-02-01", "2026-03-05")
		if err != nil {
			return err
		}
		var wantHours [24]int64
		wantHours[9], wantHours[10], wantHours[14] = 3, 1, 1
		if hours != wantHours {
			t.Errorf("ApptsByHour = %v, want %v", hours, wantHours)
		}
		started, err := sn.StartedOn(ctx, "2026-03-05", snapAt(5, 0, 0), snapNow)
		if err != nil {
			return err
		}
		if want := []HourMinutes{{11, 1, 30}}; !reflect.DeepEqual(started, want) {
			t.Errorf("StartedOn today by noon = %+v, want %+v (the 15:00 one has not started)", started, want)
		}
		return nil
	})
}
