package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// progressBar replaces widget.ProgressBar, whose empty track is the primary colour at half
// opacity, so a bar at 0% looks half filled. Here the track is the input background with a
// border, only the done part is primary, and the percentage sits beside the bar in the
// foreground colour, readable whatever the fill.
type progressBar struct {
	widget.BaseWidget
	Value float64 // 0 to 1
}

func newProgressBar() *progressBar {
	p := &progressBar{}
	p.ExtendBaseWidget(p)
	return p
}

// SetValue sets the done fraction, clamped to 0..1, and redraws.
func (p *progressBar) SetValue(v float64) {
	p.Value = min(max(v, 0), 1)
	p.Refresh()
}

// CreateRenderer draws the track, the fill and the percentage.
func (p *progressBar) CreateRenderer() fyne.WidgetRenderer {
	r := &progressRenderer{p: p, track: canvas.NewRectangle(nil), fill: canvas.NewRectangle(nil), label: canvas.NewText("", nil)}
	r.Refresh()
	return r
}

type progressRenderer struct {
	p     *progressBar
	track *canvas.Rectangle
	fill  *canvas.Rectangle
	label *canvas.Text
}

// labelWidth fits "100%" so the bar does not shift as the number grows.
func (r *progressRenderer) labelWidth() float32 {
	return fyne.MeasureText("100%", r.label.TextSize, r.label.TextStyle).Width + theme.Padding()
}

func (r *progressRenderer) Layout(size fyne.Size) {
	lw := r.labelWidth()
	bar := fyne.NewSize(max(size.Width-lw, 0), size.Height)
	r.track.Resize(bar)
	r.fill.Resize(fyne.NewSize(bar.Width*float32(r.p.Value), bar.Height))
	r.label.Move(fyne.NewPos(bar.Width+theme.Padding(), (size.Height-r.label.MinSize().Height)/2))
	r.label.Resize(fyne.NewSize(lw-theme.Padding(), r.label.MinSize().Height))
}

func (r *progressRenderer) MinSize() fyne.Size {
	h := r.label.MinSize().Height + 2*theme.InnerPadding()
	return fyne.NewSize(4*h+r.labelWidth(), h)
}

func (r *progressRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.track, r.fill, r.label}
}

func (r *progressRenderer) Destroy() {}

// Refresh re-reads the theme and the value.
func (r *progressRenderer) Refresh() {
	th := r.p.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	radius := th.Size(theme.SizeNameInputRadius)
	r.track.FillColor = th.Color(theme.ColorNameInputBackground, v)
	r.track.StrokeColor = th.Color(theme.ColorNameInputBorder, v)
	r.track.StrokeWidth = 1
	r.track.CornerRadius = radius
	r.fill.FillColor = th.Color(theme.ColorNamePrimary, v)
	r.fill.CornerRadius = radius
	r.label.Color = th.Color(theme.ColorNameForeground, v)
	r.label.TextSize = th.Size(theme.SizeNameText)
	r.label.Alignment = fyne.TextAlignTrailing
	r.label.Text = strconv.Itoa(int(r.p.Value*100)) + "%"
	r.Layout(r.p.Size())
	r.track.Refresh()
	r.fill.Refresh()
	r.label.Refresh()
}
