package autostart

import (
	"fmt"
	"strings"
)

// cronBegin and cronEnd mark the crontab lines of one home.
func cronBegin(s Spec) string { return "# BEGIN almanac jobs " + ID("linux", s.Home) }
func cronEnd(s Spec) string   { return "# END almanac jobs " + ID("linux", s.Home) }

// CronBlock is the home's lines in a crontab: every 15 minutes and at boot, between two marker
// comments that name the home, so uninstall removes exactly these lines.
func CronBlock(s Spec) string {
	words := make([]string, 0, len(s.Args)+1)
	for _, a := range append([]string{s.Executable}, s.Args...) {
		words = append(words, cronQuote(a))
	}
	cmd := strings.Join(words, " ")
	return fmt.Sprintf("%s (home %s): added by Almanac, removed by its jobs uninstall\n*/%d * * * * %s\n@reboot %s\n%s\n",
		cronBegin(s), s.Home, Interval, cmd, cmd, cronEnd(s))
}

// cronQuote quotes one word for the shell cron hands the line to, then escapes % (which cron
// turns into a line break unless it follows a backslash; cron drops that backslash).
func cronQuote(a string) string {
	q := "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	return strings.ReplaceAll(q, "%", `\%`)
}

// WithoutCronBlock is crontab without the home's block (and unchanged if it has none); found
// says whether there was one. Every other line is kept as it was.
func WithoutCronBlock(crontab string, s Spec) (rest string, found bool) {
	begin, end := cronBegin(s), cronEnd(s)
	lines := strings.SplitAfter(crontab, "\n")
	var b strings.Builder
	in := false
	for _, l := range lines {
		t := strings.TrimRight(l, "\r\n")
		switch {
		case !in && (t == begin || strings.HasPrefix(t, begin+" ")):
			in, found = true, true
		case in && t == end:
			in = false
		case !in:
			b.WriteString(l)
		}
	}
	return b.String(), found
}

// WithCronBlock is crontab with the home's block in it once, at the end.
func WithCronBlock(crontab string, s Spec) string {
	rest, _ := WithoutCronBlock(crontab, s)
	if rest != "" && !strings.HasSuffix(rest, "\n") {
		rest += "\n"
	}
	return rest + CronBlock(s)
}

func cronInstall(s Spec, sys System) Plan {
	return Plan{
		Summary: fmt.Sprintf("crontab lines run %s every %d minutes and at boot (home %s)", s.Executable, Interval, s.Home),
		Steps:   []Step{{Op: OpRun, Command: []string{"crontab", "-"}, Stdin: WithCronBlock(sys.Crontab, s)}},
	}
}

func cronUninstall(s Spec, sys System) Plan {
	rest, found := WithoutCronBlock(sys.Crontab, s)
	if !found {
		return Plan{Summary: fmt.Sprintf("not installed: the crontab has no Almanac lines for the home %s", s.Home)}
	}
	return Plan{
		Summary: fmt.Sprintf("removed the crontab lines of the home %s", s.Home),
		Steps:   []Step{{Op: OpRun, Command: []string{"crontab", "-"}, Stdin: rest}},
	}
}
