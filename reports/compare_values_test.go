package reports

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestChange(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		name      string
		cur, prev float64
		rate      bool
		want      *float64
	}{
		{"up a quarter", 125, 100, false, f(25)},
		{"down a third", 2, 3, false, f(-33.33)},
		{"two thirds up rounds half away", 5, 3, false, f(66.67)},
		{"from zero is null", 7, 0, false, nil},
		{"zero to zero is null", 0, 0, false, nil},
		{"to zero", 0, 40, false, f(-100)},
		{"rate in points", 12.5, 10, true, f(2.5)},
		{"rate from zero is points", 3.25, 0, true, f(3.25)},
		{"rate down", 4.1, 6.3, true, f(-2.2)},
	}
	for _, c := range cases {
		got := Change(c.cur, c.prev, c.rate)
		if (got == nil) != (c.want == nil) || got != nil && *got != *c.want {
			t.Errorf("%s: Change(%v, %v) = %v, want %v", c.name, c.cur, c.prev, fmtPtr(got), fmtPtr(c.want))
		}
	}
}

func fmtPtr(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestCompareJSON: the comparison object carries the period, each headline's earlier value and
// its change, and is added after the report's own fields.
func TestCompareJSON(t *testing.T) {
	cp := Period{From: "2026-10-01", To: "2026-10-31", Days: 31}
	cur := []Headline{{Field: "total", Value: 150}, {Field: "cancellation_rate_percent", Value: 10, Rate: true}}
	prev := []Headline{{Field: "total", Value: 120}, {Field: "cancellation_rate_percent", Value: 12.5, Rate: true}}
	c := Compare(ComparePrevious, cp, cur, prev)
	b, err := WithComparison(struct {
		Total int `json:"total"`
	}{150}, c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"total":150,"comparison":{"period":{"mode":"previous","start_date":"2026-10-01","end_date":"2026-10-31","days":31},` +
		`"values":{"cancellation_rate_percent":12.5,"total":120},"changes":{"cancellation_rate_percent":-2.5,"total":25}}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	zero := Compare(CompareLastYear, cp, cur[:1], []Headline{{Field: "total"}})
	b, _ = WithComparison(map[string]int{}, zero)
	var v struct {
		Comparison struct {
			Changes map[string]*float64 `json:"changes"`
		} `json:"comparison"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.Comparison.Changes["total"] != nil || !strings.Contains(string(b), `"total":null`) {
		t.Fatalf("a change from 0 is not null: %s (%v)", b, err)
	}
}
