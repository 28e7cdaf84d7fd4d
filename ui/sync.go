package ui

import (
	"context"
	"errors"
	"fmt"
	"log"
	"slices"
	"strings"
	"sync"
	"time"

	datasync "github.com/almanac-app/almanac/data/sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// Syncer is what the Sync screen asks of the sync client; cmd/almanac implements it over data
// and tests pass a fake.
type Syncer interface {
	// Saved returns the active tenant's saved server URL, token and last outcome.
	Saved() (datasync.Settings, error)
	// Test asks the server which tenant it serves, checking the URL and the token.
	Test(ctx context.Context, server, token string) (datasync.RemoteTenant, error)
	// Sync pulls the tenant; progress is called off the UI goroutine. Reports is non-nil when
	// the shell must switch to another store (the sync brought a new tenant). A server holding
	// a business the home does not keep while a synced one is active fails with a
	// *datasync.OtherTenantError unless req.Add.
	Sync(ctx context.Context, req SyncRequest, progress func(datasync.Progress)) (SyncDone, error)
	// SaveAuto sets tenant id's automatic sync: when Almanac opens, and every n hours while it
	// is open (0: never).
	SaveAuto(id string, onOpen bool, everyHours int) error
}

// SyncRequest is one sync the screen asks for.
type SyncRequest struct {
	Server string
	Token  string
	Full   bool // pull everything again
	Add    bool // add the server's business to the home and make it active (datasync.Options.AddTenant)
}

// SyncDone is a finished sync.
type SyncDone struct {
	Result  datasync.Result
	Reports Reports // the new tenant's reports, or nil to keep the current ones
}

// syncView is the Sync screen. It outlives rebuilds of the screen (the shell keeps it) so a
// running sync keeps its progress and its Cancel button when the shell refreshes.
type syncView struct {
	s        *Shell
	syncer   Syncer
	server   *widget.Entry
	token    *widget.Entry
	full     *widget.Check
	test     *widget.Button
	run      *widget.Button
	cancelB  *widget.Button
	status   *widget.Label
	details  *widget.Accordion // the technical text of the last failure, folded
	detail   *widget.Label
	last     *widget.Label
	rows     map[string]*entityRow
	root     fyne.CanvasObject
	cancel   context.CancelFunc
	req      SyncRequest // of the running or last run
	auto     bool        // the running or last run was started by the automatic sync
	autoBox  *fyne.Container
	onOpen   *widget.Check
	every    *widget.Check
	hours    *widget.Select
	autoNote *widget.Label
	autoMu   sync.Mutex // guards autoWant
	saveMu   sync.Mutex // one save of the switches at a time, off the UI goroutine
	autoWant autoSetting
	loadOnce bool
	loadSeq  int               // the latest read of the saved settings; older ones are dropped
	shownSeq int               // the read on show
	formFor  string            // the tenant whose saved server and token the form was filled with
	saved    datasync.Settings // as loaded: the saved token belongs to saved.Server's origin
	outcome  bool              // the status shows the last run's outcome
}

// entityRow is one entity's progress bar and figures.
type entityRow struct {
	bar      *progressBar
	detail   *widget.Label
	done     int64 // changes applied in this run
	started  bool
	finished bool
}

func buildSync(s *Shell) fyne.CanvasObject {
	v := s.syncViewOf()
	v.reload()
	return v.root
}

// syncViewOf is the Sync screen's view, made the first time the screen or the automatic sync
// needs it.
func (s *Shell) syncViewOf() *syncView {
	if s.syncView == nil {
		s.syncView = newSyncView(s, s.cfg.Syncer)
	}
	return s.syncView
}

// fullSyncLabel is the label of the check box that makes the next sync a full one.
const fullSyncLabel = "Pull everything again (full resync)"

func newSyncView(s *Shell, syncer Syncer) *syncView {
	v := &syncView{s: s, syncer: syncer, rows: map[string]*entityRow{}}
	v.server = widget.NewEntry()
	v.server.SetPlaceHolder("https://booking.example.com or http://127.0.0.1:8417")
	v.token = widget.NewPasswordEntry()
	v.token.SetPlaceHolder("access token from your booking system")
	v.server.OnChanged = v.serverChanged
	v.full = widget.NewCheck(fullSyncLabel, nil)
	v.test = &widget.Button{Text: "Test connection", OnTapped: v.testConnection}
	v.run = &widget.Button{Text: "Sync now", Importance: widget.HighImportance, OnTapped: v.start}
	v.cancelB = &widget.Button{Text: "Cancel", OnTapped: v.stop}
	v.cancelB.Disable()
	v.status = widget.NewLabel("")
	v.status.Wrapping = fyne.TextWrapWord
	v.last = widget.NewLabel("")
	v.last.Wrapping = fyne.TextWrapWord
	v.detail = widget.NewLabel("")
	v.detail.Wrapping = fyne.TextWrapWord
	v.details = widget.NewAccordion(widget.NewAccordionItem("Details", v.detail))
	v.details.Hide()
	form := widget.NewForm(widget.NewFormItem("Server URL", v.server), widget.NewFormItem("Token", v.token))
	grid := container.NewVBox()
	for _, e := range data.Entities() {
		r := &entityRow{bar: newProgressBar(), detail: widget.NewLabel("not started")}
		name := widget.NewLabel(strings.ToUpper(e[:1]) + e[1:])
		grid.Add(container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(130, 36), name), container.NewGridWrap(fyne.NewSize(330, 36), r.detail), r.bar))
		v.rows[e] = r
	}
	intro := widget.NewLabel("Pull your data from your booking system's server. The first sync copies everything; later syncs copy only what changed. A cancelled or interrupted sync keeps what it copied and resumes where it stopped.")
	intro.Wrapping = fyne.TextWrapWord
	v.root = container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle("Sync", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		intro, form, v.full,
		container.NewHBox(v.test, v.run, v.cancelB),
		v.status, v.details, widget.NewSeparator(),
		widget.NewLabelWithStyle("Automatic sync", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.newAutoBox(),
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Progress", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), grid,
		widget.NewSeparator(), v.last,
	))
	return v
}

// reload reads the saved settings off the UI goroutine (they live in the store), then fills
// the form from them the first time and the last-sync line always.
func (v *syncView) reload() {
	v.loadSeq++
	seq := v.loadSeq
	Run(v.s.Ctx(), func(context.Context) (datasync.Settings, error) {
		return v.syncer.Saved()
	}, func(saved datasync.Settings, err error) {
		if seq != v.loadSeq {
			return
		}
		v.shownSeq = seq
		if err != nil {
			v.last.SetText("Could not read the sync settings: " + err.Error())
			return
		}
		v.showSaved(saved)
	})
}

// showSaved fills the form and the last-sync line from saved.
func (v *syncView) showSaved(saved datasync.Settings) {
	v.saved = saved
	// The form shows the active tenant's own server and token: once, and again after a switch
	// to another tenant (never under a running sync).
	if id := v.s.Tenant().ID; !v.loadOnce || (id != v.formFor && v.cancel == nil) {
		v.loadOnce, v.formFor = true, id
		v.server.SetText(saved.Server)
		v.token.SetText(string(saved.Token))
	}
	v.last.SetText(lastSyncText(saved, v.s.Tenant(), !v.outcome))
	v.showAuto(saved, v.s.Tenant())
}

// serverChanged clears the saved token from the form when the URL names another server: a
// token belongs to the origin it was saved with and is not sent elsewhere.
func (v *syncView) serverChanged(server string) {
	if v.saved.Token == "" || v.token.Text != string(v.saved.Token) || v.saved.TokenFor(strings.TrimSpace(server)) != "" {
		return
	}
	v.token.SetText("")
	v.token.SetPlaceHolder("the access token for this server (the saved one belongs to " + datasync.Origin(v.saved.Server) + ")")
}

// lastSyncText is the "last sync" line: when, and what happened (left out when the status
// above already says it).
func lastSyncText(saved datasync.Settings, t data.Tenant, withResult bool) string {
	if saved.LastAt == nil {
		return "Last sync: never."
	}
	at := license.FormatDateTime(*saved.LastAt, t.Location())
	if !withResult {
		return "Last sync: " + at + "."
	}
	return fmt.Sprintf("Last sync: %s. %s", at, saved.LastResult)
}

func (v *syncView) inputs() (server, token string, ok bool) {
	server, token = strings.TrimSpace(v.server.Text), strings.TrimSpace(v.token.Text)
	switch {
	case server == "":
		v.setStatus("Enter the server URL your booking system gave you.", widget.DangerImportance)
	case token == "":
		v.setStatus("Enter the access token your booking system gave you.", widget.DangerImportance)
	default:
		return server, token, true
	}
	return "", "", false
}

func (v *syncView) setStatus(text string, imp widget.Importance) {
	v.status.Importance = imp
	v.status.SetText(text)
	v.outcome = false
	v.details.Hide()
}

// setFailure shows a failure in plain words, with the technical text folded under Details
// and in the log.
func (v *syncView) setFailure(text string, err error, imp widget.Importance) {
	log.Printf("sync: %v", err)
	v.setStatus(text, imp)
	v.detail.SetText(strings.Join(strings.Fields(errorWords(err)), " "))
	v.details.CloseAll()
	v.details.Show()
	if !v.auto { // an automatic sync does not move the focus from what the owner is doing
		v.focusFor(err)
	}
}

// focusFor puts the keyboard focus on the control that gets past err: the field a bad value
// came from, or the full-resync check box.
func (v *syncView) focusFor(err error) {
	var o fyne.Focusable
	switch {
	case errors.Is(err, data.ErrNeedFullSync):
		o = v.full
	case inputField(err) == data.FieldServer:
		o = v.server
	case inputField(err) == data.FieldToken, errors.Is(err, datasync.ErrNoToken):
		o = v.token
	}
	if o != nil && v.s.Win != nil {
		v.s.Win.Canvas().Focus(o)
	}
}

func (v *syncView) testConnection() {
	server, token, ok := v.inputs()
	if !ok {
		return
	}
	v.test.Disable()
	v.setStatus("Contacting "+server+"…", widget.MediumImportance)
	Run(v.s.Ctx(), func(ctx context.Context) (datasync.RemoteTenant, error) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return v.syncer.Test(ctx, server, token)
	}, func(t datasync.RemoteTenant, err error) {
		v.test.Enable()
		if err != nil {
			v.setFailure("Connection failed: "+datasync.FailureCause(datasync.Result{}, err)+".", err, widget.DangerImportance)
			return
		}
		v.setStatus(fmt.Sprintf("Connected: %s (%s), %s, %s.", t.Name, t.ID, t.TimeZone, t.Currency), widget.SuccessImportance)
	})
}

func (v *syncView) start() {
	server, token, ok := v.inputs()
	if !ok || v.cancel != nil {
		return
	}
	v.begin(SyncRequest{Server: server, Token: token, Full: v.full.Checked})
}

// begin runs one sync the owner asked for.
func (v *syncView) begin(req SyncRequest) { v.beginRun(req, false) }

// beginRun runs one sync, started by the owner or (auto) by the automatic sync; nothing when
// one runs already.
func (v *syncView) beginRun(req SyncRequest, auto bool) {
	if v.cancel != nil {
		return
	}
	v.req, v.auto = req, auto
	for _, r := range v.rows {
		r.bar.SetValue(0)
		r.detail.SetText("waiting")
		r.done, r.started, r.finished = 0, false, false
	}
	v.setRunning(true)
	status := "Syncing from " + req.Server + "…"
	if auto {
		status = "Automatic sync from " + req.Server + "…"
	}
	v.setStatus(status, widget.MediumImportance)
	v.cancel = Run(v.s.Ctx(), func(ctx context.Context) (SyncDone, error) {
		return v.syncer.Sync(ctx, req, func(p datasync.Progress) {
			v.s.Do(func() { v.showProgress(p) })
		})
	}, v.finished)
	v.s.showFreshness(v.s.Tenant(), v.s.auto.saved)
}

func (v *syncView) stop() {
	if v.cancel != nil {
		v.cancelB.Disable()
		v.setStatus("Cancelling…", widget.WarningImportance)
		v.cancel()
	}
}

func (v *syncView) setRunning(running bool) {
	if running {
		v.run.Disable()
		v.test.Disable()
		v.cancelB.Enable()
		return
	}
	v.run.Enable()
	v.test.Enable()
	v.cancelB.Disable()
}

func (v *syncView) showProgress(p datasync.Progress) {
	if p.Finishing {
		v.setStatus("All data received; building indexes and daily summaries…", widget.MediumImportance)
		return
	}
	r := v.rows[p.Entity]
	if r == nil {
		return
	}
	if v.cancel == nil {
		return // a late event after the run ended must not restart a stopped row
	}
	r.done, r.started, r.finished = p.Done, true, p.Finished
	if p.Total > 0 {
		r.bar.SetValue(float64(p.Done) / float64(p.Total))
	}
	if p.Finished {
		r.bar.SetValue(1)
		r.detail.SetText(fmt.Sprintf("%s changes · up to date", data.Thousands(p.Done)))
		return
	}
	r.detail.SetText(fmt.Sprintf("%s of ~%s · %s rows/s", data.Thousands(p.Done), data.Thousands(p.Total), data.Thousands(int64(p.RowsPerSec))))
}

func (v *syncView) finished(done SyncDone, err error) {
	v.cancel = nil
	v.setRunning(false)
	v.s.auto.finished(v.auto, done.Result, err)
	v.s.showFreshness(v.s.Tenant(), v.s.auto.saved) // at once: the reload below reads the home first
	if q, ok := addTenantQuestion(err); ok && !v.req.Add && !v.auto {
		for _, r := range v.rows {
			r.detail.SetText("not started") // the server was only asked which business it holds
		}
		v.askAdd(q, err)
		return
	}
	if err != nil {
		v.stopRows()
		imp := widget.DangerImportance
		if errors.Is(err, context.Canceled) {
			v.setStatus(datasync.Outcome(done.Result, err), widget.WarningImportance)
		} else {
			v.setFailure(datasync.Outcome(done.Result, err), err, imp)
		}
		v.outcome = true
		v.s.Refresh() // the header's last sync; the screen reloads the saved settings
		return
	}
	for _, e := range done.Result.Entities {
		if r := v.rows[e.Entity]; r != nil {
			r.bar.SetValue(1)
			r.detail.SetText(fmt.Sprintf("+%s added · %s updated · %s deleted", data.Thousands(e.Added), data.Thousands(e.Updated), data.Thousands(e.Deleted)))
		}
	}
	v.setStatus(syncedText(done.Result), widget.SuccessImportance)
	v.outcome = true // the status says the result; the last-sync line gives only the time
	// The header's "data as of", the badges and every other screen read the new data from here on.
	if done.Reports != nil {
		v.s.SetReports(done.Reports)
	} else {
		v.s.Refresh()
	}
}

// syncedText is the status after a finished sync; it says when the business was added or
// became the active one.
func syncedText(res datasync.Result) string {
	outcome := datasync.Outcome(res, nil)
	name := res.Tenant.Name
	switch {
	case res.NewTenant && res.Added:
		return fmt.Sprintf("Added %s (%s) as another business, now the active one: %s.", name, res.Tenant.ID, outcome)
	case res.NewTenant:
		return fmt.Sprintf("Synced %s (%s), now the active business: %s.", name, res.Tenant.ID, outcome)
	}
	return "Synced " + name + ": " + outcome + "."
}

// addTenantQuestion is what to ask the owner when a sync was refused because the server holds
// a business the home does not keep while a synced one is active; ok is false for any other
// outcome, which needs no question.
func addTenantQuestion(err error) (question string, ok bool) {
	var ote *datasync.OtherTenantError
	if !errors.As(err, &ote) {
		return "", false
	}
	active := ote.Active.Name
	if active == "" {
		active = ote.Active.ID
	}
	held := ote.Remote.ID
	if ote.Remote.Name != "" && ote.Remote.Name != ote.Remote.ID {
		held = fmt.Sprintf("%s (%s)", ote.Remote.Name, ote.Remote.ID)
	}
	return fmt.Sprintf("This server holds %s, not %s. Add it as another business?", held, active), true
}

// askAdd asks whether to add the server's business; Add runs the same sync again with the
// add option, Cancel leaves everything as it was.
func (v *syncView) askAdd(question string, err error) {
	log.Printf("sync: %v", err)
	v.setStatus("Nothing was changed: this server holds another business than the active one.", widget.WarningImportance)
	msg := widget.NewLabel(question + "\nIt gets its own data and becomes the active business; you can switch back in the header.")
	msg.Wrapping = fyne.TextWrapWord
	req := v.req
	d := dialog.NewCustomConfirm("Add another business?", "Add", "Cancel", msg, func(add bool) {
		if !add {
			v.setStatus("Nothing was changed: check the server URL, or sync again to add that business.", widget.WarningImportance)
			return
		}
		req.Add = true
		v.begin(req)
	}, v.s.Win)
	d.Resize(fyne.NewSize(520, d.MinSize().Height))
	d.Show()
}

// stopRows freezes the rows of a run that ended early: no rate, and what each entity kept.
func (v *syncView) stopRows() {
	for _, r := range v.rows {
		switch {
		case r.finished:
		case r.started:
			r.detail.SetText(fmt.Sprintf("stopped · %s changes saved", data.Thousands(r.done)))
		default:
			r.detail.SetText("not reached")
		}
	}
}

// autoHours are the intervals the automatic sync offers.
var autoHours = []string{"1", "2", "3", "4", "6", "8", "12", "24"}

// newAutoBox builds the automatic sync's switches; showAuto shows them or says why not.
func (v *syncView) newAutoBox() fyne.CanvasObject {
	v.onOpen = widget.NewCheck("Sync when Almanac opens", nil)
	v.every = widget.NewCheck("Sync every", nil)
	v.hours = widget.NewSelect(slices.Clone(autoHours), nil)
	v.autoNote = widget.NewLabel("")
	v.autoNote.Wrapping = fyne.TextWrapWord
	v.autoBox = container.NewVBox(v.autoNote)
	return v.autoBox
}

// showAuto shows tenant t's automatic sync switches from saved, or, for the demo and a tenant
// without a saved server, one line on why there are none.
func (v *syncView) showAuto(saved datasync.Settings, t data.Tenant) {
	v.onOpen.OnChanged, v.every.OnChanged, v.hours.OnChanged = nil, nil, nil
	if !autoSyncable(t, saved) {
		text := "Sync once from your booking system's server above; then Almanac can sync on its own."
		if t.IsDemo {
			text = "The demo business has no server to sync from: automatic sync is for a business synced from one."
		}
		v.autoNote.SetText(text)
		v.autoBox.Objects = []fyne.CanvasObject{v.autoNote}
		v.autoBox.Refresh()
		return
	}
	v.onOpen.SetChecked(saved.AutoOnOpen)
	v.every.SetChecked(saved.AutoEveryHours > 0)
	h := "4"
	if saved.AutoEveryHours > 0 {
		h = fmt.Sprint(saved.AutoEveryHours)
	}
	if !slices.Contains(v.hours.Options, h) {
		v.hours.Options = append(v.hours.Options, h)
	}
	v.hours.SetSelected(h)
	if v.every.Checked {
		v.hours.Enable()
	} else {
		v.hours.Disable()
	}
	v.autoNote.SetText("Automatic syncs run while Almanac is open; one that fails says so at the top of the window.")
	v.autoBox.Objects = []fyne.CanvasObject{v.onOpen, container.NewHBox(v.every, v.hours, widget.NewLabel("hours while Almanac is open")), v.autoNote}
	v.autoBox.Refresh()
	save := func(bool) { v.saveAuto(t.ID) }
	v.onOpen.OnChanged, v.every.OnChanged = save, save
	v.hours.OnChanged = func(string) { v.saveAuto(t.ID) }
}

// autoSetting is the automatic sync's switches for one tenant.
type autoSetting struct {
	id     string
	onOpen bool
	every  int
}

// saveAuto saves tenant id's switches off the UI goroutine; the shell's reload re-arms the timer.
func (v *syncView) saveAuto(id string) {
	onOpen, every := v.onOpen.Checked, 0
	if v.every.Checked {
		fmt.Sscan(v.hours.Selected, &every)
		v.hours.Enable()
	} else {
		v.hours.Disable()
	}
	v.autoMu.Lock()
	v.autoWant = autoSetting{id: id, onOpen: onOpen, every: every}
	v.autoMu.Unlock()
	Run(v.s.Ctx(), func(context.Context) (struct{}, error) {
		// Saves run one at a time, each writing the latest switches, so the last one wins
		// whatever order the goroutines run in.
		v.saveMu.Lock()
		defer v.saveMu.Unlock()
		v.autoMu.Lock()
		w := v.autoWant
		v.autoMu.Unlock()
		return struct{}{}, v.syncer.SaveAuto(w.id, w.onOpen, w.every)
	}, func(_ struct{}, err error) {
		if err != nil {
			log.Printf("save the automatic sync: %v", err)
			v.autoNote.SetText("Could not save the automatic sync: " + errorWords(err))
			return
		}
		v.s.Refresh()
	})
}
