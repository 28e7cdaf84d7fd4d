package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/reports"
)

// TestPeriodPickerCalendarPeriods: the picker lists the calendar periods; one inside the window
// applies as a period name, one before the cutoff is shown locked with the plan that reaches it
// and, chosen, prompts instead of applying.
func TestPeriodPickerCalendarPeriods(t *testing.T) {
	r := demoReports(t, time.Now())
	s, _ := newTestShell(t, r) // no license: FREE, 7 days
	var got []reports.PeriodRequest
	o := NewPeriodPicker(s, 7, func(p reports.PeriodRequest) { got = append(got, p) })
	var sel *widget.Select
	exportsWalk(o, func(o fyne.CanvasObject) {
		if w, ok := o.(*widget.Select); ok {
			sel = w
		}
	})
	prompt := o.(*fyne.Container).Objects[2].(*fyne.Container)
	var today, lastQuarter string
	for _, opt := range sel.Options {
		switch {
		case opt == "Today":
			today = opt
		case strings.HasPrefix(opt, "Last quarter"):
			lastQuarter = opt
		}
	}
	if today == "" || !strings.Contains(lastQuarter, "🔒 ENTERPRISE") {
		t.Fatalf("options %q: want Today open and Last quarter locked for ENTERPRISE", sel.Options)
	}
	sel.SetSelected(today)
	if last := got[len(got)-1]; last != (reports.PeriodRequest{Period: "today"}) {
		t.Fatalf("Today applied as %+v", last)
	}
	n := len(got)
	sel.SetSelected(lastQuarter)
	if len(got) != n || sel.Selected != today {
		t.Fatalf("locked Last quarter applied: selected %q, onChange %v", sel.Selected, got)
	}
	if txt := exportsTexts(prompt); !strings.Contains(txt, "ENTERPRISE") {
		t.Fatalf("no history prompt naming ENTERPRISE: %s", txt)
	}
}
