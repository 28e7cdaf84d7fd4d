package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// The Service is the one gate of the reports: every report method takes the entitlements and
// refuses what they do not include with *license.UpgradeError, and a period that starts before
// the history window with *license.HistoryError. Front ends only present the result or the
// refusal; CheckReport and CheckCharts let them refuse early, before reading anything, with
// the same errors.

// Report names one of the reports for CheckReport.
type Report string

// The reports.
const (
	ReportDashboard    Report = "dashboard"
	ReportAppointments Report = "appointments"
	ReportRevenue      Report = "revenue"
	ReportCustomers    Report = "customers"
)

// CheckReport reports whether ents includes report r: nil, or the *license.UpgradeError naming
// the plan that unlocks it. The appointments report is refused only when ents includes none of
// its sections.
func CheckReport(ents license.Entitlements, r Report) error {
	switch r {
	case ReportAppointments:
		_, err := LockedAppointmentSections(ents)
		return err
	case ReportRevenue:
		return ents.Check(license.FeatureRevenueAnalytics)
	case ReportStaff:
		return ents.Check(license.FeatureStaffPerformance)
	case ReportCustomers:
		return ents.Check(license.FeatureCustomerInsights)
	default:
		return ents.Check(license.FeatureDashboard)
	}
}

// CheckCharts reports whether ents includes the charts of the reports.
func CheckCharts(ents license.Entitlements) error { return ents.Check(license.FeatureAnalyticsCharts) }

// Dashboard computes the dashboard numbers from one snapshot, with ents deciding the window.
func (s *Service) Dashboard(ctx context.Context, ents license.Entitlements) (Dashboard, error) {
	if err := CheckReport(ents, ReportDashboard); err != nil {
		return Dashboard{}, err
	}
	return s.dashboard(ctx, ents)
}

// Appointments computes appointment analytics for q from one snapshot, cut to the sections
// ents includes: the locked fields are zero and listed in Locked. It fails with the refusal of
// the lowest section when ents includes none, before reading anything.
func (s *Service) Appointments(ctx context.Context, ents license.Entitlements, q AppointmentQuery) (GatedAppointments, error) {
	if locked, err := LockedAppointmentSections(ents); err != nil {
		return GatedAppointments{Locked: locked}, err
	}
	a, err := s.appointments(ctx, ents, q)
	if err != nil {
		return GatedAppointments{}, err
	}
	return gateAppointments(a, ents)
}

// Revenue computes revenue analytics for q from one snapshot when ents includes them.
func (s *Service) Revenue(ctx context.Context, ents license.Entitlements, q RevenueQuery) (RevenueAnalytics, error) {
	if err := CheckReport(ents, ReportRevenue); err != nil {
		return RevenueAnalytics{}, err
	}
	return s.revenue(ctx, ents, q)
}

// checkHistory refuses a period starting before the history window of ents, as of the
// service's today in the tenant's zone.
func (s *Service) checkHistory(ents license.Entitlements, loc *time.Location, from string) error {
	d, err := time.ParseInLocation(data.DateLayout, from, loc)
	if err != nil {
		return nil // closedPeriod has refused it already
	}
	return ents.Window(Today(s.now(), loc)).CheckDate(d)
}

// Appointment analytics are gated per section, not as one report: each feature of the
// Analytics screen unlocks some of the report's fields (docs/metrics.md). A plan that has at
// least one section gets the report with the fields it includes; the others are left out and
// listed under "locked" with the feature and the plan that unlocks them.

// FieldSection is the part of a report one feature unlocks: JSON field names, as printed.
type FieldSection struct {
	Feature string
	Fields  []string
}

// appointmentSections are the sections of the appointments report, in the order of the
// registry. period_days belongs to no section: it describes the report itself.
var appointmentSections = []FieldSection{
	{license.FeatureAnalyticsCharts, []string{"total", "by_status", "by_service", "by_resource", "daily_breakdown", "booking_trend_percent"}},
	{license.FeatureAdvancedAnalytics, []string{"cancellation_rate_percent", "no_show_rate_percent"}},
	{license.FeatureBusyHours, []string{"busy_hours"}},
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

// gateAppointments cuts a to the sections ents includes: the locked fields are zero and listed
// in Locked. It fails with the refusal of the lowest section (an *license.UpgradeError) when
// the plan includes none of them.
func gateAppointments(a AppointmentAnalytics, ents license.Entitlements) (GatedAppointments, error) {
	locked, err := LockedAppointmentSections(ents)
	if err != nil {
		return GatedAppointments{Locked: locked}, err
	}
	g := GatedAppointments{AppointmentAnalytics: a, Locked: locked}
	g.blankLocked()
	return g, nil
}

// LockedAppointmentSections lists the sections of the appointments report ents leaves out;
// the error is the first refusal when it leaves out every section.
func LockedAppointmentSections(ents license.Entitlements) ([]LockedSection, error) {
	var locked []LockedSection
	var first error
	for _, sec := range appointmentSections {
		d := ents.Can(sec.Feature)
		if d.Allowed {
			continue
		}
		if first == nil {
			first = d.Err
		}
		locked = append(locked, LockedSection{Feature: sec.Feature, Plan: d.RequiredPlan, Fields: slices.Clone(sec.Fields)})
	}
	if len(locked) == len(appointmentSections) {
		return locked, first
	}
	return locked, nil
}

// blankLocked zeroes the fields of the locked sections, so they are never shown, not even by
// mistake.
func (g *GatedAppointments) blankLocked() {
	v := reflect.ValueOf(&g.AppointmentAnalytics).Elem()
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" && !g.Includes(name) {
			v.Field(i).SetZero()
		}
	}
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
