//go:build windows

package autostart

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"unicode/utf16"
)

// TestMain lets the test binary stand in for the program a task starts: with
// AUTOSTART_PRINT_ARGS set it prints its arguments, one a line, and exits.
func TestMain(m *testing.M) {
	if os.Getenv("AUTOSTART_PRINT_ARGS") != "" {
		for _, a := range os.Args[1:] {
			fmt.Println(a)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestTaskArgumentsReachTheProgram starts a program the way Task Scheduler does, with the
// command line "Command" Arguments from the task XML, and checks the program's arguments are
// the ones planned (a home with spaces, &, %, <> and a trailing backslash).
func TestTaskArgumentsReachTheProgram(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range goldenCases {
		s := withArgs(c.win)
		s.Executable = exe
		p, err := PlanInstall(s, System{OS: "windows", User: windowsUser})
		if err != nil {
			t.Fatal(err)
		}
		doc := parseTask(t, p.Steps[0].Bytes())
		cmd := exec.Command(exe)
		cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: `"` + doc.Actions.Exec[0].Command + `" ` + doc.Actions.Exec[0].Arguments}
		cmd.Env = append(os.Environ(), "AUTOSTART_PRINT_ARGS=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := strings.Split(strings.TrimRight(strings.ReplaceAll(string(out), "\r\n", "\n"), "\n"), "\n")
		if !slices.Equal(got, s.Args) {
			t.Errorf("%s: the program got %q, want %q", c.name, got, s.Args)
		}
	}
}

// TestSchtasksUnderWine registers and removes a home's task with the real schtasks, through
// Inspect, PlanInstall, Apply and the ExecRunner. Only with AUTOSTART_WINE=1 (set by
// .ci/windows/test-autostart): wine's schtasks keeps a task as a file in system32\Tasks, which
// the test reads; on a real Windows it would register a task for the user.
func TestSchtasksUnderWine(t *testing.T) {
	if os.Getenv("AUTOSTART_WINE") == "" {
		t.Skip("set AUTOSTART_WINE=1 under wine to register a task with its schtasks")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	home := looseTempDir(t) + `\Almanac & Co 50%`
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	s := Spec{Executable: exe, Home: home, Args: []string{"--home", home, "jobs", "run", "--due"}}
	ctx, r := context.Background(), ExecRunner{}
	if _, err := Install(ctx, s, r); err != nil {
		t.Fatal(err)
	}
	if _, err := Install(ctx, s, r); err != nil { // again: /F replaces it
		t.Fatal(err)
	}
	stored := os.Getenv("WINDIR") + `\system32\Tasks\` + TaskName(s)
	b, err := os.ReadFile(stored)
	if err != nil {
		t.Fatalf("schtasks stored no task: %v", err)
	}
	// wine 8 reads the registration and settings (its triggers and actions are stubs)
	text := decodeStored(b)
	for _, want := range []string{`<URI>\` + TaskName(s) + `</URI>`, "<StartWhenAvailable>true<", "<MultipleInstancesPolicy>IgnoreNew<"} {
		if !strings.Contains(text, want) {
			t.Errorf("the stored task has no %s:\n%s", want, text)
		}
	}
	if _, err := os.Stat(taskFile(s)); err != nil {
		t.Errorf("the XML install registered is not in the home: %v", err)
	}
	for range 2 { // the second finds nothing to delete, and succeeds
		if _, err := Uninstall(ctx, s, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(stored); err == nil {
		t.Error("uninstall left the task")
	}
	if _, err := os.Stat(taskFile(s)); err == nil {
		t.Error("uninstall left the XML in the home")
	}
}

// decodeStored reads a task file as wine stores it: UTF-16 with a BOM, or plain text.
func decodeStored(b []byte) string {
	if len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE {
		u := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])|uint16(b[i+1])<<8)
		}
		return string(utf16.Decode(u))
	}
	return string(b)
}
