package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// Labels of the "Compare with" choice.
const (
	compareNone     = "Nothing"
	comparePrevious = "Previous period"
	compareLastYear = "Same dates last year"
)

var compareModes = map[string]reports.CompareMode{comparePrevious: reports.ComparePrevious, compareLastYear: reports.CompareLastYear}

// compareChoice is the Analytics screen's "Compare with" choice (newCompareChoice); on a plan
// without the analytics at all, the screen's own overlay speaks for it.
func (v *analyticsView) compareChoice() fyne.CanvasObject {
	var view fyne.CanvasObject
	v.compareSel, view = newCompareChoice(v.s, reports.CheckCharts(v.s.Entitlements()) != nil, func(mode reports.CompareMode) {
		if mode != v.compare {
			v.compare = mode
			v.run()
		}
	})
	return view
}

// newCompareChoice is a screen's "Compare with" choice, reporting each mode chosen ("" for
// nothing): open where the plan includes period comparisons, else disabled beside the inline
// prompt naming the plan (without it when overlaid, the screen's own lock naming its plan).
func newCompareChoice(s *Shell, overlaid bool, changed func(reports.CompareMode)) (*widget.Select, fyne.CanvasObject) {
	sel := widget.NewSelect([]string{compareNone, comparePrevious, compareLastYear}, func(label string) {
		changed(compareModes[label])
	})
	sel.SetSelected(compareNone)
	if reports.CheckComparisons(s.Entitlements()) != nil {
		sel.Disable()
		if overlaid {
			return sel, sel
		}
		return sel, container.NewVBox(sel, NewUpgradePrompt(s, PromptInline, license.FeaturePeriodComparisons))
	}
	return sel, sel
}

// comparisonBanner is what a screen shows when its comparison could not be made: the history
// prompt naming the plan that reaches the comparison period, or the error in words; nil for none.
func comparisonBanner(s *Shell, err error) fyne.CanvasObject {
	var he *license.HistoryError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &he):
		return NewHistoryPrompt(s, he)
	}
	return NewBanner(BannerDanger, "Could not compare: "+errorWords(err))
}

// addComparison computes the headline numbers over the comparison period of res.period, and
// redraws the daily charts with the comparison as a second, dashed line (at size wide). A
// comparison past the history window is kept as res.cmpErr (shown beside the report).
func addComparison(ctx context.Context, ar AnalyticsReports, ents license.Entitlements, w license.Window,
	f reports.AppointmentFilter, mode reports.CompareMode, wide reports.ChartOptions, res *analyticsResult) error {
	if mode == "" || reports.CheckComparisons(ents) != nil {
		return nil
	}
	cp, err := reports.ResolveComparison(res.period, mode, w)
	if err != nil {
		res.cmpErr = err
		return nil
	}
	if res.appt != nil {
		locked, _ := reports.LockedAppointmentSections(ents) // res.appt exists: some section is open
		g := reports.GatedAppointments{AppointmentAnalytics: *res.appt, Locked: locked}
		prev, err := ar.Appointments(ctx, ents, reports.AppointmentQuery{Period: cp, Window: w, Filter: f})
		if err != nil {
			return err
		}
		c := reports.Compare(mode, cp, reports.AppointmentHeadlines(g), reports.AppointmentHeadlines(prev))
		res.apptCmp = &c
		if res.apptPNG != nil {
			if res.apptPNG[reports.ChartDailyAppointments], err = reports.DailyAppointmentsCompareChart(*res.appt, prev.AppointmentAnalytics, wide); err != nil {
				return err
			}
		}
	}
	if res.rev != nil {
		prev, err := ar.Revenue(ctx, ents, reports.RevenueQuery{Period: cp, ServiceID: f.ServiceID})
		if err != nil {
			return err
		}
		c := reports.Compare(mode, cp, reports.RevenueHeadlines(*res.rev), reports.RevenueHeadlines(prev))
		res.revCmp = &c
		if res.revPNG != nil {
			if res.revPNG, err = reports.DailyRevenueCompareChart(*res.rev, prev, wide); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// showComparison puts each headline's change beside its number and the comparison's value and
// dates under it, or the history prompt when the comparison is past the window.
func (v *analyticsView) showComparison(res analyticsResult) {
	if b := comparisonBanner(v.s, res.cmpErr); b != nil {
		v.message.Add(b)
	}
	for _, card := range []*Card{v.appt.total, v.appt.cancel, v.appt.noShow, v.rev.total, v.rev.count, v.rev.average} {
		card.Caption.SetText(captionDefinition(card))
	}
	if c := res.apptCmp; c != nil && res.appt != nil {
		count := func(x float64) string { return data.Thousands(int64(x)) }
		compareCard(v.appt.total, c, "total", count)
		if v.appt.advanced {
			rate := func(x float64) string { return fmt.Sprintf("%.2f%%", x) }
			compareCard(v.appt.cancel, c, "cancellation_rate_percent", rate)
			compareCard(v.appt.noShow, c, "no_show_rate_percent", rate)
		}
	}
	if c := res.revCmp; c != nil && res.rev != nil {
		money := func(x float64) string { return reports.FormatMoney(int64(x), res.rev.Currency) }
		compareCard(v.rev.total, c, "total_revenue_cents", money)
		compareCard(v.rev.count, c, "transaction_count", func(x float64) string { return data.Thousands(int64(x)) })
		compareCard(v.rev.average, c, "average_transaction_value_cents", money)
	}
}

// compareCard adds field's change to the card's number and its earlier value to the caption.
// The caption's definition is kept (the card's fill set the number afresh).
func compareCard(card *Card, c *reports.Comparison, field string, format func(float64) string) {
	card.Value.SetText(card.Value.Text + "  " + ChangeText(c.Changes[field], isRateField(field)))
	card.Caption.SetText(fmt.Sprintf("%s%s %s (%s to %s).", captionDefinition(card), comparedPrefix, format(c.Values[field]),
		license.FormatISODate(c.Period.StartDate), license.FormatISODate(c.Period.EndDate)))
}

// comparedPrefix starts the comparison part of a card's caption.
const comparedPrefix = " Compared with"

// captionDefinition is the card's caption without a comparison added to it.
func captionDefinition(card *Card) string {
	base, _, _ := strings.Cut(card.Caption.Text, comparedPrefix)
	return base
}

func isRateField(field string) bool {
	return field == "cancellation_rate_percent" || field == "no_show_rate_percent"
}

// ChangeText is a change in words: "(+25.00%)", "(-2.50 pts)" for a rate, "(n/a)" when the
// comparison value is 0.
func ChangeText(ch *float64, rate bool) string {
	switch {
	case ch == nil:
		return "(n/a)"
	case rate:
		return fmt.Sprintf("(%+.2f pts)", *ch)
	}
	return fmt.Sprintf("(%+.2f%%)", *ch)
}

// addDashboardComparison compares the dashboard's month with the month mode names, counted as
// an appointments report over it counts them, and the charts' days with their comparison days
// (left out when those are past the window). A month past the window is kept as res.cmpErr.
func addDashboardComparison(ctx context.Context, dr DashboardReports, ents license.Entitlements, w license.Window, mode reports.CompareMode, res *dashboardResult) error {
	if mode == "" || reports.CheckComparisons(ents) != nil {
		return nil
	}
	cp, err := reports.DashboardComparisonPeriod(res.d, mode, w)
	if err != nil {
		res.cmpErr = err
		return nil
	}
	prev, err := dr.Appointments(ctx, ents, reports.AppointmentQuery{Period: cp, Window: w})
	if err != nil {
		return err
	}
	c := reports.CompareDashboard(mode, cp, res.d, prev.Total)
	res.cmp = &c
	if a := res.appts; a != nil {
		chartCP, err := reports.ResolveComparison(reports.Period{From: a.From, To: a.To}, mode, w)
		if err != nil {
			return ctx.Err() // the month is compared; the chart keeps its one line
		}
		g, err := dr.Appointments(ctx, ents, reports.AppointmentQuery{Period: chartCP, Window: w})
		if err != nil {
			return err
		}
		res.prevAppts = &g.AppointmentAnalytics
	}
	return ctx.Err()
}

// showComparison puts the month's change on its card and says what the comparison covers, or
// shows the prompt when the comparison month is past the window.
func (v *dashboardView) showComparison(res dashboardResult) {
	v.message.RemoveAll()
	if b := comparisonBanner(v.s, res.cmpErr); b != nil {
		v.message.Add(b)
	}
	v.month.Caption.SetText(captionDefinition(v.month))
	c := res.cmp
	if c == nil {
		return
	}
	compareCard(v.month, c, "total_appointments_this_month", func(x float64) string { return data.Thousands(int64(x)) })
	v.status.SetText(v.status.Text + " Compared with " + reports.PeriodWords(c.Period.StartDate, c.Period.EndDate) +
		"; the other numbers describe now or your whole history window, so they have no earlier value.")
}

// documentCompare is the comparison a saved document draws: the one chosen, where the plan
// includes it and its period is in reach (else the screen shows why, and the document has none).
func documentCompare(p reports.Period, mode reports.CompareMode, w license.Window, ents license.Entitlements) reports.CompareMode {
	if mode == "" || reports.CheckComparisons(ents) != nil {
		return ""
	}
	if _, err := reports.ResolveComparison(p, mode, w); err != nil {
		return ""
	}
	return mode
}
