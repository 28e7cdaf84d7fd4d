package store

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
)

// upcomingAppt is one booking of the upcoming-count fixtures, in the tenant's local time.
type upcomingAppt struct {
	start  time.Time
	status data.AppointmentStatus
}

// openUpcoming is a store of one customer and service in zone holding appts.
func openUpcoming(t *testing.T, zone string, appts []upcomingAppt) *Store {
	t.Helper()
	ctx := context.Background()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	st, err := Open(ctx, filepath.Join(t.TempDir(), "upcoming.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	stamp := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err = st.Write(ctx, func(tx *sql.Tx) error {
		if err := PutTenant(ctx, tx, data.Tenant{ID: "up", Name: "Up", TimeZone: zone, Currency: "USD"}); err != nil {
			return err
		}
		w, err := NewWriter(ctx, tx, loc)
		if err != nil {
			return err
		}
		defer w.Close()
		steps := []error{
			w.PutService(data.Service{ID: 1, Name: "Cut", Active: true, DurationMinutes: 30, PriceCents: 1000, UpdatedAt: stamp}),
			w.PutResource(data.Resource{ID: 1, Name: "Ava", Kind: data.ResourceStaff, Active: true, UpdatedAt: stamp}),
			w.PutCustomer(data.Customer{ID: 1, Name: "C", Status: data.CustomerActive, CreatedAt: stamp, UpdatedAt: stamp}),
		}
		for i, a := range appts {
			steps = append(steps, w.PutAppointment(data.Appointment{ID: int64(i + 1), CustomerID: 1, ServiceID: 1, ResourceID: 1,
				StartAt: a.start, EndAt: a.start.Add(30 * time.Minute), Status: a.status, BookedAt: stamp, UpdatedAt: stamp}))
		}
		for _, err := range steps {
			if err != nil {
				return err
			}
		}
		return w.Flush()
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// upcomingBoth is DashboardTotals' upcoming count and the same count straight from the rows.
func upcomingBoth(t *testing.T, st *Store, now time.Time, loc *time.Location) (got, raw int64) {
	t.Helper()
	snapRead(t, st, func(ctx context.Context, sn *Snapshot) error {
		tot, err := sn.DashboardTotals(ctx, "2026-01-01", "2026-12-31", "0000-01-01", data.LocalDate(now, loc), now)
		if err != nil {
			return err
		}
		got = tot.Upcoming
		return sn.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM appointments
			WHERE status IN ('scheduled', 'confirmed') AND start_at > ?`, now.Unix()).Scan(&raw)
	})
	return got, raw
}

// TestUpcomingOnTheDayTheClocksGoBack counts by hand on New York's 25-hour day: the rest of
// today (a 23:30 start is already tomorrow in UTC) from the rows, later days from the rollup.
func TestUpcomingOnTheDayTheClocksGoBack(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, ny) }
	now := at(1, 10, 0)
	appts := []upcomingAppt{
		{at(1, 9, 0), data.StatusScheduled},                              // started
		{now, data.StatusScheduled},                                      // starts at now: not after it
		{at(1, 13, 0), data.StatusScheduled},                             // later today ✔
		{at(1, 14, 0), data.StatusCancelled},                             // not a booking any more
		{at(1, 23, 30), data.StatusConfirmed},                            // today locally, 04:30 tomorrow in UTC ✔
		{at(2, 0, 30), data.StatusConfirmed},                             // tomorrow ✔
		{at(9, 10, 0), data.StatusScheduled},                             // next week ✔
		{at(9, 11, 0), data.StatusCompleted},                             // marked done early: not upcoming
		{at(10, 9, 0), data.StatusNoShow},                                // likewise
		{time.Date(2026, 10, 31, 12, 0, 0, 0, ny), data.StatusScheduled}, // yesterday, never updated
	}
	st := openUpcoming(t, "America/New_York", appts)
	got, raw := upcomingBoth(t, st, now, ny)
	if got != 4 || raw != 4 {
		t.Fatalf("upcoming on 1 November at 10:00 = %d (rows say %d), want 4", got, raw)
	}
}

// TestUpcomingMatchesTheRows draws bookings over a week around now in zones with long and odd
// days, and compares the count with the rows' at many instants, midnights and DST hours included.
func TestUpcomingMatchesTheRows(t *testing.T) {
	statuses := []data.AppointmentStatus{data.StatusScheduled, data.StatusConfirmed, data.StatusCompleted, data.StatusCancelled, data.StatusNoShow}
	for _, zone := range []string{"America/New_York", "Australia/Lord_Howe", "Antarctica/Troll", "Asia/Kathmandu", "UTC"} {
		t.Run(zone, func(t *testing.T) {
			loc, _ := time.LoadLocation(zone)
			rng := rand.New(rand.NewPCG(7, uint64(len(zone))))
			base := time.Date(2026, 3, 26, 0, 0, 0, 0, loc) // Troll, Europe and Lord Howe move in these weeks
			var appts []upcomingAppt
			for range 400 {
				start := base.Add(time.Duration(rng.IntN(10*24*60)) * time.Minute)
				appts = append(appts, upcomingAppt{start, statuses[rng.IntN(len(statuses))]})
			}
			st := openUpcoming(t, zone, appts)
			for i := range 60 {
				now := base.Add(time.Duration(i*4) * time.Hour).Add(time.Duration(rng.IntN(240)) * time.Minute)
				if got, raw := upcomingBoth(t, st, now, loc); got != raw {
					t.Fatalf("at %s: upcoming %d, the rows say %d", now, got, raw)
				}
			}
		})
	}
}
