package license

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"
)

func summaryJSON(t *testing.T, st Status, payments bool) map[string]any {
	t.Helper()
	b, err := json.Marshal(Summarize(st, st.Entitlements(payments)))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSummaryNoLicense(t *testing.T) {
	m := summaryJSON(t, Status{State: StateNone, Plan: Free}, false)
	keys := slices.Sorted(maps.Keys(m))
	want := []string{"development_build", "expires_at", "features", "history_days", "license_id", "licensee", "plan", "state", "tenant_id"}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys = %v, want %v", keys, want)
	}
	if m["plan"] != "FREE" || m["state"] != "none" || m["history_days"] != 7.0 || m["license_id"] != nil || m["expires_at"] != nil {
		t.Errorf("summary = %v", m)
	}
	if m["development_build"] != DevelopmentBuild() {
		t.Errorf("development_build = %v", m["development_build"])
	}
	fs := m["features"].([]any)
	if len(fs) != len(Features()) {
		t.Fatalf("%d features, want %d", len(fs), len(Features()))
	}
	var xlsx map[string]any
	for _, f := range fs {
		if f.(map[string]any)["code"] == FeatureExportXLSX {
			xlsx = f.(map[string]any)
		}
	}
	if xlsx["code"] != FeatureExportXLSX || xlsx["name"] != "Excel export" || xlsx["allowed"] != false || xlsx["required_plan"] != "PROFESSIONAL" {
		t.Errorf("export_xlsx = %v", xlsx)
	}
}

func TestSummaryLicensed(t *testing.T) {
	p := testPayload()
	p.Plan = Internal
	p.Features = map[string]bool{FeatureExportJSON: false}
	st := Evaluate(&License{V: 1, KID: testKID, Payload: p}, "demo", testNow, time.Time{})
	m := summaryJSON(t, st, true)
	if m["plan"] != "INTERNAL" || m["state"] != "valid" || m["license_id"] != "LIC-1" || m["tenant_id"] != "demo" ||
		m["licensee"] != "Acme Ltd" || m["expires_at"] != "2026-06-18T12:00:00Z" || m["history_days"] != nil {
		t.Errorf("summary = %v", m)
	}
	for _, f := range m["features"].([]any) {
		f := f.(map[string]any)
		if want := f["code"] != FeatureExportJSON; f["allowed"] != want {
			t.Errorf("%v allowed = %v, want %v", f["code"], f["allowed"], want)
		}
	}
	wrong := Evaluate(&License{V: 1, KID: testKID, Payload: p}, "other", testNow, time.Time{})
	if m := summaryJSON(t, wrong, true); m["license_id"] != nil || m["plan"] != "FREE" {
		t.Errorf("a license for another tenant shows in the summary: %v", m)
	}
}
