package reports

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

var nyc, _ = time.LoadLocation("America/New_York")

// windowFor is the history window of plan on 2026-11-23 in New York.
func windowFor(t testing.TB, plan license.Plan) license.Window {
	t.Helper()
	e := license.EntitlementsFor(license.Payload{Plan: plan}, true)
	return e.Window(time.Date(2026, 11, 23, 0, 0, 0, 0, nyc))
}

var periodCases = []struct {
	name     string
	plan     license.Plan
	req      PeriodRequest
	def      int
	from, to string
	days     int
	clamped  bool
	err      string // "usage", "history" or ""
}{
	{"default 30 on professional", license.Professional, PeriodRequest{}, 30, "2026-10-25", "2026-11-23", 30, false, ""},
	{"days 7 on free", license.Free, PeriodRequest{Days: "7"}, 30, "2026-11-17", "2026-11-23", 7, false, ""},
	{"days 30 clamped on free", license.Free, PeriodRequest{Days: "30"}, 30, "2026-11-17", "2026-11-23", 7, true, ""},
	{"days 1 is today", license.Starter, PeriodRequest{Days: "1"}, 30, "2026-11-23", "2026-11-23", 1, false, ""},
	{"days unlimited", license.Internal, PeriodRequest{Days: "5000"}, 30, "2013-03-17", "2026-11-23", 5000, false, ""},
	{"days zero", license.Free, PeriodRequest{Days: "0"}, 30, "", "", 0, false, "usage"},
	{"days negative", license.Free, PeriodRequest{Days: "-5"}, 30, "", "", 0, false, "usage"},
	{"days words", license.Free, PeriodRequest{Days: "abc"}, 30, "", "", 0, false, "usage"},
	{"days max int64", license.Internal, PeriodRequest{Days: "9223372036854775807"}, 30, "", "", 0, false, "usage"},
	{"days past int64", license.Internal, PeriodRequest{Days: "99999999999999999999"}, 30, "", "", 0, false, "usage"},
	{"days past 100 years", license.Internal, PeriodRequest{Days: "36501"}, 30, "", "", 0, false, "usage"},
	{"days 100 years", license.Internal, PeriodRequest{Days: "36500"}, 30, "1926-12-19", "2026-11-23", 36500, false, ""},
	{"days and dates", license.Free, PeriodRequest{Days: "3", From: "2026-11-20"}, 30, "", "", 0, false, "usage"},
	{"from on the cutoff", license.Free, PeriodRequest{From: "2026-11-16", To: "2026-11-23"}, 30, "2026-11-16", "2026-11-23", 8, false, ""},
	{"from before the cutoff", license.Free, PeriodRequest{From: "2026-11-15"}, 30, "", "", 0, false, "history"},
	{"future range", license.Free, PeriodRequest{From: "2026-12-01", To: "2027-01-31"}, 30, "2026-12-01", "2027-01-31", 62, false, ""},
	{"to only", license.Starter, PeriodRequest{To: "2026-11-30"}, 30, "2026-10-24", "2026-11-30", 38, false, ""},
	{"to before from", license.Enterprise, PeriodRequest{From: "2026-11-20", To: "2026-11-01"}, 30, "", "", 0, false, "usage"},
	{"impossible date", license.Enterprise, PeriodRequest{From: "2026-02-30"}, 30, "", "", 0, false, "usage"},
	{"whole window", license.Starter, PeriodRequest{}, 0, "2026-10-24", "", 0, false, ""},
}

func TestResolvePeriod(t *testing.T) {
	for _, c := range periodCases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ResolvePeriod(c.req, windowFor(t, c.plan), c.def)
			var he *license.HistoryError
			switch {
			case c.err == "usage" && !errors.Is(err, ErrUsage):
				t.Fatalf("err %v, want a usage error", err)
			case c.err == "history" && !errors.As(err, &he):
				t.Fatalf("err %v, want *license.HistoryError", err)
			case c.err == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.err != "":
				return
			}
			if p.From != c.from || p.To != c.to || p.Days != c.days || p.Clamped != c.clamped {
				t.Fatalf("got %+v, want from %s to %s days %d clamped %v", p, c.from, c.to, c.days, c.clamped)
			}
			if c.clamped && (p.Notice == nil || !strings.Contains(p.Notice.Limit, "FREE") || p.Notice.Used != p.Days) {
				t.Errorf("notice %+v does not name the plan and the days used", p.Notice)
			}
		})
	}
}

func TestHistoryErrorDetails(t *testing.T) {
	_, err := ResolvePeriod(PeriodRequest{From: "2026-10-24"}, windowFor(t, license.Free), 30)
	var he *license.HistoryError
	if !errors.As(err, &he) {
		t.Fatalf("err %v", err)
	}
	if he.DaysAgo != 30 || he.MaxDays != 7 || he.Cutoff.Format(data.DateLayout) != "2026-11-16" {
		t.Fatalf("history error %+v", he)
	}
	if !strings.Contains(err.Error(), "STARTER") {
		t.Errorf("message %q does not name the plan that allows it", err)
	}
}

// FuzzResolvePeriod: any input gives a usage error, a history error, or a sane period.
func FuzzResolvePeriod(f *testing.F) {
	for _, c := range periodCases {
		f.Add(c.req.Days, c.req.From, c.req.To, int(c.plan), c.def)
	}
	f.Fuzz(func(t *testing.T, days, from, to string, plan, def int) {
		pl := license.Plan(((plan % 5) + 5) % 5)
		def = ((def % 400) + 400) % 400
		w := windowFor(t, pl)
		p, err := ResolvePeriod(PeriodRequest{Days: days, From: from, To: to}, w, def)
		var he *license.HistoryError
		if err != nil {
			if !errors.Is(err, ErrUsage) && !errors.As(err, &he) {
				t.Fatalf("uncoded error %v", err)
			}
			return
		}
		if p.To != "" && p.To < p.From {
			t.Fatalf("period ends before it starts: %+v", p)
		}
		if !w.Unlimited && p.From < w.Cutoff.Format(data.DateLayout) {
			t.Fatalf("period %+v starts before the cutoff %s", p, w.Cutoff.Format(data.DateLayout))
		}
	})
}
