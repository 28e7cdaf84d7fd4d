package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// defBusyHours is the definition under the busy-hours heatmap (docs/metrics.md, busy_hours).
const defBusyHours = "Appointments by the weekday and hour of their local start (tenant's time zone), Monday first, every status unless filtered."

// busyHoursSection is the busy-hours heatmap of the Dashboard and the Analytics screen: the chart
// where the plan includes Busy hours, else its place with the inline prompt naming the plan.
type busyHoursSection struct {
	view    fyne.CanvasObject
	chart   *chartView
	ctx     context.Context
	dark    bool
	allowed bool
}

func newBusyHoursSection(s *Shell) *busyHoursSection {
	b := &busyHoursSection{chart: newChartView(fyne.NewSize(chartMinWidth, 260)), ctx: s.Ctx(), dark: darkTheme(),
		allowed: s.Entitlements().Can(license.FeatureBusyHours).Allowed}
	var body fyne.CanvasObject = b.chart
	if !b.allowed {
		body = container.NewStack(sized(newChartFrame(), fyne.NewSize(400, 260)),
			container.NewVBox(layout.NewSpacer(), NewUpgradePrompt(s, PromptInline, license.FeatureBusyHours), layout.NewSpacer()))
	}
	b.view = section("Busy hours", defBusyHours, body)
	return b
}

// fill draws a's busy hours; a report without them (locked) leaves the prompt in place.
func (b *busyHoursSection) fill(a *reports.AppointmentAnalytics) {
	if !b.allowed || a == nil || a.BusyHours == nil {
		return
	}
	busy := *a
	b.chart.SetRender(b.ctx, "busy-hours.png", func(w, h int) ([]byte, error) {
		return reports.BusyHoursChart(busy, reports.ChartOptions{Width: w, Height: h, Dark: b.dark})
	})
}
