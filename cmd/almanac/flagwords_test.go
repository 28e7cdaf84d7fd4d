package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	datasync "github.com/almanac-app/almanac/data/sync"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
)

// TestCLIWordsNameFlags: the libraries' typed errors are worded with the command's flags, and
// a usage error keeps exit code 2.
func TestCLIWordsNameFlags(t *testing.T) {
	_, badDays := reports.ParseDays("0")
	_, badFormat := reports.ParseFormat("pdf")
	_, badDate := reports.ParseDate(data.FieldTo, "2026-02-30", time.UTC)
	_, badPaper := reports.ParsePaper("legal")
	cases := []struct {
		err  error
		want string
		code int
	}{
		{usageErr("report: %w", badDays), "report: --days 0 is too few: give a whole number of days, 1 or more", exitUsage},
		{usageErr("export: %w", badFormat), "export: --format pdf is not a format: use csv, json or xlsx", exitUsage},
		{usageErr("export: %w", badDate), "export: --to 2026-02-30 is not a date: use YYYY-MM-DD, e.g. 2026-01-31", exitUsage},
		{fmt.Errorf("sync: %w", &datasync.TimeLimitError{Limit: 3 * time.Second, Setting: data.FieldTimeout}),
			"sync: the sync ran past its time limit of 3s (--timeout); it stopped, what was applied is kept: run the sync again to continue", exitFailure},
		{fmt.Errorf("the tenant's time zone changed from A to B: %w", data.ErrNeedFullSync),
			"the tenant's time zone changed from A to B: run 'almanac sync --full'", exitFailure},
		{usageErr("sync: %w", datasync.ErrNoToken), "sync: no server token: pass --token-file FILE", exitUsage},
		{usageErr("report: %w", badPaper), `report: --paper legal is not a paper size: use a4 or letter`, exitUsage},
	}
	for _, c := range cases {
		if got := cliWords(c.err); !strings.HasPrefix(got, c.want) {
			t.Errorf("cliWords(%v) = %q, want %q", c.err, got, c.want)
		}
		if got := exitCode(c.err); got != c.code {
			t.Errorf("exit code of %v = %d, want %d", c.err, got, c.code)
		}
	}
	if !errors.Is(badDays, reports.ErrUsage) {
		t.Error("a bad --days is no longer reports.ErrUsage")
	}
}

// TestEveryFieldHasAFlagWord: each field the libraries name is worded by the command line.
func TestEveryFieldHasAFlagWord(t *testing.T) {
	for _, f := range []string{data.FieldDays, data.FieldFrom, data.FieldTo, data.FieldPeriod, data.FieldStatus,
		data.FieldService, data.FieldResource, data.FieldActive, data.FieldFormat, data.FieldOut, data.FieldDataset,
		data.FieldAppointments, data.FieldTimeZone, data.FieldCurrency, data.FieldServer, data.FieldToken,
		data.FieldHome, data.FieldTimeout, data.FieldPaper, data.FieldPDF, data.FieldXLSX, data.FieldOverwrite, data.FieldCompare, data.FieldLapsedDays} {
		if _, ok := fieldFlags[f]; !ok {
			t.Errorf("field %q has no command-line word", f)
		}
	}
}

func TestSyncLockNamesTheCommandLine(t *testing.T) {
	if syncCommandLine(true) != "almanac sync --full" || syncCommandLine(false) != "almanac sync" {
		t.Errorf("lock commands %q, %q", syncCommandLine(true), syncCommandLine(false))
	}
}
