// Package reports turns the local tenant store into the numbers, tables, charts and files Almanac shows.
package reports

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/almanac-app/almanac/data"
)

// Service answers reports from one tenant store.
type Service struct {
	store *data.Store
	now   func() time.Time
}

// New returns a Service over store; now is the clock (time.Now in production).
func New(store *data.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// Store is the underlying store.
func (s *Service) Store() *data.Store { return s.store }

// Tenant returns the tenant the service reports on.
func (s *Service) Tenant(ctx context.Context) (data.Tenant, error) { return s.store.Tenant(ctx) }

// Summary holds the dashboard's headline numbers. Definitions, in the tenant's time zone:
// appointments this month count every appointment whose local start date is in the current
// calendar month (future ones included, every status); upcoming counts scheduled or confirmed
// appointments starting after now; active customers have status active; revenue this month sums
// succeeded payments by the local date they were paid, in minor units of the tenant's currency.
type Summary struct {
	Tenant                data.Tenant `json:"-"`
	MonthStart            string      `json:"month_start"`
	MonthEnd              string      `json:"month_end"`
	AppointmentsThisMonth int64       `json:"appointments_this_month"`
	UpcomingAppointments  int64       `json:"upcoming_appointments"`
	ActiveCustomers       int64       `json:"active_customers"`
	RevenueThisMonthCents int64       `json:"revenue_this_month_cents"`
	Currency              string      `json:"currency"`
	ComputedAt            time.Time   `json:"computed_at"`
}

// MonthBounds returns the first and last local dates of the month containing now in loc.
func MonthBounds(now time.Time, loc *time.Location) (first, last string) {
	n := now.In(loc)
	start := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, loc)
	end := start.AddDate(0, 1, -1)
	return start.Format(data.DateLayout), end.Format(data.DateLayout)
}

// Summary computes the headline numbers from one consistent snapshot, using the daily rollups.
func (s *Service) Summary(ctx context.Context) (Summary, error) {
	var out Summary
	err := s.store.Read(ctx, func(tx *sql.Tx) error {
		t, err := data.TenantTx(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now()
		first, last := MonthBounds(now, t.Location())
		out = Summary{Tenant: t, MonthStart: first, MonthEnd: last, Currency: t.Currency, ComputedAt: now}
		qs := []struct {
			dst  *int64
			q    string
			args []any
		}{
			{&out.AppointmentsThisMonth, `SELECT COALESCE(SUM(n), 0) FROM rollup_appt_service WHERE local_date BETWEEN ? AND ?`, []any{first, last}},
			{&out.UpcomingAppointments, `SELECT COUNT(*) FROM appointments WHERE start_at > ? AND status IN ('scheduled', 'confirmed')`, []any{now.Unix()}},
			{&out.ActiveCustomers, `SELECT COUNT(*) FROM customers WHERE status = 'active'`, nil},
			{&out.RevenueThisMonthCents, `SELECT COALESCE(SUM(cents), 0) FROM rollup_revenue_service WHERE local_date BETWEEN ? AND ? AND currency = ?`, []any{first, last, t.Currency}},
		}
		for _, q := range qs {
			if err := tx.QueryRowContext(ctx, q.q, q.args...).Scan(q.dst); err != nil {
				return fmt.Errorf("dashboard summary: %w", err)
			}
		}
		return nil
	})
	return out, err
}
