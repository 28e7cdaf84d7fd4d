package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	datasync "github.com/almanac-app/almanac/data/sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
)

// fakeTickers hands out tickers the test ticks by hand, recording each one's interval.
type fakeTickers struct {
	mu      sync.Mutex
	every   []time.Duration
	chans   []chan time.Time
	stopped []bool
}

func (f *fakeTickers) new(d time.Duration) (<-chan time.Time, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, i := make(chan time.Time), len(f.chans)
	f.every, f.chans, f.stopped = append(f.every, d), append(f.chans, c), append(f.stopped, false)
	return c, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.stopped[i] = true
	}
}

func (f *fakeTickers) intervals() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.every)
}

func (f *fakeTickers) isStopped(i int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stopped[i]
}

// tick ticks ticker i; it fails the test when nothing listens (a stopped timer).
func (f *fakeTickers) tick(t *testing.T, i int) {
	t.Helper()
	f.mu.Lock()
	c := f.chans[i]
	f.mu.Unlock()
	select {
	case c <- time.Now():
	case <-time.After(5 * time.Second):
		t.Fatalf("ticker %d: nothing listens", i)
	}
}

// autoSyncer counts syncs; each fails with err (nil: succeeds) and, with hold set, runs until
// cancelled or released.
type autoSyncer struct {
	fakeSyncer
	log     *events
	mu2     sync.Mutex
	calls   int
	auto    []bool
	err     error
	hold    chan struct{}
	started chan struct{}
	// unrecorded: a failure saves nothing, as when the server cannot be reached
	// (cmd/almanac's saveOutcome records only syncs the server accepted).
	unrecorded bool
}

func (f *autoSyncer) Sync(ctx context.Context, req SyncRequest, _ func(datasync.Progress)) (SyncDone, error) {
	f.mu2.Lock()
	f.calls++
	err, hold := f.err, f.hold
	f.mu2.Unlock()
	if f.started != nil {
		f.started <- struct{}{}
	}
	if hold != nil {
		select {
		case <-ctx.Done():
			f.log.add("sync cancelled")
			<-hold
			f.log.add("sync returned")
			return SyncDone{}, ctx.Err()
		case <-hold:
		}
	}
	now := time.Now()
	res := datasync.Result{Tenant: autoTenant(), Entities: []datasync.EntityResult{{Entity: "appointments", Added: 3}}}
	if err == nil || !f.unrecorded {
		f.setSaved(&now, res, err)
	}
	return SyncDone{Result: res}, err
}

func (f *autoSyncer) syncs() int {
	f.mu2.Lock()
	defer f.mu2.Unlock()
	return f.calls
}

func (f *autoSyncer) fail(err error) {
	f.mu2.Lock()
	defer f.mu2.Unlock()
	f.err = err
}

// autoTenant is a business synced from a server (the demo has none).
func autoTenant() data.Tenant {
	at := time.Date(2026, 11, 30, 23, 2, 0, 0, time.UTC)
	return data.Tenant{ID: "maple", Name: "Maple Street Wellness", TimeZone: "America/New_York", Currency: "USD", LastSyncAt: &at}
}

func newAutoSyncer(onOpen bool, everyHours int) *autoSyncer {
	return &autoSyncer{log: &events{}, fakeSyncer: fakeSyncer{saved: datasync.Settings{
		Server: "http://x", Token: "good", AutoOnOpen: onOpen, AutoEveryHours: everyHours}}}
}

// autoShell is a shell over autoTenant whose automatic sync ticks on tickers.
func autoShell(t *testing.T, f *autoSyncer, tickers *fakeTickers) *Shell {
	t.Helper()
	return lifetimeShell(t, Config{Reports: tenantOnly(autoTenant()), Syncer: f, NewTicker: tickers.new}, f.log)
}

// settle lets every queued callback and the background work it starts run.
func settleAuto(t *testing.T, s *Shell) {
	t.Helper()
	for range 5 {
		waitFor(t, "the shell's latest load", func() bool {
			return current(s)() && (s.syncView == nil || s.syncView.cancel == nil)
		})
		time.Sleep(20 * time.Millisecond)
	}
}

func findButton(o fyne.CanvasObject, text string) *widget.Button {
	b, _ := find(o, func(o fyne.CanvasObject) bool { b, ok := o.(*widget.Button); return ok && b.Text == text }).(*widget.Button)
	return b
}

func TestAutoSyncOnOpen(t *testing.T) {
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprint(on), func(t *testing.T) {
			f := newAutoSyncer(on, 0)
			s := autoShell(t, f, &fakeTickers{})
			settleAuto(t, s)
			want := 0
			if on {
				want = 1
			}
			if got := f.syncs(); got != want {
				t.Errorf("sync when Almanac opens %v: %d syncs after start, want %d", on, got, want)
			}
		})
	}
}

func TestAutoSyncEveryNHours(t *testing.T) {
	f := newAutoSyncer(false, 6)
	tickers := &fakeTickers{}
	s := autoShell(t, f, tickers)
	settleAuto(t, s)
	if got := tickers.intervals(); !slices.Equal(got, []time.Duration{6 * time.Hour}) {
		t.Fatalf("timers %v, want one of 6h", got)
	}
	if f.syncs() != 0 {
		t.Fatalf("%d syncs before the first tick", f.syncs())
	}
	if got := s.dataAsOf.Text; !strings.HasPrefix(got, "Data as of") {
		t.Errorf("header before any recorded sync %q", got)
	}
	tickers.tick(t, 0)
	waitFor(t, "the sync of the tick", func() bool { return f.syncs() == 1 })
	settleAuto(t, s)
	want := "Synced today " + time.Now().In(autoTenant().Location()).Format("15:04")
	if got := s.dataAsOf.Text; got != want && !strings.HasPrefix(got, "Synced today ") {
		t.Errorf("header after the sync %q, want %q", got, want)
	}
	if len(tickers.intervals()) != 1 {
		t.Errorf("the reload after the sync restarted the timer: %v", tickers.intervals())
	}
	tickers.tick(t, 0)
	waitFor(t, "the second tick's sync", func() bool { return f.syncs() == 2 })
}

// A failed automatic sync shows a banner (no dialog) with the plain reason and Sync now, which
// syncs again; its success clears the banner and the header says so.
func TestAutoSyncFailureBanner(t *testing.T) {
	f := newAutoSyncer(true, 0)
	f.fail(fmt.Errorf("GET /sync/appointments: %w", datasync.ErrServerUnavailable))
	s := autoShell(t, f, &fakeTickers{})
	settleAuto(t, s)
	got := licText(s.autoBar)
	if !strings.Contains(got, "automatic sync") || !strings.Contains(got, "the server could not be reached") || strings.Contains(got, "GET /sync") {
		t.Errorf("banner %q", got)
	}
	if n := len(licOverlays(s)); n != 0 {
		t.Errorf("a failed automatic sync opened %d overlays (a dialog)", n)
	}
	if got := s.dataAsOf.Text; !strings.HasPrefix(got, "Sync failed today ") || !strings.Contains(got, ": the server could not be reached · synced ") {
		t.Errorf("header %q", got)
	}
	again := findButton(s.autoBar, "Sync now")
	if again == nil {
		t.Fatal("the banner has no Sync now")
	}
	f.fail(nil)
	test.Tap(again)
	waitFor(t, "the second sync", func() bool { return f.syncs() == 2 })
	settleAuto(t, s)
	if len(s.autoBar.Objects) != 0 {
		t.Errorf("a successful sync left the banner: %q", licText(s.autoBar))
	}
	if got := s.dataAsOf.Text; !strings.HasPrefix(got, "Synced today ") {
		t.Errorf("header after the success %q", got)
	}
}

func TestAutoSyncBannerDismiss(t *testing.T) {
	f := newAutoSyncer(true, 0)
	f.fail(datasync.ErrTokenRejected)
	s := autoShell(t, f, &fakeTickers{})
	settleAuto(t, s)
	d := findButton(s.autoBar, "Dismiss")
	if d == nil {
		t.Fatalf("no Dismiss in %q", licText(s.autoBar))
	}
	test.Tap(d)
	if len(s.autoBar.Objects) != 0 {
		t.Error("Dismiss left the banner")
	}
}

// A manual sync's failure is told on the Sync screen, not in the banner.
func TestManualSyncFailureShowsNoBanner(t *testing.T) {
	f := newAutoSyncer(false, 0)
	f.fail(datasync.ErrServerUnavailable)
	s := autoShell(t, f, &fakeTickers{})
	s.ShowID("sync")
	settleAuto(t, s)
	test.Tap(s.syncView.run)
	waitFor(t, "the manual sync", func() bool { return f.syncs() == 1 })
	settleAuto(t, s)
	if len(s.autoBar.Objects) != 0 {
		t.Errorf("banner after a manual sync: %q", licText(s.autoBar))
	}
}

// Never two syncs at once: a tick while a manual sync runs is skipped, and while the automatic
// one runs the Sync screen's button is disabled and the status says which sync runs.
func TestAutoSyncNeverTwoAtOnce(t *testing.T) {
	f := newAutoSyncer(false, 1)
	f.hold = make(chan struct{})
	tickers := &fakeTickers{}
	s := autoShell(t, f, tickers)
	s.ShowID("sync")
	settleAuto(t, s)
	v := s.syncView
	test.Tap(v.run)
	waitFor(t, "the manual sync", func() bool { return f.syncs() == 1 })
	tickers.tick(t, 0)
	testPump.drain()
	time.Sleep(50 * time.Millisecond)
	testPump.drain()
	if f.syncs() != 1 {
		t.Errorf("a tick during a manual sync started another: %d syncs", f.syncs())
	}
	close(f.hold)
	settleAuto(t, s)
	f.mu2.Lock()
	f.hold = make(chan struct{})
	f.mu2.Unlock()
	tickers.tick(t, 0)
	waitFor(t, "the automatic sync", func() bool { return f.syncs() == 2 })
	testPump.drain()
	if !v.run.Disabled() || !strings.HasPrefix(v.status.Text, "Automatic sync from http://x") {
		t.Errorf("during the automatic sync: button disabled %v, status %q", v.run.Disabled(), v.status.Text)
	}
	test.Tap(v.run)
	if f.syncs() != 2 {
		t.Errorf("the button started a second sync")
	}
	close(f.hold)
	settleAuto(t, s)
}

// Switching to another tenant restarts the timer with that tenant's interval; the old timer
// stops.
func TestAutoSyncTenantSwitchRearms(t *testing.T) {
	f := newAutoSyncer(false, 6)
	tickers := &fakeTickers{}
	s := autoShell(t, f, tickers)
	settleAuto(t, s)
	f.mu.Lock()
	f.saved.AutoEveryHours = 2
	f.mu.Unlock()
	birch := autoTenant()
	birch.ID, birch.Name = "birch", "Birch Clinic"
	s.SetReports(tenantOnly(birch))
	settleAuto(t, s)
	if got := tickers.intervals(); !slices.Equal(got, []time.Duration{6 * time.Hour, 2 * time.Hour}) {
		t.Fatalf("timers %v, want 6h then 2h", got)
	}
	waitFor(t, "the old timer's stop", func() bool { return tickers.isStopped(0) })
	if tickers.isStopped(1) {
		t.Error("the new tenant's timer is stopped")
	}
	tickers.tick(t, 1)
	waitFor(t, "the new tenant's sync", func() bool { return f.syncs() == 1 })
}

// The switches on the Sync screen save the tenant's setting and arm the timer; the demo gets
// one line instead.
func TestAutoSyncSwitchesOnSyncScreen(t *testing.T) {
	f := newAutoSyncer(false, 0)
	tickers := &fakeTickers{}
	s := autoShell(t, f, tickers)
	s.ShowID("sync")
	settleAuto(t, s)
	v := s.syncView
	if !shown(s, v.every) || v.onOpen.Checked || v.every.Checked || !v.hours.Disabled() {
		t.Fatalf("switches: shown %v, on open %v, every %v", shown(s, v.every), v.onOpen.Checked, v.every.Checked)
	}
	test.Tap(v.every)
	settleAuto(t, s)
	if saved, _ := f.Saved(); saved.AutoEveryHours != 4 || saved.AutoOnOpen {
		t.Errorf("saved %+v", saved)
	}
	if got := tickers.intervals(); !slices.Equal(got, []time.Duration{4 * time.Hour}) {
		t.Errorf("timers %v after switching on", got)
	}
	v.hours.SetSelected("12")
	test.Tap(v.onOpen)
	settleAuto(t, s)
	if saved, _ := f.Saved(); saved.AutoEveryHours != 12 || !saved.AutoOnOpen {
		t.Errorf("saved %+v", saved)
	}
	if f.syncs() != 0 {
		t.Error("switching on 'when Almanac opens' synced now")
	}
}

func TestAutoSyncDemoHasNoSwitches(t *testing.T) {
	f := newAutoSyncer(true, 1)
	tickers := &fakeTickers{}
	s := lifetimeShell(t, Config{Syncer: f, NewTicker: tickers.new}, f.log) // the demo tenant
	s.ShowID("sync")
	settleAuto(t, s)
	if shown(s, s.syncView.every) || !strings.Contains(s.syncView.autoNote.Text, "demo") {
		t.Errorf("demo: switches shown %v, note %q", shown(s, s.syncView.every), s.syncView.autoNote.Text)
	}
	if f.syncs() != 0 || len(tickers.intervals()) != 0 {
		t.Errorf("the demo synced on its own: %d syncs, timers %v", f.syncs(), tickers.intervals())
	}
}

// Closing the window during an automatic sync cancels it, and the store is closed after it
// returned.
func TestCloseDuringAutoSyncCancelsItFirst(t *testing.T) {
	f := newAutoSyncer(true, 0)
	f.hold = make(chan struct{})
	f.started = make(chan struct{}, 1)
	s := autoShell(t, f, &fakeTickers{})
	select {
	case <-f.started:
	case <-time.After(10 * time.Second):
		t.Fatal("no automatic sync on open")
	}
	s.requestClose()
	waitFor(t, "the sync's cancellation", func() bool { return f.log.has("sync cancelled") })
	testPump.drain()
	if f.log.has("store closed") {
		t.Fatalf("the store was closed while the sync ran: %v", f.log.list())
	}
	close(f.hold)
	waitFor(t, "the store's close", func() bool { return f.log.has("store closed") })
	if got, want := f.log.list(), []string{"sync cancelled", "sync returned", "store closed"}; !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
}

func TestFreshness(t *testing.T) {
	ny := autoTenant().Location()
	now := time.Date(2026, 12, 1, 14, 30, 0, 0, ny)
	at := func(y int, m time.Month, d, h, min int) *time.Time {
		v := time.Date(y, m, d, h, min, 0, 0, ny)
		return &v
	}
	tn := autoTenant() // data as of Nov 30, 18:02 New York
	demo := tn
	demo.IsDemo = true
	for _, c := range []struct {
		t     data.Tenant
		saved datasync.Settings
		want  string
	}{
		{demo, datasync.Settings{LastAt: at(2026, 12, 1, 9, 15), LastOK: true}, "Demo data"},
		{tn, datasync.Settings{}, DataAsOf(tn)},
		{tn, datasync.Settings{LastAt: at(2026, 12, 1, 9, 15), LastOK: true}, "Synced today 09:15"},
		{tn, datasync.Settings{LastAt: at(2026, 11, 30, 18, 2), LastOK: true}, "Synced yesterday 18:02"},
		{tn, datasync.Settings{LastAt: at(2026, 11, 3, 18, 2), LastOK: true}, "Synced Nov 3, 18:02"},
		{tn, datasync.Settings{LastAt: at(2025, 11, 30, 18, 2), LastOK: true}, "Synced Nov 30, 2025, 18:02"},
		{tn, datasync.Settings{LastAt: at(2026, 12, 1, 9, 20), LastCause: "the server could not be reached"},
			"Sync failed today 09:20: the server could not be reached · synced yesterday 18:02"},
		{data.Tenant{ID: "x", TimeZone: "UTC"}, datasync.Settings{LastAt: at(2026, 12, 1, 9, 20)}, "Sync failed today 14:20: it did not finish · never synced"},
	} {
		if got := Freshness(c.t, c.saved, now); got != c.want {
			t.Errorf("Freshness(%+v) = %q, want %q", c.saved, got, c.want)
		}
	}
}

// A manual sync that fails without recording anything (the server could not be reached)
// still shows in the header until a sync succeeds.
func TestHeaderShowsUnrecordedFailure(t *testing.T) {
	f := newAutoSyncer(false, 0)
	f.unrecorded = true
	last := time.Now().Add(-time.Hour)
	f.saved.LastAt, f.saved.LastOK = &last, true
	f.fail(datasync.ErrServerUnavailable)
	s := autoShell(t, f, &fakeTickers{})
	s.ShowID("sync")
	settleAuto(t, s)
	if got := s.dataAsOf.Text; strings.Contains(got, "failed") {
		t.Fatalf("header before the failure %q", got)
	}
	test.Tap(s.syncView.run)
	waitFor(t, "the manual sync", func() bool { return f.syncs() == 1 })
	settleAuto(t, s)
	if got := s.dataAsOf.Text; !strings.Contains(got, ": the server could not be reached") {
		t.Errorf("header after the failure %q", got)
	}
	f.fail(nil)
	test.Tap(s.syncView.run)
	waitFor(t, "the second sync", func() bool { return f.syncs() == 2 })
	settleAuto(t, s)
	if got := s.dataAsOf.Text; strings.Contains(got, "failed") || !strings.HasPrefix(got, "Synced today") {
		t.Errorf("header after the success %q", got)
	}
}

// While an automatic sync runs, the header says so at once (a server that cannot be reached is
// retried for seconds before the sync gives up: the window must not look idle meanwhile), and
// the failure is in the header and the banner as soon as the sync returns.
func TestAutoSyncHeaderSaysSyncingThenFails(t *testing.T) {
	f := newAutoSyncer(true, 0)
	f.unrecorded = true // a server that cannot be reached: nothing is saved
	last := time.Now().Add(-time.Hour)
	f.saved.LastAt, f.saved.LastOK = &last, true
	f.fail(fmt.Errorf("GET /v1/tenant: %w", datasync.ErrServerUnavailable))
	f.hold = make(chan struct{})
	f.started = make(chan struct{}, 1)
	s := autoShell(t, f, &fakeTickers{})
	release := sync.OnceFunc(func() { close(f.hold) })
	t.Cleanup(release) // before the window's close, which waits for the sync
	select {
	case <-f.started:
	case <-time.After(10 * time.Second):
		t.Fatal("no automatic sync on open")
	}
	waitFor(t, "the header's Syncing…", func() bool { return strings.HasPrefix(s.dataAsOf.Text, "Syncing… · Synced today ") })
	if len(s.autoBar.Objects) != 0 {
		t.Errorf("a banner while the sync runs: %q", licText(s.autoBar))
	}
	s.Refresh() // a reload meanwhile (a license change) keeps it
	settleShellLoad(t, s)
	if got := s.dataAsOf.Text; !strings.HasPrefix(got, "Syncing… ·") {
		t.Errorf("header after a reload during the sync %q", got)
	}
	release()
	waitFor(t, "the failure banner", func() bool { return len(s.autoBar.Objects) != 0 })
	if got := s.dataAsOf.Text; !strings.HasPrefix(got, "Sync failed today ") || !strings.Contains(got, ": the server could not be reached · synced ") {
		t.Errorf("header with the banner %q", got)
	}
	settleAuto(t, s)
	if got := s.dataAsOf.Text; !strings.HasPrefix(got, "Sync failed today ") {
		t.Errorf("header after the reload %q", got)
	}
}

// settleShellLoad waits until the shell's latest load is on show.
func settleShellLoad(t *testing.T, s *Shell) {
	t.Helper()
	waitFor(t, "the shell's latest load", current(s))
}
