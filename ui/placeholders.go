package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// comingScreen says what a screen will hold until its capability lands.
func comingScreen(title, what string) fyne.CanvasObject {
	body := widget.NewLabel(what)
	body.Wrapping = fyne.TextWrapWord
	return container.NewVBox(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), body)
}
