package license

import (
	"fmt"
	"slices"
	"strings"
)

// Plan is a subscription tier. Plans are ordered: a higher plan includes
// everything a lower one does unless a license says otherwise.
type Plan int

// The plans, lowest first. No license (or one expired past grace) means Free.
const (
	Free Plan = iota
	Starter
	Professional
	Enterprise
	Internal
)

var planNames = [...]string{"FREE", "STARTER", "PROFESSIONAL", "ENTERPRISE", "INTERNAL"}

// Valid reports whether p is one of the defined plans.
func (p Plan) Valid() bool { return p >= Free && p <= Internal }

func (p Plan) String() string {
	if !p.Valid() {
		return fmt.Sprintf("Plan(%d)", int(p))
	}
	return planNames[p]
}

// OnSale reports whether anyone can buy p. INTERNAL is for Almanac's own use, so a prompt
// never tells a user to upgrade to it.
func (p Plan) OnSale() bool { return p >= Free && p < Internal }

// ParsePlan reads a plan name such as "professional", ignoring ASCII case
// and surrounding space.
func ParsePlan(s string) (Plan, error) {
	if p, ok := planByName(strings.Trim(s, " \t\r\n")); ok {
		return p, nil
	}
	return Free, fmt.Errorf("unknown plan %q; use one of %s", s, strings.Join(planNames[:], ", "))
}

// planByName matches a plan name ignoring ASCII case only: Unicode case
// rules would read "ınternal" (dotless ı) or "ſtarter" (long s) as plan
// names, which no person reading the license would.
func planByName(name string) (Plan, bool) {
	for i, n := range planNames {
		if asciiEqualFold(n, name) {
			return Plan(i), true
		}
	}
	return Free, false
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// MarshalText writes the plan name, so JSON carries "PROFESSIONAL" rather than 2.
func (p Plan) MarshalText() ([]byte, error) {
	if !p.Valid() {
		return nil, fmt.Errorf("cannot encode %v; plans run from FREE to INTERNAL", p)
	}
	return []byte(p.String()), nil
}

// UnmarshalText reads a plan name case-insensitively.
func (p *Plan) UnmarshalText(text []byte) error {
	q, err := ParsePlan(string(text))
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// LimitHistoryDays is the limit naming how many days back a plan may see.
const LimitHistoryDays = "history_days"

// Unlimited as a limit value means "no limit". Any negative value in a
// license's limits reads as unlimited; 0 keeps its plain meaning (for
// history_days: today only).
const Unlimited = -1

// defaultHistoryDays is the history window of each plan (seed 003).
var defaultHistoryDays = [...]int{Free: 7, Starter: 30, Professional: 90, Enterprise: 365, Internal: Unlimited}

// knownLimits are the limit names a license may set.
var knownLimits = []string{LimitHistoryDays}

// KnownLimit reports whether name is a limit this version understands.
func KnownLimit(name string) bool { return slices.Contains(knownLimits, name) }

// DefaultLimit returns a plan's value for a known limit; ok is false for an
// unknown limit name or plan.
func DefaultLimit(p Plan, name string) (value int, ok bool) {
	if !p.Valid() || name != LimitHistoryDays {
		return 0, false
	}
	return defaultHistoryDays[p], true
}
