package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// BannerKind picks a banner's colour.
type BannerKind int

// Banner kinds.
const (
	BannerInfo BannerKind = iota
	BannerWarning
	BannerDanger
)

func bannerColor(k BannerKind) fyne.ThemeColorName {
	switch k {
	case BannerWarning:
		return theme.ColorNameWarning
	case BannerDanger:
		return theme.ColorNameError
	default:
		return theme.ColorNamePrimary
	}
}

// NewBanner is a full-width coloured strip with a message, readable in both themes (the text is
// the theme's foreground over a translucent tint of the banner colour).
func NewBanner(kind BannerKind, text string, actions ...fyne.CanvasObject) fyne.CanvasObject {
	c := theme.Color(bannerColor(kind))
	r, g, b, _ := c.RGBA()
	bg := canvas.NewRectangle(color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x40})
	bg.CornerRadius = theme.InputRadiusSize()
	edge := canvas.NewRectangle(c)
	edge.SetMinSize(fyne.NewSize(4, 0))
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	row := container.NewBorder(nil, nil, edge, container.NewHBox(actions...), msg)
	return container.NewStack(bg, row)
}

// Card is a KPI card: a title, a big value and a definition beneath.
type Card struct {
	widget.BaseWidget
	Title, Value, Caption *widget.Label
}

// NewCard returns a KPI card.
func NewCard(title, caption string) *Card {
	c := &Card{
		Title:   widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		Value:   widget.NewLabel("…"),
		Caption: widget.NewLabel(caption),
	}
	c.Value.SizeName = theme.SizeNameHeadingText
	c.Caption.Wrapping = fyne.TextWrapWord
	c.Caption.SizeName = theme.SizeNameCaptionText
	c.ExtendBaseWidget(c)
	return c
}

// CreateRenderer draws the card.
func (c *Card) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = theme.InputRadiusSize()
	return widget.NewSimpleRenderer(container.NewStack(bg, container.NewPadded(container.NewVBox(c.Title, c.Value, c.Caption))))
}

// dialogMargin is what a dialog leaves of the window around it, so its edges stay visible.
const dialogMargin = 40

// fitWindow is want shrunk to fit inside w's canvas with a margin: on a small screen a dialog
// sized for a large one would hang off the window. Call it after Show (a FileDialog has no
// window to resize before).
func fitWindow(w fyne.Window, want fyne.Size) fyne.Size {
	c := w.Canvas().Size()
	if c.Width <= 0 || c.Height <= 0 {
		return want
	}
	return fyne.NewSize(min(want.Width, max(c.Width-dialogMargin, 0)), min(want.Height, max(c.Height-dialogMargin, 0)))
}
