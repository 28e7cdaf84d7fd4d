package reports

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/almanac-app/almanac/license"
)

func gatedJSON(t *testing.T, a AppointmentAnalytics, plan license.Plan) (map[string]json.RawMessage, string, error) {
	t.Helper()
	g, err := gateAppointments(a, ents(plan))
	if err != nil {
		return nil, "", err
	}
	b, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m, string(b), nil
}

func TestGateAppointmentsBySection(t *testing.T) {
	trend := 12.5
	a := AppointmentAnalytics{Total: 3, ByStatus: statuses(1, 0, 2, 0, 0), ByService: []NamedCount{{1, "Massage", 3}},
		ByResource: []NamedCount{}, BookingTrendPercent: &trend, CancellationRatePercent: 7.5, NoShowRatePercent: 2.25, PeriodDays: 30}

	if _, _, err := gatedJSON(t, a, license.Free); err == nil {
		t.Fatal("FREE got the appointments report")
	} else if ue := (*license.UpgradeError)(nil); !errors.As(err, &ue) || ue.Required != license.Starter {
		t.Errorf("FREE refusal %v: want the lowest section's plan, STARTER", err)
	}

	m, raw, err := gatedJSON(t, a, license.Starter)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m["cancellation_rate_percent"]; ok || strings.Contains(raw, "7.5") {
		t.Errorf("STARTER sees the rates: %s", raw)
	}
	if string(m["total"]) != "3" || string(m["booking_trend_percent"]) != "12.5" || string(m["period_days"]) != "30" {
		t.Errorf("STARTER lacks its fields: %s", raw)
	}
	want := `[{"feature":"advanced_analytics","plan":"PROFESSIONAL","fields":["cancellation_rate_percent","no_show_rate_percent"]}]`
	if string(m["locked"]) != want {
		t.Errorf("locked = %s, want %s", m["locked"], want)
	}
	if !strings.HasPrefix(raw, `{"total":3,"by_status"`) {
		t.Errorf("field order changed: %s", raw)
	}

	// PROFESSIONAL: exactly the ungated report's JSON.
	g, err := gateAppointments(a, ents(license.Professional))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(g)
	full, _ := json.Marshal(a)
	if string(got) != string(full) {
		t.Errorf("PROFESSIONAL\n got %s\nwant %s", got, full)
	}
}

// Every field of the report belongs to exactly one section (or is period_days), so a new
// field cannot slip past the gate.
func TestAppointmentSectionsCoverTheReport(t *testing.T) {
	var m map[string]any
	b, _ := json.Marshal(AppointmentAnalytics{})
	_ = json.Unmarshal(b, &m)
	seen := map[string]int{}
	for _, sec := range appointmentSections {
		if _, ok := license.FeatureByCode(sec.Feature); !ok {
			t.Errorf("section of unknown feature %q", sec.Feature)
		}
		for _, f := range sec.Fields {
			seen[f]++
		}
	}
	var fields []string
	for k := range m {
		if k != "period_days" {
			fields = append(fields, k)
			if seen[k] != 1 {
				t.Errorf("field %q is in %d sections", k, seen[k])
			}
		}
	}
	if len(fields) != len(seen) {
		t.Errorf("sections name %d fields, the report has %d", len(seen), len(fields))
	}
}

// The Service is the gate: a call on FREE or STARTER entitlements, with no front end in
// between, is refused or cut exactly as the CLI and the UI present it.
func TestServiceGatesWithoutFrontEnd(t *testing.T) {
	s := openFixture(t)
	ctx := context.Background()
	p := Period{From: "2026-03-01", To: "2026-03-08"}
	q := AppointmentQuery{Period: p, Window: windowAt(license.Enterprise)}
	wantUpgrade := func(what string, err error, plan license.Plan) {
		t.Helper()
		var ue *license.UpgradeError
		if !errors.As(err, &ue) || ue.Required != plan {
			t.Errorf("%s: err = %v, want an UpgradeError naming %s", what, err, plan)
		}
	}

	_, err := s.Appointments(ctx, ents(license.Free), q)
	wantUpgrade("FREE appointments", err, license.Starter)
	_, err = s.Revenue(ctx, ents(license.Free), RevenueQuery{Period: p})
	wantUpgrade("FREE revenue", err, license.Professional)
	_, err = s.Revenue(ctx, ents(license.Starter), RevenueQuery{Period: p})
	wantUpgrade("STARTER revenue", err, license.Professional)
	revoked := license.EntitlementsFor(license.Payload{Plan: license.Enterprise, Features: map[string]bool{license.FeatureDashboard: false}}, true)
	_, err = s.Dashboard(ctx, revoked)
	wantUpgrade("dashboard switched off", err, license.Free)
	for _, r := range []Report{ReportDashboard, ReportAppointments, ReportRevenue} {
		if err := CheckReport(ents(license.Free), r); (err == nil) != (r == ReportDashboard) {
			t.Errorf("CheckReport(FREE, %s) = %v", r, err)
		}
	}

	full, err := s.Appointments(ctx, ents(license.Enterprise), q)
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.Appointments(ctx, ents(license.Starter), q)
	if err != nil {
		t.Fatal(err)
	}
	if full.CancellationRatePercent == 0 || full.NoShowRatePercent == 0 {
		t.Fatalf("the fixture week has no cancellations or no-shows: %+v", full.AppointmentAnalytics)
	}
	if g.CancellationRatePercent != 0 || g.NoShowRatePercent != 0 {
		t.Errorf("STARTER got the rates in memory: %v, %v", g.CancellationRatePercent, g.NoShowRatePercent)
	}
	if g.Total != full.Total || !reflect.DeepEqual(g.DailyBreakdown, full.DailyBreakdown) {
		t.Errorf("STARTER lost its own sections: %+v", g.AppointmentAnalytics)
	}
	if len(g.Locked) != 1 || g.Locked[0].Feature != license.FeatureAdvancedAnalytics || len(full.Locked) != 0 {
		t.Errorf("locked: STARTER %+v, ENTERPRISE %+v", g.Locked, full.Locked)
	}
	b, _ := json.Marshal(g)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["cancellation_rate_percent"]; ok || m["locked"] == nil {
		t.Errorf("STARTER JSON: %s", b)
	}

	// A period before the plan's history window: refused by the service itself.
	var he *license.HistoryError
	old := Period{From: "2026-01-01", To: "2026-01-02"} // 68 days before fixtureNow
	if _, err := s.Appointments(ctx, ents(license.Starter), AppointmentQuery{Period: old, Window: windowAt(license.Starter)}); !errors.As(err, &he) {
		t.Errorf("STARTER appointments from %s: err = %v, want a HistoryError", old.From, err)
	}
	if _, err := s.Appointments(ctx, ents(license.Professional), AppointmentQuery{Period: old, Window: windowAt(license.Professional)}); err != nil {
		t.Errorf("PROFESSIONAL appointments from %s: %v", old.From, err)
	}
	older := Period{From: "2025-12-01", To: "2025-12-02"} // 99 days before
	if _, err := s.Revenue(ctx, ents(license.Professional), RevenueQuery{Period: older}); !errors.As(err, &he) {
		t.Errorf("PROFESSIONAL revenue from %s: err = %v, want a HistoryError", older.From, err)
	}
}
