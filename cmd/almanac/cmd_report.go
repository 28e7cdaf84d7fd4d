package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

const reportUsage = `Usage: almanac report dashboard|appointments|revenue|resources|customers [--days N | --from YYYY-MM-DD --to YYYY-MM-DD | --period P]
                      [--compare previous|last-year] [--status S] [--service ID] [--resource ID] [--lapsed-days N]
                      [--json] [--chart FILE.png]
                      [--pdf FILE.pdf] [--xlsx FILE.xlsx] [--paper a4|letter] [--overwrite]

Prints analytics of the active tenant in its time zone (definitions: docs/metrics.md).
  dashboard     headline numbers; every plan
  appointments  counts by status, service, resource and day and the trend (STARTER), and the
                cancellation and no-show rates (advanced analytics, PROFESSIONAL); default last
                30 days. A plan without the rates gets the rest; --json lists what is left out
                under "locked"
  revenue       succeeded payments by paid date, service and day (default last 30 days); needs
                revenue analytics (PROFESSIONAL) and a tenant that accepts payments
  resources     per resource (staff): appointments, visits, cancellations and no-shows with
                their rates, booked hours, revenue and share (default last 30 days); needs
                staff performance (PROFESSIONAL); no filters, chart or --compare
  customers     new, returning and visiting customers, retention, visits per customer, the top
                20 by revenue and the lapsed customers (no visit for more than --lapsed-days N,
                default 90, and nothing booked); customer insights (PROFESSIONAL); default last
                30 days; no filters, chart or --compare
--days N is the N local days ending today, clamped to your plan's history window. --period is
today, this-week, last-week (weeks start on Monday), this-month, last-month, this-quarter,
last-quarter, ytd, last-year ("this" periods end today; one starting before your plan's history
window is refused) or last-Nd (the same as --days N); it cannot be combined with --days, --from
or --to. --compare (dashboard, appointments and revenue; period comparisons, PROFESSIONAL) adds
each headline number over the previous period (the same kind one step earlier, or of equal
length just before; the dashboard's month: last month) or the same dates last year, with its
change: percent for counts and money, percentage points for rates; --json adds it as
"comparison", and the daily chart draws the comparison as a second, dashed line by day of the
period. A comparison starting before your plan's history window is refused. --chart writes
the report's daily chart (dashboard: the last 30 days) as a PNG; charts need STARTER or higher.
--pdf and --xlsx save the report as a document (docs/reports.md): a PDF to print or send (PDF
reports, STARTER) and an Excel workbook with native charts (Excel reports, PROFESSIONAL), each
with the period, filters, time zone, data freshness, plan and metric definitions; the
appointments document adds the busy-hours heatmap (Busy hours, STARTER), customers the top
and lapsed customers, resources the staff table, and with --compare the appointments and
revenue documents show each headline's comparison value and change. Give either or
both; they print the files written instead of the text report, or beside --json (the paths then
go to stderr). --paper is the PDF's paper (default: letter in America/* time zones, else a4). A
file already there is refused unless --overwrite, which replaces it once the new one is complete.
Exit codes: 2 bad usage, 3 the plan does not include it, 1 failure.`

// reportFlags are the parsed command-line values.
type reportFlags struct {
	kind                          string
	days, from, to, status        string
	period, compare               string
	compareMode                   reports.CompareMode
	service, resource, chart      string
	pdf, xlsx, paperText          string
	paper                         reports.Paper
	asJSON, overwrite             bool
	serviceID, resourceID         int64
	setPeriod, setStatus, setRsrc bool
	lapsedDays                    string
}

func runReport(env *Env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(env.Stdout, reportUsage)
			return nil
		}
		return usageErr("report: name a report: dashboard, appointments, revenue, resources or customers (see almanac report -h)")
	}
	f, done, err := parseReportFlags(env, args)
	if done || err != nil {
		return err
	}
	st, t, err := env.OpenStore()
	if err != nil {
		return err
	}
	defer st.Close()
	ents := env.Entitlements(t)
	if err := gateReport(ents, f); err != nil {
		return err
	}
	svc := reports.New(st, env.Now)
	w := ents.Window(reports.Today(env.Now(), t.Location()))
	switch f.kind {
	case "dashboard":
		return reportDashboard(env, svc, ents, w, f)
	case "appointments":
		return reportAppointments(env, svc, ents, w, f)
	case "resources":
		return reportResources(env, svc, ents, w, f)
	case "customers":
		return reportCustomers(env, svc, ents, w, f)
	default:
		return reportRevenue(env, svc, ents, w, f)
	}
}

func parseReportFlags(env *Env, args []string) (reportFlags, bool, error) {
	f := reportFlags{kind: args[0]}
	switch f.kind {
	case "dashboard", "appointments", "revenue", "resources", "customers":
	default:
		return f, false, usageErr("report: unknown report %q: use dashboard, appointments, revenue, resources or customers", f.kind)
	}
	fs := newFlags("report", reportUsage)
	fs.StringVar(&f.days, "days", "", "the N local days ending today (default 30)")
	fs.StringVar(&f.from, "from", "", "first local date, YYYY-MM-DD")
	fs.StringVar(&f.to, "to", "", "last local date, YYYY-MM-DD (default today)")
	fs.StringVar(&f.period, "period", "", "a calendar period (this-month, last-quarter, ytd…) or last-Nd")
	fs.StringVar(&f.compare, "compare", "", "dashboard, appointments and revenue: compare with the previous period or last-year (PROFESSIONAL)")
	fs.StringVar(&f.status, "status", "", "appointments only: scheduled, confirmed, completed, cancelled or no_show")
	fs.StringVar(&f.service, "service", "", "only this service id (revenue: 0 is payments without an appointment)")
	fs.StringVar(&f.resource, "resource", "", "appointments only: only this resource id")
	fs.StringVar(&f.lapsedDays, "lapsed-days", "", "customers only: days without a visit that make a customer lapsed (default 90)")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON with the documented field names")
	fs.StringVar(&f.chart, "chart", "", "also write the daily chart to this PNG file")
	fs.StringVar(&f.pdf, "pdf", "", "save the report as a PDF to this file (STARTER and up)")
	fs.StringVar(&f.xlsx, "xlsx", "", "save the report as an Excel workbook to this file (PROFESSIONAL and up)")
	fs.StringVar(&f.paperText, "paper", "", "the PDF's paper: a4 or letter (default from the tenant's time zone)")
	fs.BoolVar(&f.overwrite, "overwrite", false, "replace a --pdf or --xlsx file already there (once the new one is complete)")
	if done, err := parseFlags(env, fs, reportUsage, args[1:]); done || err != nil {
		return f, done, err
	}
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "days", "from", "to", "period":
			f.setPeriod = true
		case "status":
			f.setStatus = true
		case "resource":
			f.setRsrc = true
		}
	})
	return f, false, f.validate()
}

// validate refuses values and combinations before anything is read, naming the flag.
func (f *reportFlags) validate() error {
	bad := func(flagName string) error {
		return usageErr("report %s does not take %s (see almanac report -h)", f.kind, flagName)
	}
	switch {
	case f.kind == "dashboard" && f.setPeriod:
		return bad("--days, --from, --to or --period: the dashboard covers this month")
	case f.kind == "dashboard" && (f.setStatus || f.setRsrc || f.service != ""):
		return bad("filters")
	case f.kind == "revenue" && f.setStatus:
		return bad("--status: revenue counts succeeded payments")
	case f.kind == "revenue" && f.setRsrc:
		return bad("--resource")
	case f.kind == "resources" && (f.setStatus || f.setRsrc || f.service != ""):
		return bad("filters: it lists every resource")
	case f.kind == "resources" && f.chart != "":
		return bad("--chart")
	case (f.kind == "resources" || f.kind == "customers") && f.compare != "":
		return bad("--compare: compare appointments or revenue")
	}
	if err := f.validateCustomers(bad); err != nil {
		return err
	}
	if f.days != "" {
		if _, err := reports.ParseDays(f.days); err != nil {
			return usageErr("report: %w", err)
		}
	}
	if f.period != "" {
		if _, err := reports.ParsePeriodName(f.period); err != nil {
			return usageErr("report: %w", err)
		}
	}
	if f.compare != "" {
		m, err := reports.ParseCompareMode(f.compare)
		if err != nil {
			return usageErr("report: %w", err)
		}
		f.compareMode = m
	}
	if f.status != "" && !data.AppointmentStatuses().Valid(f.status) {
		return usageErr("report: --status %q is not an appointment status: use scheduled, confirmed, completed, cancelled or no_show", f.status)
	}
	var err error
	// Revenue has a service 0, "No appointment" (docs/metrics.md); appointments do not.
	if f.serviceID, err = parseID("--service", f.service, f.kind == "revenue"); err != nil {
		return err
	}
	if f.resourceID, err = parseID("--resource", f.resource, false); err != nil {
		return err
	}
	if f.chart != "" && !strings.HasSuffix(strings.ToLower(f.chart), ".png") {
		return usageErr("report: --chart %q: give a file name ending in .png", f.chart)
	}
	return f.validateDocuments()
}

// validateDocuments checks --pdf, --xlsx, --paper and --overwrite before anything is read.
func (f *reportFlags) validateDocuments() error {
	var err error
	if f.paper, err = reports.ParsePaper(f.paperText); err != nil {
		return usageErr("report: %w", err)
	}
	switch {
	case f.paperText != "" && f.pdf == "":
		return usageErr("report: --paper is the paper of --pdf: add --pdf FILE.pdf or leave --paper out")
	case f.overwrite && f.pdf == "" && f.xlsx == "":
		return usageErr("report: --overwrite replaces a --pdf or --xlsx file: add one or leave --overwrite out")
	}
	for _, d := range f.documents() {
		if !strings.HasSuffix(strings.ToLower(d.path), "."+string(d.format)) {
			return usageErr("report: --%s %q: give a file name ending in .%s", d.format, d.path, d.format)
		}
	}
	return nil
}

// reportDocument is one document the command line asks for.
type reportDocument struct {
	format reports.DocFormat
	path   string
}

// documents lists the documents asked for: the PDF, then the workbook.
func (f *reportFlags) documents() []reportDocument {
	var out []reportDocument
	if f.pdf != "" {
		out = append(out, reportDocument{reports.DocPDF, f.pdf})
	}
	if f.xlsx != "" {
		out = append(out, reportDocument{reports.DocXLSX, f.xlsx})
	}
	return out
}

// parseID reads an id flag; zeroOK admits 0 (revenue's "No appointment" bucket).
func parseID(flagName, s string, zeroOK bool) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n == 0 && !zeroOK {
		hint := "give a whole number such as 3"
		if zeroOK {
			hint += ", or 0 for payments without an appointment"
		}
		return 0, usageErr("report: %s %q is not an id: %s", flagName, s, hint)
	}
	return n, nil
}

// gateReport refuses what the plan does not include (exit 3), naming the plan that unlocks it,
// before anything is read; the reports service's gate decides.
func gateReport(ents license.Entitlements, f reportFlags) error {
	if err := reports.CheckReport(ents, reports.Report(f.kind)); err != nil {
		return planErr(fmt.Errorf("report %s: %w", f.kind, err))
	}
	if f.compare != "" {
		if err := reports.CheckComparisons(ents); err != nil {
			return planErr(fmt.Errorf("report --compare: %w", err))
		}
	}
	if f.chart != "" {
		if err := reports.CheckCharts(ents); err != nil {
			return planErr(fmt.Errorf("report --chart: %w", err))
		}
	}
	for _, d := range f.documents() {
		if err := reports.CheckDocument(ents, reports.Report(f.kind), d.format); err != nil {
			return planErr(fmt.Errorf("report --%s: %w", d.format, err))
		}
	}
	return nil
}

// saveDocument is reports.Service.SaveDocument; a seam for the tests, which check the command
// line's part (flags, request, output, exit codes) with a fake renderer's stand-in.
var saveDocument = (*reports.Service).SaveDocument

// saveDocuments writes the documents asked for with the same query the report printed; the
// paths go to stdout, or to stderr beside --json. It reports whether any were asked for.
func saveDocuments(env *Env, svc *reports.Service, ents license.Entitlements, f reportFlags, req reports.DocumentRequest) (bool, error) {
	docs := f.documents()
	req.Report, req.Paper, req.Version, req.Compare = reports.Report(f.kind), f.paper, Version, f.compareMode
	for _, d := range docs {
		path, err := saveDocument(svc, env.ctx(), ents, req, d.format, d.path, f.overwrite)
		if err != nil {
			return true, documentErr(d.format, err)
		}
		if f.asJSON {
			fmt.Fprintf(env.Stderr, "almanac: wrote %s\n", termSafe(path))
		} else {
			fmt.Fprintln(env.Stdout, termSafe(path))
		}
	}
	return len(docs) > 0, nil
}

// documentErr maps a save's errors to exit codes as the exports do: plan refusals 3, bad
// values 2, else 1.
func documentErr(f reports.DocFormat, err error) error {
	var ue *license.UpgradeError
	var he *license.HistoryError
	switch {
	case errors.As(err, &ue), errors.As(err, &he):
		return planErr(fmt.Errorf("report --%s: %w", f, err))
	case errors.Is(err, reports.ErrUsage):
		return usageErr("report: %w", err)
	case errors.Is(err, context.Canceled):
		return errors.New("report cancelled: no file was written")
	}
	return fmt.Errorf("report: %w", err)
}

// resolvePeriod maps period errors to exit codes and prints the clamp notice on stderr.
func resolvePeriod(env *Env, w license.Window, f reportFlags) (reports.Period, error) {
	p, err := reports.ResolvePeriod(reports.PeriodRequest{Days: f.days, From: f.from, To: f.to, Period: f.period}, w, reports.DefaultAnalyticsDays)
	if err != nil {
		return p, reportErr(err)
	}
	if p.Notice != nil {
		fmt.Fprintln(env.Stderr, noticeWords(p.Notice))
	}
	return p, nil
}

// reportErr maps a reports error: bad values exit 2, dates past the window exit 3.
func reportErr(err error) error {
	var he *license.HistoryError
	switch {
	case errors.As(err, &he):
		return planErr(fmt.Errorf("report: %w", err))
	case errors.Is(err, reports.ErrUsage):
		return usageErr("report: %w", err)
	}
	return err
}

// serviceErr presents a refusal of the reports service as gateReport does (exit 3), anything
// else as reportErr.
func serviceErr(kind string, err error) error {
	var ue *license.UpgradeError
	if errors.As(err, &ue) {
		return planErr(fmt.Errorf("report %s: %w", kind, err))
	}
	return reportErr(err)
}

func reportDashboard(env *Env, svc *reports.Service, ents license.Entitlements, w license.Window, f reportFlags) error {
	d, err := svc.Dashboard(env.ctx(), ents)
	if err != nil {
		return serviceErr("dashboard", err)
	}
	var c *reports.Comparison
	if f.compareMode != "" {
		if c, err = compareDashboard(env, svc, ents, w, f, d); err != nil {
			return err
		}
	}
	if f.chart != "" {
		if err := dashboardChart(env, svc, ents, w, f); err != nil {
			return err
		}
	}
	if docs, err := saveDocuments(env, svc, ents, f, reports.DocumentRequest{}); err != nil || docs && !f.asJSON {
		return err
	}
	if f.asJSON {
		return printReportJSON(env.Stdout, d, c)
	}
	printDashboard(env.Stdout, d)
	printComparison(env.Stdout, c, nil)
	return nil
}

func reportAppointments(env *Env, svc *reports.Service, ents license.Entitlements, w license.Window, f reportFlags) error {
	p, err := resolvePeriod(env, w, f)
	if err != nil {
		return err
	}
	q := reports.AppointmentQuery{Period: p, Window: w,
		Filter: reports.AppointmentFilter{Status: f.status, ServiceID: f.serviceID, ResourceID: f.resourceID}}
	g, err := svc.Appointments(env.ctx(), ents, q)
	if err != nil {
		return serviceErr("appointments", err)
	}
	if f.chart != "" {
		if err := appointmentsChart(env, svc, ents, w, f, q, g.AppointmentAnalytics); err != nil {
			return err
		}
	}
	var c *reports.Comparison // first, so a comparison past the window is refused as without documents
	if f.compareMode != "" {
		if c, err = compareAppointments(env, svc, ents, w, f, q, g); err != nil {
			return err
		}
	}
	if docs, err := saveDocuments(env, svc, ents, f, reports.DocumentRequest{Appointments: q}); err != nil || docs && !f.asJSON {
		return err
	}
	if f.asJSON {
		return printReportJSON(env.Stdout, g, c)
	}
	printAppointments(env.Stdout, g)
	printComparison(env.Stdout, c, nil)
	return nil
}

func reportRevenue(env *Env, svc *reports.Service, ents license.Entitlements, w license.Window, f reportFlags) error {
	p, err := resolvePeriod(env, w, f)
	if err != nil {
		return err
	}
	rq := reports.RevenueQuery{Period: p, ServiceID: f.serviceID, OnlyService: f.service != ""}
	r, err := svc.Revenue(env.ctx(), ents, rq)
	if err != nil {
		return serviceErr("revenue", err)
	}
	if f.chart != "" {
		if err := revenueChart(env, svc, ents, w, f, rq, r); err != nil {
			return err
		}
	}
	var c *reports.Comparison // first, so a comparison past the window is refused as without documents
	if f.compareMode != "" {
		if c, err = compareRevenue(env, svc, ents, w, f, rq, r); err != nil {
			return err
		}
	}
	if docs, err := saveDocuments(env, svc, ents, f, reports.DocumentRequest{Revenue: rq}); err != nil || docs && !f.asJSON {
		return err
	}
	if f.asJSON {
		return printReportJSON(env.Stdout, r, c)
	}
	printRevenue(env.Stdout, r)
	printComparison(env.Stdout, c, func(field string, v float64) string {
		if field == "transaction_count" {
			return num(int64(v))
		}
		return termSafe(reports.FormatMoney(int64(v), r.Currency))
	})
	return nil
}

// writeChart renders once and writes through a temp file and rename, so a reader never sees half a PNG.
func writeChart(path string, render func() ([]byte, error)) error {
	png, err := render()
	if err != nil {
		return fmt.Errorf("report --chart: %w", err)
	}
	if err := data.WriteFileAtomic(path, png, 0o644); err != nil {
		return fmt.Errorf("report --chart %s: %w (check the folder exists and is writable)", path, err)
	}
	return nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func num(n int64) string { return data.Thousands(n) }

func printDashboard(out io.Writer, d reports.Dashboard) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "Dashboard of %s (%s time)\n\n", termSafe(d.Tenant.Name), termSafe(d.Tenant.TimeZone))
	fmt.Fprintf(w, "Period (this month)\t%s to %s\n", license.FormatISODate(d.Period.StartDate), license.FormatISODate(d.Period.EndDate))
	fmt.Fprintf(w, "Appointments this month\t%s\n", num(d.TotalAppointmentsThisMonth))
	fmt.Fprintf(w, "%s\t%s\n", d.AllTimeLabel(), num(d.TotalAppointmentsAllTime))
	fmt.Fprintf(w, "Active resources\t%s\n", num(d.ActiveResourcesCount))
	fmt.Fprintf(w, "Active services\t%s\n", num(d.ActiveServicesCount))
	fmt.Fprintf(w, "Upcoming appointments\t%s\n", num(d.UpcomingAppointmentsCount))
	fmt.Fprintf(w, "Average duration\t%.2f minutes\n", d.AverageAppointmentDurationMinutes)
	day, hour := "none", "none"
	if d.PeakBookingDay != nil {
		day = *d.PeakBookingDay
	}
	if d.PeakBookingHour != nil {
		hour = fmt.Sprintf("%02d:00 to %02d:59", *d.PeakBookingHour, *d.PeakBookingHour)
	}
	fmt.Fprintf(w, "Peak booking day\t%s\n", day)
	fmt.Fprintf(w, "Peak booking hour\t%s\n", hour)
	w.Flush()
}

func printAppointments(out io.Writer, g reports.GatedAppointments) {
	a := g.AppointmentAnalytics
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "Appointments %s to %s (%d days, local dates in %s)%s\n\n", license.FormatISODate(a.From), license.FormatISODate(a.To), a.PeriodDays, termSafe(a.TimeZone), filterText(a.Filter))
	fmt.Fprintf(w, "Total\t%s\n", num(a.Total))
	trend := "n/a (the previous period is empty or outside your history window)"
	if a.BookingTrendPercent != nil {
		trend = fmt.Sprintf("%+.2f%% vs the previous %d days", *a.BookingTrendPercent, a.PeriodDays)
	}
	fmt.Fprintf(w, "Booking trend\t%s\n", trend)
	if g.Includes("cancellation_rate_percent") {
		fmt.Fprintf(w, "Cancellation rate\t%.2f%%\n", a.CancellationRatePercent)
		fmt.Fprintf(w, "No-show rate\t%.2f%%\n", a.NoShowRatePercent)
	}
	for _, l := range g.Locked {
		fmt.Fprintf(w, "Not in your plan\t%s: %s (%s)\n", l.Plan, strings.Join(l.Fields, ", "), l.Feature)
	}
	fmt.Fprintf(w, "\nBy status\n")
	for _, st := range data.AppointmentStatuses().All() {
		fmt.Fprintf(w, "  %s\t%s\n", reports.StatusLabel(st), num(a.ByStatus[string(st)]))
	}
	for _, sec := range []struct {
		title string
		rows  []reports.NamedCount
	}{{"By service", a.ByService}, {"By resource", a.ByResource}} {
		fmt.Fprintf(w, "\n%s\n  ID\tName\tCount\n", sec.title)
		for _, r := range sec.rows {
			fmt.Fprintf(w, "  %d\t%s\t%s\n", r.ID, termSafe(r.Name), num(r.Count))
		}
	}
	fmt.Fprintf(w, "\nDaily\n  Date\tTotal\tScheduled\tConfirmed\tCompleted\tCancelled\tNo show\n")
	for _, d := range a.DailyBreakdown {
		sb := d.StatusBreakdown
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", license.FormatISODate(d.Date), num(d.Count), num(sb["scheduled"]), num(sb["confirmed"]),
			num(sb["completed"]), num(sb["cancelled"]), num(sb["no_show"]))
	}
	w.Flush()
}

func filterText(f reports.AppointmentFilter) string {
	parts := f.Words()
	if len(parts) == 0 {
		return ""
	}
	return ", only " + strings.Join(parts, ", ")
}

func printRevenue(out io.Writer, r reports.RevenueAnalytics) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	money := func(c int64) string { return termSafe(reports.FormatMoney(c, r.Currency)) }
	fmt.Fprintf(w, "Revenue %s to %s (%d days; succeeded %s payments by the local date paid, %s)\n\n", license.FormatISODate(r.From), license.FormatISODate(r.To), r.PeriodDays, termSafe(r.Currency), termSafe(r.TimeZone))
	fmt.Fprintf(w, "Total revenue\t%s\n", money(r.TotalRevenueCents))
	fmt.Fprintf(w, "Transactions\t%s\n", num(r.TransactionCount))
	fmt.Fprintf(w, "Average transaction\t%s\n\nBy service\n  ID\tName\tRevenue\tCount\n", money(r.AverageTransactionValueCents))
	for _, s := range r.ByService {
		fmt.Fprintf(w, "  %d\t%s\t%s\t%s\n", s.ServiceID, termSafe(s.ServiceName), money(s.RevenueCents), num(s.Count))
	}
	fmt.Fprintf(w, "\nDaily\n  Date\tRevenue\tTransactions\n")
	for _, d := range r.DailyBreakdown {
		fmt.Fprintf(w, "  %s\t%s\t%s\n", license.FormatISODate(d.Date), money(d.RevenueCents), num(d.TransactionCount))
	}
	w.Flush()
}
