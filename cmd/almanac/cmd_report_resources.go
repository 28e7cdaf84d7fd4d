package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// reportResources prints the staff report (report resources) over the period flags.
func reportResources(env *Env, svc *reports.Service, ents license.Entitlements, w license.Window, f reportFlags) error {
	p, err := resolvePeriod(env, w, f)
	if err != nil {
		return err
	}
	q := reports.StaffQuery{Period: p}
	r, err := svc.Staff(env.ctx(), ents, q)
	if err != nil {
		return serviceErr("resources", err)
	}
	if docs, err := saveDocuments(env, svc, ents, f, reports.DocumentRequest{Staff: q}); err != nil || docs && !f.asJSON {
		return err
	}
	if f.asJSON {
		return printJSON(env.Stdout, r)
	}
	printResources(env.Stdout, r)
	return nil
}

func printResources(out io.Writer, r reports.StaffReport) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "Staff and resources %s to %s (%d days, local dates in %s)\n\n", license.FormatISODate(r.From), license.FormatISODate(r.To), r.PeriodDays, termSafe(r.TimeZone))
	fmt.Fprintf(w, "Appointments\t%s\n\n", num(r.TotalAppointments))
	fmt.Fprintf(w, "  ID\tName\tAppointments\tVisits\tCancelled\tNo show\tCancel rate\tNo-show rate\tBooked hours\tRevenue\tShare\n")
	for _, x := range r.Resources {
		fmt.Fprintf(w, "  %d\t%s\t%s\t%s\t%s\t%s\t%.2f%%\t%.2f%%\t%.2f\t%s\t%.2f%%\n", x.ID, termSafe(x.Name), num(x.Appointments), num(x.Visits),
			num(x.Cancelled), num(x.NoShow), x.CancellationRatePercent, x.NoShowRatePercent, x.BookedHours,
			reports.FormatMoney(x.RevenueCents, r.Currency), x.SharePercent)
	}
	if len(r.Resources) == 0 {
		fmt.Fprintf(w, "  (no appointments in this period)\n")
	}
	w.Flush()
}
