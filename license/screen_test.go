package license

import "testing"

// A screen's badge: open when any of its features is, else the lowest plan unlocking one.
func TestLowestUnlockPerScreen(t *testing.T) {
	analytics := ScreenFeatures(ScreenAnalytics)
	if len(analytics) != 3 {
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
			Entitlements{plan: Starter, features: map[string]bool{FeatureAnalyticsCharts: false}}, false, Professional, true},
		{"everything switched off: no plan fixes it", Entitlements{plan: Enterprise, features: map[string]bool{
			FeatureAnalyticsCharts: false, FeatureAdvancedAnalytics: false, FeatureRevenueAnalytics: false}}, false, 0, false},
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
