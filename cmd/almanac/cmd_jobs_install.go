package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/almanac-app/almanac/reports/jobs/autostart"
)

// The scheduler entry points of `almanac jobs install|uninstall|install-status` (wired into the
// jobs command's dispatch): they register this home's `jobs run --due` with the system's own
// scheduler through reports/jobs/autostart.

const jobsInstallUsage = `Usage: almanac [--home DIR] jobs install [--dry-run]

Registers one entry with this computer's own scheduler that runs
'almanac --home HOME jobs run --due' every 15 minutes and at log-on, for you, without
administrator rights, so scheduled jobs run even when Almanac is closed: a systemd user timer on
Linux (a crontab block where there is no user systemd), a Task Scheduler task on Windows, a
LaunchAgent on macOS. It names this home and this program (the absolute paths); installing
again replaces the home's entry. --dry-run prints exactly what it would write and run, and
changes nothing.`

const jobsUninstallUsage = `Usage: almanac [--home DIR] jobs uninstall [--dry-run]

Removes this home's scheduler entry (what 'almanac jobs install' wrote, nothing else). Nothing
installed is not an error. --dry-run prints what it would remove and run.`

const jobsInstallStatusUsage = `Usage: almanac [--home DIR] jobs install-status [--json]

Says whether this home's scheduler entry is installed, and which entry it is.`

// scheduler is what the entry points use of the system: the commands it runs and the program
// to register. Tests pass fakes; realScheduler is the computer's.
type scheduler struct {
	run        autostart.Runner
	executable func() (string, error)
}

func realScheduler() scheduler {
	return scheduler{run: autostart.ExecRunner{}, executable: runningProgram}
}

// runningProgram is this program's absolute path with symlinks resolved; on Windows the
// console build (bin\almanac.exe) registers the desktop build beside it instead, which opens
// no console window every 15 minutes.
func runningProgram() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return "", err
	}
	return schedulerProgram(runtime.GOOS, exe, func(p string) bool { _, err := os.Stat(p); return err == nil }), nil
}

// schedulerProgram is the program the scheduler starts for the running exe.
func schedulerProgram(goos, exe string, exists func(string) bool) string {
	if goos == "windows" && strings.EqualFold(filepath.Base(filepath.Dir(exe)), "bin") && exists(desktopAppPath(exe)) {
		return desktopAppPath(exe)
	}
	return exe
}

// jobsSpec is the entry of env's home: this program with the resolved home.
func jobsSpec(env *Env, sch scheduler) (autostart.Spec, error) {
	exe, err := sch.executable()
	if err != nil {
		return autostart.Spec{}, fmt.Errorf("find this program's path for the scheduler: %w", err)
	}
	home, err := filepath.Abs(env.Home)
	if err != nil {
		return autostart.Spec{}, err
	}
	return autostart.Spec{Executable: exe, Home: home, Args: []string{"--home", home, "jobs", "run", "--due"}}, nil
}

func jobsInstall(env *Env, args []string) error { return jobsInstallWith(env, args, realScheduler()) }

func jobsUninstall(env *Env, args []string) error {
	return jobsUninstallWith(env, args, realScheduler())
}

func jobsInstallStatus(env *Env, args []string) error {
	return jobsInstallStatusWith(env, args, realScheduler())
}

func jobsInstallWith(env *Env, args []string, sch scheduler) error {
	fs := newFlags("jobs install", jobsInstallUsage)
	dry := fs.Bool("dry-run", false, "print what would be written and run; change nothing")
	if done, err := parseFlags(env, fs, jobsInstallUsage, args); done || err != nil {
		return err
	}
	s, sys, err := inspectScheduler(env, sch, "install")
	if err != nil {
		return err
	}
	p, err := autostart.PlanInstall(s, sys)
	if err != nil {
		return fmt.Errorf("jobs install: %w", err)
	}
	if *dry {
		return showPlan(env, p, "install")
	}
	summary, err := autostart.InstallOn(env.ctx(), s, sys, sch.run)
	if err != nil {
		return fmt.Errorf("jobs install: %w (nothing is left installed; 'almanac jobs install --dry-run' shows each step)", err)
	}
	fmt.Fprintf(env.Stdout, "Installed: %s\n", summary)
	return nil
}

func jobsUninstallWith(env *Env, args []string, sch scheduler) error {
	fs := newFlags("jobs uninstall", jobsUninstallUsage)
	dry := fs.Bool("dry-run", false, "print what would be removed and run; change nothing")
	if done, err := parseFlags(env, fs, jobsUninstallUsage, args); done || err != nil {
		return err
	}
	s, sys, err := inspectScheduler(env, sch, "uninstall")
	if err != nil {
		return err
	}
	st, err := autostart.StatusOf(env.ctx(), s, sys, sch.run)
	if err != nil {
		return fmt.Errorf("jobs uninstall: %w", err)
	}
	if !st.Installed {
		fmt.Fprintf(env.Stdout, "Not installed: no %s entry for the home %s (nothing to remove)\n", st.Mechanism, s.Home)
		return nil
	}
	p, err := autostart.PlanUninstall(s, sys)
	if err != nil {
		return fmt.Errorf("jobs uninstall: %w", err)
	}
	if *dry {
		return showPlan(env, p, "uninstall")
	}
	summary, err := autostart.Apply(env.ctx(), p, sch.run)
	if err != nil {
		return fmt.Errorf("jobs uninstall: %w ('almanac jobs uninstall --dry-run' shows each step)", err)
	}
	fmt.Fprintf(env.Stdout, "Uninstalled: %s\n", summary)
	return nil
}

func jobsInstallStatusWith(env *Env, args []string, sch scheduler) error {
	fs := newFlags("jobs install-status", jobsInstallStatusUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	if done, err := parseFlags(env, fs, jobsInstallStatusUsage, args); done || err != nil {
		return err
	}
	s, sys, err := inspectScheduler(env, sch, "install-status")
	if err != nil {
		return err
	}
	st, err := autostart.StatusOf(env.ctx(), s, sys, sch.run)
	if err != nil {
		return fmt.Errorf("jobs install-status: %w", err)
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(map[string]any{
			"installed": st.Installed, "mechanism": st.Mechanism, "entry": st.Entry, "home": s.Home, "program": s.Executable,
		})
	}
	if st.Installed {
		fmt.Fprintf(env.Stdout, "Installed: %s %s runs jobs every %d minutes and at log-on (home %s)\n", st.Mechanism, st.Entry, autostart.Interval, s.Home)
	} else {
		fmt.Fprintf(env.Stdout, "Not installed for the home %s: 'almanac jobs install' runs jobs even when Almanac is closed\n", s.Home)
	}
	return nil
}

// inspectScheduler is the home's entry and the system read for it (reads only).
func inspectScheduler(env *Env, sch scheduler, verb string) (autostart.Spec, autostart.System, error) {
	s, err := jobsSpec(env, sch)
	if err != nil {
		return s, autostart.System{}, fmt.Errorf("jobs %s: %w", verb, err)
	}
	sys, err := autostart.Inspect(env.ctx(), sch.run)
	if errors.Is(err, autostart.ErrNoScheduler) {
		return s, sys, fmt.Errorf("jobs %s: %w: install cron, or have another scheduler run '%s'", verb, err, strings.Join(append([]string{s.Executable}, s.Args...), " "))
	}
	if err != nil {
		return s, sys, fmt.Errorf("jobs %s: %w", verb, err)
	}
	return s, sys, nil
}

// showPlan prints a dry run: each step, then what it would achieve.
func showPlan(env *Env, p autostart.Plan, verb string) error {
	fmt.Fprintf(env.Stdout, "Dry run of jobs %s (nothing is written or changed); the steps:\n%sResult: %s\n", verb, p.Text(), p.Summary)
	return nil
}

// runWhenClosed is the Schedules screen's switch "Run jobs even when Almanac is closed" for one
// home: the same entry as jobs install and uninstall. Its methods run the scheduler's commands
// (and take the app's context): call them off the UI goroutine.
type runWhenClosed struct {
	env *Env
	sch scheduler
}

// newRunWhenClosed is the switch's service for env's home, on this computer's scheduler.
func newRunWhenClosed(env *Env) *runWhenClosed {
	return &runWhenClosed{env: env, sch: realScheduler()}
}

// Installed reports whether the home's entry is registered.
func (r *runWhenClosed) Installed(ctx context.Context) (bool, error) {
	s, err := jobsSpec(r.env, r.sch)
	if err != nil {
		return false, err
	}
	st, err := autostart.Status(ctx, s, r.sch.run)
	return st.Installed, err
}

// SetInstalled registers (on) or removes (off) the home's entry and says what it did in one line.
func (r *runWhenClosed) SetInstalled(ctx context.Context, on bool) (string, error) {
	s, err := jobsSpec(r.env, r.sch)
	if err != nil {
		return "", err
	}
	if on {
		return autostart.Install(ctx, s, r.sch.run)
	}
	return autostart.Uninstall(ctx, s, r.sch.run)
}
