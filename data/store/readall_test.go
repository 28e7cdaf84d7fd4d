package store

import (
	"database/sql"
	"time"

	"github.com/almanac-app/almanac/data"
)

// allRows is every entity row of a store, read back through plain SQL for comparisons.
type allRows struct {
	resources    []data.Resource
	services     []data.Service
	customers    []data.Customer
	appointments []data.Appointment
	payments     []data.Payment
	subs         []data.Subscription
}

func ts(u int64) time.Time { return time.Unix(u, 0).UTC() }

func tsPtr(u sql.NullInt64) *time.Time {
	if !u.Valid {
		return nil
	}
	t := ts(u.Int64)
	return &t
}

// ReadAllForTest reads every entity table ordered by id.
func ReadAllForTest(st *Store) (allRows, error) {
	var out allRows
	q := func(query string, scan func(*sql.Rows) error) error {
		rows, err := st.r.Query(query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	var u, c, s, b int64
	var active int
	var n sql.NullInt64
	steps := []error{
		q("SELECT id, name, kind, active, updated_at FROM resources ORDER BY id", func(r *sql.Rows) error {
			var x data.Resource
			err := r.Scan(&x.ID, &x.Name, &x.Kind, &active, &u)
			x.Active, x.UpdatedAt = active == 1, ts(u)
			out.resources = append(out.resources, x)
			return err
		}),
		q("SELECT id, name, duration_minutes, price_cents, active, updated_at FROM services ORDER BY id", func(r *sql.Rows) error {
			var x data.Service
			err := r.Scan(&x.ID, &x.Name, &x.DurationMinutes, &x.PriceCents, &active, &u)
			x.Active, x.UpdatedAt = active == 1, ts(u)
			out.services = append(out.services, x)
			return err
		}),
		q("SELECT id, name, email, phone, status, created_at, updated_at FROM customers ORDER BY id", func(r *sql.Rows) error {
			var x data.Customer
			err := r.Scan(&x.ID, &x.Name, &x.Email, &x.Phone, &x.Status, &c, &u)
			x.CreatedAt, x.UpdatedAt = ts(c), ts(u)
			out.customers = append(out.customers, x)
			return err
		}),
		q("SELECT id, customer_id, service_id, resource_id, start_at, end_at, status, booked_at, price_cents, updated_at FROM appointments ORDER BY id", func(r *sql.Rows) error {
			var x data.Appointment
			err := r.Scan(&x.ID, &x.CustomerID, &x.ServiceID, &x.ResourceID, &s, &c, &x.Status, &b, &x.PriceCents, &u)
			x.StartAt, x.EndAt, x.BookedAt, x.UpdatedAt = ts(s), ts(c), ts(b), ts(u)
			out.appointments = append(out.appointments, x)
			return err
		}),
		q("SELECT id, customer_id, appointment_id, amount_cents, currency, status, created_at, paid_at, updated_at FROM payments ORDER BY id", func(r *sql.Rows) error {
			var x data.Payment
			var appt sql.NullInt64
			err := r.Scan(&x.ID, &x.CustomerID, &appt, &x.AmountCents, &x.Currency, &x.Status, &c, &n, &u)
			if appt.Valid {
				x.AppointmentID = &appt.Int64
			}
			x.CreatedAt, x.PaidAt, x.UpdatedAt = ts(c), tsPtr(n), ts(u)
			out.payments = append(out.payments, x)
			return err
		}),
		q("SELECT id, customer_id, plan_name, status, amount_cents, currency, interval, started_at, canceled_at, updated_at FROM subscriptions ORDER BY id", func(r *sql.Rows) error {
			var x data.Subscription
			err := r.Scan(&x.ID, &x.CustomerID, &x.PlanName, &x.Status, &x.AmountCents, &x.Currency, &x.Interval, &s, &n, &u)
			x.StartedAt, x.CanceledAt, x.UpdatedAt = ts(s), tsPtr(n), ts(u)
			out.subs = append(out.subs, x)
			return err
		}),
	}
	for _, err := range steps {
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
