package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports/jobs/autostart"
)

// fakeSystem plays the scheduler's commands: a user systemd that answers or not, and a
// crontab in memory (nil: none).
type fakeSystem struct {
	systemd bool
	crontab *string
	ran     []string
}

func (f *fakeSystem) Run(_ context.Context, stdin, name string, args ...string) (string, error) {
	line := strings.Join(append([]string{name}, args...), " ")
	f.ran = append(f.ran, line)
	fail := &autostart.RunError{Command: []string{name}, Err: errors.New("exit status 1")}
	switch {
	case line == "systemctl --user show-environment" && !f.systemd:
		fail.Stderr = "Failed to connect to bus: No medium found"
		return "", fail
	case line == "crontab -l" && f.crontab == nil:
		fail.Stderr = "no crontab for zoe"
		return "", fail
	case line == "crontab -l":
		return *f.crontab, nil
	case line == "crontab -":
		f.crontab = &stdin
	}
	return "", nil
}

const testProgram = "/opt/Almanac & Co/bin/almanac"

// installEnv is an env on a home with a space, an ampersand and a percent sign, the user's
// config folder in a temporary directory; it returns the env, its output and that folder.
func installEnv(t *testing.T) (*Env, *bytes.Buffer, string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the fake plays a Linux system")
	}
	root := t.TempDir()
	cfg := filepath.Join(root, "config")
	t.Setenv("XDG_CONFIG_HOME", cfg)
	var out bytes.Buffer
	env := newEnv(filepath.Join(root, "Almanac & Co 50%"))
	env.Stdout, env.Stderr = &out, &out
	return env, &out, cfg
}

func fakeScheduler(f *fakeSystem) scheduler {
	return scheduler{run: f, executable: func() (string, error) { return testProgram, nil }}
}

func filesUnder(dir string) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TestJobsInstallDryRunWritesNothing: --dry-run prints the unit files with their content and
// the systemctl commands, or the new crontab, and writes and changes nothing (only the
// read-only probes run).
func TestJobsInstallDryRunWritesNothing(t *testing.T) {
	env, out, cfg := installEnv(t)
	f := &fakeSystem{systemd: true}
	if err := jobsInstallWith(env, []string{"--dry-run"}, fakeScheduler(f)); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"write " + cfg + "/systemd/user/almanac-jobs-",
		`ExecStart="/opt/Almanac & Co/bin/almanac" "--home" "` + strings.ReplaceAll(env.Home, "%", "%%") + `" "jobs" "run" "--due"`,
		"OnCalendar=*:0/15", "Persistent=true", "run systemctl --user enable --now almanac-jobs-",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the dry run does not show %q:\n%s", want, got)
		}
	}
	if files := filesUnder(filepath.Dir(cfg)); len(files) != 0 {
		t.Errorf("the dry run wrote %q", files)
	}
	if !slices.Equal(f.ran, []string{"systemctl --user show-environment", "crontab -l"}) { // the read-only probes
		t.Errorf("the dry run ran %q", f.ran)
	}

	before := "0 1 * * * backup\n"
	out.Reset()
	f = &fakeSystem{crontab: &before}
	if err := jobsInstallWith(env, []string{"--dry-run"}, fakeScheduler(f)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "run crontab -, with this on its input:\n    0 1 * * * backup\n    # BEGIN almanac jobs") || *f.crontab != before {
		t.Errorf("cron dry run:\n%s\ncrontab now %q", out, *f.crontab)
	}
}

// TestJobsInstallUninstallSystemd: install writes the two units naming the home and this
// program and enables the timer; install-status says so; uninstall removes them; a second
// uninstall says there is nothing to remove and succeeds.
func TestJobsInstallUninstallSystemd(t *testing.T) {
	env, out, cfg := installEnv(t)
	f := &fakeSystem{systemd: true}
	sch := fakeScheduler(f)
	for range 2 {
		if err := jobsInstallWith(env, nil, sch); err != nil {
			t.Fatal(err)
		}
	}
	files := filesUnder(cfg)
	if len(files) != 2 || !strings.HasSuffix(files[0], ".service") || !strings.HasSuffix(files[1], ".timer") {
		t.Fatalf("installed %q", files)
	}
	unit, _ := os.ReadFile(files[0])
	if !strings.Contains(string(unit), `"--home" "`+strings.ReplaceAll(env.Home, "%", "%%")+`"`) {
		t.Errorf("the service does not name the home %s:\n%s", env.Home, unit)
	}
	if !strings.HasPrefix(out.String(), "Installed: systemd user timer almanac-jobs-") {
		t.Errorf("install said %q", out)
	}
	out.Reset()
	if err := jobsInstallStatusWith(env, []string{"--json"}, sch); err != nil || !strings.Contains(out.String(), `"installed":true`) {
		t.Errorf("status %q, %v", out, err)
	}
	out.Reset()
	if err := jobsUninstallWith(env, nil, sch); err != nil || !strings.HasPrefix(out.String(), "Uninstalled: ") {
		t.Fatalf("uninstall %q, %v", out, err)
	}
	if files := filesUnder(cfg); len(files) != 0 {
		t.Errorf("uninstall left %q", files)
	}
	out.Reset()
	if err := jobsUninstallWith(env, nil, sch); err != nil || !strings.HasPrefix(out.String(), "Not installed") {
		t.Errorf("uninstall again %q, %v", out, err)
	}
	out.Reset()
	if err := jobsInstallStatusWith(env, nil, sch); err != nil || !strings.HasPrefix(out.String(), "Not installed for the home "+env.Home) {
		t.Errorf("status %q, %v", out, err)
	}
}

// TestJobsInstallCronTwiceThenUninstall: without user systemd, install twice adds the block
// once beside the user's own line, and uninstall gives the crontab back as it was.
func TestJobsInstallCronTwiceThenUninstall(t *testing.T) {
	env, out, _ := installEnv(t)
	before := "MAILTO=zoe@example.com\n0 1 * * * backup\n"
	f := &fakeSystem{crontab: &before}
	sch := fakeScheduler(f)
	for range 2 {
		if err := jobsInstallWith(env, nil, sch); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(*f.crontab, "*/15 * * * * '"+testProgram+"' '--home' "); n != 1 || !strings.HasPrefix(*f.crontab, before) {
		t.Fatalf("crontab after two installs (%d lines):\n%s", n, *f.crontab)
	}
	if err := jobsUninstallWith(env, nil, sch); err != nil {
		t.Fatal(err)
	}
	if *f.crontab != before {
		t.Errorf("after uninstall %q, want %q (%s)", *f.crontab, before, out)
	}
}

// TestJobsInstallNamesTheResolvedHome: a home from $ALMANAC_HOME (as main resolves it) is
// the one the entry passes, absolute.
func TestJobsInstallNamesTheResolvedHome(t *testing.T) {
	env, out, _ := installEnv(t)
	dir := filepath.Join(filepath.Dir(env.Home), "from env")
	t.Setenv("ALMANAC_HOME", dir)
	home, err := data.ResolveHome("")
	if err != nil {
		t.Fatal(err)
	}
	env.Home = home.Dir
	if err := jobsInstallWith(env, []string{"--dry-run"}, fakeScheduler(&fakeSystem{systemd: true})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"--home" "`+dir+`" "jobs" "run" "--due"`) {
		t.Errorf("the entry does not pass %s:\n%s", dir, out)
	}
}

// TestJobsInstallErrors: a bad flag is a usage error (2); no scheduler at all is a failure
// (1) saying what to do.
func TestJobsInstallErrors(t *testing.T) {
	env, _, _ := installEnv(t)
	err := jobsInstallWith(env, []string{"--now"}, fakeScheduler(&fakeSystem{}))
	if exitCode(err) != exitUsage {
		t.Errorf("--now: exit %d (%v)", exitCode(err), err)
	}
	none := scheduler{run: noPrograms{}, executable: func() (string, error) { return testProgram, nil }}
	err = jobsInstallWith(env, nil, none)
	if exitCode(err) != exitFailure || !errors.Is(err, autostart.ErrNoScheduler) || !strings.Contains(err.Error(), "install cron") {
		t.Errorf("no scheduler: exit %d, %v", exitCode(err), err)
	}
}

// noPrograms is a system where no command exists.
type noPrograms struct{}

func (noPrograms) Run(_ context.Context, _, name string, args ...string) (string, error) {
	return "", &autostart.RunError{Command: append([]string{name}, args...), Err: exec.ErrNotFound}
}

// TestSchedulerProgramOnWindowsIsTheDesktopBuild: the console build in bin registers the
// desktop build beside the folder (no console window every 15 minutes) when it is there.
func TestSchedulerProgramOnWindowsIsTheDesktopBuild(t *testing.T) {
	exe := filepath.Join("/x", "Almanac", "bin", "almanac.exe")
	desk := filepath.Join("/x", "Almanac", "Almanac.exe")
	there := func(p string) bool { return p == desk }
	if got := schedulerProgram("windows", exe, there); got != desk {
		t.Errorf("windows: %s", got)
	}
	if got := schedulerProgram("windows", exe, func(string) bool { return false }); got != exe {
		t.Errorf("windows without the desktop build: %s", got)
	}
	if got := schedulerProgram("linux", exe, there); got != exe {
		t.Errorf("linux: %s", got)
	}
}

// TestRunWhenClosedSwitch: the Schedules screen's service turns the home's entry on and off
// and reports it, on the same files as jobs install.
func TestRunWhenClosedSwitch(t *testing.T) {
	env, _, cfg := installEnv(t)
	sw := &runWhenClosed{env: env, sch: fakeScheduler(&fakeSystem{systemd: true})}
	ctx := context.Background()
	if on, err := sw.Installed(ctx); on || err != nil {
		t.Fatalf("before: %v, %v", on, err)
	}
	if msg, err := sw.SetInstalled(ctx, true); err != nil || !strings.Contains(msg, "every 15 minutes") {
		t.Fatalf("on: %q, %v", msg, err)
	}
	if on, err := sw.Installed(ctx); !on || err != nil || len(filesUnder(cfg)) != 2 {
		t.Fatalf("after on: %v, %v, %q", on, err, filesUnder(cfg))
	}
	if _, err := sw.SetInstalled(ctx, false); err != nil {
		t.Fatal(err)
	}
	if on, err := sw.Installed(ctx); on || err != nil || len(filesUnder(cfg)) != 0 {
		t.Errorf("after off: %v, %v, %q", on, err, filesUnder(cfg))
	}
}

// TestJobsInstallHelp: the entry points wired into almanac jobs print their usage for -h and
// touch nothing; the switch's service runs real programs.
func TestJobsInstallHelp(t *testing.T) {
	env, out, cfg := installEnv(t)
	for name, f := range map[string]func(*Env, []string) error{
		"jobs install [--dry-run]": jobsInstall, "jobs uninstall [--dry-run]": jobsUninstall, "jobs install-status [--json]": jobsInstallStatus,
	} {
		out.Reset()
		if err := f(env, []string{"-h"}); err != nil || !strings.Contains(out.String(), "Usage: almanac [--home DIR] "+name) {
			t.Errorf("%s -h: %v\n%s", name, err, out)
		}
	}
	if files := filesUnder(filepath.Dir(cfg)); len(files) != 0 {
		t.Errorf("-h wrote %q", files)
	}
	if _, ok := newRunWhenClosed(env).sch.run.(autostart.ExecRunner); !ok {
		t.Error("the switch's service does not run the real scheduler")
	}
}
