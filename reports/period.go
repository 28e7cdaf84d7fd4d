package reports

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// ErrUsage marks a bad filter value (the command line maps it to exit 2); match with errors.Is.
var ErrUsage = errors.New("usage")

// usageError wraps ErrUsage with a message that names the flag and the fix.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUsage}, args...)...)
}

// PeriodRequest is what the user asked for: --days N, or --from/--to local dates. Empty strings
// mean "not given".
type PeriodRequest struct {
	Days string
	From string
	To   string
}

// Period is a resolved range of local calendar dates, both ends inclusive. An empty To means no
// upper bound (future rows included). Notice is a one-line message for stderr when --days was
// clamped to the history window.
type Period struct {
	From    string
	To      string
	Days    int
	Clamped bool
	Notice  string
}

// MaxDays bounds --days: a hundred years reaches back past any business's records and keeps
// the date arithmetic far from overflow (9223372036854775807 days wrapped around to a period
// that ended before it began).
const MaxDays = 36_500

// ParseDays parses a --days value: a whole number from 1 to MaxDays.
func ParseDays(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if errors.Is(err, strconv.ErrRange) || err == nil && n > MaxDays {
		return 0, usageError("--days %s is too many: give at most %d (100 years), or --from YYYY-MM-DD", s, MaxDays)
	}
	if err != nil {
		return 0, usageError("--days %q is not a number: give a whole number of days, 1 or more", s)
	}
	if n < 1 {
		return 0, usageError("--days %d: give a whole number of days, 1 or more", n)
	}
	return n, nil
}

// ParseDate parses a YYYY-MM-DD local date given to flag.
func ParseDate(flag, s string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(data.DateLayout, s, loc)
	if err != nil {
		return time.Time{}, usageError("%s %q is not a date: use YYYY-MM-DD, e.g. 2026-01-31", flag, s)
	}
	return d, nil
}

// Today is the local calendar date of now in loc, at midnight.
func Today(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// ResolvePeriod turns a request into local dates, checked against the history window w (whose
// Today is the tenant's local today). --days N means the N days ending today, clamped to the
// window with a Notice; explicit dates before the cutoff fail with *license.HistoryError. With
// nothing given, defaultDays applies; defaultDays 0 means "the whole window, future included".
func ResolvePeriod(req PeriodRequest, w license.Window, defaultDays int) (Period, error) {
	loc := w.Today.Location()
	if req.Days != "" && (req.From != "" || req.To != "") {
		return Period{}, usageError("give either --days or --from/--to, not both")
	}
	if req.From != "" || req.To != "" {
		return explicitPeriod(req, w, loc)
	}
	if req.Days == "" && defaultDays == 0 {
		return windowPeriod(w), nil
	}
	days := defaultDays
	if req.Days != "" {
		n, err := ParseDays(req.Days)
		if err != nil {
			return Period{}, err
		}
		days = n
	}
	return lastDays(days, w), nil
}

func explicitPeriod(req PeriodRequest, w license.Window, loc *time.Location) (Period, error) {
	var from, to time.Time
	var err error
	if req.From != "" {
		if from, err = ParseDate("--from", req.From, loc); err != nil {
			return Period{}, err
		}
	} else {
		from = w.Cutoff
		if w.Unlimited {
			from = time.Date(1970, 1, 1, 0, 0, 0, 0, loc)
		}
	}
	p := Period{From: from.Format(data.DateLayout)}
	if req.To != "" {
		if to, err = ParseDate("--to", req.To, loc); err != nil {
			return Period{}, err
		}
		if to.Before(from) {
			return Period{}, usageError("--to %s is before --from %s: swap the dates", req.To, p.From)
		}
		p.To = to.Format(data.DateLayout)
		p.Days = daysBetween(from, to) + 1
	}
	if err := w.CheckDate(from); err != nil {
		return Period{}, err
	}
	return p, nil
}

// lastDays is the n local days ending today, clamped to the window.
func lastDays(n int, w license.Window) Period {
	p := Period{Days: n}
	if c, clamped := w.ClampDays(n); clamped {
		p.Days, p.Clamped = c, true
		p.Notice = fmt.Sprintf("almanac: --days %d is longer than your %s plan's %d-day history window; using %d days", n, w.Plan, w.MaxDays, c)
	}
	p.From = w.Today.AddDate(0, 0, -(p.Days - 1)).Format(data.DateLayout)
	p.To = w.Today.Format(data.DateLayout)
	return p
}

// windowPeriod covers the whole history window and every future date.
func windowPeriod(w license.Window) Period {
	if w.Unlimited {
		return Period{From: "0000-01-01"}
	}
	return Period{From: w.Cutoff.Format(data.DateLayout)}
}

func daysBetween(a, b time.Time) int {
	ya, ma, da := a.Date()
	yb, mb, db := b.Date()
	return int(time.Date(yb, mb, db, 12, 0, 0, 0, time.UTC).Sub(time.Date(ya, ma, da, 12, 0, 0, 0, time.UTC)).Hours() / 24)
}
