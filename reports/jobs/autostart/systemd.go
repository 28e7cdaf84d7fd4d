package autostart

import (
	"fmt"
	"strings"
)

// systemctl's own flags (another program's command line, not Almanac's).
const (
	systemctlUser = "--user"
	systemctlNow  = "--now"
)

// unitName is the systemd unit of the home, without its suffix.
func unitName(s Spec) string { return "almanac-jobs-" + ID("linux", s.Home) }

// unitDir is where systemd looks for the user's own units.
func unitDir(u User) string { return join("linux", u.ConfigDir, "systemd", "user") }

// ServiceUnit is the oneshot service that runs the program once.
func ServiceUnit(s Spec) string {
	words := make([]string, 0, len(s.Args)+1)
	for _, a := range append([]string{s.Executable}, s.Args...) {
		words = append(words, systemdQuote(a))
	}
	return fmt.Sprintf(`[Unit]
Description=%s

[Service]
Type=oneshot
ExecStart=%s
`, systemdDescription(s), strings.Join(words, " "))
}

// TimerUnit starts the service every 15 minutes and soon after the user's manager starts (at
// log-on); Persistent catches up a run missed while the computer was off.
func TimerUnit(s Spec) string {
	return fmt.Sprintf(`[Unit]
Description=%s, every %d minutes and at log-on

[Timer]
OnCalendar=*:0/%d
OnStartupSec=1min
Persistent=true
AccuracySec=1min
Unit=%s.service

[Install]
WantedBy=timers.target
`, systemdDescription(s), Interval, Interval, unitName(s))
}

// systemdDescription names the home; % starts a specifier in unit values, so it is doubled,
// and the value ends with ")" so a home ending in a backslash cannot continue the line.
func systemdDescription(s Spec) string {
	return "Almanac scheduled jobs (home " + strings.ReplaceAll(s.Home, "%", "%%") + ")"
}

// systemdQuote quotes one word of ExecStart (systemd.service(5) "Command lines"): double quotes
// with C escapes for \ and ", %% for a literal % (specifiers) and $$ for a literal $ (variables).
func systemdQuote(a string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `%`, `%%`, `$`, `$$`)
	return `"` + r.Replace(a) + `"`
}

func systemdInstall(s Spec, sys System) Plan {
	dir, name := unitDir(sys.User), unitName(s)
	p := Plan{
		Summary: fmt.Sprintf("systemd user timer %s.timer runs %s every %d minutes and at log-on (home %s)", name, s.Executable, Interval, s.Home),
		Steps: []Step{
			{Op: OpWrite, Path: join("linux", dir, name+".service"), Text: ServiceUnit(s)},
			{Op: OpWrite, Path: join("linux", dir, name+".timer"), Text: TimerUnit(s)},
			{Op: OpRun, Command: []string{"systemctl", systemctlUser, "daemon-reload"}},
			{Op: OpRun, Command: []string{"systemctl", systemctlUser, "enable", systemctlNow, name + ".timer"}},
		},
	}
	return withoutOldCronBlock(p, s, sys)
}

// withoutOldCronBlock adds to a systemd plan the removal of the home's crontab block, which an
// install made while there was no user systemd wrote: one entry per home, whichever is used.
func withoutOldCronBlock(p Plan, s Spec, sys System) Plan {
	if rest, found := WithoutCronBlock(sys.Crontab, s); found {
		p.Steps = append(p.Steps, Step{Op: OpRun, Command: []string{"crontab", "-"}, Stdin: rest})
	}
	return p
}

func systemdUninstall(s Spec, sys System) Plan {
	dir, name := unitDir(sys.User), unitName(s)
	p := Plan{
		Summary: fmt.Sprintf("removed the systemd user timer %s.timer (home %s)", name, s.Home),
		Steps: []Step{
			{Op: OpRun, Command: []string{"systemctl", systemctlUser, "disable", systemctlNow, name + ".timer"}, MayFail: true},
			{Op: OpRemove, Path: join("linux", dir, name+".timer")},
			{Op: OpRemove, Path: join("linux", dir, name+".service")},
			{Op: OpRun, Command: []string{"systemctl", systemctlUser, "daemon-reload"}},
		},
	}
	return withoutOldCronBlock(p, s, sys)
}
