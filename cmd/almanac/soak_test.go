package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
)

// The soak test runs the real binaries and SIGKILLs them at random moments. `make test` runs a
// short version; `make soak` passes -soak.kills for the long one.
var (
	soakKills = flag.Int("soak.kills", 3, "kills per phase (demo, sync, export)")
	soakSeed  = flag.Uint64("soak.seed", 1, "random seed for kill timing")
	soakN     = flag.Int("soak.appointments", 60_000, "appointments in the soak tenant")
)

// soakBins are the real binaries under test.
type soakBins struct{ almanac, tenantd, license string }

// soakBinaries builds almanac, tenantd and almanac-license once per test run.
func soakBinaries(t *testing.T) soakBins {
	t.Helper()
	dir := t.TempDir()
	b := soakBins{filepath.Join(dir, "almanac"), filepath.Join(dir, "tenantd"), filepath.Join(dir, "almanac-license")}
	for out, pkg := range map[string]string{b.almanac: ".", b.tenantd: "../tenantd", b.license: "../almanac-license"} {
		if msg, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", pkg, err, msg)
		}
	}
	return b
}

// killAt starts cmd, SIGKILLs it after d (if still running), and reports whether it was killed.
func killAt(t *testing.T, cmd *exec.Cmd, d time.Duration) bool {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return false
	case <-time.After(d):
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		return true
	}
}

// checkHome runs `almanac check --json` on home (the real binary, so the race detector does
// not slow the pure-Go SQLite down) and returns the fingerprint; it fails the test on a problem.
// A home without a tenant yet returns nil.
func checkHome(t *testing.T, almanac, home string) map[string]string {
	t.Helper()
	if _, err := (data.Home{Dir: home}).ActiveTenant(); err == data.ErrNoTenant {
		return nil
	}
	out, err := exec.Command(almanac, "--home", home, "check", "--json").Output()
	var c checkJSON
	if jerr := json.Unmarshal(out, &c); jerr != nil {
		t.Fatalf("check: %v, %v: %s", err, jerr, out)
	}
	if err != nil || !c.OK {
		t.Fatalf("store after kill: %s (%v)", c.Problem, err)
	}
	return c.Fingerprint
}

func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: skipped with -short")
	}
	bins := soakBinaries(t)
	rng := rand.New(rand.NewPCG(*soakSeed, 7))
	demo := soakDemo(t, bins.almanac, rng)
	sync := soakSync(t, bins, rng)
	faults := soakFaults(t, bins)
	export := soakExport(t, bins, rng)
	total := demo + sync + export
	t.Logf("soak: %d kills survived (demo %d, sync %d, export %d); %s", total, demo, sync, export, faults)
	fmt.Fprintf(os.Stderr, "soak: %d kills survived (demo %d, sync %d, export %d); %s\n", total, demo, sync, export, faults)
}

// soakDemo kills `almanac demo` while it builds, then checks the previous store is intact and
// that a full run ends identical to an uninterrupted one.
func soakDemo(t *testing.T, almanac string, rng *rand.Rand) int {
	args := func(home string, seed int) []string {
		return []string{"--home", home, "demo", "--appointments", fmt.Sprint(*soakN), "--seed", fmt.Sprint(seed), "--today", "2026-11-23"}
	}
	ref := t.TempDir()
	start := time.Now()
	if out, err := exec.Command(almanac, args(ref, 2)...).CombinedOutput(); err != nil {
		t.Fatalf("reference demo: %v\n%s", err, out)
	}
	full := time.Since(start)
	want := checkHome(t, almanac, ref)
	home := t.TempDir()
	if out, err := exec.Command(almanac, args(home, 1)...).CombinedOutput(); err != nil {
		t.Fatalf("first demo: %v\n%s", err, out)
	}
	first := checkHome(t, almanac, home)
	kills := 0
	for range *soakKills {
		d := time.Duration(rng.Int64N(int64(full)))
		if killAt(t, exec.Command(almanac, args(home, 2)...), d) {
			kills++
			// Killed before the rename: the previous store, untouched. After it: the new one,
			// complete. Never anything in between, and never no store at all.
			got := checkHome(t, almanac, home)
			if !reflect.DeepEqual(got, first) && !reflect.DeepEqual(got, want) {
				t.Fatalf("a demo build killed after %v left a store that is neither the old nor the new one: %v", d, got)
			}
		}
	}
	if out, err := exec.Command(almanac, args(home, 2)...).CombinedOutput(); err != nil {
		t.Fatalf("demo after kills: %v\n%s", err, out)
	}
	if got := checkHome(t, almanac, home); !reflect.DeepEqual(got, want) {
		t.Fatalf("demo after kills differs from an uninterrupted build:\n%v\n%v", got, want)
	}
	return kills
}
