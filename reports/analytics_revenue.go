package reports

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// Revenue analytics (seed 001): succeeded payments in the tenant's currency, counted on the
// local date they were paid, from rollup_revenue_service. A payment counts under its
// appointment's service; one without an appointment counts under service 0, "No appointment".

// NoServiceName names revenue whose payment has no appointment (service id 0).
const NoServiceName = "No appointment"

// RevenueQuery asks for revenue analytics over a resolved period. ServiceID 0 means all
// services unless OnlyService is set: then it is the "No appointment" bucket (service 0).
type RevenueQuery struct {
	Period      Period
	ServiceID   int64
	OnlyService bool // ServiceID is a filter even when it is 0
}

// filtered reports whether the query narrows revenue to one service id.
func (q RevenueQuery) filtered() bool { return q.OnlyService || q.ServiceID != 0 }

// ServiceRevenue is one row of by_service.
type ServiceRevenue struct {
	ServiceID    int64  `json:"service_id"`
	ServiceName  string `json:"service_name"`
	RevenueCents int64  `json:"revenue_cents"`
	Count        int64  `json:"count"`
}

// DayRevenue is one day of daily_breakdown, zeros included.
type DayRevenue struct {
	Date             string `json:"date"`
	RevenueCents     int64  `json:"revenue_cents"`
	TransactionCount int64  `json:"transaction_count"`
}

// RevenueAnalytics is the revenue report; JSON field names are the seed's.
type RevenueAnalytics struct {
	TotalRevenueCents            int64            `json:"total_revenue_cents"`
	TransactionCount             int64            `json:"transaction_count"`
	AverageTransactionValueCents int64            `json:"average_transaction_value_cents"`
	ByService                    []ServiceRevenue `json:"by_service"`
	DailyBreakdown               []DayRevenue     `json:"daily_breakdown"`
	Currency                     string           `json:"currency"`
	PeriodDays                   int              `json:"period_days"`

	From     string `json:"-"`
	To       string `json:"-"`
	TimeZone string `json:"-"`
}

// revenue computes revenue analytics for q from one snapshot, ungated.
func (s *Service) revenue(ctx context.Context, ents license.Entitlements, q RevenueQuery) (RevenueAnalytics, error) {
	var out RevenueAnalytics
	err := s.store.Snapshot(ctx, func(sn *store.Snapshot) error {
		t, from, to, days, nm, err := s.reportBasis(ctx, sn, ents, q.Period)
		if err != nil {
			return err
		}
		if _, ok := nm.services[q.ServiceID]; q.ServiceID != 0 && !ok {
			return usageError(data.FieldService, fmt.Sprint(q.ServiceID), "is not a service of this tenant", "see the service ids in the revenue report")
		}
		nm.services[0] = NoServiceName
		var only *int64
		if q.filtered() {
			only = &q.ServiceID
		}
		cells, err := sn.RevenueByDayService(ctx, from, to, t.Currency, only)
		if err != nil {
			return fmt.Errorf("revenue analytics: %w", err)
		}
		out = revenueReport(cells, from, days, t.Currency, nm.services)
		out.To, out.TimeZone = to, t.TimeZone
		return nil
	})
	return out, err
}

// revenueReport lays the store's cells out as the report: every day of the period, the
// services largest first.
func revenueReport(cells []store.RevenueCell, from string, days int, currency string, svcNames map[int64]string) RevenueAnalytics {
	out := RevenueAnalytics{Currency: currency, PeriodDays: days, From: from, ByService: []ServiceRevenue{}}
	type cell struct{ cents, n int64 }
	byDay, bySvc := map[string]*cell{}, map[int64]*cell{}
	for _, rc := range cells {
		for _, c := range []*cell{at(byDay, rc.Date), at(bySvc, rc.ServiceID)} {
			c.cents += rc.Cents
			c.n += rc.N
		}
	}
	start, _ := time.Parse(data.DateLayout, from)
	for i := range days {
		d := DayRevenue{Date: start.AddDate(0, 0, i).Format(data.DateLayout)}
		if c := byDay[d.Date]; c != nil {
			d.RevenueCents, d.TransactionCount = c.cents, c.n
		}
		out.TotalRevenueCents += d.RevenueCents
		out.TransactionCount += d.TransactionCount
		out.DailyBreakdown = append(out.DailyBreakdown, d)
	}
	for id, c := range bySvc {
		if c.n != 0 {
			out.ByService = append(out.ByService, ServiceRevenue{ServiceID: id, ServiceName: nameOf(svcNames, id), RevenueCents: c.cents, Count: c.n})
		}
	}
	sort.Slice(out.ByService, func(i, j int) bool {
		a, b := out.ByService[i], out.ByService[j]
		if a.RevenueCents != b.RevenueCents {
			return a.RevenueCents > b.RevenueCents
		}
		return a.ServiceID < b.ServiceID
	})
	out.AverageTransactionValueCents = divRound(out.TotalRevenueCents, out.TransactionCount)
	return out
}

// at returns m[k], creating it.
func at[K comparable, V any](m map[K]*V, k K) *V {
	v := m[k]
	if v == nil {
		v = new(V)
		m[k] = v
	}
	return v
}

// divRound is a ÷ b rounded half away from zero, 0 when b is 0 (integer minor units stay exact).
func divRound(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	if (a < 0) != (b < 0) {
		return -((-a*2 + b) / (2 * b))
	}
	return (a*2 + b) / (2 * b)
}
