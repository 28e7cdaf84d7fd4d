package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/almanac-app/almanac/data"
)

// table measures issue 17's rows on a tenant of ALMANAC_BENCH_APPOINTMENTS and prints them.
func (b *bench) table(ctx context.Context, w io.Writer) error {
	n := b.cfg.n
	t, err := b.cachedTenant(ctx, n)
	if err != nil {
		return err
	}
	var rows []row
	add := func(r row) { rows = append(rows, r) }
	measures := []func(context.Context, tenant) (row, error){b.csvRow, b.jsonRow, b.xlsxRow, b.fullSyncRow, b.incrementalSyncRow, b.demoRow}
	for i, f := range measures {
		if !b.cfg.wants(rowNames[i]) {
			continue
		}
		r, err := f(ctx, t)
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			return err
		}
		add(r)
	}
	for _, rep := range reportsOf(t, time.Now()) {
		if b.cfg.wants("reports") {
			add(b.reportRow(ctx, t, rep))
		}
	}
	if err := ctx.Err(); err != nil {
		return err // interrupted: the rows measured so far are in the log
	}
	b.header(w, fmt.Sprintf("Issue 17's table at %d appointments", n))
	writeTable(w, rows)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Whole processes; wall from start to exit, CPU (user + system) and peak RSS from the kernel's rusage of each process. Each round runs Almanac and its reference back to back, the first of the pair alternating.")
	for _, r := range rows {
		if r.almanac.err != nil || r.ref.err != nil {
			return fmt.Errorf("%s: a run failed (see the table)", r.work)
		}
	}
	return nil
}

// exportJob is `almanac export appointments` to out.
func (b *bench) exportJob(t tenant, format, out string) job {
	return job{name: "almanac export " + format, args: []string{b.bin + "/almanac", "--home", t.home, "export", "appointments",
		"--format", format, "--out", out, "--overwrite", "--json"}}
}

// export runs one export and checks that it wrote every row it says.
func (b *bench) export(ctx context.Context, t tenant, format, out string) (usage, int64, error) {
	u, stdout, err := run(ctx, b.exportJob(t, format, out))
	if err != nil {
		return u, 0, err
	}
	rows, err := parseExportRows(stdout)
	if err == nil && rows == 0 {
		err = fmt.Errorf("export %s: no rows", format)
	}
	os.Remove(out)
	return u, rows, err
}

func (b *bench) csvRow(ctx context.Context, t tenant) (row, error) {
	return b.textExportRow(ctx, t, "csv", "CSV", []string{"sqlite3", "-readonly"}, ".headers on\n.mode csv\n",
		"sqlite3 CLI `select * from appointments` to CSV")
}

// jsonRow is the JSON export beside `sqlite3 -json` over the same rows.
func (b *bench) jsonRow(ctx context.Context, t tenant) (row, error) {
	return b.textExportRow(ctx, t, "json", "JSON", []string{"sqlite3", "-readonly", "-json"}, "",
		"sqlite3 CLI `-json` `select * from appointments`")
}

// textExportRow measures `almanac export appointments --format format` beside the sqlite3 CLI
// (args, then the store) writing `select * from appointments` to a file after the dot-commands mode.
func (b *bench) textExportRow(ctx context.Context, t tenant, format, title string, args []string, mode, refName string) (row, error) {
	out := filepath.Join(b.work, "almanac."+format)
	ref := filepath.Join(b.work, "sqlite3."+format)
	var rows int64
	a := func() (usage, error) {
		u, n, err := b.export(ctx, t, format, out)
		rows = n
		return u, err
	}
	r := func() (usage, error) {
		u, _, err := run(ctx, job{name: "sqlite3 " + format, args: append(slices.Clone(args), t.store),
			stdin: mode + ".output " + ref + "\nselect * from appointments;\n"})
		os.Remove(ref)
		return u, err
	}
	_, _ = a() // warm the page cache for both
	sa, sr := paired(b.cfg.rounds, b.log, title+" export", a, r)
	return row{work: fmt.Sprintf("%s export of appointments (%d rows)", title, rows), almanac: sa, refName: refName, ref: sr}, nil
}

func (b *bench) xlsxRow(ctx context.Context, t tenant) (row, error) {
	out := filepath.Join(b.work, "almanac.xlsx")
	ref := filepath.Join(b.work, "bare.xlsx")
	a := func() (usage, error) { u, _, err := b.export(ctx, t, "xlsx", out); return u, err }
	r := func() (usage, error) {
		u, _, err := run(ctx, job{name: "bare excelize", args: []string{b.bin + "/reports.test", "-test.run=^$",
			"-test.bench=^BenchmarkBareXLSXProcess$", "-test.benchtime=1x"},
			env: []string{"ALMANAC_BENCHREF_STORE=" + t.store, "ALMANAC_BENCHREF_OUT=" + ref}})
		if err == nil {
			if _, serr := os.Stat(ref); serr != nil {
				err = fmt.Errorf("bare excelize wrote no workbook: %v", serr)
			}
		}
		os.Remove(ref)
		return u, err
	}
	sa, sr := paired(b.cfg.rounds, b.log, "XLSX export", a, r)
	return row{work: "XLSX export of appointments", almanac: sa, refName: "bare excelize StreamWriter loop over the same rows", ref: sr}, nil
}

// syncHome is a fresh home with the license, for one sync.
func (b *bench) syncHome(ctx context.Context, name string) (string, error) {
	home := filepath.Join(b.work, name)
	if err := os.RemoveAll(home); err != nil {
		return "", err
	}
	if err := os.MkdirAll(home, 0o755); err != nil {
		return "", err
	}
	return home, b.activate(ctx, home, syncTenant)
}

func (b *bench) syncJob(home, url string) job {
	return job{name: "almanac sync", args: []string{b.bin + "/almanac", "--home", home, "sync", "--server", url, "--token", "-", "--json"}, stdin: syncToken + "\n"}
}

func (b *bench) fullSyncRow(ctx context.Context, t tenant) (row, error) {
	srv, err := b.tenantd(ctx, t.n)
	if err != nil {
		return row{}, err
	}
	defer srv.stop()
	var floors []float64
	a := func() (usage, error) {
		home, err := b.syncHome(ctx, "sync-full")
		if err != nil {
			return usage{}, err
		}
		defer os.RemoveAll(home)
		u, _, err := run(ctx, b.syncJob(home, srv.url))
		return u, err
	}
	r := func() (usage, error) {
		u, out, err := run(ctx, job{name: "bare-insert floor", args: []string{b.bin + "/sync.test", "-test.run=^$",
			"-test.bench=^BenchmarkSyncFloorProcess$", "-test.benchtime=1x"}, env: []string{"ALMANAC_SYNC_FLOOR_PROCESS=" + strconv.Itoa(t.n)}})
		if err != nil {
			return u, err
		}
		f, err := parseFloor(out)
		floors = append(floors, f.Seconds())
		return u, err
	}
	sa, sr := paired(b.cfg.rounds, b.log, "full sync", a, r)
	floor := medianFloat(floors)
	rw := row{work: "full sync from a loopback tenantd", almanac: sa, refName: fmt.Sprintf("bare-insert floor of BenchmarkSync (whole process: generate, then insert; the inserts alone %.2f s)", floor),
		ref: sr, refWall: floor, ratioNote: "over the inserts alone"}
	if sa.ok() {
		rw.note = fmt.Sprintf("%.0f appointments/s", float64(t.n)/sa.median().wall.Seconds())
	}
	return rw, nil
}

func (b *bench) incrementalSyncRow(ctx context.Context, t tenant) (row, error) {
	_, sa, err := b.incremental(ctx, t.n, b.cfg.rounds)
	if err != nil {
		return row{}, err
	}
	var sr sample
	var triggers, bare []float64
	for range b.cfg.rounds {
		u, f, err := b.incrementalFloor(ctx, t.n)
		sr.add(u, err)
		if err == nil {
			triggers, bare = append(triggers, f[0]), append(bare, f[1])
		}
	}
	fmt.Fprintf(b.log, "bench-table: incremental floor: %s\n", brief(sr))
	return row{work: "incremental sync after 1% changed",
		almanac: sa, refName: fmt.Sprintf("bare upsert loop applying the same changes (whole process: build the tenant twice, then apply; the apply alone %.2f s with the store's rollup triggers, %.2f s on bare indexed tables)",
			medianFloat(triggers), medianFloat(bare)),
		ref: sr, refWall: medianFloat(triggers), ratioNote: "over the apply with the rollup triggers", note: "goal < 1 s"}, nil
}

// incrementalFloor runs BenchmarkIncrementalFloorProcess once and returns its process's usage
// and its two floors in seconds: the apply on a store with its rollup triggers, and on bare tables.
func (b *bench) incrementalFloor(ctx context.Context, n int) (usage, [2]float64, error) {
	var f [2]float64
	u, out, err := run(ctx, job{name: "incremental floor", args: []string{b.bin + "/sync.test", "-test.run=^$",
		"-test.bench=^BenchmarkIncrementalFloorProcess$", "-test.benchtime=1x"}, env: []string{"ALMANAC_INCR_FLOOR_PROCESS=" + strconv.Itoa(n)}})
	if err != nil {
		return u, f, err
	}
	for i, key := range []string{"incr-floor-store-total-seconds", "incr-floor-bare-total-seconds"} {
		d, err := parseSeconds(out, key)
		if err != nil {
			return u, f, err
		}
		f[i] = d.Seconds()
	}
	return u, f, nil
}

// incremental syncs n appointments from BenchmarkSync's server process (full, the first sync),
// then measures rounds syncs each after 1% more of them changed.
func (b *bench) incremental(ctx context.Context, n, rounds int) (full usage, s sample, err error) {
	srv, err := b.mutatingServer(ctx, n)
	if err != nil {
		return full, s, err
	}
	defer srv.stop()
	home, err := b.syncHome(ctx, "sync-incremental")
	if err != nil {
		return full, s, err
	}
	defer os.RemoveAll(home)
	u, _, err := run(ctx, b.syncJob(home, srv.url))
	if err != nil {
		return full, s, err
	}
	full = u
	fmt.Fprintf(b.log, "bench-table: first (full) sync of the incremental series: %s\n", seconds(u.wall))
	for i := range rounds {
		if err := srv.mutate(ctx); err != nil {
			return full, s, err
		}
		u, _, err := run(ctx, b.syncJob(home, srv.url))
		s.add(u, err)
		fmt.Fprintf(b.log, "bench-table: incremental sync round %d/%d: %s\n", i+1, rounds, brief(s))
	}
	return full, s, nil
}

func (b *bench) demoRow(ctx context.Context, t tenant) (row, error) {
	a := func() (usage, error) {
		home := filepath.Join(b.work, "demo-build")
		defer os.RemoveAll(home)
		u, _, err := b.almanac(ctx, home, "demo", "--appointments", strconv.Itoa(t.n), "--seed", demoSeed, "--today", t.today.Format(data.DateLayout), "--timezone", demoZone)
		return u, err
	}
	sa, _ := paired(b.cfg.rounds, b.log, "demo build", a, nil)
	return row{work: "demo tenant build", almanac: sa, refName: "—", note: "goal < 10 s at 1M"}, nil
}

// reportRow is one report as a whole command beside its raw GROUP BY in the sqlite3 CLI.
func (b *bench) reportRow(ctx context.Context, t tenant, rep report) row {
	a := func() (usage, error) {
		u, _, err := run(ctx, job{name: "almanac report " + rep.name, args: append([]string{b.bin + "/almanac", "--home", t.home, "report", rep.name}, rep.args...)})
		return u, err
	}
	r := func() (usage, error) {
		u, _, err := run(ctx, job{name: "sqlite3 " + rep.name, args: []string{"sqlite3", "-readonly", t.store, rep.raw}})
		return u, err
	}
	_, _ = a()
	_, _ = r()
	sa, sr := paired(b.cfg.rounds, b.log, "report "+rep.name, a, r)
	return row{work: "report " + rep.name + " (whole command)", almanac: sa, refName: "raw GROUP BY in the sqlite3 CLI", ref: sr}
}

func medianFloat(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}
