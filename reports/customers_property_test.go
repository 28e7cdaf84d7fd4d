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

// The customers report against the raw rows: for random demo tenants, edited through the Writer
// so the customer rollups' triggers run, every field equals the same numbers recomputed here
// from the appointments, payments and customers, with local dates derived from the UTC instants.

type rawCustomers struct {
	loc      *time.Location
	currency string
	visits   map[int64][]string // customer -> local dates of completed appointments
	booked   map[int64][]int64  // customer -> starts of scheduled/confirmed appointments
	pays     map[int64][]rawCustPay
	contacts map[int64]store.CustomerContact
	active   map[int64]bool
}

type rawCustPay struct {
	cents int64
	date  string
}

func TestCustomersAgreeWithRawRows(t *testing.T) {
	for i := range 3 {
		rng := rand.New(rand.NewPCG(uint64(i), 15))
		o := demo.Options{
			Appointments: 300 + rng.IntN(1200), Seed: rng.Uint64N(1000) + 1, TimeZone: propZones[rng.IntN(len(propZones))],
			Today: time.Date(2024+rng.IntN(3), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC),
		}
		t.Run(fmt.Sprintf("%s-%d-seed%d", o.TimeZone, o.Appointments, o.Seed), func(t *testing.T) {
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
			raw := loadRawCustomers(t, st, loc)
			s := New(st, func() time.Time { return now })
			for range 10 {
				w := ents(license.Professional).Window(today)
				q := CustomerQuery{Period: randomPeriod(rng, today), Window: w, LapsedDays: 1 + rng.IntN(200)}
				got, err := s.Customers(ctx, ents(license.Internal), q)
				if err != nil {
					t.Fatal(err)
				}
				got.To, got.TimeZone = "", ""
				if want := raw.insights(q, now, today); !reflect.DeepEqual(got, want) {
					t.Fatalf("customers %+v\n got %s\nwant %s", q.Period, dump(got), dump(want))
				}
			}
		})
	}
}

func loadRawCustomers(t *testing.T, st *store.Store, loc *time.Location) rawCustomers {
	ctx := context.Background()
	r := rawCustomers{loc: loc, visits: map[int64][]string{}, booked: map[int64][]int64{}, pays: map[int64][]rawCustPay{},
		contacts: map[int64]store.CustomerContact{}, active: map[int64]bool{}}
	err := st.Read(ctx, func(tx *sql.Tx) error {
		tn, err := store.TenantTx(ctx, tx)
		if err != nil {
			return err
		}
		r.currency = tn.Currency
		if err := rawRows(ctx, tx, "SELECT id, name, email, phone, status FROM customers", nil, func(rows *sql.Rows) error {
			var c store.CustomerContact
			var status string
			if err := rows.Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &status); err != nil {
				return err
			}
			r.contacts[c.ID], r.active[c.ID] = c, status == "active"
			return nil
		}); err != nil {
			return err
		}
		if err := rawRows(ctx, tx, "SELECT customer_id, start_at, status FROM appointments", nil, func(rows *sql.Rows) error {
			var id, start int64
			var status string
			if err := rows.Scan(&id, &start, &status); err != nil {
				return err
			}
			switch status {
			case "completed":
				r.visits[id] = append(r.visits[id], time.Unix(start, 0).In(loc).Format(data.DateLayout))
			case "scheduled", "confirmed":
				r.booked[id] = append(r.booked[id], start)
			}
			return nil
		}); err != nil {
			return err
		}
		return rawRows(ctx, tx, "SELECT customer_id, amount_cents, paid_at FROM payments WHERE status = 'succeeded' AND paid_at IS NOT NULL AND currency = ?",
			[]any{r.currency}, func(rows *sql.Rows) error {
				var id, cents, paid int64
				if err := rows.Scan(&id, &cents, &paid); err != nil {
					return err
				}
				r.pays[id] = append(r.pays[id], rawCustPay{cents, time.Unix(paid, 0).In(loc).Format(data.DateLayout)})
				return nil
			})
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (r rawCustomers) visitsIn(id int64, from, to string) (n int64) {
	for _, d := range r.visits[id] {
		if d >= from && d <= to {
			n++
		}
	}
	return n
}

func (r rawCustomers) insights(q CustomerQuery, now, today time.Time) CustomerInsights {
	from, to := q.Period.From, q.Period.To
	a, _ := time.Parse(data.DateLayout, from)
	b, _ := time.Parse(data.DateLayout, to)
	days := daysBetween(a, b) + 1
	out := CustomerInsights{PeriodDays: days, From: from, Currency: r.currency, LapsedDays: q.LapsedDays,
		TopCustomers: []TopCustomer{}, LapsedCustomers: []LapsedCustomer{}}
	prevFrom, prevTo := a.AddDate(0, 0, -days).Format(data.DateLayout), a.AddDate(0, 0, -1).Format(data.DateLayout)
	var total, prev, kept int64
	for id, ds := range r.visits {
		n := r.visitsIn(id, from, to)
		if r.visitsIn(id, prevFrom, prevTo) > 0 {
			prev++
			if n > 0 {
				kept++
			}
		}
		if n == 0 {
			continue
		}
		total += n
		out.VisitingCustomers++
		if first := minString(ds); first >= from {
			out.NewCustomers++
		} else {
			out.ReturningCustomers++
		}
	}
	if out.VisitingCustomers > 0 {
		out.AverageVisitsPerCustomer = round2(float64(total) / float64(out.VisitingCustomers))
	}
	prevStart := time.Date(a.Year(), a.Month(), a.Day()-days, 0, 0, 0, 0, r.loc)
	if prev > 0 && q.Window.CheckDate(prevStart) == nil {
		v := percent(kept, prev)
		out.RetentionRatePercent = &v
	}
	for id, ps := range r.pays {
		var cents, n int64
		for _, p := range ps {
			if p.date >= from && p.date <= to {
				cents, n = cents+p.cents, n+1
			}
		}
		if n > 0 {
			out.TopCustomers = append(out.TopCustomers, TopCustomer{ID: id, Name: r.contacts[id].Name, Visits: r.visitsIn(id, from, to), RevenueCents: cents})
		}
	}
	sort.Slice(out.TopCustomers, func(i, j int) bool {
		x, y := out.TopCustomers[i], out.TopCustomers[j]
		if x.RevenueCents != y.RevenueCents {
			return x.RevenueCents > y.RevenueCents
		}
		if x.Visits != y.Visits {
			return x.Visits > y.Visits
		}
		return x.ID < y.ID
	})
	out.TopCustomers = out.TopCustomers[:min(len(out.TopCustomers), 20)]
	cutoff := today.AddDate(0, 0, -q.LapsedDays).Format(data.DateLayout)
	for id, ds := range r.visits {
		last := maxString(ds)
		if !r.active[id] || last >= cutoff || r.bookedAfter(id, now.Unix()) {
			continue
		}
		var rev int64
		for _, p := range r.pays[id] {
			rev += p.cents
		}
		c := r.contacts[id]
		out.LapsedCustomers = append(out.LapsedCustomers, LapsedCustomer{ID: id, Name: c.Name, Email: c.Email, Phone: c.Phone,
			LastVisit: last, Visits: int64(len(ds)), RevenueCents: rev})
	}
	sort.Slice(out.LapsedCustomers, func(i, j int) bool {
		x, y := out.LapsedCustomers[i], out.LapsedCustomers[j]
		if x.LastVisit != y.LastVisit {
			return x.LastVisit > y.LastVisit
		}
		return x.ID < y.ID
	})
	return out
}

func (r rawCustomers) bookedAfter(id, now int64) bool {
	for _, s := range r.booked[id] {
		if s > now {
			return true
		}
	}
	return false
}

func minString(ss []string) string {
	m := ss[0]
	for _, s := range ss {
		m = min(m, s)
	}
	return m
}

func maxString(ss []string) string {
	m := ss[0]
	for _, s := range ss {
		m = max(m, s)
	}
	return m
}
