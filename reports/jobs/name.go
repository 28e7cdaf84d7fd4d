package jobs

import (
	"fmt"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
)

// Placeholders are the parts of a file-name pattern replaced at each run (docs/jobs.md):
//
//	{dataset}  the dataset exported or the report saved (appointments, dashboard…)
//	{period}   the job's period name (last-week, last-7d…); with none: "all" for an export,
//	           "this-month" for the dashboard, "last-30d" for another report (their defaults)
//	{from}     the period's first local date, YYYY-MM-DD ("" for none)
//	{to}       the period's last local date, YYYY-MM-DD ("" for none)
//	{tenant}   the tenant's id
//	{YYYYMMDD} the run's local date; {YYYY}, {MM}, {DD} its parts; {HHMM} its local time
var Placeholders = []string{"{dataset}", "{period}", "{from}", "{to}", "{tenant}", "{YYYYMMDD}", "{YYYY}", "{MM}", "{DD}", "{HHMM}"}

const nameFix = "use letters, digits, spaces, - _ . and the placeholders of docs/jobs.md " +
	"(dataset, period, from, to, tenant, YYYYMMDD, YYYY, MM, DD, HHMM, each in braces)"

// maxNameLen keeps an expanded name under file systems' 255-byte limit.
const maxNameLen = 180

// ParseNamePattern checks a file-name pattern and returns it ("" gives DefaultNamePattern): it
// must name a file in the job's folder (no separators, no "..", no leading dot), and every
// {…} must be one of Placeholders. A pattern without placeholders is a fixed name, replaced
// at each run.
func ParseNamePattern(s string) (string, error) {
	if s == "" {
		return DefaultNamePattern, nil
	}
	bad := func(problem string) (string, error) {
		return "", &data.InputError{Field: FieldName, Value: s, Problem: problem, Fix: nameFix}
	}
	switch {
	case len(s) > maxNameLen:
		return bad(fmt.Sprintf("is longer than %d characters", maxNameLen))
	case strings.ContainsAny(s, `/\:*?"<>|`) || strings.Contains(s, ".."):
		return bad("is not a plain file name")
	case strings.HasPrefix(s, ".") || strings.TrimSpace(s) != s:
		return bad("starts with a dot or a space, or ends with a space")
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return bad("holds a control character")
		}
	}
	rest := s
	for {
		i := strings.IndexAny(rest, "{}")
		if i < 0 {
			break
		}
		if rest[i] == '}' {
			return bad("has a } without its {")
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return bad("has a { without its }")
		}
		ph := rest[i : i+j+1]
		if !isPlaceholder(ph) {
			return bad("has an unknown placeholder")
		}
		rest = rest[i+j+1:]
	}
	return s, nil
}

func isPlaceholder(s string) bool {
	for _, p := range Placeholders {
		if s == p {
			return true
		}
	}
	return false
}

// FixedName reports whether pattern names the same file at every run (then each run replaces it).
func FixedName(pattern string) bool {
	p, err := ParseNamePattern(pattern)
	if err != nil {
		return false
	}
	for _, ph := range []string{"{YYYYMMDD}", "{YYYY}", "{MM}", "{DD}", "{HHMM}", "{from}", "{to}"} {
		if strings.Contains(p, ph) {
			return false
		}
	}
	return true
}

// FileName is the job's file name for a run at now (local to loc): its pattern expanded and
// the output's extension added unless the pattern already ends with it.
func (j Job) FileName(now time.Time, loc *time.Location) string {
	p, err := ParseNamePattern(j.Name)
	if err != nil {
		p = DefaultNamePattern
	}
	lt := now.In(loc)
	period := j.periodName()
	from, to := PeriodDates(period, lt)
	r := strings.NewReplacer("{dataset}", j.subject(), "{period}", period, "{from}", from, "{to}", to,
		"{tenant}", j.Tenant, "{YYYYMMDD}", lt.Format("20060102"), "{YYYY}", lt.Format("2006"),
		"{MM}", lt.Format("01"), "{DD}", lt.Format("02"), "{HHMM}", lt.Format("1504"))
	name := strings.TrimSpace(r.Replace(p))
	if name == "" || strings.HasPrefix(name, ".") { // placeholders that were empty
		name = j.subject() + name
	}
	if !strings.HasSuffix(strings.ToLower(name), j.Extension()) {
		name += j.Extension()
	}
	return name
}

// PeriodDates are the first and last local dates (YYYY-MM-DD) of period name p on the local
// date of now; "" and "" for no period or a bad name.
func PeriodDates(p string, now time.Time) (from, to string) {
	if p == "" {
		return "", ""
	}
	n, err := reports.ParsePeriodName(p)
	if err != nil {
		return "", ""
	}
	today := reports.Today(now, now.Location())
	if n.Kind == reports.PeriodLastDays {
		return today.AddDate(0, 0, 1-n.Days).Format(data.DateLayout), today.Format(data.DateLayout)
	}
	f, t := reports.CalendarRange(n.Kind, today)
	return f.Format(data.DateLayout), t.Format(data.DateLayout)
}

// periodName is the job's period, or what the output covers without one.
func (j Job) periodName() string {
	switch {
	case j.Period != "":
		return j.Period
	case j.Kind == KindExport:
		return "all"
	case j.Report == reports.ReportDashboard:
		return string(reports.PeriodThisMonth)
	}
	return fmt.Sprintf("last-%dd", reports.DefaultAnalyticsDays)
}
