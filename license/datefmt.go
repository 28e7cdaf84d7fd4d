package license

import "time"

// Screens and the CLI's human output show dates and times in one family,
// always in the tenant's zone; ISO 8601 stays in --json output and in files.
const (
	DateLayout     = "Jan 2, 2006"             // a civil date: "Dec 1, 2026"
	DateTimeLayout = "Jan 2, 2006 3:04 PM MST" // an instant: "Dec 1, 2026 3:23 AM EST"
	isoDate        = "2006-01-02"
)

// The zones where a day ends last and begins first: a date-only license term
// is signed to run to the end of the day in lastZone (expiry) or from its
// start in firstZone (not before), so no customer loses a day on their clock.
var (
	lastZone  = time.FixedZone("UTC-12", -12*60*60)
	firstZone = time.FixedZone("UTC+14", 14*60*60)
)

// FormatDate shows the civil date of t (in t's own location).
func FormatDate(t time.Time) string { return t.Format(DateLayout) }

// FormatDateTime shows instant t in loc.
func FormatDateTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(DateTimeLayout)
}

// FormatISODate shows a YYYY-MM-DD date, as reports carry them, in the
// screens' style; anything else is returned unchanged.
func FormatISODate(s string) string {
	d, err := time.Parse(isoDate, s)
	if err != nil {
		return s
	}
	return FormatDate(d)
}

// FormatLicenseTime shows a license's expiry, grace end or start. A term
// signed as a date ("--expires 2027-12-31") is shown as that date, the day
// it was issued to end on, whatever the zone; a term signed as an instant is
// shown as the date and time in loc.
func FormatLicenseTime(t time.Time, loc *time.Location) string {
	if e := t.In(lastZone); e.Hour() == 23 && e.Minute() == 59 && e.Second() == 59 {
		return FormatDate(e)
	}
	if s := t.In(firstZone); s.Hour() == 0 && s.Minute() == 0 && s.Second() == 0 && s.Nanosecond() == 0 {
		return FormatDate(s)
	}
	return FormatDateTime(t, loc)
}
