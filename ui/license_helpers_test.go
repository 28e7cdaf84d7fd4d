package ui

import (
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/license/devkeys"
)

// The helpers here carry a lic prefix: other files of package ui have tests of their own.

var _ Licenses = (*license.Manager)(nil) // the shell is wired with the real manager

// licNow is the fixed "now" of these tests.
var licNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func licTenant(payments bool) data.Tenant {
	return data.Tenant{ID: "demo", Name: "Maple Street Wellness", TimeZone: "America/New_York", Currency: "USD", CanAcceptPayments: payments, IsDemo: true}
}

// licApp records the URLs the UI asks to open.
type licApp struct {
	fyne.App
	mu     sync.Mutex
	opened []string
}

func (a *licApp) OpenURL(u *url.URL) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.opened = append(a.opened, u.String())
	return nil
}

func (a *licApp) urls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.opened...)
}

// licDevKeys trusts the development key whatever the build tags, so these tests also run
// under -tags release.
func licDevKeys(t testing.TB) license.KeySet {
	t.Helper()
	pub, err := license.ParsePublicKey(devkeys.PublicKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	ks, err := license.NewKeySet(license.PublicKey{KID: devkeys.KID, Key: pub})
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// licSign signs p with the development key.
func licSign(t testing.TB, p license.Payload) []byte {
	t.Helper()
	kid, priv, err := license.ParsePrivateKey(devkeys.PrivateKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	if p.TenantID == "" {
		p.TenantID = "demo"
	}
	if p.IssuedAt.IsZero() {
		p.IssuedAt = licNow.Add(-24 * time.Hour)
	}
	text, err := license.Sign(p, kid, priv)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// licPlan is a year-long license for tenant demo on plan.
func licPlan(t testing.TB, plan license.Plan) []byte {
	return licSign(t, license.Payload{LicenseID: "TEST-" + plan.String(), Licensee: "Maple Street Wellness", Plan: plan,
		ExpiresAt: licNow.AddDate(1, 0, 0), GraceDays: 14})
}

type licFixture struct {
	s   *Shell
	m   *license.Manager
	app *licApp

	mu  sync.Mutex // guards now: the manager reads it from background work
	now time.Time

	// pump queues the shell's UI callbacks; settle runs them on the test goroutine, because the
	// test driver's fyne.Do would run them on the worker goroutine.
	pump chan func()
}

// settle runs queued UI callbacks until cond holds (read on the test goroutine, so widgets
// may be inspected), failing after a generous deadline.
func (f *licFixture) settle(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.drain()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *licFixture) drain() {
	for {
		select {
		case fn := <-f.pump:
			fn()
		default:
			return
		}
	}
}

func (f *licFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// setNow moves the manager's clock; refresh the shell afterwards to see the effect.
func (f *licFixture) setNow(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
}

// newLicShell opens a shell on tenant over a real license manager in a temp dir, with an
// injected clock, optionally activating text first.
func newLicShell(t *testing.T, tenant data.Tenant, text []byte) *licFixture {
	t.Helper()
	f := &licFixture{app: &licApp{App: test.NewTempApp(t)}, now: licNow}
	f.m = license.NewManagerWithKeys(t.TempDir(), f.clock, licDevKeys(t))
	if text != nil {
		if _, err := f.m.Activate(text); err != nil {
			t.Fatal(err)
		}
	}
	f.pump = make(chan func(), 1024)
	f.s = NewShell(f.app, Config{Reports: tenantOnly(tenant), Licenses: f.m, Dispatch: func(fn func()) { f.pump <- fn }})
	t.Cleanup(f.s.Win.Close)
	f.settle(t, "the shell's first load", func() bool { return f.s.loaded })
	return f
}

// screen returns the index of the sidebar screen with id.
func (f *licFixture) screen(t *testing.T, id string) Screen {
	t.Helper()
	for _, sc := range f.s.screens {
		if sc.ID == id {
			return sc
		}
	}
	t.Fatalf("no screen %q", id)
	return Screen{}
}

// licWalk visits o and everything under it, widgets through their renderers; hidden objects
// and their children are skipped, as a user cannot see them.
func licWalk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	visit(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			licWalk(c, visit)
		}
	case *widget.Entry: // its text is read from Text; its renderer repeats it
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			licWalk(c, visit)
		}
	}
}

// licOverlays is everything shown over the window: dialogs and pop-ups, topmost last.
func licOverlays(s *Shell) []fyne.CanvasObject { return s.Win.Canvas().Overlays().List() }

// licText joins the text of every label under the objects.
func licText(objs ...fyne.CanvasObject) string {
	var b strings.Builder
	for _, o := range objs {
		licWalk(o, func(o fyne.CanvasObject) {
			switch x := o.(type) {
			case *widget.Label:
				b.WriteString(x.Text + "\n")
			case *widget.Button:
				b.WriteString("[" + x.Text + "]\n")
			}
		})
	}
	return b.String()
}

// licButton finds the visible button labelled text under the objects.
func licButton(t *testing.T, text string, objs ...fyne.CanvasObject) *widget.Button {
	t.Helper()
	var found *widget.Button
	for _, o := range objs {
		licWalk(o, func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
				found = b
			}
		})
	}
	if found == nil {
		t.Fatalf("no button %q in:\n%s", text, licText(objs...))
	}
	return found
}

func licEntry(t *testing.T, objs ...fyne.CanvasObject) *widget.Entry {
	t.Helper()
	var found *widget.Entry
	for _, o := range objs {
		licWalk(o, func(o fyne.CanvasObject) {
			if e, ok := o.(*widget.Entry); ok && found == nil {
				found = e
			}
		})
	}
	if found == nil {
		t.Fatal("no entry")
	}
	return found
}

func licContains(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s: missing %q in:\n%s", what, w, text)
		}
	}
}
