package license

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strings"
)

// DefaultUpgradeURL is where upgrade prompts point when a license names no
// upgrade_url of its own.
const DefaultUpgradeURL = "https://almanac.app/upgrade"

// Entitlements is what the current user may do: a plan, a license's own
// feature and limit grants, and whether the tenant accepts payments. It is an
// immutable value, safe for concurrent use; the zero value is FREE for a
// tenant that does not accept payments.
type Entitlements struct {
	plan       Plan
	payments   bool
	features   map[string]bool // license grants; never written after construction
	limits     map[string]int  // license limits; never written after construction
	upgradeURL string
}

// FreeEntitlements is what a tenant without a license gets.
func FreeEntitlements(acceptsPayments bool) Entitlements {
	return Entitlements{plan: Free, payments: acceptsPayments}
}

// EntitlementsFor is what a license payload grants. It does not look at the
// license's dates: Status.Entitlements decides whether a license applies.
func EntitlementsFor(p Payload, acceptsPayments bool) Entitlements {
	return Entitlements{
		plan:       p.Plan,
		payments:   acceptsPayments,
		features:   maps.Clone(p.Features),
		limits:     maps.Clone(p.Limits),
		upgradeURL: p.UpgradeURL,
	}
}

// Plan is the plan in force.
func (e Entitlements) Plan() Plan { return e.plan }

// AcceptsPayments reports whether the tenant accepts payments.
func (e Entitlements) AcceptsPayments() bool { return e.payments }

// UpgradeURL is where an upgrade prompt links to: the license's own when it
// is an https:// address, else DefaultUpgradeURL.
func (e Entitlements) UpgradeURL() string {
	if SafeUpgradeURL(e.upgradeURL) {
		return e.upgradeURL
	}
	return DefaultUpgradeURL
}

// SafeUpgradeURL reports whether link may be handed to the system's opener:
// an absolute https:// address with a host. Anything else (file:, a custom
// scheme that starts a program, javascript:) is never opened.
func SafeUpgradeURL(link string) bool {
	u, err := url.Parse(link)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil && u.Opaque == "" &&
		!strings.ContainsAny(link, " \t\r\n\\")
}

// Limit returns a limit's value: the license's own if it sets one, else the
// plan's default. ok is false for a limit with neither.
func (e Entitlements) Limit(name string) (value int, ok bool) {
	if v, set := e.limits[name]; set {
		return v, true
	}
	return DefaultLimit(e.plan, name)
}

// HistoryDays is how many days back the user may look; unlimited reports no
// limit (days is then Unlimited).
func (e Entitlements) HistoryDays() (days int, unlimited bool) {
	days, ok := e.Limit(LimitHistoryDays)
	if !ok {
		days = defaultHistoryDays[Free] // an unknown plan gets the least, never more
	}
	if days < 0 {
		return Unlimited, true
	}
	return days, false
}

// Decision answers one gate: allowed or not, why, and which plan unlocks it.
type Decision struct {
	Allowed      bool
	Reason       string // a sentence for the UI
	Plan         Plan   // the plan in force
	RequiredPlan Plan   // lowest plan that includes the feature
	Err          error  // nil when allowed; else *UpgradeError (or an error for an unknown code)
}

// Can decides whether the user may use the feature with the given code.
func (e Entitlements) Can(code string) Decision {
	f, ok := FeatureByCode(code)
	if !ok {
		err := fmt.Errorf("unknown feature %q; gate on a code from license.Features()", code)
		return Decision{Reason: err.Error(), Plan: e.plan, Err: err}
	}
	included, revoked := e.includes(f)
	paymentsOK := !f.NeedsPayments || e.payments
	d := Decision{Allowed: included && paymentsOK, Plan: e.plan, RequiredPlan: f.MinPlan}
	if d.Allowed {
		d.Reason = e.grantReason(f)
		return d
	}
	ue := &UpgradeError{
		Feature: f.Code, FeatureName: f.Name,
		Current: e.plan, Required: f.MinPlan,
		MissingPlan: !included, MissingPayments: !paymentsOK, Revoked: revoked,
		UpgradeURL: e.UpgradeURL(),
	}
	d.Reason, d.Err = ue.Error(), ue
	return d
}

// LowestUnlock answers a screen's badge from the features on it: open is true when any of
// them is allowed; otherwise plan is the lowest plan on sale that would unlock one of them
// (ok is false when no plan would: the license switches them off, or only payments are
// missing).
func (e Entitlements) LowestUnlock(features []Feature) (open bool, plan Plan, ok bool) {
	for _, f := range features {
		d := e.Can(f.Code)
		if d.Allowed {
			return true, 0, false
		}
		var ue *UpgradeError
		if !errors.As(d.Err, &ue) || !ue.MissingPlan || ue.Revoked || !ue.Required.OnSale() {
			continue
		}
		if !ok || ue.Required < plan {
			plan, ok = ue.Required, true
		}
	}
	return false, plan, ok
}

// Check is Can for code paths that only need an error: nil when allowed,
// else an *UpgradeError.
func (e Entitlements) Check(code string) error { return e.Can(code).Err }

// includes says whether the plan side allows f. A license's own grant beats
// the plan default either way; revoked reports a license switching off a
// feature its plan would include.
func (e Entitlements) includes(f Feature) (ok, revoked bool) {
	if on, set := e.features[f.Code]; set {
		return on, !on && e.plan >= f.MinPlan
	}
	return e.plan >= f.MinPlan, false
}

func (e Entitlements) grantReason(f Feature) string {
	if on, set := e.features[f.Code]; set && on && e.plan < f.MinPlan {
		return fmt.Sprintf("%s is granted by your license.", f.Name)
	}
	return fmt.Sprintf("%s is included in your %s plan.", f.Name, e.plan)
}

// UpgradeError is a refused gate. Its message names the feature, the plan in
// force and the plan that unlocks it, and says which condition is missing.
type UpgradeError struct {
	Feature     string // code
	FeatureName string
	Current     Plan
	Required    Plan
	// MissingPlan: the plan (or the license) does not include the feature.
	MissingPlan bool
	// MissingPayments: the feature needs a tenant that accepts payments.
	MissingPayments bool
	// Revoked: the license switches the feature off although Current
	// normally includes it, so upgrading is not the fix; a new license is.
	Revoked    bool
	UpgradeURL string
}

func (e *UpgradeError) Error() string {
	var problem string
	var fixes []string
	switch {
	case e.MissingPlan && e.Revoked:
		problem = fmt.Sprintf("Your license turns off %s, which the %s plan normally includes", e.FeatureName, e.Current)
		fixes = append(fixes, "activate a license that includes it")
	case e.MissingPlan && !e.Required.OnSale():
		problem = fmt.Sprintf("Your %s plan does not include %s, and no plan on sale does", e.Current, e.FeatureName)
		fixes = append(fixes, "ask your vendor for a license that grants it")
	case e.MissingPlan:
		problem = fmt.Sprintf("Your %s plan does not include %s", e.Current, e.FeatureName)
		fixes = append(fixes, "upgrade to "+e.Required.String())
	}
	if e.MissingPayments {
		if problem == "" {
			problem = e.FeatureName + " needs a tenant that accepts payments, and this tenant does not"
		} else {
			problem += ", and it needs a tenant that accepts payments"
		}
		fixes = append(fixes, "turn on payments for this tenant")
	}
	fix := strings.Join(fixes, " and ")
	if fix == "" { // not produced by Can; keep the message meaningful anyway
		return fmt.Sprintf("%s is not available on your %s plan.", e.FeatureName, e.Current)
	}
	return problem + ". " + strings.ToUpper(fix[:1]) + fix[1:] + " to use it."
}
