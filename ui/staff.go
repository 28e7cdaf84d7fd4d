package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// StaffReports is what the Analytics screen's Staff tab asks of the reports layer;
// *reports.Service has it. It gates: Staff refuses a plan without Staff performance.
type StaffReports interface {
	Staff(ctx context.Context, ents license.Entitlements, q reports.StaffQuery) (reports.StaffReport, error)
}

var _ StaffReports = (*reports.Service)(nil)

// Definitions under the Staff tab's numbers (docs/metrics.md, Staff and resources).
const (
	defStaffAppointments = "Appointments of all resources whose start falls on a day of the period (tenant's local dates), every status."
	defStaffTable        = "Per resource, most appointments first (ties by id). Appts: its appointments. Visits: the completed ones. Canc. and NS: the cancelled and the no-show ones; Canc. % and NS %: those of its appointments, in percent. Hours: booked hours, end minus start of its appointments that were not cancelled. Revenue: succeeded payments paid in the period for its appointments. Share: its appointments of all appointments, in percent."
)

// staffPanel is the Staff tab: the staff report over the screen's period, locked with the
// overlay naming the plan when the plan has no Staff performance.
type staffPanel struct {
	s       *Shell
	sr      StaffReports
	view    fyne.CanvasObject
	heading *widget.Label
	total   *Card
	table   *fyne.Container
	cancel  context.CancelFunc
}

func newStaffPanel(s *Shell, sr StaffReports) *staffPanel {
	p := &staffPanel{s: s, sr: sr, heading: widget.NewLabel(""), total: NewCard("Appointments", defStaffAppointments), table: container.NewVBox()}
	content := container.NewVBox(p.heading, newCardGrid(4, p.total), p.table)
	p.view = container.NewVScroll(NewLockedSection(s, license.FeatureStaffPerformance, content))
	return p
}

// load computes the staff report for period off the UI goroutine, cancelling any still running.
func (p *staffPanel) load(period reports.Period) {
	if !p.s.Entitlements().Can(license.FeatureStaffPerformance).Allowed {
		return
	}
	if p.cancel != nil {
		p.cancel()
	}
	ents := p.s.Entitlements()
	p.cancel = Run(p.s.Ctx(), func(ctx context.Context) (reports.StaffReport, error) {
		return p.sr.Staff(ctx, ents, reports.StaffQuery{Period: period})
	}, p.show)
}

func (p *staffPanel) show(r reports.StaffReport, err error) {
	p.cancel = nil
	switch {
	case errors.Is(err, context.Canceled):
		return
	case err != nil:
		p.heading.SetText("Could not compute the staff report: " + errorWords(err))
		return
	}
	p.heading.SetText(fmt.Sprintf("%s to %s, %d days, local dates in %s.", license.FormatISODate(r.From), license.FormatISODate(r.To), r.PeriodDays, r.TimeZone))
	p.total.Value.SetText(data.Thousands(r.TotalAppointments))
	p.table.Objects = []fyne.CanvasObject{section("By resource", defStaffTable, fitTable(staffHead, staffRows(r), 320, 0))}
	p.table.Refresh()
}

// staffHead are short, so every column fits a 1024-pixel window; defStaffTable spells them out.
var staffHead = []string{"Resource", "Appts", "Visits", "Canc.", "NS", "Canc. %", "NS %", "Hours", "Revenue", "Share", "ID"}

// staffRows are the report's resources as the table shows them.
func staffRows(r reports.StaffReport) [][]string {
	var rows [][]string
	pct := func(v float64) string { return fmt.Sprintf("%.2f%%", v) }
	for _, x := range r.Resources {
		rows = append(rows, []string{x.Name, data.Thousands(x.Appointments), data.Thousands(x.Visits), data.Thousands(x.Cancelled),
			data.Thousands(x.NoShow), pct(x.CancellationRatePercent), pct(x.NoShowRatePercent), fmt.Sprintf("%.2f", x.BookedHours),
			reports.FormatMoney(x.RevenueCents, r.Currency), pct(x.SharePercent), strconv.FormatInt(x.ID, 10)})
	}
	return rows
}

// tab is the Staff tab of the Analytics screen, with a lock when the plan has no Staff performance.
func (p *staffPanel) tab() *container.TabItem {
	t := container.NewTabItem("Staff", p.view)
	if !p.s.Entitlements().Can(license.FeatureStaffPerformance).Allowed {
		t.Icon = LockIcon()
	}
	return t
}
