//go:build testclock

package main

import (
	"os"
	"time"
)

// testClockEnv names the fake time a testclock build's jobs run at (RFC 3339).
const testClockEnv = "ALMANAC_TEST_JOBS_NOW"

// jobsClock, in a testclock build, is the time $ALMANAC_TEST_JOBS_NOW names, else the
// command's clock. Only the jobs' due computation, periods and file names use it: the license
// manager keeps env.Now.
func jobsClock(env *Env) func() time.Time {
	if s := os.Getenv(testClockEnv); s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return func() time.Time { return t }
		}
	}
	return env.Now
}
