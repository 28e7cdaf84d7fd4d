package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// comparisonPeriod resolves --compare for the report's period p: a comparison before the
// window is refused naming the plan that reaches it (exit 3).
func comparisonPeriod(w license.Window, f reportFlags, p reports.Period) (reports.Period, error) {
	cp, err := reports.ResolveComparison(p, f.compareMode, w)
	if err != nil {
		return cp, reportErr(err)
	}
	return cp, nil
}

// compareAppointments runs the same appointments query over the comparison period.
func compareAppointments(env *Env, svc *reports.Service, ents license.Entitlements, w license.Window, f reportFlags, q reports.AppointmentQuery, cur reports.GatedAppointments) (*reports.Comparison, error) {
	cp, err := comparisonPeriod(w, f, q.Period)
	if err != nil {
		return nil, err
	}
	q.Period = cp
	prev, err := svc.Appointments(env.ctx(), ents, q)
	if err != nil {
		return nil, serviceErr("appointments", err)
	}
	c := reports.Compare(f.compareMode, cp, reports.AppointmentHeadlines(cur), reports.AppointmentHeadlines(prev))
	return &c, nil
}

// compareRevenue runs the same revenue query over the comparison period.
func compareRevenue(env *Env, svc *reports.Service, ents license.Entitlements, w license.Window, f reportFlags, rq reports.RevenueQuery, cur reports.RevenueAnalytics) (*reports.Comparison, error) {
	cp, err := comparisonPeriod(w, f, rq.Period)
	if err != nil {
		return nil, err
	}
	rq.Period = cp
	prev, err := svc.Revenue(env.ctx(), ents, rq)
	if err != nil {
		return nil, serviceErr("revenue", err)
	}
	c := reports.Compare(f.compareMode, cp, reports.RevenueHeadlines(cur), reports.RevenueHeadlines(prev))
	return &c, nil
}

// printReportJSON prints the report, with its "comparison" when there is one.
func printReportJSON(w io.Writer, report any, c *reports.Comparison) error {
	if c == nil {
		return printJSON(w, report)
	}
	b, err := reports.WithComparison(report, *c)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = out.WriteTo(w)
	return err
}

// printComparison prints each headline's earlier value and change; value formats a value of
// field (nil: rates as percentages, counts as whole numbers).
func printComparison(out io.Writer, c *reports.Comparison, value func(field string, v float64) string) {
	if c == nil {
		return
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "\nCompared with %s to %s (%s, %d days)\n", license.FormatISODate(c.Period.StartDate), license.FormatISODate(c.Period.EndDate), c.Period.Mode, c.Period.Days)
	for _, field := range c.Fields {
		v, ch := c.Values[field], c.Changes[field]
		text := num(int64(v))
		if value != nil {
			text = value(field, v)
		}
		change := "n/a (the comparison is 0)"
		switch {
		case isRate(field):
			text = fmt.Sprintf("%.2f%%", v)
			change = fmt.Sprintf("%+.2f points", *ch)
		case ch != nil:
			change = fmt.Sprintf("%+.2f%%", *ch)
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\n", field, text, change)
	}
	w.Flush()
	if len(c.NotCompared) > 0 {
		fmt.Fprintf(out, "  Not compared (they describe now or the whole history window): %s\n", strings.Join(c.NotCompared, ", "))
	}
}

func isRate(field string) bool {
	return field == "cancellation_rate_percent" || field == "no_show_rate_percent"
}

// compareDashboard counts the appointments of the month the dashboard is compared with (last
// month, or the same month last year) as an appointments report over it counts them.
func compareDashboard(env *Env, svc *reports.Service, ents license.Entitlements, w license.Window, f reportFlags, d reports.Dashboard) (*reports.Comparison, error) {
	cp, err := reports.DashboardComparisonPeriod(d, f.compareMode, w)
	if err != nil {
		return nil, reportErr(err)
	}
	prev, err := svc.Appointments(env.ctx(), ents, reports.AppointmentQuery{Period: cp, Window: w})
	if err != nil {
		return nil, serviceErr("dashboard", err)
	}
	c := reports.CompareDashboard(f.compareMode, cp, d, prev.Total)
	return &c, nil
}

// dashboardChart writes the dashboard's chart: appointments over the last 30 days, beside the
// comparison's when --compare asks for one.
func dashboardChart(env *Env, svc *reports.Service, ents license.Entitlements, w license.Window, f reportFlags) error {
	p, err := resolvePeriod(env, w, reportFlags{days: "30"})
	if err != nil {
		return err
	}
	q := reports.AppointmentQuery{Period: p, Window: w}
	g, err := svc.Appointments(env.ctx(), ents, q)
	if err != nil {
		return serviceErr("dashboard", err)
	}
	return appointmentsChart(env, svc, ents, w, f, q, g.AppointmentAnalytics)
}

// appointmentsChart writes the daily appointments chart of q; with --compare, the period's
// appointments per day beside the comparison period's (dashed, by day of the period).
func appointmentsChart(env *Env, svc *reports.Service, ents license.Entitlements, w license.Window, f reportFlags, q reports.AppointmentQuery, a reports.AppointmentAnalytics) error {
	if f.compareMode == "" {
		return writeChart(f.chart, func() ([]byte, error) { return reports.DailyAppointmentsChart(a, reports.ChartOptions{}) })
	}
	cp, err := comparisonPeriod(w, f, q.Period)
	if err != nil {
		return err
	}
	q.Period = cp
	prev, err := svc.Appointments(env.ctx(), ents, q)
	if err != nil {
		return serviceErr("appointments", err)
	}
	return writeChart(f.chart, func() ([]byte, error) {
		return reports.DailyAppointmentsCompareChart(a, prev.AppointmentAnalytics, reports.ChartOptions{})
	})
}

// revenueChart writes the daily revenue chart of rq; with --compare, beside the comparison's.
func revenueChart(env *Env, svc *reports.Service, ents license.Entitlements, w license.Window, f reportFlags, rq reports.RevenueQuery, r reports.RevenueAnalytics) error {
	if f.compareMode == "" {
		return writeChart(f.chart, func() ([]byte, error) { return reports.DailyRevenueChart(r, reports.ChartOptions{}) })
	}
	cp, err := comparisonPeriod(w, f, rq.Period)
	if err != nil {
		return err
	}
	rq.Period = cp
	prev, err := svc.Revenue(env.ctx(), ents, rq)
	if err != nil {
		return serviceErr("revenue", err)
	}
	return writeChart(f.chart, func() ([]byte, error) { return reports.DailyRevenueCompareChart(r, prev, reports.ChartOptions{}) })
}
