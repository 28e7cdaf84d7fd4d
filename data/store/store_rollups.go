package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Rollups summarise appointments and revenue per local day so reports cost O(days), not O(rows).
// Triggers keep them in the same transaction as every write; BulkWrite drops the triggers and
// rebuilds the rollups from the rows instead, which is faster for millions of rows.

// apptAdd and apptSub are the per-row rollup changes of one appointment (NEW or OLD).
func apptAdd(r string) string {
	return fmt.Sprintf(`
INSERT INTO rollup_appt_service (local_date, status, service_id, n, minutes)
VALUES (%[1]s.local_date, %[1]s.status, %[1]s.service_id, 1, (%[1]s.end_at - %[1]s.start_at) / 60)
ON CONFLICT (local_date, status, service_id) DO UPDATE SET n = n + 1, minutes = minutes + excluded.minutes;
INSERT INTO rollup_appt_resource (local_date, status, resource_id, n)
VALUES (%[1]s.local_date, %[1]s.status, %[1]s.resource_id, 1)
ON CONFLICT (local_date, status, resource_id) DO UPDATE SET n = n + 1;
INSERT INTO rollup_appt_hour (local_date, local_hour, status, n)
VALUES (%[1]s.local_date, %[1]s.local_hour, %[1]s.status, 1)
ON CONFLICT (local_date, local_hour, status) DO UPDATE SET n = n + 1;
INSERT INTO rollup_appt_service_resource (service_id, local_date, resource_id, n)
VALUES (%[1]s.service_id, %[1]s.local_date, %[1]s.resource_id, 1)
ON CONFLICT (service_id, local_date, resource_id) DO UPDATE SET n = n + 1;`, r)
}

func apptSub(r string) string {
	return fmt.Sprintf(`
UPDATE rollup_appt_service SET n = n - 1, minutes = minutes - (%[1]s.end_at - %[1]s.start_at) / 60
 WHERE local_date = %[1]s.local_date AND status = %[1]s.status AND service_id = %[1]s.service_id;
UPDATE rollup_appt_resource SET n = n - 1
 WHERE local_date = %[1]s.local_date AND status = %[1]s.status AND resource_id = %[1]s.resource_id;
UPDATE rollup_appt_hour SET n = n - 1
 WHERE local_date = %[1]s.local_date AND local_hour = %[1]s.local_hour AND status = %[1]s.status;
UPDATE rollup_appt_service_resource SET n = n - 1
 WHERE service_id = %[1]s.service_id AND local_date = %[1]s.local_date AND resource_id = %[1]s.resource_id;`, r)
}

// paymentService is the service a payment's revenue counts under: its appointment's, else 0.
func paymentService(r string) string {
	return fmt.Sprintf("COALESCE((SELECT service_id FROM appointments WHERE id = %s.appointment_id), 0)", r)
}

func revenueAdd(r, service string) string {
	return fmt.Sprintf(`
INSERT INTO rollup_revenue_service (local_date, service_id, currency, cents, n)
SELECT %[1]s.paid_local_date, %[2]s, %[1]s.currency, %[1]s.amount_cents, 1
 WHERE %[1]s.status = 'succeeded' AND %[1]s.paid_local_date IS NOT NULL
ON CONFLICT (local_date, service_id, currency) DO UPDATE SET cents = cents + excluded.cents, n = n + 1;`, r, service)
}

func revenueSub(r, service string) string {
	return fmt.Sprintf(`
UPDATE rollup_revenue_service SET cents = cents - %[1]s.amount_cents, n = n - 1
 WHERE %[1]s.status = 'succeeded' AND %[1]s.paid_local_date IS NOT NULL
   AND local_date = %[1]s.paid_local_date AND service_id = %[2]s AND currency = %[1]s.currency;`, r, service)
}

// moveRevenue moves the revenue of an appointment's succeeded payments between services. The
// rollup rows are found through the appointment's few payments (an uncorrelated IN), not by
// probing payments once per rollup row, which made every appointment delete O(days x payments).
func moveRevenue(from, to string) string {
	return fmt.Sprintf(`
UPDATE rollup_revenue_service SET
  cents = cents - (SELECT COALESCE(SUM(p.amount_cents), 0) FROM payments p WHERE p.appointment_id = OLD.id AND p.status = 'succeeded' AND p.paid_local_date = rollup_revenue_service.local_date AND p.currency = rollup_revenue_service.currency),
  n = n - (SELECT COUNT(*) FROM payments p WHERE p.appointment_id = OLD.id AND p.status = 'succeeded' AND p.paid_local_date = rollup_revenue_service.local_date AND p.currency = rollup_revenue_service.currency)
 WHERE service_id = %[1]s AND local_date IN (SELECT p.paid_local_date FROM payments p WHERE p.appointment_id = OLD.id AND p.status = 'succeeded');
INSERT INTO rollup_revenue_service (local_date, service_id, currency, cents, n)
SELECT p.paid_local_date, %[2]s, p.currency, SUM(p.amount_cents), COUNT(*) FROM payments p
 WHERE p.appointment_id = OLD.id AND p.status = 'succeeded' AND p.paid_local_date IS NOT NULL
 GROUP BY p.paid_local_date, p.currency
ON CONFLICT (local_date, service_id, currency) DO UPDATE SET cents = cents + excluded.cents, n = n + excluded.n;`, from, to)
}

var triggerNames = []string{"appt_ins", "appt_del", "appt_upd", "appt_service_move", "appt_before_del", "pay_ins", "pay_del", "pay_upd"}

func triggerDDL() []string {
	return []string{
		"CREATE TRIGGER appt_ins AFTER INSERT ON appointments BEGIN" + apptAdd("NEW") + " END",
		"CREATE TRIGGER appt_del AFTER DELETE ON appointments BEGIN" + apptSub("OLD") + " END",
		`CREATE TRIGGER appt_upd AFTER UPDATE OF local_date, local_hour, status, service_id, resource_id, start_at, end_at ON appointments
		 BEGIN` + apptSub("OLD") + apptAdd("NEW") + " END",
		// Revenue follows the appointment's service; move it before rows change underneath.
		`CREATE TRIGGER appt_service_move AFTER UPDATE OF service_id ON appointments WHEN OLD.service_id <> NEW.service_id
		 BEGIN` + moveRevenue("OLD.service_id", "NEW.service_id") + " END",
		// A deleted appointment's payments keep their revenue under "no service" (their FK is set NULL).
		"CREATE TRIGGER appt_before_del BEFORE DELETE ON appointments BEGIN" + moveRevenue("OLD.service_id", "0") + " END",
		"CREATE TRIGGER pay_ins AFTER INSERT ON payments BEGIN" + revenueAdd("NEW", paymentService("NEW")) + " END",
		"CREATE TRIGGER pay_del AFTER DELETE ON payments BEGIN" + revenueSub("OLD", paymentService("OLD")) + " END",
		`CREATE TRIGGER pay_upd AFTER UPDATE OF status, amount_cents, currency, paid_local_date, appointment_id ON payments
		 BEGIN` + revenueSub("OLD", paymentService("OLD")) + revenueAdd("NEW", paymentService("NEW")) + " END",
	}
}

func installTriggers(ctx context.Context, tx *sql.Tx) error {
	if err := dropTriggers(ctx, tx); err != nil {
		return err
	}
	for _, ddl := range triggerDDL() {
		if _, err := tx.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("install rollup trigger: %w", err)
		}
	}
	return nil
}

func dropTriggers(ctx context.Context, tx *sql.Tx) error {
	for _, name := range triggerNames {
		if _, err := tx.ExecContext(ctx, "DROP TRIGGER IF EXISTS "+name); err != nil {
			return fmt.Errorf("drop rollup trigger: %w", err)
		}
	}
	return nil
}

// rollupQueries maps each rollup table to the query that computes it from raw rows.
var rollupQueries = []struct{ table, cols, query string }{
	{"rollup_appt_service", "local_date, status, service_id, n, minutes",
		"SELECT local_date, status, service_id, COUNT(*), SUM((end_at - start_at) / 60) FROM appointments GROUP BY 1, 2, 3"},
	{"rollup_appt_resource", "local_date, status, resource_id, n",
		"SELECT local_date, status, resource_id, COUNT(*) FROM appointments GROUP BY 1, 2, 3"},
	{"rollup_appt_hour", "local_date, local_hour, status, n",
		"SELECT local_date, local_hour, status, COUNT(*) FROM appointments GROUP BY 1, 2, 3"},
	// Version 3 (analytics): service x resource per day, so a report filtered to one service can
	// break it down by resource (and vice versa) in O(days) without reading raw rows.
	{"rollup_appt_service_resource", "service_id, local_date, resource_id, n",
		"SELECT service_id, local_date, resource_id, COUNT(*) FROM appointments GROUP BY 1, 2, 3"},
	{"rollup_revenue_service", "local_date, service_id, currency, cents, n",
		`SELECT p.paid_local_date, COALESCE(a.service_id, 0), p.currency, SUM(p.amount_cents), COUNT(*)
		   FROM payments p LEFT JOIN appointments a ON a.id = p.appointment_id
		  WHERE p.status = 'succeeded' AND p.paid_local_date IS NOT NULL GROUP BY 1, 2, 3`},
}

// CheckRollups compares every rollup with a fresh computation from the raw rows and returns an
// error naming the first table that disagrees. Zero-count rollup rows are ignored.
func (s *Store) CheckRollups(ctx context.Context) error {
	return s.Read(ctx, func(tx *sql.Tx) error {
		for _, q := range rollupQueries {
			cols := q.cols
			nonZero := " WHERE n <> 0"
			diff := fmt.Sprintf(`SELECT COUNT(*) FROM (
				SELECT %[1]s FROM %[2]s%[3]s EXCEPT %[4]s
				UNION ALL
				SELECT * FROM (%[4]s EXCEPT SELECT %[1]s FROM %[2]s%[3]s))`, cols, q.table, nonZero, q.query)
			var n int
			if err := tx.QueryRowContext(ctx, diff).Scan(&n); err != nil {
				return fmt.Errorf("check %s: %w", q.table, err)
			}
			if n != 0 {
				return fmt.Errorf("rollup %s disagrees with the raw rows in %d rows (please report this bug)", q.table, n)
			}
		}
		return nil
	})
}

// reinstallRollups installs the current triggers and rebuilds every rollup: the after-step of a
// migration that adds a rollup (triggers written by an older version do not feed it).
func reinstallRollups(ctx context.Context, tx *sql.Tx) error {
	if err := installTriggers(ctx, tx); err != nil {
		return err
	}
	return rebuildRollups(ctx, tx)
}

// RebuildRollups recomputes every rollup from the raw rows in one transaction.
func (s *Store) RebuildRollups(ctx context.Context) error {
	return s.Write(ctx, func(tx *sql.Tx) error { return rebuildRollups(ctx, tx) })
}
