// Package ui is Almanac's desktop interface, built with Fyne over the reports and license packages.
package ui

import (
	"context"
	"image/color"
	"log"
	"net/url"
	"sync"

	"github.com/almanac-app/almanac/data/store"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// Reports is what the UI asks of the reports layer; tests pass a fake.
type Reports interface {
	Tenant(ctx context.Context) (data.Tenant, error)
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
	List(ctx context.Context) ([]store.TenantEntry, error)
	// Use makes tenant id active and returns the reports service over its store.
	Use(ctx context.Context, id string) (Reports, error)
}

// Config wires the shell to its services.
type Config struct {
	Reports  Reports
	Licenses Licenses
	Version  string
	Home     string
	OnClose  func()  // runs when the main window closes
	Syncer   Syncer  // the Sync screen's client; nil hides sync
	Tenants  Tenants // the header's tenant switcher; nil hides it
	// OpenURL opens a link with the desktop and reports a failure the desktop does not (no
	// browser behind xdg-open); it runs off the UI goroutine. nil means fyne.App.OpenURL.
	OpenURL func(ctx context.Context, u *url.URL) error
	// Dispatch runs a function on the UI goroutine; nil means fyne.Do. Tests pass a pump,
	// because Fyne's test driver runs fyne.Do callbacks on the calling goroutine.
	Dispatch func(func())
}

// Screen is one sidebar entry. The sidebar and the screens are built from the list returned by
// Screens, not wired by hand; the lock badges come from the license registry's features whose
// Screen is the entry's ID.
type Screen struct {
	ID    string
	Title string
	Icon  fyne.Resource
	Build func(s *Shell) fyne.CanvasObject
}

// Screens lists the sidebar in order.
func Screens() []Screen {
	return []Screen{
		{ID: "dashboard", Title: "Dashboard", Icon: theme.HomeIcon(), Build: buildDashboard},
		{ID: "analytics", Title: "Analytics", Icon: theme.GridIcon(), Build: buildAnalytics},
		{ID: "exports", Title: "Exports", Icon: theme.DownloadIcon(), Build: buildExports},
		{ID: "sync", Title: "Sync", Icon: theme.ViewRefreshIcon(), Build: buildSync},
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

	mu      sync.Mutex // guards tenant and ents, read by background work
	tenant  data.Tenant
	ents    license.Entitlements
	screens []Screen
	current int

	nav      *widget.List
	content  *fyne.Container
	title    *widget.Label
	switcher *tenantSwitcher
	dataAsOf *widget.Label
	plan     *widget.Label
	banner   *fyne.Container
	unsub    func()
	syncView *syncView  // kept across rebuilds so a running sync keeps its progress and Cancel
	exports  *exportJob // likewise for the running export
}

// NewShell builds the main window for app.
func NewShell(app fyne.App, cfg Config) *Shell {
	s := &Shell{App: app, cfg: cfg, screens: Screens()}
	s.Win = app.NewWindow("Almanac")
	s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.dataAsOf = widget.NewLabel("")
	s.plan = widget.NewLabel("")
	s.banner = container.NewVBox()
	s.content = container.NewStack()
	s.nav = s.newNav()
	s.switcher = newTenantSwitcher(s)
	s.dataAsOf.Truncation = fyne.TextTruncateEllipsis // the name and the plan badge stay whole
	header := container.NewBorder(nil, nil, container.NewHBox(s.title, s.switcher.view), s.plan, s.dataAsOf)
	top := container.NewVBox(header, widget.NewSeparator(), s.banner)
	// One fixed width on every screen keeps titles and lock badges readable; a split sized by
	// a fraction of the window moved with each screen's content.
	navMin := canvas.NewRectangle(color.Transparent)
	navMin.SetMinSize(fyne.NewSize(sidebarWidth, 0))
	sidebar := container.NewBorder(nil, nil, nil, widget.NewSeparator(), container.NewStack(navMin, s.nav))
	s.Win.SetContent(container.NewBorder(nil, nil, sidebar, nil, container.NewBorder(top, nil, nil, nil, s.content)))
	s.Win.Resize(fyne.NewSize(defaultWindowWidth, defaultWindowHeight))
	if cfg.Licenses != nil {
		s.unsub = cfg.Licenses.Subscribe(func() { s.Do(s.Refresh) })
	}
	s.Win.SetOnClosed(func() {
		if s.unsub != nil {
			s.unsub()
		}
		if s.cfg.OnClose != nil {
			s.cfg.OnClose()
		}
	})
	s.loadTenant()
	s.Show(0)
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
	l.OnSelected = func(id widget.ListItemID) { s.Show(id) }
	return l
}

// Badge is the sidebar lock badge of a screen, decided by the registry's features on that
// screen (license.ScreenFeatures): empty when any of them is open, else the lowest plan that
// unlocks one, or a bare lock when no plan would.
func (s *Shell) Badge(sc Screen) string {
	features := license.ScreenFeatures(sc.ID)
	if len(features) == 0 {
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

// Show switches to screen i.
func (s *Shell) Show(i int) {
	if i < 0 || i >= len(s.screens) {
		return
	}
	s.current = i
	s.content.Objects = []fyne.CanvasObject{s.screens[i].Build(s)}
	s.content.Refresh()
	if s.nav != nil {
		s.nav.Select(i)
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

// SetReports swaps the reports service (after a sync brought a new tenant) and refreshes.
func (s *Shell) SetReports(r Reports) {
	s.cfg.Reports = r
	s.Refresh()
}

// Config is the shell's wiring.
func (s *Shell) Config() Config { return s.cfg }

// Refresh re-reads the tenant and license, re-gates every badge and banner, and rebuilds the
// current screen. Call it on the UI goroutine.
func (s *Shell) Refresh() {
	s.loadTenant()
	s.nav.Refresh()
	s.Show(s.current)
}

func (s *Shell) loadTenant() {
	t, err := s.cfg.Reports.Tenant(context.Background())
	if err != nil {
		log.Printf("read tenant: %v", err)
	}
	ents := license.FreeEntitlements(t.CanAcceptPayments)
	var st license.Status
	if s.cfg.Licenses != nil {
		st = s.cfg.Licenses.Status(t.ID) // once: each call visits the license's records of time
		ents = st.Entitlements(t.CanAcceptPayments)
	}
	s.mu.Lock()
	s.tenant, s.ents = t, ents
	s.mu.Unlock()
	s.title.SetText(t.Name)
	s.switcher.reload(t)
	s.dataAsOf.SetText(DataAsOf(t))
	s.plan.SetText("Plan: " + ents.Plan().String())
	s.setBanners(st)
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

type dispatchKey struct{}

// Ctx is a context for the shell's background work: Run hands results back through the
// shell's dispatcher.
func (s *Shell) Ctx() context.Context {
	return context.WithValue(context.Background(), dispatchKey{}, s.dispatch())
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
// on the UI goroutine (through the dispatcher in ctx, see Shell.Ctx; else fyne.Do).
func Run[T any](ctx context.Context, work func(ctx context.Context) (T, error), done func(T, error)) context.CancelFunc {
	do, ok := ctx.Value(dispatchKey{}).(func(func()))
	if !ok {
		do = fyne.Do
	}
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		v, err := work(ctx)
		do(func() { done(v, err) })
	}()
	return cancel
}
