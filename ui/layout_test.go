package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/almanac-app/almanac/license"
)

// visibleTexts is every canvas.Text drawn under o, through widget renderers and scrollers.
func visibleTexts(o fyne.CanvasObject) []*canvas.Text {
	var out []*canvas.Text
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *canvas.Text:
			out = append(out, x)
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(x.Content)
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

// The License screen's feature table wraps Details in a narrow window instead of cutting it
// with "…": every word of every row's details is drawn.
func TestLicenseTableWrapsDetails(t *testing.T) {
	f := newLicShell(t, licTenant(true), licPlan(t, license.Professional))
	f.s.Win.Resize(fyne.NewSize(900, 700))
	f.s.ShowID("license")
	f.s.Win.Resize(fyne.NewSize(900, 701)) // lay out once more: wrapped labels know their width now
	var drawn strings.Builder
	for _, tx := range visibleTexts(f.s.Content()) {
		if strings.Contains(tx.Text, "…") {
			t.Errorf("cut text %q", tx.Text)
		}
		drawn.WriteString(tx.Text + " ")
	}
	words := strings.Fields(drawn.String())
	for _, r := range featureRows(f.s.Entitlements()) {
		for _, w := range strings.Fields(r.Details) {
			if !contains(words, w) {
				t.Errorf("%s: details word %q is not drawn", r.Name, w)
			}
		}
	}
}
