package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/almanac-app/almanac/license"
)

// "Open file…" used to resize the FileDialog before Show, which dereferences the dialog's
// window before it exists and panicked the app; now the picker opens over the dialog.
func TestActivationOpenFileShowsPicker(t *testing.T) {
	f := newLicShell(t, licTenant(true), licPlan(t, license.Starter))
	f.s.Win.Resize(fyne.NewSize(1000, 700))
	a := showActivationDialog(f.s)
	before := len(licOverlays(f.s))
	test.Tap(licButton(t, "Open file…", licOverlays(f.s)...))
	overlays := licOverlays(f.s)
	if len(overlays) != before+1 {
		t.Fatalf("Open file… shows %d overlays over the %d of the activation dialog, want one more", len(overlays), before)
	}
	picker := overlays[len(overlays)-1]
	if size, win := picker.Size(), f.s.Win.Canvas().Size(); size.Width > win.Width || size.Height > win.Height {
		t.Errorf("file picker %v does not fit the window %v", size, win)
	}
	a.close()
}

// Every dialog the activation flow opens fits a small window.
func TestActivationDialogFitsSmallWindow(t *testing.T) {
	f := newLicShell(t, licTenant(true), nil)
	f.s.Win.Resize(fyne.NewSize(900, 640))
	a := showActivationDialog(f.s)
	win := f.s.Win.Canvas().Size()
	overlays := licOverlays(f.s)
	d := overlays[len(overlays)-1]
	if size := d.Size(); size.Width > win.Width || size.Height > win.Height {
		t.Errorf("activation dialog %v does not fit the window %v", size, win)
	}
	a.close()
}
