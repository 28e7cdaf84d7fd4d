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

// VisitSummary counts the customers with a visit in a period, how many of them first visited
// there (on or after its first day), and their visits.
type VisitSummary struct {
	Customers, New, Visits int64
}

// CustomerRevenue is one customer's succeeded revenue in a period, in one currency, and their
// visits in the period.
type CustomerRevenue struct {
	CustomerID int64
	Cents      int64
	Visits     int64
}

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

// CustomerVisitSummary counts the visitors from from to to, the new ones among them and their
// visits: the visitors and visits from the period's days in rollup_customer_visit, the new ones
// (first visit ever in the period, so a visitor) from rollup_customer_lifetime's first_visit index.
func (sn *Snapshot) CustomerVisitSummary(ctx context.Context, from, to string) (VisitSummary, error) {
	const q = `SELECT COUNT(DISTINCT customer_id), COALESCE(SUM(n), 0),
       (SELECT COUNT(*) FROM rollup_customer_lifetime WHERE first_visit BETWEEN ?1 AND ?2)
  FROM rollup_customer_visit WHERE local_date BETWEEN ?1 AND ?2 AND n > 0`
	var vs VisitSummary
	err := sn.tx.QueryRowContext(ctx, q, from, to).Scan(&vs.Customers, &vs.Visits, &vs.New)
	if err != nil {
		return vs, fmt.Errorf("read customer visits: %w", err)
	}
	return vs, nil
}

// CustomerRetention counts the customers with a visit from prevFrom to prevTo, and how many of
// them also visit from from to to.
func (sn *Snapshot) CustomerRetention(ctx context.Context, prevFrom, prevTo, from, to string) (prev, kept int64, err error) {
	const q = `SELECT COUNT(*), COALESCE(SUM(EXISTS (SELECT 1 FROM rollup_customer_visit k
         WHERE k.customer_id = p.customer_id AND k.local_date BETWEEN ? AND ? AND k.n > 0)), 0)
  FROM (SELECT DISTINCT customer_id FROM rollup_customer_visit WHERE local_date BETWEEN ? AND ? AND n > 0) p`
	if err = sn.tx.QueryRowContext(ctx, q, from, to, prevFrom, prevTo).Scan(&prev, &kept); err != nil {
		return 0, 0, fmt.Errorf("read customer retention: %w", err)
	}
	return prev, kept, nil
}

// TopCustomerRevenue returns the customers whose succeeded revenue in currency paid from from to
// to is at least the limit-th largest (so every customer tied at the boundary is there), each with
// their visits in the period; the caller ranks them.
func (sn *Snapshot) TopCustomerRevenue(ctx context.Context, from, to, currency string, limit int) ([]CustomerRevenue, error) {
	const q = `WITH g AS MATERIALIZED (SELECT customer_id, SUM(cents) AS cents FROM rollup_customer_revenue
   WHERE local_date BETWEEN ? AND ? AND currency = ? GROUP BY customer_id HAVING SUM(n) > 0)
SELECT g.customer_id, g.cents,
       (SELECT COALESCE(SUM(v.n), 0) FROM rollup_customer_visit v WHERE v.customer_id = g.customer_id AND v.local_date BETWEEN ? AND ?)
  FROM g WHERE g.cents >= COALESCE((SELECT cents FROM g ORDER BY cents DESC LIMIT 1 OFFSET ?), -9223372036854775808)`
	var out []CustomerRevenue
	err := sn.each(ctx, q, []any{from, to, currency, from, to, limit - 1}, func(r *sql.Rows) error {
		var c CustomerRevenue
		if err := r.Scan(&c.CustomerID, &c.Cents, &c.Visits); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read customer revenue: %w", err)
	}
	return out, nil
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
