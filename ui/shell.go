// Package ui is Almanac's desktop interface, built with Fyne over the reports and license packages.
package ui

import (
	"context"
	"errors"
	"image/color"
	"log"
	"net/url"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// Reports is what the UI asks of the reports layer: the header's tenant and what each screen
// uses, each screen's interface declared beside it. *reports.Service satisfies it (checked
// where cmd/almanac wires it); tests pass fakes.
type Reports interface {
	Tenant(ctx context.Context) (data.Tenant, error)
	DashboardReports
	AnalyticsReports
	Exporter
}

// Licenses is what the UI asks of the license manager; *license.Manager satisfies it.
// Licenses are kept per tenant; the demo tenant uses any license in force saved in the home.
type Licenses interface {
	Status(tenantID string) license.Status
	Entitlements(tenantID string, acceptsPayments bool) license.Entitlements
	Subscribe(fn func()) (cancel func())
	// Check verifies a license text without saving it (the dialog's preview); the status is
	// the one it gives the tenant it was issued to.
	Check(text []byte) (*license.Status, error)
	// Activate verifies it and saves it for its tenant; subscribers are told, which re-gates
	// the shell.
	Activate(text []byte) (*license.Status, error)
	// Applies reports whether a license for licenseTenant is in force while activeTenant is.
	Applies(licenseTenant, activeTenant string) bool
	// Remove deletes tenantID's license: that tenant goes back to FREE; subscribers are told.
	Remove(tenantID string) error
}

// Tenants lists the tenants kept in the home and switches the active one; the header shows a
// switcher when there is more than one.
type Tenants interface {
	List(ctx context.Context) ([]data.TenantEntry, error)
	// Use makes tenant id active and returns the reports service over its store.
	Use(ctx context.Context, id string) (Reports, error)
}

// Config wires the shell to its services.
type Config struct {
	Reports  Reports
	Licenses Licenses
	Version  string
	Home     string
	// OnClose runs when the main window closes, after the shell's background work (syncs,
	// exports, loads) was cancelled and has returned: the store may be closed there.
	OnClose func()
	Syncer  Syncer  // the Sync screen's client; nil leaves the screen out of the sidebar
	Tenants Tenants // the header's tenant switcher; nil hides it
	// Context is the app's lifetime, the parent of the shell's: the shell's work is cancelled
	// when it ends (a signal), as when the window closes. nil means context.Background().
	Context context.Context
	// Now is the clock of every date the UI works out (today, history windows, file names);
	// cmd/almanac passes the one it gives reports. nil means time.Now.
	Now func() time.Time
	// OpenURL opens a link with the desktop and reports a failure the desktop does not (no
	// browser behind xdg-open); it runs off the UI goroutine. nil means fyne.App.OpenURL.
	OpenURL func(ctx context.Context, u *url.URL) error
	// Dispatch runs a function on the UI goroutine; nil means fyne.Do. Tests pass a pump,
	// because Fyne's test driver runs fyne.Do callbacks on the calling goroutine.
	Dispatch func(func())
	// NewTicker starts the shell's clocks (the automatic sync every N hours, the due jobs every
	// DueEvery): a channel that ticks every d and its stop. nil means time.NewTicker; tests pass
	// one they tick by hand.
	NewTicker func(d time.Duration) (ticks <-chan time.Time, stop func())
	// Scheduler is the scheduled jobs (the Schedules screen, "Save as scheduled job…" and the
	// due runs while the app is open); nil leaves them out.
	Scheduler Scheduler
	// Window is the main window when the caller made it already (cmd/almanac makes it while
	// the store opens, the two taking about as long); nil makes a new one.
	Window fyne.Window
	// FirstLoad is the shell's first load when the caller started it already (StartFirstLoad,
	// with this Config); nil starts it in NewShell.
	FirstLoad *FirstLoad
}

// Screen is one sidebar entry. The sidebar and the screens are built from the list returned by
// Screens, not wired by hand; the lock badges come from the license registry's features whose
// Screen is the entry's ID.
type Screen struct {
	ID    string
	Title string
	Icon  fyne.Resource
	Build func(s *Shell) fyne.CanvasObject
	// Shown says whether the shell's wiring has what the screen needs; nil means always.
	Shown func(cfg Config) bool
}

// Screens lists the sidebar in order.
func Screens() []Screen {
	return []Screen{
		{ID: "dashboard", Title: "Dashboard", Icon: theme.HomeIcon(), Build: buildDashboard},
		{ID: "analytics", Title: "Analytics", Icon: theme.GridIcon(), Build: buildAnalytics},
		{ID: "exports", Title: "Exports", Icon: theme.DownloadIcon(), Build: buildExports},
		{ID: "schedules", Title: "Schedules", Icon: theme.HistoryIcon(), Build: buildSchedules, Shown: func(cfg Config) bool { return cfg.Scheduler != nil }},
		{ID: "sync", Title: "Sync", Icon: theme.ViewRefreshIcon(), Build: buildSync, Shown: func(cfg Config) bool { return cfg.Syncer != nil }},
		{ID: "license", Title: "License", Icon: theme.AccountIcon(), Build: buildLicense},
		{ID: "settings", Title: "Settings", Icon: theme.SettingsIcon(), Build: buildSettings},
	}
}

// The first window fits a 1024×768 screen with a panel and title bar; every screen reflows
// down to 900 px wide.
const (
	sidebarWidth        = 250
	defaultWindowWidth  = 1000
	defaultWindowHeight = 700
)

// Shell is the main window: sidebar, header and the current screen.
type Shell struct {
	App fyne.App
	Win fyne.Window
	cfg Config

	mu      sync.Mutex // guards tenant, ents and status, read by background work
	tenant  data.Tenant
	ents    license.Entitlements
	status  license.Status // the license status the last load read
	screens []Screen
	current int
	loaded  bool // the first load of the tenant and license has been applied
	loadSeq int  // the latest load; older results are dropped
	shown   int  // the load on show
	// selecting: Show is selecting its screen in the sidebar, whose OnSelected must not build
	// the screen a second time.
	selecting bool
	// prefetch is the Dashboard's load the first shell load started (nil once taken).
	prefetch *dashboardPrefetch
	// first is the first load started before the shell (Config.FirstLoad; nil once taken).
	first *FirstLoad

	ctx     context.Context // the shell's lifetime: cancelled when the window closes
	cancel  context.CancelFunc
	jobs    *jobs
	closing bool      // the close button was pressed; the window closes once the work returned
	end     sync.Once // the shell's end: cancel, wait, OnClose

	nav      *widget.List
	content  *fyne.Container
	title    *widget.Label
	switcher *tenantSwitcher
	dataAsOf *widget.Label
	plan     *widget.Label
	banner   *fyne.Container
	autoBar  *fyne.Container // the failed automatic sync's banner
	auto     *autoSync
	unsub    func()
	syncView *syncView  // kept across rebuilds so a running sync keeps its progress and Cancel
	exports  *exportJob // likewise for the running export
	sched    *schedulesState
}

// NewShell builds the main window for app. The tenant and license are read off the UI
// goroutine; the first screen shows once they are in.
func NewShell(app fyne.App, cfg Config) *Shell {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	TraceStart("shell: NewShell entered")
	s := &Shell{App: app, cfg: cfg, jobs: &jobs{}}
	for _, sc := range Screens() {
		if sc.Shown == nil || sc.Shown(cfg) {
			s.screens = append(s.screens, sc)
		}
	}
	if fl := cfg.FirstLoad; fl != nil { // its work is the shell's: cancelled and waited for with it
		s.ctx, s.cancel, s.jobs, s.first = fl.ctx, fl.cancel, fl.jobs, fl
	} else {
		s.ctx, s.cancel = context.WithCancel(parentContext(cfg))
	}
	s.Win = cfg.Window
	if s.Win == nil {
		s.Win = app.NewWindow("Almanac")
	}
	s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.dataAsOf = widget.NewLabel("")
	s.plan = widget.NewLabel("")
	s.banner = container.NewVBox()
	s.autoBar = container.NewVBox()
	s.auto = &autoSync{s: s}
	s.content = container.NewStack(widget.NewLabel("Loading…"))
	s.nav = s.newNav()
	s.switcher = newTenantSwitcher(s)
	s.dataAsOf.Truncation = fyne.TextTruncateEllipsis // the name and the plan badge stay whole
	header := container.NewBorder(nil, nil, container.NewHBox(s.title, s.switcher.view), s.plan, s.dataAsOf)
	top := container.NewVBox(header, widget.NewSeparator(), s.banner, s.autoBar)
	// One fixed width on every screen keeps titles and lock badges readable; a split sized by
	// a fraction of the window moved with each screen's content.
	navMin := canvas.NewRectangle(color.Transparent)
	navMin.SetMinSize(fyne.NewSize(sidebarWidth, 0))
	sidebar := container.NewBorder(nil, nil, nil, widget.NewSeparator(), container.NewStack(withPaintProbe(navMin, s.nav)...))
	s.Win.SetContent(container.NewBorder(nil, nil, sidebar, nil, container.NewBorder(top, nil, nil, nil, s.content)))
	s.Win.Resize(fyne.NewSize(defaultWindowWidth, defaultWindowHeight))
	if cfg.Licenses != nil {
		s.unsub = cfg.Licenses.Subscribe(func() { s.Do(s.Refresh) })
	}
	s.Win.SetCloseIntercept(s.requestClose)
	s.Win.SetOnClosed(s.closed)
	// The app may stop without the window closing (SIGTERM, SIGINT: Fyne quits): the same end.
	app.Lifecycle().SetOnStopped(s.closed)
	s.Refresh()
	s.startDueRuns()
	return s
}

func (s *Shell) newNav() *widget.List {
	l := widget.NewList(
		func() int { return len(s.screens) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.HomeIcon()), widget.NewLabel("Screen name"), widget.NewLabel(""))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			sc := s.screens[id]
			row.Objects[0].(*widget.Icon).SetResource(sc.Icon)
			row.Objects[1].(*widget.Label).SetText(sc.Title)
			row.Objects[2].(*widget.Label).SetText(s.Badge(sc))
		})
	l.OnSelected = func(id widget.ListItemID) {
		if !s.selecting {
			s.Show(id)
		}
	}
	return l
}

// Badge is the sidebar lock badge of a screen, decided by the registry's features on that
// screen (license.ScreenFeatures): empty when any of them is open, else the lowest plan that
// unlocks one, or a bare lock when no plan would.
func (s *Shell) Badge(sc Screen) string {
	features := license.ScreenFeatures(sc.ID)
	if len(features) == 0 || !s.loaded { // before the license is read, no lock is known

		return ""
	}
	open, plan, ok := s.Entitlements().LowestUnlock(features)
	switch {
	case open:
		return ""
	case ok:
		return "🔒 " + plan.String()
	default:
		return "🔒"
	}
}

// Show switches to screen i; before the first load it only remembers the choice.
func (s *Shell) Show(i int) {
	if i < 0 || i >= len(s.screens) {
		return
	}
	s.current = i
	if !s.loaded {
		return
	}
	s.content.Objects = []fyne.CanvasObject{s.screens[i].Build(s)}
	s.content.Refresh()
	if s.nav != nil {
		s.selecting = true
		s.nav.Select(i)
		s.selecting = false
	}
}

// Tenant is the tenant on show.
func (s *Shell) Tenant() data.Tenant {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tenant
}

// Entitlements is what the active license allows now.
func (s *Shell) Entitlements() license.Entitlements {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ents
}

// Reports is the reports service.
func (s *Shell) Reports() Reports { return s.cfg.Reports }

// Now is the shell's clock (Config.Now).
func (s *Shell) Now() time.Time { return s.cfg.Now() }

// licenseStatus is the license status the last load read.
func (s *Shell) licenseStatus() license.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// SetReports swaps the reports service (after a sync brought a new tenant) and refreshes.
func (s *Shell) SetReports(r Reports) {
	s.cfg.Reports = r
	s.Refresh()
}

// Config is the shell's wiring.
func (s *Shell) Config() Config { return s.cfg }

// Refresh re-reads the tenant and license off the UI goroutine, then re-gates every badge and
// banner and rebuilds the current screen. Call it on the UI goroutine.
func (s *Shell) Refresh() {
	s.loadSeq++
	if fl := s.first; fl != nil {
		s.first = nil
		s.takeFirstLoad(fl, s.loadSeq)
		return
	}
	seq, r, lic, syncer := s.loadSeq, s.cfg.Reports, s.cfg.Licenses, s.cfg.Syncer
	// The first load also starts the Dashboard's, while the window is still being made: the
	// numbers are then ready about when the first frame is.
	first, now, shellCtx := !s.loaded && seq == 1 && s.screens[s.current].ID == "dashboard", s.cfg.Now, s.Ctx()
	Run(s.Ctx(), func(ctx context.Context) (shellState, error) {
		st, err := readShellState(ctx, r, lic, syncer)
		TraceStart("shell: tenant and license read")
		if first && err == nil {
			st.dashboard = prefetchDashboard(shellCtx, r, st.ents, st.ents.Window(reports.Today(now(), st.tenant.Location())))
		}
		return st, err
	}, func(st shellState, err error) {
		s.applyLoad(seq, st, err) // dropped when a newer load is on its way or the window closes
	})
}

// FirstLoad is the shell's first load started before the shell itself: cmd/almanac starts it
// as soon as the store is open, while the graphics driver starts on the UI goroutine, so the
// tenant, the license and the Dashboard's numbers are read by the time the window can draw.
// It is done once the numbers are in too: the shell shows all of it in one frame, or
// "Loading…" until then.
type FirstLoad struct {
	ctx    context.Context // the shell's lifetime, adopted by NewShell
	cancel context.CancelFunc
	jobs   *jobs
	done   chan struct{} // closed once st and err are set
	st     shellState
	err    error
}

// StartFirstLoad starts the first load of a shell over cfg off the UI goroutine: the tenant,
// its license status and sync settings, then the Dashboard's numbers. Pass it to NewShell in
// cfg.FirstLoad; the work is the shell's (cancelled when its window closes, waited for before
// OnClose).
func StartFirstLoad(cfg Config) *FirstLoad {
	fl := &FirstLoad{jobs: &jobs{}, done: make(chan struct{})}
	fl.ctx, fl.cancel = context.WithCancel(parentContext(cfg))
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	dispatch := cfg.Dispatch
	if dispatch == nil {
		dispatch = fyne.Do
	}
	ctx := context.WithValue(context.WithValue(fl.ctx, dispatchKey{}, dispatch), jobsKey{}, fl.jobs)
	r, lic, syncer := cfg.Reports, cfg.Licenses, cfg.Syncer
	Run(ctx, func(readCtx context.Context) (struct{}, error) {
		st, err := readShellState(readCtx, r, lic, syncer)
		TraceStart("shell: tenant and license read")
		if err == nil && Screens()[0].ID == "dashboard" { // the screen the shell opens on; the shell's ctx outlives readCtx
			st.dashboard = prefetchDashboard(ctx, r, st.ents, st.ents.Window(reports.Today(now(), st.tenant.Location())))
			// applied with its numbers: a Dashboard of "…" cards first is laid out narrower
			select {
			case <-st.dashboard.done:
			case <-ctx.Done():
			}
		}
		fl.st, fl.err = st, err
		close(fl.done)
		return struct{}{}, nil
	}, func(struct{}, error) {})
	return fl
}

// takeFirstLoad applies the load started before the shell: now when it is in (the first frame
// then shows the header and the screen), else once it is.
func (s *Shell) takeFirstLoad(fl *FirstLoad, seq int) {
	select {
	case <-fl.done:
		s.applyLoad(seq, fl.st, fl.err)
		return
	default:
	}
	Run(s.Ctx(), func(ctx context.Context) (struct{}, error) {
		select {
		case <-fl.done:
			return struct{}{}, nil
		case <-ctx.Done():
			return struct{}{}, ctx.Err()
		}
	}, func(_ struct{}, err error) {
		if err != nil {
			return // the window is closing
		}
		s.applyLoad(seq, fl.st, fl.err)
	})
}

// applyLoad shows load seq's result unless a newer load is on its way or the window closes.
func (s *Shell) applyLoad(seq int, st shellState, err error) {
	if seq != s.loadSeq || errors.Is(err, context.Canceled) {
		return
	}
	if err != nil {
		log.Printf("read tenant: %v", err)
	}
	s.shown = seq
	s.apply(st)
	TraceStart("shell: first load applied (header, badges, screen built)")
}

// parentContext is the shell's parent context (Config.Context, else the background).
func parentContext(cfg Config) context.Context {
	if cfg.Context == nil {
		return context.Background()
	}
	return cfg.Context
}

// shellState is what one load reads: the tenant, its license status and its sync settings.
type shellState struct {
	tenant data.Tenant
	status license.Status
	ents   license.Entitlements
	saved  datasync.Settings // zero for the demo and without a Syncer
	// dashboard is the Dashboard's load the first load started (nil otherwise).
	dashboard *dashboardPrefetch
}

// readShellState reads the tenant, the license status and the tenant's sync settings (the
// header's last sync, the automatic sync); it runs off the UI goroutine, as all read the home
// or the store. A tenant that cannot be read is shown on FREE, as before.
func readShellState(ctx context.Context, r Reports, lic Licenses, syncer Syncer) (shellState, error) {
	t, err := r.Tenant(ctx)
	st := shellState{tenant: t, ents: license.FreeEntitlements(t.CanAcceptPayments)}
	if lic != nil {
		st.status = lic.Status(t.ID) // once: each call visits the license's records of time
		st.ents = st.status.Entitlements(t.CanAcceptPayments)
	}
	if syncer != nil && !t.IsDemo && err == nil {
		saved, serr := syncer.Saved()
		if serr != nil {
			log.Printf("read the sync settings: %v", serr)
		}
		st.saved = saved
	}
	return st, err
}

// apply shows a load: header, badges, banners and the current screen.
func (s *Shell) apply(st shellState) {
	s.mu.Lock()
	s.tenant, s.ents, s.status = st.tenant, st.ents, st.status
	s.mu.Unlock()
	s.loaded = true
	t := st.tenant
	s.title.SetText(t.Name)
	s.switcher.reload(t)
	s.showFreshness(t, st.saved)
	s.plan.SetText("Plan: " + st.ents.Plan().String())
	s.setBanners(st.status)
	s.nav.Refresh()
	s.prefetch = st.dashboard // the Dashboard built now takes it
	s.Show(s.current)
	s.prefetch = nil
	s.auto.arm(t, st.saved)
}

// showFreshness sets the header's freshness line of tenant t from its saved sync settings,
// with this session's last failure; while a sync runs it says so first ("Syncing… · Synced
// today 09:15"): a server that cannot be reached is retried for seconds (data/sync's
// RetryPolicy) before the sync gives up, and the window must not look idle meanwhile.
func (s *Shell) showFreshness(t data.Tenant, saved datasync.Settings) {
	text := Freshness(t, s.auto.withFailure(t.ID, saved), s.Now())
	if s.syncView != nil && s.syncView.cancel != nil {
		text = "Syncing… · " + text
	}
	s.dataAsOf.SetText(text)
}

// DataAsOf is the header's freshness line.
func DataAsOf(t data.Tenant) string {
	switch {
	case t.IsDemo:
		return "Demo data"
	case t.LastSyncAt == nil:
		return "Never synced"
	default:
		return "Data as of " + license.FormatDateTime(*t.LastSyncAt, t.Location())
	}
}

// setBanners shows the license banners: development build, expiring, grace, expired.
func (s *Shell) setBanners(st license.Status) {
	var items []fyne.CanvasObject
	if license.DevelopmentBuild() {
		items = append(items, NewBanner(BannerInfo, "Development build: it trusts the insecure development license key."))
	}
	if st.Banner != "" {
		kind := BannerWarning
		if st.State == license.StateGrace || st.State == license.StateExpired {
			kind = BannerDanger
		}
		// Every license banner is fixed by activating a (renewed or right) license.
		items = append(items, NewBanner(kind, st.Banner, container.NewCenter(activateButton(s, nil))))
	}
	s.banner.Objects = items
	s.banner.Refresh()
}

type (
	dispatchKey struct{}
	jobsKey     struct{}
)

// Ctx is a context for the shell's background work: cancelled when the window closes, and
// Run hands results back through the shell's dispatcher and counts the work, so the window
// closes (and the store with it) only once the work has returned.
func (s *Shell) Ctx() context.Context {
	return context.WithValue(context.WithValue(s.ctx, dispatchKey{}, s.dispatch()), jobsKey{}, s.jobs)
}

// requestClose is the window's close button: it cancels the shell's work and closes the window once that work has returned, keeping the window up
// meanwhile with a word on what it waits for.
func (s *Shell) requestClose() {
	if s.closing {
		return
	}
	s.closing = true
	s.cancel()
	if job := s.runningJob(); job != "" {
		s.banner.Objects = []fyne.CanvasObject{NewBanner(BannerInfo, "Closing: stopping the "+job+" first…")}
		s.banner.Refresh()
	}
	go func() {
		s.jobs.close()
		s.Do(s.Win.Close)
	}()
}

// closed runs when the window has closed or the app stopped, whichever comes first: it
// cancels the shell's work, waits for it to return, then runs OnClose, which closes the
// store. Closed through requestClose, the work has returned already.
func (s *Shell) closed() {
	s.end.Do(func() {
		s.cancel()
		if s.unsub != nil {
			s.unsub()
		}
		s.jobs.close()
		if s.cfg.OnClose != nil {
			s.cfg.OnClose()
		}
	})
}

// jobs counts the shell's background work. Once closed it refuses new work, so close can
// wait for the running work with nothing started behind its back.
type jobs struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// add counts one more piece of work; false once closed.
func (j *jobs) add() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return false
	}
	j.wg.Add(1)
	return true
}

func (j *jobs) done() { j.wg.Done() }

// isClosed reports whether close was called.
func (j *jobs) isClosed() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.closed
}

// close refuses new work and waits for the running work to return.
func (j *jobs) close() {
	j.mu.Lock()
	j.closed = true
	j.mu.Unlock()
	j.wg.Wait()
}

// Do runs fn on the UI goroutine.
func (s *Shell) Do(fn func()) { s.dispatch()(fn) }

func (s *Shell) dispatch() func(func()) {
	if s.cfg.Dispatch != nil {
		return s.cfg.Dispatch
	}
	return fyne.Do
}

// Run runs work off the UI goroutine with a cancellable context and hands its result to done
// on the UI goroutine (through the dispatcher in ctx, see Shell.Ctx; else fyne.Do). Under a
// shell's context the work is counted until it returns, and once the shell is closing it is
// not started at all (done is not called).
func Run[T any](ctx context.Context, work func(ctx context.Context) (T, error), done func(T, error)) context.CancelFunc {
	do, ok := ctx.Value(dispatchKey{}).(func(func()))
	if !ok {
		do = fyne.Do
	}
	ctx, cancel := context.WithCancel(ctx)
	j, _ := ctx.Value(jobsKey{}).(*jobs)
	if j != nil && !j.add() {
		cancel()
		return cancel
	}
	go func() {
		v, err := work(ctx)
		cancel() // releases the context from the shell's
		if j != nil {
			j.done()
		}
		do(func() { done(v, err) })
	}()
	return cancel
}
