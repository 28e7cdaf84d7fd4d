package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
)

func compareSelect(s *Shell) *widget.Select {
	o := find(s.Content(), func(o fyne.CanvasObject) bool {
		sel, ok := o.(*widget.Select)
		return ok && slices.Contains(sel.Options, comparePrevious)
	})
	if o == nil {
		return nil
	}
	return o.(*widget.Select)
}

// TestAnalyticsCompareWith: choosing "Previous period" puts each headline's change beside its
// number and the previous period's value, computed by the reports service, under it.
func TestAnalyticsCompareWith(t *testing.T) {
	r := demoReports(t, time.Now())
	s, m := newTestShell(t, r)
	activate(t, m, "ENTERPRISE")
	waitFor(t, "ENTERPRISE", func() bool { return s.plan.Text == "Plan: ENTERPRISE" })
	w := s.Entitlements().Window(reports.Today(time.Now(), s.Tenant().Location()))
	p, err := reports.ResolvePeriod(reports.PeriodRequest{Days: "30"}, w, 30)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := reports.ResolveComparison(p, reports.ComparePrevious, w)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := r.Appointments(context.Background(), s.Entitlements(), reports.AppointmentQuery{Period: p, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	prev, err := r.Appointments(context.Background(), s.Entitlements(), reports.AppointmentQuery{Period: cp, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	s.ShowID("analytics")
	waitFor(t, "the appointments total", func() bool { return contains(labels(s.Content()), data.Thousands(cur.Total)) })
	sel := compareSelect(s)
	if sel == nil || sel.Disabled() {
		t.Fatalf("no open Compare with choice: %v", sel)
	}
	sel.SetSelected(comparePrevious)
	value := data.Thousands(cur.Total) + "  " + ChangeText(reports.Change(float64(cur.Total), float64(prev.Total), false), false)
	caption := "Compared with " + data.Thousands(prev.Total)
	card := findCard(s, "Appointments")
	waitFor(t, "the compared total", func() bool { return card.Value.Text == value && strings.Contains(card.Caption.Text, caption) })
	if rate := findCard(s, "Cancellation rate"); !strings.HasSuffix(rate.Value.Text, " pts)") {
		t.Errorf("the cancellation rate shows no change in points: %q", rate.Value.Text)
	}
	sel.SetSelected(compareNone)
	waitFor(t, "the comparison gone", func() bool {
		return card.Value.Text == data.Thousands(cur.Total) && !strings.Contains(card.Caption.Text, "Compared")
	})
}

// TestAnalyticsCompareLockedOnStarter: STARTER sees the choice disabled beside the prompt
// naming the plan that includes period comparisons.
func TestAnalyticsCompareLockedOnStarter(t *testing.T) {
	s, m := newTestShell(t, demoReports(t, time.Now()))
	activate(t, m, "STARTER")
	waitFor(t, "STARTER", func() bool { return s.plan.Text == "Plan: STARTER" })
	s.ShowID("analytics")
	testPump.drain()
	sel := compareSelect(s)
	if sel == nil || !sel.Disabled() {
		t.Fatalf("Compare with is not disabled on STARTER: %v", sel)
	}
	if !anyLabelContains(s.Content(), "Period comparisons") {
		t.Errorf("no prompt names Period comparisons: %v", strings.Join(labels(s.Content()), " | "))
	}
}

func findCard(s *Shell, title string) *Card {
	o := find(s.Content(), func(o fyne.CanvasObject) bool {
		c, ok := o.(*Card)
		return ok && c.Title.Text == title
	})
	if o == nil {
		return nil
	}
	return o.(*Card)
}
