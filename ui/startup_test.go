package ui

import (
	"context"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// countingReports counts the Dashboard loads.
type countingReports struct {
	*reports.Service
	dashboards atomic.Int32
}

func (c *countingReports) Dashboard(ctx context.Context, ents license.Entitlements) (reports.Dashboard, error) {
	c.dashboards.Add(1)
	return c.Service.Dashboard(ctx, ents)
}

// The first start shows no lock before the license is read, and loads the Dashboard once: the
// shell's first load prefetches it, and selecting the screen in the sidebar does not build it
// a second time.
func TestStartLoadsTheDashboardOnce(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	r := &countingReports{Service: demoReports(t, now)}
	m := license.NewManagerWithKeys(filepath.Join(t.TempDir(), "license"), time.Now, licDevKeys(t))
	s := NewShell(test.NewTempApp(t), Config{Reports: r, Licenses: m, Version: "test", Home: t.TempDir(), Dispatch: testPump.do,
		Now: func() time.Time { return now }})
	t.Cleanup(s.Win.Close)
	var badges []string
	for _, sc := range s.screens {
		badges = append(badges, s.Badge(sc))
	}
	if slices.ContainsFunc(badges, func(b string) bool { return b != "" }) {
		t.Errorf("before the license is read the sidebar shows badges %q", badges)
	}
	waitFor(t, "the dashboard's numbers", func() bool {
		l := labels(s.content)
		i := slices.Index(l, "Appointments this month")
		return i >= 0 && i+1 < len(l) && l[i+1] != "" && l[i+1] != "…"
	})
	time.Sleep(100 * time.Millisecond) // a second load, if any, would have started by now
	testPump.drain()
	if n := r.dashboards.Load(); n != 1 {
		t.Errorf("the start loaded the Dashboard %d times, want 1", n)
	}
	if !slices.ContainsFunc(s.screens, func(sc Screen) bool { return s.Badge(sc) != "" }) {
		t.Error("after the load the FREE plan shows no lock badge")
	}
}

// A first load started before the shell (as cmd/almanac starts it while the window is made)
// is the shell's: once it is in, the shell built from it holds the header, no lock before
// the license was read, and the Dashboard's numbers in its first frame, loaded once.
func TestFirstLoadStartedBeforeTheShell(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	r := &countingReports{Service: demoReports(t, now)}
	m := license.NewManagerWithKeys(filepath.Join(t.TempDir(), "license"), time.Now, licDevKeys(t))
	closed := make(chan struct{})
	cfg := Config{Reports: r, Licenses: m, Version: "test", Home: t.TempDir(), Dispatch: testPump.do,
		Now: func() time.Time { return now }, OnClose: func() { close(closed) }}
	cfg.FirstLoad = StartFirstLoad(cfg)
	select {
	case <-cfg.FirstLoad.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the first load did not finish")
	}
	if pre := cfg.FirstLoad.st.dashboard; pre != nil {
		select { // the numbers too, as when they are in before the window can draw
		case <-pre.done:
		case <-time.After(10 * time.Second):
			t.Fatal("the Dashboard's prefetch did not finish")
		}
	}
	s := NewShell(test.NewTempApp(t), cfg)
	if !s.loaded {
		t.Fatal("the shell built after its first load was in did not apply it at once")
	}
	l := labels(s.content)
	i := slices.Index(l, "Appointments this month")
	if i < 0 || i+1 >= len(l) || l[i+1] == "…" || l[i+1] == "" {
		t.Errorf("the first frame's Dashboard shows no numbers: %q", l)
	}
	if s.title.Text == "" {
		t.Error("the first frame's header has no tenant name")
	}
	time.Sleep(100 * time.Millisecond) // a second load, if any, would have started by now
	testPump.drain()
	if n := r.dashboards.Load(); n != 1 {
		t.Errorf("the start loaded the Dashboard %d times, want 1", n)
	}
	s.Win.Close()
	select { // the first load's work is the shell's: OnClose runs once it returned
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("OnClose did not run after the window closed")
	}
}
