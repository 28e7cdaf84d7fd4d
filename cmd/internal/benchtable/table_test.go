package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMedianTakesEachFigureOnItsOwn(t *testing.T) {
	s := sample{runs: []usage{
		{wall: 3 * time.Second, cpu: 1 * time.Second, rss: 30 << 20},
		{wall: 1 * time.Second, cpu: 5 * time.Second, rss: 10 << 20},
		{wall: 2 * time.Second, cpu: 2 * time.Second, rss: 90 << 20},
	}}
	if m := s.median(); m.wall != 2*time.Second || m.cpu != 2*time.Second || m.rss != 30<<20 {
		t.Errorf("median = %+v", m)
	}
	s.runs = s.runs[:2] // even: the lower middle
	if m := s.median(); m.wall != time.Second || m.cpu != time.Second || m.rss != 10<<20 {
		t.Errorf("median of two = %+v", m)
	}
}

func TestPairedAlternatesTheFirstOfEachPair(t *testing.T) {
	var order []string
	a := func() (usage, error) { order = append(order, "a"); return usage{wall: time.Second}, nil }
	r := func() (usage, error) { order = append(order, "r"); return usage{wall: 2 * time.Second}, nil }
	sa, sr := paired(4, &strings.Builder{}, "x", a, r)
	if got := strings.Join(order, ""); got != "arraarra" {
		t.Errorf("order = %s, want arraarra", got)
	}
	if len(sa.runs) != 4 || len(sr.runs) != 4 || sa.runs[0].wall != time.Second || sr.runs[0].wall != 2*time.Second {
		t.Errorf("samples crossed: %+v / %+v", sa.runs, sr.runs)
	}
	order = nil
	sa, sr = paired(2, &strings.Builder{}, "x", a, nil)
	if strings.Join(order, "") != "aa" || len(sa.runs) != 2 || len(sr.runs) != 0 {
		t.Errorf("without a reference: order %v, %d and %d runs", order, len(sa.runs), len(sr.runs))
	}
}

func TestWriteTable(t *testing.T) {
	var w strings.Builder
	writeTable(&w, []row{
		{work: "CSV", almanac: sample{runs: []usage{{wall: 2 * time.Second, cpu: 3 * time.Second, rss: 48 << 20}}},
			refName: "sqlite3", ref: sample{runs: []usage{{wall: time.Second, cpu: time.Second, rss: 12 << 20}}}},
		{work: "sync", almanac: sample{runs: []usage{{wall: 20 * time.Second, cpu: 25 * time.Second, rss: 370 << 20}}},
			refName: "floor", ref: sample{runs: []usage{{wall: 9 * time.Second}}}, refWall: 4, ratioNote: "inserts", note: "50000 appointments/s"},
		{work: "demo", almanac: sample{err: errors.New("almanac demo: exit status 1:\nno | disk")}, refName: "—"},
	})
	want := []string{
		"| CSV | 2.00 s | 3.00 s | 48 MB | sqlite3 | 1.00 s | 1.00 s | 12 MB | 2.00x wall, 3.00x CPU, 4.00x RSS |",
		"| sync | 20.0 s | 25.0 s | 370 MB | floor | 9.00 s | 0.000 s | 0 MB | 5.00x wall (inserts), 50000 appointments/s |",
		"| demo | failed: almanac demo: exit status 1: no / disk |  |  | — | — | — | — | — |",
	}
	lines := strings.Split(strings.TrimSpace(w.String()), "\n")
	if len(lines) != 2+len(want) {
		t.Fatalf("got %d lines:\n%s", len(lines), w.String())
	}
	for i, l := range want {
		if lines[2+i] != l {
			t.Errorf("line %d:\n got %s\nwant %s", i, lines[2+i], l)
		}
	}
}

func TestWriteScaleGivesTheDashboardRatio(t *testing.T) {
	var w strings.Builder
	writeScale(&w, []scaleLine{
		{n: 1_000_000, csv: 2, xlsx: 13, reports: []float64{130, 90, 40, 60, 50}, fullSync: 21, incremental: 1.3},
		{n: 10_000_000, csv: 2.1, reports: []float64{195, 91, 41, 61, 51}, fullSync: 22, incremental: 9},
	})
	out := w.String()
	for _, s := range []string{"| 1000000 | 2.00 | 13.00 | 130 | 90 | 40 | 60 | 50 | 21.0 | 1.30 s |",
		"| 10000000 | 2.10 | failed | 195 |", "Dashboard at 10M over 1M: 1.50x (goal: within 2x)."} {
		if !strings.Contains(out, s) {
			t.Errorf("missing %q in\n%s", s, out)
		}
	}
}

func TestEnoughDisk(t *testing.T) {
	if err := enoughDisk("/tmp/x", 10_000_000, 20<<30); err != nil {
		t.Errorf("20 GB for 10M: %v", err)
	}
	err := enoughDisk("/tmp/x", 10_000_000, 5<<30)
	if err == nil || !strings.Contains(err.Error(), "needs about 15 GB free under /tmp/x, which has 5.0 GB") {
		t.Errorf("5 GB for 10M: %v", err)
	}
}
