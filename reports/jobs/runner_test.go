package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// fakeProducer writes a small file for each export or document, as the real one would.
type fakeProducer struct {
	exports, docs atomic.Int32
	delay         time.Duration
}

func (p *fakeProducer) Export(ctx context.Context, ents license.Entitlements, req reports.ExportRequest) (reports.ExportResult, error) {
	if err := ents.Check(req.Format.Feature()); err != nil {
		return reports.ExportResult{}, err
	}
	p.exports.Add(1)
	time.Sleep(p.delay)
	return reports.ExportResult{Path: req.Out, Rows: 42}, os.WriteFile(req.Out, []byte("x"), 0o600)
}

func (p *fakeProducer) SaveDocument(ctx context.Context, ents license.Entitlements, req reports.DocumentRequest, f reports.DocFormat, path string, overwrite bool) (string, error) {
	if err := reports.CheckDocument(ents, req.Report, f); err != nil {
		return "", err
	}
	p.docs.Add(1)
	time.Sleep(p.delay)
	return path, os.WriteFile(path, []byte("x"), 0o600)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func plan(p license.Plan) license.Entitlements {
	return license.EntitlementsFor(license.Payload{TenantID: "demo", Plan: p}, true)
}

type fixture struct {
	store  *Store
	folder string
	clock  *clock
	prod   *fakeProducer
	ents   license.Entitlements
	loc    *time.Location
	syncs  atomic.Int32
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{store: Open(data.Home{Dir: t.TempDir()}), folder: t.TempDir(), clock: &clock{},
		prod: &fakeProducer{}, ents: plan(license.Professional), loc: mustLoc(t, "America/New_York")}
	return f
}

func (f *fixture) runner() *Runner {
	return &Runner{Jobs: f.store, Now: f.clock.Now,
		Open: func(ctx context.Context, tenant string) (Tenant, error) {
			return Tenant{Producer: f.prod, Entitlements: f.ents, Location: f.loc}, nil
		},
		Sync: func(ctx context.Context, tenant string) error { f.syncs.Add(1); return nil }}
}

func (f *fixture) add(t *testing.T, j Job) Job {
	t.Helper()
	j.Tenant, j.Folder = "demo", f.folder
	j, err := f.store.Add(j, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func weeklyJobs(t *testing.T, f *fixture) {
	sc := mustSchedule(t, "weekly mon 07:00")
	f.add(t, Job{Kind: KindExport, Dataset: "appointments", Format: reports.FormatXLSX, Period: "last-week", SyncFirst: true, Schedule: sc})
	f.add(t, Job{Kind: KindReport, Report: reports.ReportDashboard, DocFormat: reports.DocPDF, Schedule: sc})
}

func TestRunDueWeekly(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(time.Date(2026, 12, 6, 22, 0, 0, 0, f.loc)) // Sunday
	weeklyJobs(t, f)
	r := f.runner()
	ctx := context.Background()
	step := func(at time.Time, want int) []Run {
		t.Helper()
		f.clock.Set(at)
		runs, err := r.RunDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != want {
			t.Fatalf("at %v: %d runs %+v, want %d", at, len(runs), runs, want)
		}
		for _, run := range runs {
			if run.Result != ResultOK {
				t.Errorf("run %+v", run)
			}
		}
		return runs
	}
	step(time.Date(2026, 12, 6, 23, 0, 0, 0, f.loc), 0)
	runs := step(time.Date(2026, 12, 7, 7, 5, 0, 0, f.loc), 2)
	if got, want := filepath.Base(runs[0].File), "appointments_last-week_20261207.xlsx"; got != want {
		t.Errorf("file %q, want %q", got, want)
	}
	if runs[0].Rows != 42 || f.syncs.Load() != 1 {
		t.Errorf("rows %d, syncs %d", runs[0].Rows, f.syncs.Load())
	}
	step(time.Date(2026, 12, 7, 7, 20, 0, 0, f.loc), 0)
	// Off for a week: Dec 14 is missed; on Dec 21 08:00 each job runs once.
	step(time.Date(2026, 12, 21, 8, 0, 0, 0, f.loc), 2)
	step(time.Date(2026, 12, 21, 8, 15, 0, 0, f.loc), 0)
	log, err := f.store.Log()
	if err != nil || len(log) != 4 {
		t.Fatalf("log %d runs (%v), want 4", len(log), err)
	}
	st, err := f.store.Statuses(f.clock.Now(), func(string) *time.Location { return f.loc })
	if err != nil {
		t.Fatal(err)
	}
	if st[0].Last == nil || !st[0].Last.Seen || st[0].Next.In(f.loc).Format("2006-01-02 15:04") != "2026-12-28 07:00" {
		t.Errorf("status %+v", st[0])
	}
}

// A downgrade pauses the job with the plan's words, once; it is not failed every 15 minutes.
func TestDowngradePausesJob(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(time.Date(2026, 12, 6, 22, 0, 0, 0, f.loc))
	weeklyJobs(t, f)
	// STARTER with scheduled jobs switched on by the license: no Excel export; PDF reports stay.
	f.ents = license.EntitlementsFor(license.Payload{TenantID: "demo", Plan: license.Starter,
		Features: map[string]bool{license.FeatureScheduledJobs: true}}, true)
	r := f.runner()
	f.clock.Set(time.Date(2026, 12, 7, 7, 5, 0, 0, f.loc))
	runs, err := r.RunDue(context.Background())
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	if runs[0].Result != ResultPaused || !strings.Contains(runs[0].Error, "PROFESSIONAL") || runs[1].Result != ResultOK {
		t.Fatalf("runs %+v", runs)
	}
	if f.syncs.Load() != 0 {
		t.Error("synced for a job the plan refuses")
	}
	j, _ := f.store.Get("1")
	if !j.Paused || j.PausedReason != runs[0].Error {
		t.Errorf("job %+v not paused with the reason", j)
	}
	st, _ := f.store.Statuses(f.clock.Now(), nil)
	if st[0].Last.Seen || !st[0].Next.IsZero() {
		t.Errorf("a pause is seen or has a next run: %+v", st[0])
	}
	if err := f.store.MarkSeen("1"); err != nil {
		t.Fatal(err)
	}
	st, _ = f.store.Statuses(f.clock.Now(), nil)
	if !st[0].Last.Seen {
		t.Error("MarkSeen did not stick")
	}
	f.clock.Set(time.Date(2026, 12, 14, 7, 5, 0, 0, f.loc))
	runs, _ = r.RunDue(context.Background())
	if len(runs) != 1 || runs[0].Job != "2" {
		t.Errorf("paused job ran again: %+v", runs)
	}
	// Resumed: no catch-up of the paused weeks; due again next Monday.
	f.ents = plan(license.Professional)
	if err := f.store.Resume("1", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(time.Date(2026, 12, 14, 8, 0, 0, 0, f.loc))
	if runs, _ := r.RunDue(context.Background()); len(runs) != 0 {
		t.Errorf("resume caught up: %+v", runs)
	}
}

// A plan without Scheduled jobs (a downgrade to STARTER, an expired license) pauses every job
// with the words naming PROFESSIONAL, before any sync; Gate refuses a new one the same way.
func TestWithoutScheduledJobsEveryJobPauses(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(time.Date(2026, 12, 6, 22, 0, 0, 0, f.loc))
	weeklyJobs(t, f)
	f.ents = plan(license.Starter)
	f.clock.Set(time.Date(2026, 12, 7, 7, 5, 0, 0, f.loc))
	runs, err := f.runner().RunDue(context.Background())
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	for _, run := range runs {
		if run.Result != ResultPaused || !strings.Contains(run.Error, "Scheduled jobs") || !strings.Contains(run.Error, "PROFESSIONAL") {
			t.Errorf("run %+v: want paused naming Scheduled jobs and PROFESSIONAL", run)
		}
	}
	if f.syncs.Load() != 0 {
		t.Error("synced for jobs the plan refuses")
	}
	j, _ := f.store.Get("2")
	if err := Gate(plan(license.Starter), j); err == nil || !PlanRefusal(err) {
		t.Errorf("Gate on STARTER: %v", err)
	}
	if err := Gate(plan(license.Professional), j); err != nil {
		t.Errorf("Gate on PROFESSIONAL: %v", err)
	}
}

// Two runners at once never run a job twice.
func TestConcurrentRunnersRunOnce(t *testing.T) {
	f := newFixture(t)
	f.prod.delay = 100 * time.Millisecond
	f.clock.Set(time.Date(2026, 12, 6, 22, 0, 0, 0, f.loc))
	weeklyJobs(t, f)
	f.clock.Set(time.Date(2026, 12, 7, 7, 5, 0, 0, f.loc))
	var wg sync.WaitGroup
	var total atomic.Int32
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs, err := f.runner().RunDue(context.Background())
			if err != nil {
				t.Error(err)
			}
			total.Add(int32(len(runs)))
		}()
	}
	wg.Wait()
	if got := f.prod.exports.Load() + f.prod.docs.Load(); got != 2 || total.Load() != 2 {
		t.Errorf("%d files made, %d runs reported, want 2 and 2", got, total.Load())
	}
}

func TestRunNowKeepsSchedule(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(time.Date(2026, 12, 6, 22, 0, 0, 0, f.loc))
	weeklyJobs(t, f)
	f.clock.Set(time.Date(2026, 12, 7, 6, 55, 0, 0, f.loc))
	run, err := f.runner().Run(context.Background(), "2")
	if err != nil || run.Result != ResultOK || !run.Scheduled.IsZero() {
		t.Fatalf("run now: %+v %v", run, err)
	}
	f.clock.Set(time.Date(2026, 12, 7, 7, 5, 0, 0, f.loc))
	if runs, _ := f.runner().RunDue(context.Background()); len(runs) != 2 {
		t.Errorf("Run now at 06:55 took the 07:00 run: %+v", runs)
	}
	if _, err := f.runner().Run(context.Background(), "9"); !errors.Is(err, ErrNotFound) {
		t.Errorf("run of a missing job: %v", err)
	}
}

func TestStoreEditsAndLogBound(t *testing.T) {
	f := newFixture(t)
	weeklyJobs(t, f)
	j, _ := f.store.Get("1")
	j.Schedule = mustSchedule(t, "daily 08:00")
	f.clock.Set(time.Date(2026, 12, 9, 9, 0, 0, 0, f.loc))
	if err := f.store.Update(j, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.store.Get("1"); !got.Since.Equal(f.clock.Now()) || got.Schedule.String() != "daily 08:00" {
		t.Errorf("edit: %+v", got)
	}
	if err := f.store.Remove("1"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Remove("1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second remove: %v", err)
	}
	if j, err := f.store.Add(Job{Tenant: "demo", Kind: KindExport, Dataset: "customers", Format: reports.FormatCSV, Folder: "relative", Schedule: j.Schedule}, f.clock.Now()); err == nil {
		t.Errorf("relative folder accepted: %+v", j)
	}
	big := Run{Job: "2", Result: ResultFailed, Error: strings.Repeat("e", 4000)}
	for range MaxLogBytes / 4000 * 2 {
		if err := f.store.appendLog(big); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(filepath.Join(f.store.Dir(), "runs.log"))
	if err != nil || fi.Size() > MaxLogBytes {
		t.Fatalf("log %v bytes (%v), bound %d", fi.Size(), err, MaxLogBytes)
	}
	if log, err := f.store.Log(); err != nil || len(log) < 100 {
		t.Errorf("log after trimming: %d runs, %v", len(log), err)
	}
}

// A job whose tenant cannot be opened fails once per scheduled time, recorded, not at every call.
func TestMissingTenantFailsOncePerSlot(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(time.Date(2026, 12, 6, 22, 0, 0, 0, f.loc))
	f.add(t, Job{Kind: KindExport, Dataset: "customers", Format: reports.FormatCSV, Schedule: mustSchedule(t, "daily 07:00")})
	r := f.runner()
	r.Open = func(context.Context, string) (Tenant, error) { return Tenant{}, errors.New("no store") }
	f.clock.Set(time.Date(2026, 12, 7, 9, 0, 0, 0, f.loc))
	for i, want := range []int{1, 0, 0} {
		runs, err := r.RunDue(context.Background())
		if err != nil || len(runs) != want || want == 1 && runs[0].Result != ResultFailed {
			t.Fatalf("call %d: %+v %v, want %d failed", i, runs, err, want)
		}
		f.clock.Set(f.clock.Now().Add(15 * time.Minute))
	}
	st, _ := f.store.Statuses(f.clock.Now(), nil)
	if st[0].Last == nil || st[0].Last.Seen || st[0].Last.Error != "no store" {
		t.Errorf("last %+v", st[0].Last)
	}
}

// A failed run is logged in the Runner's Words, the words both front ends show.
func TestRunnerLogsFailuresInItsWords(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(time.Date(2026, 12, 6, 22, 0, 0, 0, f.loc))
	weeklyJobs(t, f)
	r := f.runner()
	r.Sync = func(ctx context.Context, tenant string) error { return errors.New("the server could not be reached") }
	r.Words = func(err error) string { return "worded: " + err.Error() }
	run, err := r.Run(context.Background(), "1") // the sync-first job
	if err != nil || run.Result != ResultFailed || !strings.HasPrefix(run.Error, "worded: ") {
		t.Fatalf("run %+v, %v", run, err)
	}
	if log, _ := f.store.Log(); len(log) == 0 || !strings.HasPrefix(log[len(log)-1].Error, "worded: ") {
		t.Errorf("the run log does not hold the worded failure: %+v", log)
	}
}
