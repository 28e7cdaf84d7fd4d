package ui

import (
	"net/url"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/almanac-app/almanac/license"
)

// urlRecorder is an app that records what it is asked to open.
type urlRecorder struct {
	fyne.App
	opened []string
}

func (r *urlRecorder) OpenURL(u *url.URL) error {
	r.opened = append(r.opened, u.String())
	return nil
}

// TestOpenUpgradeOnlyHTTPS: an upgrade link that is not https:// never
// reaches the system's opener (which would start programs for file: or
// custom schemes).
func TestOpenUpgradeOnlyHTTPS(t *testing.T) {
	rec := &urlRecorder{App: test.NewTempApp(t)}
	s := &Shell{App: rec}
	for _, link := range []string{"file:///etc/passwd", "http://almanac.app/upgrade", "javascript:alert(1)",
		"smb://host/share", "ms-settings:", "https:///nohost", "https://ok.example/upgrade", ""} {
		openUpgrade(s, link)
	}
	want := []string{"https://ok.example/upgrade", license.DefaultUpgradeURL}
	if len(rec.opened) != len(want) || rec.opened[0] != want[0] || rec.opened[1] != want[1] {
		t.Fatalf("opened %q, want %q", rec.opened, want)
	}
}
