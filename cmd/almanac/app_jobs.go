package main

import (
	"context"
	"time"

	"github.com/almanac-app/almanac/reports/jobs"
	"github.com/almanac-app/almanac/ui"
)

// appScheduler is the Schedules screen's service: the home's jobs (reports/jobs), run by the
// same Runner as 'almanac jobs run', on the jobs' clock, and the home's entry in the
// computer's scheduler (the switch, as 'jobs install' and 'jobs uninstall').
type appScheduler struct {
	env    *Env
	store  *jobs.Store
	runner *jobs.Runner
	now    func() time.Time
	entry  interface {
		Installed(ctx context.Context) (bool, error)
		SetInstalled(ctx context.Context, on bool) (string, error)
	}
}

var _ ui.Scheduler = (*appScheduler)(nil)

// newAppScheduler wires the jobs of env's home for the app.
func newAppScheduler(env *Env) *appScheduler {
	r := jobsRunner(env)
	r.Command = "almanac (the app's due runs)"
	return &appScheduler{env: env, store: r.Jobs, runner: r, now: jobsClock(env), entry: newRunWhenClosed(env)}
}

// List is every job with its next and last run, each with its tenant's zone.
func (a *appScheduler) List(ctx context.Context) ([]ui.JobStatus, error) {
	zones := map[string]*time.Location{}
	zone := func(id string) *time.Location { return jobZone(a.env, id, zones) }
	st, err := a.store.Statuses(a.now(), zone)
	if err != nil {
		return nil, err
	}
	out := make([]ui.JobStatus, len(st))
	for i, s := range st {
		out[i] = ui.JobStatus{Status: s, Location: zone(s.Tenant)}
	}
	return out, nil
}

// Add saves a new job once its own tenant's plan includes it (as 'jobs add' asks).
func (a *appScheduler) Add(ctx context.Context, j jobs.Job) (jobs.Job, error) {
	if _, err := gateJob(ctx, a.env, j, a.now); err != nil {
		return j, err
	}
	return a.store.Add(j, a.now())
}

// Update saves an edited job once its own tenant's plan includes it: a job of another business
// is held to that business's license, not the active one's.
func (a *appScheduler) Update(ctx context.Context, j jobs.Job) error {
	if _, err := gateJob(ctx, a.env, j, a.now); err != nil {
		return err
	}
	return a.store.Update(j, a.now())
}

func (a *appScheduler) Pause(ctx context.Context, id string) error { return a.store.Pause(id, "") }

func (a *appScheduler) Resume(ctx context.Context, id string) error {
	return a.store.Resume(id, a.now())
}

func (a *appScheduler) Remove(ctx context.Context, id string) error { return a.store.Remove(id) }

func (a *appScheduler) RunNow(ctx context.Context, id string) (jobs.Run, error) {
	return a.runner.Run(ctx, id)
}

func (a *appScheduler) RunDue(ctx context.Context) ([]jobs.Run, error) { return a.runner.RunDue(ctx) }

func (a *appScheduler) MarkSeen(ctx context.Context, id string) error { return a.store.MarkSeen(id) }

func (a *appScheduler) Installed(ctx context.Context) (bool, error) {
	return a.entry.Installed(ctx)
}

func (a *appScheduler) SetInstalled(ctx context.Context, on bool) (string, error) {
	return a.entry.SetInstalled(ctx, on)
}
