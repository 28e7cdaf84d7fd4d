package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/almanac-app/almanac/license"
)

// Appointment analytics are gated per section, not as one report: each feature of the
// Analytics screen unlocks some of the report's fields (docs/metrics.md). A plan that has at
// least one section gets the report with the fields it includes; the others are left out and
// listed under "locked" with the feature and the plan that unlocks them.

// FieldSection is the part of a report one feature unlocks: JSON field names, as printed.
type FieldSection struct {
	Feature string
	Fields  []string
}

// AppointmentSections are the sections of the appointments report, in the order of the
// registry. period_days belongs to no section: it describes the report itself.
var AppointmentSections = []FieldSection{
	{license.FeatureAnalyticsCharts, []string{"total", "by_status", "by_service", "by_resource", "daily_breakdown", "booking_trend_percent"}},
	{license.FeatureAdvancedAnalytics, []string{"cancellation_rate_percent", "no_show_rate_percent"}},
}

// LockedSection is a section the plan does not include, as the report lists it.
type LockedSection struct {
	Feature string       `json:"feature"`
	Plan    license.Plan `json:"plan"`
	Fields  []string     `json:"fields"`
}

// GatedAppointments is an appointments report cut to what the plan includes. It marshals to
// the report's JSON without the locked fields, plus "locked" when any are.
type GatedAppointments struct {
	AppointmentAnalytics
	Locked []LockedSection
}

// GateAppointments cuts a to the sections ents includes. It fails with the refusal of the
// lowest section (an *license.UpgradeError) when the plan includes none of them.
func GateAppointments(a AppointmentAnalytics, ents license.Entitlements) (GatedAppointments, error) {
	g := GatedAppointments{AppointmentAnalytics: a}
	locked, err := LockedAppointmentSections(ents)
	g.Locked = locked
	return g, err
}

// LockedAppointmentSections lists the sections of the appointments report ents leaves out;
// the error is the first refusal when it leaves out every section.
func LockedAppointmentSections(ents license.Entitlements) ([]LockedSection, error) {
	var locked []LockedSection
	var first error
	for _, sec := range AppointmentSections {
		d := ents.Can(sec.Feature)
		if d.Allowed {
			continue
		}
		if first == nil {
			first = d.Err
		}
		locked = append(locked, LockedSection{Feature: sec.Feature, Plan: d.RequiredPlan, Fields: slices.Clone(sec.Fields)})
	}
	if len(locked) == len(AppointmentSections) {
		return locked, first
	}
	return locked, nil
}

// Includes reports whether the gated report shows the JSON field name.
func (g GatedAppointments) Includes(field string) bool {
	for _, l := range g.Locked {
		if slices.Contains(l.Fields, field) {
			return false
		}
	}
	return true
}

// MarshalJSON writes the report's fields in their usual order, leaving out the locked ones,
// then "locked" when there are any.
func (g GatedAppointments) MarshalJSON() ([]byte, error) {
	full, err := json.Marshal(g.AppointmentAnalytics)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	n := 0
	err = eachField(full, func(key string, value json.RawMessage) error {
		if !g.Includes(key) {
			return nil
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		n++
		k, _ := json.Marshal(key)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(value)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(g.Locked) > 0 {
		l, err := json.Marshal(g.Locked)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(`"locked":`)
		buf.Write(l)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// eachField calls fn with every top-level key and raw value of a JSON object, in order.
func eachField(obj []byte, fn func(string, json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errors.New("gated report: not a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := t.(string)
		if !ok {
			return fmt.Errorf("gated report: key %v is not a string", t)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if err := fn(key, v); err != nil {
			return err
		}
	}
	return nil
}
