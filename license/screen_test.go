package license

import (
	"errors"
	"slices"
	"testing"
)

// A screen's badge: open when any of its features is, else the lowest plan unlocking one.
func TestLowestUnlockPerScreen(t *testing.T) {
	analytics := ScreenFeatures(ScreenAnalytics)
	if len(analytics) != 7 {
		t.Fatalf("analytics screen features %v", analytics)
	}
	cases := []struct {
		name string
		e    Entitlements
		open bool
		plan Plan
		ok   bool
	}{
		{"FREE", Entitlements{plan: Free, payments: true}, false, Starter, true},
		{"STARTER: charts open", Entitlements{plan: Starter}, true, 0, false},
		{"charts switched off on STARTER: rates unlock on PROFESSIONAL",
			Entitlements{plan: Starter, features: map[string]bool{FeatureAnalyticsCharts: false, FeatureBusyHours: false}}, false, Professional, true},
		{"everything switched off: no plan fixes it", Entitlements{plan: Enterprise, features: map[string]bool{
			FeatureAnalyticsCharts: false, FeatureAdvancedAnalytics: false, FeatureRevenueAnalytics: false,
			FeaturePeriodComparisons: false, FeatureBusyHours: false, FeatureStaffPerformance: false, FeatureCustomerInsights: false}}, false, 0, false},
	}
	for _, c := range cases {
		open, plan, ok := c.e.LowestUnlock(analytics)
		if open != c.open || plan != c.plan || ok != c.ok {
			t.Errorf("%s: LowestUnlock = %v %v %v, want %v %v %v", c.name, open, plan, ok, c.open, c.plan, c.ok)
		}
	}
	for _, f := range Features() {
		if f.Screen == "" {
			t.Errorf("feature %s names no screen", f.Code)
		}
	}
}

// The report documents' features sit on the report screens, and their refusals name the plan
// that adds them, so the buttons, the prompts and the License screen can say it.
func TestReportDocumentFeatures(t *testing.T) {
	cases := []struct {
		code string
		plan Plan // lowest plan
	}{{FeaturePDFReports, Starter}, {FeatureExcelReports, Professional}}
	for _, c := range cases {
		f, ok := FeatureByCode(c.code)
		if !ok {
			t.Fatalf("%s is not in the registry", c.code)
		}
		if slices.ContainsFunc(ScreenFeatures(ScreenAnalytics), func(g Feature) bool { return g.Code == c.code }) {
			t.Errorf("%s decides the Analytics badge: on STARTER with charts switched off it would show open", c.code)
		}
		if f.Screen != ScreenAnalytics || f.Category != CategoryDocument || f.UILocation != LocationReportSave || !f.VisibleWhenLocked {
			t.Errorf("%s: screen %q category %q location %q visible %v", c.code, f.Screen, f.Category, f.UILocation, f.VisibleWhenLocked)
		}
		for _, p := range Plans() {
			err := EntitlementsFor(Payload{Plan: p}, true).Check(c.code)
			if (err == nil) != (p >= c.plan) {
				t.Errorf("%s on %v: %v", c.code, p, err)
			}
			var ue *UpgradeError
			if err != nil && (!errors.As(err, &ue) || ue.Required != c.plan || ue.FeatureName != f.Name) {
				t.Errorf("%s on %v: %#v, want an UpgradeError naming %v", c.code, p, err, c.plan)
			}
		}
	}
}

// Scheduled jobs is a PROFESSIONAL feature of its own sidebar screen, which it alone gates.
func TestScheduledJobsFeature(t *testing.T) {
	f, ok := FeatureByCode(FeatureScheduledJobs)
	if !ok || f.Name != "Scheduled jobs" || f.MinPlan != Professional || f.Screen != ScreenSchedules || !f.VisibleWhenLocked {
		t.Fatalf("scheduled jobs feature %+v, %v", f, ok)
	}
	if fs := ScreenFeatures(ScreenSchedules); len(fs) != 1 || fs[0].Code != FeatureScheduledJobs {
		t.Errorf("schedules screen features %v", fs)
	}
	open, plan, ok := EntitlementsFor(Payload{Plan: Starter}, true).LowestUnlock(ScreenFeatures(ScreenSchedules))
	if open || plan != Professional || !ok {
		t.Errorf("STARTER: LowestUnlock = %v %v %v, want locked until PROFESSIONAL", open, plan, ok)
	}
}
