package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
)

// damageFile overwrites the middle half of a store file with seeded random bytes.
func damageFile(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := len(b) / 4; i < 3*len(b)/4; i++ {
		b[i] = byte(rng.Uint32())
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// wantOneLine checks a failed command's stderr: exit code, one line, and every wanted phrase.
func wantOneLine(t *testing.T, what string, code int, stderr string, wantCode int, want ...string) {
	t.Helper()
	if code != wantCode {
		t.Errorf("%s: exit %d, want %d: %s", what, code, wantCode, stderr)
	}
	if strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("%s: error is not one line: %q", what, stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("%s: stderr %q does not say %q", what, stderr, w)
		}
	}
}

func TestDamagedStoreNamesTheWayOut(t *testing.T) {
	home := demoHome(t)
	path := filepath.Join(home, "tenants", "demo.db")
	damageFile(t, path)
	for _, args := range [][]string{{"tenant"}, {"export", "appointments", "--format", "csv", "--out", t.TempDir()}, {"check"}} {
		code, _, stderr := runCLI(t, append([]string{"--home", home}, args...)...)
		wantOneLine(t, args[0], code, lastLine(stderr), exitFailure, path, "damaged", "almanac repair")
	}
	code, stdout, stderr := runCLI(t, "--home", home, "repair", "--appointments", "500")
	if code != 0 {
		t.Fatalf("repair: exit %d: %s", code, stderr)
	}
	kept, _ := filepath.Glob(path + ".damaged-*")
	if len(kept) != 1 || !strings.Contains(stdout, kept[0]) {
		t.Fatalf("repair kept %v; stdout %s", kept, stdout)
	}
	if code, _, stderr := runCLI(t, "--home", home, "check"); code != 0 {
		t.Fatalf("check after repair: exit %d: %s", code, stderr)
	}
	if code, stdout, _ := runCLI(t, "--home", home, "repair"); code != 0 || !strings.Contains(stdout, "nothing to repair") {
		t.Errorf("repair of a sound store: exit %d: %s", code, stdout)
	}
}

// lastLine is the last line of stderr: the error, after any progress lines.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestDamagedSyncedStoreRepairsBySync(t *testing.T) {
	_, url := syncServer(t)
	home := t.TempDir()
	if code, _, stderr := runCLI(t, "--home", home, "sync", "--server", url, "--token", "s3cret"); code != 0 {
		t.Fatalf("sync: exit %d: %s", code, stderr)
	}
	path := filepath.Join(home, "tenants", "maple.db")
	damageFile(t, path)
	for _, args := range [][]string{{"sync"}, {"sync", "--full"}} {
		code, _, stderr := runCLI(t, append([]string{"--home", home}, args...)...)
		wantOneLine(t, strings.Join(args, " "), code, lastLine(stderr), exitFailure, path, "damaged", "almanac repair")
		if strings.Contains(stderr, "run the sync again") {
			t.Errorf("%v on a damaged store advises a rerun, which cannot help: %s", args, stderr)
		}
	}
	code, stdout, stderr := runCLI(t, "--home", home, "repair")
	if code != 0 || !strings.Contains(stdout, "Synced Maple Street Wellness") {
		t.Fatalf("repair: exit %d: %s %s", code, stdout, stderr)
	}
	if code, out, _ := runCLI(t, "--home", home, "tenant", "--json"); code != 0 || !strings.Contains(out, `"appointments": 1500`) {
		t.Fatalf("tenant after repair: exit %d: %s", code, out)
	}
}

func TestEmptyStoreAndMissingTenantRow(t *testing.T) {
	home := demoHome(t)
	path := filepath.Join(home, "tenants", "demo.db")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec("DELETE FROM tenant")
		return err
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "--home", home, "report", "dashboard")
	wantOneLine(t, "no tenant row", code, stderr, exitFailure, path, "holds no tenant", "almanac repair")
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "--home", home, "tenant")
	wantOneLine(t, "empty store", code, stderr, exitFailure, path, "empty", "almanac repair")
	if code, _, stderr := runCLI(t, "--home", home, "repair", "--appointments", "500"); code != 0 {
		t.Fatalf("repair of an empty store: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "--home", home, "check"); code != 0 {
		t.Fatalf("check after repair: exit %d: %s", code, stderr)
	}
}

func TestSecondWriterIsToldWhoHoldsTheStore(t *testing.T) {
	_, url := syncServer(t)
	home := demoHome(t)
	h := data.Home{Dir: home}
	lock, err := h.LockStore("maple", "almanac sync --full")
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "--home", home, "sync", "--server", url, "--token", "s3cret")
	wantOneLine(t, "sync beside a sync", code, lastLine(stderr), exitFailure,
		fmt.Sprintf("process %d (almanac sync --full", os.Getpid()), "wait for it to finish")
	if strings.Contains(stderr, "run the sync again") {
		t.Errorf("busy store: rerun advice %q", stderr)
	}
	lock.Unlock()
	lock, err = h.LockStore(data.DemoTenantID, "almanac sync")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	code, _, stderr = runCLI(t, "--home", home, "demo", "--appointments", "300")
	wantOneLine(t, "demo beside a sync", code, lastLine(stderr), exitFailure, "demo.db is being written by process", "almanac sync")
}
