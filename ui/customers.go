package ui

import (
	"context"
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// CustomerReports is what the Customers tab of the Analytics screen asks of the reports layer;
// *reports.Service has it. The service gates: without Customer insights it refuses with the
// *license.UpgradeError the tab shows as its lock.
type CustomerReports interface {
	Customers(ctx context.Context, ents license.Entitlements, q reports.CustomerQuery) (reports.CustomerInsights, error)
}

var _ CustomerReports = (*reports.Service)(nil)

// Definitions beside the customer numbers (docs/metrics.md has the long form).
const (
	defNewCustomers       = "Customers whose first visit ever falls in the period. A visit is a completed appointment, by local date."
	defReturningCustomers = "Customers with a visit in the period and one before its first day."
	defVisitingCustomers  = "Customers with a visit in the period: new plus returning."
	defRetention          = "Of the customers who visited in the same number of days just before the period, the share who visit again in it. Blank when that period is empty or outside your history window."
	defVisitsPerCustomer  = "Visits in the period ÷ visiting customers, to 2 places."
	defTopCustomers       = "The 20 customers with the most succeeded payments paid in the period, in the tenant's currency; ties by more visits, then lower id."
	defLapsedCustomers    = "Active customers whose last visit was more than %d days before today, with nothing scheduled or confirmed ahead; never-visited customers are not lapsed. Newest last visit first; visits and revenue are lifetime."
)

// custPanel is the Customers tab: the counts with their definitions, then the top and lapsed
// lists. Locked, it keeps its place under the inline prompt naming the plan.
type custPanel struct {
	view                                          fyne.CanvasObject
	newC, returning, visiting, retention, average *Card
	tables                                        *fyne.Container
	heading                                       *widget.Label
}

func newCustPanel(s *Shell) *custPanel {
	p := &custPanel{
		newC: NewCard("New customers", defNewCustomers), returning: NewCard("Returning customers", defReturningCustomers),
		visiting: NewCard("Visiting customers", defVisitingCustomers), retention: NewCard("Retention rate", defRetention),
		average: NewCard("Visits per customer", defVisitsPerCustomer),
		tables:  container.NewVBox(), heading: widget.NewLabel(""),
	}
	p.heading.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(p.heading, newCardGrid(3, p.newC, p.returning, p.visiting), newCardGrid(2, p.retention, p.average), p.tables)
	p.view = container.NewVScroll(NewLockedSection(s, license.FeatureCustomerInsights, content))
	return p
}

func (p *custPanel) fill(c reports.CustomerInsights) {
	money := func(cents int64) string { return reports.FormatMoney(cents, c.Currency) }
	p.heading.SetText(fmt.Sprintf("%s to %s, %d days, local dates in %s, %s only.",
		license.FormatISODate(c.From), license.FormatISODate(c.To), c.PeriodDays, c.TimeZone, c.Currency))
	p.newC.Value.SetText(data.Thousands(c.NewCustomers))
	p.returning.Value.SetText(data.Thousands(c.ReturningCustomers))
	p.visiting.Value.SetText(data.Thousands(c.VisitingCustomers))
	if c.RetentionRatePercent != nil {
		p.retention.Value.SetText(fmt.Sprintf("%.2f%%", *c.RetentionRatePercent))
	} else {
		p.retention.Value.SetText("—")
	}
	p.average.Value.SetText(fmt.Sprintf("%.2f", c.AverageVisitsPerCustomer))
	var top, lapsed [][]string
	for _, t := range c.TopCustomers {
		top = append(top, []string{t.Name, money(t.RevenueCents), data.Thousands(t.Visits), strconv.FormatInt(t.ID, 10)})
	}
	for _, l := range c.LapsedCustomers {
		lapsed = append(lapsed, []string{l.Name, license.FormatISODate(l.LastVisit), data.Thousands(l.Visits), money(l.RevenueCents), l.Email, l.Phone, strconv.FormatInt(l.ID, 10)})
	}
	p.tables.Objects = []fyne.CanvasObject{
		section("Top customers", defTopCustomers, fitTable([]string{"Customer", "Revenue", "Visits", "ID"}, top, 260, 0)),
		section(fmt.Sprintf("Lapsed customers (%s)", data.Thousands(int64(len(c.LapsedCustomers)))), fmt.Sprintf(defLapsedCustomers, c.LapsedDays),
			fitTable([]string{"Customer", "Last visit", "Visits", "Revenue", "Email", "Phone", "ID"}, lapsed, 260, 0, 4)),
	}
	p.tables.Refresh()
}

// customersFor computes the Customers tab's report when ar has it; a plan refusal leaves the tab
// to its lock (nil, nil).
func customersFor(ctx context.Context, ar AnalyticsReports, ents license.Entitlements, p reports.Period, w license.Window) (*reports.CustomerInsights, error) {
	cr, ok := ar.(CustomerReports)
	if !ok {
		return nil, nil
	}
	c, err := cr.Customers(ctx, ents, reports.CustomerQuery{Period: p, Window: w})
	switch {
	case isUpgrade(err):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &c, nil
}
