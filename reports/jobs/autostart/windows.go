package autostart

import (
	"fmt"
	"strings"
	"unicode/utf16"
)

// TaskName is the home's task in Task Scheduler (a folder Almanac, one task per home).
func TaskName(s Spec) string { return `Almanac\Jobs ` + ID("windows", s.Home) }

// taskFile is where install keeps the XML it registered (in the home, removed by uninstall).
func taskFile(s Spec) string { return join("windows", s.Home, "scheduler-task.xml") }

// TaskXML is the Task Scheduler definition (schema 1.2, Windows 7 and later): every 15
// minutes from a fixed start and at the user's log-on, started late when a time was missed
// (StartWhenAvailable), never two at once (IgnoreNew), with the user's own token and least
// privilege, so registering it needs no administrator. Lines end in CRLF; it is stored as
// UTF-16 (see Step.UTF16), the encoding it declares and schtasks reads without guessing.
func TaskXML(s Spec, u User) string {
	args := make([]string, len(s.Args))
	for i, a := range s.Args {
		args[i] = windowsArg(a)
	}
	x := xmlText
	t := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Author>Almanac</Author>
    <Description>%s: runs the jobs that are due every %d minutes and at log-on.</Description>
    <URI>\%s</URI>
  </RegistrationInfo>
  <Triggers>
    <TimeTrigger>
      <Repetition>
        <Interval>PT%dM</Interval>
        <StopAtDurationEnd>false</StopAtDurationEnd>
      </Repetition>
      <StartBoundary>2026-01-01T00:00:00</StartBoundary>
      <Enabled>true</Enabled>
    </TimeTrigger>
    <LogonTrigger>
      <Enabled>true</Enabled>
      <UserId>%s</UserId>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>%s</UserId>
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT1H</ExecutionTimeLimit>
    <Priority>7</Priority>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>%s</Command>
      <Arguments>%s</Arguments>
    </Exec>
  </Actions>
</Task>
`, x(describe(s)), Interval, x(TaskName(s)), Interval, x(u.Name), x(u.Name), x(s.Executable), x(strings.Join(args, " ")))
	return strings.ReplaceAll(t, "\n", "\r\n")
}

// windowsArg quotes one argument so CommandLineToArgvW (what a Go or C program's start-up
// uses) reads it back unchanged: quotes around it when it is empty or holds a space, tab or
// quote; backslashes doubled only before a quote.
func windowsArg(a string) string {
	if a != "" && !strings.ContainsAny(a, " \t\"") {
		return a
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(a); i++ { // bytes: quotes, backslashes and spaces are ASCII
		c := a[i]
		switch c {
		case '\\':
			slashes++
			continue
		case '"':
			b.WriteString(strings.Repeat(`\`, 2*slashes+1))
		default:
			b.WriteString(strings.Repeat(`\`, slashes))
		}
		slashes = 0
		b.WriteByte(c)
	}
	b.WriteString(strings.Repeat(`\`, 2*slashes))
	b.WriteByte('"')
	return b.String()
}

// utf16LE is s in UTF-16, little-endian, after a byte-order mark.
func utf16LE(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2, 2+2*len(u))
	b[0], b[1] = 0xFF, 0xFE
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	return b
}

func taskInstall(s Spec, sys System) Plan {
	return Plan{
		Summary: fmt.Sprintf("Task Scheduler task \"%s\" runs %s every %d minutes and at log-on (home %s)", TaskName(s), s.Executable, Interval, s.Home),
		Steps: []Step{
			{Op: OpWrite, Path: taskFile(s), Text: TaskXML(s, sys.User), UTF16: true},
			{Op: OpRun, Command: []string{"schtasks", "/Create", "/TN", TaskName(s), "/XML", taskFile(s), "/F"}},
		},
	}
}

func taskUninstall(s Spec, _ System) Plan {
	return Plan{
		Summary: fmt.Sprintf("removed the Task Scheduler task \"%s\" (home %s)", TaskName(s), s.Home),
		Steps: []Step{
			{Op: OpRun, Command: []string{"schtasks", "/Delete", "/TN", TaskName(s), "/F"}, MayFail: true},
			{Op: OpRemove, Path: taskFile(s)},
		},
	}
}
