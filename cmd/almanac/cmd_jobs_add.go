package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
	"github.com/almanac-app/almanac/reports/jobs"
)

// jobAddFlags are the raw values of jobs add.
type jobAddFlags struct {
	tenant, export, format, report, paper, period, folder, name string
	daily, weekly, monthly                                      string
	status, service, resource, active, lapsedDays               string
	pdf, xlsx, sync, excel                                      bool
}

func (f *jobAddFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.tenant, "tenant", "", "the business (default: the global --tenant, else the active one)")
	fs.StringVar(&f.export, "export", "", "export this dataset")
	fs.StringVar(&f.format, "format", "", "the export's format: csv, json or xlsx")
	fs.StringVar(&f.report, "report", "", "save this report: dashboard, appointments, revenue, customers or resources")
	fs.BoolVar(&f.pdf, "pdf", false, "the report as a PDF")
	fs.BoolVar(&f.xlsx, "xlsx", false, "the report as an Excel workbook")
	fs.StringVar(&f.paper, "paper", "", "the PDF's paper: a4 or letter")
	fs.StringVar(&f.period, "period", "", "a period resolved at each run: last-week, last-month, ytd, last-7d…")
	fs.StringVar(&f.folder, "folder", "", "the folder the files go to (must exist)")
	fs.StringVar(&f.name, "name", "", "the file name pattern (default "+jobs.DefaultNamePattern+")")
	fs.BoolVar(&f.sync, "sync", false, "sync the tenant's data first")
	fs.StringVar(&f.daily, "daily", "", "every day at HH:MM")
	fs.StringVar(&f.weekly, "weekly", "", "every week: DAY HH:MM, e.g. --weekly mon 07:00")
	fs.StringVar(&f.monthly, "monthly", "", "every month: D HH:MM, e.g. --monthly 1 07:00")
	fs.StringVar(&f.status, "status", "", "only rows with this status")
	fs.StringVar(&f.service, "service", "", "only this service id")
	fs.StringVar(&f.resource, "resource", "", "only this resource id")
	fs.StringVar(&f.active, "active", "", "resources or services: true or false")
	fs.StringVar(&f.lapsedDays, "lapsed-days", "", "lapsed customers: days without a visit")
	fs.BoolVar(&f.excel, "excel", false, "CSV: start with a byte-order mark for Excel")
}

func runJobsAdd(env *Env, args []string) error {
	fs := newFlags("jobs add", jobsAddUsage)
	var f jobAddFlags
	f.define(fs)
	pos, err := parseJobArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		_, err = parseFlags(env, fs, jobsAddUsage, []string{"-h"})
		return err
	}
	if err != nil {
		return usageErr("jobs add: %v (see almanac jobs add -h)", err)
	}
	j, err := f.job(pos)
	if err != nil {
		return err
	}
	if j.Tenant, err = jobTenant(env, f.tenant); err != nil {
		return err
	}
	if err := j.Validate(); err != nil {
		return jobsErr(err)
	}
	loc, err := gateJob(env.ctx(), env, j, jobsClock(env))
	if err != nil {
		return jobsErr(err)
	}
	j, err = jobs.Open(env.home()).Add(j, jobsClock(env)())
	if err != nil {
		return jobsErr(err)
	}
	next := j.Schedule.Next(jobsClock(env)(), loc)
	fmt.Fprintf(env.Stdout, "added job %s: %s, %s (%s), next %s, into %s\n", j.ID, termSafe(j.What()), j.Schedule.Words(),
		termSafe(j.Tenant), next.In(loc).Format("2006-01-02 15:04"), termSafe(j.Folder))
	return nil
}

// parseJobArgs parses flags with positionals between them (the time after --weekly mon).
func parseJobArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// jobTenant is the tenant of a new job: --tenant of jobs add, the global one, or the active.
func jobTenant(env *Env, flagValue string) (string, error) {
	if flagValue != "" {
		if !data.ValidTenantID(flagValue) {
			return "", usageErr("jobs add: --tenant %q is not a tenant id: give an id that 'almanac tenant list' shows", flagValue)
		}
		return flagValue, nil
	}
	id, err := env.home().ActiveTenant()
	if errors.Is(err, data.ErrNoTenant) {
		return "", fmt.Errorf("jobs add: %w (home %s)", errNoTenantHint, env.Home)
	}
	return id, jobsErr(err)
}

// job builds the job from the flags; pos are the values after --weekly DAY or --monthly D.
func (f jobAddFlags) job(pos []string) (jobs.Job, error) {
	sc, pos, err := f.schedule(pos)
	if err != nil {
		return jobs.Job{}, err
	}
	if len(pos) > 0 {
		return jobs.Job{}, usageErr("jobs add: unexpected argument %q (see almanac jobs add -h)", pos[0])
	}
	j := jobs.Job{Schedule: sc, Period: f.period, Name: f.name, SyncFirst: f.sync, Status: f.status, Excel: f.excel, Paper: reports.Paper(f.paper)}
	if err := f.output(&j); err != nil {
		return j, err
	}
	if err := f.filters(&j); err != nil {
		return j, err
	}
	if f.folder == "" {
		return j, usageErr("jobs add: --folder DIR is required: the folder the files go to")
	}
	if j.Folder, err = filepath.Abs(f.folder); err != nil {
		return j, usageErr("jobs add: --folder %q: %v", f.folder, err)
	}
	return j, nil
}

// schedule reads the one of --daily, --weekly, --monthly given, taking the time from the next
// argument when the flag's value is only the day.
func (f jobAddFlags) schedule(pos []string) (jobs.Schedule, []string, error) {
	var given []string
	for _, g := range [][2]string{{"daily", f.daily}, {"weekly", f.weekly}, {"monthly", f.monthly}} {
		if g[1] != "" {
			given = append(given, g[0]+" "+g[1])
		}
	}
	if len(given) != 1 {
		return jobs.Schedule{}, pos, usageErr("jobs add: give one schedule: --daily HH:MM, --weekly DAY HH:MM or --monthly D HH:MM")
	}
	text := given[0]
	if !strings.HasPrefix(text, "daily") && len(strings.Fields(text)) == 2 && len(pos) > 0 {
		text, pos = text+" "+pos[0], pos[1:]
	}
	sc, err := jobs.ParseSchedule(text)
	if err != nil {
		flagName := "--" + strings.Fields(text)[0]
		var ie *data.InputError
		if errors.As(err, &ie) {
			return sc, pos, usageErr("jobs add: %s %q %s: %s", flagName, strings.TrimSpace(strings.TrimPrefix(text, strings.Fields(text)[0])), ie.Problem, ie.Fix)
		}
		return sc, pos, usageErr("jobs add: %w", err)
	}
	return sc, pos, nil
}

// output sets what the job makes: --export DATASET --format F, or --report KIND --pdf|--xlsx.
func (f jobAddFlags) output(j *jobs.Job) error {
	switch {
	case f.export != "" && f.report != "":
		return usageErr("jobs add: give --export DATASET or --report KIND, not both (add two jobs for two files)")
	case f.export != "":
		if f.pdf || f.xlsx {
			return usageErr("jobs add: --pdf and --xlsx are for --report: an export takes --format csv|json|xlsx")
		}
		if f.format == "" {
			return usageErr("jobs add: --export needs --format csv, json or xlsx")
		}
		format, err := reports.ParseFormat(f.format)
		if err != nil {
			return jobsErr(err)
		}
		j.Kind, j.Dataset, j.Format = jobs.KindExport, f.export, format
	case f.report != "":
		if f.pdf == f.xlsx || f.format != "" {
			return usageErr("jobs add: --report needs one of --pdf or --xlsx (add two jobs for both)")
		}
		j.Kind, j.Report, j.DocFormat = jobs.KindReport, reports.Report(f.report), reports.DocPDF
		if f.xlsx {
			j.DocFormat = reports.DocXLSX
		}
	default:
		return usageErr("jobs add: say what to make: --export DATASET --format csv|json|xlsx or --report KIND --pdf|--xlsx")
	}
	if f.paper != "" {
		if _, err := reports.ParsePaper(f.paper); err != nil || j.DocFormat != reports.DocPDF {
			return usageErr("jobs add: --paper %q: use a4 or letter, with --report KIND --pdf", f.paper)
		}
	}
	if f.excel && j.Format != reports.FormatCSV {
		return usageErr("jobs add: --excel applies to CSV exports only: drop it or use --format csv")
	}
	return nil
}

// filters parses the ids, --active and --lapsed-days as export and report take them.
func (f jobAddFlags) filters(j *jobs.Job) error {
	var err error
	if j.ServiceID, err = parseExportID("--service", f.service); err != nil {
		return err
	}
	if j.ResourceID, err = parseExportID("--resource", f.resource); err != nil {
		return err
	}
	if f.lapsedDays != "" {
		if j.LapsedDays, err = reports.ParseLapsedDays(f.lapsedDays); err != nil {
			return jobsErr(err)
		}
	}
	if f.active != "" {
		b, err := strconv.ParseBool(f.active)
		if err != nil {
			return usageErr("jobs add: --active %q: use true or false", f.active)
		}
		j.Active = &b
	}
	return nil
}
