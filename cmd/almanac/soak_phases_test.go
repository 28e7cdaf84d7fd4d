package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

const soakToken = "soak-token"

// startTenantd runs the reference server on a free loopback port and returns its URL.
func startTenantd(t *testing.T, bin string, extra ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	args := append([]string{"--addr", addr, "--token", soakToken, "--appointments", fmt.Sprint(*soakN / 2),
		"--seed", "11", "--today", "2026-11-23"}, extra...)
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := "http://" + addr
	for range 600 {
		resp, err := http.Get(url + "/v1/tenant")
		if err == nil {
			resp.Body.Close()
			return url
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("tenantd did not start in 60 s")
	return ""
}

func syncArgs(home, url string) []string {
	return []string{"--home", home, "sync", "--server", url, "--token", soakToken}
}

// soakSync kills `almanac sync` at random moments; every store left behind must be healthy,
// and the sync after the kills must end identical to one clean sync.
func soakSync(t *testing.T, b soakBins, rng *rand.Rand) int {
	url := startTenantd(t, b.tenantd)
	ref := t.TempDir()
	start := time.Now()
	if out, err := exec.Command(b.almanac, syncArgs(ref, url)...).CombinedOutput(); err != nil {
		t.Fatalf("reference sync: %v\n%s", err, out)
	}
	full := time.Since(start)
	want := checkHome(t, b.almanac, ref)
	home := t.TempDir()
	kills := 0
	for i := range *soakKills {
		// A resumed sync is short, so every other run starts over with --full (itself a
		// transaction that empties the store, then a bulk reload) to give the kill real work.
		args := syncArgs(home, url)
		if i%2 == 1 {
			args = append(args, "--full")
		}
		if killAt(t, exec.Command(b.almanac, args...), time.Duration(rng.Int64N(int64(full)))) {
			kills++
			checkHome(t, b.almanac, home)
		}
	}
	if out, err := exec.Command(b.almanac, syncArgs(home, url)...).CombinedOutput(); err != nil {
		t.Fatalf("sync after kills: %v\n%s", err, out)
	}
	if got := checkHome(t, b.almanac, home); !reflect.DeepEqual(got, want) {
		t.Fatalf("sync after %d kills differs from a clean sync:\n%v\n%v", kills, got, want)
	}
	return kills
}

// soakFaults syncs through a failing, slow, truncating server and expects exactly its rows.
func soakFaults(t *testing.T, b soakBins) string {
	const faults = "--fail-rate 0.3 --latency 200ms --truncate-rate 0.1"
	clean := startTenantd(t, b.tenantd)
	ref := t.TempDir()
	if out, err := exec.Command(b.almanac, syncArgs(ref, clean)...).CombinedOutput(); err != nil {
		t.Fatalf("reference sync: %v\n%s", err, out)
	}
	url := startTenantd(t, b.tenantd, strings.Fields(faults)...)
	home := t.TempDir()
	start := time.Now()
	if out, err := exec.Command(b.almanac, syncArgs(home, url)...).CombinedOutput(); err != nil {
		t.Fatalf("sync under faults (%s): %v\n%s", faults, err, out)
	}
	if got, want := checkHome(t, b.almanac, home), checkHome(t, b.almanac, ref); !reflect.DeepEqual(got, want) {
		t.Fatalf("sync under faults differs from a clean sync:\n%v\n%v", got, want)
	}
	return fmt.Sprintf("sync under %s completed with the server's exact rows in %.1fs", faults, time.Since(start).Seconds())
}

// soakExport kills exports at random moments: a finished file must be complete, and no partial
// file may survive the next export.
func soakExport(t *testing.T, b soakBins, rng *rand.Rand) int {
	home := t.TempDir()
	if out, err := exec.Command(b.almanac, "--home", home, "demo", "--appointments", fmt.Sprint(*soakN), "--today", "2026-11-23").CombinedOutput(); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	lic, err := exec.Command(b.license, "sign", "--dev", "--tenant", "demo", "--plan", "ENTERPRISE", "--expires", "2099-12-31").Output()
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	act := exec.Command(b.almanac, "--home", home, "license", "activate", "-")
	act.Stdin = strings.NewReader(string(lic))
	if out, err := act.CombinedOutput(); err != nil {
		t.Fatalf("activate: %v\n%s", err, out)
	}
	out := t.TempDir()
	exportArgs := func(format string) []string {
		return []string{"--home", home, "export", "appointments", "--format", format, "--out", out, "--json"}
	}
	rows := map[string]int64{}
	durations := map[string]time.Duration{}
	for _, f := range []string{"csv", "json", "xlsx"} {
		start := time.Now()
		res, err := exec.Command(b.almanac, exportArgs(f)...).Output()
		if err != nil {
			t.Fatalf("export %s: %v", f, err)
		}
		durations[f] = time.Since(start)
		var r struct{ Rows int64 }
		json.Unmarshal(res, &r)
		rows[f] = r.Rows
	}
	kills := 0
	formats := []string{"csv", "json", "xlsx"}
	for range *soakKills {
		f := formats[rng.IntN(len(formats))]
		if killAt(t, exec.Command(b.almanac, exportArgs(f)...), time.Duration(rng.Int64N(int64(durations[f])))) {
			kills++
		}
		checkExports(t, out, rows)
	}
	if _, err := exec.Command(b.almanac, exportArgs("csv")...).Output(); err != nil {
		t.Fatalf("export after kills: %v", err)
	}
	if parts, _ := filepath.Glob(filepath.Join(out, ".*.part")); len(parts) != 0 {
		t.Fatalf("partial files survive the next export: %v", parts)
	}
	checkExports(t, out, rows)
	return kills
}

// checkExports opens every finished export in dir and checks it holds every row.
func checkExports(t *testing.T, dir string, rows map[string]int64) {
	t.Helper()
	files, _ := os.ReadDir(dir)
	for _, e := range files {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue // a killed export's temporary file; swept by the next export
		}
		path := filepath.Join(dir, name)
		var got int64
		var err error
		switch filepath.Ext(name) {
		case ".csv":
			got, err = csvRows(path)
		case ".json":
			got, err = jsonRows(path)
		case ".xlsx":
			got, err = xlsxRows(path)
		}
		if err != nil || got != rows[strings.TrimPrefix(filepath.Ext(name), ".")] {
			t.Fatalf("export %s is partial: %d rows (%v)", name, got, err)
		}
	}
}

func csvRows(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	var n int64
	for {
		if _, err := r.Read(); err == io.EOF {
			return n - 1, nil
		} else if err != nil {
			return n, err
		}
		n++
	}
}

func jsonRows(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var doc struct {
		Metadata struct{ Count int64 }
		Records  []json.RawMessage
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return 0, err
	}
	if doc.Metadata.Count != int64(len(doc.Records)) {
		return 0, fmt.Errorf("metadata count %d, %d records", doc.Metadata.Count, len(doc.Records))
	}
	return doc.Metadata.Count, nil
}

func xlsxRows(path string) (int64, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetList()[0])
	if err != nil {
		return 0, err
	}
	var n int64
	for rows.Next() {
		n++
	}
	return n - 1, rows.Close()
}
