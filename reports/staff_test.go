package reports

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/store"
	"github.com/almanac-app/almanac/license"
)

// The staff and busy-hours fixture: the New York tenant of analytics_fixture_test.go ("now"
// 2026-03-10 15:00 local) over 2026-03-02 (Mon) .. 2026-03-10 (Tue), with the spring-forward
// day (Sun March 8). Expected numbers below are worked out by hand from these tables.
var staffAppts = []fxAppt{
	{1, local(2026, 3, 8, 23, 59), 60, data.StatusCompleted, 1, 1}, // Sun 23:59 local on the DST day; Mon 03:59 UTC
	{2, local(2026, 3, 8, 3, 30), 45, data.StatusCancelled, 2, 2},  // Sun, just after the jump
	{3, local(2026, 3, 9, 9, 0), 30, data.StatusCompleted, 1, 2},   // Mon 09
	{4, local(2026, 3, 9, 9, 15), 60, data.StatusNoShow, 2, 1},     // Mon 09
	{5, local(2026, 3, 2, 9, 0), 90, data.StatusConfirmed, 1, 3},   // Mon 09, first day of P
	{6, local(2026, 3, 7, 23, 30), 60, data.StatusCancelled, 1, 1}, // Sat 23 local, Sun in UTC
	{7, local(2026, 3, 10, 16, 0), 20, data.StatusScheduled, 2, 2}, // Tue 16, later today
	{8, local(2026, 2, 20, 10, 0), 60, data.StatusCompleted, 1, 4}, // before P
}

var staffPays = []fxPay{
	{1, 1, 9500, "USD", data.PaymentSucceeded, local(2026, 3, 9, 0, 10)},
	{2, 3, 5000, "USD", data.PaymentSucceeded, local(2026, 3, 9, 9, 40)},
	{3, 4, 3000, "USD", data.PaymentFailed, local(2026, 3, 9, 9, 20)},
	{4, 3, 700, "EUR", data.PaymentSucceeded, local(2026, 3, 9, 9, 45)},  // not the tenant's currency
	{5, 0, 2000, "USD", data.PaymentSucceeded, local(2026, 3, 5, 12, 0)}, // no appointment: no resource
	{6, 6, 1000, "USD", data.PaymentSucceeded, local(2026, 3, 1, 12, 0)}, // paid before P
	{7, 8, 3000, "USD", data.PaymentSucceeded, local(2026, 3, 5, 12, 0)}, // in P, for an appointment before P
}

var staffPeriod = Period{From: "2026-03-02", To: "2026-03-10"}

// openStaffFixture builds the staff fixture store and returns a Service clocked at fixtureNow.
func openStaffFixture(t testing.TB) *Service {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "staff.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	stamp := local(2025, 1, 1, 0, 0)
	err = st.Write(ctx, func(tx *sql.Tx) error {
		if err := store.PutTenant(ctx, tx, data.Tenant{ID: "fx", Name: "Fixture Spa", TimeZone: "America/New_York", Currency: "USD", CanAcceptPayments: true}); err != nil {
			return err
		}
		w, err := store.NewWriter(ctx, tx, fxZone)
		if err != nil {
			return err
		}
		defer w.Close()
		var errs []error
		for i, name := range []string{"Massage", "Facial"} {
			errs = append(errs, w.PutService(data.Service{ID: int64(i + 1), Name: name, DurationMinutes: 30, PriceCents: 1000, Active: true, UpdatedAt: stamp}))
		}
		for i, name := range []string{"Ava", "Room B", "Retired", "Extra"} {
			errs = append(errs, w.PutResource(data.Resource{ID: int64(i + 1), Name: name, Kind: data.ResourceStaff, Active: i != 2, UpdatedAt: stamp}))
		}
		errs = append(errs, w.PutCustomer(data.Customer{ID: 1, Name: "C", Email: "c@example.com", Status: data.CustomerActive, CreatedAt: stamp, UpdatedAt: stamp}))
		for _, a := range staffAppts {
			errs = append(errs, w.PutAppointment(data.Appointment{ID: a.id, CustomerID: 1, ServiceID: a.svc, ResourceID: a.res, StartAt: a.start.UTC(),
				EndAt: a.start.Add(time.Duration(a.minutes) * time.Minute).UTC(), Status: a.status, BookedAt: stamp, UpdatedAt: stamp}))
		}
		for _, p := range staffPays {
			pay := data.Payment{ID: p.id, CustomerID: 1, AmountCents: p.cents, Currency: p.currency, Status: p.status, CreatedAt: stamp, UpdatedAt: stamp}
			if p.appt != 0 {
				pay.AppointmentID = &p.appt
			}
			paid := p.paid.UTC()
			pay.PaidAt = &paid
			errs = append(errs, w.PutPayment(pay))
		}
		errs = append(errs, w.Flush())
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return New(st, func() time.Time { return fixtureNow })
}

// grid is a 7 × 24 busy_hours with the given (weekday row, hour) → count cells.
func grid(cells map[[2]int]int64) [][]int64 {
	g := make([][]int64, 7)
	for i := range g {
		g[i] = make([]int64, 24)
	}
	for k, n := range cells {
		g[k[0]][k[1]] = n
	}
	return g
}

const mon, tue, sat, sun = 0, 1, 5, 6

func TestBusyHoursFixture(t *testing.T) {
	s := openStaffFixture(t)
	tests := []struct {
		name   string
		filter AppointmentFilter
		want   map[[2]int]int64
	}{
		// Appointment 1 is Sunday 23 (its local date and hour), not Monday 03 as in UTC; 6 is
		// Saturday 23; 2 is Sunday 03, the hour after the skipped one; 8 is before P.
		{"every status", AppointmentFilter{}, map[[2]int]int64{{sun, 23}: 1, {sun, 3}: 1, {mon, 9}: 3, {sat, 23}: 1, {tue, 16}: 1}},
		{"status (rollup)", AppointmentFilter{Status: "completed"}, map[[2]int]int64{{sun, 23}: 1, {mon, 9}: 1}},
		{"resource (raw rows)", AppointmentFilter{ResourceID: 1}, map[[2]int]int64{{sun, 23}: 1, {mon, 9}: 1, {sat, 23}: 1}},
		{"service and status (raw rows)", AppointmentFilter{ServiceID: 1, Status: "cancelled"}, map[[2]int]int64{{sat, 23}: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Appointments(context.Background(), ents(license.Starter), AppointmentQuery{Period: staffPeriod, Window: windowAt(license.Starter), Filter: tt.filter})
			if err != nil {
				t.Fatal(err)
			}
			if want := grid(tt.want); !reflect.DeepEqual(got.BusyHours, want) {
				t.Errorf("busy_hours\n got %v\nwant %v", got.BusyHours, want)
			}
		})
	}
}

// On FREE the whole report is refused; on a license that switches busy hours off, the field is
// left out and listed under locked with the plan that unlocks it.
func TestBusyHoursGate(t *testing.T) {
	s := openStaffFixture(t)
	e := license.EntitlementsFor(license.Payload{Plan: license.Enterprise, Features: map[string]bool{license.FeatureBusyHours: false}}, true)
	got, err := s.Appointments(context.Background(), e, AppointmentQuery{Period: staffPeriod, Window: windowAt(license.Enterprise)})
	if err != nil {
		t.Fatal(err)
	}
	if got.BusyHours != nil || got.Includes("busy_hours") {
		t.Errorf("busy_hours shown while switched off: %v", got.BusyHours)
	}
	b, _ := got.MarshalJSON()
	if m := string(b); !strings.Contains(m, `{"feature":"busy_hours","plan":"STARTER","fields":["busy_hours"]}`) || strings.Contains(m, `"busy_hours":[`) {
		t.Errorf("json = %s", m)
	}
	free, err := LockedAppointmentSections(ents(license.Free))
	if err == nil || len(free) != 3 {
		t.Errorf("FREE: locked %v, err %v", free, err)
	}
}

// By hand over P = 03-02..03-10 (7 appointments):
//   - Ava (1): 1 completed 60 min, 4 no_show 60, 6 cancelled 60 → 3 appts, booked 120 min = 2.00 h
//     (the cancelled hour left out), revenue 9500 (payment 1; 6 was paid before P).
//   - Room B (2): 2 cancelled 45, 3 completed 30, 7 scheduled 20 → 3 appts, booked 50 min = 0.83 h,
//     revenue 5000 (the failed and EUR payments never count).
//   - Retired (3): 5 confirmed 90 → 1 appt, 1.50 h, no visit.
//   - Extra (4): no appointment in P, but 3000 paid in P for appointment 8 before it.
//
// Ava and Room B tie on 3 appointments: the lower id first. Payment 5 has no appointment and so
// no resource.
func TestStaffFixture(t *testing.T) {
	s := openStaffFixture(t)
	got, err := s.Staff(context.Background(), ents(license.Professional), StaffQuery{Period: staffPeriod})
	if err != nil {
		t.Fatal(err)
	}
	want := StaffReport{
		Resources: []ResourcePerformance{
			{ID: 1, Name: "Ava", Appointments: 3, Visits: 1, Cancelled: 1, NoShow: 1, CancellationRatePercent: 33.33, NoShowRatePercent: 33.33,
				BookedHours: 2, RevenueCents: 9500, SharePercent: 42.86},
			{ID: 2, Name: "Room B", Appointments: 3, Visits: 1, Cancelled: 1, CancellationRatePercent: 33.33,
				BookedHours: 0.83, RevenueCents: 5000, SharePercent: 42.86},
			{ID: 3, Name: "Retired", Appointments: 1, BookedHours: 1.5, SharePercent: 14.29},
			{ID: 4, Name: "Extra", RevenueCents: 3000},
		},
		TotalAppointments: 7, Currency: "USD", PeriodDays: 9, From: "2026-03-02", To: "2026-03-10", TimeZone: "America/New_York",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("staff\n got %s\nwant %s", dump(got), dump(want))
	}
}

func TestStaffGateAndHistory(t *testing.T) {
	s := openStaffFixture(t)
	ctx := context.Background()
	_, err := s.Staff(ctx, ents(license.Starter), StaffQuery{Period: staffPeriod})
	var up *license.UpgradeError
	if !errors.As(err, &up) || up.Required != license.Professional {
		t.Fatalf("STARTER: err %v, want an upgrade error naming PROFESSIONAL", err)
	}
	_, err = s.Staff(ctx, ents(license.Professional), StaffQuery{Period: Period{From: "2025-01-01", To: "2025-01-31"}})
	var he *license.HistoryError
	if !errors.As(err, &he) {
		t.Fatalf("before the window: err %v, want a history error", err)
	}
	empty, err := s.Staff(ctx, ents(license.Professional), StaffQuery{Period: Period{From: "2026-01-10", To: "2026-01-11"}})
	if err != nil || len(empty.Resources) != 0 || empty.Resources == nil || empty.TotalAppointments != 0 {
		t.Errorf("empty period: %+v, %v", empty, err)
	}
}

func TestHours2Rounding(t *testing.T) {
	for _, c := range []struct {
		sec  int64
		want float64
	}{{0, 0}, {3000, 0.83}, {18, 0.01}, {17, 0}, {5400, 1.5}, {3600 * 1000, 1000}} {
		if got := hours2(c.sec); got != c.want {
			t.Errorf("hours2(%d) = %v, want %v", c.sec, got, c.want)
		}
	}
}

// The heatmap colours a cell by its count: none is the grid colour, the busiest the accent,
// and a busier cell is never lighter (on the light palette) than a quieter one.
func TestBusyHoursChart(t *testing.T) {
	s := openStaffFixture(t)
	g, err := s.Appointments(context.Background(), ents(license.Starter), AppointmentQuery{Period: staffPeriod, Window: windowAt(license.Starter)})
	if err != nil {
		t.Fatal(err)
	}
	for _, dark := range []bool{false, true} {
		b, err := BusyHoursChart(g.AppointmentAnalytics, ChartOptions{Width: 900, Height: 320, Dark: dark})
		if err != nil || len(b) < 8 || string(b[1:4]) != "PNG" {
			t.Fatalf("dark %v: %d bytes, %v", dark, len(b), err)
		}
	}
	p := paletteFor(false)
	if heat(p, 0, 3) != p.grid || heat(p, 3, 3) != accent {
		t.Errorf("heat: none %v (want grid %v), busiest %v (want accent %v)", heat(p, 0, 3), p.grid, heat(p, 3, 3), accent)
	}
	if a, b := heat(p, 1, 3), heat(p, 2, 3); int(a.R)+int(a.G)+int(a.B) <= int(b.R)+int(b.G)+int(b.B) {
		t.Errorf("heat(1) %v is not lighter than heat(2) %v", a, b)
	}
}
