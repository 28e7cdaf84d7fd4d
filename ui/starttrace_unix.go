//go:build unix

package ui

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used (user and system, all threads).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
