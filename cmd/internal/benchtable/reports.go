package main

import (
	"fmt"
	"time"

	"github.com/almanac-app/almanac/data"
)

// report is one `almanac report` command and the raw GROUP BY that computes its numbers from the
// rows in the sqlite3 CLI (the SQL of the reports package's benchmarks, for the same days).
type report struct {
	name string
	args []string
	raw  string
}

// reportsOf is the five reports over the 90 days up to the tenant's today (the dashboard: its
// own periods up to now).
func reportsOf(t tenant, now time.Time) []report {
	day := func(d time.Time) string { return d.Format(data.DateLayout) }
	to := t.today
	from := to.AddDate(0, 0, -89)
	prevFrom, prevTo := from.AddDate(0, 0, -90), from.AddDate(0, 0, -1)
	period := []string{"--from", day(from), "--to", day(to)}
	loc, _ := time.LoadLocation(demoZone)
	local := now.In(loc)
	monthStart := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, time.UTC)
	monthEnd := monthStart.AddDate(0, 1, -1)
	yearAgo := time.Date(local.Year()-1, local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	lapsedBefore := to.AddDate(0, 0, -90)
	return []report{
		{name: "dashboard", raw: fmt.Sprintf(`SELECT COUNT(*) FROM appointments WHERE local_date BETWEEN '%[1]s' AND '%[2]s';
SELECT COUNT(*), SUM((end_at - start_at) / 60) FROM appointments WHERE local_date >= '%[3]s';
SELECT COUNT(*) FROM resources WHERE active = 1; SELECT COUNT(*) FROM services WHERE active = 1;
SELECT COUNT(*) FROM appointments WHERE status IN ('scheduled', 'confirmed') AND start_at > %[4]d;
SELECT strftime('%%w', local_date), COUNT(*) FROM appointments WHERE local_date >= '%[3]s' GROUP BY 1 ORDER BY 2 DESC LIMIT 1;
SELECT local_hour, COUNT(*) FROM appointments WHERE local_date >= '%[3]s' GROUP BY 1 ORDER BY 2 DESC LIMIT 1;`,
			day(monthStart), day(monthEnd), day(yearAgo), now.Unix())},
		{name: "appointments", args: period, raw: fmt.Sprintf(`SELECT local_date, status, COUNT(*) FROM appointments WHERE local_date BETWEEN '%[1]s' AND '%[2]s' GROUP BY 1, 2;
SELECT a.service_id, s.name, COUNT(*) FROM appointments a JOIN services s ON s.id = a.service_id WHERE local_date BETWEEN '%[1]s' AND '%[2]s' GROUP BY 1 ORDER BY 3 DESC;
SELECT a.resource_id, r.name, COUNT(*) FROM appointments a JOIN resources r ON r.id = a.resource_id WHERE local_date BETWEEN '%[1]s' AND '%[2]s' GROUP BY 1 ORDER BY 3 DESC;
SELECT COUNT(*) FROM appointments WHERE local_date BETWEEN '%[3]s' AND '%[4]s';`, day(from), day(to), day(prevFrom), day(prevTo))},
		{name: "revenue", args: period, raw: fmt.Sprintf(`SELECT p.paid_local_date, COALESCE(a.service_id, 0), SUM(p.amount_cents), COUNT(*)
  FROM payments p LEFT JOIN appointments a ON a.id = p.appointment_id
 WHERE p.status = 'succeeded' AND p.currency = 'USD' AND p.paid_local_date BETWEEN '%s' AND '%s' GROUP BY 1, 2;`, day(from), day(to))},
		{name: "customers", args: period, raw: fmt.Sprintf(`WITH v AS (SELECT customer_id, COUNT(*) n FROM appointments WHERE status = 'completed' AND local_date BETWEEN '%[1]s' AND '%[2]s' GROUP BY 1),
 f AS (SELECT customer_id, MIN(local_date) first FROM appointments WHERE status = 'completed' GROUP BY 1)
SELECT SUM(f.first >= '%[1]s'), SUM(f.first < '%[1]s'), COUNT(*), SUM(v.n) FROM v JOIN f USING (customer_id);
SELECT COUNT(DISTINCT customer_id), COUNT(DISTINCT CASE WHEN customer_id IN (SELECT customer_id FROM appointments WHERE status = 'completed' AND local_date BETWEEN '%[1]s' AND '%[2]s') THEN customer_id END)
  FROM appointments WHERE status = 'completed' AND local_date BETWEEN '%[3]s' AND '%[4]s';
SELECT p.customer_id, c.name, SUM(p.amount_cents) r, (SELECT COUNT(*) FROM appointments a WHERE a.customer_id = p.customer_id AND a.status = 'completed' AND a.local_date BETWEEN '%[1]s' AND '%[2]s') v
  FROM payments p JOIN customers c ON c.id = p.customer_id
 WHERE p.status = 'succeeded' AND p.currency = 'USD' AND p.paid_local_date BETWEEN '%[1]s' AND '%[2]s' GROUP BY 1 ORDER BY r DESC, v DESC, 1 LIMIT 20;
SELECT c.id, c.name, c.email, c.phone, l.last, l.n, (SELECT COALESCE(SUM(amount_cents), 0) FROM payments p WHERE p.customer_id = c.id AND p.status = 'succeeded' AND p.currency = 'USD')
  FROM (SELECT customer_id, MAX(local_date) last, COUNT(*) n FROM appointments WHERE status = 'completed' GROUP BY 1) l JOIN customers c ON c.id = l.customer_id
 WHERE c.status = 'active' AND l.last < '%[5]s'
   AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.customer_id = c.id AND a.start_at > %[6]d AND a.status IN ('scheduled', 'confirmed'))
 ORDER BY l.last DESC, c.id;`, day(from), day(to), day(prevFrom), day(prevTo), day(lapsedBefore), now.Unix())},
		{name: "resources", args: period, raw: fmt.Sprintf(`SELECT resource_id, COUNT(*), SUM(status = 'completed'), SUM(status = 'cancelled'), SUM(status = 'no_show'),
       SUM(CASE WHEN status = 'cancelled' THEN 0 ELSE end_at - start_at END) FROM appointments WHERE local_date BETWEEN '%[1]s' AND '%[2]s' GROUP BY 1;
SELECT a.resource_id, SUM(p.amount_cents) FROM payments p JOIN appointments a ON a.id = p.appointment_id
 WHERE p.status = 'succeeded' AND p.currency = 'USD' AND p.paid_local_date BETWEEN '%[1]s' AND '%[2]s' GROUP BY 1;
SELECT id, name FROM resources;`, day(from), day(to))},
	}
}
