package main

import (
	"context"
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

// soakBinaries builds almanac (and tenantd when present) once per test run.
func soakBinaries(t *testing.T) (almanac, tenantd string) {
	t.Helper()
	dir := t.TempDir()
	almanac = filepath.Join(dir, "almanac")
	if out, err := exec.Command("go", "build", "-o", almanac, ".").CombinedOutput(); err != nil {
		t.Fatalf("build almanac: %v\n%s", err, out)
	}
	if _, err := os.Stat("../tenantd"); err == nil {
		tenantd = filepath.Join(dir, "tenantd")
		if out, err := exec.Command("go", "build", "-o", tenantd, "../tenantd").CombinedOutput(); err != nil {
			t.Fatalf("build tenantd: %v\n%s", err, out)
		}
	}
	return almanac, tenantd
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

// verifyHome opens the active store (if any) and checks its health.
func verifyHome(t *testing.T, home string) {
	t.Helper()
	st, err := data.Home{Dir: home}.OpenActive(context.Background())
	if err == data.ErrNoTenant {
		return
	}
	if err != nil {
		t.Fatalf("open after kill: %v", err)
	}
	defer st.Close()
	if err := st.Verify(context.Background()); err != nil {
		t.Fatalf("store after kill: %v", err)
	}
}

func fingerprint(t *testing.T, home string) map[string]string {
	t.Helper()
	st, err := data.Home{Dir: home}.OpenActive(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fp, err := st.Fingerprint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: skipped with -short")
	}
	almanac, _ := soakBinaries(t)
	rng := rand.New(rand.NewPCG(*soakSeed, 7))
	kills := soakDemo(t, almanac, rng)
	t.Logf("soak: %d kills survived (demo)", kills)
	fmt.Fprintf(os.Stderr, "soak: %d kills survived\n", kills)
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
	home := t.TempDir()
	if out, err := exec.Command(almanac, args(home, 1)...).CombinedOutput(); err != nil {
		t.Fatalf("first demo: %v\n%s", err, out)
	}
	first := fingerprint(t, home)
	kills := 0
	for range *soakKills {
		d := time.Duration(rng.Int64N(int64(full)))
		if killAt(t, exec.Command(almanac, args(home, 2)...), d) {
			kills++
			verifyHome(t, home)
			if got := fingerprint(t, home); !reflect.DeepEqual(got, first) {
				t.Fatalf("a killed demo build changed the active store")
			}
		}
	}
	if out, err := exec.Command(almanac, args(home, 2)...).CombinedOutput(); err != nil {
		t.Fatalf("demo after kills: %v\n%s", err, out)
	}
	verifyHome(t, home)
	if got, want := fingerprint(t, home), fingerprint(t, ref); !reflect.DeepEqual(got, want) {
		t.Fatalf("demo after kills differs from an uninterrupted build:\n%v\n%v", got, want)
	}
	return kills
}
