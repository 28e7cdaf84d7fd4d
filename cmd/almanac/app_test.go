package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runWithoutDisplay runs bin with no DISPLAY or WAYLAND_DISPLAY but extra, in a fresh home.
func runWithoutDisplay(t *testing.T, bin string, extra ...string) (code int, stdout, stderr, home string) {
	t.Helper()
	home = t.TempDir()
	cmd := exec.Command(bin)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, append(extra, "ALMANAC_HOME="+home)...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("run: %v, want an exit status; stderr:\n%s", err, errb.String())
	}
	return ee.ExitCode(), out.String(), errb.String(), home
}

// Started without a graphical session, the app says so in one line and exits 1, instead of
// GLFW's panic and stack trace, and builds nothing in the home. A DISPLAY that names no
// server ends the same way, after Fyne's own log lines.
func TestNoDisplayOneLine(t *testing.T) {
	if !haveDisplay("windows", func(string) string { return "" }) {
		t.Fatal("Windows always has a display")
	}
	bin := filepath.Join(t.TempDir(), "almanac")
	if msg, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, msg)
	}
	t.Run("unset", func(t *testing.T) {
		code, stdout, stderr, home := runWithoutDisplay(t, bin)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
			t.Errorf("stderr is not one line:\n%s", stderr)
		}
		for _, want := range []string{"no display found", "almanac help"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr %q does not say %q", stderr, want)
			}
		}
		if stdout != "" {
			t.Errorf("stdout %q, want nothing", stdout)
		}
		if left, _ := os.ReadDir(home); len(left) != 0 {
			t.Errorf("the home got %d entries, want none: nothing is built without a window", len(left))
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		code, _, stderr, _ := runWithoutDisplay(t, bin, "DISPLAY=:987")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if last := lines[len(lines)-1]; !strings.HasPrefix(last, `almanac: cannot open a window on display ":987"`) {
			t.Errorf("last line %q does not name the display", last)
		}
		if strings.Contains(stderr, "goroutine ") {
			t.Errorf("a stack trace:\n%s", stderr)
		}
	})
}
