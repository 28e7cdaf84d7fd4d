package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"

	"github.com/almanac-app/almanac/data"
)

// Definitions of the cards computed over past appointments; the load adds what they cover.
const (
	defDuration = "Mean scheduled length (end – start) of the appointments that have started."
	defPeakDay  = "The weekday with the most appointments that have started, by local start date."
	defPeakHour = "The local hour of day in which the most appointments that have started began."
)

// DashboardReports is what the Dashboard screen asks of the reports layer: its numbers, the
// appointments its charts draw, and the dashboard saved as a document.
type DashboardReports interface {
	Dashboard(ctx context.Context, ents license.Entitlements) (reports.Dashboard, error)
	Appointments(ctx context.Context, ents license.Entitlements, q reports.AppointmentQuery) (reports.GatedAppointments, error)
	DocumentSaver
}

var _ DashboardReports = (*reports.Service)(nil)

// dashboardView holds the dashboard's cards and chart slots so a background load can fill them.
type dashboardView struct {
	month, allTime, upcoming, duration *Card
	resources, services, peakDay, hour *Card
	daily, byStatus                    *chartView
	chartsNote                         *widget.Label
	busy                               *busyHoursSection
	status                             *widget.Label
	ctx                                context.Context // the shell's, for chart re-renders
	dark                               bool

	// The "Compare with" choice ("" for none), where the comparison's prompt goes, and the
	// load to cancel when the choice changes.
	s          *Shell
	dr         DashboardReports
	compare    reports.CompareMode
	compareSel *widget.Select
	message    *fyne.Container
	cancel     context.CancelFunc
	gen        int // the latest load's number: an earlier one's answer is dropped
}

// dashboardResult is one background load: the numbers and, where the plan allows, the
// appointments the charts draw (at whatever size they are given).
type dashboardResult struct {
	d     reports.Dashboard
	appts *reports.AppointmentAnalytics
	// With a comparison: the month's, the charts' comparison days (nil when out of reach), or
	// why there is none (a *license.HistoryError).
	cmp       *reports.Comparison
	prevAppts *reports.AppointmentAnalytics
	cmpErr    error
}

func buildDashboard(s *Shell) fyne.CanvasObject { return newDashboard(s, s.Reports()) }

func newDashboard(s *Shell, dr DashboardReports) fyne.CanvasObject {
	v := &dashboardView{
		month:     NewCard("Appointments this month", "Every appointment whose start falls in this calendar month (tenant's time zone), future ones and every status included."),
		allTime:   NewCard("Appointments, all time", "Every appointment from the start of your plan's history window on, future ones included."),
		upcoming:  NewCard("Upcoming appointments", "Scheduled or confirmed appointments that start after now."),
		duration:  NewCard("Average duration", defDuration),
		resources: NewCard("Active resources", "Staff, rooms and equipment marked active."),
		services:  NewCard("Active services", "Services marked active."),
		peakDay:   NewCard("Peak booking day", defPeakDay),
		hour:      NewCard("Peak booking hour", defPeakHour),
		daily:     newChartView(fyne.NewSize(chartMinWidth, 300)), byStatus: newChartView(fyne.NewSize(chartMinWidth, 300)),
		chartsNote: widget.NewLabel(""),
		status:     widget.NewLabel("Loading…"),
		busy:       newBusyHoursSection(s),
		s:          s, dr: dr,
		message: container.NewVBox(),
	}
	grid := newCardGrid(4, v.month, v.allTime, v.upcoming, v.duration, v.resources, v.services, v.peakDay, v.hour)
	ents := s.Entitlements()
	// Locked charts keep their place, with the inline prompt naming the plan that unlocks them.
	var charts fyne.CanvasObject = container.NewVBox(v.chartsNote, newFlowGrid(chartMinWidth, 2, v.daily, v.byStatus))
	if !ents.Can(license.FeatureAnalyticsCharts).Allowed {
		charts = container.NewStack(sized(newChartFrame(), fyne.NewSize(400, 300)),
			container.NewVBox(layout.NewSpacer(), NewUpgradePrompt(s, PromptInline, license.FeatureAnalyticsCharts), layout.NewSpacer()))
	}
	v.ctx, v.dark = s.Ctx(), darkTheme()
	v.status.Wrapping = fyne.TextWrapWord // with a comparison it says what is compared
	var compare fyne.CanvasObject
	v.compareSel, compare = newCompareChoice(s, false, func(mode reports.CompareMode) {
		if mode != v.compare {
			v.compare = mode
			v.load()
		}
	})
	v.load()
	save := newDocSaver(s, dr, reports.ReportDashboard, func() (reports.DocumentRequest, error) { return reports.DocumentRequest{}, nil })
	return container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle("Dashboard", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), save.root,
		labeled("Compare with", compare), v.message, grid, v.status,
		widget.NewLabelWithStyle(fmt.Sprintf("Last %d days", reports.DashboardChartDays), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), charts, v.busy.view))
}

// load computes the dashboard (with the comparison chosen) off the UI goroutine, cancelling a
// load still running.
func (v *dashboardView) load() {
	if v.cancel != nil {
		v.cancel()
	}
	ents := v.s.Entitlements()
	w := ents.Window(reports.Today(v.s.Now(), v.s.Tenant().Location()))
	dr, mode := v.dr, v.compare
	v.gen++
	gen := v.gen
	pre := v.s.takeDashboardPrefetch(w)
	if pre.finished() && mode == "" {
		v.cancel = func() {}
		v.show(pre.res, pre.err) // in the frame that shows the screen: no hop through another goroutine
		return
	}
	v.cancel = Run(v.s.Ctx(), func(ctx context.Context) (dashboardResult, error) {
		res, err := pre.result(ctx, dr, ents, w)
		if err == nil {
			err = addDashboardComparison(ctx, dr, ents, w, mode, &res)
		}
		return res, err
	}, func(res dashboardResult, err error) {
		if gen == v.gen && !errors.Is(err, context.Canceled) {
			v.show(res, err)
		}
	})
}

// dashboardPrefetch is a Dashboard load started before the screen is built: the shell's first
// load starts one as soon as it has read the license, off the UI goroutine, while the window is
// still being created; the Dashboard built from that load waits for it instead of loading again.
type dashboardPrefetch struct {
	w    license.Window
	done chan struct{} // closed when res and err are set
	res  dashboardResult
	err  error
}

func prefetchDashboard(ctx context.Context, dr DashboardReports, ents license.Entitlements, w license.Window) *dashboardPrefetch {
	p := &dashboardPrefetch{w: w, done: make(chan struct{})}
	Run(ctx, func(ctx context.Context) (struct{}, error) {
		p.res, p.err = loadDashboard(ctx, dr, ents, w)
		TraceStart("dashboard: prefetch done (numbers and chart rows)")
		close(p.done)
		return struct{}{}, nil
	}, func(struct{}, error) {})
	return p
}

// result is the prefetched load, or a new one when there is none (p is nil).
func (p *dashboardPrefetch) result(ctx context.Context, dr DashboardReports, ents license.Entitlements, w license.Window) (dashboardResult, error) {
	if p == nil {
		return loadDashboard(ctx, dr, ents, w)
	}
	select {
	case <-p.done:
		return p.res, p.err
	case <-ctx.Done():
		return dashboardResult{}, ctx.Err()
	}
}

// finished reports whether there is a prefetched load and it has finished (its res and err set).
func (p *dashboardPrefetch) finished() bool {
	if p == nil {
		return false
	}
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// takeDashboardPrefetch hands the Dashboard being built the first load's prefetch, if that was
// computed for the same history window (the same day); it is taken once.
func (s *Shell) takeDashboardPrefetch(w license.Window) *dashboardPrefetch {
	p := s.prefetch
	s.prefetch = nil
	if p == nil || !p.w.Today.Equal(w.Today) || p.w.MaxDays != w.MaxDays || p.w.Unlimited != w.Unlimited {
		return nil
	}
	return p
}

func loadDashboard(ctx context.Context, ar DashboardReports, ents license.Entitlements, w license.Window) (dashboardResult, error) {
	var res dashboardResult
	d, err := ar.Dashboard(ctx, ents)
	if err != nil {
		return res, err
	}
	res.d = d
	TraceStart("dashboard: Dashboard query done")
	if !reports.DashboardHasDays(ents) {
		return res, nil
	}
	q, err := reports.DashboardDaysQuery(w)
	if err != nil {
		return res, err
	}
	g, err := ar.Appointments(ctx, ents, q)
	if err != nil {
		return res, err
	}
	TraceStart("dashboard: Appointments query (charts, busy hours) done")
	a := g.AppointmentAnalytics
	res.appts = &a
	return res, nil
}

func (v *dashboardView) show(res dashboardResult, err error) {
	if err != nil {
		v.status.SetText("Could not compute the dashboard: " + err.Error())
		return
	}
	d := res.d
	v.month.Value.SetText(data.Thousands(d.TotalAppointmentsThisMonth))
	v.allTime.Title.SetText(allTimeTitle(d))
	v.allTime.Value.SetText(data.Thousands(d.TotalAppointmentsAllTime))
	v.upcoming.Value.SetText(data.Thousands(d.UpcomingAppointmentsCount))
	v.duration.Value.SetText(fmt.Sprintf("%.2f min", d.AverageAppointmentDurationMinutes))
	for c, def := range map[*Card]string{v.duration: defDuration, v.peakDay: defPeakDay, v.hour: defPeakHour} {
		c.Caption.SetText(def + " " + d.SinceNote())
	}
	v.resources.Value.SetText(data.Thousands(d.ActiveResourcesCount))
	v.services.Value.SetText(data.Thousands(d.ActiveServicesCount))
	v.peakDay.Value.SetText("—")
	if d.PeakBookingDay != nil {
		v.peakDay.Value.SetText(*d.PeakBookingDay)
	}
	v.hour.Value.SetText("—")
	if d.PeakBookingHour != nil {
		v.hour.Value.SetText(fmt.Sprintf("%02d:00–%02d:59", *d.PeakBookingHour, *d.PeakBookingHour))
	}
	TraceStart("dashboard: numbers set")
	v.status.SetText(fmt.Sprintf("This month is %s to %s, %s time.", license.FormatISODate(d.Period.StartDate), license.FormatISODate(d.Period.EndDate), d.Tenant.TimeZone))
	v.showComparison(res)
	v.busy.fill(res.appts)
	if a := res.appts; a != nil && a.ByStatus != nil {
		v.chartsNote.SetText(fmt.Sprintf("%s to %s, by local start date.", license.FormatISODate(a.From), license.FormatISODate(a.To)))
		prev := res.prevAppts
		v.daily.SetRender(v.ctx, "dashboard-daily.png", func(w, h int) ([]byte, error) {
			opts := reports.ChartOptions{Width: w, Height: h, Dark: v.dark}
			if prev != nil {
				return reports.DailyAppointmentsCompareChart(*a, *prev, opts)
			}
			return reports.DailyAppointmentsChart(*a, opts)
		})
		v.byStatus.SetRender(v.ctx, "dashboard-status.png", func(w, h int) ([]byte, error) {
			return reports.ByStatusChart(*a, reports.ChartOptions{Width: w, Height: h, Dark: v.dark})
		})
	}
}

// allTimeTitle says "all time" only when the window really is unlimited.
func allTimeTitle(d reports.Dashboard) string {
	if d.AllTimeFrom == "" {
		return "Appointments, all time"
	}
	return "Appointments since " + license.FormatISODate(d.AllTimeFrom)
}

// newChartFrame is the outline a locked chart leaves in its place.
func newChartFrame() fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.StrokeColor = theme.Color(theme.ColorNameSeparator)
	r.StrokeWidth = 1
	r.CornerRadius = theme.InputRadiusSize()
	return r
}
