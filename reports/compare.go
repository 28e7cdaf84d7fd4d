package reports

import (
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// CompareMode is what a period is compared with (docs/metrics.md, "Comparisons").
type CompareMode string

// The comparisons: the period before (of the same kind, or of equal length), or the same
// dates one year earlier.
const (
	ComparePrevious CompareMode = "previous"
	CompareLastYear CompareMode = "last-year"
)

// ParseCompareMode parses a comparison: previous or last-year. A bad value is a *UsageError
// for data.FieldCompare.
func ParseCompareMode(s string) (CompareMode, error) {
	switch m := CompareMode(s); m {
	case ComparePrevious, CompareLastYear:
		return m, nil
	}
	return "", usageError(data.FieldCompare, s, "is not a comparison", "use previous or last-year")
}

// ComparisonPeriod is the period p is compared with under mode, as of today (the tenant's local
// date): last-year is the same dates a year earlier (29 February maps to 28 February);
// previous of a whole calendar period is the one of the same kind before it, of a "to date"
// period the same number of days from the start of the period before (cut at that period's
// end), and of anything else the period of equal length just before. p must have both ends.
func ComparisonPeriod(p Period, mode CompareMode, today time.Time) (Period, error) {
	loc := today.Location()
	from, err1 := time.ParseInLocation(data.DateLayout, p.From, loc)
	to, err2 := time.ParseInLocation(data.DateLayout, p.To, loc)
	if err1 != nil || err2 != nil || to.Before(from) {
		return Period{}, usageError(data.FieldCompare, string(mode), "needs a period with a first and a last date", "choose a period that ends, e.g. {to} YYYY-MM-DD")
	}
	var cf, ct time.Time
	switch {
	case mode == CompareLastYear:
		cf, ct = yearEarlier(from), yearEarlier(to)
	case isCalendarWhole(p.Kind):
		cf, ct = CalendarRange(p.Kind, from) // the one before the period holding from
	case isToDate(p.Kind):
		cf, ct = toDateBefore(p.Kind, from, to)
	default:
		n := daysBetween(from, to) + 1
		cf, ct = from.AddDate(0, 0, -n), from.AddDate(0, 0, -1)
	}
	return Period{Kind: p.Kind, From: cf.Format(data.DateLayout), To: ct.Format(data.DateLayout), Days: daysBetween(cf, ct) + 1}, nil
}

// ResolveComparison is ComparisonPeriod held against the window w: a comparison that starts
// before the cutoff is refused with *license.HistoryError naming the plan that reaches it. A
// period with a first date only (the report runs through today) is closed at today.
func ResolveComparison(p Period, mode CompareMode, w license.Window) (Period, error) {
	if p.To == "" && p.From != "" && p.From <= w.Today.Format(data.DateLayout) {
		p.To = w.Today.Format(data.DateLayout) // a report of an open period runs through today
	}
	c, err := ComparisonPeriod(p, mode, w.Today)
	if err != nil {
		return Period{}, err
	}
	from, _ := time.ParseInLocation(data.DateLayout, c.From, w.Today.Location())
	if err := w.CheckDate(from); err != nil {
		return Period{}, err
	}
	return c, nil
}

func isCalendarWhole(k PeriodKind) bool {
	return k == PeriodLastWeek || k == PeriodLastMonth || k == PeriodLastQuarter || k == PeriodLastYear
}

func isToDate(k PeriodKind) bool {
	return k == PeriodThisWeek || k == PeriodThisMonth || k == PeriodThisQuarter || k == PeriodYTD
}

// toDateBefore is the same number of days as from..to from the start of the period of kind k
// before the one starting at from, cut at that period's end; year to date is the same dates a
// year earlier.
func toDateBefore(k PeriodKind, from, to time.Time) (time.Time, time.Time) {
	if k == PeriodYTD {
		return yearEarlier(from), yearEarlier(to)
	}
	var start time.Time
	switch k {
	case PeriodThisWeek:
		start = from.AddDate(0, 0, -7)
	case PeriodThisMonth:
		start = from.AddDate(0, -1, 0)
	default: // this quarter
		start = from.AddDate(0, -3, 0)
	}
	end := start.AddDate(0, 0, daysBetween(from, to))
	if last := from.AddDate(0, 0, -1); end.After(last) {
		end = last
	}
	return start, end
}

// yearEarlier is the same date a year earlier; 29 February maps to 28 February.
func yearEarlier(d time.Time) time.Time {
	y, m, day := d.Date()
	if m == time.February && day == 29 {
		day = 28
	}
	return time.Date(y-1, m, day, 0, 0, 0, 0, d.Location())
}

// PeriodWords is a period's dates in plain words, as a chart's legend names them: "1–15 Dec
// 2026", "28 Nov – 5 Dec 2026", "28 Dec 2025 – 3 Jan 2026", or "1 Dec 2026" for one day. Dates
// that do not parse are given as they are.
func PeriodWords(from, to string) string {
	f, err1 := time.Parse(data.DateLayout, from)
	t, err2 := time.Parse(data.DateLayout, to)
	switch {
	case err1 != nil || err2 != nil:
		return from + " – " + to
	case from == to:
		return f.Format("2 Jan 2006")
	case f.Year() != t.Year():
		return f.Format("2 Jan 2006") + " – " + t.Format("2 Jan 2006")
	case f.Month() != t.Month():
		return f.Format("2 Jan") + " – " + t.Format("2 Jan 2006")
	}
	return f.Format("2") + "–" + t.Format("2 Jan 2006")
}
