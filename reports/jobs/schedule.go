package jobs

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
)

// Frequency is how often a schedule comes round.
type Frequency string

// The frequencies.
const (
	Daily   Frequency = "daily"
	Weekly  Frequency = "weekly"
	Monthly Frequency = "monthly"
)

// FieldSchedule names a job's schedule in a *data.InputError; FieldName its file-name pattern,
// FieldFolder its folder, FieldJob a job id. Front ends word them (the command line with
// --daily/--weekly/--monthly, --name, --folder).
const (
	FieldSchedule = "schedule"
	FieldName     = "name"
	FieldFolder   = "folder"
	FieldJob      = "job"
	FieldReport   = "report"
	FieldTenant   = data.FieldTenant
)

// Schedule is when a job runs, in its tenant's time zone: daily at Hour:Minute, weekly on
// Weekday at Hour:Minute, or monthly on Day at Hour:Minute. A Day past the month's last day
// means the last day (31 runs on Apr 30 and Feb 28, or 29 in a leap year).
type Schedule struct {
	Every   Frequency    `json:"every"`
	Weekday time.Weekday `json:"weekday,omitempty"` // Weekly
	Day     int          `json:"day,omitempty"`     // Monthly, 1 to 31
	Hour    int          `json:"hour"`
	Minute  int          `json:"minute"`
}

const scheduleFix = `use "daily HH:MM", "weekly mon HH:MM" or "monthly D HH:MM" (D from 1 to 31), e.g. "weekly mon 07:00"`

// ParseSchedule reads "daily HH:MM", "weekly DAY HH:MM" (DAY: mon, tue… or monday…) or
// "monthly D HH:MM". A bad one is a *data.InputError for FieldSchedule.
func ParseSchedule(s string) (Schedule, error) {
	bad := func(problem string) (Schedule, error) {
		return Schedule{}, &data.InputError{Field: FieldSchedule, Value: s, Problem: problem, Fix: scheduleFix}
	}
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 0 {
		return bad("is empty")
	}
	var sc Schedule
	var clock string
	switch Frequency(f[0]) {
	case Daily:
		if len(f) != 2 {
			return bad("is not daily HH:MM")
		}
		sc.Every, clock = Daily, f[1]
	case Weekly:
		if len(f) != 3 {
			return bad("is not weekly DAY HH:MM")
		}
		wd, ok := ParseWeekday(f[1])
		if !ok {
			return bad("names no weekday")
		}
		sc.Every, sc.Weekday, clock = Weekly, wd, f[2]
	case Monthly:
		if len(f) != 3 {
			return bad("is not monthly D HH:MM")
		}
		d, err := strconv.Atoi(f[1])
		if err != nil || d < 1 || d > 31 || len(f[1]) > 2 {
			return bad("has no day of the month from 1 to 31")
		}
		sc.Every, sc.Day, clock = Monthly, d, f[2]
	default:
		return bad("is not daily, weekly or monthly")
	}
	h, m, ok := ParseClock(clock)
	if !ok {
		return bad("has no time of day HH:MM from 00:00 to 23:59")
	}
	sc.Hour, sc.Minute = h, m
	return sc, nil
}

// ParseClock reads a time of day "H:MM" or "HH:MM" from 00:00 to 23:59.
func ParseClock(s string) (hour, minute int, ok bool) {
	hs, ms, found := strings.Cut(s, ":")
	if !found || len(hs) < 1 || len(hs) > 2 || len(ms) != 2 || !digits(hs) || !digits(ms) {
		return 0, 0, false
	}
	hour, _ = strconv.Atoi(hs)
	minute, _ = strconv.Atoi(ms)
	return hour, minute, hour < 24 && minute < 60
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// ParseWeekday reads a weekday's English name or its first three letters, in any case.
func ParseWeekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(s)
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || s == name[:3] {
			return d, true
		}
	}
	return 0, false
}

// String is the schedule as ParseSchedule reads it, e.g. "weekly mon 07:00".
func (s Schedule) String() string {
	clock := fmt.Sprintf("%02d:%02d", s.Hour, s.Minute)
	switch s.Every {
	case Weekly:
		return fmt.Sprintf("weekly %s %s", strings.ToLower(s.Weekday.String()[:3]), clock)
	case Monthly:
		return fmt.Sprintf("monthly %d %s", s.Day, clock)
	}
	return "daily " + clock
}

// Words is the schedule in words, e.g. "Every Monday at 07:00".
func (s Schedule) Words() string {
	clock := fmt.Sprintf("%02d:%02d", s.Hour, s.Minute)
	switch s.Every {
	case Weekly:
		return fmt.Sprintf("Every %s at %s", s.Weekday, clock)
	case Monthly:
		return fmt.Sprintf("Monthly on day %d at %s (the last day in shorter months)", s.Day, clock)
	}
	return "Every day at " + clock
}

// Validate checks a schedule built without ParseSchedule (e.g. read from the jobs file).
func (s Schedule) Validate() error {
	_, err := ParseSchedule(s.String())
	if err == nil && (s.Hour < 0 || s.Hour > 23 || s.Minute < 0 || s.Minute > 59 || s.Every == Monthly && (s.Day < 1 || s.Day > 31) || s.Weekday < 0 || s.Weekday > 6) {
		err = &data.InputError{Field: FieldSchedule, Value: s.String(), Problem: "is out of range", Fix: scheduleFix}
	}
	return err
}

// on reports whether the schedule falls on the local date y-m-d.
func (s Schedule) on(y int, m time.Month, d int, loc *time.Location) bool {
	switch s.Every {
	case Weekly:
		return time.Date(y, m, d, 12, 0, 0, 0, loc).Weekday() == s.Weekday
	case Monthly:
		last := time.Date(y, m+1, 0, 12, 0, 0, 0, loc).Day()
		return d == min(s.Day, last)
	}
	return true
}

// at is the instant of the schedule's time on the local date y-m-d. A time the clocks skip
// (02:30 on a spring-forward day) is shifted forward by the gap, as cron and systemd do
// (03:30, the same instant as 02:30 on the old offset); a time that happens twice (01:30 on a
// fall-back day) is its first occurrence. Either way each date has exactly one instant, so a
// job runs once that day.
func (s Schedule) at(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, s.Hour, s.Minute, 0, 0, loc)
	if t.Hour() == s.Hour && t.Minute() == s.Minute {
		return t
	}
	// In a gap time.Date gives the wall time on the new offset, which shows before the gap.
	_, before := t.Zone()
	return time.Date(y, m, d, s.Hour, s.Minute, 0, 0, time.UTC).Add(-time.Duration(before) * time.Second).In(loc)
}

// searchDays bounds the scan for the next or previous occurrence: a monthly schedule comes
// round within 31 days; the slack covers a bad zone.
const searchDays = 400

// Next is the first scheduled instant strictly after t, in loc.
func (s Schedule) Next(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	y, m, d := lt.Date()
	for i := -1; i < searchDays; i++ {
		day := time.Date(y, m, d+i, 12, 0, 0, 0, loc)
		dy, dm, dd := day.Date()
		if s.on(dy, dm, dd, loc) {
			if at := s.at(dy, dm, dd, loc); at.After(t) {
				return at
			}
		}
	}
	return time.Time{}
}

// Prev is the last scheduled instant at or before t, in loc; zero if none within a year.
func (s Schedule) Prev(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	y, m, d := lt.Date()
	for i := 1; i > -searchDays; i-- {
		day := time.Date(y, m, d+i, 12, 0, 0, 0, loc)
		dy, dm, dd := day.Date()
		if s.on(dy, dm, dd, loc) {
			if at := s.at(dy, dm, dd, loc); !at.After(t) {
				return at
			}
		}
	}
	return time.Time{}
}

// Due reports whether a scheduled time has come after since (the job's last due run, or when
// it was created, resumed or rescheduled) and at or before now. However many scheduled times
// passed meanwhile (a computer off for a week), it is one run: the caller then records
// Prev(now) as handled.
func (s Schedule) Due(since, now time.Time, loc *time.Location) bool {
	p := s.Prev(now, loc)
	return !p.IsZero() && p.After(since)
}
