package reports

import (
	"errors"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// TestComparisonPeriod checks each rule of the comparison periods against hand-computed dates.
func TestComparisonPeriod(t *testing.T) {
	cases := []struct {
		name     string
		today    string
		req      PeriodRequest
		mode     CompareMode
		from, to string
	}{
		{"last month: the month before", "2026-12-10", PeriodRequest{Period: "last-month"}, ComparePrevious, "2026-10-01", "2026-10-31"},
		{"last month in March: February", "2024-03-15", PeriodRequest{Period: "last-month"}, ComparePrevious, "2024-01-01", "2024-01-31"},
		{"last week: the week before", "2026-11-25", PeriodRequest{Period: "last-week"}, ComparePrevious, "2026-11-09", "2026-11-15"},
		{"last quarter: the quarter before", "2026-02-10", PeriodRequest{Period: "last-quarter"}, ComparePrevious, "2025-07-01", "2025-09-30"},
		{"last year: the year before", "2026-02-10", PeriodRequest{Period: "last-year"}, ComparePrevious, "2024-01-01", "2024-12-31"},
		{"this month 1-15 Dec: 1-15 Nov", "2026-12-15", PeriodRequest{Period: "this-month"}, ComparePrevious, "2026-11-01", "2026-11-15"},
		{"this month 1-31 Mar: cut at 28 Feb", "2026-03-31", PeriodRequest{Period: "this-month"}, ComparePrevious, "2026-02-01", "2026-02-28"},
		{"this week Mon-Wed", "2026-11-25", PeriodRequest{Period: "this-week"}, ComparePrevious, "2026-11-16", "2026-11-18"},
		{"this quarter", "2026-11-23", PeriodRequest{Period: "this-quarter"}, ComparePrevious, "2026-07-01", "2026-08-23"},
		{"ytd: same dates last year", "2024-02-29", PeriodRequest{Period: "ytd"}, ComparePrevious, "2023-01-01", "2023-02-28"},
		{"today: yesterday", "2026-03-01", PeriodRequest{Period: "today"}, ComparePrevious, "2026-02-28", "2026-02-28"},
		{"last 7 days: the 7 before", "2026-11-23", PeriodRequest{Period: "last-7d"}, ComparePrevious, "2026-11-10", "2026-11-16"},
		{"--days 30", "2026-11-23", PeriodRequest{Days: "30"}, ComparePrevious, "2026-09-25", "2026-10-24"},
		{"custom: equal length before", "2026-11-23", PeriodRequest{From: "2026-11-01", To: "2026-11-10"}, ComparePrevious, "2026-10-22", "2026-10-31"},
		{"last year of this month", "2026-12-15", PeriodRequest{Period: "this-month"}, CompareLastYear, "2025-12-01", "2025-12-15"},
		{"last year of 29 Feb", "2024-02-29", PeriodRequest{Period: "today"}, CompareLastYear, "2023-02-28", "2023-02-28"},
		{"last year of a leap February", "2024-03-05", PeriodRequest{Period: "last-month"}, CompareLastYear, "2023-02-01", "2023-02-28"},
	}
	internal := license.EntitlementsFor(license.Payload{Plan: license.Internal}, true)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			today, _ := time.ParseInLocation(data.DateLayout, c.today, nyc)
			w := internal.Window(today)
			p, err := ResolvePeriod(c.req, w, 30)
			if err != nil {
				t.Fatal(err)
			}
			cp, err := ResolveComparison(p, c.mode, w)
			if err != nil {
				t.Fatal(err)
			}
			if cp.From != c.from || cp.To != c.to || cp.Days != daysBetweenDates(t, c.from, c.to) {
				t.Fatalf("%s to %s: compared with %+v, want %s to %s", p.From, p.To, cp, c.from, c.to)
			}
		})
	}
}

func daysBetweenDates(t *testing.T, from, to string) int {
	a, _ := time.Parse(data.DateLayout, from)
	b, _ := time.Parse(data.DateLayout, to)
	return daysBetween(a, b) + 1
}

// TestComparisonOutsideTheWindow: a comparison before the cutoff is refused naming the plan
// that reaches it; a period without an end cannot be compared.
func TestComparisonOutsideTheWindow(t *testing.T) {
	w := windowFor(t, license.Professional) // 2026-11-23, 90 days: cutoff 2026-08-25
	p, err := ResolvePeriod(PeriodRequest{Period: "this-month"}, w, 30)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ResolveComparison(p, ComparePrevious, w); err != nil {
		t.Fatalf("previous of this month on PROFESSIONAL: %v", err)
	}
	var he *license.HistoryError
	q, err := ResolvePeriod(PeriodRequest{Period: "this-quarter"}, w, 30)
	if err != nil {
		t.Fatal(err)
	}
	// 2026-07-01 is 145 days back: ENTERPRISE's 365 reach it.
	if _, err := ResolveComparison(q, ComparePrevious, w); !errors.As(err, &he) || he.Required != license.Enterprise {
		t.Fatalf("previous of this quarter on PROFESSIONAL: err %v, want a history error naming ENTERPRISE", err)
	}
	if _, err = ResolveComparison(p, CompareLastYear, w); !errors.As(err, &he) || he.Required != license.Internal {
		t.Fatalf("last year on PROFESSIONAL: err %v, want a history error naming INTERNAL", err)
	}
	open, err := ResolvePeriod(PeriodRequest{From: "2026-11-01"}, w, 30)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := ResolveComparison(open, ComparePrevious, w); err != nil || c.From != "2026-10-09" || c.To != "2026-10-31" {
		t.Fatalf("from 2026-11-01 through today: compared with %+v, %v; want 2026-10-09 to 2026-10-31", c, err)
	}
	if _, err := ResolveComparison(windowPeriod(w), ComparePrevious, w); !errors.As(err, &he) {
		t.Fatalf("the whole window: err %v, want a history error (the period before it is past the cutoff)", err)
	}
	if _, err := ResolveComparison(Period{From: "2026-12-01"}, ComparePrevious, w); !errors.Is(err, ErrUsage) {
		t.Fatalf("a future period without an end: err %v, want a usage error", err)
	}
}

func TestParseCompareMode(t *testing.T) {
	for _, s := range []string{"previous", "last-year"} {
		if m, err := ParseCompareMode(s); err != nil || string(m) != s {
			t.Errorf("%q: %v %v", s, m, err)
		}
	}
	for _, s := range []string{"", "Previous", "last_year", "year"} {
		var ie *data.InputError
		if _, err := ParseCompareMode(s); !errors.Is(err, ErrUsage) || !errors.As(err, &ie) || ie.Field != data.FieldCompare {
			t.Errorf("%q: err %v, want a usage error of the comparison", s, err)
		}
	}
}

// FuzzParseCompareMode: no input panics; accepted values are exactly the two modes.
func FuzzParseCompareMode(f *testing.F) {
	f.Add("previous")
	f.Add("last-year")
	f.Add("x")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseCompareMode(s)
		if err == nil && m != ComparePrevious && m != CompareLastYear {
			t.Fatalf("%q accepted as %q", s, m)
		}
		if err != nil && !errors.Is(err, ErrUsage) {
			t.Fatalf("%q: %v is not a usage error", s, err)
		}
	})
}
