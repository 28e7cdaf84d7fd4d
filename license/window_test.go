package license

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// tenantZone is a fixed zone far from UTC, so UTC/local mix-ups show.
var tenantZone = time.FixedZone("UTC-10", -10*3600)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, tenantZone) }

func TestWindowPerPlan(t *testing.T) {
	today := time.Date(2026, 3, 10, 23, 30, 0, 0, tenantZone) // late evening: still the 10th locally
	tests := []struct {
		plan   Plan
		days   int
		cutoff time.Time
		ranges []Range
	}{
		{Free, 7, date(2026, 3, 3), []Range{
			{"Last 7 days", 7, false, Free}, {"Last 30 days", 30, true, Starter},
			{"Last 90 days", 90, true, Professional}, {"Last 365 days", 365, true, Enterprise}}},
		{Starter, 30, date(2026, 2, 8), []Range{
			{"Last 7 days", 7, false, Free}, {"Last 30 days", 30, false, Starter},
			{"Last 90 days", 90, true, Professional}, {"Last 365 days", 365, true, Enterprise}}},
		{Professional, 90, date(2025, 12, 10), []Range{
			{"Last 7 days", 7, false, Free}, {"Last 30 days", 30, false, Starter},
			{"Last 90 days", 90, false, Professional}, {"Last 365 days", 365, true, Enterprise}}},
		{Enterprise, 365, date(2025, 3, 10), []Range{
			{"Last 7 days", 7, false, Free}, {"Last 30 days", 30, false, Starter},
			{"Last 90 days", 90, false, Professional}, {"Last 365 days", 365, false, Enterprise}}},
		{Internal, Unlimited, time.Time{}, []Range{
			{"Last 7 days", 7, false, Free}, {"Last 30 days", 30, false, Starter},
			{"Last 90 days", 90, false, Professional}, {"Last 365 days", 365, false, Enterprise},
			{"All time", Unlimited, false, Internal}}},
	}
	for _, tt := range tests {
		t.Run(tt.plan.String(), func(t *testing.T) {
			w := EntitlementsFor(Payload{Plan: tt.plan}, false).Window(today)
			if w.MaxDays != tt.days || w.Unlimited != (tt.plan == Internal) {
				t.Errorf("MaxDays=%d Unlimited=%v", w.MaxDays, w.Unlimited)
			}
			if !w.Today.Equal(date(2026, 3, 10)) || w.Today.Location() != tenantZone {
				t.Errorf("Today = %v, want local midnight of the 10th", w.Today)
			}
			if !w.Cutoff.Equal(tt.cutoff) {
				t.Errorf("Cutoff = %v, want %v", w.Cutoff, tt.cutoff)
			}
			if !reflect.DeepEqual(w.Ranges, tt.ranges) {
				t.Errorf("Ranges =\n%+v\nwant\n%+v", w.Ranges, tt.ranges)
			}
		})
	}
}

func TestWindowCustomLimitRange(t *testing.T) {
	w := EntitlementsFor(Payload{Plan: Professional, Limits: map[string]int{LimitHistoryDays: 60}}, false).Window(date(2026, 3, 10))
	want := []Range{
		{"Last 7 days", 7, false, Free}, {"Last 30 days", 30, false, Starter},
		{"Last 60 days", 60, false, Professional}, {"Last 90 days", 90, true, Enterprise},
		{"Last 365 days", 365, true, Enterprise},
	}
	if !reflect.DeepEqual(w.Ranges, want) {
		t.Errorf("Ranges =\n%+v\nwant\n%+v", w.Ranges, want)
	}
	w = EntitlementsFor(Payload{Plan: Enterprise, Limits: map[string]int{LimitHistoryDays: 500}}, false).Window(date(2026, 3, 10))
	if last := w.Ranges[len(w.Ranges)-1]; last.Days != 500 || last.Locked {
		t.Errorf("last range = %+v, want an unlocked Last 500 days", last)
	}
}

func TestCheckDate(t *testing.T) {
	w := FreeEntitlements(false).Window(date(2026, 3, 10))
	tests := []struct {
		name string
		d    time.Time
		ok   bool
	}{
		{"today", date(2026, 3, 10), true},
		{"on the cutoff", date(2026, 3, 3), true},
		{"cutoff, late in the day", time.Date(2026, 3, 3, 23, 59, 0, 0, tenantZone), true},
		{"day before cutoff", date(2026, 3, 2), false},
		{"civil date in UTC", time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), true},
		{"future", date(2027, 1, 1), true},
		{"long ago", date(2000, 1, 1), false},
	}
	for _, tt := range tests {
		if err := w.CheckDate(tt.d); (err == nil) != tt.ok {
			t.Errorf("%s: CheckDate(%v) = %v, want ok=%v", tt.name, tt.d, err, tt.ok)
		}
	}
	unl := EntitlementsFor(Payload{Plan: Internal}, false).Window(date(2026, 3, 10))
	if err := unl.CheckDate(date(1900, 1, 1)); err != nil {
		t.Errorf("unlimited window refused 1900: %v", err)
	}
}

func TestHistoryErrorFields(t *testing.T) {
	e := EntitlementsFor(Payload{Plan: Free, UpgradeURL: "https://example.com/up"}, false)
	err := e.Window(date(2026, 3, 10)).CheckDate(date(2026, 2, 3))
	var he *HistoryError
	if !errors.As(err, &he) {
		t.Fatalf("CheckDate = %v, want *HistoryError", err)
	}
	want := HistoryError{
		RequestedDate: date(2026, 2, 3), Cutoff: date(2026, 3, 3), DaysAgo: 35, MaxDays: 7,
		Current: Free, Required: Professional, UpgradeURL: "https://example.com/up",
	}
	if !reflect.DeepEqual(*he, want) {
		t.Errorf("HistoryError =\n%+v\nwant\n%+v", *he, want)
	}
	if got, wantMsg := he.Error(), "Feb 3, 2026 is 35 days ago, but your FREE plan shows only the last 7 days (from Mar 3, 2026). Upgrade to PROFESSIONAL to see it."; got != wantMsg {
		t.Errorf("message:\n got %q\nwant %q", got, wantMsg)
	}
	err = EntitlementsFor(Payload{Plan: Enterprise}, false).Window(date(2026, 3, 10)).CheckDate(date(2024, 3, 10))
	if !errors.As(err, &he) || he.Required != Internal || he.DaysAgo != 730 {
		t.Errorf("two years back: %+v", he)
	}
}

func TestCheckRange(t *testing.T) {
	w := EntitlementsFor(Payload{Plan: Starter}, false).Window(date(2026, 3, 10))
	if err := w.CheckRange(date(2026, 2, 8), date(2026, 3, 10)); err != nil {
		t.Errorf("range from the cutoff: %v", err)
	}
	var he *HistoryError
	if err := w.CheckRange(date(2026, 2, 7), date(2026, 3, 10)); !errors.As(err, &he) || he.DaysAgo != 31 {
		t.Errorf("range past the cutoff: %v", err)
	}
	if err := w.CheckRange(date(2026, 3, 10), date(2026, 3, 1)); err == nil || errors.As(err, &he) {
		t.Errorf("reversed range: %v", err)
	}
}

func TestClampDays(t *testing.T) {
	w := EntitlementsFor(Payload{Plan: Starter}, false).Window(date(2026, 3, 10))
	for _, tt := range []struct {
		n, want int
		clamped bool
	}{{7, 7, false}, {30, 30, false}, {31, 30, true}, {365, 30, true}} {
		if got, c := w.ClampDays(tt.n); got != tt.want || c != tt.clamped {
			t.Errorf("ClampDays(%d) = %d, %v; want %d, %v", tt.n, got, c, tt.want, tt.clamped)
		}
	}
	unl := EntitlementsFor(Payload{Plan: Internal}, false).Window(date(2026, 3, 10))
	if got, c := unl.ClampDays(5000); got != 5000 || c {
		t.Errorf("unlimited ClampDays = %d, %v", got, c)
	}
}

// TestWindowAcrossDST: days are calendar days, so a 23-hour day does not
// move the cutoff.
func TestWindowAcrossDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	today := time.Date(2026, 3, 9, 8, 0, 0, 0, ny) // DST began on 8 March
	w := FreeEntitlements(false).Window(today)
	if want := time.Date(2026, 3, 2, 0, 0, 0, 0, ny); !w.Cutoff.Equal(want) {
		t.Errorf("Cutoff = %v, want %v", w.Cutoff, want)
	}
	if err := w.CheckDate(time.Date(2026, 3, 2, 0, 0, 0, 0, ny)); err != nil {
		t.Errorf("cutoff date refused across DST: %v", err)
	}
}
