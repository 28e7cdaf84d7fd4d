package reports

import (
	"context"
	"os"
	"testing"

	"github.com/almanac-app/almanac/data/store"
)

// Environment of BenchmarkBareXLSXProcess: the store to read and the workbook to write.
const (
	benchrefStoreEnv = "ALMANAC_BENCHREF_STORE"
	benchrefOutEnv   = "ALMANAC_BENCHREF_OUT"
)

// BenchmarkBareXLSXProcess is not a benchmark of its own: .ci/bench-table runs the compiled test
// binary with it, as a whole process beside `almanac export --format xlsx`, to time the bare
// excelize StreamWriter loop of BenchmarkExportAppointments (bareXLSX) over the same rows. It
// skips unless ALMANAC_BENCHREF_STORE and ALMANAC_BENCHREF_OUT are set.
func BenchmarkBareXLSXProcess(b *testing.B) {
	path, out := os.Getenv(benchrefStoreEnv), os.Getenv(benchrefOutEnv)
	if path == "" || out == "" {
		b.Skip("helper process for .ci/bench-table: set " + benchrefStoreEnv + " and " + benchrefOutEnv)
	}
	st, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	q := benchQuery(b, st)
	for b.Loop() {
		bareXLSX(b, st, q, out)
	}
}
