package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// The customers report (issue 15): customer insights, PROFESSIONAL.

// validateCustomers refuses the flags the customers report does not take, and --lapsed-days
// on the other reports or when it is not a whole number of days.
func (f *reportFlags) validateCustomers(bad func(string) error) error {
	if f.kind != "customers" {
		if f.lapsedDays != "" {
			return bad("--lapsed-days: it belongs to report customers")
		}
		return nil
	}
	switch {
	case f.setStatus || f.setRsrc || f.service != "":
		return bad("filters: customer insights cover every service and resource")
	case f.chart != "":
		return bad("--chart")
	}
	if _, err := reports.ParseLapsedDays(f.lapsedDays); err != nil {
		return usageErr("report: %w", err)
	}
	return nil
}

func reportCustomers(env *Env, svc *reports.Service, ents license.Entitlements, w license.Window, f reportFlags) error {
	p, err := resolvePeriod(env, w, f)
	if err != nil {
		return err
	}
	q := reports.CustomerQuery{Period: p, Window: w}
	q.LapsedDays, _ = reports.ParseLapsedDays(f.lapsedDays) // validated
	c, err := svc.Customers(env.ctx(), ents, q)
	if err != nil {
		return serviceErr("customers", err)
	}
	if docs, err := saveDocuments(env, svc, ents, f, reports.DocumentRequest{Customers: q}); err != nil || docs && !f.asJSON {
		return err
	}
	if f.asJSON {
		return printJSON(env.Stdout, c)
	}
	printCustomers(env.Stdout, c)
	return nil
}

func printCustomers(out io.Writer, c reports.CustomerInsights) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	money := func(cents int64) string { return termSafe(reports.FormatMoney(cents, c.Currency)) }
	fmt.Fprintf(w, "Customers %s to %s (%d days; visits are completed appointments by local date in %s)\n\n",
		license.FormatISODate(c.From), license.FormatISODate(c.To), c.PeriodDays, termSafe(c.TimeZone))
	fmt.Fprintf(w, "New customers\t%s\n", num(c.NewCustomers))
	fmt.Fprintf(w, "Returning customers\t%s\n", num(c.ReturningCustomers))
	fmt.Fprintf(w, "Visiting customers\t%s\n", num(c.VisitingCustomers))
	retention := "n/a (the previous period is empty or outside your history window)"
	if c.RetentionRatePercent != nil {
		retention = fmt.Sprintf("%.2f%% of the previous %d days' customers came back", *c.RetentionRatePercent, c.PeriodDays)
	}
	fmt.Fprintf(w, "Retention rate\t%s\n", retention)
	fmt.Fprintf(w, "Visits per customer\t%.2f\n", c.AverageVisitsPerCustomer)
	fmt.Fprintf(w, "\nTop customers by revenue (%s)\n  ID\tName\tVisits\tRevenue\n", termSafe(c.Currency))
	for _, t := range c.TopCustomers {
		fmt.Fprintf(w, "  %d\t%s\t%s\t%s\n", t.ID, termSafe(t.Name), num(t.Visits), money(t.RevenueCents))
	}
	fmt.Fprintf(w, "\nLapsed customers (no visit for more than %d days, nothing booked): %s\n  ID\tName\tEmail\tPhone\tLast visit\tVisits\tLifetime revenue\n",
		c.LapsedDays, num(int64(len(c.LapsedCustomers))))
	for _, l := range c.LapsedCustomers {
		fmt.Fprintf(w, "  %d\t%s\t%s\t%s\t%s\t%s\t%s\n", l.ID, termSafe(l.Name), termSafe(l.Email), termSafe(l.Phone),
			license.FormatISODate(l.LastVisit), num(l.Visits), money(l.RevenueCents))
	}
	w.Flush()
}
