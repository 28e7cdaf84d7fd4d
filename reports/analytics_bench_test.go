package reports

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// Benchmarks for issue 6's speed goal: on a 1,000,000-appointment tenant every report runs in
// under 50 ms warm and at least 5x faster than the same numbers computed from the raw rows by
// the sqlite3 command-line tool, both measured here. `make bench` runs them once each
// (-benchtime 1x); every benchmark reports ms/report (median of 5 warm runs), ms/sqlite3-raw
// (median of 3 CLI runs, process start included) and speedup-x.
//
// The tenant is built once with demo.Build into $TMPDIR/almanac-bench/<N>-v<schema> and reused.
// ALMANAC_BENCH_APPOINTMENTS=N uses a smaller (or larger) tenant; the N in use is logged and
// reported as the "appointments" metric.

const benchSeed = 7

var benchToday = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)

var (
	benchOnce sync.Once
	benchPath string
	benchN    int
	benchErr  error
)

func benchStore(b *testing.B) (*Service, string) {
	b.Helper()
	benchOnce.Do(func() {
		benchN = 1_000_000
		if v := os.Getenv("ALMANAC_BENCH_APPOINTMENTS"); v != "" {
			if benchN, benchErr = strconv.Atoi(v); benchErr != nil {
				return
			}
		}
		// One tenant per schema version: a build of another schema never migrates it under this one.
		dir := filepath.Join(os.TempDir(), "almanac-bench", fmt.Sprintf("%d-v%d", benchN, store.LatestSchemaVersion()))
		h := data.Home{Dir: dir}
		benchPath = h.TenantPath(data.DemoTenantID)
		if _, err := os.Stat(benchPath); err == nil {
			return // BuildDemo renames the store into place only when complete
		}
		start := time.Now()
		_, benchErr = demo.Build(context.Background(), h, demo.Options{Appointments: benchN, Seed: benchSeed, Today: benchToday, TimeZone: "America/New_York"})
		fmt.Fprintf(os.Stderr, "built the %d-appointment bench tenant in %s: %s\n", benchN, time.Since(start).Round(time.Second), benchPath)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	if _, err := exec.LookPath("sqlite3"); err != nil {
		b.Skip("sqlite3 CLI not installed (make bench-deps installs it)")
	}
	st, err := store.Open(context.Background(), benchPath)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if benchN != 1_000_000 {
		b.Logf("ALMANAC_BENCH_APPOINTMENTS=%d: measuring a %d-appointment tenant, not the 1,000,000 of the goal", benchN, benchN)
	}
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, mustLoc("America/New_York"))
	return New(st, func() time.Time { return now }), benchPath
}

func median(ds []time.Duration) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchReport times run (warm) and the raw-row query in the sqlite3 CLI, and reports both.
// rawIndex marks a filter combination no rollup covers: the report itself reads raw rows through
// an index, so only the 50 ms goal applies (the issue allows this and asks the benchmark to say so).
func benchReport(b *testing.B, path string, run func() error, rawSQL string, rawIndex bool) {
	if err := run(); err != nil { // warm: page cache, prepared schema
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var ours, raw []time.Duration
	for range 5 {
		t := time.Now()
		if err := run(); err != nil {
			b.Fatal(err)
		}
		ours = append(ours, time.Since(t))
	}
	cli := func() time.Duration {
		t := time.Now()
		out, err := exec.Command("sqlite3", "-readonly", path, rawSQL).CombinedOutput()
		if err != nil {
			b.Fatalf("sqlite3: %v: %s", err, out)
		}
		return time.Since(t)
	}
	cli() // warm the OS cache for the raw query too
	for range 3 {
		raw = append(raw, cli())
	}
	o, r := median(ours), median(raw)
	b.ReportMetric(ms(o), "ms/report")
	b.ReportMetric(ms(r), "ms/sqlite3-raw")
	b.ReportMetric(float64(r)/float64(o), "speedup-x")
	b.ReportMetric(float64(benchN), "appointments")
	missed := o > 50*time.Millisecond || r < 5*o
	if rawIndex {
		b.Logf("this filter combination reads raw rows through an index (no rollup covers it): only the 50 ms goal applies; %.1fx vs sqlite3", float64(r)/float64(o))
		missed = o > 50*time.Millisecond
	}
	switch {
	case missed && benchN >= 1_000_000:
		b.Errorf("goal missed: report %.1f ms (goal < 50), sqlite3 raw %.1f ms (goal >= 5x)", ms(o), ms(r))
	case missed:
		b.Logf("below 1,000,000 appointments the raw query is too small for the 5x goal to apply: report %.1f ms, sqlite3 raw %.1f ms", ms(o), ms(r))
	}
}

func benchPeriod(days int) (Period, Period) {
	to := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	from := to.AddDate(0, 0, -(days - 1))
	prevTo, prevFrom := from.AddDate(0, 0, -1), from.AddDate(0, 0, -days)
	f := func(t time.Time) string { return t.Format(data.DateLayout) }
	return Period{From: f(from), To: f(to)}, Period{From: f(prevFrom), To: f(prevTo)}
}

// rawAppointmentsSQL computes every field of the appointments report from the rows.
func rawAppointmentsSQL(p, prev Period, where string) string {
	w := fmt.Sprintf("local_date BETWEEN '%s' AND '%s'%s", p.From, p.To, where)
	return fmt.Sprintf(`SELECT local_date, status, COUNT(*) FROM appointments WHERE %[1]s GROUP BY 1, 2;
SELECT a.service_id, s.name, COUNT(*) FROM appointments a JOIN services s ON s.id = a.service_id WHERE %[1]s GROUP BY 1 ORDER BY 3 DESC;
SELECT a.resource_id, r.name, COUNT(*) FROM appointments a JOIN resources r ON r.id = a.resource_id WHERE %[1]s GROUP BY 1 ORDER BY 3 DESC;
SELECT COUNT(*) FROM appointments WHERE local_date BETWEEN '%[2]s' AND '%[3]s'%[4]s;`, w, prev.From, prev.To, where)
}

func BenchmarkReportDashboard(b *testing.B) {
	s, path := benchStore(b)
	ents := license.EntitlementsFor(license.Payload{Plan: license.Enterprise}, true)
	now := s.now()
	raw := fmt.Sprintf(`SELECT COUNT(*) FROM appointments WHERE local_date BETWEEN '2026-06-01' AND '2026-06-30';
SELECT COUNT(*), SUM((end_at - start_at) / 60) FROM appointments WHERE local_date >= '2025-06-15';
SELECT COUNT(*) FROM resources WHERE active = 1; SELECT COUNT(*) FROM services WHERE active = 1;
SELECT COUNT(*) FROM appointments WHERE status IN ('scheduled', 'confirmed') AND start_at > %d;
SELECT strftime('%%w', local_date), COUNT(*) FROM appointments WHERE local_date >= '2025-06-15' GROUP BY 1 ORDER BY 2 DESC LIMIT 1;
SELECT local_hour, COUNT(*) FROM appointments WHERE local_date >= '2025-06-15' GROUP BY 1 ORDER BY 2 DESC LIMIT 1;`, now.Unix())
	benchReport(b, path, func() error { _, err := s.Dashboard(context.Background(), ents); return err }, raw, false)
}

func benchAppointments(b *testing.B, days int, f AppointmentFilter, where string, rawIndex bool) {
	s, path := benchStore(b)
	e := license.EntitlementsFor(license.Payload{Plan: license.Enterprise}, true)
	w := e.Window(Today(s.now(), mustLoc("America/New_York")))
	p, prev := benchPeriod(days)
	q := AppointmentQuery{Period: p, Window: w, Filter: f}
	benchReport(b, path, func() error { _, err := s.Appointments(context.Background(), e, q); return err }, rawAppointmentsSQL(p, prev, where), rawIndex)
}

func BenchmarkReportAppointments90Days(b *testing.B) {
	benchAppointments(b, 90, AppointmentFilter{}, "", false)
}

func BenchmarkReportAppointments365DaysStatus(b *testing.B) {
	benchAppointments(b, 365, AppointmentFilter{Status: "completed"}, " AND status = 'completed'", false)
}

// One service: rollup_appt_service through its service index, by resource from
// rollup_appt_service_resource.
func BenchmarkReportAppointments90DaysService(b *testing.B) {
	benchAppointments(b, 90, AppointmentFilter{ServiceID: 1}, " AND service_id = 1", false)
}

// One resource: rollup_appt_resource through its resource index, by service from
// rollup_appt_service_resource.
func BenchmarkReportAppointments90DaysResource(b *testing.B) {
	benchAppointments(b, 90, AppointmentFilter{ResourceID: 2}, " AND resource_id = 2", false)
}

// Status and service: by resource needs status too, which no rollup has, so that part reads raw
// rows through the (service_id, local_date) index.
func BenchmarkReportAppointments90DaysStatusServiceRawIndex(b *testing.B) {
	benchAppointments(b, 90, AppointmentFilter{Status: "completed", ServiceID: 1}, " AND status = 'completed' AND service_id = 1", true)
}

// Service AND resource: no rollup covers the pair with statuses, so the whole report reads raw
// rows through the (service_id, local_date) index.
func BenchmarkReportAppointments90DaysServiceAndResourceRawIndex(b *testing.B) {
	benchAppointments(b, 90, AppointmentFilter{ServiceID: 1, ResourceID: 1}, " AND service_id = 1 AND resource_id = 1", true)
}

func BenchmarkReportRevenue90Days(b *testing.B) {
	s, path := benchStore(b)
	p, _ := benchPeriod(90)
	raw := fmt.Sprintf(`SELECT p.paid_local_date, COALESCE(a.service_id, 0), SUM(p.amount_cents), COUNT(*)
  FROM payments p LEFT JOIN appointments a ON a.id = p.appointment_id
 WHERE p.status = 'succeeded' AND p.currency = 'USD' AND p.paid_local_date BETWEEN '%s' AND '%s' GROUP BY 1, 2;`, p.From, p.To)
	e := license.EntitlementsFor(license.Payload{Plan: license.Enterprise}, true)
	benchReport(b, path, func() error { _, err := s.Revenue(context.Background(), e, RevenueQuery{Period: p}); return err }, raw, false)
}
