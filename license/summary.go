package license

import "time"

// Summary is the machine-readable view of the license in force, the shape
// `almanac license show --json` prints. Absent values are JSON null.
type Summary struct {
	Plan             Plan            `json:"plan"`
	State            State           `json:"state"`
	LicenseID        *string         `json:"license_id"`
	TenantID         *string         `json:"tenant_id"`
	Licensee         *string         `json:"licensee"`
	ExpiresAt        *time.Time      `json:"expires_at"`
	HistoryDays      *int            `json:"history_days"` // null when unlimited
	DevelopmentBuild bool            `json:"development_build"`
	Features         []FeatureAccess `json:"features"`
}

// FeatureAccess is one registry feature as the current user sees it.
type FeatureAccess struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	Allowed      bool   `json:"allowed"`
	RequiredPlan Plan   `json:"required_plan"`
}

// Summarize describes st and e, which should come from the same Status. The
// license fields are filled only when the license has a state of its own
// (not for "none", e.g. a license for another tenant).
func Summarize(st Status, e Entitlements) Summary {
	s := Summary{Plan: e.Plan(), State: st.State, DevelopmentBuild: DevelopmentBuild()}
	if st.State != StateNone && st.License != nil {
		p := st.License.Payload
		s.LicenseID, s.TenantID = &p.LicenseID, &p.TenantID
		if p.Licensee != "" {
			s.Licensee = &p.Licensee
		}
		if !p.ExpiresAt.IsZero() {
			s.ExpiresAt = &p.ExpiresAt
		}
	}
	if days, unlimited := e.HistoryDays(); !unlimited {
		s.HistoryDays = &days
	}
	for _, f := range Features() {
		d := e.Can(f.Code)
		s.Features = append(s.Features, FeatureAccess{Code: f.Code, Name: f.Name, Allowed: d.Allowed, RequiredPlan: d.RequiredPlan})
	}
	return s
}
