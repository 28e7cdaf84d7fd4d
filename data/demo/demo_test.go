package demo_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/datatest"

	"github.com/almanac-app/almanac/data"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data/demo"
)

func TestDemoDeterministic(t *testing.T) {
	o := demo.Options{Appointments: 3000, Seed: 42, Today: datatest.DemoToday}
	a := datatest.TableHash(t, datatest.BuildDemo(t, t.TempDir(), o))
	b := datatest.TableHash(t, datatest.BuildDemo(t, t.TempDir(), o))
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same options, different rows:\n%v\n%v", a, b)
	}
	o.Seed = 43
	c := datatest.TableHash(t, datatest.BuildDemo(t, t.TempDir(), o))
	if c["appointments"] == a["appointments"] {
		t.Fatal("a different seed gave identical appointments")
	}
}

func TestDemoDistributions(t *testing.T) {
	// 20,000 appointments keep this quick under the race detector; shares scale with N.
	st := datatest.BuildDemo(t, t.TempDir(), demo.Options{Appointments: 20_000, Seed: 7, Today: datatest.DemoToday})
	q := func(query string, args ...any) float64 {
		var v float64
		if err := datatest.RawDB(t, st).QueryRow(query, args...).Scan(&v); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return v
	}
	c, _ := st.Counts(context.Background())
	if c.Appointments != 20_000 || c.Resources != 12 || c.Services != 20 {
		t.Fatalf("counts %+v", c)
	}
	within := func(name string, got, lo, hi float64) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s = %.4f, want %.4f..%.4f", name, got, lo, hi)
		}
	}
	within("customers", float64(c.Customers), 1800, 2200)
	within("subscriptions", float64(c.Subscriptions), 100, 140)
	within("cancelled share", q("SELECT AVG(status = 'cancelled') FROM appointments"), 0.07, 0.09)
	within("no-show share of past", q("SELECT AVG(status = 'no_show') FROM appointments WHERE local_date < '2026-11-23'"), 0.025, 0.035)
	// Two years back and four weeks ahead.
	within("days before first", q("SELECT julianday('2026-11-23') - julianday(MIN(local_date)) FROM appointments"), 725, 731)
	within("days after last", q("SELECT julianday(MAX(local_date)) - julianday('2026-11-23') FROM appointments"), 20, 28)
	// Every completed appointment has a succeeded or refunded payment; failed attempts exist.
	within("completed without payment", q(`SELECT COUNT(*) FROM appointments a WHERE status = 'completed'
		AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.appointment_id = a.id AND p.status IN ('succeeded', 'refunded'))`), 0, 0)
	within("failed payments", q("SELECT COUNT(*) FROM payments WHERE status = 'failed'"), 120, 600)
	within("refunded payments", q("SELECT COUNT(*) FROM payments WHERE status = 'refunded'"), 80, 480)
	// Busy weekdays beat Sunday; busy hours beat the edges; the business grows.
	within("friday/sunday", q(`SELECT CAST(SUM(strftime('%w', local_date) = '5') AS REAL) / SUM(strftime('%w', local_date) = '0') FROM appointments`), 2.5, 5)
	within("11h/8h", q(`SELECT CAST(SUM(local_hour = 11) AS REAL) / SUM(local_hour = 8) FROM appointments`), 2, 4.5)
	within("second year/first year", q(`SELECT CAST(SUM(local_date >= '2025-11-23' AND local_date < '2026-11-23') AS REAL) / SUM(local_date < '2025-11-23') FROM appointments`), 1.1, 1.5)
	// Hours are business hours in the tenant's zone, on quarter hours.
	within("outside 8..19", q("SELECT COUNT(*) FROM appointments WHERE local_hour NOT BETWEEN 8 AND 19"), 0, 0)
	within("off quarter hours", q("SELECT COUNT(*) FROM appointments WHERE (start_at / 60) % 15 != 0"), 0, 0)
	if err := st.CheckRollups(context.Background()); err != nil {
		t.Fatal(err)
	}
	tn, _ := st.Tenant(context.Background())
	if !tn.IsDemo || tn.TimeZone != "America/New_York" || tn.Currency != "USD" {
		t.Errorf("demo tenant %+v", tn)
	}
}

func TestDemoTimeZoneOption(t *testing.T) {
	st := datatest.BuildDemo(t, t.TempDir(), demo.Options{Appointments: 500, Seed: 1, Today: datatest.DemoToday, TimeZone: "Asia/Tokyo"})
	var bad int
	// local_hour must be the Tokyo hour of start_at.
	datatest.RawDB(t, st).QueryRow(`SELECT COUNT(*) FROM appointments WHERE local_hour != CAST(strftime('%H', start_at + 9 * 3600, 'unixepoch') AS INTEGER)`).Scan(&bad)
	if bad != 0 {
		t.Fatalf("%d appointments with a local hour not in Asia/Tokyo", bad)
	}
}

func TestDemoInvalidOptions(t *testing.T) {
	for _, o := range []demo.Options{{Appointments: -1}, {TimeZone: "Nowhere/Land"}, {Appointments: 30_000_000}} {
		if _, err := demo.Build(context.Background(), data.Home{Dir: t.TempDir()}, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestDemoCancelledLeavesPreviousStore(t *testing.T) {
	dir := t.TempDir()
	first := datatest.TableHash(t, datatest.BuildDemo(t, dir, demo.Options{Appointments: 1000, Seed: 1, Today: datatest.DemoToday}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := demo.Build(ctx, data.Home{Dir: dir}, demo.Options{Appointments: 100_000, Seed: 2, Today: datatest.DemoToday}); err == nil {
		t.Fatal("a cancelled build succeeded")
	}
	st, err := store.OpenActive(context.Background(), data.Home{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := datatest.TableHash(t, st); !reflect.DeepEqual(got, first) {
		t.Fatal("a cancelled build changed the active store")
	}
	left, _ := filepath.Glob(filepath.Join(dir, "tenants", "*.building*"))
	if len(left) != 0 {
		t.Fatalf("leftover files %v", left)
	}
}

func TestHomeResolution(t *testing.T) {
	t.Setenv("ALMANAC_HOME", "/tmp/from-env")
	if h, _ := data.ResolveHome("/tmp/from-flag"); h.Dir != "/tmp/from-flag" {
		t.Errorf("flag: %s", h.Dir)
	}
	if h, _ := data.ResolveHome(""); h.Dir != "/tmp/from-env" {
		t.Errorf("env: %s", h.Dir)
	}
	t.Setenv("ALMANAC_HOME", "")
	t.Setenv("XDG_CONFIG_HOME", "/tmp/xdg")
	if h, _ := data.ResolveHome(""); h.Dir != "/tmp/xdg/almanac" {
		t.Errorf("default: %s", h.Dir)
	}
	h := data.Home{Dir: t.TempDir()}
	if _, err := h.ActiveTenant(); err != data.ErrNoTenant {
		t.Errorf("empty home: %v", err)
	}
	os.WriteFile(filepath.Join(h.Dir, "active"), []byte("../../etc/passwd\n"), 0o600)
	if _, err := h.ActiveTenant(); err == nil {
		t.Error("a path in the active file was accepted")
	}
}

// BenchmarkDemoBuild measures building the demo tenant; the goal for 1,000,000 appointments is
// under 30 s on 2 cores. ALMANAC_BENCH_APPOINTMENTS overrides N.
func BenchmarkDemoBuild(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("ALMANAC_BENCH_APPOINTMENTS")); err == nil && v > 0 {
		n = v
	}
	for b.Loop() {
		dir := b.TempDir()
		start := time.Now()
		if _, err := demo.Build(context.Background(), data.Home{Dir: dir}, demo.Options{Appointments: n, Seed: 7, Today: datatest.DemoToday}); err != nil {
			b.Fatal(err)
		}
		el := time.Since(start)
		b.ReportMetric(el.Seconds(), "s/build")
		b.ReportMetric(float64(n)/el.Seconds(), "appointments/s")
		// Reference: the same generator into a sink that stores nothing, so the figure above
		// shows what the store costs over generation alone.
		start = time.Now()
		if err := demo.Generate(context.Background(), demo.Options{Appointments: n, Seed: 7, Today: datatest.DemoToday}, discard{}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/generate-only")
	}
}

type discard struct{}

func (discard) PutResource(data.Resource) error         { return nil }
func (discard) PutService(data.Service) error           { return nil }
func (discard) PutCustomer(data.Customer) error         { return nil }
func (discard) PutAppointment(data.Appointment) error   { return nil }
func (discard) PutPayment(data.Payment) error           { return nil }
func (discard) PutSubscription(data.Subscription) error { return nil }

var _ demo.Sink = discard{}
var _ demo.Sink = (*store.Writer)(nil)
