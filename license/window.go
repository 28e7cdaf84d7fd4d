package license

import (
	"fmt"
	"time"
)

// Window is how far back the user may look, as of the tenant's local today.
type Window struct {
	MaxDays   int  // Unlimited when Unlimited is true
	Unlimited bool // no cutoff at all
	Today     time.Time
	Cutoff    time.Time // Today minus MaxDays; a date on the cutoff is allowed. Zero when unlimited.
	// Ranges a date picker may offer, shortest first; ranges past the window
	// are listed Locked with the plan that unlocks them.
	Ranges     []Range
	Plan       Plan   // the plan in force, for error messages
	UpgradeURL string // where a HistoryError points
}

// Range is one preset of a date picker: the last Days days, up to today.
type Range struct {
	Label        string // "Last 30 days", "All time"
	Days         int    // Unlimited for "All time"
	Locked       bool
	RequiredPlan Plan // lowest plan whose window covers it
}

// presetDays are the ranges every date picker lists (seed 003).
var presetDays = []int{7, 30, 90, 365}

// Window returns the history window for today, which must be the tenant's
// local date or time (a time in the tenant's zone): only its calendar date
// and location are used, and Today and Cutoff are midnights in that zone.
func (e Entitlements) Window(today time.Time) Window {
	days, unlimited := e.HistoryDays()
	y, m, d := today.Date()
	w := Window{
		MaxDays: days, Unlimited: unlimited,
		Today:      time.Date(y, m, d, 0, 0, 0, 0, today.Location()),
		Plan:       e.plan,
		UpgradeURL: e.UpgradeURL(),
	}
	if !unlimited {
		w.Cutoff = w.Today.AddDate(0, 0, -days)
	}
	w.Ranges = ranges(days, unlimited, e.plan)
	return w
}

// ranges lists the presets, plus the window's own length when a license sets
// one that is not a preset, plus "All time" when unlimited.
func ranges(days int, unlimited bool, plan Plan) []Range {
	var out []Range
	custom := !unlimited && days > 0
	for _, n := range presetDays {
		if custom && days < n {
			out = append(out, dayRange(days, false, plan))
			custom = false
		}
		if n == days {
			custom = false
		}
		out = append(out, dayRange(n, !unlimited && n > days, plan))
	}
	if custom {
		out = append(out, dayRange(days, false, plan))
	}
	if unlimited {
		out = append(out, Range{Label: "All time", Days: Unlimited, RequiredPlan: planForDays(Unlimited, Free)})
	}
	return out
}

func dayRange(n int, locked bool, plan Plan) Range {
	r := Range{Label: fmt.Sprintf("Last %d days", n), Days: n, Locked: locked, RequiredPlan: planForDays(n, Free)}
	if locked {
		r.RequiredPlan = planForDays(n, plan+1)
	}
	return r
}

// planForDays is the lowest plan from `from` up whose default window covers
// days (Unlimited: no cutoff). It falls back to Internal, the only unlimited plan.
func planForDays(days int, from Plan) Plan {
	for p := max(from, Free); p < Internal; p++ {
		if d := defaultHistoryDays[p]; days >= 0 && days <= d {
			return p
		}
	}
	return Internal
}

// CheckDate fails with a *HistoryError when d is before the cutoff. d is read
// as a calendar date in its own location (d.Date()), so pass dates in the
// tenant's zone or as civil dates. A date on the cutoff is allowed and future
// dates are never limited.
func (w Window) CheckDate(d time.Time) error {
	if w.Unlimited {
		return nil
	}
	ago := daysBetween(d, w.Today)
	if ago <= w.MaxDays {
		return nil
	}
	y, m, day := d.Date()
	return &HistoryError{
		RequestedDate: time.Date(y, m, day, 0, 0, 0, 0, w.Today.Location()),
		Cutoff:        w.Cutoff,
		DaysAgo:       ago,
		MaxDays:       w.MaxDays,
		Current:       w.Plan,
		Required:      planForDays(ago, w.Plan+1),
		UpgradeURL:    w.UpgradeURL,
	}
}

// CheckRange checks a from..to range (inclusive dates): only its start can
// reach past the window. A range that ends before it starts is an error too.
func (w Window) CheckRange(from, to time.Time) error {
	if daysBetween(from, to) < 0 {
		return fmt.Errorf("date range %s to %s ends before it starts; swap the dates",
			FormatDate(from), FormatDate(to))
	}
	return w.CheckDate(from)
}

// ClampDays limits a "last n days" request to the window.
func (w Window) ClampDays(n int) (clamped int, wasClamped bool) {
	if w.Unlimited || n <= w.MaxDays {
		return n, false
	}
	return w.MaxDays, true
}

// daysBetween counts calendar days from a to b, each read in its own
// location. Counting civil dates keeps DST days from being 23 or 25 hours.
func daysBetween(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	ua := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	ub := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua) / (24 * time.Hour))
}

// HistoryError is a date past the history window. It carries everything an
// upgrade prompt shows.
type HistoryError struct {
	RequestedDate time.Time
	Cutoff        time.Time // earliest date allowed
	DaysAgo       int
	MaxDays       int
	Current       Plan
	Required      Plan // lowest plan whose window reaches RequestedDate
	UpgradeURL    string
}

func (e *HistoryError) Error() string {
	fix := fmt.Sprintf("Upgrade to %s to see it.", e.Required)
	if !e.Required.OnSale() {
		fix = fmt.Sprintf("No plan on sale reaches that far back (the longest shows %s); choose a later date.",
			plural(defaultHistoryDays[Internal-1], "day"))
	}
	return fmt.Sprintf("%s is %s ago, but your %s plan shows only the last %s (from %s). %s",
		FormatDate(e.RequestedDate), plural(e.DaysAgo, "day"), e.Current,
		plural(e.MaxDays, "day"), FormatDate(e.Cutoff), fix)
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
