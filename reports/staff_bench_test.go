package reports

import (
	"context"
	"fmt"
	"testing"

	"github.com/almanac-app/almanac/data/store"
	"github.com/almanac-app/almanac/license"
)

// Benchmarks of issue 15's staff report and busy hours beside the other reports' (same tenant,
// same goals: under 50 ms warm at 1,000,000 appointments and at least 5x faster than the raw
// rows in the sqlite3 CLI).

// The staff report over 90 days from the staff rollups; the raw reference groups the rows.
func BenchmarkReportResources90Days(b *testing.B) {
	s, path := benchStore(b)
	p, _ := benchPeriod(90)
	raw := fmt.Sprintf(`SELECT resource_id, COUNT(*), SUM(status = 'completed'), SUM(status = 'cancelled'), SUM(status = 'no_show'),
       SUM(CASE WHEN status = 'cancelled' THEN 0 ELSE end_at - start_at END) FROM appointments WHERE local_date BETWEEN '%[1]s' AND '%[2]s' GROUP BY 1;
SELECT a.resource_id, SUM(p.amount_cents) FROM payments p JOIN appointments a ON a.id = p.appointment_id
 WHERE p.status = 'succeeded' AND p.currency = 'USD' AND p.paid_local_date BETWEEN '%[1]s' AND '%[2]s' GROUP BY 1;
SELECT id, name FROM resources;`, p.From, p.To)
	e := license.EntitlementsFor(license.Payload{Plan: license.Enterprise}, true)
	benchReport(b, path, func() error { _, err := s.Staff(context.Background(), e, StaffQuery{Period: p}); return err }, raw, false)
}

// Busy hours alone, as the heatmap reads them: the day x hour rollup over 90 days.
func BenchmarkBusyHours90Days(b *testing.B) {
	s, path := benchStore(b)
	p, _ := benchPeriod(90)
	raw := fmt.Sprintf(`SELECT (CAST(strftime('%%w', local_date) AS INTEGER) + 6) %% 7, local_hour, COUNT(*) FROM appointments
 WHERE local_date BETWEEN '%s' AND '%s' GROUP BY 1, 2;`, p.From, p.To)
	run := func() error {
		return s.store.Snapshot(context.Background(), func(sn *store.Snapshot) error {
			cells, err := sn.ApptsByDayHour(context.Background(), p.From, p.To, AppointmentFilter{}.data())
			busyHours(cells)
			return err
		})
	}
	benchReport(b, path, run, raw, false)
}
