//go:build !unix

package ui

import "time"

// processCPU is zero where the trace does not read the process's CPU time.
func processCPU() time.Duration { return 0 }
