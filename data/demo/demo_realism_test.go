package demo_test

import (
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/datatest"

	"github.com/almanac-app/almanac/data"

	"github.com/almanac-app/almanac/data/demo"
)

// TestDemoNothingAfterBuild: built a few minutes after midnight, the demo has no booking, sign-up,
// payment, refund or other change later than that moment, and no appointment on 25 December or
// 1 January; the appointments still number exactly what was asked.
func TestDemoNothingAfterBuild(t *testing.T) {
	loc, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 11, 23, 0, 5, 0, 0, loc)
	st := datatest.BuildDemo(t, t.TempDir(), demo.Options{Appointments: 20_000, Seed: 7, Now: now})
	instants := map[string][]string{
		"appointments":  {"booked_at", "updated_at"},
		"customers":     {"created_at", "updated_at"},
		"payments":      {"created_at", "paid_at", "updated_at"},
		"subscriptions": {"started_at", "canceled_at", "updated_at"},
		"services":      {"updated_at"},
		"resources":     {"updated_at"},
	}
	for table, cols := range instants {
		for _, col := range cols {
			var n int
			if err := datatest.RawDB(t, st).QueryRow("SELECT COUNT(*) FROM "+table+" WHERE "+col+" > ?", now.Unix()).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				t.Errorf("%d %s have %s after the demo was built (%s)", n, table, col, now)
			}
		}
	}
	var holidays, total int
	datatest.RawDB(t, st).QueryRow(`SELECT COUNT(*) FROM appointments WHERE substr(local_date, 6) IN ('12-25', '01-01')`).Scan(&holidays)
	datatest.RawDB(t, st).QueryRow(`SELECT COUNT(*) FROM appointments`).Scan(&total)
	if holidays != 0 || total != 20_000 {
		t.Errorf("%d appointments on 25 December or 1 January (want 0), %d in all (want 20000)", holidays, total)
	}
	var future int
	datatest.RawDB(t, st).QueryRow(`SELECT COUNT(*) FROM appointments WHERE start_at > ?`, now.Unix()).Scan(&future)
	if future == 0 {
		t.Error("no appointment after today: the demo should still have a booked future")
	}
}

// TestDemoTodayIsTheTenantsDate: without --today the demo's today is the tenant's local date at
// the moment of the build, not the machine's (or UTC's) date.
func TestDemoTodayIsTheTenantsDate(t *testing.T) {
	cases := []struct {
		now  time.Time
		zone string
		want string
	}{
		{time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC), "America/New_York", "2026-11-30"},
		{time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC), "Asia/Tokyo", "2026-12-01"},
		{time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), "UTC", "2026-12-01"},
	}
	for _, c := range cases {
		o, err := demo.Options{Now: c.now, TimeZone: c.zone}.Normalize()
		if err != nil {
			t.Fatal(err)
		}
		if got := o.Today.Format(data.DateLayout); got != c.want || o.Today.Location().String() != c.zone || o.Today.Hour() != 0 {
			t.Errorf("now %s in %s: today %s, want %s at midnight in the zone", c.now, c.zone, o.Today, c.want)
		}
	}
	// An explicit --today is kept as given.
	o, _ := demo.Options{Today: datatest.DemoToday, Now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}.Normalize()
	if got := o.Today.Format(data.DateLayout); got != "2026-11-23" {
		t.Errorf("explicit today became %s", got)
	}
}

func TestValidCurrency(t *testing.T) {
	for code, want := range map[string]bool{"USD": true, "EUR": true, "JPY": true, "€": false, `a"b`: false, "usd": false,
		"US": false, "USDX": false, "U$D": false, "US1": false, "": false, "ÅÅÅ": false} {
		if got := data.ValidCurrency(code); got != want {
			t.Errorf("ValidCurrency(%q) = %v, want %v", code, got, want)
		}
	}
}

// TestDemoRefusesBadCurrency: the demo refuses a currency that is not three capital letters.
func TestDemoRefusesBadCurrency(t *testing.T) {
	if _, err := (demo.Options{Currency: "€"}).Normalize(); err == nil {
		t.Error("the demo accepted the currency €")
	}
}
