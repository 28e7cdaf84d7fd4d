package license

import (
	"fmt"
	"time"
)

// State is where a license stands in its life.
type State string

// The states. Only valid, expiring and grace grant the license's plan.
const (
	StateNone     State = "none"     // no license applies: FREE
	StateValid    State = "valid"    // in force
	StateExpiring State = "expiring" // in force, ExpiringWithin or less left: banner with the date
	StateGrace    State = "grace"    // expired (or the clock is in doubt), still in force: red banner
	StateExpired  State = "expired"  // past grace: FREE, nothing local deleted
)

const (
	// ExpiringWithin is how long before expiry the expiring banner shows.
	ExpiringWithin = 14 * 24 * time.Hour
	// RollbackTolerance is how far the clock may sit behind the latest time
	// seen before it counts as rolled back. Smaller jumps (time zone changes,
	// a resumed VM, NTP corrections) are absorbed silently.
	RollbackTolerance = 48 * time.Hour
)

const day = 24 * time.Hour

// Status describes the license in force for a tenant.
type Status struct {
	State   State
	License *License // the stored license, even when it does not apply (see Err)
	Plan    Plan     // the plan in force: the license's, or FREE
	// ExpiresAt is the license's expiry instant; zero if it never expires.
	// Show it in the user's zone.
	ExpiresAt  time.Time
	GraceUntil time.Time // when grace ends; zero if it never expires
	// DaysLeft counts days (rounded up) until the plan's access next changes:
	// expiry while valid or expiring, the end of grace in grace. 0 otherwise.
	DaysLeft      int
	Banner        string // what the UI shows on top; "" for none
	ClockRollback bool   // the clock is more than RollbackTolerance behind the latest time seen
	Err           error  // why a stored license does not apply, or the clock explanation; else nil
	// LatestSeen is the latest time Almanac has seen (every record of it and
	// the license's issue time); while the clock is in doubt the license is
	// judged against it.
	LatestSeen time.Time
}

// Active reports whether the license's plan is in force.
func (s Status) Active() bool {
	return s.State == StateValid || s.State == StateExpiring || s.State == StateGrace
}

// Entitlements is what s grants: the license's terms while it is active,
// else FREE (still linking to the license's upgrade URL).
func (s Status) Entitlements(acceptsPayments bool) Entitlements {
	if s.Active() && s.License != nil {
		return EntitlementsFor(s.License.Payload, acceptsPayments)
	}
	e := FreeEntitlements(acceptsPayments)
	if s.License != nil {
		e.upgradeURL = s.License.Payload.UpgradeURL
	}
	return e
}

// Evaluate works out the state of a verified license for tenantID at now.
// lastSeen is the latest time the app has seen (zero if unknown); together
// with the license's issue time it exposes a clock set back. Evaluate does
// not verify the signature. It counts today as the first day of use under a
// clock in doubt; the Manager keeps the real count.
func Evaluate(l *License, tenantID string, now, lastSeen time.Time) Status {
	st, _ := evaluate(l, tenantID, now, seenState{Latest: lastSeen})
	return st
}

// evaluate is Evaluate with the full record of time seen; it returns the
// record updated with this use.
func evaluate(l *License, tenantID string, now time.Time, seen seenState) (Status, seenState) {
	if l == nil {
		return Status{State: StateNone, Plan: Free}, seen
	}
	p := l.Payload
	s := Status{State: StateNone, License: l, Plan: Free, ExpiresAt: p.ExpiresAt, GraceUntil: p.GraceUntil()}
	if p.TenantID != tenantID {
		err := wrongTenant(p.TenantID, tenantID)
		s.Err, s.Banner = err, err.Msg+" "+err.Fix
		return s, seen
	}
	// A license cannot be issued in the future, so its issue time is a time
	// the world has certainly reached.
	latest := later(seen.Latest, p.IssuedAt)
	s.LatestSeen = latest
	if now.Before(latest.Add(-RollbackTolerance)) {
		return rolledBack(s, now, latest, seen)
	}
	// Within the tolerance, trust the later time so small rollbacks cannot
	// stretch a license.
	return stateAt(s, later(now, latest), now.Location()), seen
}

// stateAt places the license on its timeline at instant at.
func stateAt(s Status, at time.Time, loc *time.Location) Status {
	p := s.License.Payload
	switch {
	case !p.NotBefore.IsZero() && at.Before(p.NotBefore):
		err := notYetValid(p.NotBefore, loc)
		s.Err, s.Banner = err, err.Msg+" "+err.Fix
	case p.ExpiresAt.IsZero():
		s.State, s.Plan = StateValid, p.Plan
	case !at.Before(s.GraceUntil):
		s.State = StateExpired
		s.Err = expired(p, loc)
		s.Banner = fmt.Sprintf("Your %s license expired on %s and Almanac is back on FREE. Nothing was deleted; activate a renewed license to unlock %s features again.",
			p.Plan, when(p.ExpiresAt, loc), p.Plan)
	case !at.Before(p.ExpiresAt):
		s.State, s.Plan, s.DaysLeft = StateGrace, p.Plan, daysUntil(at, s.GraceUntil)
		s.Banner = fmt.Sprintf("Your %s license expired on %s. Everything keeps working until %s; activate a renewed license before then.",
			p.Plan, when(p.ExpiresAt, loc), when(s.GraceUntil, loc))
	default:
		s.State, s.Plan, s.DaysLeft = StateValid, p.Plan, daysUntil(at, p.ExpiresAt)
		if p.ExpiresAt.Sub(at) <= ExpiringWithin {
			s.State = StateExpiring
			s.Banner = fmt.Sprintf("Your %s license expires on %s (%s left). Activate a renewed license to keep its features.",
				p.Plan, when(p.ExpiresAt, loc), DaysText(s.DaysLeft))
		}
	}
	return s
}

// rolledBack handles a clock far behind the latest time seen. Either clock
// may be the wrong one (a clock once set ahead by mistake looks the same as
// one set back on purpose), so the license is judged against the latest time
// seen, never the slow clock: one seen past its grace stays expired, and
// otherwise it runs in grace, with an explanation, for at most its grace days
// in total (counted in days Almanac is used, across every spell of doubt),
// then Almanac is on FREE until the clock is right again.
func rolledBack(s Status, now, latest time.Time, seen seenState) (Status, seenState) {
	p := s.License.Payload
	s.ClockRollback = true
	if p.ExpiresAt.IsZero() {
		s.State, s.Plan = StateValid, p.Plan // nothing to stretch
		return s, seen
	}
	if !latest.Before(s.GraceUntil) {
		return stateAt(s, latest, now.Location()), seen // seen expired: never revives
	}
	budget := p.GraceDays
	if !latest.Before(p.ExpiresAt) {
		budget = min(budget, daysUntil(latest, s.GraceUntil))
	}
	seen = seen.withUse(p.LicenseID, now)
	left := budget - seen.Doubt[p.LicenseID].Days + 1
	err := clockRollback(now, latest)
	s.Err, s.Banner = err, err.Msg+" "+err.Fix
	if left <= 0 {
		s.State = StateExpired
		s.Banner = fmt.Sprintf("%s The %s of grace a license gets while the clock is in doubt are used up, so Almanac is on FREE; nothing was deleted, and your %s license works again once the clock is right.",
			err.Msg, plural(budget, "day"), p.Plan)
		return s, seen
	}
	s.State, s.Plan, s.DaysLeft = StateGrace, p.Plan, left
	return s, seen
}

// withUse records a day of use under a clock in doubt for license id.
func (s seenState) withUse(id string, now time.Time) seenState {
	doubt := make(map[string]doubtUse, len(s.Doubt)+1)
	for k, v := range s.Doubt {
		doubt[k] = v
	}
	doubt[id] = doubt[id].use(now)
	s.Doubt = doubt
	return s
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// daysUntil rounds up, so "1 day left" lasts until the very end. It counts
// in seconds, not time.Duration, which stops at about 292 years: an expiry
// in year 9999 must not wrap around to a negative count.
func daysUntil(from, to time.Time) int {
	if !to.After(from) {
		return 0
	}
	secs := to.Unix() - from.Unix()
	n, rest := secs/secsPerDay, secs%secsPerDay*1e9+int64(to.Nanosecond()-from.Nanosecond())
	if rest > 0 {
		n++
	}
	return int(n)
}

const secsPerDay = 24 * 60 * 60

// DaysText words a count of days for people: "1 day", "12 days", and past
// two years "over N years", which reads better than a count in the
// thousands for a license that practically never ends.
func DaysText(n int) string {
	if n > 730 {
		return fmt.Sprintf("over %d years", n*400/146097) // 146097 days make 400 Gregorian years
	}
	return plural(n, "day")
}

// when shows a license term in the tenant's zone (see FormatLicenseTime).
func when(t time.Time, loc *time.Location) string { return FormatLicenseTime(t, loc) }

func wrongTenant(licensed, active string) *Error {
	return newError(CodeWrongTenant,
		fmt.Sprintf("Activate a license issued for %s, or switch to tenant %s.", quote(active), quote(licensed)),
		"This license is for tenant %s, not for the active tenant %s.", quote(licensed), quote(active))
}

func notYetValid(from time.Time, loc *time.Location) *Error {
	return newError(CodeNotYetValid, "Activate it on or after that date, or check the computer's date and time.",
		"This license starts on %s.", when(from, loc))
}

func expired(p Payload, loc *time.Location) *Error {
	return newError(CodeExpired, "Ask your vendor for a renewed license and activate it; everything FREE allows keeps working meanwhile.",
		"This %s license expired on %s.", p.Plan, when(p.ExpiresAt, loc))
}

func clockRollback(now, latest time.Time) *Error {
	loc := now.Location()
	return newError(CodeClockRollback,
		"Set the correct date, time and time zone; if they are already right, contact support. Licensed features keep working meanwhile.",
		"This computer's clock says %s, more than %d hours behind the latest time Almanac has seen (%s).",
		when(now, loc), int(RollbackTolerance/time.Hour), when(latest, loc))
}
