package license

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestParsePlan(t *testing.T) {
	tests := []struct {
		in   string
		want Plan
		ok   bool
	}{
		{"FREE", Free, true},
		{"starter", Starter, true},
		{" Professional ", Professional, true},
		{"enterprise", Enterprise, true},
		{"INTERNAL", Internal, true},
		{"pro", Free, false},
		{"", Free, false},
		{"\u0131nternal", Free, false}, // dotless ı: ToUpper would give INTERNAL
		{"\u017ftarter", Free, false},  // long ſ: ToUpper would give STARTER
	}
	for _, tt := range tests {
		got, err := ParsePlan(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParsePlan(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestPlanOrderAndNames(t *testing.T) {
	var names []string
	for i, p := range Plans() {
		if i > 0 && p <= Plans()[i-1] {
			t.Errorf("plans out of order at %v", p)
		}
		names = append(names, p.String())
	}
	if want := []string{"FREE", "STARTER", "PROFESSIONAL", "ENTERPRISE", "INTERNAL"}; !slices.Equal(names, want) {
		t.Errorf("names = %v, want %v", names, want)
	}
	if got := Plan(42).String(); got != "Plan(42)" {
		t.Errorf("invalid plan String = %q", got)
	}
}

func TestPlanJSON(t *testing.T) {
	b, err := json.Marshal(map[string]Plan{"p": Enterprise})
	if err != nil || string(b) != `{"p":"ENTERPRISE"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var p Plan
	if err := json.Unmarshal([]byte(`"starter"`), &p); err != nil || p != Starter {
		t.Fatalf("Unmarshal = %v, %v", p, err)
	}
	if _, err := json.Marshal(Plan(-1)); err == nil {
		t.Error("an invalid plan marshalled")
	}
}

func TestFeatureRegistry(t *testing.T) {
	fs := Features()
	if len(fs) != 14 {
		t.Fatalf("registry has %d features, want 14", len(fs))
	}
	seen := map[string]bool{}
	for i, f := range fs {
		if i > 0 && f.Order <= fs[i-1].Order {
			t.Errorf("%s is out of display order", f.Code)
		}
		if seen[f.Code] || slices.Contains([]string{f.Name, f.Description, f.Category, f.UILocation, f.Icon}, "") {
			t.Errorf("feature %+v is duplicated or incomplete", f)
		}
		seen[f.Code] = true
		if got, ok := FeatureByCode(f.Code); !ok || got.Code != f.Code {
			t.Errorf("FeatureByCode(%q) = %v, %v", f.Code, got, ok)
		}
	}
	fs[0].Name = "changed"
	if f, _ := FeatureByCode(FeatureDashboard); f.Name == "changed" {
		t.Error("Features() exposes the registry itself")
	}
	if _, ok := FeatureByCode("nope"); ok {
		t.Error("FeatureByCode found an unknown code")
	}
}
