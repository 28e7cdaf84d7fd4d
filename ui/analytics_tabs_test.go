package ui

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// recordingReports is the reports service, noting the queries the Analytics screen asks of it.
type recordingReports struct {
	*reports.Service
	mu    sync.Mutex
	appt  []reports.AppointmentQuery
	staff []reports.Period
	cust  []reports.Period
}

func (r *recordingReports) Appointments(ctx context.Context, ents license.Entitlements, q reports.AppointmentQuery) (reports.GatedAppointments, error) {
	r.mu.Lock()
	r.appt = append(r.appt, q)
	r.mu.Unlock()
	return r.Service.Appointments(ctx, ents, q)
}

func (r *recordingReports) Staff(ctx context.Context, ents license.Entitlements, q reports.StaffQuery) (reports.StaffReport, error) {
	r.mu.Lock()
	r.staff = append(r.staff, q.Period)
	r.mu.Unlock()
	return r.Service.Staff(ctx, ents, q)
}

func (r *recordingReports) Customers(ctx context.Context, ents license.Entitlements, q reports.CustomerQuery) (reports.CustomerInsights, error) {
	r.mu.Lock()
	r.cust = append(r.cust, q.Period)
	r.mu.Unlock()
	return r.Service.Customers(ctx, ents, q)
}

// asked reports whether the last period the staff and the customers reports were asked for is p.
func (r *recordingReports) asked(p reports.Period) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.staff) > 0 && len(r.cust) > 0 && samePeriod(r.staff[len(r.staff)-1], p) && samePeriod(r.cust[len(r.cust)-1], p)
}

func samePeriod(a, b reports.Period) bool {
	return a.From == b.From && a.To == b.To && a.Kind == b.Kind
}

// shown reports whether o is drawn: reached from the screen through visible objects only.
func shown(s *Shell, o fyne.CanvasObject) bool {
	found := false
	licWalk(s.Content(), func(x fyne.CanvasObject) { found = found || x == o })
	return found
}

// selectWith is the Select on the screen offering option.
func selectWith(t *testing.T, s *Shell, option string) *widget.Select {
	t.Helper()
	o := find(s.Content(), func(o fyne.CanvasObject) bool {
		sel, ok := o.(*widget.Select)
		return ok && slices.Contains(sel.Options, option)
	})
	if o == nil {
		t.Fatalf("no picker offers %q", option)
	}
	return o.(*widget.Select)
}

// The Customers and Staff tabs take the period only: there the comparison and the status,
// service and resource pickers are hidden, a note says why, and the tab bar stays where it
// was; back on Appointments they show again with their values kept. The period picked on the
// Staff tab is the one both reports are asked for.
func TestAnalyticsTabsShowTheirChoices(t *testing.T) {
	r := &recordingReports{Service: demoReports(t, time.Now())}
	s, m := newTestShell(t, r)
	activate(t, m, "ENTERPRISE")
	waitFor(t, "ENTERPRISE", func() bool { return s.plan.Text == "Plan: ENTERPRISE" })
	s.ShowID("analytics")
	settleLayout(t, s, 1024, 768)
	status := selectWith(t, s, reports.StatusLabel(data.StatusCompleted))
	service, rsrc := selectWith(t, s, allChoice), (*widget.Select)(nil)
	waitFor(t, "the catalog", func() bool {
		pickers := 0
		find(s.Content(), func(o fyne.CanvasObject) bool {
			if sel, ok := o.(*widget.Select); ok && sel != status && len(sel.Options) > 1 && sel.Options[0] == allChoice {
				if pickers++; pickers == 1 {
					service = sel
				} else {
					rsrc = sel
				}
			}
			return false
		})
		return pickers == 2
	})
	compare := compareSelect(s)
	note := find(s.Content(), func(o fyne.CanvasObject) bool { l, ok := o.(*widget.Label); return ok && l.Text == periodOnlyText })
	if note == nil || shown(s, note) {
		t.Fatalf("the period-only note is missing or shown on the Appointments tab")
	}
	status.SetSelected(reports.StatusLabel(data.StatusCompleted))
	service.SetSelected(service.Options[1])
	rsrc.SetSelected(rsrc.Options[1])
	compare.SetSelected(comparePrevious)
	testPump.drain()
	tabs := analyticsTabs(t, s)
	idle(t, s)
	bar := tabs.Position().Y
	pickers := map[string]*widget.Select{"status": status, "service": service, "resource": rsrc, "compare": compare}
	for name, sel := range pickers {
		if !shown(s, sel) {
			t.Errorf("Appointments: the %s picker is hidden", name)
		}
	}
	kept := map[string]string{}
	for name, sel := range pickers {
		kept[name] = sel.Selected
	}

	period := selectWith(t, s, reports.PeriodLabel(reports.PeriodLastMonth))
	for _, title := range []string{"Customers", "Staff"} {
		tabs.Select(tabNamed(tabs, title))
		idle(t, s)
		for name, sel := range pickers {
			if shown(s, sel) {
				t.Errorf("%s: the %s picker is shown; the report does not take it", title, name)
			}
		}
		if !shown(s, period) || !shown(s, note) {
			t.Errorf("%s: period picker shown %v, note shown %v; want both", title, shown(s, period), shown(s, note))
		}
		if y := tabs.Position().Y; y != bar {
			t.Errorf("%s: the tab bar moved from y %.0f to %.0f", title, bar, y)
		}
	}
	// The period picked on the Staff tab is the one the staff and customer reports are asked for.
	period.SetSelected(reports.PeriodLabel(reports.PeriodLastMonth))
	w := s.Entitlements().Window(reports.Today(time.Now(), s.Tenant().Location()))
	want, err := reports.ResolvePeriod(reports.PeriodRequest{Period: string(reports.PeriodLastMonth)}, w, reports.DefaultAnalyticsDays)
	if err != nil {
		t.Fatal(err)
	}
	waitLong(t, "the staff and customer reports of last month", func() bool { return r.asked(want) })
	staff := tabNamed(tabs, "Staff")
	waitLong(t, "last month on the Staff tab", func() bool { return anyLabelContains(staff.Content, license.FormatISODate(want.From)+" to ") })

	tabs.Select(tabNamed(tabs, "Revenue"))
	if shown(s, status) || shown(s, rsrc) || !shown(s, service) || !shown(s, compare) || shown(s, note) {
		t.Errorf("Revenue: status %v, resource %v, service %v, compare %v, note %v shown; want service and compare",
			shown(s, status), shown(s, rsrc), shown(s, service), shown(s, compare), shown(s, note))
	}
	tabs.Select(tabNamed(tabs, "Appointments"))
	for name, sel := range pickers {
		if !shown(s, sel) || sel.Selected != kept[name] {
			t.Errorf("back on Appointments: the %s picker shown %v, value %q; want shown with %q", name, shown(s, sel), sel.Selected, kept[name])
		}
	}
	if shown(s, note) {
		t.Error("back on Appointments the period-only note is still shown")
	}
	// The appointments report of the period picked on the Staff tab kept the three filters (the
	// comparison asks for the month before as well).
	r.mu.Lock()
	asked := slices.ContainsFunc(r.appt, func(q reports.AppointmentQuery) bool {
		return samePeriod(q.Period, want) && q.Filter.Status == string(data.StatusCompleted) && q.Filter.ServiceID != 0 && q.Filter.ResourceID != 0
	})
	r.mu.Unlock()
	if !asked {
		t.Errorf("the appointments report was not asked for %+v with the three filters kept", want)
	}
	for _, l := range labels(s.Content()) {
		if strings.Contains(l, "do not apply") {
			t.Errorf("a label still says the filters do not apply: %q", l)
		}
	}
}

// waitLong is waitFor with room for a year of reports and charts under the race detector on a
// loaded machine.
func waitLong(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for testPump.drain(); !cond(); testPump.drain() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// idle waits until the Analytics screen computes nothing (its "Computing…" row is hidden, and
// it would move the tab bar) and lays the window out at 1024x768.
func idle(t *testing.T, s *Shell) {
	t.Helper()
	busy := find(s.Content(), func(o fyne.CanvasObject) bool { l, ok := o.(*widget.Label); return ok && l.Text == "Computing…" })
	if busy == nil {
		t.Fatal("no Computing… row on the Analytics screen")
	}
	waitLong(t, "the analytics computed", func() bool { return !shown(s, busy) })
	settleLayout(t, s, 1024, 768)
}

// fitTables is every fitColumns layout drawn under o, with its table.
func fitTables(o fyne.CanvasObject) []*fitColumns {
	var out []*fitColumns
	licWalk(o, func(o fyne.CanvasObject) {
		if c, ok := o.(*fyne.Container); ok {
			if f, ok := c.Layout.(*fitColumns); ok {
				out = append(out, f)
			}
		}
	})
	return out
}

// At the content width of a 1024x768 window, over the widest period (a year of the demo), every
// column of the staff table and of both customer tables is inside the table: no sideways
// scrolling. Numbers and dates keep their whole text; only names and emails give up width.
func TestStaffAndCustomerTablesFitAt1024(t *testing.T) {
	r := demoReports(t, time.Now())
	s, m := newTestShell(t, r)
	s.App.Settings().SetTheme(ThemeFor("light"))
	activate(t, m, "ENTERPRISE")
	waitFor(t, "ENTERPRISE", func() bool { return s.plan.Text == "Plan: ENTERPRISE" })
	s.ShowID("analytics")
	selectWith(t, s, "Last 365 days").SetSelected("Last 365 days")
	tabs := analyticsTabs(t, s)
	pad := float32(4) // the table's separator: theme padding
	for _, tc := range []struct {
		tab    string
		tables int
	}{{"Staff", 1}, {"Customers", 2}} {
		tab := tabNamed(tabs, tc.tab)
		tabs.Select(tab)
		waitLong(t, tc.tab+" tables of a year", func() bool {
			return anyLabelContains(tab.Content, "365 days") && len(fitTables(tab.Content)) == tc.tables
		})
		settleLayout(t, s, 1024, 768)
		for i, f := range fitTables(tab.Content) {
			total := pad * float32(len(f.widths)-1)
			for _, w := range f.widths {
				total += w
			}
			if got := f.table.Size().Width; got <= 0 || total > got+0.5 {
				t.Errorf("%s table %d: columns need %.0f px, the table is %.0f wide: %v", tc.tab, i, total, got, f.widths)
			}
			if l, rt, w, ok := withinWindow(s, f.table); !ok {
				t.Errorf("%s table %d spans %.0f..%.0f in a %.0f px window", tc.tab, i, l, rt, w)
			}
			for c, w := range f.widths {
				if f.least[c] == f.natural[c] && w < f.natural[c] {
					t.Errorf("%s table %d column %d is %.0f px, its text needs %.0f", tc.tab, i, c, w, f.natural[c])
				}
			}
		}
	}
}

// Flexible columns give up width widest first, down to their least; the others keep theirs.
func TestFitWidths(t *testing.T) {
	natural, least := []float32{200, 50, 300}, []float32{100, 50, 100}
	for _, tc := range []struct {
		avail float32
		want  []float32
	}{
		{1000, []float32{200, 50, 300}},
		{550, []float32{200, 50, 300}},
		{450, []float32{200, 50, 200}},
		{400, []float32{175, 50, 175}},
		{100, []float32{100, 50, 100}},
	} {
		if got := fitWidths(natural, least, tc.avail); !slices.Equal(got, tc.want) {
			t.Errorf("fitWidths(%v, %v, %.0f) = %v, want %v", natural, least, tc.avail, got, tc.want)
		}
	}
}

// focusedSelects is the Select pickers Tab reaches, in order, from an unfocused window up to the
// sidebar (Fyne walks the screen, then the header, then the sidebar).
func focusedSelects(s *Shell) []*widget.Select {
	c := s.Win.Canvas()
	c.Unfocus()
	var out []*widget.Select
	for range 60 {
		c.FocusNext()
		switch f := c.Focused().(type) {
		case nil, *widget.List:
			return out
		case *widget.Select:
			out = append(out, f)
		}
	}
	return out
}

// The keyboard reaches only the pickers a tab shows, in the order they are drawn: the period,
// Compare with, then the filters; and Ctrl+Page Down / Ctrl+Page Up step through the tabs, whose
// buttons take no focus.
func TestAnalyticsKeyboardOrder(t *testing.T) {
	s, m := newTestShell(t, demoReports(t, time.Now()))
	keys := shortcuts{}
	s.Win = keyWindow{Window: s.Win, keys: keys}
	activate(t, m, "ENTERPRISE")
	waitFor(t, "ENTERPRISE", func() bool { return s.plan.Text == "Plan: ENTERPRISE" })
	s.ShowID("analytics")
	testPump.drain()
	tabs := analyticsTabs(t, s)
	period := selectWith(t, s, reports.PeriodLabel(reports.PeriodLastMonth))
	compare := compareSelect(s)
	status := selectWith(t, s, reports.StatusLabel(data.StatusCompleted))
	var service, rsrc *widget.Select
	find(s.Content(), func(o fyne.CanvasObject) bool {
		if sel, ok := o.(*widget.Select); ok && sel != status && slices.Contains(sel.Options, allChoice) {
			if service == nil {
				service = sel
			} else {
				rsrc = sel
			}
		}
		return false
	})
	want := map[string][]*widget.Select{
		"Appointments": {period, compare, status, service, rsrc},
		"Revenue":      {period, compare, service},
		"Customers":    {period},
		"Staff":        {period},
	}
	if got := tabs.Selected().Text; got != "Appointments" {
		t.Fatalf("the screen opens on %q", got)
	}
	for i := range tabs.Items { // once around, back to Appointments
		title := tabs.Selected().Text
		if got := focusedSelects(s); !slices.Equal(got, want[title]) {
			t.Errorf("%s: Tab reaches %d pickers %v, want %d", title, len(got), got, len(want[title]))
		}
		keys.TypedShortcut(nextTabShortcut)
		if next := tabs.Items[(i+1)%len(tabs.Items)]; tabs.Selected() != next {
			t.Fatalf("Ctrl+Page Down from %s selects %q, want %q", title, tabs.Selected().Text, next.Text)
		}
	}
	keys.TypedShortcut(prevTabShortcut)
	if got := tabs.Selected().Text; got != "Staff" {
		t.Errorf("Ctrl+Page Up from Appointments selects %q, want Staff", got)
	}
	s.ShowID("dashboard")
	keys.TypedShortcut(nextTabShortcut) // another screen on show: the keys leave the tabs alone
	if got := tabs.Selected().Text; got != "Staff" {
		t.Errorf("Ctrl+Page Down on the Dashboard moved the Analytics tabs to %q", got)
	}
}

// shortcuts are the handlers added to a keyWindow's canvas, by shortcut name: the test driver's
// canvas cannot be sent a shortcut.
type shortcuts map[string]func(fyne.Shortcut)

// TypedShortcut runs the handler of sc.
func (k shortcuts) TypedShortcut(sc fyne.Shortcut) {
	if h := k[sc.ShortcutName()]; h != nil {
		h(sc)
	}
}

// keyWindow is a window whose canvas notes the shortcuts added to it.
type keyWindow struct {
	fyne.Window
	keys shortcuts
}

func (w keyWindow) Canvas() fyne.Canvas { return keyCanvas{Canvas: w.Window.Canvas(), keys: w.keys} }

type keyCanvas struct {
	fyne.Canvas
	keys shortcuts
}

func (c keyCanvas) AddShortcut(sc fyne.Shortcut, h func(fyne.Shortcut)) {
	c.keys[sc.ShortcutName()] = h
	c.Canvas.AddShortcut(sc, h)
}
