package ui

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// A bar at 0% shows an empty track: nothing in the primary colour (widget.ProgressBar paints
// its whole track primary at half opacity, which reads as filled). The fill grows with the
// value and the percentage is written beside the bar.
func TestProgressBarEmptyAtZero(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ThemeFor("light"))
	p := newProgressBar()
	w := test.NewWindow(p)
	defer w.Close()
	w.Resize(fyne.NewSize(400, 60))
	p.Resize(fyne.NewSize(400, 40))
	primary := theme.Color(theme.ColorNamePrimary)
	for _, tc := range []struct {
		value float64
		label string
	}{{0, "0%"}, {0.5, "50%"}, {1, "100%"}} {
		p.SetValue(tc.value)
		r := test.WidgetRenderer(p).(*progressRenderer)
		var painted float32
		for _, o := range r.Objects() {
			if rect, ok := o.(*canvas.Rectangle); ok && o.Visible() && sameRGB(rect.FillColor, primary) {
				painted += rect.Size().Width
			}
		}
		if want := r.track.Size().Width * float32(tc.value); painted != want {
			t.Errorf("at %v%% the primary colour covers %.0f px of a %.0f px track, want %.0f", tc.value*100, painted, r.track.Size().Width, want)
		}
		if r.track.FillColor == nil || sameRGB(r.track.FillColor, primary) {
			t.Errorf("the empty track is drawn in the primary colour")
		}
		if r.label.Text != tc.label {
			t.Errorf("label %q, want %q", r.label.Text, tc.label)
		}
		if got := contrast(r.label.Color, theme.Color(theme.ColorNameBackground)); got < 4.5 {
			t.Errorf("percentage contrast %.2f:1", got)
		}
	}
}

// sameRGB compares hues, ignoring opacity: a translucent primary still reads as primary.
func sameRGB(a, b color.Color) bool {
	if a == nil || b == nil {
		return false
	}
	na, nb := color.NRGBAModel.Convert(a).(color.NRGBA), color.NRGBAModel.Convert(b).(color.NRGBA)
	return na.A > 0 && na.R == nb.R && na.G == nb.G && na.B == nb.B
}

// The Sync screen's bars, before any sync, paint nothing in the primary colour.
func TestSyncBarsEmptyBeforeSync(t *testing.T) {
	s := newSyncShell(t, &fakeSyncer{})
	s.App.Settings().SetTheme(ThemeFor("light"))
	s.Win.Resize(fyne.NewSize(1000, 700))
	primary := theme.Color(theme.ColorNamePrimary)
	for name, row := range s.syncView.rows {
		var bar fyne.CanvasObject = row.bar
		if bar.Size().Width == 0 {
			t.Fatalf("%s: bar not laid out", name)
		}
		for _, o := range test.WidgetRenderer(bar.(fyne.Widget)).Objects() {
			if rect, ok := o.(*canvas.Rectangle); ok && o.Visible() && o.Size().Width > 0 && sameRGB(rect.FillColor, primary) {
				t.Errorf("%s at 0%%: a %.0f px rectangle is painted in the primary colour", name, o.Size().Width)
			}
		}
	}
}
