//go:build !testclock

package main

import (
	"testing"
	"time"
)

// A production build's jobs never read the test clock's variable: licensing and the jobs
// share the real clock.
func TestJobsClockIgnoresTestVariable(t *testing.T) {
	t.Setenv("ALMANAC_TEST_JOBS_NOW", "2030-01-01T07:00:00Z")
	real := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	env := &Env{Now: func() time.Time { return real }}
	if got := jobsClock(env)(); !got.Equal(real) {
		t.Errorf("jobs clock %v, want the command's %v", got, real)
	}
}
