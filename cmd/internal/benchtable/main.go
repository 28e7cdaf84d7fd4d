// Command benchtable is the whole-process benchmark of issue 17 (.ci/bench-table, make bench and
// make bench-scale): it builds the programs, runs Almanac's commands beside their references in
// paired rounds and prints the table of medians in markdown.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := mainErr(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-table: "+err.Error())
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ error }

// config is the command line and environment.
type config struct {
	scale  bool
	sizes  []int // scale: the tenant sizes
	n      int   // table: ALMANAC_BENCH_APPOINTMENTS
	rounds int   // ALMANAC_BENCH_ROUNDS
	root   string
	repo   string
	only   map[string]bool // --only: the rows to measure; empty is all
}

// rowNames are the table's rows as --only names them.
var rowNames = []string{"csv", "json", "xlsx", "full-sync", "incremental-sync", "demo", "reports"}

func parseConfig(args []string) (config, error) {
	fs := flag.NewFlagSet("bench-table", flag.ContinueOnError)
	c := config{}
	fs.BoolVar(&c.scale, "scale", false, "cost per row at each of ALMANAC_BENCH_SIZES (default 100000,1000000,10000000) instead of the table")
	fs.StringVar(&c.root, "cache", filepath.Join(os.TempDir(), "almanac-bench"), "the folder of the cached tenants and the scratch files")
	fs.StringVar(&c.repo, "repo", ".", "the Almanac checkout to build")
	only := fs.String("only", "", "measure only these rows, comma-separated: "+strings.Join(rowNames, ","))
	if err := fs.Parse(args); err != nil {
		return c, usageError{err}
	}
	var err error
	if c.only, err = parseOnly(*only); err != nil {
		return c, err
	}
	if c.n, err = envInt("ALMANAC_BENCH_APPOINTMENTS", 1_000_000); err != nil {
		return c, err
	}
	defRounds := 3
	if c.scale {
		defRounds = 1
	}
	if c.rounds, err = envInt("ALMANAC_BENCH_ROUNDS", defRounds); err != nil {
		return c, err
	}
	sizes := os.Getenv("ALMANAC_BENCH_SIZES")
	if sizes == "" {
		sizes = "100000,1000000,10000000"
	}
	for _, s := range strings.Split(sizes, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 100 || v > 20_000_000 {
			return c, usageError{fmt.Errorf("ALMANAC_BENCH_SIZES=%q: use appointment counts from 100 to 20000000, comma-separated", sizes)}
		}
		c.sizes = append(c.sizes, v)
	}
	return c, nil
}

// parseOnly reads --only's comma-separated row names.
func parseOnly(v string) (map[string]bool, error) {
	only := map[string]bool{}
	for _, name := range strings.Split(v, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !slices.Contains(rowNames, name) {
			return nil, usageError{fmt.Errorf("--only %q: %q is not a row; use some of %s", v, name, strings.Join(rowNames, ","))}
		}
		only[name] = true
	}
	return only, nil
}

// wants says whether --only lets the row run.
func (c config) wants(name string) bool { return len(c.only) == 0 || c.only[name] }

func envInt(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n > 20_000_000 {
		return 0, usageError{fmt.Errorf("%s=%q: use a whole number from 1 to 20000000", name, v)}
	}
	return n, nil
}

func mainErr(ctx context.Context, args []string) error {
	c, err := parseConfig(args)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.root, 0o755); err != nil {
		return err
	}
	work, err := os.MkdirTemp(c.root, "work-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	b := &bench{cfg: c, work: work, bin: filepath.Join(work, "bin"), log: os.Stderr, load: loadAverage(), start: time.Now()}
	if err := b.build(ctx); err != nil {
		return err
	}
	if c.scale {
		err = b.scale(ctx, os.Stdout)
	} else {
		err = b.table(ctx, os.Stdout)
	}
	fmt.Fprintf(b.log, "bench-table: done in %s\n", time.Since(b.start).Round(time.Second))
	return err
}

// bench is one run of the harness.
type bench struct {
	cfg   config
	work  string // scratch, removed at the end
	bin   string // the built programs
	log   io.Writer
	load  string    // the load average when the run started
	start time.Time // when it started
}

// loadAverage is /proc/loadavg's three figures, or "" where there is none.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(raw)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return ""
}

// build compiles the three programs and the two test binaries that hold the references.
func (b *bench) build(ctx context.Context) error {
	steps := [][]string{
		{"go", "build", "-o", b.bin + "/almanac", "./cmd/almanac"},
		{"go", "build", "-o", b.bin + "/almanac-license", "./cmd/almanac-license"},
		{"go", "build", "-o", b.bin + "/tenantd", "./cmd/tenantd"},
		{"go", "test", "-c", "-o", b.bin + "/sync.test", "./data/sync"},
		{"go", "test", "-c", "-o", b.bin + "/reports.test", "./reports"},
	}
	fmt.Fprintf(b.log, "bench-table: building the programs and references into %s\n", b.bin)
	for _, s := range steps {
		cmd := execIn(ctx, b.cfg.repo, s)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v\n%s", strings.Join(s, " "), err, out)
		}
	}
	return nil
}

// header says when, where and how the figures were taken.
func (b *bench) header(w io.Writer, what string) {
	host, _ := os.Hostname()
	fmt.Fprintf(w, "%s, started %s UTC, %s (%s/%s, %d CPUs, Go %s), %d round(s) per contender, medians.\n\n",
		what, b.start.UTC().Format("2006-01-02 15:04"), host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), b.cfg.rounds)
	if b.load != "" {
		fmt.Fprintf(w, "Load average at the start %s, at the end %s: on a shared machine other work runs beside these figures.\n\n", b.load, loadAverage())
	}
}
