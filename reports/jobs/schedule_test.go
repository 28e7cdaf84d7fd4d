package jobs

import (
	"testing"
	"time"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustSchedule(t testing.TB, s string) Schedule {
	t.Helper()
	sc, err := ParseSchedule(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

var scheduleCases = []struct {
	in   string
	want string // String(); "" means an error
}{
	{"daily 07:00", "daily 07:00"},
	{"daily 7:05", "daily 07:05"},
	{"Weekly Mon 07:00", "weekly mon 07:00"},
	{"weekly sunday 23:59", "weekly sun 23:59"},
	{"monthly 31 02:30", "monthly 31 02:30"},
	{"monthly 1 00:00", "monthly 1 00:00"},
	{"", ""}, {"daily", ""}, {"daily 24:00", ""}, {"daily 07:60", ""}, {"daily 7", ""},
	{"weekly 07:00", ""}, {"weekly xyz 07:00", ""}, {"monthly 0 07:00", ""}, {"monthly 32 07:00", ""},
	{"monthly 007 07:00", ""}, {"hourly 07:00", ""}, {"daily 07:00 extra", ""}, {"daily -1:00", ""},
}

func TestParseSchedule(t *testing.T) {
	for _, c := range scheduleCases {
		sc, err := ParseSchedule(c.in)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("ParseSchedule(%q) = %v, want an error", c.in, sc)
		case c.want != "" && err != nil:
			t.Errorf("ParseSchedule(%q): %v", c.in, err)
		case c.want != "" && sc.String() != c.want:
			t.Errorf("ParseSchedule(%q) = %q, want %q", c.in, sc.String(), c.want)
		}
	}
}

// FuzzParseSchedule: a parsed schedule prints as text that parses back to itself, validates,
// and its next time is after the instant asked about.
func FuzzParseSchedule(f *testing.F) {
	for _, c := range scheduleCases {
		f.Add(c.in)
	}
	loc := mustLoc(f, "America/New_York")
	at := time.Date(2026, 3, 8, 1, 0, 0, 0, loc)
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := ParseSchedule(s)
		if err != nil {
			return
		}
		back, err := ParseSchedule(sc.String())
		if err != nil || back != sc {
			t.Fatalf("%q → %q → %v, %v", s, sc.String(), back, err)
		}
		if err := sc.Validate(); err != nil {
			t.Fatal(err)
		}
		if n := sc.Next(at, loc); !n.After(at) {
			t.Fatalf("Next(%v) = %v", at, n)
		}
		if p := sc.Prev(at, loc); p.After(at) || p.IsZero() {
			t.Fatalf("Prev(%v) = %v", at, p)
		}
	})
}

// runsBetween simulates a runner called every step from start to end: it returns the instants
// at which a run happened (due, then the slot recorded).
func runsBetween(sc Schedule, loc *time.Location, created, start, end time.Time, step time.Duration) []time.Time {
	var runs []time.Time
	since := created
	for now := start; !now.After(end); now = now.Add(step) {
		if sc.Due(since, now, loc) {
			runs = append(runs, now)
			since = sc.Prev(now, loc)
		}
	}
	return runs
}

func TestDSTDailyRunsOnce(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	sc := mustSchedule(t, "daily 02:30")
	for _, c := range []struct {
		name string
		day  time.Time // local midnight of the DST day
	}{
		{"spring forward", time.Date(2026, 3, 8, 0, 0, 0, 0, ny)},
		{"fall back", time.Date(2026, 11, 1, 0, 0, 0, 0, ny)},
	} {
		t.Run(c.name, func(t *testing.T) {
			from := c.day.Add(-2 * time.Hour)
			runs := runsBetween(sc, ny, from, from, c.day.Add(24*time.Hour-time.Minute), 15*time.Minute)
			if len(runs) != 1 {
				t.Fatalf("runs %v, want exactly one", runs)
			}
			if y, m, d := runs[0].In(ny).Date(); y != c.day.Year() || m != c.day.Month() || d != c.day.Day() {
				t.Errorf("ran at %v, not on %v", runs[0].In(ny), c.day)
			}
		})
	}
	// On the spring-forward day 02:30 does not exist: the job runs at the shifted instant.
	next := sc.Next(time.Date(2026, 3, 8, 0, 0, 0, 0, ny), ny)
	if got, want := next.UTC(), time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("spring forward: next %v (%v), want %v", next.In(ny), got, want)
	}
	// On the fall-back day 01:30 happens twice: only the first counts.
	sc130 := mustSchedule(t, "daily 01:30")
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, ny)
	runs := runsBetween(sc130, ny, day, day, day.Add(25*time.Hour-time.Minute), 5*time.Minute)
	if len(runs) != 1 {
		t.Fatalf("fall back 01:30: runs %v, want one", runs)
	}
}

func TestLondonDST(t *testing.T) {
	lon := mustLoc(t, "Europe/London")
	sc := mustSchedule(t, "daily 01:30")
	for _, day := range []time.Time{time.Date(2026, 3, 29, 0, 0, 0, 0, lon), time.Date(2026, 10, 25, 0, 0, 0, 0, lon)} {
		runs := runsBetween(sc, lon, day, day, day.Add(24*time.Hour), 10*time.Minute)
		if len(runs) != 1 {
			t.Errorf("%s: runs %v, want one", day.Format("2006-01-02"), runs)
		}
	}
	// Every day of 2026 gets exactly one run, DST or not.
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, lon)
	runs := runsBetween(sc, lon, start, start, time.Date(2027, 1, 1, 0, 0, 0, 0, lon), 30*time.Minute)
	if len(runs) != 365 {
		t.Errorf("%d runs in 2026, want 365", len(runs))
	}
}

func TestMonthEnds(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	sc := mustSchedule(t, "monthly 31 07:00")
	var got []string
	at := time.Date(2027, 12, 31, 8, 0, 0, 0, ny)
	for range 14 {
		at = sc.Next(at, ny)
		got = append(got, at.In(ny).Format("2006-01-02 15:04"))
	}
	want := []string{"2028-01-31 07:00", "2028-02-29 07:00", "2028-03-31 07:00", "2028-04-30 07:00", "2028-05-31 07:00",
		"2028-06-30 07:00", "2028-07-31 07:00", "2028-08-31 07:00", "2028-09-30 07:00", "2028-10-31 07:00",
		"2028-11-30 07:00", "2028-12-31 07:00", "2029-01-31 07:00", "2029-02-28 07:00"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("occurrence %d: %s, want %s", i, got[i], want[i])
		}
	}
	if n := mustSchedule(t, "monthly 29 07:00").Next(time.Date(2026, 2, 1, 0, 0, 0, 0, ny), ny); n.Format("01-02") != "02-28" {
		t.Errorf("day 29 in February 2026: %v, want Feb 28", n)
	}
	if n := mustSchedule(t, "monthly 30 07:00").Next(time.Date(2028, 2, 1, 0, 0, 0, 0, ny), ny); n.Format("01-02") != "02-29" {
		t.Errorf("day 30 in February 2028: %v, want Feb 29", n)
	}
}

// A computer off for a week runs a daily or weekly job once when it comes back, not once per
// missed time.
func TestOffForAWeekRunsOnce(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	for _, s := range []string{"daily 07:00", "weekly mon 07:00", "monthly 5 07:00"} {
		sc := mustSchedule(t, s)
		lastRun := time.Date(2026, 11, 2, 7, 5, 0, 0, ny) // Monday
		since := sc.Prev(lastRun, ny)
		back := time.Date(2026, 11, 10, 9, 0, 0, 0, ny) // a week and a day later
		if !sc.Due(since, back, ny) {
			t.Errorf("%s: not due on coming back", s)
			continue
		}
		since = sc.Prev(back, ny)
		if sc.Due(since, back.Add(15*time.Minute), ny) {
			t.Errorf("%s: due again 15 minutes after the catch-up run", s)
		}
	}
}

func TestDueWeekly(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	sc := mustSchedule(t, "weekly mon 07:00")
	created := time.Date(2026, 12, 6, 22, 0, 0, 0, ny) // Sunday
	for _, c := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 12, 6, 23, 0, 0, 0, ny), false},
		{time.Date(2026, 12, 7, 6, 59, 0, 0, ny), false},
		{time.Date(2026, 12, 7, 7, 0, 0, 0, ny), true},
		{time.Date(2026, 12, 7, 7, 5, 0, 0, ny), true},
	} {
		if got := sc.Due(created, c.at, ny); got != c.want {
			t.Errorf("Due at %v = %v, want %v", c.at, got, c.want)
		}
	}
	// Created just after Monday's time: not owed until next week.
	if sc.Due(time.Date(2026, 12, 7, 7, 3, 0, 0, ny), time.Date(2026, 12, 7, 8, 0, 0, 0, ny), ny) {
		t.Error("a job created after today's time is due today")
	}
}
