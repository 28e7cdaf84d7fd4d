package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Started without a graphical session, the app says so in one line and exits 1, instead of
// GLFW's panic and stack trace, and builds nothing in the home.
func TestNoDisplayOneLine(t *testing.T) {
	if !haveDisplay("windows", func(string) string { return "" }) {
		t.Fatal("Windows always has a display")
	}
	bin := filepath.Join(t.TempDir(), "almanac")
	if msg, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, msg)
	}
	home := t.TempDir()
	cmd := exec.Command(bin)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "ALMANAC_HOME="+home)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want exit status 1; stderr:\n%s", err, stderr.String())
	}
	got := stderr.String()
	if strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, "\n") {
		t.Errorf("stderr is not one line:\n%s", got)
	}
	for _, want := range []string{"no display found", "almanac help"} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr %q does not say %q", got, want)
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
	if left, _ := os.ReadDir(home); len(left) != 0 {
		t.Errorf("the home got %d entries, want none: nothing is built without a window", len(left))
	}
}
