package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// The snapshot's reads for customer insights, over rollup_customer_visit (completed appointments
// per customer and local day, with the customer's visit day before) and rollup_customer_revenue (succeeded payments per customer, paid
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

// CustomerVisitCounts are a period's visit counts (CustomerVisitCounts).
type CustomerVisitCounts struct {
	Visits   int64 // visits in the period
	Visiting int64 // customers with a visit in the period
	New      int64 // of them, those whose first visit ever is in it
	Before   int64 // customers with a visit in the days before it (from the prevFrom given)
	Kept     int64 // of them, those who also visit in the period
}

// CustomerVisitCounts counts the visits and customers from from to to, and those of the days
// from prevFrom to the day before from ("" for none). A customer's first visit day in a range is
// their row there whose prev (their visit day before) is before the range or NULL, their first
// ever the one whose prev is NULL, and a customer of the days before also visits in the period
// exactly when their first visit day in it has its prev in those days. Each count is, per day,
// one range of the (local_date, prev, n) index holding only the rows it counts (a single scan of
// every row of both periods with the conditions as SUMs costs several times more in SQLite); the
// visits come from rollup_appt_service, a row per day, status and service.
func (sn *Snapshot) CustomerVisitCounts(ctx context.Context, prevFrom, from, to string) (CustomerVisitCounts, error) {
	const q = `WITH RECURSIVE
 p(d) AS (SELECT ?1 UNION ALL SELECT date(d, '+1 day') FROM p WHERE d < ?2),
 q(d) AS (SELECT ?3 WHERE ?3 < ?1 UNION ALL SELECT date(d, '+1 day') FROM q WHERE d < date(?1, '-1 day'))
SELECT
 (SELECT COALESCE(SUM(n), 0) FROM rollup_appt_service WHERE local_date BETWEEN ?1 AND ?2 AND status = 'completed'),
 (SELECT COUNT(*) FROM p JOIN rollup_customer_visit v INDEXED BY rollup_customer_visit_by_date_prev ON v.local_date = p.d AND v.prev IS NULL WHERE v.n > 0),
 (SELECT COUNT(*) FROM p JOIN rollup_customer_visit v INDEXED BY rollup_customer_visit_by_date_prev ON v.local_date = p.d AND v.prev < ?1 WHERE v.n > 0),
 (SELECT COUNT(*) FROM q JOIN rollup_customer_visit v INDEXED BY rollup_customer_visit_by_date_prev ON v.local_date = q.d AND v.prev IS NULL WHERE v.n > 0),
 (SELECT COUNT(*) FROM q JOIN rollup_customer_visit v INDEXED BY rollup_customer_visit_by_date_prev ON v.local_date = q.d AND v.prev < ?3 WHERE v.n > 0),
 (SELECT COUNT(*) FROM p JOIN rollup_customer_visit v INDEXED BY rollup_customer_visit_by_date_prev ON v.local_date = p.d AND v.prev >= ?3 AND v.prev < ?1 WHERE v.n > 0)`
	if prevFrom == "" {
		prevFrom = from
	}
	var c CustomerVisitCounts
	var returning, beforeFirst, beforeReturning int64
	err := sn.tx.QueryRowContext(ctx, q, from, to, prevFrom).Scan(&c.Visits, &c.New, &returning, &beforeFirst, &beforeReturning, &c.Kept)
	if err != nil {
		return c, fmt.Errorf("read customer visit counts: %w", err)
	}
	c.Visiting, c.Before = c.New+returning, beforeFirst+beforeReturning
	return c, nil
}

// CustomerVisitsOf returns the visits from from to to of the customers ids that have one (a
// range of the primary key per customer).
func (sn *Snapshot) CustomerVisitsOf(ctx context.Context, ids []int64, from, to string) (map[int64]int64, error) {
	out := map[int64]int64{}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		args := []any{from, to}
		for _, id := range batch {
			args = append(args, id)
		}
		q := `SELECT customer_id, n FROM rollup_customer_visit
 WHERE local_date BETWEEN ? AND ? AND n > 0 AND customer_id IN (?` + strings.Repeat(",?", len(batch)-1) + ")"
		got, err := sn.sumByCustomer(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("read customer visits: %w", err)
		}
		for id, n := range got {
			out[id] += n
		}
	}
	return out, nil
}

// CustomerRevenueIn adds each customer's succeeded revenue in currency paid from from to to into
// sums (nil for new ones, summed in a slice indexed by id up to the largest customer id) and
// returns them: the customers with a succeeded payment there. Each day is one row of its revenue
// digest (revenue_digest.go) when it has a usable one; the days without are each span one range
// of rollup_customer_revenue, keyed by date first, read as one pairsFunc value.
func (sn *Snapshot) CustomerRevenueIn(ctx context.Context, sums *CustomerSums, from, to, currency string) (*CustomerSums, error) {
	const q = `SELECT ` + pairsFunc + `(customer_id, cents) FROM rollup_customer_revenue
 WHERE local_date BETWEEN ? AND ? AND currency = ? AND n > 0`
	if sums == nil {
		var maxID int64
		if err := sn.tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM customers").Scan(&maxID); err != nil {
			return nil, fmt.Errorf("read customer revenue: %w", err)
		}
		sums = newCustomerSums(maxID)
	}
	gaps, err := revenueDigestsIn(ctx, sn.tx, from, to, currency, func(pairs []byte) error { return eachDigestPair(pairs, sums.Add) })
	if err != nil {
		return nil, fmt.Errorf("read customer revenue: %w", err)
	}
	for _, g := range gaps {
		var b []byte
		if err := sn.tx.QueryRowContext(ctx, q, g[0], g[1], currency).Scan(&b); err != nil {
			return nil, fmt.Errorf("read customer revenue: %w", err)
		}
		if err := eachPair(b, sums.Add); err != nil {
			return nil, fmt.Errorf("read customer revenue: %w", err)
		}
	}
	return sums, nil
}

// sumByCustomer sums the second column of q's rows per customer id (the first column).
func (sn *Snapshot) sumByCustomer(ctx context.Context, q string, args ...any) (map[int64]int64, error) {
	out := map[int64]int64{}
	err := sn.each(ctx, q, args, scanIDCounts(out))
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
// Customers who never visited are not listed. One range of rollup_customer_lifetime's covering
// lapsed index, read backwards in the list's order, which holds the customer's status and
// contact details, their latest booked start (none starts after now exactly when the latest
// does not) and their lifetime revenue in the tenant's currency (copies, rollup_copies.go); the
// revenue of another currency is looked up per listed customer.
func (sn *Snapshot) LapsedCustomers(ctx context.Context, before string, now int64, currency string) ([]LapsedCustomer, error) {
	const q = `SELECT l.customer_id, l.name, l.email, l.phone, l.last_visit, l.n,
       CASE WHEN ?1 IS (SELECT currency FROM tenant LIMIT 1) THEN COALESCE(l.revenue_cents, 0)
            ELSE (SELECT COALESCE(SUM(r.cents), 0) FROM rollup_customer_revenue_total r WHERE r.customer_id = l.customer_id AND r.currency = ?1) END
  FROM rollup_customer_lifetime l INDEXED BY rollup_customer_lifetime_lapsed
 WHERE l.last_visit < ?2 AND l.status = 'active' AND (l.booked_last_start IS NULL OR l.booked_last_start <= ?3)
 ORDER BY l.last_visit DESC, l.customer_id`
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
