package reports

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// The hand-computed fixture: a New York tenant around the 2026 spring-forward day (March 8),
// the February/March month boundary and the 2025/2026 year boundary. "Now" is
// 2026-03-10 15:00 local. Expected numbers in the tests below are worked out by hand from
// this table, not by running the code.

var fxZone = mustLoc("America/New_York")

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func local(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, fxZone)
}

var fixtureNow = local(2026, 3, 10, 15, 0)

type fxAppt struct {
	id       int64
	start    time.Time
	minutes  int
	status   data.AppointmentStatus
	svc, res int64
}

var fixtureAppts = []fxAppt{
	{1, local(2026, 3, 8, 1, 30), 60, data.StatusCompleted, 1, 1},   // Sun, before the DST jump
	{2, local(2026, 3, 8, 3, 30), 45, data.StatusCancelled, 2, 2},   // Sun, after the jump
	{3, local(2026, 3, 8, 23, 30), 60, data.StatusNoShow, 1, 2},     // Sun local, Mon in UTC
	{4, local(2026, 3, 7, 23, 30), 30, data.StatusCompleted, 3, 3},  // Sat local, Sun in UTC
	{5, local(2026, 3, 1, 0, 30), 60, data.StatusCompleted, 1, 1},   // first hour of March
	{6, local(2026, 2, 28, 23, 30), 45, data.StatusCompleted, 2, 1}, // Feb local, March in UTC
	{7, local(2026, 3, 12, 10, 0), 60, data.StatusScheduled, 1, 1},  // upcoming
	{8, local(2026, 3, 20, 14, 0), 45, data.StatusConfirmed, 2, 2},  // upcoming
	{9, local(2026, 3, 10, 14, 0), 60, data.StatusConfirmed, 1, 1},  // today, already started
	{10, local(2026, 3, 10, 16, 0), 30, data.StatusCancelled, 3, 1},
	{11, local(2025, 12, 31, 23, 30), 60, data.StatusCompleted, 1, 2}, // 2025 local, 2026 in UTC
	{12, local(2026, 1, 1, 9, 0), 45, data.StatusNoShow, 2, 1},
	{13, local(2025, 1, 15, 10, 0), 60, data.StatusCompleted, 1, 1}, // outside a 365-day window
}

type fxPay struct {
	id       int64
	appt     int64 // 0: none
	cents    int64
	currency string
	status   data.PaymentStatus
	paid     time.Time
}

var fixturePays = []fxPay{
	{1, 1, 9500, "USD", data.PaymentSucceeded, local(2026, 3, 8, 1, 45)},
	{2, 5, 9500, "USD", data.PaymentSucceeded, local(2026, 3, 1, 0, 45)},
	{3, 6, 7500, "USD", data.PaymentSucceeded, local(2026, 2, 28, 23, 50)}, // Feb local
	{4, 0, 2000, "USD", data.PaymentSucceeded, local(2026, 3, 5, 12, 0)},   // no appointment
	{5, 2, 7500, "USD", data.PaymentFailed, local(2026, 3, 8, 3, 0)},
	{6, 4, 3000, "USD", data.PaymentRefunded, local(2026, 3, 7, 23, 0)},
	{7, 3, 9500, "USD", data.PaymentPending, time.Time{}},
	{8, 1, 1001, "USD", data.PaymentSucceeded, local(2026, 3, 8, 10, 0)},
	{9, 5, 500, "EUR", data.PaymentSucceeded, local(2026, 3, 2, 12, 0)}, // not the tenant's currency
}

// openFixture builds the fixture store by hand and returns a Service clocked at fixtureNow.
func openFixture(t *testing.T) *Service {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "fx.db"))
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
		for i, name := range []string{"Massage", "Facial", "Old service"} {
			must(t, w.PutService(data.Service{ID: int64(i + 1), Name: name, DurationMinutes: 30, PriceCents: 1000, Active: i < 2, UpdatedAt: stamp}))
		}
		for i, name := range []string{"Ava", "Room B", "Retired"} {
			must(t, w.PutResource(data.Resource{ID: int64(i + 1), Name: name, Kind: data.ResourceStaff, Active: i < 2, UpdatedAt: stamp}))
		}
		must(t, w.PutCustomer(data.Customer{ID: 1, Name: "C", Email: "c@example.com", Status: data.CustomerActive, CreatedAt: stamp, UpdatedAt: stamp}))
		for _, a := range fixtureAppts {
			must(t, w.PutAppointment(data.Appointment{ID: a.id, CustomerID: 1, ServiceID: a.svc, ResourceID: a.res, StartAt: a.start.UTC(),
				EndAt: a.start.Add(time.Duration(a.minutes) * time.Minute).UTC(), Status: a.status, BookedAt: stamp, UpdatedAt: stamp}))
		}
		for _, p := range fixturePays {
			pay := data.Payment{ID: p.id, CustomerID: 1, AmountCents: p.cents, Currency: p.currency, Status: p.status, CreatedAt: stamp, UpdatedAt: stamp}
			if p.appt != 0 {
				pay.AppointmentID = &p.appt
			}
			if !p.paid.IsZero() {
				paid := p.paid.UTC()
				pay.PaidAt = &paid
			}
			must(t, w.PutPayment(pay))
		}
		return w.Flush()
	})
	if err != nil {
		t.Fatal(err)
	}
	return New(st, func() time.Time { return fixtureNow })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ents(p license.Plan) license.Entitlements {
	return license.EntitlementsFor(license.Payload{Plan: p}, true)
}

func windowAt(p license.Plan) license.Window { return ents(p).Window(Today(fixtureNow, fxZone)) }
