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

// compareChoice is the Analytics screen's "Compare with" choice: open where the plan includes
// period comparisons, else disabled beside the inline prompt naming the plan (on a plan without
// the analytics at all, the screen's own overlay speaks for it).
func (v *analyticsView) compareChoice() fyne.CanvasObject {
	v.compareSel = widget.NewSelect([]string{compareNone, comparePrevious, compareLastYear}, func(label string) {
		if mode := compareModes[label]; mode != v.compare {
			v.compare = mode
			v.run()
		}
	})
	v.compareSel.SetSelected(compareNone)
	ents := v.s.Entitlements()
	if reports.CheckComparisons(ents) != nil {
		v.compareSel.Disable()
		if reports.CheckCharts(ents) != nil {
			// The whole screen is locked under one overlay naming its own plan.
			return v.compareSel
		}
		return container.NewVBox(v.compareSel, NewUpgradePrompt(v.s, PromptInline, license.FeaturePeriodComparisons))
	}
	return v.compareSel
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
	var he *license.HistoryError
	switch {
	case errors.As(res.cmpErr, &he):
		v.message.Add(NewHistoryPrompt(v.s, he))
	case res.cmpErr != nil:
		v.message.Add(NewBanner(BannerDanger, "Could not compare: "+errorWords(res.cmpErr)))
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
