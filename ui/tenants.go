package ui

import (
	"context"
	"fmt"
	"image/color"
	"log"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
)

// tenantSwitcher is the header's tenant picker. It shows only when the home keeps more than
// one tenant; the title label shows the name otherwise. Picking a tenant makes it active and
// re-gates every screen through SetReports, without a restart.
type tenantSwitcher struct {
	s       *Shell
	sel     *widget.Select
	width   *canvas.Rectangle // widens the select to its longest label, so no name is cut
	view    *fyne.Container
	entries []data.TenantEntry
	labels  []string
	current string // the active tenant's id as the shell shows it
	seq     int    // the latest reload; older lists are dropped
}

func newTenantSwitcher(s *Shell) *tenantSwitcher {
	w := &tenantSwitcher{s: s}
	w.sel = widget.NewSelect(nil, w.picked)
	w.width = canvas.NewRectangle(color.Transparent)
	w.view = container.NewStack(w.width, w.sel)
	w.view.Hide()
	return w
}

// reload lists the home's tenants off the UI goroutine and shows the switcher if there are
// several; t is the tenant on show.
func (w *tenantSwitcher) reload(t data.Tenant) {
	w.current = t.ID
	tenants := w.s.cfg.Tenants
	if tenants == nil {
		return
	}
	w.seq++
	seq := w.seq
	Run(w.s.Ctx(), tenants.List, func(list []data.TenantEntry, err error) {
		if seq != w.seq {
			return
		}
		if err != nil {
			log.Printf("list tenants: %v", err)
		}
		w.show(list)
	})
}

func (w *tenantSwitcher) show(list []data.TenantEntry) {
	w.entries, w.labels = list, TenantLabels(list)
	if len(list) < 2 {
		w.view.Hide()
		w.s.title.Show()
		return
	}
	w.sel.SetOptions(w.labels)
	w.width.SetMinSize(fyne.NewSize(w.labelWidth(), 0))
	for i, e := range list {
		if e.ID == w.current {
			w.sel.Selected = w.labels[i] // not SetSelected: that would call picked
			w.sel.Refresh()
		}
	}
	w.s.title.Hide()
	w.view.Show()
}

// labelWidth fits the longest label plus the select's padding and drop-down icon.
func (w *tenantSwitcher) labelWidth() float32 {
	var widest float32
	for _, l := range w.labels {
		widest = max(widest, fyne.MeasureText(l, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	return widest + theme.IconInlineSize() + theme.InnerPadding()*3
}

// picked switches to the chosen tenant.
func (w *tenantSwitcher) picked(label string) {
	id := ""
	for i, l := range w.labels {
		if l == label {
			id = w.entries[i].ID
		}
	}
	if id == "" || id == w.current {
		return
	}
	if job := w.s.runningJob(); job != "" {
		// Switching closes the store the job reads or writes.
		dialog.ShowInformation("Wait for the "+job,
			"The "+job+" is still running on this business. Let it finish, or cancel it, before switching to another.", w.s.Win)
		w.show(w.entries) // back to the tenant on show
		return
	}
	tenants := w.s.cfg.Tenants
	w.sel.Disable()
	Run(w.s.Ctx(), func(ctx context.Context) (Reports, error) { return tenants.Use(ctx, id) }, func(r Reports, err error) {
		w.sel.Enable()
		if err != nil {
			dialog.ShowError(fmt.Errorf("switch to tenant %s: %w", id, err), w.s.Win)
			w.show(w.entries) // back to the tenant on show
			return
		}
		w.s.SetReports(r)
	})
}

// TenantLabels names each tenant for the switcher: its name, with its id beside it when
// another tenant has the same name (the demo and a business it was modelled on, say).
func TenantLabels(list []data.TenantEntry) []string {
	names := map[string]int{}
	for _, e := range list {
		names[e.Name]++
	}
	out := make([]string, len(list))
	for i, e := range list {
		switch {
		case e.Name == "":
			out[i] = e.ID
		case names[e.Name] > 1:
			out[i] = fmt.Sprintf("%s (%s)", e.Name, e.ID)
		default:
			out[i] = e.Name
		}
	}
	return out
}

// runningJob names the long work running on the tenant on show ("sync", "export"), or "".
func (s *Shell) runningJob() string {
	switch {
	case s.syncView != nil && s.syncView.cancel != nil:
		return "sync"
	case s.exports != nil && s.exports.stop != nil:
		return "export"
	}
	return ""
}
