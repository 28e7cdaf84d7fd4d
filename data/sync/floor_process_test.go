package sync_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

const floorProcessEnv = "ALMANAC_SYNC_FLOOR_PROCESS"

// BenchmarkSyncFloorProcess is not a benchmark of its own: .ci/bench-table runs the compiled test
// binary with it, as a whole process beside `almanac sync`, to get BenchmarkSync's bare-insert
// floor (benchBare: the same rows inserted by a bare database/sql loop). It prints
// "floor-insert-seconds S" (the insert phase alone, as BenchmarkSync reports it) and skips
// unless ALMANAC_SYNC_FLOOR_PROCESS names the number of appointments.
func BenchmarkSyncFloorProcess(b *testing.B) {
	n, err := strconv.Atoi(os.Getenv(floorProcessEnv))
	if err != nil || n <= 0 {
		b.Skip("helper process for .ci/bench-table: set " + floorProcessEnv + "=N")
	}
	for b.Loop() {
		d := benchBare(b, n)
		fmt.Printf("floor-insert-seconds %.6f\n", d.Seconds())
		b.ReportMetric(float64(n)/d.Seconds(), "bare-sqlite-appt/s")
		b.ReportMetric(float64(d)/float64(time.Second), "s")
	}
}
