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
// Every such error is also a *data.InputError naming the field, which front ends word.
var ErrUsage = errors.New("usage")

// UsageError is a bad filter value: a *data.InputError that is also ErrUsage.
type UsageError struct{ *data.InputError }

// Unwrap makes errors.Is(err, ErrUsage) and errors.As(err, **data.InputError) hold.
func (e *UsageError) Unwrap() []error { return []error{ErrUsage, e.InputError} }

// usageError is a bad value of field: problem and fix in the library's words, other fields
// named "{field}" (see data.InputError.Words).
func usageError(field, value, problem, fix string) error {
	return &UsageError{&data.InputError{Field: field, Value: value, Problem: problem, Fix: fix}}
}

// idValue is a service or resource id as given, for an error.
func idValue(id int64) string { return strconv.FormatInt(id, 10) }

// outFolderError is an output path whose folder is missing: a failure (exit 1), not ErrUsage.
func outFolderError(out, problem string) error {
	return &data.InputError{Field: data.FieldOut, Value: out, Problem: problem, Fix: "create it or choose another {out}"}
}

// activeValue is an Active filter as given, for an error.
func activeValue(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

// DaysNotice says that the number of days asked for was shortened; front ends word it (the
// command line names its --days).
type DaysNotice struct {
	Asked, Used int
	Limit       string // what it exceeds, e.g. "your FREE plan's 7-day history window"
}

// PeriodRequest is what the user asked for: --days N, --from/--to local dates, or a period
// name (--period this-month, see ParsePeriodName). Empty strings mean "not given".
type PeriodRequest struct {
	Days   string
	From   string
	To     string
	Period string
}

// Period is a resolved range of local calendar dates, both ends inclusive. An empty To means no
// upper bound (future rows included). Notice, when not nil, says the days asked for were
// clamped to the history window.
type Period struct {
	Kind    PeriodKind // how it was chosen; "" for the default or a number of days
	From    string
	To      string
	Days    int
	Clamped bool
	Notice  *DaysNotice
}

// MaxDays bounds --days: a hundred years reaches back past any business's records and keeps
// the date arithmetic far from overflow (9223372036854775807 days wrapped around to a period
// that ended before it began).
const MaxDays = 36_500

// ParseDays parses a --days value: a whole number from 1 to MaxDays.
func ParseDays(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if errors.Is(err, strconv.ErrRange) || err == nil && n > MaxDays {
		return 0, usageError(data.FieldDays, s, "is too many", fmt.Sprintf("give at most %d (100 years), or {from} YYYY-MM-DD", MaxDays))
	}
	if err != nil {
		return 0, usageError(data.FieldDays, s, "is not a number", "give a whole number of days, 1 or more")
	}
	if n < 1 {
		return 0, usageError(data.FieldDays, s, "is too few", "give a whole number of days, 1 or more")
	}
	return n, nil
}

// ParseDate parses a YYYY-MM-DD local date given as field (data.FieldFrom, data.FieldTo).
func ParseDate(field, s string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(data.DateLayout, s, loc)
	if err != nil {
		return time.Time{}, usageError(field, s, "is not a date", "use YYYY-MM-DD, e.g. 2026-01-31")
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
	if req.Period != "" {
		if req.Days != "" || req.From != "" || req.To != "" {
			return Period{}, usageError(data.FieldPeriod, req.Period, "cannot be given with {days}, {from} or {to}", "give one way of choosing the period")
		}
		return namedPeriod(req.Period, w)
	}
	if req.Days != "" && (req.From != "" || req.To != "") {
		return Period{}, usageError(data.FieldDays, req.Days, "cannot be given with {from} or {to}", "give either {days} or {from}/{to}, not both")
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
		if from, err = ParseDate(data.FieldFrom, req.From, loc); err != nil {
			return Period{}, err
		}
	} else {
		from = w.Cutoff
		if w.Unlimited {
			from = time.Date(1970, 1, 1, 0, 0, 0, 0, loc)
		}
	}
	p := Period{Kind: PeriodCustom, From: from.Format(data.DateLayout)}
	if req.To != "" {
		if to, err = ParseDate(data.FieldTo, req.To, loc); err != nil {
			return Period{}, err
		}
		if to.Before(from) {
			return Period{}, usageError(data.FieldTo, req.To, "is before {from} "+p.From, "swap the dates")
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
		p.Notice = &DaysNotice{Asked: n, Used: c, Limit: fmt.Sprintf("your %s plan's %d-day history window", w.Plan, w.MaxDays)}
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
