package ui

import (
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// Labels of the period picker's non-preset choices.
const (
	periodWholeWindow = "Everything in your history window"
	periodCustom      = "Custom dates…"
)

// periodPicker is a date-range chooser that offers only what the plan's history window allows:
// longer presets are listed with a lock and, chosen, show an upgrade prompt instead of applying.
type periodPicker struct {
	s        *Shell
	window   license.Window
	onChange func(reports.PeriodRequest)

	choices  map[string]license.Range      // option label -> preset
	calendar map[string]reports.PeriodKind // option label -> calendar period
	sel      *widget.Select
	from, to *widget.DateEntry
	custom   *fyne.Container // the from/to row, shown for "Custom dates…"
	prompt   *fyne.Container // upgrade prompt or error for the last choice
	selected string          // last applied option, restored when a locked one is picked
	restore  bool            // set while the previous option is being restored
}

// NewPeriodPicker returns a period chooser gated by the history window of the shell's license.
// initialDays selects the "Last N days" preset when it is offered and allowed; 0 selects the
// whole history window (an empty PeriodRequest, which ResolvePeriod with defaultDays 0 reads
// as "the whole window and all future rows"). onChange gets every valid, allowed choice,
// including the initial one; it runs on the UI goroutine.
func NewPeriodPicker(s *Shell, initialDays int, onChange func(reports.PeriodRequest)) fyne.CanvasObject {
	p := &periodPicker{s: s, onChange: onChange, choices: map[string]license.Range{}, calendar: map[string]reports.PeriodKind{}}
	loc := s.Tenant().Location()
	p.window = s.Entitlements().Window(reports.Today(s.Now(), loc))
	p.prompt = container.NewVBox()
	p.from, p.to = widget.NewDateEntry(), widget.NewDateEntry()
	p.from.SetPlaceHolder("From")
	p.to.SetPlaceHolder("To (optional)")
	apply := &widget.Button{Text: "Apply", OnTapped: p.applyCustom}
	p.custom = container.NewGridWithColumns(3, p.from, p.to, apply)
	p.custom.Hide()
	p.sel = widget.NewSelect(p.options(initialDays), p.choose)
	p.sel.SetSelected(p.initial(initialDays))
	return container.NewVBox(p.sel, p.custom, p.prompt)
}

// options lists the choices: the whole window when the caller wants it, every preset, the
// calendar periods (locked ones of both named with the plan that unlocks them), then custom
// dates.
func (p *periodPicker) options(initialDays int) []string {
	var opts []string
	if initialDays == 0 {
		opts = append(opts, periodWholeWindow)
	}
	for _, r := range p.window.Ranges {
		label := r.Label
		if r.Locked {
			label = fmt.Sprintf("%s  🔒 %s", r.Label, r.RequiredPlan)
		}
		p.choices[label] = r
		opts = append(opts, label)
	}
	for _, k := range reports.CalendarPeriods() {
		label := reports.PeriodLabel(k)
		if he := p.calendarLock(k); he != nil {
			label = fmt.Sprintf("%s  🔒 %s", label, he.Required)
		}
		p.calendar[label] = k
		opts = append(opts, label)
	}
	return append(opts, periodCustom)
}

// calendarLock is the history error of calendar period k when it starts before the window's
// cutoff, else nil.
func (p *periodPicker) calendarLock(k reports.PeriodKind) *license.HistoryError {
	from, _ := reports.CalendarRange(k, p.window.Today)
	var he *license.HistoryError
	if err := p.window.CheckDate(from); errors.As(err, &he) {
		return he
	}
	return nil
}

// initial is the option selected first: the requested preset if allowed, else the widest
// allowed one (a plan with a shorter window still opens on something it may show).
func (p *periodPicker) initial(days int) string {
	if days == 0 {
		return periodWholeWindow
	}
	best := ""
	for _, label := range p.sel.Options {
		r, ok := p.choices[label]
		if !ok || r.Locked {
			continue
		}
		if r.Days == days {
			return label
		}
		if r.Days != license.Unlimited && r.Days < days {
			best = label
		}
	}
	if best == "" && len(p.sel.Options) > 0 {
		best = p.sel.Options[0]
	}
	return best
}

func (p *periodPicker) choose(label string) {
	if p.restore {
		return // putting back the previous choice: it is already applied, keep the prompt
	}
	p.setPrompt(nil)
	switch label {
	case periodCustom:
		p.custom.Show()
		p.selected = label
		return
	case periodWholeWindow:
		p.custom.Hide()
		p.apply(label, reports.PeriodRequest{})
		return
	}
	if k, ok := p.calendar[label]; ok {
		p.chooseCalendar(label, k)
		return
	}
	r, ok := p.choices[label]
	if !ok {
		return
	}
	if r.Locked {
		p.refuse(r)
		return
	}
	p.custom.Hide()
	req := reports.PeriodRequest{Days: fmt.Sprint(r.Days)}
	if r.Days == license.Unlimited {
		req = reports.PeriodRequest{} // "All time": the whole (unlimited) window
	}
	p.apply(label, req)
}

// chooseCalendar applies calendar period k, or refuses it with the history prompt naming the
// plan whose window reaches its start.
func (p *periodPicker) chooseCalendar(label string, k reports.PeriodKind) {
	if he := p.calendarLock(k); he != nil {
		p.setPrompt(NewHistoryPrompt(p.s, he))
		p.restoreSelected()
		return
	}
	p.custom.Hide()
	p.apply(label, reports.PeriodRequest{Period: string(k)})
}

// restoreSelected puts back the last applied option after a locked one was picked.
func (p *periodPicker) restoreSelected() {
	if p.selected != "" {
		p.restore = true
		p.sel.SetSelected(p.selected)
		p.restore = false
	}
}

// refuse keeps the previous choice and explains which plan the locked range needs.
func (p *periodPicker) refuse(r license.Range) {
	from := p.window.Today.AddDate(0, 0, -(r.Days - 1))
	var he *license.HistoryError
	if err := p.window.CheckDate(from); errors.As(err, &he) {
		p.setPrompt(NewHistoryPrompt(p.s, he))
	} else {
		p.setPrompt(NewUpgradePrompt(p.s, PromptInline, license.FeatureAnalyticsCharts))
	}
	if p.selected != "" {
		p.restore = true
		p.sel.SetSelected(p.selected)
		p.restore = false
	}
}

// applyCustom checks the typed dates against the window before handing them on.
func (p *periodPicker) applyCustom() {
	req := reports.PeriodRequest{From: civilDate(p.from.Date), To: civilDate(p.to.Date)}
	if req.From == "" && req.To == "" {
		p.setPrompt(widget.NewLabel("Pick a From date (and optionally a To date), then Apply."))
		return
	}
	if _, err := reports.ResolvePeriod(req, p.window, 0); err != nil {
		var he *license.HistoryError
		if errors.As(err, &he) {
			p.setPrompt(NewHistoryPrompt(p.s, he))
		} else {
			p.setPrompt(widget.NewLabel(errorWords(err)))
			p.focusField(inputField(err))
		}
		return
	}
	p.setPrompt(nil)
	p.onChange(req)
}

// focusField puts the keyboard focus on the date entry a bad value came from.
func (p *periodPicker) focusField(field string) {
	entry := map[string]*widget.DateEntry{data.FieldFrom: p.from, data.FieldTo: p.to}[field]
	if entry != nil && p.s.Win != nil {
		p.s.Win.Canvas().Focus(entry)
	}
}

func (p *periodPicker) apply(label string, req reports.PeriodRequest) {
	p.selected = label
	if p.onChange != nil {
		p.onChange(req)
	}
}

func (p *periodPicker) setPrompt(o fyne.CanvasObject) {
	p.prompt.Objects = nil
	if o != nil {
		p.prompt.Objects = []fyne.CanvasObject{o}
	}
	p.prompt.Refresh()
}

// civilDate formats a date entry's value as YYYY-MM-DD; the entry holds a calendar date, so
// its own location's Y-M-D is the one the user picked.
func civilDate(d *time.Time) string {
	if d == nil {
		return ""
	}
	return d.Format(data.DateLayout)
}
