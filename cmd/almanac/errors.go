package main

import (
	"errors"
	"fmt"
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
