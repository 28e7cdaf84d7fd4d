package jobs

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// Producer writes a job's file: *reports.Service is one.
type Producer interface {
	Export(ctx context.Context, ents license.Entitlements, req reports.ExportRequest) (reports.ExportResult, error)
	SaveDocument(ctx context.Context, ents license.Entitlements, req reports.DocumentRequest, f reports.DocFormat, path string, overwrite bool) (string, error)
}

// Tenant is one business opened for a run: what produces its files, what its license allows
// and its zone. Close releases it (the store).
type Tenant struct {
	Producer     Producer
	Entitlements license.Entitlements
	Location     *time.Location
	Close        func() error
}

// Runner runs jobs. The front end wires it: Open opens a tenant's store as a reports.Service
// using the same clock as Now; Sync, when set, pulls a tenant's data before a sync-first job
// (nil: sync-first jobs run on the data they have); Version goes into the files.
type Runner struct {
	Jobs    *Store
	Open    func(ctx context.Context, tenant string) (Tenant, error)
	Sync    func(ctx context.Context, tenant string) error
	Now     func() time.Time
	Version string
	// Command is written into the run locks so a second runner can say who holds one.
	Command string
	// Words is how a failure is written into the run log, which the command line and the
	// Schedules screen both show; nil means err.Error() (a library's words).
	Words func(error) string
}

// ErrRunning says another process is running the job now; the run was skipped.
var ErrRunning = errors.New("the job is running in another process")

// Run runs job id now, whatever its schedule (Run now), even when it is paused; a run the plan
// refuses pauses it. The returned Run is also recorded; err is set when the job could not be
// run at all (no such job, running elsewhere).
func (r *Runner) Run(ctx context.Context, id string) (Run, error) {
	j, err := r.Jobs.Get(id)
	if err != nil {
		return Run{}, err
	}
	return r.runLocked(ctx, j, time.Time{})
}

// RunDue runs every job that is due now (a scheduled time has come since it last ran on
// schedule, or since it was created, rescheduled or resumed), each once however many times it
// missed. Paused jobs are skipped, and so is a job another process is running. It returns
// one Run per job run, in the jobs file's order; err is for the jobs file itself.
func (r *Runner) RunDue(ctx context.Context) ([]Run, error) {
	jobs, err := r.Jobs.List()
	if err != nil {
		return nil, err
	}
	var runs []Run
	zones := map[string]*time.Location{}
	for _, j := range jobs {
		if err := ctx.Err(); err != nil {
			return runs, err
		}
		if j.Paused {
			continue
		}
		// A tenant that cannot be opened is scheduled on UTC: its run then fails once per
		// scheduled time, recorded, rather than at every call.
		loc := r.zone(ctx, j.Tenant, zones)
		slot := j.Schedule.Prev(r.now(), loc)
		if due, err := r.due(j, slot, loc); err != nil || !due {
			continue
		}
		run, err := r.runLocked(ctx, j, slot)
		if errors.Is(err, ErrRunning) {
			continue
		}
		runs = append(runs, run)
	}
	return runs, nil
}

// due reports whether slot (the last scheduled time) is owed: after the job's baseline and
// after the last due run.
func (r *Runner) due(j Job, slot time.Time, loc *time.Location) (bool, error) {
	last, err := r.Jobs.lastDue(j.ID)
	if err != nil {
		return false, err
	}
	since := j.Since
	if last.After(since) {
		since = last
	}
	return j.Schedule.Due(since, r.now(), loc) && !slot.IsZero(), nil
}

// zone is tenant's zone (UTC when its store cannot be opened), opening it once per RunDue.
func (r *Runner) zone(ctx context.Context, tenant string, cache map[string]*time.Location) *time.Location {
	if loc, ok := cache[tenant]; ok {
		return loc
	}
	loc := time.UTC
	if t, err := r.Open(ctx, tenant); err == nil {
		if t.Location != nil {
			loc = t.Location
		}
		closeTenant(t)
	}
	cache[tenant] = loc
	return loc
}

// runLocked takes the job's run lock, checks again that a scheduled run is still owed (another
// runner may have just done it), runs and records.
func (r *Runner) runLocked(ctx context.Context, j Job, slot time.Time) (Run, error) {
	l, err := data.LockFile(r.Jobs.path("run-"+j.ID+".lock"), r.command(), false)
	if errors.Is(err, data.ErrBusy) {
		return Run{}, fmt.Errorf("job %s: %w", j.ID, ErrRunning)
	}
	if err != nil {
		return Run{}, err
	}
	defer l.Unlock() //nolint:errcheck // closing drops it anyway
	if !slot.IsZero() {
		last, err := r.Jobs.lastDue(j.ID)
		if err != nil {
			return Run{}, err
		}
		if !last.Before(slot) {
			return Run{}, fmt.Errorf("job %s: %w", j.ID, ErrRunning) // done meanwhile
		}
	}
	run := r.runOne(ctx, j, slot)
	if run.Result == ResultPaused {
		if err := r.Jobs.Pause(j.ID, run.Error); err != nil {
			return run, err
		}
	}
	return run, r.Jobs.record(run)
}

func (r *Runner) command() string {
	if r.Command != "" {
		return r.Command
	}
	return "almanac jobs run"
}

func (r *Runner) words(err error) string {
	if r.Words == nil {
		return err.Error()
	}
	return r.Words(err)
}

func (r *Runner) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

func (r *Runner) fail(j Job, start, slot time.Time, err error) Run {
	run := Run{Job: j.ID, Start: start.UTC(), End: r.now().UTC(), Scheduled: slot.UTC(), Result: ResultFailed, Error: r.words(err)}
	if PlanRefusal(err) {
		run.Result = ResultPaused
	}
	if slot.IsZero() {
		run.Scheduled = time.Time{}
	}
	return run
}

// PlanRefusal reports whether err is the plan refusing the output (*license.UpgradeError or
// *license.HistoryError): a job meeting it is paused with err's words, not failed each time.
func PlanRefusal(err error) bool {
	var ue *license.UpgradeError
	var he *license.HistoryError
	return errors.As(err, &ue) || errors.As(err, &he)
}

// runOne checks the plan, syncs if asked, and writes the file.
func (r *Runner) runOne(ctx context.Context, j Job, slot time.Time) Run {
	start := r.now()
	t, err := r.Open(ctx, j.Tenant)
	if err != nil {
		return r.fail(j, start, slot, err)
	}
	err = Gate(t.Entitlements, j)
	if err == nil && j.SyncFirst && r.Sync != nil {
		closeTenant(t)
		if err = r.Sync(ctx, j.Tenant); err != nil {
			return r.fail(j, start, slot, fmt.Errorf("sync first: %w", err))
		}
		if t, err = r.Open(ctx, j.Tenant); err != nil {
			return r.fail(j, start, slot, err)
		}
	}
	defer closeTenant(t)
	if err != nil {
		return r.fail(j, start, slot, err)
	}
	file, rows, err := r.produce(ctx, j, t)
	if err != nil {
		return r.fail(j, start, slot, err)
	}
	return Run{Job: j.ID, Start: start.UTC(), End: r.now().UTC(), Scheduled: slot.UTC(), File: file, Rows: rows, Result: ResultOK}
}

func closeTenant(t Tenant) {
	if t.Close != nil {
		t.Close() //nolint:errcheck // read only by then, or failed anyway
	}
}

// Gate is nil when ents allows the job's output (the report and its document format, or the
// dataset and its export format), else the *license.UpgradeError. The period against the
// history window is checked by the run itself, on the run's date.
func Gate(ents license.Entitlements, j Job) error {
	if err := ents.Check(license.FeatureScheduledJobs); err != nil {
		return err
	}
	if j.Kind == KindReport {
		return reports.CheckDocument(ents, j.Report, j.DocFormat)
	}
	for _, d := range reports.Datasets() {
		if d.Name == j.Dataset && d.Feature != "" {
			if err := ents.Check(d.Feature); err != nil {
				return err
			}
		}
	}
	return ents.Check(j.Format.Feature())
}

// produce writes the job's file, replacing one of the same name (a fixed name is replaced at
// every run, atomically by a rename once the new file is complete).
func (r *Runner) produce(ctx context.Context, j Job, t Tenant) (string, int64, error) {
	loc := t.Location
	if loc == nil {
		loc = time.UTC
	}
	path := filepath.Join(j.Folder, j.FileName(r.now(), loc))
	if j.Kind == KindExport {
		res, err := t.Producer.Export(ctx, t.Entitlements, j.exportRequest(path, r.Version))
		return res.Path, res.Rows, err
	}
	req, err := j.documentRequest(t.Entitlements, r.now(), loc, r.Version)
	if err != nil {
		return "", 0, err
	}
	p, err := t.Producer.SaveDocument(ctx, t.Entitlements, req, j.DocFormat, path, true)
	return p, 0, err
}

func (j Job) exportRequest(path, version string) reports.ExportRequest {
	return reports.ExportRequest{Dataset: j.Dataset, Format: j.Format, Period: reports.PeriodRequest{Period: j.Period},
		Status: j.Status, ServiceID: j.ServiceID, ResourceID: j.ResourceID, Active: j.Active, LapsedDays: j.LapsedDays,
		Excel: j.Excel, Out: path, Overwrite: true, AppVersion: version}
}

// documentRequest resolves the job's period on the run's local date, against the window.
func (j Job) documentRequest(ents license.Entitlements, now time.Time, loc *time.Location, version string) (reports.DocumentRequest, error) {
	req := reports.DocumentRequest{Report: j.Report, Paper: j.Paper, Version: version}
	if j.Report == reports.ReportDashboard {
		return req, nil
	}
	w := ents.Window(reports.Today(now, loc))
	p, err := reports.ResolvePeriod(reports.PeriodRequest{Period: j.Period}, w, reports.DefaultAnalyticsDays)
	if err != nil {
		return req, err
	}
	switch j.Report {
	case reports.ReportAppointments:
		req.Appointments = reports.AppointmentQuery{Period: p, Window: w,
			Filter: reports.AppointmentFilter{Status: j.Status, ServiceID: j.ServiceID, ResourceID: j.ResourceID}}
	case reports.ReportRevenue:
		req.Revenue = reports.RevenueQuery{Period: p, ServiceID: j.ServiceID}
	case reports.ReportCustomers:
		req.Customers = reports.CustomerQuery{Period: p, Window: w, LapsedDays: j.LapsedDays}
	case reports.ReportStaff:
		req.Staff = reports.StaffQuery{Period: p}
	}
	return req, nil
}
