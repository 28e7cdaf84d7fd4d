package ui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/license/devkeys"
	"github.com/almanac-app/almanac/reports"
)

// demoReports builds a small demo tenant in a temp home and returns a reports service over it.
func demoReports(t *testing.T, now time.Time) *reports.Service {
	t.Helper()
	h := data.Home{Dir: t.TempDir()}
	if _, err := demo.Build(context.Background(), h, demo.Options{Appointments: 3000, Seed: 5, Today: now}); err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenActive(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return reports.New(st, func() time.Time { return now })
}

func newTestShell(t *testing.T, r Reports) (*Shell, *license.Manager) {
	t.Helper()
	a := test.NewTempApp(t)
	m := license.NewManagerWithKeys(filepath.Join(t.TempDir(), "license"), time.Now, licDevKeys(t))
	s := NewShell(a, Config{Reports: r, Licenses: m, Version: "test", Home: t.TempDir(), Dispatch: testPump.do})
	t.Cleanup(s.Win.Close)
	waitFor(t, "the shell's first load", func() bool { return s.loaded })
	return s, m
}

// pump queues UI callbacks from background goroutines; tests run them on the test goroutine.
type pump struct{ ch chan func() }

var testPump = &pump{ch: make(chan func(), 4096)}

func (p *pump) do(fn func()) { p.ch <- fn }

// drain runs every queued callback.
func (p *pump) drain() {
	for {
		select {
		case fn := <-p.ch:
			fn()
		default:
			return
		}
	}
}

// labels collects every label's text under o.
func labels(o fyne.CanvasObject) []string {
	var out []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			out = append(out, w.Text)
		case *Card:
			out = append(out, w.Title.Text, w.Value.Text)
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(w.Content)
		case fyne.Widget:
			r := test.WidgetRenderer(w)
			for _, c := range r.Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for testPump.drain(); !cond(); testPump.drain() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSidebarShowsEveryScreen(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	s, _ := newTestShell(t, demoReports(t, now))
	for i, sc := range s.screens {
		s.nav.Select(i)
		if got := s.Current(); got != sc.ID {
			t.Fatalf("selecting %q shows %q", sc.Title, got)
		}
		if !contains(labels(s.Content()), sc.Title) {
			t.Errorf("screen %q does not show its title; labels %v", sc.ID, labels(s.Content()))
		}
	}
}

func TestDashboardShowsStoreNumbers(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	r := demoReports(t, now)
	want, err := r.Dashboard(context.Background(), license.FreeEntitlements(true))
	if err != nil {
		t.Fatal(err)
	}
	if want.TotalAppointmentsThisMonth == 0 || want.UpcomingAppointmentsCount == 0 {
		t.Fatalf("fixture has no numbers: %+v", want)
	}
	s, _ := newTestShell(t, r)
	s.ShowID("dashboard")
	month := data.Thousands(want.TotalAppointmentsThisMonth)
	waitFor(t, "dashboard numbers", func() bool { return contains(labels(s.Content()), month) })
	got := labels(s.Content())
	for _, v := range []string{month, data.Thousands(want.TotalAppointmentsAllTime), data.Thousands(want.UpcomingAppointmentsCount),
		data.Thousands(want.ActiveResourcesCount), data.Thousands(want.ActiveServicesCount), *want.PeakBookingDay} {
		if !contains(got, v) {
			t.Errorf("dashboard lacks %q; labels %v", v, got)
		}
	}
	if s.dataAsOf.Text != "Demo data" || s.plan.Text != "Plan: FREE" {
		t.Errorf("header %q / %q", s.dataAsOf.Text, s.plan.Text)
	}
}

func TestBadgesFollowTheLicense(t *testing.T) {
	now := time.Now()
	s, m := newTestShell(t, demoReports(t, now))
	analytics := Screens()[1]
	if got := s.Badge(analytics); got == "" {
		t.Fatal("analytics is not locked on FREE")
	}
	text := shellTestLicense(t, "ENTERPRISE", now)
	if _, err := m.Activate(text); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "re-gating after activation", func() bool {
		return s.Badge(analytics) == "" && s.plan.Text == "Plan: ENTERPRISE"
	})
}

func TestDataAsOf(t *testing.T) {
	at := time.Date(2026, 7, 1, 18, 5, 0, 0, time.UTC)
	cases := []struct {
		t    data.Tenant
		want string
	}{
		{data.Tenant{IsDemo: true}, "Demo data"},
		{data.Tenant{TimeZone: "UTC"}, "Never synced"},
		{data.Tenant{TimeZone: "America/New_York", LastSyncAt: &at}, "Data as of Jul 1, 2026 2:05 PM EDT"},
	}
	for _, c := range cases {
		if got := DataAsOf(c.t); got != c.want {
			t.Errorf("DataAsOf = %q, want %q", got, c.want)
		}
	}
}

// shellTestLicense signs a license for the demo tenant with the committed development key.
func shellTestLicense(t *testing.T, plan string, now time.Time) []byte {
	t.Helper()
	kid, priv, err := license.ParsePrivateKey(devkeys.PrivateKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	p, err := license.ParsePlan(plan)
	if err != nil {
		t.Fatal(err)
	}
	text, err := license.Sign(license.Payload{LicenseID: "shell-test", TenantID: data.DemoTenantID, Licensee: "Shell Test",
		Plan: p, IssuedAt: now.Add(-time.Hour), NotBefore: now.Add(-time.Hour), ExpiresAt: now.AddDate(1, 0, 0)}, kid, priv)
	if err != nil {
		t.Fatal(err)
	}
	return text
}
