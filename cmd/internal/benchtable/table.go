package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// row is one line of issue 17's table.
type row struct {
	work      string
	almanac   sample
	refName   string  // "—" when the work has no reference
	ref       sample  // empty when refName is "—"
	refWall   float64 // seconds the ratio divides by when not the reference's own wall (the sync floor's insert phase); 0: ref's wall
	note      string  // added to the ratio cell (throughput, a goal)
	ratioNote string  // what refWall is, when set
}

func seconds(d time.Duration) string {
	s := d.Seconds()
	switch {
	case s < 0.1:
		return fmt.Sprintf("%.3f s", s)
	case s < 10:
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.1f s", s)
}

func megabytes(b int64) string { return fmt.Sprintf("%d MB", (b+(1<<19))>>20) }

// ratio formats a/b as "2.0x"; b of zero gives "—".
func ratio(a, b float64) string {
	if b <= 0 || a <= 0 {
		return "—"
	}
	r := a / b
	if r < 0.095 {
		return fmt.Sprintf("%.3fx", r)
	}
	return fmt.Sprintf("%.2fx", r)
}

// cells is a sample's wall, CPU and peak RSS cells, or its failure across them.
func cells(s sample) []string {
	if s.err != nil {
		return []string{"failed: " + strings.ReplaceAll(oneLine(s.err.Error()), "|", "/"), "", ""}
	}
	if len(s.runs) == 0 {
		return []string{"—", "—", "—"}
	}
	m := s.median()
	return []string{seconds(m.wall), seconds(m.cpu), megabytes(m.rss)}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// ratios is the ratio cell: Almanac over the reference in wall, CPU and RSS.
func (r row) ratios() string {
	var parts []string
	if r.almanac.ok() && (r.ref.ok() || r.refWall > 0) {
		a := r.almanac.median()
		if r.refWall > 0 {
			parts = append(parts, ratio(a.wall.Seconds(), r.refWall)+" wall ("+r.ratioNote+")")
		} else {
			m := r.ref.median()
			parts = append(parts, ratio(a.wall.Seconds(), m.wall.Seconds())+" wall",
				ratio(a.cpu.Seconds(), m.cpu.Seconds())+" CPU", ratio(float64(a.rss), float64(m.rss))+" RSS")
		}
	}
	if r.note != "" {
		parts = append(parts, r.note)
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}

// writeTable prints rows as a markdown table, medians of each sample's runs.
func writeTable(w io.Writer, rows []row) {
	fmt.Fprintln(w, "| work | Almanac wall | CPU | peak RSS | reference | wall | CPU | peak RSS | ratio (Almanac / reference) |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range rows {
		c := []string{r.work}
		c = append(c, cells(r.almanac)...)
		c = append(c, r.refName)
		if r.refName == "—" {
			c = append(c, "—", "—", "—")
		} else {
			c = append(c, cells(r.ref)...)
		}
		c = append(c, r.ratios())
		fmt.Fprintln(w, "| "+strings.Join(c, " | ")+" |")
	}
}
