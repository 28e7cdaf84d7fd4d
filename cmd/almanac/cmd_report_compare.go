package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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
}

func isRate(field string) bool {
	return field == "cancellation_rate_percent" || field == "no_show_rate_percent"
}
