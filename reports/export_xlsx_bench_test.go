package reports

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/store"
)

// BenchmarkExportXLSXProcesses measures the XLSX export as whole processes, which is how the
// goal is stated: this test binary runs itself once per round for the bare excelize loop and once
// for Almanac's export of the same rows (TestExportChildProcess), interleaved, and reads each
// child's wall time and peak RSS (getrusage's ru_maxrss). In-process heap samples miss what the
// runtime keeps mapped and the final zip's buffer, which is where a workbook's memory goes.
// ALMANAC_BENCH_REPS rounds (default 3); the median of each figure counts.
func BenchmarkExportXLSXProcesses(b *testing.B) {
	_, path := benchStore(b)
	dir := b.TempDir()
	names := []string{"bare_excelize", "almanac_xlsx"}
	took := map[string][]time.Duration{}
	rss := map[string][]int64{}
	rows := map[string]string{}
	for range benchReps() {
		for _, n := range names {
			d, kb, out := runExportChild(b, n, path, dir)
			took[n], rss[n], rows[n] = append(took[n], d), append(rss[n], kb), out
		}
	}
	if rows["bare_excelize"] != rows["almanac_xlsx"] {
		b.Fatalf("the contenders wrote different rows: bare %s, almanac %s", rows["bare_excelize"], rows["almanac_xlsx"])
	}
	med := func(n string) (float64, float64) {
		return median(took[n]).Seconds(), float64(medianInt(rss[n])) / 1024
	}
	bareS, bareMB := med("bare_excelize")
	for _, n := range names {
		b.Run(n, func(b *testing.B) {
			for b.Loop() {
			}
			s, mb := med(n)
			b.ReportMetric(s*1e9, "ns/op")
			b.ReportMetric(s, "s")
			b.ReportMetric(mb, "peak_rss_MB")
			if n == "almanac_xlsx" {
				b.ReportMetric(s/bareS, "x_bare_time")
				b.ReportMetric(mb/bareMB, "x_bare_rss")
			}
		})
	}
}

// runExportChild runs one contender in a child process and returns its wall time, its peak RSS
// in KiB and what it printed (the row count).
func runExportChild(b *testing.B, name, storePath, dir string) (time.Duration, int64, string) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestExportChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "ALMANAC_EXPORT_CHILD="+name, "ALMANAC_EXPORT_CHILD_STORE="+storePath,
		"ALMANAC_EXPORT_CHILD_OUT="+filepath.Join(dir, name+".xlsx"))
	start := time.Now()
	out, err := cmd.Output()
	took := time.Since(start)
	if err != nil {
		b.Fatalf("%s: %v: %s", name, err, out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		b.Skip("no rusage on this platform")
	}
	line := ""
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "rows ") {
			line = l
		}
	}
	return took, ru.Maxrss, line
}

// TestExportChildProcess is the child of BenchmarkExportXLSXProcesses; it does nothing unless
// ALMANAC_EXPORT_CHILD names a contender. It writes every appointment of the store at
// ALMANAC_EXPORT_CHILD_STORE to ALMANAC_EXPORT_CHILD_OUT and prints "rows N"; the bare loop
// starts at ALMANAC_EXPORT_CHILD_FROM when set (beside a CLI export under a history window).
func TestExportChildProcess(t *testing.T) {
	name := os.Getenv("ALMANAC_EXPORT_CHILD")
	if name == "" {
		t.Skip("run by BenchmarkExportXLSXProcesses")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, os.Getenv("ALMANAC_EXPORT_CHILD_STORE"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out := os.Getenv("ALMANAC_EXPORT_CHILD_OUT")
	var n int64
	switch name {
	case "bare_excelize":
		tn, err := st.Tenant(ctx)
		if err != nil {
			t.Fatal(err)
		}
		from := os.Getenv("ALMANAC_EXPORT_CHILD_FROM") // an export's resolved from date, to compare with the CLI
		if from == "" {
			from = "0000-01-01"
		}
		n, err = writeBareXLSX(st, appointmentsQuery(filterValues{from: from, loc: tn.Location()}), out)
		if err != nil {
			t.Fatal(err)
		}
	case "almanac_xlsx":
		os.Remove(out)
		req := ExportRequest{Dataset: DatasetAppointments, Format: FormatXLSX, Out: out}
		// ALMANAC_EXPORT_CHILD_SHEET_ROWS splits a smaller store into as many sheets as 10M rows get.
		req.sheetRows, _ = strconv.Atoi(os.Getenv("ALMANAC_EXPORT_CHILD_SHEET_ROWS"))
		res, err := New(st, time.Now).Export(ctx, benchEnts(), req)
		if err != nil {
			t.Fatal(err)
		}
		n = res.Rows
	default:
		t.Fatalf("ALMANAC_EXPORT_CHILD=%q is not a contender", name)
	}
	fmt.Printf("rows %d\n", n)
}

func medianInt(v []int64) int64 {
	s := append([]int64(nil), v...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
