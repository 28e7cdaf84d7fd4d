package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/store"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/reports"
	"github.com/almanac-app/almanac/reports/jobs"
)

const jobsUsage = `Usage: almanac jobs list [--json]
       almanac jobs add (--export DATASET --format csv|json|xlsx | --report KIND --pdf|--xlsx)
                        (--daily HH:MM | --weekly DAY HH:MM | --monthly D HH:MM) --folder DIR
                        [--period P] [--name PATTERN] [--sync] [--tenant ID] [filters]
       almanac jobs remove ID
       almanac jobs run ID | --due
       almanac jobs install [--dry-run] | uninstall [--dry-run] | install-status [--json]

Scheduled jobs (docs/jobs.md) write an export or a report document into a folder on a schedule
in the tenant's time zone. list shows each job with its next and last run; add saves one (every
value is checked now, not at the first run); remove deletes one; run ID runs one now; run --due
runs every job whose time has come since it last ran on schedule (a job missed while the
computer was off runs once), printing one line per job run. A job the plan no longer allows is
paused with the reason. install registers run --due with the computer's own scheduler (every 15
minutes and at log-on, for this user and this home; --dry-run prints what it would write and run),
uninstall removes it, install-status says whether it is there. Exit codes: 2 bad usage, 3 the
plan does not include it, 1 a job failed.`

const jobsAddUsage = `Usage: almanac jobs add (--export DATASET --format csv|json|xlsx | --report KIND --pdf|--xlsx)
                        (--daily HH:MM | --weekly DAY HH:MM | --monthly D HH:MM) --folder DIR
                        [--period P] [--name PATTERN] [--sync] [--tenant ID]
                        [--status S] [--service ID] [--resource ID] [--active true|false]
                        [--lapsed-days N] [--excel] [--paper a4|letter]

--export DATASET (the datasets of 'almanac export') or --report KIND (dashboard, appointments,
revenue, customers, resources). --period is resolved at each run in the tenant's zone:
today, this-week, last-week, this-month, last-month, this-quarter, last-quarter, ytd, last-year
or last-Nd (the dashboard takes none). --weekly takes a weekday (mon…sun) and a time; --monthly
a day from 1 to 31 (past the month's end: its last day) and a time. --name is the file name,
default {dataset}_{period}_{YYYYMMDD}; placeholders {dataset} {period} {from} {to} {tenant}
{YYYYMMDD} {YYYY} {MM} {DD} {HHMM}; the extension is added; a name without a date is replaced
at each run. --sync pulls the tenant's data first (not for the demo tenant).`

func runJobs(env *Env, args []string) error {
	if len(args) == 0 {
		return usageErr("jobs: name what to do: list, add, remove ID, run ID|--due, install, uninstall or install-status (see almanac jobs -h)")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintln(env.Stdout, jobsUsage)
		return nil
	case "list":
		return runJobsList(env, args[1:])
	case "add":
		return runJobsAdd(env, args[1:])
	case "remove", "rm":
		return runJobsRemove(env, args[1:])
	case "run":
		return runJobsRun(env, args[1:])
	case "install":
		return jobsInstall(env, args[1:])
	case "uninstall":
		return jobsUninstall(env, args[1:])
	case "install-status":
		return jobsInstallStatus(env, args[1:])
	}
	return usageErr("jobs: unknown %q: use list, add, remove ID, run ID|--due, install, uninstall or install-status (see almanac jobs -h)", args[0])
}

// jobsErr words a jobs library error: bad values exit 2 naming their flag, plan refusals 3.
func jobsErr(err error) error {
	var ie *data.InputError
	switch {
	case err == nil:
		return nil
	case jobs.PlanRefusal(err):
		return planErr(err)
	case errors.As(err, &ie), errors.Is(err, reports.ErrUsage):
		return usageErr("jobs: %s", cliWords(err))
	}
	return err
}

func runJobsList(env *Env, args []string) error {
	fs := newFlags("jobs list", jobsUsage)
	asJSON := fs.Bool("json", false, "print the jobs with next and last run as JSON")
	if done, err := parseFlags(env, fs, jobsUsage, args); done || err != nil {
		return err
	}
	now := jobsClock(env)()
	zones := map[string]*time.Location{}
	st, err := jobs.Open(env.home()).Statuses(now, func(id string) *time.Location { return jobZone(env, id, zones) })
	if err != nil {
		return err
	}
	if *asJSON {
		if st == nil {
			st = []jobs.Status{}
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	if len(st) == 0 {
		fmt.Fprintln(env.Stdout, "No scheduled jobs: add one with 'almanac jobs add' (see almanac jobs add -h).")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTENANT\tWHAT\tSCHEDULE\tNEXT\tLAST")
	for _, s := range st {
		loc := jobZone(env, s.Tenant, zones)
		next := "paused"
		if s.Paused {
			if s.PausedReason != "" {
				next = "paused: " + s.PausedReason
			}
		} else if !s.Next.IsZero() {
			next = s.Next.In(loc).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, termSafe(s.Tenant), termSafe(s.What()), s.Schedule.String(), termSafe(next), termSafe(lastWords(s.Last, loc)))
	}
	return tw.Flush()
}

func lastWords(l *jobs.Last, loc *time.Location) string {
	if l == nil {
		return "never run"
	}
	s := l.Start.In(loc).Format("2006-01-02 15:04") + " " + string(l.Result)
	if !l.Seen {
		s += " (new)"
	}
	return s
}

// jobZone is tenant id's time zone (UTC when its store cannot be read), read once.
func jobZone(env *Env, id string, cache map[string]*time.Location) *time.Location {
	if loc, ok := cache[id]; ok {
		return loc
	}
	loc := time.UTC
	if t, err := store.ReadTenantFile(env.ctx(), env.home().TenantPath(id)); err == nil {
		loc = t.Location()
	}
	cache[id] = loc
	return loc
}

func runJobsRemove(env *Env, args []string) error {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return usageErr("jobs remove: give one job id, e.g. almanac jobs remove 2 (ids: almanac jobs list)")
	}
	if err := jobs.Open(env.home()).Remove(args[0]); err != nil {
		return jobsErr(err)
	}
	fmt.Fprintf(env.Stdout, "removed job %s\n", termSafe(args[0]))
	return nil
}

func runJobsRun(env *Env, args []string) error {
	fs := newFlags("jobs run", jobsUsage)
	due := fs.Bool("due", false, "run every job whose time has come")
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if done, err := parseFlags(env, fs, jobsUsage, args); done || err != nil {
		return err
	}
	if (id == "") == !*due {
		return usageErr("jobs run: give a job id or --due, not both (see almanac jobs -h)")
	}
	r := jobsRunner(env)
	if id != "" {
		run, err := r.Run(env.ctx(), id)
		if err != nil {
			return jobsErr(err)
		}
		printRun(env, run)
		return runsErr([]jobs.Run{run})
	}
	runs, err := r.RunDue(env.ctx())
	for _, run := range runs {
		printRun(env, run)
	}
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		fmt.Fprintln(env.Stdout, "no job is due")
	}
	return runsErr(runs)
}

// runsErr is the exit of a run: 1 when a job failed, 3 when one was paused by the plan.
func runsErr(runs []jobs.Run) error {
	var failed, paused int
	for _, r := range runs {
		switch r.Result {
		case jobs.ResultFailed:
			failed++
		case jobs.ResultPaused:
			paused++
		}
	}
	switch {
	case failed > 0:
		return fmt.Errorf("%d of %d jobs failed (see above; almanac jobs list shows them)", failed, len(runs))
	case paused > 0:
		return planErr(fmt.Errorf("%d of %d jobs were paused: the plan no longer includes their output", paused, len(runs)))
	}
	return nil
}

// printRun prints one line: the job, its result, the file and rows, or the reason.
func printRun(env *Env, r jobs.Run) {
	if r.Result == jobs.ResultOK {
		fmt.Fprintf(env.Stdout, "job %s: ok: %s (%d rows)\n", termSafe(r.Job), termSafe(r.File), r.Rows)
		return
	}
	fmt.Fprintf(env.Stdout, "job %s: %s: %s\n", termSafe(r.Job), r.Result, termSafe(oneLine(cliWords(errors.New(r.Error)))))
}

// jobsRunner wires the runner: each tenant's store as a reports.Service on the jobs' clock,
// the license on the real clock, and the sync of cmd/almanac (reports does not import it).
func jobsRunner(env *Env) *jobs.Runner {
	now := jobsClock(env)
	return &jobs.Runner{Jobs: jobs.Open(env.home()), Now: now, Version: Version, Command: "almanac jobs run",
		Open: func(ctx context.Context, tenant string) (jobs.Tenant, error) {
			return openJobTenant(ctx, env, tenant, now)
		},
		Sync:  func(ctx context.Context, tenant string) error { return syncForJob(ctx, env, tenant) },
		Words: jobRunWords,
	}
}

// jobRunWords is a failed run's line in the run log, read on the command line and on the
// Schedules screen alike: plain words, naming a job's fields as the Save as scheduled job
// dialog labels them ("Folder"), and what to do in the app or from a script.
func jobRunWords(err error) string {
	s := data.RewordError(err, func(e error) (string, bool) {
		switch e := e.(type) {
		case *data.InputError:
			return e.Words(jobFieldWord), true
		case *datasync.TimeLimitError:
			return fmt.Sprintf("the sync ran past its time limit of %v; what was applied is kept, and the next run continues it", e.Limit), true
		}
		switch e {
		case data.ErrNeedFullSync:
			return "a full sync is needed: tick \"Pull everything again (full resync)\" on the Sync screen and sync (or run 'almanac sync --full'), then run the job again", true
		case datasync.ErrNoToken:
			return "no saved access token for this business: sync it once from the Sync screen (or 'almanac sync'), then run the job again", true
		}
		return "", false
	})
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// jobFieldWord names a field of a job's error as the job dialog labels it, in lower case (the
// line is capitalised as a whole).
func jobFieldWord(field string) string {
	switch field {
	case data.FieldOut, jobs.FieldFolder:
		return "folder"
	case jobs.FieldName:
		return "file name"
	case data.FieldPeriod, data.FieldDays, data.FieldFrom, data.FieldTo:
		return "period"
	case data.FieldTenant:
		return "business"
	case "":
		return "the job"
	}
	return strings.ReplaceAll(field, "_", " ")
}

func openJobTenant(ctx context.Context, env *Env, tenant string, now func() time.Time) (jobs.Tenant, error) {
	h := data.Home{Dir: env.Home, Tenant: tenant}
	st, err := store.OpenActive(ctx, h)
	if err != nil {
		return jobs.Tenant{}, err
	}
	t, err := st.Tenant(ctx)
	if err != nil {
		st.Close()
		return jobs.Tenant{}, err
	}
	return jobs.Tenant{Producer: reports.New(st, now), Entitlements: env.Entitlements(t), Location: t.Location(), Close: st.Close}, nil
}

// gateJob asks the plan of job j's own tenant (not the active one) whether it includes
// scheduled jobs and j's output, and returns that tenant's zone.
func gateJob(ctx context.Context, env *Env, j jobs.Job, now func() time.Time) (*time.Location, error) {
	t, err := openJobTenant(ctx, env, j.Tenant, now)
	if err != nil {
		return nil, err
	}
	err = jobs.Gate(t.Entitlements, j)
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	return t.Location, err
}

// syncForJob pulls tenant's data from its saved server before a sync-first job; the demo
// tenant has no server, so it is left as it is.
func syncForJob(ctx context.Context, env *Env, tenant string) error {
	if tenant == data.DemoTenantID {
		return nil
	}
	h := data.Home{Dir: env.Home, Tenant: tenant}
	saved, err := datasync.SettingsOf(ctx, h, tenant)
	if err != nil {
		return err
	}
	if saved.Server == "" {
		return fmt.Errorf("no server is saved for tenant %s: run 'almanac --tenant %s sync --server URL --token-file FILE' once", tenant, tenant)
	}
	o := datasync.Options{Server: saved.Server, Command: "almanac jobs run (sync first)"}
	if o.Token, err = syncToken(env, "", "", saved, o.Server); err != nil {
		return err
	}
	res, err := datasync.Sync(ctx, h, o)
	if serr := saveOutcome(ctx, h, tenant, o, res, err); serr != nil && err == nil {
		err = serr
	}
	return err
}
