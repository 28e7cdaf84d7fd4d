package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// AnalyticsReports is what the Dashboard and Analytics screens ask of the reports layer;
// *reports.Service has it, and a UI test can pass a fake. It is the gate: each report takes
// the entitlements and refuses what they do not include.
type AnalyticsReports interface {
	Dashboard(ctx context.Context, ents license.Entitlements) (reports.Dashboard, error)
	Appointments(ctx context.Context, ents license.Entitlements, q reports.AppointmentQuery) (reports.GatedAppointments, error)
	Revenue(ctx context.Context, ents license.Entitlements, q reports.RevenueQuery) (reports.RevenueAnalytics, error)
	Catalog(ctx context.Context) (reports.Catalog, error)
	DocumentSaver
	StaffReports
}

var _ AnalyticsReports = (*reports.Service)(nil)

// Metric definitions shown beneath every number (docs/metrics.md has the long form).
const (
	defTotal        = "Appointments whose start falls on a day of the period (tenant's local dates), every status unless filtered."
	defTrend        = "This period's total against the same number of days just before it. Blank when that period is empty or outside your history window."
	defCancellation = "Cancelled ÷ total × 100."
	defNoShow       = "No-shows ÷ total × 100."
	defRevenue      = "Succeeded payments in the tenant's currency, by the local date they were paid."
	defTransactions = "Number of those succeeded payments."
	defAverage      = "Total revenue ÷ transactions, rounded to the cent."
)

// analyticsView is the Analytics screen: period and filters on top, appointment and revenue tabs.
type analyticsView struct {
	s      *Shell
	ar     AnalyticsReports
	window license.Window
	req    reports.PeriodRequest
	filter reports.AppointmentFilter

	cancel  context.CancelFunc
	busy    *fyne.Container
	message *fyne.Container
	status  *widget.Select
	service *widget.Select
	rsrc    *widget.Select
	// The rows of the choices a tab may not honour, shown by showFiltersFor.
	compareRow, filterRow, statusRow, serviceRow, rsrcRow fyne.CanvasObject
	// periodOnly stands in for the comparison and filter rows on a tab that takes the period only.
	periodOnly fyne.CanvasObject
	catalog    reports.Catalog
	// compare is the "Compare with" choice ("" for none); see analytics_compare.go.
	compare    reports.CompareMode
	compareSel *widget.Select
	appt       *apptPanel
	rev        *revPanel
	staff      *staffPanel
	cust       *custPanel
}

func buildAnalytics(s *Shell) fyne.CanvasObject { return newAnalytics(s, s.Reports()) }

func newAnalytics(s *Shell, ar AnalyticsReports) fyne.CanvasObject {
	v := &analyticsView{s: s, ar: ar, req: reports.PeriodRequest{Days: strconv.Itoa(reports.DefaultAnalyticsDays)}}
	v.window = s.Entitlements().Window(reports.Today(s.Now(), s.Tenant().Location()))
	v.message = container.NewVBox()
	v.appt, v.rev = newApptPanel(s), newRevPanel(s)
	v.staff = newStaffPanel(s, ar)
	v.cust = newCustPanel(s)
	bar := widget.NewProgressBarInfinite()
	v.busy = container.NewBorder(nil, nil, widget.NewLabel("Computing…"),
		&widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: v.stop}, bar)
	v.busy.Hide()
	filters := v.filters()
	v.compareRow = labeled("Compare with", v.compareChoice())
	v.periodOnly = newPeriodOnlyNote(v.compareRow, filters)
	picker := NewPeriodPicker(s, reports.DefaultAnalyticsDays, func(r reports.PeriodRequest) {
		v.req = r
		v.run()
	})
	revTab := container.NewTabItem("Revenue", v.rev.view)
	if !s.Entitlements().Can(license.FeatureRevenueAnalytics).Allowed {
		revTab.Icon = LockIcon()
	}
	apptSave := newDocSaver(s, ar, reports.ReportAppointments, v.documentRequest)
	revSave := newDocSaver(s, ar, reports.ReportRevenue, v.documentRequest)
	revTab.Content = container.NewBorder(revSave.root, nil, nil, nil, v.rev.view)
	custTab := container.NewTabItem("Customers", withDocSaver(newDocSaver(s, ar, reports.ReportCustomers, v.documentRequest), v.cust.view))
	if !s.Entitlements().Can(license.FeatureCustomerInsights).Allowed {
		custTab.Icon = LockIcon()
	}
	tabs := container.NewAppTabs(container.NewTabItem("Appointments", container.NewBorder(apptSave.root, nil, nil, nil, v.appt.view)), revTab, custTab, v.staffTab())
	tabs.OnSelected = func(ti *container.TabItem) { v.showFiltersFor(ti.Text) }
	top := container.NewVBox(
		widget.NewLabelWithStyle("Analytics", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		// Period and filters on rows of their own: side by side, a two-column grid doubles
		// the filters' width and pushes the screen past 1024 pixels.
		labeled("Period", picker), v.compareRow, filters, v.periodOnly,
		v.busy, v.message,
	)
	v.loadCatalog()
	if v.cancel == nil { // the picker had no allowed first choice to report
		v.run()
	}
	root := container.NewBorder(top, nil, nil, nil, tabs)
	tabKeys(s, root, tabs)
	return root
}

// Fyne's tab buttons take no keyboard focus, so Ctrl+Page Down and Ctrl+Page Up (as in
// browsers; ⌘ on a Mac, Fyne's shortcut key) select the next and the previous Analytics tab,
// wrapping around.
var (
	nextTabShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyPageDown, Modifier: fyne.KeyModifierShortcutDefault}
	prevTabShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyPageUp, Modifier: fyne.KeyModifierShortcutDefault}
)

// tabKeys binds the tab shortcuts on the window to tabs while root is the screen on show (a
// later build of the screen binds them to its own tabs).
func tabKeys(s *Shell, root fyne.CanvasObject, tabs *container.AppTabs) {
	step := func(d int) func(fyne.Shortcut) {
		return func(fyne.Shortcut) {
			if n := len(tabs.Items); n > 0 && s.content != nil && len(s.content.Objects) > 0 && s.content.Objects[0] == root {
				tabs.SelectIndex((tabs.SelectedIndex() + d + n) % n)
			}
		}
	}
	s.Win.Canvas().AddShortcut(nextTabShortcut, step(1))
	s.Win.Canvas().AddShortcut(prevTabShortcut, step(-1))
}

// documentRequest is the report on show as a document: the period and filters chosen now,
// each report with the filters it honours (revenue: the service alone), as computeAnalytics
// asks for them.
func (v *analyticsView) documentRequest() (reports.DocumentRequest, error) {
	p, err := reports.ResolvePeriod(v.req, v.window, reports.DefaultAnalyticsDays)
	if err != nil {
		return reports.DocumentRequest{}, err
	}
	return reports.DocumentRequest{
		Appointments: reports.AppointmentQuery{Period: p, Window: v.window, Filter: v.filter},
		Revenue:      reports.RevenueQuery{Period: p, ServiceID: v.filter.ServiceID},
		Customers:    reports.CustomerQuery{Period: p, Window: v.window},
		Staff:        reports.StaffQuery{Period: p},
		Compare:      documentCompare(p, v.compare, v.window, v.s.Entitlements()),
	}, nil
}

func labeled(label string, o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(nil, nil, widget.NewLabel(label), nil, o)
}

const allChoice = "All"

// filters are status, service and resource pickers; revenue uses only the service.
func (v *analyticsView) filters() fyne.CanvasObject {
	opts := []string{allChoice}
	for _, st := range data.AppointmentStatuses().All() {
		opts = append(opts, reports.StatusLabel(st))
	}
	v.status = widget.NewSelect(opts, func(label string) {
		v.filter.Status = ""
		for _, st := range data.AppointmentStatuses().All() {
			if reports.StatusLabel(st) == label {
				v.filter.Status = string(st)
			}
		}
		v.run()
	})
	v.service = widget.NewSelect([]string{allChoice}, func(label string) {
		v.filter.ServiceID = optionID(v.catalog.Services, label)
		v.run()
	})
	v.rsrc = widget.NewSelect([]string{allChoice}, func(label string) {
		v.filter.ResourceID = optionID(v.catalog.Resources, label)
		v.run()
	})
	for _, sel := range []*widget.Select{v.status, v.service, v.rsrc} {
		sel.PlaceHolder = allChoice
	}
	v.statusRow, v.serviceRow, v.rsrcRow = labeled("Status", v.status), labeled("Service", v.service), labeled("Resource", v.rsrc)
	v.filterRow = container.NewGridWithColumns(3, v.statusRow, v.serviceRow, v.rsrcRow)
	return v.filterRow
}

// tabChoices is which of the screen's choices a tab's report honours; the period applies to
// every tab and is always shown.
type tabChoices struct{ compare, status, service, resource bool }

// choicesFor are the choices of each Analytics tab, by its title: revenue is filtered by
// service alone; the customer and staff reports take the period only (reports.CustomerQuery
// and reports.StaffQuery have no filters, and no comparison). A title not listed shows all.
var choicesFor = map[string]tabChoices{
	"Revenue":   {compare: true, service: true},
	"Customers": {},
	"Staff":     {},
}

// showFiltersFor shows only the choices the tab titled title honours; a hidden picker keeps
// its value, and the tabs that honour it show it again as it was.
func (v *analyticsView) showFiltersFor(title string) {
	c, ok := choicesFor[title]
	if !ok {
		c = tabChoices{compare: true, status: true, service: true, resource: true}
	}
	filters := c.status || c.service || c.resource
	setShown(v.periodOnly, !c.compare && !filters)
	setShown(v.compareRow, c.compare)
	setShown(v.filterRow, filters)
	if filters { // hidden, the row keeps its pickers: the note measures its height by them
		setShown(v.statusRow, c.status)
		setShown(v.serviceRow, c.service)
		setShown(v.rsrcRow, c.resource)
	}
}

// periodOnlyText is what stands in the pickers' place on the Customers and Staff tabs.
const periodOnlyText = "This report takes the period only: Compare with and the filters are for the Appointments and Revenue tabs."

// newPeriodOnlyNote is the one line said in place of rows, hidden at first: as tall as the rows
// it stands in for, so the tab bar below stays where it was when a tab hides them.
func newPeriodOnlyNote(rows ...fyne.CanvasObject) fyne.CanvasObject {
	l := widget.NewLabel(periodOnlyText)
	l.Wrapping = fyne.TextWrapWord
	note := container.New(&heightOf{rows: rows}, l)
	note.Hide()
	return note
}

// heightOf lays its objects out from the top, as tall as rows would be in a VBox (at least
// as tall as the objects need).
type heightOf struct{ rows []fyne.CanvasObject }

func (h *heightOf) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.Position{})
		o.Resize(fyne.NewSize(size.Width, o.MinSize().Height))
	}
}

func (h *heightOf) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var need fyne.Size
	for _, o := range objs {
		need = need.Max(o.MinSize())
	}
	rows := -theme.Padding()
	for _, r := range h.rows {
		rows += r.MinSize().Height + theme.Padding()
	}
	return fyne.NewSize(need.Width, max(need.Height, rows))
}

// setShown shows or hides o.
func setShown(o fyne.CanvasObject, shown bool) {
	if shown {
		o.Show()
	} else {
		o.Hide()
	}
}

func optionLabel(o reports.Option) string {
	if o.Active {
		return o.Name
	}
	return o.Name + " (inactive)"
}

func optionID(opts []reports.Option, label string) int64 {
	for _, o := range opts {
		if optionLabel(o) == label {
			return o.ID
		}
	}
	return 0
}

func (v *analyticsView) loadCatalog() {
	Run(v.s.Ctx(), v.ar.Catalog, func(c reports.Catalog, err error) {
		if err != nil {
			v.showError(err)
			return
		}
		v.catalog = c
		for _, pair := range []struct {
			sel  *widget.Select
			opts []reports.Option
		}{{v.service, c.Services}, {v.rsrc, c.Resources}} {
			labels := []string{allChoice}
			for _, o := range pair.opts {
				labels = append(labels, optionLabel(o))
			}
			pair.sel.SetOptions(labels)
		}
	})
}

// analyticsResult is one background computation: the reports and their charts.
type analyticsResult struct {
	period  reports.Period
	appt    *reports.AppointmentAnalytics
	apptPNG map[reports.ChartKind][]byte
	rev     *reports.RevenueAnalytics
	revPNG  []byte
	// The comparison's headline numbers, or why there is none (a *license.HistoryError).
	apptCmp, revCmp *reports.Comparison
	cmpErr          error
	cust            *reports.CustomerInsights
}

// run recomputes off the UI goroutine, cancelling any computation still running.
func (v *analyticsView) run() {
	if v.status == nil || v.busy == nil {
		return // the picker reports its first choice while the screen is still being built
	}
	v.stop()
	v.busy.Show()
	ents := v.s.Entitlements()
	opts := reports.ChartOptions{Width: 860, Height: 300, Dark: darkTheme()}
	small := reports.ChartOptions{Width: 425, Height: 300, Dark: opts.Dark}
	req, filter, w, mode := v.req, v.filter, v.window, v.compare
	v.cancel = Run(v.s.Ctx(), func(ctx context.Context) (analyticsResult, error) {
		res, err := computeAnalytics(ctx, v.ar, ents, w, req, filter, opts, small)
		if err == nil {
			err = addComparison(ctx, v.ar, ents, w, filter, mode, opts, &res)
		}
		return res, err
	}, v.show)
}

func (v *analyticsView) stop() {
	if v.cancel != nil {
		v.cancel()
		v.cancel = nil
	}
	v.busy.Hide()
}

func computeAnalytics(ctx context.Context, ar AnalyticsReports, ents license.Entitlements, w license.Window,
	req reports.PeriodRequest, f reports.AppointmentFilter, wide, small reports.ChartOptions) (analyticsResult, error) {
	var res analyticsResult
	p, err := reports.ResolvePeriod(req, w, reports.DefaultAnalyticsDays)
	if err != nil {
		return res, err
	}
	res.period = p
	charts := reports.CheckCharts(ents) == nil
	// The service gates: locked sections come back blank, and a plan with none of them is
	// refused, which leaves the tab to its lock.
	g, err := ar.Appointments(ctx, ents, reports.AppointmentQuery{Period: p, Window: w, Filter: f})
	switch {
	case isUpgrade(err):
	case err != nil:
		return res, err
	default:
		a := g.AppointmentAnalytics
		res.appt = &a
		if charts {
			if res.apptPNG, err = appointmentPNGs(a, wide, small); err != nil {
				return res, err
			}
		}
	}
	r, err := ar.Revenue(ctx, ents, reports.RevenueQuery{Period: p, ServiceID: f.ServiceID})
	switch {
	case isUpgrade(err):
	case err != nil:
		return res, err
	default:
		res.rev = &r
		if charts {
			if res.revPNG, err = reports.DailyRevenueChart(r, wide); err != nil {
				return res, err
			}
		}
	}
	if res.cust, err = customersFor(ctx, ar, ents, p, w); err != nil {
		return res, err
	}
	return res, ctx.Err()
}

// isUpgrade reports whether err is the plan's refusal, which the screens show as their lock.
func isUpgrade(err error) bool {
	var ue *license.UpgradeError
	return errors.As(err, &ue)
}

func appointmentPNGs(a reports.AppointmentAnalytics, wide, small reports.ChartOptions) (map[reports.ChartKind][]byte, error) {
	out := map[reports.ChartKind][]byte{}
	var err error
	if out[reports.ChartDailyAppointments], err = reports.DailyAppointmentsChart(a, wide); err != nil {
		return nil, err
	}
	if out[reports.ChartByStatus], err = reports.ByStatusChart(a, small); err != nil {
		return nil, err
	}
	if out[reports.ChartByService], err = reports.ByServiceChart(a, small); err != nil {
		return nil, err
	}
	return out, nil
}

func (v *analyticsView) show(res analyticsResult, err error) {
	v.busy.Hide()
	v.cancel = nil
	if errors.Is(err, context.Canceled) {
		return
	}
	v.message.RemoveAll()
	if err != nil {
		v.showError(err)
		return
	}
	if res.period.Notice != nil {
		v.message.Add(NewBanner(BannerInfo, daysNoticeText(res.period.Notice)))
	}
	if res.appt != nil {
		v.appt.fill(*res.appt, res.apptPNG)
	}
	if res.rev != nil {
		v.rev.fill(*res.rev, res.revPNG)
	}
	v.showComparison(res)
	v.staff.load(res.period)
	if res.cust != nil {
		v.cust.fill(*res.cust)
	}
}

func (v *analyticsView) showError(err error) {
	v.message.RemoveAll()
	var he *license.HistoryError
	if errors.As(err, &he) {
		v.message.Add(NewHistoryPrompt(v.s, he))
		return
	}
	v.message.Add(NewBanner(BannerDanger, "Could not compute the analytics: "+errorWords(err)))
}

// apptPanel is the Appointments tab. Its sections follow the registry: counts, charts,
// tables and the trend are Analytics charts (STARTER); the rates are Advanced analytics
// (PROFESSIONAL) and, when locked, keep their place with an inline prompt naming the plan.
type apptPanel struct {
	view                         fyne.CanvasObject
	total, trend, cancel, noShow *Card
	daily, byStatus, byService   *fyne.Container
	tables                       *fyne.Container
	heading                      *widget.Label
	advanced                     bool // the rates are included
	busy                         *busyHoursSection
}

func newApptPanel(s *Shell) *apptPanel {
	p := &apptPanel{
		total: NewCard("Appointments", defTotal), trend: NewCard("Booking trend", defTrend),
		cancel: NewCard("Cancellation rate", defCancellation), noShow: NewCard("No-show rate", defNoShow),
		daily: chartSlot(860, 300), byStatus: chartSlot(425, 300), byService: chartSlot(425, 300),
		tables: container.NewVBox(), heading: widget.NewLabel(""), busy: newBusyHoursSection(s),
	}
	d := s.Entitlements().Can(license.FeatureAdvancedAnalytics)
	p.advanced = d.Allowed
	if !p.advanced {
		// A lock alone: the heading-size plan name would widen the row past a 1024-pixel
		// screen; the caption and the inline prompt below name the plan.
		for _, c := range []*Card{p.cancel, p.noShow} {
			c.Value.SetText("🔒")
			c.Caption.SetText(c.Caption.Text + " Included in " + d.RequiredPlan.String() + ".")
		}
	}
	// The rates' own prompt only where the section is open: under the section's overlay (FREE)
	// it would peek out beside it, naming a second plan.
	var rates fyne.CanvasObject = container.NewVBox()
	if s.Entitlements().Can(license.FeatureAnalyticsCharts).Allowed {
		rates = NewUpgradePrompt(s, PromptInline, license.FeatureAdvancedAnalytics) // empty when included
	}
	charts := container.NewVBox(p.daily, newFlowGrid(chartMinWidth, 2, p.byStatus, p.byService))
	content := container.NewVBox(p.heading, newCardGrid(4, p.total, p.trend, p.cancel, p.noShow), rates, charts, p.busy.view, p.tables)
	p.view = container.NewVScroll(NewLockedSection(s, license.FeatureAnalyticsCharts, content))
	return p
}

func (p *apptPanel) fill(a reports.AppointmentAnalytics, pngs map[reports.ChartKind][]byte) {
	p.heading.SetText(fmt.Sprintf("%s to %s, %d days, local dates in %s.", license.FormatISODate(a.From), license.FormatISODate(a.To), a.PeriodDays, a.TimeZone))
	p.total.Value.SetText(data.Thousands(a.Total))
	if a.BookingTrendPercent != nil {
		p.trend.Value.SetText(fmt.Sprintf("%+.2f%%", *a.BookingTrendPercent))
	} else {
		p.trend.Value.SetText("—")
	}
	if p.advanced {
		p.cancel.Value.SetText(fmt.Sprintf("%.2f%%", a.CancellationRatePercent))
		p.noShow.Value.SetText(fmt.Sprintf("%.2f%%", a.NoShowRatePercent))
	}
	setChart(p.daily, pngs[reports.ChartDailyAppointments], "daily.png")
	setChart(p.byStatus, pngs[reports.ChartByStatus], "status.png")
	setChart(p.byService, pngs[reports.ChartByService], "service.png")
	p.busy.fill(&a)
	p.tables.Objects = apptTables(a)
	p.tables.Refresh()
}

func apptTables(a reports.AppointmentAnalytics) []fyne.CanvasObject {
	var status [][]string
	for _, st := range data.AppointmentStatuses().All() {
		status = append(status, []string{reports.StatusLabel(st), data.Thousands(a.ByStatus[string(st)])})
	}
	named := func(rows []reports.NamedCount) [][]string {
		var out [][]string
		for _, r := range rows {
			out = append(out, []string{r.Name, data.Thousands(r.Count), strconv.FormatInt(r.ID, 10)})
		}
		return out
	}
	var daily [][]string
	for _, d := range a.DailyBreakdown {
		row := []string{d.Date, data.Thousands(d.Count)}
		for _, st := range data.AppointmentStatuses().All() {
			row = append(row, data.Thousands(d.StatusBreakdown[string(st)]))
		}
		daily = append(daily, row)
	}
	dailyHead := []string{"Date", "Total"}
	for _, st := range data.AppointmentStatuses().All() {
		dailyHead = append(dailyHead, reports.StatusLabel(st))
	}
	// Two tables a row: a name and its count need about half the screen at 1024 pixels.
	return []fyne.CanvasObject{
		container.NewGridWithColumns(2,
			section("By service", "Largest first.", table([]string{"Service", "Count", "ID"}, named(a.ByService), 220)),
			section("By resource", "Largest first.", table([]string{"Resource", "Count", "ID"}, named(a.ByResource), 220))),
		container.NewGridWithColumns(2,
			section("By status", "Every status, zeros included.", table([]string{"Status", "Count"}, status, 220)),
			layout.NewSpacer()),
		section("Daily breakdown", "One row per local date of the period, zeros included.", table(dailyHead, daily, 260)),
	}
}

// revPanel is the Revenue tab.
type revPanel struct {
	view                  fyne.CanvasObject
	total, count, average *Card
	daily                 *fyne.Container
	tables                *fyne.Container
	heading               *widget.Label
}

func newRevPanel(s *Shell) *revPanel {
	p := &revPanel{
		total: NewCard("Revenue", defRevenue), count: NewCard("Transactions", defTransactions), average: NewCard("Average transaction", defAverage),
		daily: chartSlot(860, 300), tables: container.NewVBox(), heading: widget.NewLabel(""),
	}
	charts := chartsSection(s, license.FeatureRevenueAnalytics, p.daily)
	content := container.NewVBox(p.heading, newCardGrid(3, p.total, p.count, p.average), charts, p.tables)
	// The locked overlay names both conditions: the plan and a tenant that accepts payments.
	p.view = container.NewVScroll(NewLockedSection(s, license.FeatureRevenueAnalytics, content))
	return p
}

func (p *revPanel) fill(r reports.RevenueAnalytics, png []byte) {
	money := func(c int64) string { return reports.FormatMoney(c, r.Currency) }
	p.heading.SetText(fmt.Sprintf("%s to %s, %d days, paid dates in %s, %s only.", license.FormatISODate(r.From), license.FormatISODate(r.To), r.PeriodDays, r.TimeZone, r.Currency))
	p.total.Value.SetText(money(r.TotalRevenueCents))
	p.count.Value.SetText(data.Thousands(r.TransactionCount))
	p.average.Value.SetText(money(r.AverageTransactionValueCents))
	setChart(p.daily, png, "revenue.png")
	var bySvc, daily [][]string
	for _, s := range r.ByService {
		bySvc = append(bySvc, []string{s.ServiceName, money(s.RevenueCents), data.Thousands(s.Count), strconv.FormatInt(s.ServiceID, 10)})
	}
	for _, d := range r.DailyBreakdown {
		daily = append(daily, []string{d.Date, money(d.RevenueCents), data.Thousands(d.TransactionCount)})
	}
	p.tables.Objects = []fyne.CanvasObject{container.NewGridWithColumns(2,
		section("By service", "Largest first; a payment without an appointment counts as \"No appointment\".",
			table([]string{"Service", "Revenue", "Count", "ID"}, bySvc, 260)),
		section("Daily breakdown", "One row per local date, zeros included.", table([]string{"Date", "Revenue", "Transactions"}, daily, 260)))}
	p.tables.Refresh()
}

// chartsSection locks charts on their own only when the tab around them (gated by outer) is
// open; otherwise the tab's overlay already explains, and a second one would stack under it.
func chartsSection(s *Shell, outer string, charts fyne.CanvasObject) fyne.CanvasObject {
	if !s.Entitlements().Can(outer).Allowed {
		return charts
	}
	return NewLockedSection(s, license.FeatureAnalyticsCharts, charts)
}

// section is a bold title, a definition and content.
func section(title, definition string, content fyne.CanvasObject) fyne.CanvasObject {
	def := widget.NewLabel(definition)
	def.SizeName = theme.SizeNameCaptionText
	def.Wrapping = fyne.TextWrapWord
	return container.NewBorder(container.NewVBox(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), def), nil, nil, nil, content)
}

// table shows rows under a header row in a scrolling widget.Table of the given height. Each
// column is as wide as its widest cell (header included), so names and counts show whole;
// only a name wider than maxColumnWidth is cut, with an ellipsis.
func table(head []string, rows [][]string, height float32) fyne.CanvasObject {
	t := newTable(head, rows)
	for i, w := range columnWidths(head, rows) {
		t.SetColumnWidth(i, w)
	}
	return sized(t, fyne.NewSize(0, height))
}

// fitTable is a table whose columns fit the width it is given (see fitColumns): each as wide
// as its widest cell, the flex columns (names, emails) cut with an ellipsis when all of them
// would not fit, so a wide table needs no sideways scrolling.
func fitTable(head []string, rows [][]string, height float32, flex ...int) fyne.CanvasObject {
	return sized(newFitColumns(newTable(head, rows), head, rows, flex), fyne.NewSize(0, height))
}

// newTable shows rows under a bold header row, each cell a label cut with an ellipsis.
func newTable(head []string, rows [][]string) *widget.Table {
	t := widget.NewTableWithHeaders(
		func() (int, int) { return len(rows), len(head) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(rows[id.Row][id.Col]) },
	)
	t.ShowHeaderColumn = false
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		l.TextStyle.Bold = true
		if id.Row < 0 && id.Col >= 0 && id.Col < len(head) {
			l.SetText(head[id.Col])
		}
	}
	return t
}

// maxColumnWidth caps a column of long names so a table still fits half a 1024-pixel screen.
const maxColumnWidth = 300

// columnWidths fits each column to its widest cell: the text (bold for the header) plus a
// label's padding on both sides.
func columnWidths(head []string, rows [][]string) []float32 {
	pad := 2*theme.InnerPadding() + 4
	out := textWidths(head, rows)
	for i, w := range out {
		out[i] = min(float32(maxColumnWidth), w+pad)
	}
	return out
}

// textWidths is each column's widest text: its header (bold) or a cell.
func textWidths(head []string, rows [][]string) []float32 {
	size := theme.TextSize()
	out := make([]float32, len(head))
	for i, h := range head {
		w := fyne.MeasureText(h, size, fyne.TextStyle{Bold: true}).Width
		for _, r := range rows {
			if i < len(r) {
				w = max(w, fyne.MeasureText(r[i], size, fyne.TextStyle{}).Width)
			}
		}
		out[i] = w
	}
	return out
}

// sized gives o a minimum size.
func sized(o fyne.CanvasObject, min fyne.Size) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(min)
	return container.NewStack(r, o)
}

// chartSlot reserves a chart's place before its PNG arrives; the chart takes the width the
// layout gives it (see reflow.go), down to half the width it was drawn for.
func chartSlot(w, h float32) *fyne.Container {
	return container.NewStack(newChartView(fyne.NewSize(min(w/2, chartMinWidth), h)))
}

// setChart shows PNG bytes in a slot; the same bytes the command line writes with --chart.
func setChart(slot *fyne.Container, png []byte, name string) {
	if c, ok := slot.Objects[0].(*chartView); ok && png != nil {
		c.SetPNG(png, name)
	}
}

// darkTheme reports whether the current theme has a dark background, so charts match it.
func darkTheme() bool {
	r, g, b, _ := theme.Color(theme.ColorNameBackground).RGBA()
	return (299*r+587*g+114*b)/1000 < 0x8000
}
