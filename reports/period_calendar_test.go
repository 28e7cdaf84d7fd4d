package reports

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// TestCalendarRange checks every calendar period against hand-computed dates: a Monday and a
// Sunday today, month ends, a leap day, quarter and year boundaries.
func TestCalendarRange(t *testing.T) {
	cases := []struct {
		today    string
		kind     PeriodKind
		from, to string
	}{
		{"2026-11-23", PeriodToday, "2026-11-23", "2026-11-23"},
		{"2026-11-23", PeriodThisWeek, "2026-11-23", "2026-11-23"}, // a Monday
		{"2026-11-23", PeriodLastWeek, "2026-11-16", "2026-11-22"},
		{"2026-11-29", PeriodThisWeek, "2026-11-23", "2026-11-29"}, // a Sunday
		{"2026-11-29", PeriodLastWeek, "2026-11-16", "2026-11-22"},
		{"2024-02-29", PeriodThisWeek, "2024-02-26", "2024-02-29"},
		{"2024-02-29", PeriodThisMonth, "2024-02-01", "2024-02-29"},
		{"2024-02-29", PeriodLastMonth, "2024-01-01", "2024-01-31"},
		{"2024-02-29", PeriodThisQuarter, "2024-01-01", "2024-02-29"},
		{"2024-02-29", PeriodLastQuarter, "2023-10-01", "2023-12-31"},
		{"2024-02-29", PeriodYTD, "2024-01-01", "2024-02-29"},
		{"2024-02-29", PeriodLastYear, "2023-01-01", "2023-12-31"},
		{"2024-03-01", PeriodLastMonth, "2024-02-01", "2024-02-29"},
		{"2026-03-31", PeriodLastMonth, "2026-02-01", "2026-02-28"},
		{"2026-03-31", PeriodThisQuarter, "2026-01-01", "2026-03-31"},
		{"2026-07-01", PeriodThisQuarter, "2026-07-01", "2026-07-01"},
		{"2026-07-01", PeriodLastQuarter, "2026-04-01", "2026-06-30"},
		{"2026-12-31", PeriodThisQuarter, "2026-10-01", "2026-12-31"},
		{"2025-01-01", PeriodLastWeek, "2024-12-23", "2024-12-29"}, // a Wednesday
		{"2025-01-01", PeriodLastMonth, "2024-12-01", "2024-12-31"},
		{"2025-01-01", PeriodLastQuarter, "2024-10-01", "2024-12-31"},
		{"2025-01-01", PeriodLastYear, "2024-01-01", "2024-12-31"},
		{"2025-01-01", PeriodYTD, "2025-01-01", "2025-01-01"},
	}
	for _, c := range cases {
		t.Run(c.today+" "+string(c.kind), func(t *testing.T) {
			today, _ := time.ParseInLocation(data.DateLayout, c.today, nyc)
			from, to := CalendarRange(c.kind, today)
			if got := from.Format(data.DateLayout) + " " + to.Format(data.DateLayout); got != c.from+" "+c.to {
				t.Fatalf("got %s, want %s %s", got, c.from, c.to)
			}
			if from.Location() != nyc || from.Hour() != 0 {
				t.Errorf("from %v is not a midnight in the tenant's zone", from)
			}
		})
	}
}

// TestNamedPeriodTenantZone: 23:30 UTC on November 30 is already December 1 in Auckland, so
// "this month" there is December while in New York it is still November.
func TestNamedPeriodTenantZone(t *testing.T) {
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Skip(err)
	}
	now := time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC)
	e := license.EntitlementsFor(license.Payload{Plan: license.Enterprise}, true)
	for _, c := range []struct {
		loc      *time.Location
		from, to string
	}{{auckland, "2026-12-01", "2026-12-01"}, {nyc, "2026-11-01", "2026-11-30"}} {
		p, err := ResolvePeriod(PeriodRequest{Period: "this-month"}, e.Window(Today(now, c.loc)), 30)
		if err != nil || p.From != c.from || p.To != c.to || p.Kind != PeriodThisMonth {
			t.Errorf("%s: got %+v, %v; want %s to %s", c.loc, p, err, c.from, c.to)
		}
	}
}

// TestResolveNamedPeriod holds named periods against the history window (2026-11-23 in New York).
func TestResolveNamedPeriod(t *testing.T) {
	cases := []struct {
		name     string
		plan     license.Plan
		req      PeriodRequest
		from, to string
		days     int
		clamped  bool
		err      string // "usage", "history" or ""
		required license.Plan
	}{
		{"today on free", license.Free, PeriodRequest{Period: "today"}, "2026-11-23", "2026-11-23", 1, false, "", 0},
		{"last week starts on free's cutoff", license.Free, PeriodRequest{Period: "last-week"}, "2026-11-16", "2026-11-22", 7, false, "", 0},
		{"this month past free's window", license.Free, PeriodRequest{Period: "this-month"}, "", "", 0, false, "history", license.Starter},
		{"this month on starter", license.Starter, PeriodRequest{Period: "this-month"}, "2026-11-01", "2026-11-23", 23, false, "", 0},
		{"last month past starter's window", license.Starter, PeriodRequest{Period: "last-month"}, "", "", 0, false, "history", license.Professional},
		{"last quarter on professional", license.Professional, PeriodRequest{Period: "last-quarter"}, "", "", 0, false, "history", license.Enterprise},
		{"this quarter on professional", license.Professional, PeriodRequest{Period: "this-quarter"}, "2026-10-01", "2026-11-23", 54, false, "", 0},
		{"ytd on enterprise", license.Enterprise, PeriodRequest{Period: "ytd"}, "2026-01-01", "2026-11-23", 327, false, "", 0},
		{"last year past enterprise", license.Enterprise, PeriodRequest{Period: "last-year"}, "", "", 0, false, "history", license.Internal},
		{"last year on internal", license.Internal, PeriodRequest{Period: "last-year"}, "2025-01-01", "2025-12-31", 365, false, "", 0},
		{"last 14 days", license.Starter, PeriodRequest{Period: "last-14d"}, "2026-11-10", "2026-11-23", 14, false, "", 0},
		{"last 30 days clamped like --days", license.Free, PeriodRequest{Period: "last-30d"}, "2026-11-17", "2026-11-23", 7, true, "", 0},
		{"with days", license.Free, PeriodRequest{Period: "today", Days: "3"}, "", "", 0, false, "usage", 0},
		{"with from", license.Free, PeriodRequest{Period: "today", From: "2026-11-20"}, "", "", 0, false, "usage", 0},
		{"with to", license.Free, PeriodRequest{Period: "today", To: "2026-11-20"}, "", "", 0, false, "usage", 0},
		{"unknown", license.Free, PeriodRequest{Period: "this-decade"}, "", "", 0, false, "usage", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ResolvePeriod(c.req, windowFor(t, c.plan), 30)
			var he *license.HistoryError
			var ie *data.InputError
			switch {
			case c.err == "usage" && (!errors.Is(err, ErrUsage) || !errors.As(err, &ie) || ie.Field != data.FieldPeriod):
				t.Fatalf("err %v, want a usage error of the period", err)
			case c.err == "history" && !errors.As(err, &he):
				t.Fatalf("err %v, want *license.HistoryError", err)
			case c.err == "history" && he.Required != c.required:
				t.Fatalf("history error names %s, want %s", he.Required, c.required)
			case c.err == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.err != "":
				return
			}
			if p.From != c.from || p.To != c.to || p.Days != c.days || p.Clamped != c.clamped {
				t.Fatalf("got %+v, want from %s to %s days %d clamped %v", p, c.from, c.to, c.days, c.clamped)
			}
		})
	}
}

func TestParsePeriodName(t *testing.T) {
	good := map[string]PeriodName{
		"today": {Kind: PeriodToday}, "ytd": {Kind: PeriodYTD}, "last-quarter": {Kind: PeriodLastQuarter},
		"last-1d": {Kind: PeriodLastDays, Days: 1}, "last-36500d": {Kind: PeriodLastDays, Days: MaxDays},
	}
	for s, want := range good {
		if got, err := ParsePeriodName(s); err != nil || got != want {
			t.Errorf("%q: got %+v, %v; want %+v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "Today", "last-0d", "last-d", "last-36501d", "last--3d", "last-+3d", "last-3", "last-99999999999999999999d", "this-year", " today"} {
		_, err := ParsePeriodName(s)
		var ie *data.InputError
		if !errors.Is(err, ErrUsage) || !errors.As(err, &ie) || ie.Field != data.FieldPeriod || !strings.Contains(err.Error(), "period") {
			t.Errorf("%q: err %v, want a usage error of the period", s, err)
		}
	}
}

// FuzzParsePeriodName: no input panics; a name it accepts reads back the same from its String,
// and one it refuses is a usage error of the period.
func FuzzParsePeriodName(f *testing.F) {
	for _, s := range []string{"today", "this-week", "last-year", "last-7d", "last-0d", "last-d", "ytd", "last-36501d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParsePeriodName(s)
		if err != nil {
			var ie *data.InputError
			if !errors.Is(err, ErrUsage) || !errors.As(err, &ie) || ie.Field != data.FieldPeriod {
				t.Fatalf("%q: err %v is not a usage error of the period", s, err)
			}
			return
		}
		if n.Kind == PeriodLastDays && (n.Days < 1 || n.Days > MaxDays) {
			t.Fatalf("%q: days %d out of range", s, n.Days)
		}
		back, err := ParsePeriodName(n.String())
		if err != nil || back != n {
			t.Fatalf("%q: %q reads back as %+v, %v", s, n.String(), back, err)
		}
	})
}
