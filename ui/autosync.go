package ui

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	datasync "github.com/almanac-app/almanac/data/sync"
)

// autoSync runs the active tenant's automatic sync: once when the shell first shows a tenant
// that asks for it, and every N hours while the window is open. It starts the Sync screen's
// own run (syncView.begin), so a sync never runs twice at once and the screen shows the
// automatic one's progress. Its fields are touched on the UI goroutine only.
type autoSync struct {
	s      *Shell
	opened bool              // the on-open sync was considered (once per shell)
	tenant string            // the tenant the timer runs for
	every  int               // its interval in hours; 0: no timer
	saved  datasync.Settings // the tenant's settings as last read: the server and token a tick syncs from
	stop   func()            // stops the running timer
	// failed is the last failure of a sync in this session, for the header: a sync that
	// could not reach its server records nothing in the saved settings.
	failed struct {
		tenant string
		at     time.Time
		cause  string
	}
}

// autoSyncable reports whether tenant t can sync on its own: a business synced from a server
// whose token is saved. The demo has no server.
func autoSyncable(t data.Tenant, saved datasync.Settings) bool {
	return !t.IsDemo && saved.Server != "" && saved.TokenFor(saved.Server) != ""
}

// arm is called with every load of the shell: the first one runs the on-open sync when the
// tenant asks for it, and the timer follows the tenant's interval (a switch to another
// tenant, or a changed setting, restarts it).
func (a *autoSync) arm(t data.Tenant, saved datasync.Settings) {
	if a.s.cfg.Syncer == nil {
		return
	}
	first := !a.opened
	a.opened = true
	ok := autoSyncable(t, saved)
	every := 0
	if ok {
		every = saved.AutoEveryHours
	}
	if t.ID != a.tenant {
		a.hideBanner() // the failure was another tenant's
	}
	a.saved = saved
	if t.ID != a.tenant || every != a.every {
		a.stopTimer()
		a.tenant, a.every = t.ID, every
		if every > 0 {
			a.startTimer(t.ID, time.Duration(every)*time.Hour)
		}
	}
	if first && ok && saved.AutoOnOpen {
		a.run(t.ID)
	}
}

func (a *autoSync) stopTimer() {
	if a.stop != nil {
		a.stop()
		a.stop = nil
	}
}

// startTimer ticks every d off the UI goroutine until stopped or the shell's end.
func (a *autoSync) startTimer(id string, d time.Duration) {
	ticks, stopTicker := a.s.newTicker(d)
	done := make(chan struct{})
	var once sync.Once
	a.stop = func() { once.Do(func() { close(done) }) }
	ctx := a.s.ctx
	go func() {
		defer stopTicker()
		for {
			select {
			case <-ctx.Done():
				return
			case <-done:
				return
			case <-ticks:
				a.s.Do(func() { a.tick(id) })
			}
		}
	}()
}

// tick is one tick of tenant id's timer; a tick of a timer stopped meanwhile is dropped.
func (a *autoSync) tick(id string) {
	if id != a.tenant || a.every == 0 {
		return
	}
	a.run(id)
}

// run starts an automatic sync of tenant id, unless a sync (manual or automatic) is running:
// then this one is skipped, the running one brings the data.
func (a *autoSync) run(id string) {
	if a.s.jobs.isClosed() || a.s.Tenant().ID != id || !autoSyncable(a.s.Tenant(), a.saved) {
		return
	}
	v := a.s.syncViewOf()
	if v.cancel != nil {
		log.Printf("automatic sync of %s skipped: a sync is running", id)
		return
	}
	a.hideBanner()
	v.beginRun(SyncRequest{Server: a.saved.Server, Token: string(a.saved.TokenFor(a.saved.Server))}, true)
}

// finished is told of every sync's end: a success clears the failure banner; a failed
// automatic sync shows it (a cancelled one does not: the owner or the closing window asked).
func (a *autoSync) finished(auto bool, res datasync.Result, err error) {
	switch {
	case err == nil:
		a.failed.tenant = ""
		a.hideBanner()
	case errors.Is(err, context.Canceled):
	default:
		a.failed.tenant, a.failed.at, a.failed.cause = a.s.Tenant().ID, a.s.Now(), datasync.FailureCause(res, err)
	}
	if auto && err != nil && !errors.Is(err, context.Canceled) {
		log.Printf("automatic sync: %v", err)
		a.showBanner(autoFailureText(res, err, a.s.Now(), a.s.Tenant().Location()))
	}
}

// withFailure is saved with this session's last failure of tenant id over it when that is
// newer than what the settings record.
func (a *autoSync) withFailure(id string, saved datasync.Settings) datasync.Settings {
	f := a.failed
	if f.tenant != id || (saved.LastAt != nil && !f.at.After(*saved.LastAt)) {
		return saved
	}
	saved.LastAt, saved.LastOK, saved.LastCause = &f.at, false, f.cause
	return saved
}

// autoFailureText is the banner's sentence: when, and why in plain words.
func autoFailureText(res datasync.Result, err error, now time.Time, loc *time.Location) string {
	return fmt.Sprintf("The automatic sync at %s failed: %s. The data shown is from the last sync that worked.",
		now.In(loc).Format("15:04"), datasync.FailureCause(res, err))
}

func (a *autoSync) showBanner(text string) {
	id := a.tenant
	again := &widget.Button{Text: "Sync now", Importance: widget.HighImportance, OnTapped: func() { a.run(id) }}
	dismiss := &widget.Button{Text: "Dismiss", OnTapped: a.hideBanner}
	a.s.autoBar.Objects = []fyne.CanvasObject{NewBanner(BannerDanger, text, again, dismiss)}
	a.s.autoBar.Refresh()
}

func (a *autoSync) hideBanner() {
	if len(a.s.autoBar.Objects) == 0 {
		return
	}
	a.s.autoBar.Objects = nil
	a.s.autoBar.Refresh()
}

// newTicker is Config.NewTicker, or a time.Ticker.
func (s *Shell) newTicker(d time.Duration) (<-chan time.Time, func()) {
	if s.cfg.NewTicker != nil {
		return s.cfg.NewTicker(d)
	}
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// Freshness is the header's freshness line: the demo's, a tenant never synced, or when the
// last sync ran and whether it failed (with the plain reason), in the tenant's zone.
func Freshness(t data.Tenant, saved datasync.Settings, now time.Time) string {
	if t.IsDemo || saved.LastAt == nil {
		return DataAsOf(t)
	}
	loc := t.Location()
	if saved.LastOK {
		return "Synced " + syncWhen(*saved.LastAt, now, loc)
	}
	// The failure comes first: the header truncates its end on a narrow window.
	good := "never synced"
	if t.LastSyncAt != nil {
		good = "synced " + syncWhen(*t.LastSyncAt, now, loc)
	}
	cause := saved.LastCause
	if cause == "" {
		cause = "it did not finish"
	}
	return fmt.Sprintf("Sync failed %s: %s · %s", syncWhen(*saved.LastAt, now, loc), cause, good)
}

// syncWhen is an instant near now in words: "today 09:15", "yesterday 18:02", "Nov 30, 18:02",
// or with the year when it is not this year's.
func syncWhen(at, now time.Time, loc *time.Location) string {
	at, now = at.In(loc), now.In(loc)
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc) }
	switch d := day(now).Sub(day(at)); {
	case d == 0:
		return "today " + at.Format("15:04")
	case d > 0 && d <= 25*time.Hour && day(now).AddDate(0, 0, -1).Equal(day(at)):
		return "yesterday " + at.Format("15:04")
	case at.Year() == now.Year():
		return at.Format("Jan 2, 15:04")
	}
	return at.Format("Jan 2, 2006, 15:04")
}
