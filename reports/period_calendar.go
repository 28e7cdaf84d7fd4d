package reports

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// PeriodKind names a way of choosing a period: a calendar period, the last N days, or custom
// dates (docs/metrics.md, "Calendar periods").
type PeriodKind string

// The kinds of period. The named ones are the values of a period name ("this-month"); the
// last N days are "last-Nd"; custom is explicit dates; "" is the default or --days.
const (
	PeriodToday       PeriodKind = "today"
	PeriodThisWeek    PeriodKind = "this-week"
	PeriodLastWeek    PeriodKind = "last-week"
	PeriodThisMonth   PeriodKind = "this-month"
	PeriodLastMonth   PeriodKind = "last-month"
	PeriodThisQuarter PeriodKind = "this-quarter"
	PeriodLastQuarter PeriodKind = "last-quarter"
	PeriodYTD         PeriodKind = "ytd"
	PeriodLastYear    PeriodKind = "last-year"
	PeriodLastDays    PeriodKind = "last-days" // last-Nd
	PeriodCustom      PeriodKind = "custom"
)

// CalendarPeriods lists the named calendar periods in the order a picker offers them.
func CalendarPeriods() []PeriodKind {
	return []PeriodKind{PeriodToday, PeriodThisWeek, PeriodLastWeek, PeriodThisMonth, PeriodLastMonth,
		PeriodThisQuarter, PeriodLastQuarter, PeriodYTD, PeriodLastYear}
}

// PeriodLabel is a calendar period in words, e.g. "This month".
func PeriodLabel(k PeriodKind) string {
	return map[PeriodKind]string{
		PeriodToday: "Today", PeriodThisWeek: "This week", PeriodLastWeek: "Last week",
		PeriodThisMonth: "This month", PeriodLastMonth: "Last month", PeriodThisQuarter: "This quarter",
		PeriodLastQuarter: "Last quarter", PeriodYTD: "Year to date", PeriodLastYear: "Last year",
		PeriodLastDays: "Last N days", PeriodCustom: "Custom dates",
	}[k]
}

// PeriodName is a parsed period name: its kind, and N for the last N days.
type PeriodName struct {
	Kind PeriodKind
	Days int // PeriodLastDays only
}

// periodNamesHint is the fix of a bad period name.
const periodNamesHint = "use today, this-week, last-week, this-month, last-month, this-quarter, last-quarter, ytd, last-year or last-Nd (e.g. last-14d)"

// ParsePeriodName parses a period name: one of the calendar periods, or last-Nd with N from 1 to
// MaxDays. A bad name is a *UsageError for data.FieldPeriod.
func ParsePeriodName(s string) (PeriodName, error) {
	for _, k := range CalendarPeriods() {
		if s == string(k) {
			return PeriodName{Kind: k}, nil
		}
	}
	digits, ok := strings.CutPrefix(s, "last-")
	if digits, ok2 := strings.CutSuffix(digits, "d"); ok && ok2 && digits != "" && allDigits(digits) {
		n, err := strconv.Atoi(digits)
		if err != nil || n > MaxDays {
			return PeriodName{}, usageError(data.FieldPeriod, s, "is too many days", fmt.Sprintf("give at most last-%dd (100 years)", MaxDays))
		}
		if n < 1 {
			return PeriodName{}, usageError(data.FieldPeriod, s, "is too few days", "give last-1d or more")
		}
		return PeriodName{Kind: PeriodLastDays, Days: n}, nil
	}
	return PeriodName{}, usageError(data.FieldPeriod, s, "is not a period", periodNamesHint)
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// CalendarRange is the first and last local dates (midnights in today's location) of the
// calendar period k as of today. "This" periods end today; weeks start on Monday.
func CalendarRange(k PeriodKind, today time.Time) (from, to time.Time) {
	y, m, d := today.Date()
	loc := today.Location()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	t := day(y, m, d)
	monday := t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
	quarter := day(y, m-(m-1)%3, 1)
	switch k {
	case PeriodThisWeek:
		return monday, t
	case PeriodLastWeek:
		return monday.AddDate(0, 0, -7), monday.AddDate(0, 0, -1)
	case PeriodThisMonth:
		return day(y, m, 1), t
	case PeriodLastMonth:
		return day(y, m-1, 1), day(y, m, 0)
	case PeriodThisQuarter:
		return quarter, t
	case PeriodLastQuarter:
		return quarter.AddDate(0, -3, 0), quarter.AddDate(0, 0, -1)
	case PeriodYTD:
		return day(y, 1, 1), t
	case PeriodLastYear:
		return day(y-1, 1, 1), day(y-1, 12, 31)
	}
	return t, t // today
}

// namedPeriod resolves a period name against the window: the last N days as --days N (clamped
// with a notice), a calendar period refused with *license.HistoryError when it starts before
// the cutoff.
func namedPeriod(s string, w license.Window) (Period, error) {
	n, err := ParsePeriodName(s)
	if err != nil {
		return Period{}, err
	}
	if n.Kind == PeriodLastDays {
		p := lastDays(n.Days, w)
		p.Kind = PeriodLastDays
		return p, nil
	}
	from, to := CalendarRange(n.Kind, w.Today)
	if err := w.CheckDate(from); err != nil {
		return Period{}, err
	}
	return Period{Kind: n.Kind, From: from.Format(data.DateLayout), To: to.Format(data.DateLayout), Days: daysBetween(from, to) + 1}, nil
}

// String is the period name as ParsePeriodName reads it.
func (n PeriodName) String() string {
	if n.Kind == PeriodLastDays {
		return fmt.Sprintf("last-%dd", n.Days)
	}
	return string(n.Kind)
}
