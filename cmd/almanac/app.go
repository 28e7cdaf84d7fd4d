package main

import (
	"errors"
	"fmt"
	"log"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/assets"
	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
	"github.com/almanac-app/almanac/ui"
)

// appID matches FyneApp.toml.
const appID = "app.almanac.desktop"

// errNoDisplay is the desktop app started where there is no graphical session (ssh, a server,
// cron); without this check GLFW panics with a stack trace.
var errNoDisplay = errors.New("no display found (DISPLAY and WAYLAND_DISPLAY are unset), so the desktop app cannot open; " +
	"the headless commands are listed by 'almanac help'")

// haveDisplay reports whether a graphical session is there to open a window on. Only X11 and
// Wayland systems say so through the environment; elsewhere the OS always has one.
func haveDisplay(goos string, getenv func(string) string) bool {
	switch goos {
	case "windows", "darwin", "ios", "android", "js", "wasip1":
		return true
	}
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
}

// runApp opens the desktop app on the active tenant, building the demo tenant first when the
// home has none.
func runApp(env *Env) (err error) {
	if !haveDisplay(runtime.GOOS, os.Getenv) {
		return errNoDisplay
	}
	defer unreachableDisplay(&err)
	ui.TraceStart("runApp entered")
	a := app.NewWithID(appID)
	ui.TraceStart("app created")
	a.Lifecycle().SetOnStarted(func() { ui.TraceStart("event loop started (app.Run)") })
	a.SetIcon(assets.Icon)
	ui.TraceStart("icon set")
	ui.ApplyThemePreference(a)
	ui.TraceStart("theme applied (preferences read)")
	quitOnSignal(a, env)
	fonts := ui.WarmFonts()
	if _, err := env.home().ActiveTenant(); errors.Is(err, data.ErrNoTenant) {
		<-fonts
		buildDemoThenOpen(a, env)
	} else if err := openShell(a, env, fonts); err != nil {
		return err
	}
	a.Run()
	return nil
}

// quitOnSignal quits the app when its context ends (SIGINT, SIGTERM): Fyne quits on those
// signals itself only once its event loop runs, and main's handler swallows one that comes
// during the start, which left the app running.
func quitOnSignal(a fyne.App, env *Env) {
	go func() {
		<-env.ctx().Done()
		fyne.Do(a.Quit)
	}()
}

// unreachableDisplay turns GLFW's panic when DISPLAY names a display that is not there (an
// X server gone, ssh without forwarding) into one line; any other panic goes on.
func unreachableDisplay(err *error) {
	r := recover()
	if r == nil {
		return
	}
	if !strings.Contains(fmt.Sprint(r), "GLFW") {
		panic(r)
	}
	*err = fmt.Errorf("cannot open a window on display %q (%v); the headless commands are listed by 'almanac help'",
		os.Getenv("DISPLAY")+os.Getenv("WAYLAND_DISPLAY"), r)
}

// buildDemoThenOpen shows progress while the demo tenant is built off the UI goroutine.
func buildDemoThenOpen(a fyne.App, env *Env) {
	w := a.NewWindow("Almanac: preparing demo data")
	bar := widget.NewProgressBar()
	msg := widget.NewLabel("Building the demo tenant so you can explore Almanac…")
	w.SetContent(container.NewPadded(container.NewVBox(msg, bar)))
	w.Resize(fyne.NewSize(480, 120))
	w.Show()
	go func() {
		o := demo.Options{Progress: func(done, total int) {
			fyne.Do(func() { bar.SetValue(float64(done) / float64(total)) })
		}}
		_, err := demo.Build(env.ctx(), env.home(), o)
		if errors.Is(err, demo.ErrActiveChanged) {
			err = nil // a sync finished meanwhile: open its tenant
		}
		var st *store.Store
		var t data.Tenant
		if err == nil { // here, off the UI goroutine
			st, t, err = openStore(env)
		}
		fyne.Do(func() {
			if err != nil {
				msg.SetText("Could not build the demo tenant: " + err.Error())
				return
			}
			showShell(a, env, st, t, nil)
			w.Close()
		})
	}()
}

// The reports service is what every screen of the shell reads.
var (
	_ ui.Reports          = (*reports.Service)(nil)
	_ ui.DashboardReports = (*reports.Service)(nil)
	_ ui.AnalyticsReports = (*reports.Service)(nil)
	_ ui.Exporter         = (*reports.Service)(nil)
)

// openShell opens the store on another goroutine while the main window is made (the first
// window starts the graphics driver, which takes longer than the store), and starts the
// shell's first load there as soon as the store is open: the tenant, license and Dashboard
// numbers are read while the driver starts. It then shows the shell once fonts are loaded.
func openShell(a fyne.App, env *Env, fonts <-chan struct{}) error {
	type opened struct {
		cfg ui.Config
		err error
	}
	done := make(chan opened, 1)
	go func() {
		st, t, err := openStore(env)
		ui.TraceStart("store open (tenant row read)")
		if err != nil {
			done <- opened{err: err}
			return
		}
		cfg := shellConfig(a, env, st, t)
		cfg.FirstLoad = ui.StartFirstLoad(cfg)
		done <- opened{cfg: cfg}
	}()
	w := a.NewWindow("Almanac")
	ui.TraceStart("window created")
	<-fonts
	o := <-done
	ui.TraceStart("store waited for")
	if o.err != nil {
		w.Close()
		return o.err
	}
	o.cfg.Window = w
	showConfig(a, o.cfg)
	return nil
}

// openStore opens the active tenant's store for the app; it reads the store, so it runs off
// the UI goroutine (or before the app runs).
func openStore(env *Env) (*store.Store, data.Tenant, error) {
	st, t, err := env.OpenStore()
	if err != nil {
		return nil, data.Tenant{}, fmt.Errorf("open the app: %w", err)
	}
	return st, t, nil
}

// showShell opens the main window over st, in win when it is made already (else a new one).
func showShell(a fyne.App, env *Env, st *store.Store, t data.Tenant, win fyne.Window) {
	cfg := shellConfig(a, env, st, t)
	cfg.Window = win
	showConfig(a, cfg)
}

// shellConfig wires a shell over st. The shell and reports share one clock, and the shell's
// work ends with the window (or a signal): the store closes once that work returned.
func shellConfig(a fyne.App, env *Env, st *store.Store, t data.Tenant) ui.Config {
	zone := &tenantZone{}
	zone.set(t)
	// owns st: a sync or a switch may swap in another tenant's store
	syncer := &appSyncer{env: env, st: st, zone: zone}
	return ui.Config{
		Reports:  reports.New(st, env.Now),
		Licenses: env.licensesWithZone(zone.get),
		Version:  Version,
		Home:     env.Home,
		Syncer:   syncer,
		Tenants:  syncer,
		OpenURL:  desktopOpener(a),
		Context:  env.ctx(),
		Now:      env.Now,
		// the jobs: the Schedules screen, Save as scheduled job… and the due runs while open
		Scheduler: newAppScheduler(env),
		OnClose: func() {
			if err := syncer.Close(); err != nil {
				log.Printf("close store: %v", err)
			}
		},
	}
}

// showConfig builds the shell of cfg and shows its window; on the UI goroutine.
func showConfig(a fyne.App, cfg ui.Config) {
	shell := ui.NewShell(a, cfg)
	ui.TraceStart("shell built, content set")
	shell.Win.SetMaster()
	shell.Win.Show()
	ui.TraceStart("window shown (Show returned)")
}

// tenantZone is the active tenant's time zone, which license banners and dates use; it
// changes when a sync or the header's switcher brings another tenant.
type tenantZone struct{ loc atomic.Pointer[time.Location] }

func (z *tenantZone) set(t data.Tenant) { z.loc.Store(t.Location()) }

func (z *tenantZone) get() *time.Location {
	if loc := z.loc.Load(); loc != nil {
		return loc
	}
	return time.Local
}
