package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/almanac-app/almanac/data"
)

// Exit codes of the almanac command (a contract for scripts).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitPlan    = 3
	exitLicense = 4
)

// exitError carries the exit code an error maps to.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr is a bad command line: unknown command or flag, or a bad value (exit 2).
func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// planErr is a refusal because the plan does not include something (exit 3).
func planErr(err error) error { return &exitError{code: exitPlan, err: err} }

// licenseErr is a license problem (exit 4).
func licenseErr(err error) error { return &exitError{code: exitLicense, err: err} }

// exitCode maps an error to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitFailure
}

// explainStore words the errors about the store file and the home itself, which any command can
// meet, with the way out; other errors pass unchanged. The exit code stays the error's.
func explainStore(h data.Home, err error) error {
	if err == nil {
		return nil
	}
	var msg error
	var ce *data.CorruptError
	var be *data.BusyError
	var ro *data.ReadOnlyError
	switch {
	case errors.As(err, &ro) && ro.Why != "":
		msg = fmt.Errorf("%v: make the home writable once, or use --home DIR", ro)
	case errors.As(err, &ce):
		msg = fmt.Errorf("the store %s is damaged (SQLite: %s): run 'almanac repair' to move it aside (kept, dated) and rebuild it", ce.Store, ce.Reason)
	case errors.As(err, &be):
		msg = fmt.Errorf("%v: wait for it to finish, then try again", be)
	case errors.Is(err, data.ErrReadOnly), errors.Is(err, fs.ErrPermission) && h.Writable() != nil:
		msg = fmt.Errorf("home %s is read-only and this command writes to it: make it writable or use --home DIR (tenant, check, report, export and license show work on a read-only home)", h.Dir)
	case errors.Is(err, data.ErrEmptyStore):
		msg = fmt.Errorf("%v: the file holds nothing; run 'almanac repair' to move it aside and rebuild it", err)
	default:
		return err
	}
	return &exitError{code: exitCode(err), err: msg}
}

// rerunHelps reports whether running the same sync again can succeed: not for a damaged, busy
// or read-only store, another tenant's server, or a store from a newer Almanac.
func rerunHelps(err error) bool {
	for _, e := range []error{data.ErrCorrupt, data.ErrBusy, data.ErrReadOnly, data.ErrEmptyStore,
		data.ErrTenantChanged, data.ErrSchemaTooNew} {
		if errors.Is(err, e) {
			return false
		}
	}
	return true
}
