package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// The snapshot's reads for customer insights, over rollup_customer_visit (completed appointments
// per customer and local day) and rollup_customer_revenue (succeeded payments per customer, paid
// local day and currency), and the per-customer lifetime rollups of version 7
// (rollup_customer_lifetime, rollup_customer_booked, rollup_customer_revenue_total). Dates are
// local dates (DateLayout), both ends inclusive.

// CustomerContact is a customer's name and contact details.
type CustomerContact struct {
	ID                 int64
	Name, Email, Phone string
}

// LapsedCustomer is an active customer whose last visit is before a cutoff, with their lifetime
// visits and revenue.
type LapsedCustomer struct {
	CustomerContact
	LastVisit    string
	Visits       int64
	RevenueCents int64
}

// CustomerVisits returns each customer's visits from from to to; customers without one are
// left out. One range of rollup_customer_visit's date index, summed here: a GROUP BY or DISTINCT
// of a period's customers in SQL sorts them and costs several times the read.
func (sn *Snapshot) CustomerVisits(ctx context.Context, from, to string) (map[int64]int64, error) {
	const q = `SELECT customer_id, n FROM rollup_customer_visit WHERE local_date BETWEEN ? AND ? AND n > 0`
	out, err := sn.sumByCustomer(ctx, q, from, to)
	if err != nil {
		return nil, fmt.Errorf("read customer visits: %w", err)
	}
	return out, nil
}

// NewCustomerCount counts the customers whose first visit ever is from from to to (one range of
// rollup_customer_lifetime's first_visit index).
func (sn *Snapshot) NewCustomerCount(ctx context.Context, from, to string) (int64, error) {
	var n int64
	const q = `SELECT COUNT(*) FROM rollup_customer_lifetime WHERE first_visit BETWEEN ? AND ?`
	if err := sn.tx.QueryRowContext(ctx, q, from, to).Scan(&n); err != nil {
		return 0, fmt.Errorf("read new customers: %w", err)
	}
	return n, nil
}

// CustomerRevenueIn returns each customer's succeeded revenue in currency paid from from to to,
// for the customers with a succeeded payment there (one range of the covering date index).
func (sn *Snapshot) CustomerRevenueIn(ctx context.Context, from, to, currency string) (map[int64]int64, error) {
	const q = `SELECT customer_id, cents FROM rollup_customer_revenue
 WHERE local_date BETWEEN ? AND ? AND currency = ? AND n > 0`
	out, err := sn.sumByCustomer(ctx, q, from, to, currency)
	if err != nil {
		return nil, fmt.Errorf("read customer revenue: %w", err)
	}
	return out, nil
}

// sumByCustomer sums the second column of q's rows per customer id (the first column).
func (sn *Snapshot) sumByCustomer(ctx context.Context, q string, args ...any) (map[int64]int64, error) {
	out := map[int64]int64{}
	err := sn.each(ctx, q, args, func(r *sql.Rows) error {
		var id, v int64
		if err := r.Scan(&id, &v); err != nil {
			return err
		}
		out[id] += v
		return nil
	})
	return out, err
}

// CustomerContacts reads the name and contact details of the customers ids (unknown ids are
// left out).
func (sn *Snapshot) CustomerContacts(ctx context.Context, ids []int64) (map[int64]CustomerContact, error) {
	out := map[int64]CustomerContact{}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		q := "SELECT id, name, email, phone FROM customers WHERE id IN (?" + strings.Repeat(",?", len(batch)-1) + ")"
		err := sn.each(ctx, q, args, func(r *sql.Rows) error {
			var c CustomerContact
			if err := r.Scan(&c.ID, &c.Name, &c.Email, &c.Phone); err != nil {
				return err
			}
			out[c.ID] = c
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read customers: %w", err)
		}
	}
	return out, nil
}

// LapsedCustomers lists the active customers whose last visit is before the local date before
// and who have no scheduled or confirmed appointment starting after now (Unix seconds), newest
// last visit first, ties by id; revenue is their lifetime succeeded revenue in currency.
// Customers who never visited are not listed. One range of rollup_customer_lifetime's last_visit
// index; a customer's latest booked start is not after now exactly when none starts after now.
func (sn *Snapshot) LapsedCustomers(ctx context.Context, before string, now int64, currency string) ([]LapsedCustomer, error) {
	const q = `SELECT c.id, c.name, c.email, c.phone, l.last_visit, l.n, COALESCE(r.cents, 0)
  FROM rollup_customer_lifetime l
  JOIN customers c ON c.id = l.customer_id
  LEFT JOIN rollup_customer_booked b ON b.customer_id = l.customer_id
  LEFT JOIN rollup_customer_revenue_total r ON r.customer_id = l.customer_id AND r.currency = ?
 WHERE l.last_visit < ? AND c.status = 'active' AND (b.last_start IS NULL OR b.last_start <= ?)
 ORDER BY l.last_visit DESC, c.id`
	var out []LapsedCustomer
	err := sn.each(ctx, q, []any{currency, before, now}, func(r *sql.Rows) error {
		var c LapsedCustomer
		if err := r.Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &c.LastVisit, &c.Visits, &c.RevenueCents); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read lapsed customers: %w", err)
	}
	return out, nil
}
