package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

const exportUsage = `Usage: almanac export DATASET --format csv|json|xlsx [--from YYYY-MM-DD] [--to YYYY-MM-DD]
       [--days N | --period P] [--status S] [--service ID] [--resource ID] [--active true|false] [--excel]
       [--lapsed-days N] [--out DIR|FILE] [--overwrite] [--json]

Exports one dataset of the active tenant to a file and prints its path.
Datasets: appointments (--from/--to/--days/--period on the local start date, --status, --service,
--resource), customers (--status active|inactive), resources and services (--active),
payments (--from/--to, --days or --period, default 30, at most 365, on the local created date; --status),
subscriptions (--status), lapsed_customers (--lapsed-days N, default 90: a win-back mailing list).
lapsed_customers is the lapsed list of 'almanac report customers': active customers whose last visit
(completed appointment, local date) was more than N days before today and who have nothing scheduled
or confirmed after now, newest last visit first, with lifetime visits and revenue. It takes no dates
(the list looks at every visit, whatever the history window) and needs Customer insights (PROFESSIONAL).
Dates are in the tenant's time zone and must fall in your plan's history window; with no dates
the export covers the whole window and all future rows. --period is a calendar period
(weeks start on Monday; "this" periods end today) or last-Nd, the same as --days N; it cannot be
combined with --days, --from or --to. The file is written under a temporary
name and renamed when complete. An existing file is replaced only with --overwrite (by that
rename, so it stays intact until the new file is complete); otherwise a number is added to the
name and stderr says so. A --out file name must end in the format's extension, if it has one.
Exit codes: 2 bad flag or value, 3 the plan does not include the format, the dates or the dataset.`

// exportFlags are the raw flag values; parsing them into a request is separate so it can be tested.
type exportFlags struct {
	format, from, to, days, period, status, service, resource, active, out string
	lapsedDays                                                             string
	excel, json, overwrite                                                 bool
}

func runExport(env *Env, args []string) error {
	if stop := startCPUProfile(env); stop != nil {
		defer stop()
	}
	fs := newFlags("export", exportUsage)
	var f exportFlags
	fs.StringVar(&f.format, "format", "", "csv, json or xlsx (required)")
	fs.StringVar(&f.from, "from", "", "first local date, YYYY-MM-DD")
	fs.StringVar(&f.to, "to", "", "last local date, YYYY-MM-DD")
	fs.StringVar(&f.days, "days", "", "the last N days up to today (clamped to the history window)")
	fs.StringVar(&f.period, "period", "", "today, this-week, last-week, this-month, last-month, this-quarter, last-quarter, ytd, last-year or last-Nd")
	fs.StringVar(&f.status, "status", "", "only rows with this status")
	fs.StringVar(&f.service, "service", "", "appointments of this service id")
	fs.StringVar(&f.resource, "resource", "", "appointments of this resource id")
	fs.StringVar(&f.active, "active", "", "resources or services: true or false")
	fs.StringVar(&f.lapsedDays, "lapsed-days", "", "lapsed_customers: days without a visit that make a customer lapsed (default 90)")
	fs.BoolVar(&f.excel, "excel", false, "CSV: start with a UTF-8 byte-order mark so Excel reads accents right")
	fs.StringVar(&f.out, "out", "", "a folder (default: the current one) or a file path")
	fs.BoolVar(&f.overwrite, "overwrite", false, "replace a file already at --out (once the new one is complete) instead of adding a number")
	fs.BoolVar(&f.json, "json", false, `print {"path","dataset","format","rows"} as JSON`)
	pos, done, err := parseInterleaved(env, fs, args)
	if done || err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("export: name one dataset: %s (see almanac export -h)", strings.Join(reports.DatasetNames(), ", "))
	}
	dataset := pos[0]
	req, err := exportRequest(dataset, f)
	if err != nil {
		return err
	}
	req.AppVersion = Version
	return doExport(env, req, f.json)
}

// parseInterleaved parses flags before and after positional arguments (the flag package stops
// at the first non-flag, and the dataset comes first), returning the positionals.
func parseInterleaved(env *Env, fs *flag.FlagSet, args []string) (pos []string, done bool, err error) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				done, err := parseFlags(env, fs, exportUsage, []string{"-h"})
				return nil, done, err
			}
			return nil, false, usageErr("export: %v (see almanac export -h)", err)
		}
		if fs.NArg() == 0 {
			return pos, false, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// exportRequest checks the flag values that need no store (exit 2 for a bad one).
func exportRequest(dataset string, f exportFlags) (reports.ExportRequest, error) {
	req := reports.ExportRequest{Dataset: dataset, Status: f.status, Excel: f.excel, Out: f.out, Overwrite: f.overwrite,
		Period: reports.PeriodRequest{Days: f.days, From: f.from, To: f.to, Period: f.period}}
	if f.format == "" {
		return req, usageErr("export: --format is required: csv, json or xlsx")
	}
	format, err := reports.ParseFormat(f.format)
	if err != nil {
		return req, usageErr("export: %w", err)
	}
	req.Format = format
	if req.ServiceID, err = parseExportID("--service", f.service); err != nil {
		return req, err
	}
	if req.ResourceID, err = parseExportID("--resource", f.resource); err != nil {
		return req, err
	}
	if f.lapsedDays != "" {
		if req.LapsedDays, err = reports.ParseLapsedDays(f.lapsedDays); err != nil {
			return req, usageErr("export: %w", err)
		}
	}
	if f.active != "" {
		b, err := strconv.ParseBool(f.active)
		if err != nil {
			return req, usageErr("export: --active %q: use true or false", f.active)
		}
		req.Active = &b
	}
	if f.excel && format != reports.FormatCSV {
		return req, usageErr("export: --excel applies to CSV only: drop it or use --format csv")
	}
	return req, nil
}

func parseExportID(flag, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, usageErr("export: %s %q is not an id: give a positive whole number", flag, s)
	}
	return n, nil
}

func doExport(env *Env, req reports.ExportRequest, asJSON bool) error {
	st, t, err := env.OpenStore()
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := reports.New(st, env.Now).Export(env.ctx(), env.Entitlements(t), req)
	if err != nil {
		return exportErr(err)
	}
	if res.Notice != nil {
		fmt.Fprintln(env.Stderr, noticeWords(res.Notice))
	}
	if res.Taken != "" {
		fmt.Fprintf(env.Stderr, "almanac: %s already exists; wrote %s instead (pass --overwrite to replace it)\n",
			termSafe(res.Taken), termSafe(res.Path))
	}
	if asJSON {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	fmt.Fprintln(env.Stdout, termSafe(res.Path))
	return nil
}

// exportErr maps the engine's errors to exit codes: plan refusals 3, bad values 2, else 1.
func exportErr(err error) error {
	var ue *license.UpgradeError
	var he *license.HistoryError
	switch {
	case errors.As(err, &ue), errors.As(err, &he):
		return planErr(err)
	case errors.Is(err, reports.ErrUsage):
		return usageErr("export: %w", err)
	case errors.Is(err, context.Canceled):
		return errors.New("export cancelled: no file was written")
	}
	return err
}
