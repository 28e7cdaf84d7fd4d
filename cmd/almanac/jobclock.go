//go:build !testclock

package main

import "time"

// jobsClock is the clock of the scheduled jobs: when they are due, the periods they resolve
// and their file names. A production build uses the command's own clock; only a binary built
// with the testclock tag (the end-to-end test's) reads a fake time, so no environment variable
// can move a real user's jobs, and licensing never sees the fake time in any build.
func jobsClock(env *Env) func() time.Time { return env.Now }
