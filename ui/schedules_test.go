package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
	scheduled "github.com/almanac-app/almanac/reports/jobs"
)

// fakeScheduler is a Scheduler over a real jobs store in a temp home, run by a real Runner
// whose tenant writes nothing: its Export reports rows, waiting for release when set, or its
// opening fails with openErr.
type fakeScheduler struct {
	store  *scheduled.Store
	runner *scheduled.Runner
	loc    *time.Location

	mu         sync.Mutex
	release    chan struct{} // Export waits for it when not nil
	openErr    error
	dueCalls   int
	installed  bool
	installErr error
}

var _ Scheduler = (*fakeScheduler)(nil)

func newFakeScheduler(t *testing.T) *fakeScheduler {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeScheduler{store: scheduled.Open(data.Home{Dir: t.TempDir()}), loc: loc}
	f.runner = &scheduled.Runner{Jobs: f.store, Now: func() time.Time { return licNow }, Command: "ui test",
		Open: func(ctx context.Context, tenant string) (scheduled.Tenant, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.openErr != nil {
				return scheduled.Tenant{}, f.openErr
			}
			return scheduled.Tenant{Producer: fakeProducer{f}, Entitlements: license.EntitlementsFor(license.Payload{Plan: license.Enterprise}, true), Location: loc}, nil
		}}
	return f
}

type fakeProducer struct{ f *fakeScheduler }

func (p fakeProducer) Export(ctx context.Context, _ license.Entitlements, req reports.ExportRequest) (reports.ExportResult, error) {
	p.f.mu.Lock()
	release := p.f.release
	p.f.mu.Unlock()
	if release != nil {
		select {
		case <-release:
		case <-ctx.Done():
			return reports.ExportResult{}, ctx.Err()
		}
	}
	return reports.ExportResult{Path: req.Out, Rows: 42}, nil
}

func (p fakeProducer) SaveDocument(ctx context.Context, _ license.Entitlements, _ reports.DocumentRequest, _ reports.DocFormat, path string, _ bool) (string, error) {
	return path, nil
}

func (f *fakeScheduler) List(ctx context.Context) ([]JobStatus, error) {
	st, err := f.store.Statuses(licNow, func(string) *time.Location { return f.loc })
	out := make([]JobStatus, len(st))
	for i, s := range st {
		out[i] = JobStatus{Status: s, Location: f.loc}
	}
	return out, err
}
func (f *fakeScheduler) Add(ctx context.Context, j scheduled.Job) (scheduled.Job, error) {
	return f.store.Add(j, licNow)
}
func (f *fakeScheduler) Update(ctx context.Context, j scheduled.Job) error {
	return f.store.Update(j, licNow)
}
func (f *fakeScheduler) Pause(ctx context.Context, id string) error { return f.store.Pause(id, "") }
func (f *fakeScheduler) Resume(ctx context.Context, id string) error {
	return f.store.Resume(id, licNow)
}
func (f *fakeScheduler) Remove(ctx context.Context, id string) error { return f.store.Remove(id) }
func (f *fakeScheduler) RunNow(ctx context.Context, id string) (scheduled.Run, error) {
	return f.runner.Run(ctx, id)
}
func (f *fakeScheduler) RunDue(ctx context.Context) ([]scheduled.Run, error) {
	f.mu.Lock()
	f.dueCalls++
	f.mu.Unlock()
	return f.runner.RunDue(ctx)
}
func (f *fakeScheduler) MarkSeen(ctx context.Context, id string) error { return f.store.MarkSeen(id) }
func (f *fakeScheduler) Installed(ctx context.Context) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.installed, nil
}
func (f *fakeScheduler) SetInstalled(ctx context.Context, on bool) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.installErr != nil {
		return "", f.installErr
	}
	f.installed = on
	return "installed", nil
}

func (f *fakeScheduler) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dueCalls
}

// addJob saves a weekly Monday 07:00 appointments export of tenant, added at since.
func (f *fakeScheduler) addJob(t *testing.T, tenant string, since time.Time) scheduled.Job {
	t.Helper()
	j, err := f.store.Add(scheduled.Job{Tenant: tenant, Kind: scheduled.KindExport, Dataset: reports.DatasetAppointments, Format: reports.FormatCSV,
		Folder: t.TempDir(), Schedule: scheduled.Schedule{Every: scheduled.Weekly, Weekday: time.Monday, Hour: 7}}, since)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// dueTicker is a Config.NewTicker whose DueEvery clock is ticks (nil: one that never ticks).
func dueTicker(ticks chan time.Time) func(time.Duration) (<-chan time.Time, func()) {
	return func(d time.Duration) (<-chan time.Time, func()) {
		if d != DueEvery || ticks == nil {
			return make(chan time.Time), func() {}
		}
		return ticks, func() {}
	}
}

// newSchedShell is newLicShell with sch wired and the due runs ticked by ticks.
func newSchedShell(t *testing.T, plan license.Plan, sch Scheduler, ticks chan time.Time) *licFixture {
	t.Helper()
	f := &licFixture{app: &licApp{App: test.NewTempApp(t)}, now: licNow}
	f.m = license.NewManagerWithKeys(t.TempDir(), f.clock, licDevKeys(t))
	if plan != license.Free {
		if _, err := f.m.Activate(licPlan(t, plan)); err != nil {
			t.Fatal(err)
		}
	}
	f.pump = make(chan func(), 1024)
	f.s = NewShell(f.app, Config{Reports: tenantOnly(licTenant(true)), Licenses: f.m, Scheduler: sch, NewTicker: dueTicker(ticks),
		Dispatch: func(fn func()) { f.pump <- fn }})
	t.Cleanup(f.s.Win.Close)
	f.settle(t, "the shell's first load", func() bool { return f.s.loaded })
	return f
}

func (f *licFixture) showSchedules(t *testing.T, want string) {
	t.Helper()
	if !f.s.ShowID("schedules") {
		t.Fatal("no Schedules screen in the sidebar")
	}
	f.settle(t, want, func() bool { return strings.Contains(licText(f.s.Content()), want) })
}

func (f *licFixture) tap(t *testing.T, label string) {
	t.Helper()
	test.Tap(licButton(t, label, f.s.Content()))
}

func TestSchedulesListsJobsWithNextRun(t *testing.T) {
	sch := newFakeScheduler(t)
	j := sch.addJob(t, "demo", licNow.Add(-time.Hour))
	sch.addJob(t, "salon-2", licNow.Add(-time.Hour))
	f := newSchedShell(t, license.Professional, sch, nil)
	f.showSchedules(t, "Job 2")
	text := licText(f.s.Content())
	next := j.Schedule.Next(licNow, sch.loc)
	licContains(t, "schedules", text, "Job 1: Appointments as CSV", "Every Monday at 07:00 (America/New_York)",
		"Next run "+license.FormatDateTime(next, sch.loc)+" · not run yet", "(business salon-2)",
		"While Almanac is open it runs the jobs that are due itself")
	if strings.Contains(strings.Split(text, "Job 2")[0], "(business demo)") {
		t.Errorf("the active tenant's job names its business:\n%s", text)
	}
}

// Run now runs off the UI goroutine: the screen shows it running while the export waits, then
// the file and the last run.
func TestSchedulesRunNowOffUIGoroutine(t *testing.T) {
	sch := newFakeScheduler(t)
	sch.addJob(t, "demo", licNow)
	sch.release = make(chan struct{})
	f := newSchedShell(t, license.Professional, sch, nil)
	f.showSchedules(t, "Job 1")
	f.tap(t, "Run now")
	f.settle(t, "Running…", func() bool { return strings.Contains(licText(f.s.Content()), "Running…") })
	close(sch.release)
	f.settle(t, "the result", func() bool { return strings.Contains(licText(f.s.Content()), "Run now: wrote ") })
	licContains(t, "after Run now", licText(f.s.Content()), "last run Nov 23, 2026 7:00 AM EST: wrote appointments_all_20261123.csv (42 rows)")
}

func TestSchedulesPauseResumeDelete(t *testing.T) {
	sch := newFakeScheduler(t)
	sch.addJob(t, "demo", licNow)
	f := newSchedShell(t, license.Professional, sch, nil)
	f.showSchedules(t, "Job 1")
	f.tap(t, "Pause")
	f.settle(t, "paused", func() bool { return strings.Contains(licText(f.s.Content()), "Paused: ") })
	if j, _ := sch.store.Get("1"); !j.Paused {
		t.Fatal("Pause did not pause the job in the store")
	}
	f.tap(t, "Resume")
	f.settle(t, "resumed", func() bool { return strings.Contains(licText(f.s.Content()), "Next run ") })
	if j, _ := sch.store.Get("1"); j.Paused {
		t.Fatal("Resume did not resume the job in the store")
	}
	f.tap(t, "Delete…")
	f.settle(t, "the confirmation", func() bool { return len(licOverlays(f.s)) > 0 })
	test.Tap(licButton(t, "Yes", licOverlays(f.s)...))
	f.settle(t, "no jobs", func() bool { return strings.Contains(licText(f.s.Content()), "No scheduled jobs yet") })
	if l, _ := sch.store.List(); len(l) != 0 {
		t.Fatalf("Delete left %v", l)
	}
}

// A failed run stays on screen with Seen until the owner presses it, which marks it seen.
func TestSchedulesFailureShowsUntilSeen(t *testing.T) {
	sch := newFakeScheduler(t)
	sch.addJob(t, "demo", licNow)
	sch.openErr = errors.New("the tenant's store is damaged")
	f := newSchedShell(t, license.Professional, sch, nil)
	f.showSchedules(t, "Job 1")
	f.tap(t, "Run now")
	f.settle(t, "the failure", func() bool { return strings.Contains(licText(f.s.Content()), "[Seen]") })
	licContains(t, "failure", licText(f.s.Content()), "Last run Nov 23, 2026 7:00 AM EST failed: The tenant's store is damaged")
	f.s.ShowID("dashboard")
	f.showSchedules(t, "[Seen]") // still there on coming back
	f.tap(t, "Seen")
	f.settle(t, "seen", func() bool { return !strings.Contains(licText(f.s.Content()), "[Seen]") })
	st, _ := sch.store.Statuses(licNow, nil)
	if st[0].Last == nil || !st[0].Last.Seen {
		t.Fatalf("Seen did not mark the run seen: %+v", st[0].Last)
	}
	licContains(t, "seen failure", licText(f.s.Content()), "last run Nov 23, 2026 7:00 AM EST failed: The tenant's store is damaged")
}

// The switch shows its error in words and goes back off.
func TestSchedulesSwitchError(t *testing.T) {
	sch := newFakeScheduler(t)
	sch.installErr = errors.New("this computer has neither a systemd user session nor crontab: give another scheduler this command: almanac jobs run --due")
	f := newSchedShell(t, license.Professional, sch, nil)
	f.showSchedules(t, "No scheduled jobs yet")
	var sw *widget.Check
	licWalk(f.s.Content(), func(o fyne.CanvasObject) {
		if c, ok := o.(*widget.Check); ok && c.Text == "Run jobs even when Almanac is closed" {
			sw = c
		}
	})
	if sw == nil {
		t.Fatal("no switch")
	}
	f.settle(t, "the switch read", func() bool { return !sw.Disabled() })
	test.Tap(sw)
	f.settle(t, "the error", func() bool { return strings.Contains(licText(f.s.Content()), "Could not turn it on: ") })
	licContains(t, "switch", licText(f.s.Content()), "neither a systemd user session nor crontab")
	if sw.Checked {
		t.Error("the switch stayed on after a failed install")
	}
}

func TestSchedulesLockedOnStarter(t *testing.T) {
	sch := newFakeScheduler(t)
	f := newSchedShell(t, license.Starter, sch, nil)
	if got := f.s.Badge(f.screen(t, "schedules")); got != "🔒 PROFESSIONAL" {
		t.Errorf("badge %q", got)
	}
	f.showSchedules(t, "PROFESSIONAL")
	licContains(t, "locked", licText(f.s.Content()), "Scheduled jobs", "[Upgrade")
	f.s.ShowID("exports")
	f.settle(t, "the exports", func() bool {
		return strings.Contains(licText(f.s.Content()), "["+saveAsJobLabel+" · PROFESSIONAL]")
	})
}

// choose selects label in the first visible select under objs that offers it.
func choose(t *testing.T, label string, objs ...fyne.CanvasObject) {
	t.Helper()
	for _, o := range objs {
		var sel *widget.Select
		licWalk(o, func(o fyne.CanvasObject) {
			if s, ok := o.(*widget.Select); ok && sel == nil && slices.Contains(s.Options, label) {
				sel = s
			}
		})
		if sel != nil {
			sel.SetSelected(label)
			return
		}
	}
	t.Fatalf("no select offers %q", label)
}

// The dialog from the Exports screen saves the screen's dataset and period, with the folder
// defaulting to Documents/Reports, and the fields as changed.
func TestSaveAsJobFromExports(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	reportsDir := filepath.Join(home, "Documents", "Reports")
	if err := os.MkdirAll(reportsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	sch := newFakeScheduler(t)
	f := newSchedShell(t, license.Professional, sch, nil)
	f.s.ShowID("exports")
	f.settle(t, "the exports", func() bool { return strings.Contains(licText(f.s.Content()), "["+saveAsJobLabel+"]") })
	choose(t, "Last week", f.s.Content())
	f.tap(t, saveAsJobLabel)
	f.settle(t, "the dialog", func() bool { return len(licOverlays(f.s)) > 0 })
	dlg := licOverlays(f.s)
	licContains(t, "dialog", licText(dlg...), reportsDir, "America/New_York")
	choose(t, reports.FormatXLSX.Label(), dlg...)
	choose(t, "Daily", dlg...)
	test.Tap(licButton(t, "Save", dlg...))
	f.settle(t, "the job saved", func() bool { l, _ := sch.store.List(); return len(l) == 1 })
	l, _ := sch.store.List()
	j := l[0]
	if j.Kind != scheduled.KindExport || j.Dataset != reports.DatasetAppointments || j.Format != reports.FormatXLSX ||
		j.Period != "last-week" || j.Folder != reportsDir || j.Tenant != "demo" || j.SyncFirst ||
		j.Schedule != (scheduled.Schedule{Every: scheduled.Daily, Hour: 7}) {
		t.Errorf("saved %+v", j)
	}
}

// The dashboard's Save as scheduled job… saves the dashboard report.
func TestSaveAsJobFromReport(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	sch := newFakeScheduler(t)
	f := newSchedShell(t, license.Professional, sch, nil)
	f.s.ShowID("dashboard")
	f.settle(t, "the dashboard", func() bool { return strings.Contains(licText(f.s.Content()), "["+saveAsJobLabel+"]") })
	f.tap(t, saveAsJobLabel)
	f.settle(t, "the dialog", func() bool { return len(licOverlays(f.s)) > 0 })
	dlg := licOverlays(f.s)
	if strings.Contains(licText(dlg...), "Period") {
		t.Error("the dashboard's job dialog asks for a period")
	}
	choose(t, "Monthly", dlg...)
	choose(t, "15", dlg...)
	test.Tap(licButton(t, "Save", dlg...))
	f.settle(t, "the job saved", func() bool { l, _ := sch.store.List(); return len(l) == 1 })
	l, _ := sch.store.List()
	j := l[0]
	if j.Kind != scheduled.KindReport || j.Report != reports.ReportDashboard || j.DocFormat != reports.DocPDF ||
		j.Schedule != (scheduled.Schedule{Every: scheduled.Monthly, Day: 15, Hour: 7}) {
		t.Errorf("saved %+v", j)
	}
}

// While the app is open a tick runs the due job once; the next tick finds nothing due.
func TestDueTickerRunsDueJobOnce(t *testing.T) {
	sch := newFakeScheduler(t)
	sch.addJob(t, "demo", licNow.AddDate(0, 0, -3)) // Monday 07:00 New York has come since
	ticks := make(chan time.Time)
	f := newSchedShell(t, license.Professional, sch, ticks)
	ticks <- licNow
	f.settle(t, "the due run", func() bool { l, _ := sch.store.Log(); return len(l) == 1 })
	ticks <- licNow
	ticks <- licNow // received once the second RunDue has returned; the third starts after
	f.settle(t, "the third due run", func() bool { return sch.calls() >= 3 })
	if n := sch.calls(); n != 3 {
		t.Fatalf("%d due runs, want 3", n)
	}
	if l, _ := sch.store.Log(); len(l) != 1 || l[0].Result != scheduled.ResultOK {
		t.Fatalf("runs %+v, want one ok run", l)
	}
}

// At 900 px wide the Schedules screen fits, with a long folder path on a job.
func TestSchedulesReflowAt900(t *testing.T) {
	sch := newFakeScheduler(t)
	sch.addJob(t, "demo", licNow)
	f := newSchedShell(t, license.Professional, sch, nil)
	f.showSchedules(t, "Job 1")
	f.s.Win.Resize(fyne.NewSize(900, 700))
	f.drain()
	if got := f.s.Win.Content().MinSize().Width; got > 900 {
		t.Errorf("the Schedules screen needs %.0f px, more than the 900 px window", got)
	}
}

// On FREE the locked Save buttons name their plans; with Save as scheduled job… they wrap
// instead of widening the Analytics and Exports screens past a 900 px window.
func TestLockedSaveButtonsWrapAt900(t *testing.T) {
	f := newSchedShell(t, license.Free, newFakeScheduler(t), nil)
	for _, id := range []string{"analytics", "exports", "dashboard"} {
		f.s.ShowID(id)
		f.settle(t, id, func() bool { return strings.Contains(licText(f.s.Content()), saveAsJobLabel+" · PROFESSIONAL") })
		for range 3 {
			f.drain()
			f.s.Win.Resize(fyne.NewSize(900, 701))
			f.s.Win.Resize(fyne.NewSize(900, 700))
		}
		if got := f.s.Win.Content().MinSize().Width; got > 900 {
			t.Errorf("%s on FREE needs %.0f px, more than the 900 px window", id, got)
		}
	}
}
