package reports

import (
	"context"
	"strconv"

	"github.com/almanac-app/almanac/license"
)

// The Dashboard's "Last 30 days" section: the daily chart, the counts by status and the busy
// hours that the Dashboard screen shows under its cards, and that the Dashboard's PDF and
// Excel documents carry, from one definition.

// DashboardChartDays is the length of the Dashboard's charts, clamped to the history window.
const DashboardChartDays = 30

// dashboardDayFeatures are the features of the section: the charts and the busy hours.
var dashboardDayFeatures = []string{license.FeatureAnalyticsCharts, license.FeatureBusyHours}

// DashboardDaysQuery is the appointments query of the Dashboard's charts: the last
// DashboardChartDays days up to today (fewer when the history window is shorter), every status.
func DashboardDaysQuery(w license.Window) (AppointmentQuery, error) {
	p, err := ResolvePeriod(PeriodRequest{Days: strconv.Itoa(DashboardChartDays)}, w, DashboardChartDays)
	if err != nil {
		return AppointmentQuery{}, err
	}
	return AppointmentQuery{Period: p, Window: w}, nil
}

// DashboardHasDays reports whether ents includes any part of the section (else it is only
// upgrade prompts, and nothing is read for it).
func DashboardHasDays(ents license.Entitlements) bool {
	for _, f := range dashboardDayFeatures {
		if ents.Can(f).Allowed {
			return true
		}
	}
	return false
}

// dashboardDays is the section's appointments for a document: nil with the locked sections
// when ents includes none of it.
func (s *Service) dashboardDays(ctx context.Context, ents license.Entitlements, w license.Window) (*GatedAppointments, []LockedSection, error) {
	if !DashboardHasDays(ents) {
		var locked []LockedSection
		for _, code := range dashboardDayFeatures {
			f, _ := license.FeatureByCode(code)
			locked = append(locked, LockedSection{Feature: code, Plan: f.MinPlan})
		}
		return nil, locked, nil
	}
	q, err := DashboardDaysQuery(w)
	if err != nil {
		return nil, nil, err
	}
	g, err := s.Appointments(ctx, ents, q)
	if err != nil {
		return nil, nil, err
	}
	var locked []LockedSection
	for _, l := range g.Locked {
		if l.Feature == license.FeatureAnalyticsCharts || l.Feature == license.FeatureBusyHours {
			locked = append(locked, l)
		}
	}
	return &g, locked, nil
}

// dashboardDayNames are the section's parts in words, for the document's locked notes.
var dashboardDayNames = map[string]string{
	license.FeatureAnalyticsCharts: "Charts of the last 30 days (appointments per day and by status)",
	license.FeatureBusyHours:       "Busy hours",
}

// fillDashboardDays adds the section to a Dashboard document: its appointments, the
// definitions of what it shows, and what the plan leaves out with the plan that adds it.
func (s *Service) fillDashboardDays(ctx context.Context, ents license.Entitlements, doc *Document) error {
	w := ents.Window(Today(s.now(), doc.Tenant.Location()))
	g, locked, err := s.dashboardDays(ctx, ents, w)
	if err != nil {
		return err
	}
	doc.DashboardDays = g
	if g != nil {
		doc.Definitions = append(doc.Definitions, definitionsOf([]string{"daily_breakdown", "by_status", "busy_hours"}, g.Includes)...)
	}
	for _, l := range locked {
		doc.Locked = append(doc.Locked, dashboardDayNames[l.Feature]+": "+l.Plan.String())
	}
	return nil
}
