package reports

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/almanac-app/almanac/license"
)

func gatedJSON(t *testing.T, a AppointmentAnalytics, plan license.Plan) (map[string]json.RawMessage, string, error) {
	t.Helper()
	g, err := GateAppointments(a, ents(plan))
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
	g, err := GateAppointments(a, ents(license.Professional))
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
	for _, sec := range AppointmentSections {
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
