package main

import (
	"fmt"

	datasync "github.com/almanac-app/almanac/data/sync"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
	"github.com/almanac-app/almanac/reports/jobs"
)

// fieldFlags names each field of a *data.InputError as the command line gives it.
var fieldFlags = map[string]string{
	data.FieldDays:         "--days",
	data.FieldFrom:         "--from",
	data.FieldTo:           "--to",
	data.FieldPeriod:       "--period",
	data.FieldCompare:      "--compare",
	data.FieldStatus:       "--status",
	data.FieldService:      "--service",
	data.FieldResource:     "--resource",
	data.FieldActive:       "--active",
	data.FieldFormat:       "--format",
	data.FieldOut:          "--out",
	data.FieldDataset:      "dataset",
	data.FieldAppointments: "--appointments",
	data.FieldTimeZone:     "--timezone",
	data.FieldCurrency:     "currency",
	data.FieldServer:       "--server",
	data.FieldToken:        "--token-file",
	data.FieldHome:         "--home",
	data.FieldTimeout:      "--timeout",
	data.FieldPaper:        "--paper",
	data.FieldPDF:          "--pdf",
	data.FieldXLSX:         "--xlsx",
	data.FieldOverwrite:    "pass --overwrite",
	data.FieldLapsedDays:   "--lapsed-days",
	data.FieldTenant:       "--tenant",
	jobs.FieldSchedule:     "the schedule",
	jobs.FieldName:         "--name",
	jobs.FieldFolder:       "--folder",
	jobs.FieldReport:       "--report",
	jobs.FieldJob:          "job",
}

// flagOf is the command line's name for a field: its flag ("--from"), or the field's own
// word for one that is not a flag.
func flagOf(field string) string {
	if f, ok := fieldFlags[field]; ok {
		return f
	}
	return field
}

// cliWords is err's message in the command line's words: bad values name their flags and the
// way out of a condition names the command that gets past it.
func cliWords(err error) string {
	return data.RewordError(err, func(e error) (string, bool) {
		switch e := e.(type) {
		case *data.InputError:
			return e.Words(flagOf), true
		case *datasync.TimeLimitError:
			return fmt.Sprintf("the sync ran past its time limit of %v (%s); it stopped, what was applied is kept: run the sync again to continue",
				e.Limit, flagOf(e.Setting)), true
		}
		switch e {
		case data.ErrNeedFullSync:
			return "run 'almanac sync --full'", true
		case datasync.ErrNoToken:
			return "no server token: pass --token-file FILE, --token - (standard input) or set ALMANAC_TOKEN", true
		}
		return "", false
	})
}

// noticeWords is the stderr line for days that were shortened.
func noticeWords(n *reports.DaysNotice) string {
	return fmt.Sprintf("almanac: --days %d is more than %s; using %d days", n.Asked, n.Limit, n.Used)
}

// syncCommandLine is the command line a sync's store lock names for another process to show.
func syncCommandLine(full bool) string {
	if full {
		return "almanac sync --full"
	}
	return "almanac sync"
}
