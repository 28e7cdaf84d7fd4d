package ui

import (
	"context"
	"errors"
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
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// events is an ordered log written from the UI and from background work.
type events struct {
	mu  sync.Mutex
	log []string
}

func (e *events) add(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.log = append(e.log, s)
}

func (e *events) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.log)
}

func (e *events) has(s string) bool { return slices.Contains(e.list(), s) }

// gate holds a fake call until the test opens it. A call still held after a generous while
// means the caller was blocked (on the UI goroutine, say): it fails the test and goes on.
type holdGate struct {
	t    *testing.T
	open chan struct{}
	what string
}

func newGate(t *testing.T, what string) *holdGate {
	return &holdGate{t: t, open: make(chan struct{}), what: what}
}

func (g *holdGate) wait() {
	select {
	case <-g.open:
	case <-time.After(10 * time.Second):
		g.t.Errorf("%s was still held after 10s: it blocked its caller", g.what)
	}
}

// lifetimeShell is a shell over a fake tenant whose OnClose (the store's close) is logged.
func lifetimeShell(t *testing.T, cfg Config, log *events) *Shell {
	t.Helper()
	if cfg.Reports == nil {
		cfg.Reports = tenantOnly(licTenant(true))
	}
	cfg.Dispatch = testPump.do
	cfg.OnClose = func() { log.add("store closed") }
	s := NewShell(test.NewTempApp(t), cfg)
	t.Cleanup(func() {
		if !s.jobs.isClosed() { // the test driver's window panics when closed twice
			s.Win.Close()
		}
	})
	waitFor(t, "the shell's first load", func() bool { return s.loaded })
	return s
}

// blockingSyncer's Sync runs until its context is cancelled, then holds until released, so a
// test can see whether anything closes the store while the sync still runs.
type blockingSyncer struct {
	fakeSyncer
	log     *events
	started chan struct{}
	release chan struct{}
}

func (b *blockingSyncer) Sync(ctx context.Context, _ SyncRequest, _ func(datasync.Progress)) (SyncDone, error) {
	close(b.started)
	<-ctx.Done()
	b.log.add("sync cancelled")
	<-b.release
	b.log.add("sync returned")
	return SyncDone{}, ctx.Err()
}

// The close button while a sync runs: the sync's context is cancelled, the window stays up
// (saying why) until the sync has returned, and only then is the store closed.
func TestCloseButtonCancelsSyncAndClosesStoreAfterIt(t *testing.T) {
	log := &events{}
	f := &blockingSyncer{fakeSyncer: fakeSyncer{saved: datasync.Settings{Server: "http://x", Token: "good"}},
		log: log, started: make(chan struct{}), release: make(chan struct{})}
	s := lifetimeShell(t, Config{Syncer: f}, log)
	s.ShowID("sync")
	waitFor(t, "the sync form", func() bool { return s.syncView != nil && s.syncView.loadOnce })
	test.Tap(s.syncView.run)
	<-f.started

	s.requestClose() // what the window's close button calls
	waitFor(t, "the sync's cancellation", func() bool { return log.has("sync cancelled") })
	testPump.drain()
	if log.has("store closed") {
		t.Fatalf("the store was closed while the sync still ran: %v", log.list())
	}
	if got := licText(s.banner); !strings.Contains(got, "stopping the sync") {
		t.Errorf("the closing window does not say what it waits for: %q", got)
	}
	close(f.release)
	waitFor(t, "the store's close", func() bool { return log.has("store closed") })
	if got, want := log.list(), []string{"sync cancelled", "sync returned", "store closed"}; !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
}

// A window closed another way (the app quitting) waits as well: the running export's context
// is cancelled and the store is closed after the export returned. Work asked for afterwards
// does not start.
func TestWindowCloseWaitsForExportBeforeStore(t *testing.T) {
	log := &events{}
	s := lifetimeShell(t, Config{}, log)
	started := make(chan struct{})
	j := s.exportJob()
	j.start(func(ctx context.Context, _ func(done, total int64)) (reports.ExportResult, error) {
		close(started)
		<-ctx.Done()
		log.add("export cancelled")
		time.Sleep(50 * time.Millisecond) // the engine removing its temp file
		log.add("export returned")
		return reports.ExportResult{}, ctx.Err()
	})
	<-started
	s.Win.Close()
	if got, want := log.list(), []string{"export cancelled", "export returned", "store closed"}; !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	ran := false
	Run(s.Ctx(), func(context.Context) (struct{}, error) { ran = true; return struct{}{}, nil }, func(struct{}, error) {})
	if ran {
		t.Error("work started after the window closed, against a closed store")
	}
}

// The app's context ending (a signal) cancels the shell's work, as the window closing does.
func TestAppContextEndCancelsWork(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := lifetimeShell(t, Config{Context: ctx}, &events{})
	got := make(chan error, 1)
	Run(s.Ctx(), func(ctx context.Context) (struct{}, error) {
		<-ctx.Done()
		got <- ctx.Err()
		return struct{}{}, nil
	}, func(struct{}, error) {})
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Errorf("the work's context ended with %v", err)
	}
}

// The app stopping without its window closing (Fyne quits on SIGTERM) ends the shell the
// same way: the work is cancelled and waited for, then the store is closed.
func TestAppStopEndsTheShell(t *testing.T) {
	log := &events{}
	a := &stoppableApp{App: test.NewTempApp(t)}
	s := NewShell(a, Config{Reports: tenantOnly(licTenant(true)), Dispatch: testPump.do, OnClose: func() { log.add("store closed") }})
	t.Cleanup(s.Win.Close)
	waitFor(t, "the shell's first load", func() bool { return s.loaded })
	Run(s.Ctx(), func(ctx context.Context) (struct{}, error) {
		<-ctx.Done()
		log.add("work returned")
		return struct{}{}, nil
	}, func(struct{}, error) {})
	if a.stopped == nil {
		t.Fatal("the shell did not hook the app's stop")
	}
	a.stopped()
	if got, want := log.list(), []string{"work returned", "store closed"}; !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
}

// stoppableApp records the app's OnStopped hook, which the test driver never calls.
type stoppableApp struct {
	fyne.App
	stopped func()
}

func (a *stoppableApp) Lifecycle() fyne.Lifecycle { return stoppableLifecycle{a.App.Lifecycle(), a} }

type stoppableLifecycle struct {
	fyne.Lifecycle
	a *stoppableApp
}

func (l stoppableLifecycle) SetOnStopped(f func()) { l.a.stopped = f }

// The header's tenant and license are read off the UI goroutine: NewShell returns while the
// read is held, showing "Loading…", and the header fills in once it is done.
func TestShellReadsTenantOffTheUIGoroutine(t *testing.T) {
	g := newGate(t, "the tenant read")
	r := fakeReports{tenant: func(context.Context) (data.Tenant, error) {
		g.wait()
		return licTenant(true), nil
	}}
	s := NewShell(test.NewTempApp(t), Config{Reports: r, Dispatch: testPump.do})
	t.Cleanup(s.Win.Close)
	if got := labels(s.content); s.title.Text != "" || !contains(got, "Loading…") {
		t.Errorf("before the read: title %q, content %v", s.title.Text, got)
	}
	close(g.open)
	waitFor(t, "the header", func() bool { return s.title.Text == "Maple Street Wellness" })
	if !contains(labels(s.Content()), "Dashboard") {
		t.Errorf("the first screen is not on show: %v", labels(s.Content()))
	}
}

// gatedLicenses holds Status while its gate is set.
type gatedLicenses struct {
	*license.Manager
	mu   sync.Mutex
	gate *holdGate
}

func (l *gatedLicenses) Status(id string) license.Status {
	l.mu.Lock()
	g := l.gate
	l.mu.Unlock()
	if g != nil {
		g.wait()
	}
	return l.Manager.Status(id)
}

func (l *gatedLicenses) hold(g *holdGate) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gate = g
}

// gatedSyncer holds Saved while its gate is set.
type gatedSyncer struct {
	fakeSyncer
	gate *holdGate
}

func (f *gatedSyncer) Saved() (datasync.Settings, error) {
	f.gate.wait()
	return f.fakeSyncer.Saved()
}

// Opening the License and Sync screens reads neither the license records nor the sync
// settings (both in the store) on the UI goroutine.
func TestScreensReadTheStoreOffTheUIGoroutine(t *testing.T) {
	lic := &gatedLicenses{Manager: license.NewManagerWithKeys(t.TempDir(), func() time.Time { return licNow }, licDevKeys(t))}
	syncG := newGate(t, "the sync settings read")
	f := &gatedSyncer{fakeSyncer: fakeSyncer{saved: datasync.Settings{Server: "http://saved.example"}}, gate: syncG}
	s := NewShell(test.NewTempApp(t), Config{Reports: tenantOnly(licTenant(true)), Licenses: lic, Syncer: f, Dispatch: testPump.do})
	t.Cleanup(s.Win.Close)
	waitFor(t, "the shell's first load", func() bool { return s.loaded })

	licG := newGate(t, "the license status read")
	lic.hold(licG)
	s.ShowID("license")
	if got := licText(s.Content()); !strings.Contains(got, "No license: FREE plan") {
		t.Errorf("License screen:\n%s", got)
	}
	close(licG.open)

	s.ShowID("sync")
	if s.syncView.server.Text != "" {
		t.Errorf("the form was filled before the settings were read: %q", s.syncView.server.Text)
	}
	close(syncG.open)
	waitFor(t, "the saved server", func() bool { return s.syncView.server.Text == "http://saved.example" })
}

// Each screen takes the reports interface it uses: a fake with only those answers fills it.
func TestScreensTakeTheirReports(t *testing.T) {
	s := lifetimeShell(t, Config{}, &events{})
	var dr DashboardReports = fakeReports{dashboard: func(context.Context, license.Entitlements) (reports.Dashboard, error) {
		return reports.Dashboard{TotalAppointmentsThisMonth: 1234, ActiveServicesCount: 7}, nil
	}}
	dash := newDashboard(s, dr)
	waitFor(t, "the dashboard", func() bool { return contains(labels(dash), "1,234") })
	var ex Exporter = fakeReports{catalog: func(context.Context) (reports.Catalog, error) {
		return reports.Catalog{Services: []reports.Option{{ID: 9, Name: "Deep Tissue", Active: true}}}, nil
	}}
	v, _ := newExportsView(s, ex)
	v.chooseDataset("Appointments")
	waitFor(t, "the catalog", func() bool { return v.catalog.Services != nil })
	v.chooseDataset("Appointments")
	if got := exportsFind(v.filters, func(sel *widget.Select) bool { return slices.Contains(sel.Options, "Deep Tissue · #9") }); got == nil {
		t.Error("the service filter does not offer the fake's service")
	}
}

// The UI's dates come from Config.Now: the export's suggested file name is that instant in
// the tenant's time zone.
func TestExportFileNameUsesTheInjectedClock(t *testing.T) {
	at := time.Date(2031, 3, 4, 10, 15, 0, 0, time.UTC) // 05:15 in New York
	s := lifetimeShell(t, Config{Now: func() time.Time { return at }}, &events{})
	v, _ := newExportsView(s, fakeReports{})
	testPump.drain()
	v.save(reports.FormatCSV)
	overlays := licOverlays(s)
	if len(overlays) == 0 {
		t.Fatal("no save dialog")
	}
	want := v.dataset.Name + "_20310304_051500.csv"
	if got := licEntry(t, overlays[len(overlays)-1]).Text; got != want {
		t.Errorf("suggested file name %q, want %q", got, want)
	}
}
