package ui

import (
	"context"
	"log"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// openLink opens u with the desktop (the browser for a web page, the file manager for a
// folder). Where that fails (no browser, no xdg-open) the user still gets what was to be
// opened: shown, selectable, with a Copy button; the raw error goes to the log. what names it
// ("the upgrade page", "the export folder") and shown is the text to copy (the URL or path).
func openLink(s *Shell, u *url.URL, what, shown string) {
	failed := func(err error) {
		if err != nil {
			log.Printf("open %s: %v", u, err)
			showCopyDialog(s, what, shown)
		}
	}
	if s.cfg.OpenURL == nil {
		failed(s.App.OpenURL(u))
		return
	}
	Run(s.Ctx(), func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.cfg.OpenURL(ctx, u)
	}, func(_ struct{}, err error) { failed(err) })
}

// showCopyDialog says what could not be opened and shows it ready to copy.
func showCopyDialog(s *Shell, what, shown string) {
	msg := widget.NewLabel("Almanac could not open " + what + " on this computer. Copy it and open it yourself:")
	msg.Wrapping = fyne.TextWrapWord
	entry := widget.NewEntry()
	entry.SetText(shown)
	entry.OnChanged = func(string) { entry.SetText(shown) } // selectable, but it stays what it is
	copyB := &widget.Button{Text: "Copy", Icon: theme.ContentCopyIcon(), Importance: widget.HighImportance}
	copyB.OnTapped = func() {
		s.App.Clipboard().SetContent(shown)
		copyB.SetText("Copied")
	}
	body := container.NewVBox(msg, container.NewBorder(nil, nil, nil, copyB, entry))
	d := dialog.NewCustom("Open it yourself", "Close", body, s.Win)
	d.Show()
	// Twice: the wrapped message only knows its height once it has its width.
	for range 2 {
		d.Resize(fitWindow(s.Win, fyne.NewSize(560, d.MinSize().Height)))
	}
	s.Win.Canvas().Focus(entry)
}
