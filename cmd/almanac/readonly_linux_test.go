package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadOnlyHelper is not a test: readOnlyRunner re-runs the test binary as an unprivileged
// user with ALMANAC_TEST_ARGS set, and this then runs the command line and exits with its code.
func TestReadOnlyHelper(t *testing.T) {
	raw := os.Getenv("ALMANAC_TEST_ARGS")
	if raw == "" {
		t.Skip("only runs as the helper process of TestReadOnlyHome")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		t.Fatal(err)
	}
	os.Exit(run(context.Background(), args, strings.NewReader(""), os.Stdout, os.Stderr))
}

// readOnlyRunner returns a function running the CLI where the home really cannot be written:
// as root (who ignores file modes) it re-runs this test binary as user nobody; otherwise the
// modes alone stop writes and the CLI runs in-process.
func readOnlyRunner(t *testing.T, base string) func(args ...string) (int, string, string) {
	if os.Geteuid() != 0 {
		return func(args ...string) (int, string, string) { return runCLI(t, args...) }
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(base, "almanac.test")
	copyFile(t, self, bin, 0o755)
	return func(args ...string) (int, string, string) {
		a, _ := json.Marshal(args)
		cmd := exec.Command(bin, "-test.run=^TestReadOnlyHelper$")
		cmd.Env = append(os.Environ(), "ALMANAC_TEST_ARGS="+string(a), "HOME="+base)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, out.String(), errb.String()
	}
}

func copyFile(t *testing.T, from, to string, perm os.FileMode) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// chmodTree sets every folder under root to dirMode and every file to fileMode.
func chmodTree(t *testing.T, root string, dirMode, fileMode os.FileMode) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(p, dirMode)
		}
		return os.Chmod(p, fileMode)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadOnlyHome(t *testing.T) {
	base := t.TempDir()
	for _, d := range []string{base, filepath.Dir(base)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	home := filepath.Join(base, "home")
	if code, _, stderr := runCLI(t, "--home", home, "demo", "--appointments", "2000", "--today", "2026-11-23"); code != 0 {
		t.Fatalf("demo: %s", stderr)
	}
	// Opened once for writing, the store is in WAL mode: the case that failed with
	// "attempt to write a readonly database (1544)".
	if code, _, stderr := runCLI(t, "--home", home, "check"); code != 0 {
		t.Fatalf("check: %s", stderr)
	}
	out := filepath.Join(base, "out")
	if err := os.Mkdir(out, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(out, 0o777) //nolint:errcheck // umask may have narrowed it
	chmodTree(t, home, 0o555, 0o444)
	t.Cleanup(func() { chmodTree(t, home, 0o755, 0o644) })
	cli := readOnlyRunner(t, base)
	for _, args := range [][]string{
		{"tenant"}, {"tenant", "--json"}, {"check"}, {"report", "dashboard"}, {"license", "show"},
		{"export", "appointments", "--format", "csv", "--out", filepath.Join(out, "a.csv")},
	} {
		code, stdout, stderr := cli(append([]string{"--home", home}, args...)...)
		if code != 0 || stdout == "" {
			t.Errorf("%v on a read-only home: exit %d: %s", args, code, stderr)
		}
	}
	if fi, err := os.Stat(filepath.Join(out, "a.csv")); err != nil || fi.Size() == 0 {
		t.Errorf("export to a writable folder: %v", err)
	}
	for _, args := range [][]string{
		{"demo", "--appointments", "100"}, {"sync", "--server", "http://127.0.0.1:1", "--token", "x"}, {"repair"},
	} {
		code, _, stderr := cli(append([]string{"--home", home}, args...)...)
		wantOneLine(t, args[0], code, lastLine(stderr), exitFailure, "home "+home+" is read-only")
	}
	if left, _ := filepath.Glob(filepath.Join(home, "tenants", "*")); len(left) != 2 { // demo.db, demo.lock
		t.Errorf("the read-only home changed: %v", left)
	}
}
