package license

import (
	"errors"
	"testing"
)

// defaultMatrix is the default matrix: the lowest plan of each feature.
var defaultMatrix = map[string]Plan{
	FeatureDashboard:         Free,
	FeatureAnalyticsCharts:   Starter,
	FeatureAdvancedAnalytics: Professional,
	FeatureRevenueAnalytics:  Professional,
	FeatureExportCSV:         Free,
	FeatureExportJSON:        Starter,
	FeatureExportXLSX:        Professional,
	FeaturePDFReports:        Starter,
	FeatureExcelReports:      Professional,
	FeatureScheduledJobs:     Professional,
}

func TestCanDefaultMatrix(t *testing.T) {
	for _, plan := range Plans() {
		for _, payments := range []bool{false, true} {
			e := EntitlementsFor(Payload{Plan: plan}, payments)
			for code, min := range defaultMatrix {
				d := e.Can(code)
				want := plan >= min && (code != FeatureRevenueAnalytics || payments)
				if d.Allowed != want {
					t.Errorf("%v payments=%v Can(%s) = %v, want %v", plan, payments, code, d.Allowed, want)
				}
				if d.Plan != plan || d.RequiredPlan != min {
					t.Errorf("%v Can(%s): Plan=%v RequiredPlan=%v, want %v, %v", plan, code, d.Plan, d.RequiredPlan, plan, min)
				}
				if (d.Err == nil) != want || (e.Check(code) == nil) != want {
					t.Errorf("%v Can(%s): Err=%v but Allowed=%v", plan, code, d.Err, want)
				}
				if d.Reason == "" {
					t.Errorf("%v Can(%s): empty reason", plan, code)
				}
			}
		}
	}
}

func TestFreeEntitlements(t *testing.T) {
	e := FreeEntitlements(true)
	if e.Plan() != Free || !e.AcceptsPayments() || e.UpgradeURL() != DefaultUpgradeURL {
		t.Fatalf("FreeEntitlements = %+v", e)
	}
	if days, unl := e.HistoryDays(); days != 7 || unl {
		t.Errorf("HistoryDays = %d, %v; want 7", days, unl)
	}
	var zero Entitlements
	if zero.Can(FeatureDashboard).Allowed != true || zero.Can(FeatureExportXLSX).Allowed {
		t.Error("the zero Entitlements is not FREE")
	}
}

func TestUpgradeErrors(t *testing.T) {
	tests := []struct {
		name     string
		e        Entitlements
		code     string
		want     string
		plan     bool
		payments bool
	}{
		{"plan missing", FreeEntitlements(false), FeatureExportXLSX,
			"Your FREE plan does not include Excel export. Upgrade to PROFESSIONAL to use it.", true, false},
		{"starter feature", FreeEntitlements(true), FeatureExportJSON,
			"Your FREE plan does not include JSON export. Upgrade to STARTER to use it.", true, false},
		{"payments missing", EntitlementsFor(Payload{Plan: Professional}, false), FeatureRevenueAnalytics,
			"Revenue analytics needs a tenant that accepts payments, and this tenant does not. Turn on payments for this tenant to use it.", false, true},
		{"both missing", FreeEntitlements(false), FeatureRevenueAnalytics,
			"Your FREE plan does not include Revenue analytics, and it needs a tenant that accepts payments. Upgrade to PROFESSIONAL and turn on payments for this tenant to use it.", true, true},
		{"revoked by license", EntitlementsFor(Payload{Plan: Enterprise, Features: map[string]bool{FeatureExportXLSX: false}}, true), FeatureExportXLSX,
			"Your license turns off Excel export, which the ENTERPRISE plan normally includes. Activate a license that includes it to use it.", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.e.Check(tt.code)
			var ue *UpgradeError
			if !errors.As(err, &ue) {
				t.Fatalf("Check = %v, want *UpgradeError", err)
			}
			if got := ue.Error(); got != tt.want {
				t.Errorf("message:\n got %q\nwant %q", got, tt.want)
			}
			if ue.MissingPlan != tt.plan || ue.MissingPayments != tt.payments {
				t.Errorf("MissingPlan=%v MissingPayments=%v, want %v %v", ue.MissingPlan, ue.MissingPayments, tt.plan, tt.payments)
			}
			f, _ := FeatureByCode(tt.code)
			if ue.Feature != tt.code || ue.FeatureName != f.Name || ue.Current != tt.e.Plan() || ue.Required != f.MinPlan || ue.UpgradeURL == "" {
				t.Errorf("fields = %+v", ue)
			}
		})
	}
}

func TestLicenseGrantsBeatPlanDefaults(t *testing.T) {
	p := Payload{Plan: Free, UpgradeURL: "https://example.com/up",
		Features: map[string]bool{FeatureExportXLSX: true, FeatureExportCSV: false, FeatureRevenueAnalytics: true},
		Limits:   map[string]int{LimitHistoryDays: 45}}
	e := EntitlementsFor(p, false)
	if d := e.Can(FeatureExportXLSX); !d.Allowed || d.Reason != "Excel export is granted by your license." {
		t.Errorf("granted feature: %+v", d)
	}
	if e.Can(FeatureExportCSV).Allowed {
		t.Error("a feature the license switches off is allowed")
	}
	var ue *UpgradeError
	if err := e.Check(FeatureRevenueAnalytics); !errors.As(err, &ue) || ue.MissingPlan || !ue.MissingPayments {
		t.Errorf("a license grant must not waive the payments condition: %v", err)
	}
	if days, _ := e.HistoryDays(); days != 45 {
		t.Errorf("HistoryDays = %d, want the license's 45", days)
	}
	if e.UpgradeURL() != "https://example.com/up" {
		t.Errorf("UpgradeURL = %q", e.UpgradeURL())
	}
	p.Features[FeatureExportXLSX] = false // the caller's map must not reach in
	if !e.Can(FeatureExportXLSX).Allowed {
		t.Error("Entitlements shares the payload's map")
	}
}

func TestHistoryDaysPerPlan(t *testing.T) {
	want := map[Plan]int{Free: 7, Starter: 30, Professional: 90, Enterprise: 365}
	for _, p := range Plans() {
		days, unl := EntitlementsFor(Payload{Plan: p}, false).HistoryDays()
		if p == Internal {
			if !unl || days != Unlimited {
				t.Errorf("INTERNAL = %d, %v; want unlimited", days, unl)
			}
			continue
		}
		if unl || days != want[p] {
			t.Errorf("%v = %d, %v; want %d", p, days, unl, want[p])
		}
	}
	for _, v := range []int{-1, -30} {
		if _, unl := EntitlementsFor(Payload{Plan: Free, Limits: map[string]int{LimitHistoryDays: v}}, false).HistoryDays(); !unl {
			t.Errorf("history_days %d is not unlimited", v)
		}
	}
}

func TestCanUnknownFeature(t *testing.T) {
	d := FreeEntitlements(true).Can("teleport")
	var ue *UpgradeError
	if d.Allowed || d.Err == nil || errors.As(d.Err, &ue) {
		t.Errorf("unknown feature: %+v", d)
	}
}
