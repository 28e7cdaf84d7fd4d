package ui

import (
	"context"
	"errors"
	"fmt"
	"log"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
	scheduled "github.com/almanac-app/almanac/reports/jobs"
)

// Scheduler is what the Schedules screen and the "Save as scheduled job…" buttons ask of the
// scheduled jobs (reports/jobs) and of the computer's scheduler (the "Run jobs even when
// Almanac is closed" switch). Every method may read or write files or run commands: call them
// off the UI goroutine. cmd/almanac implements it over scheduled.Store, scheduled.Runner and the
// autostart entry of the home.
type Scheduler interface {
	// List is every job of the home with its next and last run and its tenant's zone.
	List(ctx context.Context) ([]JobStatus, error)
	// Add validates and saves a new job (its ID is given); Update replaces the job with j's ID.
	Add(ctx context.Context, j scheduled.Job) (scheduled.Job, error)
	Update(ctx context.Context, j scheduled.Job) error
	Pause(ctx context.Context, id string) error
	Resume(ctx context.Context, id string) error
	Remove(ctx context.Context, id string) error
	// RunNow runs job id at once, whatever its schedule; RunDue runs every due job once.
	RunNow(ctx context.Context, id string) (scheduled.Run, error)
	RunDue(ctx context.Context) ([]scheduled.Run, error)
	// MarkSeen records that the owner saw job id's last result.
	MarkSeen(ctx context.Context, id string) error
	// Installed and SetInstalled are the home's entry in the computer's own scheduler;
	// SetInstalled says what it did in one line.
	Installed(ctx context.Context) (bool, error)
	SetInstalled(ctx context.Context, on bool) (string, error)
}

// JobStatus is a job as the Schedules screen lists it: its status and its tenant's zone.
type JobStatus struct {
	scheduled.Status
	Location *time.Location // nil means UTC
}

// DueEvery is how often the open app runs the jobs that are due (on Config.NewTicker's clock).
const DueEvery = time.Minute

// schedulesState is what the Schedules screen keeps across rebuilds: the runs in progress and
// the last Run now outcome per job, and the switch's last line.
type schedulesState struct {
	running map[string]bool
	outcome map[string]string
	install string
	view    *schedulesView // the view on show, told when a due run finishes
}

func (s *Shell) schedulesState() *schedulesState {
	if s.sched == nil {
		s.sched = &schedulesState{running: map[string]bool{}, outcome: map[string]string{}}
	}
	return s.sched
}

// startDueRuns runs the due jobs every DueEvery (on Config.NewTicker's clock) while the
// shell lives, so an owner who never installs the computer's entry still gets the jobs while
// the app is open. One run at a time; a tick during a run is skipped.
func (s *Shell) startDueRuns() {
	sch := s.cfg.Scheduler
	if sch == nil || !s.jobs.add() {
		return
	}
	ticks, stop := s.newTicker(DueEvery)
	go func() {
		defer s.jobs.done()
		defer stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-ticks:
				runs, err := sch.RunDue(s.ctx)
				if err != nil && !errors.Is(err, context.Canceled) {
					log.Printf("scheduled jobs: %v", err)
				}
				if len(runs) > 0 {
					s.Do(func() {
						if v := s.schedulesState().view; v != nil {
							v.reload()
						}
					})
				}
			}
		}
	}()
}

// schedulesView is the Schedules screen.
type schedulesView struct {
	s     *Shell
	sch   Scheduler
	st    *schedulesState
	list  *fyne.Container
	sw    *widget.Check
	swMsg *widget.Label
	open  bool // the plan includes Scheduled jobs
}

func buildSchedules(s *Shell) fyne.CanvasObject {
	_, o := newSchedulesView(s, s.cfg.Scheduler)
	return o
}

func newSchedulesView(s *Shell, sch Scheduler) (*schedulesView, fyne.CanvasObject) {
	v := &schedulesView{s: s, sch: sch, st: s.schedulesState(), list: container.NewVBox(widget.NewLabel("Reading the jobs…"))}
	v.st.view = v
	_, v.open = gateFor(s, license.FeatureScheduledJobs)
	intro := widget.NewLabel("A scheduled job writes an export or a report into a folder on a schedule, in its business's time zone. " +
		"Add one with \"Save as scheduled job…\" beside the export buttons and the report Save buttons. " +
		"While Almanac is open it runs the jobs that are due itself (it checks every minute), so they run even without the switch below; " +
		"the switch hands them to this computer's own scheduler, so they also run when Almanac is closed.")
	intro.Wrapping = fyne.TextWrapWord
	v.swMsg = widget.NewLabel(v.st.install)
	v.swMsg.Wrapping = fyne.TextWrapWord
	v.sw = widget.NewCheck("Run jobs even when Almanac is closed", nil)
	v.sw.Disable()
	body := container.NewVBox(widget.NewLabelWithStyle("Schedules", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), intro)
	if !v.open {
		body.Add(NewUpgradePrompt(s, PromptInline, license.FeatureScheduledJobs))
	} else {
		body.Add(container.NewVBox(v.sw, v.swMsg))
		v.readSwitch()
	}
	body.Add(widget.NewSeparator())
	body.Add(v.list)
	v.reload()
	return v, container.NewVScroll(body)
}

// readSwitch asks the computer's scheduler whether the home's entry is there.
func (v *schedulesView) readSwitch() {
	Run(v.s.Ctx(), v.sch.Installed, func(on bool, err error) {
		v.sw.Checked = on
		v.sw.OnChanged = v.toggle
		v.sw.Enable()
		v.sw.Refresh()
		if err != nil && v.st.install == "" {
			v.swMsg.SetText("Off: " + lowerFirst(strings.TrimSuffix(errorWords(err), ".")) + "; jobs run while Almanac is open.")
		}
	})
}

// toggle installs or removes the entry off the UI goroutine and shows its one-line result; on
// an error the switch goes back and the reason is shown.
func (v *schedulesView) toggle(on bool) {
	v.sw.Disable()
	if on {
		v.swMsg.SetText("Registering the jobs with this computer's scheduler…")
	} else {
		v.swMsg.SetText("Removing the jobs from this computer's scheduler…")
	}
	Run(v.s.Ctx(), func(ctx context.Context) (string, error) { return v.sch.SetInstalled(ctx, on) }, func(msg string, err error) {
		v.sw.Enable()
		if err != nil {
			v.sw.Checked = !on
			v.sw.Refresh()
			what := "turn it on"
			if !on {
				what = "turn it off"
			}
			msg = fmt.Sprintf("Could not %s: %s", what, errorWords(err))
		}
		v.st.install = msg
		v.swMsg.SetText(msg)
	})
}

// reload reads the jobs off the UI goroutine and lists them.
func (v *schedulesView) reload() {
	Run(v.s.Ctx(), v.sch.List, func(list []JobStatus, err error) {
		if err != nil {
			v.list.Objects = []fyne.CanvasObject{NewBanner(BannerDanger, "Could not read the jobs: "+errorWords(err))}
			v.list.Refresh()
			return
		}
		v.show(list)
	})
}

// show lists the jobs: the active tenant's first, each other tenant's named.
func (v *schedulesView) show(list []JobStatus) {
	active := v.s.Tenant().ID
	sort.SliceStable(list, func(i, k int) bool { return list[i].Tenant == active && list[k].Tenant != active })
	var rows []fyne.CanvasObject
	if len(list) == 0 {
		rows = append(rows, widget.NewLabel("No scheduled jobs yet. On the Exports screen or a report, choose \"Save as scheduled job…\"."))
	}
	for i, j := range list {
		if i > 0 {
			rows = append(rows, widget.NewSeparator())
		}
		rows = append(rows, v.row(j, j.Tenant != active))
	}
	v.list.Objects = rows
	v.list.Refresh()
}

// row is one job: what, schedule, next and last run, and its buttons.
func (v *schedulesView) row(j JobStatus, otherTenant bool) fyne.CanvasObject {
	loc := j.Location
	if loc == nil {
		loc = time.UTC
	}
	title := fmt.Sprintf("Job %s: %s", j.ID, capitalize(j.What()))
	if j.Period != "" {
		title += ", " + periodWords(j.Period)
	}
	if otherTenant {
		title += " (business " + j.Tenant + ")"
	}
	lines := container.NewVBox(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	add := func(text string) {
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		lines.Add(l)
	}
	add(fmt.Sprintf("%s (%s) · into %s", j.Schedule.Words(), loc, j.Folder))
	next := ""
	switch {
	case j.Paused && j.PausedReason != "":
		add("Paused: " + errorWords(errors.New(j.PausedReason)))
	case j.Paused:
		add("Paused: it does not run on schedule until you resume it")
	case !j.Next.IsZero():
		next = "Next run " + license.FormatDateTime(j.Next, loc) + " · "
	}
	lines.Add(v.lastLine(j, loc, next))
	if msg := v.st.outcome[j.ID]; msg != "" {
		add(msg)
	}
	return container.NewVBox(lines, v.actions(j))
}

// lastLine is the next run (next, when there is one) and the last run's result; a failure or
// a pause is a banner with Seen until seen.
func (v *schedulesView) lastLine(j JobStatus, loc *time.Location, next string) fyne.CanvasObject {
	l := j.Last
	if l == nil {
		return widget.NewLabel(next + "not run yet")
	}
	when := license.FormatDateTime(l.Start, loc)
	if l.Result == scheduled.ResultOK {
		what := "wrote " + filepath.Base(l.File)
		if j.Kind == scheduled.KindExport {
			what += fmt.Sprintf(" (%d rows)", l.Rows)
		}
		lb := widget.NewLabel(next + "last run " + when + ": " + what)
		lb.Wrapping = fyne.TextWrapWord
		return lb
	}
	text := fmt.Sprintf("Last run %s %s: %s", when, l.Result, errorWords(errors.New(l.Error)))
	if l.Seen {
		lb := widget.NewLabel(next + lowerFirst(text))
		lb.Wrapping = fyne.TextWrapWord
		return lb
	}
	seen := &widget.Button{Text: "Seen", Icon: theme.ConfirmIcon(), OnTapped: func() { v.markSeen(j.ID) }}
	box := container.NewVBox(NewBanner(BannerDanger, text, seen))
	if next != "" {
		box.Objects = append([]fyne.CanvasObject{widget.NewLabel(strings.TrimSuffix(next, " · "))}, box.Objects...)
	}
	return box
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// actions are a job's buttons: Run now, Edit, Pause or Resume, Delete.
func (v *schedulesView) actions(j JobStatus) fyne.CanvasObject {
	if v.st.running[j.ID] {
		return container.NewBorder(nil, nil, widget.NewLabel("Running…"), nil, widget.NewProgressBarInfinite())
	}
	run := &widget.Button{Text: "Run now", Icon: theme.MediaPlayIcon(), OnTapped: func() { v.runNow(j.ID) }}
	edit := &widget.Button{Text: "Edit…", Icon: theme.DocumentCreateIcon(), OnTapped: func() { v.edit(j) }}
	pause := &widget.Button{Text: "Pause", Icon: theme.MediaPauseIcon(), OnTapped: func() { v.change(func(ctx context.Context) error { return v.sch.Pause(ctx, j.ID) }) }}
	if j.Paused {
		pause = &widget.Button{Text: "Resume", Icon: theme.MediaReplayIcon(), OnTapped: func() { v.change(func(ctx context.Context) error { return v.sch.Resume(ctx, j.ID) }) }}
	}
	del := &widget.Button{Text: "Delete…", Icon: theme.DeleteIcon(), OnTapped: func() { v.confirmDelete(j) }}
	if !v.open {
		run.Disable()
		edit.Disable()
		pause.Disable()
	}
	return container.NewHBox(run, edit, pause, del)
}

// change runs a store change off the UI goroutine, then lists the jobs again.
func (v *schedulesView) change(fn func(ctx context.Context) error) {
	Run(v.s.Ctx(), func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) }, func(_ struct{}, err error) {
		if err != nil && !errors.Is(err, context.Canceled) {
			dialog.ShowError(errors.New(errorWords(err)), v.s.Win)
		}
		v.reload()
	})
}

func (v *schedulesView) markSeen(id string) {
	v.change(func(ctx context.Context) error { return v.sch.MarkSeen(ctx, id) })
}

func (v *schedulesView) confirmDelete(j JobStatus) {
	dialog.ShowConfirm("Delete job "+j.ID+"?", fmt.Sprintf("%s will no longer be written. Files it wrote stay where they are.", capitalize(j.What())),
		func(ok bool) {
			if ok {
				delete(v.st.outcome, j.ID)
				v.change(func(ctx context.Context) error { return v.sch.Remove(ctx, j.ID) })
			}
		}, v.s.Win)
}

// runNow runs the job off the UI goroutine, showing it running, then its result on its row.
func (v *schedulesView) runNow(id string) {
	st := v.st
	st.running[id] = true
	st.outcome[id] = ""
	v.reload()
	Run(v.s.Ctx(), func(ctx context.Context) (scheduled.Run, error) { return v.sch.RunNow(ctx, id) }, func(r scheduled.Run, err error) {
		delete(st.running, id)
		switch {
		case errors.Is(err, context.Canceled):
			st.outcome[id] = "Run now was cancelled."
		case err != nil:
			st.outcome[id] = "Run now did not run: " + errorWords(err)
		case r.Result == scheduled.ResultOK:
			st.outcome[id] = "Run now: wrote " + r.File
		default:
			st.outcome[id] = "" // the last run's banner says it
		}
		if cur := st.view; cur != nil {
			cur.reload()
		}
	})
}

// edit opens the job dialog on the job's fields; Save replaces it.
func (v *schedulesView) edit(j JobStatus) {
	showJobDialog(v.s, j.Job, true, func() { v.reload() })
}

// periodWords is a period name in the screens' words: "last-week" is "period last week".
func periodWords(p string) string {
	n, err := reports.ParsePeriodName(p)
	if err != nil {
		return p
	}
	if n.Kind == reports.PeriodLastDays {
		return fmt.Sprintf("the last %d days", n.Days)
	}
	return strings.ToLower(reports.PeriodLabel(n.Kind))
}
