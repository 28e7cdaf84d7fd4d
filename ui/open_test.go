package ui

import (
	"context"
	"errors"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// noDesktopApp is a machine without xdg-open: every OpenURL fails as Fyne's does there.
type noDesktopApp struct{ fyne.App }

func (noDesktopApp) OpenURL(*url.URL) error {
	return &exec.Error{Name: "xdg-open", Err: exec.ErrNotFound}
}

func newNoDesktopShell(t *testing.T, open func(context.Context, *url.URL) error) *Shell {
	t.Helper()
	m := license.NewManagerWithKeys(t.TempDir(), func() time.Time { return licNow }, licDevKeys(t))
	s := NewShell(noDesktopApp{test.NewTempApp(t)}, Config{Reports: tenantOnly(licTenant(true)), Licenses: m,
		Dispatch: testPump.do, OpenURL: open})
	t.Cleanup(s.Win.Close)
	waitFor(t, "the shell's first load", func() bool { return s.loaded })
	s.Win.Resize(fyne.NewSize(1000, 700))
	return s
}

// copyDialog returns the entry and Copy button of the topmost dialog, failing when there is none.
func copyDialog(t *testing.T, s *Shell) (*widget.Entry, *widget.Button, string) {
	t.Helper()
	overlays := licOverlays(s)
	if len(overlays) == 0 {
		t.Fatal("nothing was shown: the failure is silent")
	}
	top := overlays[len(overlays)-1]
	return licEntry(t, top), licButton(t, "Copy", top), licText(top)
}

// checkCopy checks the dialog shows want ready to copy, without the raw exec error, and that
// Copy puts it on the clipboard.
func checkCopy(t *testing.T, s *Shell, want string) {
	t.Helper()
	entry, copyB, text := copyDialog(t, s)
	if entry.Text != want {
		t.Errorf("the dialog shows %q, want %q", entry.Text, want)
	}
	if strings.Contains(text, "xdg-open") || strings.Contains(text, "exec:") {
		t.Errorf("the dialog shows the raw error:\n%s", text)
	}
	entry.SetText("typed over") // selectable, not editable
	if entry.Text != want {
		t.Errorf("the shown text was edited to %q", entry.Text)
	}
	test.Tap(copyB)
	if got := s.App.Clipboard().Content(); got != want {
		t.Errorf("clipboard %q, want %q", got, want)
	}
}

func TestUpgradeWithoutBrowserShowsURL(t *testing.T) {
	s := newNoDesktopShell(t, nil)
	p := NewUpgradePrompt(s, PromptInline, license.FeatureExportXLSX)
	test.Tap(licButton(t, "Upgrade", p))
	checkCopy(t, s, s.Entitlements().UpgradeURL())
}

// The wired opener reports what Fyne's cannot see (xdg-open ran, but found no browser).
func TestUpgradeOpenerFailureShowsURL(t *testing.T) {
	s := newNoDesktopShell(t, func(context.Context, *url.URL) error { return errors.New("xdg-open: exit status 3") })
	p := NewUpgradePrompt(s, PromptInline, license.FeatureExportXLSX)
	test.Tap(licButton(t, "Upgrade", p))
	waitFor(t, "the dialog", func() bool { return len(licOverlays(s)) > 0 })
	checkCopy(t, s, s.Entitlements().UpgradeURL())
}

func TestOpenFolderWithoutFileManagerShowsPath(t *testing.T) {
	s := newNoDesktopShell(t, nil)
	dir := t.TempDir()
	out := s.exportJob().success(reports.ExportResult{Rows: 3, Dataset: "customers", Path: filepath.Join(dir, "customers.csv")})
	test.Tap(licButton(t, "Open folder", out))
	checkCopy(t, s, dir)
}
