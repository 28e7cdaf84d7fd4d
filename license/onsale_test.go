package license

import (
	"strings"
	"testing"
	"time"
)

// No message tells a user to upgrade to INTERNAL: nobody can buy it.
func TestNoPromptNamesInternal(t *testing.T) {
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range []Plan{Free, Starter, Professional, Enterprise} {
		err := Entitlements{plan: p}.Window(today).CheckDate(today.AddDate(-3, 0, 0))
		if err == nil {
			t.Fatalf("%s: a date three years back passed", p)
		}
		if msg := err.Error(); strings.Contains(msg, "INTERNAL") || !strings.Contains(msg, "No plan on sale") {
			t.Errorf("%s: %q", p, msg)
		}
	}
	// A date ENTERPRISE reaches still names ENTERPRISE.
	err := Entitlements{plan: Free}.Window(today).CheckDate(today.AddDate(0, 0, -200))
	if err == nil || !strings.Contains(err.Error(), "Upgrade to ENTERPRISE") {
		t.Errorf("200 days back on FREE: %v", err)
	}
	ue := &UpgradeError{FeatureName: "X", Current: Free, Required: Internal, MissingPlan: true}
	if msg := ue.Error(); strings.Contains(msg, "INTERNAL") || !strings.Contains(msg, "no plan on sale") {
		t.Errorf("upgrade error: %q", msg)
	}
	if Internal.OnSale() || !Enterprise.OnSale() {
		t.Error("OnSale: INTERNAL is not on sale, ENTERPRISE is")
	}
}
