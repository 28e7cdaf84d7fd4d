package autostart

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/almanac-app/almanac/data"
)

// Runner runs one command (name and arguments) with stdin on its input and returns what it
// printed; a failure comes back as a *RunError. Tests pass a fake; ExecRunner runs programs.
type Runner interface {
	Run(ctx context.Context, stdin string, name string, args ...string) (stdout string, err error)
}

// RunError is a command that could not start or exited with an error.
type RunError struct {
	Command []string
	Stderr  string // what it printed on its error stream, trimmed
	Err     error  // the exec error (exit status, not found)
}

func (e *RunError) Error() string {
	msg := commandLine(e.Command) + ": " + e.Err.Error()
	if e.Stderr != "" {
		msg += ": " + strings.Join(strings.Fields(e.Stderr), " ")
	}
	return msg
}

func (e *RunError) Unwrap() error { return e.Err }

// ExecRunner runs commands with os/exec, cancelled with ctx.
type ExecRunner struct{}

// Run implements Runner.
func (ExecRunner) Run(ctx context.Context, stdin string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return out.String(), &RunError{Command: append([]string{name}, args...), Stderr: strings.TrimSpace(errOut.String()), Err: err}
	}
	return out.String(), nil
}

// ErrNoScheduler: a Linux user with neither a systemd user manager nor crontab.
var ErrNoScheduler = errors.New("this computer has neither a systemd user manager nor crontab to run jobs on")

// Inspect reads this system for a plan (it changes nothing): the user, and on Linux whether a
// user systemd answers (systemctl show-environment) and the current crontab (needed without
// systemd; with it, only to move a block an earlier install wrote to the timer).
func Inspect(ctx context.Context, r Runner) (System, error) {
	sys := System{OS: runtime.GOOS}
	u, err := user.Current()
	if err != nil {
		return sys, fmt.Errorf("find the current user: %w", err)
	}
	sys.User = User{UID: u.Uid, Name: u.Username, HomeDir: u.HomeDir}
	if h, err := os.UserHomeDir(); err == nil && h != "" {
		sys.User.HomeDir = h
	}
	if sys.OS != "linux" {
		return sys, nil
	}
	sys.User.ConfigDir = os.Getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(sys.User.ConfigDir) {
		sys.User.ConfigDir = filepath.Join(sys.User.HomeDir, ".config")
	}
	_, err = r.Run(ctx, "", "systemctl", systemctlUser, "show-environment")
	sys.User.SystemdUser = err == nil
	sys.Crontab, err = readCrontab(ctx, r)
	if sys.User.SystemdUser && err != nil {
		// with systemd the crontab is read only to find a block an install without it wrote
		sys.Crontab, err = "", nil
	}
	return sys, err
}

// readCrontab is the user's crontab, "" when they have none.
func readCrontab(ctx context.Context, r Runner) (string, error) {
	out, err := r.Run(ctx, "", "crontab", "-l")
	var re *RunError
	switch {
	case err == nil:
		return out, nil
	case errors.Is(err, exec.ErrNotFound):
		return "", ErrNoScheduler
	case errors.As(err, &re) && strings.Contains(strings.ToLower(re.Stderr), "no crontab"):
		return "", nil
	}
	return "", fmt.Errorf("read the crontab: %w", err)
}

// Apply carries out p's steps in order (files through a temporary file and a rename) and
// returns its one-line summary. It stops at the first step that fails, unless MayFail.
func Apply(ctx context.Context, p Plan, r Runner) (string, error) {
	for _, s := range p.Steps {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		if err := applyStep(ctx, s, r); err != nil {
			return "", err
		}
	}
	return p.Summary, nil
}

func applyStep(ctx context.Context, s Step, r Runner) error {
	switch s.Op {
	case OpWrite:
		if err := os.MkdirAll(filepath.Dir(s.Path), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", s.Path, err)
		}
		if err := data.WriteFileAtomic(s.Path, s.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", s.Path, err)
		}
	case OpRemove:
		if err := os.Remove(s.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", s.Path, err)
		}
	case OpRun:
		if _, err := r.Run(ctx, s.Stdin, s.Command[0], s.Command[1:]...); err != nil && !s.MayFail {
			return err
		}
	}
	return nil
}

// Install registers s with this system's scheduler (replacing the home's entry if there is
// one) and returns what it did in one line.
func Install(ctx context.Context, s Spec, r Runner) (string, error) {
	sys, err := Inspect(ctx, r)
	if err != nil {
		return "", err
	}
	return InstallOn(ctx, s, sys, r)
}

// InstallOn applies PlanInstall on a system already inspected. When a step fails it applies
// PlanUninstall as far as it can, so a failed install leaves no half entry behind (one whose
// files are there but which never runs) and Status says it is not installed.
func InstallOn(ctx context.Context, s Spec, sys System, r Runner) (string, error) {
	p, err := PlanInstall(s, sys)
	if err != nil {
		return "", err
	}
	out, err := Apply(ctx, p, r)
	if err != nil {
		if undo, perr := PlanUninstall(s, sys); perr == nil {
			for _, st := range undo.Steps {
				_ = applyStep(context.WithoutCancel(ctx), st, r)
			}
		}
		return "", err
	}
	return out, nil
}

// Uninstall removes the home's entry; nothing installed is not an error.
func Uninstall(ctx context.Context, s Spec, r Runner) (string, error) {
	sys, err := Inspect(ctx, r)
	if err != nil {
		return "", err
	}
	p, err := PlanUninstall(s, sys)
	if err != nil {
		return "", err
	}
	return Apply(ctx, p, r)
}

// State is whether a home's entry is installed, and which entry it is.
type State struct {
	Installed bool
	Mechanism string // systemd, cron, schtasks or launchd
	Entry     string // the timer, task name, label or "crontab"
}

// Status reports whether the home of s has its entry on this system: its unit, task or
// agent file there (Windows: schtasks /Query finds the task), or its block in the crontab.
func Status(ctx context.Context, s Spec, r Runner) (State, error) {
	sys, err := Inspect(ctx, r)
	if err != nil {
		return State{}, err
	}
	return StatusOf(ctx, s, sys, r)
}

// StatusOf is Status on a system already inspected.
func StatusOf(ctx context.Context, s Spec, sys System, r Runner) (State, error) {
	if err := check(s, sys); err != nil {
		return State{}, err
	}
	st := State{Mechanism: sys.Mechanism()}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	switch st.Mechanism {
	case "systemd":
		st.Entry = unitName(s) + ".timer"
		_, inCron := WithoutCronBlock(sys.Crontab, s)
		st.Installed = exists(join("linux", unitDir(sys.User), st.Entry)) || inCron
	case "cron":
		st.Entry = "crontab"
		_, st.Installed = WithoutCronBlock(sys.Crontab, s)
	case "schtasks":
		st.Entry = TaskName(s)
		_, err := r.Run(ctx, "", "schtasks", "/Query", "/TN", st.Entry)
		st.Installed = err == nil
	default:
		st.Entry = Label(s)
		st.Installed = exists(plistPath(s, sys.User))
	}
	return st, nil
}

// Text is the plan as a dry run prints it: each file with its full content, each command as
// it would run (with its input), each file removed, then the summary.
func (p Plan) Text() string {
	var b strings.Builder
	for _, s := range p.Steps {
		switch s.Op {
		case OpWrite:
			enc := ""
			if s.UTF16 {
				enc = ", stored as UTF-16LE with a byte-order mark"
			}
			fmt.Fprintf(&b, "write %s (%d bytes%s):\n", s.Path, len(s.Bytes()), enc)
			writeIndented(&b, s.Text)
		case OpRemove:
			fmt.Fprintf(&b, "remove %s (if it is there)\n", s.Path)
		case OpRun:
			fmt.Fprintf(&b, "run %s", commandLine(s.Command))
			if s.MayFail {
				b.WriteString(" (a failure is fine: there may be nothing to remove)")
			}
			if s.Command[len(s.Command)-1] == "-" || s.Stdin != "" {
				b.WriteString(", with this on its input:\n")
				writeIndented(&b, s.Stdin)
			} else {
				b.WriteString("\n")
			}
		}
	}
	if len(p.Steps) == 0 {
		b.WriteString("nothing to do\n")
	}
	return b.String()
}

// writeIndented writes text with each line indented, CRs dropped.
func writeIndented(b *strings.Builder, text string) {
	for _, l := range strings.SplitAfter(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if l != "" {
			b.WriteString("    " + l)
		}
	}
	if text != "" && !strings.HasSuffix(text, "\n") {
		b.WriteString("\n")
	}
}

// commandLine shows a command with its words quoted where they need it.
func commandLine(cmd []string) string {
	w := make([]string, len(cmd))
	for i, c := range cmd {
		w[i] = c
		if c == "" || strings.ContainsAny(c, " \t\"'$&|;<>()*?") {
			w[i] = `"` + strings.ReplaceAll(c, `"`, `\"`) + `"`
		}
	}
	return strings.Join(w, " ")
}
