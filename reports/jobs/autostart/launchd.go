package autostart

import (
	"fmt"
	"strings"
)

// Label is the home's LaunchAgent label (and its plist's name).
func Label(s Spec) string { return "app.almanac.jobs." + ID("darwin", s.Home) }

// plistPath is the agent's file in the user's LaunchAgents folder.
func plistPath(s Spec, u User) string {
	return join("darwin", u.HomeDir, "Library", "LaunchAgents", Label(s)+".plist")
}

// Plist is the LaunchAgent: the program every 900 seconds and when loaded (at log-on).
func Plist(s Spec) string {
	x := xmlText
	var args strings.Builder
	for _, a := range append([]string{s.Executable}, s.Args...) {
		fmt.Fprintf(&args, "\t\t<string>%s</string>\n", x(a))
	}
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>%s</string>
	<key>ProgramArguments</key>
	<array>
%s	</array>
	<key>StartInterval</key>
	<integer>%d</integer>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Background</string>
</dict>
</plist>
`, x(Label(s)), args.String(), Interval*60)
}

func launchdInstall(s Spec, sys System) Plan {
	p, domain := plistPath(s, sys.User), "gui/"+sys.User.UID
	return Plan{
		Summary: fmt.Sprintf("LaunchAgent %s runs %s every %d minutes and at log-on (home %s)", Label(s), s.Executable, Interval, s.Home),
		Steps: []Step{
			// an agent already loaded keeps its old definition until it is booted out
			{Op: OpRun, Command: []string{"launchctl", "bootout", domain + "/" + Label(s)}, MayFail: true},
			{Op: OpWrite, Path: p, Text: Plist(s)},
			{Op: OpRun, Command: []string{"launchctl", "bootstrap", domain, p}},
		},
	}
}

func launchdUninstall(s Spec, sys System) Plan {
	return Plan{
		Summary: fmt.Sprintf("removed the LaunchAgent %s (home %s)", Label(s), s.Home),
		Steps: []Step{
			{Op: OpRun, Command: []string{"launchctl", "bootout", "gui/" + sys.User.UID + "/" + Label(s)}, MayFail: true},
			{Op: OpRemove, Path: plistPath(s, sys.User)},
		},
	}
}
