package reports

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// Customer insights (issue 15). A visit is a completed appointment, on the local date of its
// start; revenue is succeeded payments in the tenant's currency on the local date they were
// paid. Everything is read from the customer rollups (per customer x day, and per customer over
// all time: rollup_customer_lifetime, rollup_customer_booked, rollup_customer_revenue_total).

// DefaultLapsedDays is how long without a visit makes a customer lapsed when none is given.
const DefaultLapsedDays = 90

// TopCustomersLimit is the length of top_customers.
const TopCustomersLimit = 20

// CustomerQuery asks for customer insights over a resolved period. Window decides whether the
// previous period (for retention) is visible; LapsedDays 0 means DefaultLapsedDays.
type CustomerQuery struct {
	Period     Period
	Window     license.Window
	LapsedDays int
}

// TopCustomer is one row of top_customers.
type TopCustomer struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Visits       int64  `json:"visits"`
	RevenueCents int64  `json:"revenue_cents"`
}

// LapsedCustomer is one row of lapsed_customers.
type LapsedCustomer struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Phone        string `json:"phone"`
	LastVisit    string `json:"last_visit_date"`
	Visits       int64  `json:"visit_count"`
	RevenueCents int64  `json:"lifetime_revenue_cents"`
}

// CustomerInsights is the customers report.
type CustomerInsights struct {
	NewCustomers             int64            `json:"new_customers"`
	ReturningCustomers       int64            `json:"returning_customers"`
	VisitingCustomers        int64            `json:"visiting_customers"`
	RetentionRatePercent     *float64         `json:"retention_rate_percent"`
	AverageVisitsPerCustomer float64          `json:"average_visits_per_customer"`
	TopCustomers             []TopCustomer    `json:"top_customers"`
	LapsedCustomers          []LapsedCustomer `json:"lapsed_customers"`
	LapsedDays               int              `json:"lapsed_days"`
	Currency                 string           `json:"currency"`
	PeriodDays               int              `json:"period_days"`

	From     string `json:"-"`
	To       string `json:"-"`
	TimeZone string `json:"-"`
}

// Customers computes customer insights for q when ents includes them, from two snapshots of
// one commit read in parallel: the period's counts on one, the lapsed list on the other, and
// the period's revenue, in spans of days, on whichever is free first.
func (s *Service) Customers(ctx context.Context, ents license.Entitlements, q CustomerQuery) (CustomerInsights, error) {
	if err := CheckReport(ents, ReportCustomers); err != nil {
		return CustomerInsights{}, err
	}
	var out CustomerInsights
	err := s.store.Snapshots(ctx, 2, func(sns []*store.Snapshot) error {
		t, from, to, days, _, err := s.reportBasis(ctx, sns[0], ents, q.Period)
		if err != nil {
			return err
		}
		out, err = s.customerInsights(ctx, sns, t, from, days, q)
		out.To, out.TimeZone = to, t.TimeZone
		return err
	})
	return out, err
}

// customerInsights reads and computes every field for the period from..from+days-1: the counts
// from sns[0] and the lapsed list from sns[1], each then reading spans of the period's revenue
// until none is left (the two reads first take different times, so this balances them).
func (s *Service) customerInsights(ctx context.Context, sns []*store.Snapshot, t data.Tenant, from string, days int, q CustomerQuery) (CustomerInsights, error) {
	out := CustomerInsights{PeriodDays: days, From: from, Currency: t.Currency, LapsedDays: q.LapsedDays}
	if out.LapsedDays <= 0 {
		out.LapsedDays = DefaultLapsedDays
	}
	spans := revenueSpans{from: from, days: days, t: t}
	var lapsed []LapsedCustomer
	var later *store.CustomerSums
	var otherErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		lapsed, otherErr = lapsedCustomers(ctx, sns[1], t, s.now(), out.LapsedDays) // the lapsed_customers export's read too
		if otherErr == nil {
			later, otherErr = spans.read(ctx, sns[1])
		}
	}()
	err := s.periodCounts(ctx, sns[0], from, days, q, &out)
	var rev *store.CustomerSums
	if err == nil {
		rev, err = spans.read(ctx, sns[0])
	}
	<-done
	out.LapsedCustomers = lapsed
	if err = cmp.Or(err, otherErr); err != nil {
		return out, err
	}
	switch {
	case rev == nil:
		rev = later
	case later != nil:
		rev.Merge(later)
	}
	out.TopCustomers, err = periodTop(ctx, sns[0], rev, from, addDays(from, days-1))
	return out, err
}

// revenueSpans hands out the period's days in spans, each to one reader of its revenue.
type revenueSpans struct {
	from string
	days int
	t    data.Tenant
	next atomic.Int64 // the next span's index
}

// revenueSpanCount is how many spans a period's revenue is read in.
const revenueSpanCount = 8

// read sums the revenue of the spans sn takes until none is left (nil when it took none).
func (r *revenueSpans) read(ctx context.Context, sn *store.Snapshot) (*store.CustomerSums, error) {
	size := max(3, (r.days+revenueSpanCount-1)/revenueSpanCount)
	var sums *store.CustomerSums
	for {
		start := int(r.next.Add(1)-1) * size
		if start >= r.days {
			return sums, nil
		}
		var err error
		sums, err = sn.CustomerRevenueIn(ctx, sums, addDays(r.from, start), addDays(r.from, min(start+size, r.days)-1), r.t.Currency)
		if err != nil {
			return nil, err
		}
	}
}

// periodCounts fills the period's counts.
func (s *Service) periodCounts(ctx context.Context, sn *store.Snapshot, from string, days int, q CustomerQuery, out *CustomerInsights) error {
	to := addDays(from, days-1)
	prevFrom := addDays(from, -days)
	visible := retentionVisible(prevFrom, q.Window)
	if !visible {
		prevFrom = ""
	}
	c, err := sn.CustomerVisitCounts(ctx, prevFrom, from, to)
	if err != nil {
		return err
	}
	visitCounts(out, c, visible)
	return nil
}

// periodTop is the top list of the period from..to with revenue rev.
func periodTop(ctx context.Context, sn *store.Snapshot, rev *store.CustomerSums, from, to string) ([]TopCustomer, error) {
	leaders := revenueLeaders(rev)
	visits, err := sn.CustomerVisitsOf(ctx, slices.Collect(maps.Keys(leaders)), from, to)
	if err != nil {
		return nil, err
	}
	return nameTop(ctx, sn, topCustomers(leaders, visits))
}

// visitCounts fills the counts of new, returning and visiting customers, the average visits and,
// when the previous period is visible (retained), the retention rate: the share of the
// customers visiting in the previous period who also visit in this one (nil when there are none).
func visitCounts(out *CustomerInsights, c store.CustomerVisitCounts, retained bool) {
	out.VisitingCustomers, out.NewCustomers = c.Visiting, c.New
	out.ReturningCustomers = c.Visiting - c.New
	if c.Visiting > 0 {
		out.AverageVisitsPerCustomer = round2(float64(c.Visits) / float64(c.Visiting))
	}
	if retained && c.Before > 0 {
		v := percent(c.Kept, c.Before)
		out.RetentionRatePercent = &v
	}
}

// retentionVisible reports whether the previous period, starting prevFrom, is inside the history
// window (retention is nil when it starts before the cutoff).
func retentionVisible(prevFrom string, w license.Window) bool {
	if w.Unlimited || w.Today.IsZero() {
		return true
	}
	d, _ := time.ParseInLocation(data.DateLayout, prevFrom, w.Today.Location())
	return w.CheckDate(d) == nil
}

// revenueLeaders keeps the customers whose revenue is at least the TopCustomersLimit-th highest,
// ties included: the only ones that can be in the top list, whose visits break its ties.
func revenueLeaders(rev *store.CustomerSums) map[int64]int64 {
	if rev.Len() <= TopCustomersLimit {
		return maps.Collect(rev.All())
	}
	var top []int64 // the TopCustomersLimit highest revenues, highest first
	for _, c := range rev.All() {
		if len(top) == TopCustomersLimit && c <= top[len(top)-1] {
			continue
		}
		i, _ := slices.BinarySearchFunc(top, c, func(a, b int64) int { return cmp.Compare(b, a) })
		top = slices.Insert(top, i, c)[:min(len(top)+1, TopCustomersLimit)]
	}
	least := top[len(top)-1]
	out := make(map[int64]int64, TopCustomersLimit)
	for id, c := range rev.All() {
		if c >= least {
			out[id] = c
		}
	}
	return out
}

// topCustomers ranks the customers with revenue in the period by revenue, then visits in the
// period, then lower id, and keeps the first TopCustomersLimit (names are filled in later).
func topCustomers(rev, visits map[int64]int64) []TopCustomer {
	before := func(a, b TopCustomer) bool {
		if a.RevenueCents != b.RevenueCents {
			return a.RevenueCents > b.RevenueCents
		}
		if a.Visits != b.Visits {
			return a.Visits > b.Visits
		}
		return a.ID < b.ID
	}
	top := make([]TopCustomer, 0, TopCustomersLimit+1)
	for id, cents := range rev {
		c := TopCustomer{ID: id, Visits: visits[id], RevenueCents: cents}
		if len(top) == TopCustomersLimit && !before(c, top[len(top)-1]) {
			continue
		}
		i := sort.Search(len(top), func(i int) bool { return before(c, top[i]) })
		top = slices.Insert(top, i, c)
		top = top[:min(len(top), TopCustomersLimit)]
	}
	return top
}

// nameTop fills in the names of the top customers.
func nameTop(ctx context.Context, sn *store.Snapshot, top []TopCustomer) ([]TopCustomer, error) {
	ids := make([]int64, len(top))
	for i, c := range top {
		ids[i] = c.ID
	}
	contacts, err := sn.CustomerContacts(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range top {
		top[i].Name = contacts[top[i].ID].Name
		if top[i].Name == "" {
			top[i].Name = fmt.Sprintf("#%d", top[i].ID)
		}
	}
	return top, nil
}

func lapsedRows(ls []store.LapsedCustomer) []LapsedCustomer {
	out := make([]LapsedCustomer, 0, len(ls))
	for _, l := range ls {
		out = append(out, LapsedCustomer{ID: l.ID, Name: l.Name, Email: l.Email, Phone: l.Phone,
			LastVisit: l.LastVisit, Visits: l.Visits, RevenueCents: l.RevenueCents})
	}
	return out
}

// addDays moves a local date by n days.
func addDays(date string, n int) string {
	d, _ := time.Parse(data.DateLayout, date)
	return d.AddDate(0, 0, n).Format(data.DateLayout)
}
