package reports

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// The customers fixture: the New York tenant of analytics_fixture_test.go, now 2026-03-10 15:00
// local. P is 2026-03-08 (the spring-forward day) to 2026-03-10; the previous period is 03-05 to
// 03-07; today − 90 days is 2025-12-10. Expected numbers are worked out by hand from this table.
//
//	1 Ann   active    visit 03-08 10:00 (her first ever, on P's first day)    pays 5000 on 03-08 (+999 EUR)
//	2 Bob   active    visits 2026-02-01, 03-06, 03-08 23:59 (DST day)          pays 5000 on 03-09
//	3 Cat   active    visits 2025-10-01, 03-05; none in P                       pays 1000 on 03-09
//	4 Dan   active    visits 2025-11-01, 03-09, 03-10 09:00; cancelled 03-09    pays 3000 + 2000 in P
//	5 Eve   active    visits 2025-06-01, 2025-11-20 (lapsed)                   4000 USD, 1000 EUR, 700 refunded
//	6 Fay   active    visit 2025-10-15, booked 2026-03-17 (next week: not lapsed)
//	7 Gus   inactive  visit 2025-09-01 (inactive: not lapsed)
//	8 Hal   active    only a no-show 2025-09-01 (never visited: not lapsed)
//	9 Ivy   active    visit 2025-12-09 (91 days: lapsed); confirmed 03-10 14:00, before now
//	10 Jay  active    visit 2025-12-10 (exactly 90 days: not lapsed)
type cxAppt struct {
	cust   int64
	start  time.Time
	status data.AppointmentStatus
}

var cxAppts = []cxAppt{
	{1, local(2026, 3, 8, 10, 0), data.StatusCompleted},
	{2, local(2026, 2, 1, 10, 0), data.StatusCompleted},
	{2, local(2026, 3, 6, 10, 0), data.StatusCompleted},
	{2, local(2026, 3, 8, 23, 59), data.StatusCompleted},
	{3, local(2025, 10, 1, 10, 0), data.StatusCompleted},
	{3, local(2026, 3, 5, 10, 0), data.StatusCompleted},
	{4, local(2025, 11, 1, 10, 0), data.StatusCompleted},
	{4, local(2026, 3, 9, 10, 0), data.StatusCompleted},
	{4, local(2026, 3, 9, 12, 0), data.StatusCancelled},
	{4, local(2026, 3, 10, 9, 0), data.StatusCompleted},
	{5, local(2025, 6, 1, 10, 0), data.StatusCompleted},
	{5, local(2025, 11, 20, 10, 0), data.StatusCompleted},
	{6, local(2025, 10, 15, 10, 0), data.StatusCompleted},
	{6, local(2026, 3, 17, 10, 0), data.StatusScheduled},
	{7, local(2025, 9, 1, 10, 0), data.StatusCompleted},
	{8, local(2025, 9, 1, 10, 0), data.StatusNoShow},
	{9, local(2025, 12, 9, 10, 0), data.StatusCompleted},
	{9, local(2026, 3, 10, 14, 0), data.StatusConfirmed},
	{10, local(2025, 12, 10, 10, 0), data.StatusCompleted},
}

type cxPay struct {
	cust     int64
	cents    int64
	currency string
	status   data.PaymentStatus
	paid     time.Time
}

var cxPays = []cxPay{
	{1, 5000, "USD", data.PaymentSucceeded, local(2026, 3, 8, 11, 0)},
	{1, 999, "EUR", data.PaymentSucceeded, local(2026, 3, 8, 11, 0)},
	{2, 5000, "USD", data.PaymentSucceeded, local(2026, 3, 9, 0, 5)},
	{3, 1000, "USD", data.PaymentSucceeded, local(2026, 3, 9, 12, 0)},
	{4, 3000, "USD", data.PaymentSucceeded, local(2026, 3, 9, 11, 0)},
	{4, 2000, "USD", data.PaymentSucceeded, local(2026, 3, 10, 10, 0)},
	{4, 9000, "USD", data.PaymentPending, time.Time{}},
	{5, 4000, "USD", data.PaymentSucceeded, local(2025, 11, 20, 11, 0)},
	{5, 1000, "EUR", data.PaymentSucceeded, local(2025, 11, 20, 11, 0)},
	{5, 700, "USD", data.PaymentRefunded, local(2025, 11, 20, 11, 0)},
}

var cxNames = []string{"Ann", "Bob", "Cat", "Dan", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jay"}

// openCustomersFixture builds the customers fixture and returns a Service clocked at fixtureNow.
func openCustomersFixture(t *testing.T) *Service {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cx.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	stamp := local(2025, 1, 1, 0, 0)
	err = st.Write(ctx, func(tx *sql.Tx) error {
		if err := store.PutTenant(ctx, tx, data.Tenant{ID: "cx", Name: "Fixture Spa", TimeZone: "America/New_York", Currency: "USD", CanAcceptPayments: true}); err != nil {
			return err
		}
		w, err := store.NewWriter(ctx, tx, fxZone)
		if err != nil {
			return err
		}
		defer w.Close()
		must(t, w.PutService(data.Service{ID: 1, Name: "Massage", DurationMinutes: 60, PriceCents: 1000, Active: true, UpdatedAt: stamp}))
		must(t, w.PutResource(data.Resource{ID: 1, Name: "Ava", Kind: data.ResourceStaff, Active: true, UpdatedAt: stamp}))
		for i, name := range cxNames {
			status := data.CustomerActive
			if name == "Gus" {
				status = data.CustomerInactive
			}
			must(t, w.PutCustomer(data.Customer{ID: int64(i + 1), Name: name, Email: name + "@example.com", Phone: "555-010" + string(rune('0'+i)),
				Status: status, CreatedAt: stamp, UpdatedAt: stamp}))
		}
		for i, a := range cxAppts {
			must(t, w.PutAppointment(data.Appointment{ID: int64(i + 1), CustomerID: a.cust, ServiceID: 1, ResourceID: 1, StartAt: a.start.UTC(),
				EndAt: a.start.Add(time.Hour).UTC(), Status: a.status, BookedAt: stamp, UpdatedAt: stamp}))
		}
		for i, p := range cxPays {
			pay := data.Payment{ID: int64(i + 1), CustomerID: p.cust, AmountCents: p.cents, Currency: p.currency, Status: p.status, CreatedAt: stamp, UpdatedAt: stamp}
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

func customersAt(t *testing.T, s *Service, plan license.Plan, from, to string) CustomerInsights {
	t.Helper()
	c, err := s.Customers(context.Background(), ents(plan), CustomerQuery{Period: Period{From: from, To: to}, Window: windowAt(plan)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCustomersHandComputed(t *testing.T) {
	c := customersAt(t, openCustomersFixture(t), license.Professional, "2026-03-08", "2026-03-10")
	// Visitors in P: Ann (1 visit, first ever on 03-08), Bob (1, the 23:59 visit), Dan (2).
	if c.NewCustomers != 1 || c.ReturningCustomers != 2 || c.VisitingCustomers != 3 {
		t.Errorf("new/returning/visiting = %d/%d/%d, want 1/2/3", c.NewCustomers, c.ReturningCustomers, c.VisitingCustomers)
	}
	if c.AverageVisitsPerCustomer != 1.33 { // 4 visits ÷ 3 customers
		t.Errorf("average visits = %v, want 1.33", c.AverageVisitsPerCustomer)
	}
	// Previous period 03-05..03-07: Cat and Bob; only Bob comes back.
	if c.RetentionRatePercent == nil || *c.RetentionRatePercent != 50 {
		t.Errorf("retention = %v, want 50", c.RetentionRatePercent)
	}
	// 5000 each for Dan (2 visits), Ann (1, id 1), Bob (1, id 2); then Cat's 1000 with no visit.
	want := []TopCustomer{{4, "Dan", 2, 5000}, {1, "Ann", 1, 5000}, {2, "Bob", 1, 5000}, {3, "Cat", 0, 1000}}
	if !slices.Equal(c.TopCustomers, want) {
		t.Errorf("top = %+v, want %+v", c.TopCustomers, want)
	}
	// Ivy (91 days, a confirmed booking already past) and Eve; not Fay (booked next week), Gus
	// (inactive), Hal (never visited), Jay (exactly 90 days).
	lapsed := []LapsedCustomer{
		{9, "Ivy", "Ivy@example.com", "555-0108", "2025-12-09", 1, 0},
		{5, "Eve", "Eve@example.com", "555-0104", "2025-11-20", 2, 4000},
	}
	if !slices.Equal(c.LapsedCustomers, lapsed) {
		t.Errorf("lapsed = %+v, want %+v", c.LapsedCustomers, lapsed)
	}
	if c.LapsedDays != 90 || c.Currency != "USD" || c.PeriodDays != 3 {
		t.Errorf("lapsed days %d, currency %s, period days %d", c.LapsedDays, c.Currency, c.PeriodDays)
	}
}

// Bob's visit at 23:59 local on the DST day is on March 8 (in UTC it is March 9).
func TestCustomersDSTDayLateVisit(t *testing.T) {
	s := openCustomersFixture(t)
	c := customersAt(t, s, license.Professional, "2026-03-08", "2026-03-08")
	if c.VisitingCustomers != 2 || c.NewCustomers != 1 || c.ReturningCustomers != 1 {
		t.Errorf("03-08: new/returning/visiting = %d/%d/%d, want 1/1/2", c.NewCustomers, c.ReturningCustomers, c.VisitingCustomers)
	}
	if c.RetentionRatePercent != nil { // nobody visited on 03-07
		t.Errorf("retention = %v, want null (empty previous day)", *c.RetentionRatePercent)
	}
	if c := customersAt(t, s, license.Professional, "2026-03-09", "2026-03-09"); c.VisitingCustomers != 1 {
		t.Errorf("03-09: %d visiting, want 1 (Dan only)", c.VisitingCustomers)
	}
}

func TestCustomersLapsedDaysAndWindow(t *testing.T) {
	s := openCustomersFixture(t)
	// 69 days from 2026-01-01: the previous period starts 2025-10-23, before PROFESSIONAL's
	// cutoff 2025-12-10, so retention is null.
	c := customersAt(t, s, license.Professional, "2026-01-01", "2026-03-10")
	if c.RetentionRatePercent != nil {
		t.Errorf("retention = %v, want null (previous period before the cutoff)", *c.RetentionRatePercent)
	}
	// Bob (first 02-01), Ann: new; Cat, Dan: returning.
	if c.NewCustomers != 2 || c.ReturningCustomers != 2 {
		t.Errorf("new/returning = %d/%d, want 2/2", c.NewCustomers, c.ReturningCustomers)
	}
	q := CustomerQuery{Period: Period{From: "2026-03-08", To: "2026-03-10"}, Window: windowAt(license.Professional), LapsedDays: 89}
	c, err := s.Customers(context.Background(), ents(license.Professional), q)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, l := range c.LapsedCustomers {
		ids = append(ids, l.ID)
	}
	if !slices.Equal(ids, []int64{10, 9, 5}) { // 89 days: Jay's 90 days now count
		t.Errorf("lapsed after 89 days = %v, want [10 9 5]", ids)
	}
}

func TestCustomersGated(t *testing.T) {
	s := openCustomersFixture(t)
	_, err := s.Customers(context.Background(), ents(license.Starter), CustomerQuery{Period: Period{From: "2026-03-08", To: "2026-03-10"}})
	var up *license.UpgradeError
	if !errors.As(err, &up) || up.Required != license.Professional || up.Feature != license.FeatureCustomerInsights {
		t.Fatalf("STARTER: %v, want the upgrade error naming PROFESSIONAL", err)
	}
}
