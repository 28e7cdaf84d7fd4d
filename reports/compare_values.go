package reports

import (
	"bytes"
	"encoding/json"

	"github.com/almanac-app/almanac/license"
)

// Headline is one headline number of a report: its JSON field, its value, and whether it is a
// rate (a percentage, whose change is in percentage points).
type Headline struct {
	Field string
	Value float64
	Rate  bool
}

// ComparedPeriod is the comparison period in a report's JSON.
type ComparedPeriod struct {
	Mode      CompareMode `json:"mode"`
	StartDate string      `json:"start_date"`
	EndDate   string      `json:"end_date"`
	Days      int         `json:"days"`
}

// Comparison is every headline number's value over the comparison period and its change:
// percent for counts and money (null when the comparison value is 0), percentage points for
// rates, both rounded to 2 places.
type Comparison struct {
	Period  ComparedPeriod      `json:"period"`
	Fields  []string            `json:"-"` // the headline fields in the report's order
	Values  map[string]float64  `json:"values"`
	Changes map[string]*float64 `json:"changes"`
	// NotCompared lists the report's headline numbers that have no value over an earlier period
	// (the dashboard's "now" and all-time numbers); absent when every one is compared.
	NotCompared []string `json:"not_compared,omitempty"`
}

// CheckComparisons reports whether ents includes period comparisons.
func CheckComparisons(ents license.Entitlements) error {
	return ents.Check(license.FeaturePeriodComparisons)
}

// Compare builds the comparison of cur (the period's headline numbers) with prev (the same
// fields over the comparison period cp).
func Compare(mode CompareMode, cp Period, cur, prev []Headline) Comparison {
	c := Comparison{Period: ComparedPeriod{Mode: mode, StartDate: cp.From, EndDate: cp.To, Days: cp.Days},
		Values: map[string]float64{}, Changes: map[string]*float64{}}
	before := map[string]float64{}
	for _, h := range prev {
		before[h.Field] = h.Value
	}
	for _, h := range cur {
		p := before[h.Field]
		c.Fields = append(c.Fields, h.Field)
		c.Values[h.Field] = p
		c.Changes[h.Field] = Change(h.Value, p, h.Rate)
	}
	return c
}

// Change is the change from prev to cur: for a rate the difference in percentage points, else
// (cur − prev) ÷ prev × 100 in percent, nil when prev is 0; rounded half away from zero to 2 places.
func Change(cur, prev float64, rate bool) *float64 {
	var v float64
	switch {
	case rate:
		v = round2(cur - prev)
	case prev == 0:
		return nil
	default:
		v = round2((cur - prev) / prev * 100)
	}
	return &v
}

// AppointmentHeadlines are the headline numbers of an appointment report: the total, and the
// rates when the plan includes them.
func AppointmentHeadlines(g GatedAppointments) []Headline {
	out := []Headline{{Field: "total", Value: float64(g.Total)}}
	if g.Includes("cancellation_rate_percent") {
		out = append(out, Headline{"cancellation_rate_percent", g.CancellationRatePercent, true},
			Headline{"no_show_rate_percent", g.NoShowRatePercent, true})
	}
	return out
}

// RevenueHeadlines are the headline numbers of a revenue report.
func RevenueHeadlines(r RevenueAnalytics) []Headline {
	return []Headline{
		{Field: "total_revenue_cents", Value: float64(r.TotalRevenueCents)},
		{Field: "transaction_count", Value: float64(r.TransactionCount)},
		{Field: "average_transaction_value_cents", Value: float64(r.AverageTransactionValueCents)},
	}
}

// WithComparison is report's JSON object with a "comparison" member added last, keeping the
// report's own field order.
func WithComparison(report any, c Comparison) ([]byte, error) {
	b, err := json.Marshal(report)
	if err != nil {
		return nil, err
	}
	cb, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimRight(b, " \n")
	if len(b) < 2 || b[len(b)-1] != '}' {
		return nil, &json.UnsupportedValueError{Str: "not a JSON object"}
	}
	sep := ","
	if bytes.Equal(b, []byte("{}")) {
		sep = ""
	}
	out := append(append(append([]byte{}, b[:len(b)-1]...), sep+`"comparison":`...), cb...)
	return append(out, '}'), nil
}
