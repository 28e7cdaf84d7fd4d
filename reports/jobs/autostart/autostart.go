// Package autostart registers Almanac's scheduled-jobs runner with the operating system's own
// scheduler, for the current user and without administrator rights: a systemd user timer (or a
// crontab block where there is no user systemd) on Linux, a Task Scheduler task on Windows and a
// LaunchAgent on macOS. Each entry runs one command line every 15 minutes and at log-on, and is
// named after the home it serves, so two homes can both be installed.
//
// The work is split in three: [Inspect] reads the system (who the user is, whether a user
// systemd answers, the current crontab) without changing anything; [PlanInstall] and
// [PlanUninstall] are pure and return exactly the files they would write or remove and the
// commands they would run; [Apply] carries a plan out through a [Runner]. [Install],
// [Uninstall] and [Status] chain them for the front ends.
package autostart

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// Interval is how often the entry runs (also at log-on).
const Interval = 15 // minutes

// Spec is what to register: the program and its arguments, for one home.
type Spec struct {
	// Executable is the absolute path of the program the scheduler starts.
	Executable string
	// Home is the absolute home the entry serves; it names the entry.
	Home string
	// Args are the program's arguments (the caller words them: this package names no flags).
	Args []string
}

// User is the part of the system a plan depends on.
type User struct {
	UID       string // numeric user id (macOS launchctl domain gui/UID)
	Name      string // login name; on Windows DOMAIN\name (the task's principal)
	HomeDir   string // the user's home folder (~)
	ConfigDir string // Linux: $XDG_CONFIG_HOME or ~/.config
	// SystemdUser: a systemd user manager answers (Linux); otherwise cron is used.
	SystemdUser bool
}

// System is what Inspect found: the target OS, its user, and on Linux without user systemd the
// current crontab ("" when the user has none).
type System struct {
	OS      string // "linux", "windows" or "darwin"
	User    User
	Crontab string
}

// Mechanism names the scheduler a system uses: "systemd", "cron", "schtasks" or "launchd".
func (s System) Mechanism() string {
	switch s.OS {
	case "windows":
		return "schtasks"
	case "darwin":
		return "launchd"
	}
	if s.User.SystemdUser {
		return "systemd"
	}
	return "cron"
}

// Op is what a step does.
type Op int

// The steps of a plan.
const (
	OpWrite  Op = iota // write Text to Path atomically (temp file + rename)
	OpRemove           // remove Path; a missing file is fine
	OpRun              // run Command, with Stdin on its input
)

// Step is one thing a plan does.
type Step struct {
	Op      Op
	Path    string   // OpWrite, OpRemove
	Text    string   // OpWrite: the file's content as text
	UTF16   bool     // OpWrite: store Text as UTF-16LE with a byte-order mark (Task Scheduler XML)
	Command []string // OpRun: the program and its arguments
	Stdin   string   // OpRun: what the command reads
	// MayFail: the command failing is fine (removing what is not there, stopping what is not running).
	MayFail bool
}

// Bytes is what an OpWrite step stores.
func (s Step) Bytes() []byte {
	if !s.UTF16 {
		return []byte(s.Text)
	}
	return utf16LE(s.Text)
}

// Plan is an install or uninstall: its steps in order, and one line saying what it does.
type Plan struct {
	Steps   []Step
	Summary string
}

// ErrUnsupported: the operating system has no scheduler this package knows.
var ErrUnsupported = errors.New("this operating system has no scheduler Almanac can register with")

// ID is the short name of a home in entry names: 10 hex digits of the SHA-256 of its path
// (lowercased on Windows, whose paths ignore case).
func ID(goos, home string) string {
	if goos == "windows" {
		home = strings.ToLower(home)
	}
	sum := sha256.Sum256([]byte(home))
	return hex.EncodeToString(sum[:5])
}

// PlanInstall returns what installing s on sys writes and runs. Installing again replaces the
// same entry (one entry per home).
func PlanInstall(s Spec, sys System) (Plan, error) {
	if err := check(s, sys); err != nil {
		return Plan{}, err
	}
	switch sys.Mechanism() {
	case "systemd":
		return systemdInstall(s, sys), nil
	case "cron":
		return cronInstall(s, sys), nil
	case "schtasks":
		return taskInstall(s, sys), nil
	default:
		return launchdInstall(s, sys), nil
	}
}

// PlanUninstall returns what removing s's entry from sys removes and runs; it removes exactly
// what PlanInstall writes, and succeeds when nothing is installed.
func PlanUninstall(s Spec, sys System) (Plan, error) {
	if err := check(s, sys); err != nil {
		return Plan{}, err
	}
	switch sys.Mechanism() {
	case "systemd":
		return systemdUninstall(s, sys), nil
	case "cron":
		return cronUninstall(s, sys), nil
	case "schtasks":
		return taskUninstall(s, sys), nil
	default:
		return launchdUninstall(s, sys), nil
	}
}

// check refuses what no scheduler entry can hold.
func check(s Spec, sys System) error {
	switch sys.OS {
	case "linux", "windows", "darwin":
	default:
		return fmt.Errorf("%w (%s)", ErrUnsupported, sys.OS)
	}
	if !absolute(sys.OS, s.Executable) {
		return fmt.Errorf("the program path %q is not absolute", s.Executable)
	}
	if !absolute(sys.OS, s.Home) {
		return fmt.Errorf("the home %q is not an absolute path", s.Home)
	}
	for _, a := range append([]string{s.Executable, s.Home}, s.Args...) {
		if !utf8.ValidString(a) || strings.IndexFunc(a, control) >= 0 {
			return fmt.Errorf("%q holds a line break or another control character, which a scheduler entry cannot carry: use a path without one", a)
		}
	}
	if sys.OS == "windows" && strings.Contains(s.Executable, `"`) {
		return fmt.Errorf("the program path %q holds a double quote", s.Executable)
	}
	return nil
}

// control reports whether r is a control character (a tab is fine).
func control(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }

// xmlText escapes v for XML character data (no control characters reach here: check).
func xmlText(v string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(v)
}

// absolute reports whether p is absolute on goos (checked by hand: the planner runs anywhere).
func absolute(goos, p string) bool {
	if goos != "windows" {
		return path.IsAbs(p)
	}
	if strings.HasPrefix(p, `\\`) {
		return len(p) > 2
	}
	return len(p) >= 3 && (p[0]|0x20) >= 'a' && (p[0]|0x20) <= 'z' && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
}

// join joins path elements with goos's separator.
func join(goos string, elem ...string) string {
	if goos != "windows" {
		return path.Join(elem...)
	}
	for i, e := range elem {
		if i > 0 {
			e = strings.TrimLeft(e, `\/`)
		}
		if i < len(elem)-1 {
			e = strings.TrimRight(e, `\/`)
		}
		elem[i] = e
	}
	return strings.Join(elem, `\`)
}

// describe is the entry's human name, used in descriptions and comments.
func describe(s Spec) string { return "Almanac scheduled jobs of the home " + s.Home }
