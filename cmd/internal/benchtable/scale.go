package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// scaleLine is one tenant size's costs.
type scaleLine struct {
	n           int
	csv, xlsx   float64 // µs per exported row
	reports     []float64
	fullSync    float64 // µs per appointment
	incremental float64 // seconds
	failed      []string
}

// scale measures, at each size of ALMANAC_BENCH_SIZES, the exports' cost per row, each report's
// time and an incremental sync, and prints them with the dashboard's 10M/1M ratio.
func (b *bench) scale(ctx context.Context, w io.Writer) error {
	var lines []scaleLine
	for _, n := range b.cfg.sizes {
		l, err := b.scaleAt(ctx, n)
		if err != nil {
			return err
		}
		lines = append(lines, l)
	}
	b.header(w, "Cost per row by tenant size (make bench-scale)")
	writeScale(w, lines)
	var failed []string
	for _, l := range lines {
		failed = append(failed, l.failed...)
	}
	if len(failed) > 0 {
		return errors.New("some runs failed: " + strings.Join(failed, "; "))
	}
	return nil
}

func (b *bench) scaleAt(ctx context.Context, n int) (scaleLine, error) {
	l := scaleLine{n: n}
	t, err := b.cachedTenant(ctx, n)
	if err != nil {
		return l, err
	}
	fail := func(what string, err error) {
		l.failed = append(l.failed, fmt.Sprintf("%d %s: %v", n, what, err))
		fmt.Fprintf(b.log, "bench-table: %d appointments: %s failed: %v\n", n, what, err)
	}
	perRow := func(format string) float64 {
		var s sample
		var rows int64
		for range b.cfg.rounds {
			u, r, err := b.export(ctx, t, format, filepath.Join(b.work, "scale."+format))
			s.add(u, err)
			rows = r
		}
		if !s.ok() || rows == 0 {
			fail(format+" export", s.err)
			return 0
		}
		fmt.Fprintf(b.log, "bench-table: %d appointments: %s export %s for %d rows\n", n, format, brief(s), rows)
		return float64(s.median().wall.Microseconds()) / float64(rows)
	}
	l.csv, l.xlsx = perRow("csv"), perRow("xlsx")
	for _, rep := range reportsOf(t, time.Now()) {
		a := func() (usage, error) {
			u, _, err := run(ctx, job{name: "almanac report " + rep.name, args: append([]string{b.bin + "/almanac", "--home", t.home, "report", rep.name}, rep.args...)})
			return u, err
		}
		_, _ = a()
		s, _ := paired(b.cfg.rounds, b.log, fmt.Sprintf("%d report %s", n, rep.name), a, nil)
		if !s.ok() {
			fail("report "+rep.name, s.err)
		}
		l.reports = append(l.reports, float64(s.median().wall.Microseconds())/1000)
	}
	full, s, err := b.incremental(ctx, n, b.cfg.rounds)
	if err != nil || !s.ok() {
		fail("incremental sync", errors.Join(err, s.err))
	} else {
		l.fullSync = float64(full.wall.Microseconds()) / float64(n)
		l.incremental = s.median().wall.Seconds()
	}
	return l, nil
}

func writeScale(w io.Writer, lines []scaleLine) {
	names := []string{"dashboard", "appointments", "revenue", "customers", "resources"}
	head := "| appointments | CSV export µs/row | XLSX export µs/row"
	for _, n := range names {
		head += " | report " + n + " ms"
	}
	fmt.Fprintln(w, head+" | full sync µs/appointment | incremental sync after 1% |")
	fmt.Fprintln(w, "|"+strings.Repeat(" --- |", 5+len(names)))
	num := func(v float64, format string) string {
		if v <= 0 {
			return "failed"
		}
		return fmt.Sprintf(format, v)
	}
	dash := map[int]float64{}
	for _, l := range lines {
		c := []string{fmt.Sprintf("%d", l.n), num(l.csv, "%.2f"), num(l.xlsx, "%.2f")}
		for i := range names {
			v := 0.0
			if i < len(l.reports) {
				v = l.reports[i]
			}
			c = append(c, num(v, "%.0f"))
		}
		if len(l.reports) > 0 {
			dash[l.n] = l.reports[0]
		}
		c = append(c, num(l.fullSync, "%.1f"), num(l.incremental, "%.2f s"))
		fmt.Fprintln(w, "| "+strings.Join(c, " | ")+" |")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Reports are whole commands (process start included); exports divide the whole command's wall time by the rows written.")
	if d10, d1 := dash[10_000_000], dash[1_000_000]; d10 > 0 && d1 > 0 {
		fmt.Fprintf(w, "Dashboard at 10M over 1M: %.2fx (goal: within 2x).\n", d10/d1)
	}
}
