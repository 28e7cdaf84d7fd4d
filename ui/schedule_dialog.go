package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
	scheduled "github.com/almanac-app/almanac/reports/jobs"
)

// saveAsJobLabel is the button beside the export and report Save buttons.
const saveAsJobLabel = "Save as scheduled job…"

// Labels of the job dialog's period choices besides the calendar periods.
const (
	periodJobDefault = "The report's default period"
	periodJobAll     = "Everything in the history window"
	periodJobDays    = "The last N days"
)

// saveAsJobButton is the "Save as scheduled job…" button, locked when the plan lacks Scheduled
// jobs; draft gives the job as the screen shows it. nil when the shell has no Scheduler.
func saveAsJobButton(s *Shell, draft func() (scheduled.Job, string)) fyne.CanvasObject {
	if s.cfg.Scheduler == nil {
		return nil
	}
	return NewLockedButton(s, license.FeatureScheduledJobs, saveAsJobLabel, theme.HistoryIcon(), func() {
		j, note := draft()
		showJobDialogNote(s, j, false, note, nil)
	})
}

// relativePeriod is the period of a screen's PeriodRequest as a job's period name: ok is false
// for custom dates, which do not repeat.
func relativePeriod(p reports.PeriodRequest) (string, bool) {
	switch {
	case p.Period != "":
		return p.Period, true
	case p.Days != "":
		return "last-" + strings.TrimSpace(p.Days) + "d", true
	case p.From != "" || p.To != "":
		return "", false
	}
	return "", true
}

// resolvedPeriod is a report's resolved period as a job's period name (ok false for custom).
func resolvedPeriod(p reports.Period) (string, bool) {
	switch p.Kind {
	case reports.PeriodCustom:
		return "", false
	case reports.PeriodLastDays, "":
		if p.Days > 0 {
			return fmt.Sprintf("last-%dd", p.Days), true
		}
		return "", true
	}
	return string(p.Kind), true
}

// customPeriodNote is said when the screen shows custom dates, which a job cannot repeat.
const customPeriodNote = "The screen shows custom dates, which do not repeat: choose the period each run covers."

// jobsFolder is a new job's folder: Documents/Reports when it exists, else the home folder.
func jobsFolder() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	if dir := filepath.Join(home, "Documents", "Reports"); isDir(dir) {
		return dir
	}
	return home
}

// newJobDraft is a job of the active tenant with the defaults of the dialog.
func newJobDraft(s *Shell) scheduled.Job {
	t := s.Tenant()
	return scheduled.Job{Tenant: t.ID, Folder: jobsFolder(), SyncFirst: !t.IsDemo,
		Schedule: scheduled.Schedule{Every: scheduled.Weekly, Weekday: time.Monday, Hour: 7}}
}

// jobForm is the job dialog's fields.
type jobForm struct {
	s      *Shell
	job    scheduled.Job
	folder string

	format  *widget.Select
	period  *widget.Select
	days    *widget.Entry
	name    *widget.Entry
	sync    *widget.Check
	every   *widget.Select
	weekday *widget.Select
	day     *widget.Select
	clock   *widget.Entry
}

var frequencyLabels = []string{"Daily", "Weekly", "Monthly"}

// showJobDialog opens the job dialog on j: a new job (Save adds it) or, with edit, an existing
// one (Save replaces it). saved runs on the UI goroutine once the job is saved.
func showJobDialog(s *Shell, j scheduled.Job, edit bool, saved func()) {
	showJobDialogNote(s, j, edit, "", saved)
}

func showJobDialogNote(s *Shell, j scheduled.Job, edit bool, note string, saved func()) {
	f := &jobForm{s: s, job: j, folder: j.Folder}
	items := f.items(note)
	title := "Save as scheduled job"
	if edit {
		title = "Edit job " + j.ID
	}
	d := dialog.NewForm(title, "Save", "Cancel", items, func(ok bool) {
		if ok {
			f.save(edit, saved)
		}
	}, s.Win)
	d.Resize(fitWindow(s.Win, fyne.NewSize(680, d.MinSize().Height)))
	d.Show()
}

// items are the form's rows, prefilled from the job.
func (f *jobForm) items(note string) []*widget.FormItem {
	j := f.job
	var items []*widget.FormItem
	add := func(label string, o fyne.CanvasObject) { items = append(items, widget.NewFormItem(label, o)) }
	whatText := capitalize(j.Dataset) + " export"
	if j.Kind == scheduled.KindReport {
		whatText = capitalize(string(j.Report)) + " report"
	}
	if filters := jobFilterWords(j); filters != "" {
		whatText += ", " + filters
	}
	add("What", widget.NewLabel(whatText))
	add("Format", f.formatSelect())
	if !(j.Kind == scheduled.KindReport && j.Report == reports.ReportDashboard) {
		add("Period", f.periodField(note))
	}
	folderLabel := widget.NewLabel(f.folder)
	folderLabel.Wrapping = fyne.TextWrapBreak
	choose := widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), func() {
		(&exportsView{s: f.s}).chooseFolder(f.folder, func(dir string) {
			f.folder = dir
			folderLabel.SetText(dir)
		})
	})
	add("Folder", container.NewBorder(nil, nil, nil, choose, folderLabel))
	f.name = widget.NewEntry()
	f.name.SetText(j.Name)
	if j.Name == "" {
		f.name.SetText(scheduled.DefaultNamePattern)
	}
	f.name.Validator = func(text string) error {
		if _, err := scheduled.ParseNamePattern(strings.TrimSpace(text)); err != nil {
			return nameProblem(errorWords(err))
		}
		return nil
	}
	nameNote := widget.NewLabel("{dataset} {period} {from} {to} {tenant} {YYYYMMDD} {HHMM}; the extension is added; a name without a date is replaced at each run.")
	nameNote.SizeName = theme.SizeNameCaptionText
	nameNote.Wrapping = fyne.TextWrapWord
	add("File name", container.NewVBox(f.name, nameNote))
	f.sync = widget.NewCheck("Sync this business's data first", nil)
	f.sync.SetChecked(j.SyncFirst)
	if j.Tenant != data.DemoTenantID {
		add("Sync", f.sync)
	}
	add("Schedule", f.scheduleField())
	return items
}

func (f *jobForm) formatSelect() fyne.CanvasObject {
	if f.job.Kind == scheduled.KindReport {
		f.format = widget.NewSelect([]string{reports.DocPDF.Label(), reports.DocXLSX.Label()}, nil)
		f.format.SetSelected(reports.DocPDF.Label())
		if f.job.DocFormat == reports.DocXLSX {
			f.format.SetSelected(reports.DocXLSX.Label())
		}
		return f.format
	}
	var labels []string
	for _, fm := range reports.Formats() {
		labels = append(labels, fm.Label())
	}
	f.format = widget.NewSelect(labels, nil)
	f.format.SetSelected(reports.FormatCSV.Label())
	if f.job.Format != "" {
		f.format.SetSelected(f.job.Format.Label())
	}
	return f.format
}

// periodField is the job's relative period: a calendar period, the last N days, or none.
func (f *jobForm) periodField(note string) fyne.CanvasObject {
	none := periodJobAll
	if f.job.Kind == scheduled.KindReport {
		none = periodJobDefault
	}
	opts := []string{none}
	for _, k := range reports.CalendarPeriods() {
		opts = append(opts, reports.PeriodLabel(k))
	}
	opts = append(opts, periodJobDays)
	f.days = widget.NewEntry()
	f.days.SetPlaceHolder("Days, e.g. 7")
	f.days.Hide()
	f.period = widget.NewSelect(opts, func(l string) {
		if l == periodJobDays {
			f.days.Show()
		} else {
			f.days.Hide()
		}
	})
	f.period.SetSelected(none)
	if n, err := reports.ParsePeriodName(f.job.Period); f.job.Period != "" && err == nil {
		if n.Kind == reports.PeriodLastDays {
			f.period.SetSelected(periodJobDays)
			f.days.SetText(strconv.Itoa(n.Days))
		} else {
			f.period.SetSelected(reports.PeriodLabel(n.Kind))
		}
	}
	box := container.NewVBox(container.NewBorder(nil, nil, nil, f.days, f.period))
	if note != "" {
		l := widget.NewLabel(note)
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	hint := widget.NewLabel("Worked out at each run, on that day's date.")
	hint.SizeName = theme.SizeNameCaptionText
	box.Add(hint)
	return box
}

// scheduleField is daily, weekly on a weekday or monthly on a day, at HH:MM in the tenant's zone.
func (f *jobForm) scheduleField() fyne.CanvasObject {
	sc := f.job.Schedule
	var days []string
	for d := 1; d <= 31; d++ {
		days = append(days, strconv.Itoa(d))
	}
	var weekdays []string
	for d := time.Monday; d <= time.Saturday; d++ {
		weekdays = append(weekdays, d.String())
	}
	weekdays = append(weekdays, time.Sunday.String())
	f.weekday = widget.NewSelect(weekdays, nil)
	f.weekday.SetSelected(sc.Weekday.String())
	f.day = widget.NewSelect(days, nil)
	f.day.SetSelected(strconv.Itoa(max(sc.Day, 1)))
	f.clock = widget.NewEntry()
	f.clock.SetText(fmt.Sprintf("%02d:%02d", sc.Hour, sc.Minute))
	f.clock.Validator = func(text string) error {
		if _, _, ok := scheduled.ParseClock(strings.TrimSpace(text)); !ok {
			return nameProblem("Enter a time of day as HH:MM, from 00:00 to 23:59.")
		}
		return nil
	}
	f.every = widget.NewSelect(frequencyLabels, func(l string) {
		f.weekday.Hide()
		f.day.Hide()
		switch l {
		case "Weekly":
			f.weekday.Show()
		case "Monthly":
			f.day.Show()
		}
	})
	f.every.SetSelected(capitalize(string(sc.Every)))
	if sc.Every == "" {
		f.every.SetSelected("Weekly")
	}
	zone := widget.NewLabel(fmt.Sprintf("At this time in %s, the business's time zone, not this computer's. A monthly day past a month's end runs on its last day.", f.zoneName()))
	zone.SizeName = theme.SizeNameCaptionText
	zone.Wrapping = fyne.TextWrapWord
	at := container.NewBorder(nil, nil, widget.NewLabel("at"), nil, f.clock)
	return container.NewVBox(container.NewGridWithColumns(3, f.every, container.NewStack(f.weekday, f.day), at), zone)
}

// zoneName is the job's tenant's zone: the active tenant's when it is the job's.
func (f *jobForm) zoneName() string {
	if t := f.s.Tenant(); t.ID == f.job.Tenant && t.TimeZone != "" {
		return t.TimeZone
	}
	return "the business's zone"
}

// build is the job the fields say, or the first field's problem.
func (f *jobForm) build() (scheduled.Job, error) {
	j := f.job
	j.Folder, j.SyncFirst = f.folder, f.sync.Checked
	j.Name = strings.TrimSpace(f.name.Text)
	if j.Name == scheduled.DefaultNamePattern {
		j.Name = ""
	}
	if j.Kind == scheduled.KindReport {
		j.DocFormat = reports.DocPDF
		if f.format.Selected == reports.DocXLSX.Label() {
			j.DocFormat = reports.DocXLSX
		}
	} else {
		for _, fm := range reports.Formats() {
			if fm.Label() == f.format.Selected {
				j.Format = fm
			}
		}
		if j.Format != reports.FormatCSV {
			j.Excel = false
		}
	}
	if f.period != nil {
		j.Period = ""
		for _, k := range reports.CalendarPeriods() {
			if reports.PeriodLabel(k) == f.period.Selected {
				j.Period = string(k)
			}
		}
		if f.period.Selected == periodJobDays {
			j.Period = "last-" + strings.TrimSpace(f.days.Text) + "d"
		}
	}
	h, m, ok := scheduled.ParseClock(strings.TrimSpace(f.clock.Text))
	if !ok {
		return j, errors.New("The schedule's time is not HH:MM from 00:00 to 23:59: enter one like 07:00.")
	}
	j.Schedule = scheduled.Schedule{Hour: h, Minute: m}
	switch f.every.Selected {
	case "Weekly":
		j.Schedule.Every = scheduled.Weekly
		for d := time.Sunday; d <= time.Saturday; d++ {
			if d.String() == f.weekday.Selected {
				j.Schedule.Weekday = d
			}
		}
	case "Monthly":
		j.Schedule.Every = scheduled.Monthly
		j.Schedule.Day, _ = strconv.Atoi(f.day.Selected)
	default:
		j.Schedule.Every = scheduled.Daily
	}
	if err := j.Validate(); err != nil {
		return j, errors.New(errorWords(err))
	}
	// The plan is asked as the command line's jobs add asks it: the output must be included. A
	// job of another business is held to its own license by the Scheduler when it saves.
	if j.Tenant == "" || j.Tenant == f.s.Tenant().ID {
		if err := scheduled.Gate(f.s.Entitlements(), j); err != nil {
			return j, err
		}
	}
	return j, nil
}

// save checks the fields, then adds or updates the job off the UI goroutine. A problem is
// shown and the dialog opens again with what was entered.
func (f *jobForm) save(edit bool, saved func()) {
	j, err := f.build()
	if err != nil {
		f.again(j, edit, err, saved)
		return
	}
	sch := f.s.cfg.Scheduler
	Run(f.s.Ctx(), func(ctx context.Context) (scheduled.Job, error) {
		if edit {
			return j, sch.Update(ctx, j)
		}
		return sch.Add(ctx, j)
	}, func(got scheduled.Job, err error) {
		if err != nil {
			f.again(j, edit, errors.New(errorWords(err)), saved)
			return
		}
		if saved != nil {
			saved()
		}
		if !edit {
			dialog.ShowInformation("Job "+got.ID+" saved",
				fmt.Sprintf("%s, %s. The Schedules screen lists it with its next run.", capitalize(got.What()), lowerFirst(got.Schedule.Words())), f.s.Win)
		}
		if v := f.s.schedulesState().view; v != nil {
			v.reload()
		}
	})
}

// again shows err, then the dialog once more with the job as entered.
func (f *jobForm) again(j scheduled.Job, edit bool, err error, saved func()) {
	d := dialog.NewError(err, f.s.Win)
	d.SetOnClosed(func() { showJobDialog(f.s, j, edit, saved) })
	d.Show()
}

// The jobs' fields as the job dialog labels them (kept beside the dialog; words.go has the rest).
func init() {
	for field, label := range map[string]string{
		scheduled.FieldSchedule: "the Schedule",
		scheduled.FieldName:     "the File name",
		scheduled.FieldFolder:   "the Folder",
		scheduled.FieldJob:      "the job",
		scheduled.FieldReport:   "the report",
	} {
		fieldLabels[field] = label
	}
}

// jobDraft is the Exports screen's dataset, filters and period as a job of the active tenant.
func (v *exportsView) jobDraft() (scheduled.Job, string) {
	j := newJobDraft(v.s)
	j.Kind, j.Dataset, j.Format = scheduled.KindExport, v.dataset.Name, reports.FormatCSV
	j.Status, j.ServiceID, j.ResourceID, j.Active, j.Excel = v.status, v.service, v.resource, v.active, v.excel
	j.LapsedDays, _ = v.lapsedDaysValue()
	note := ""
	if v.dataset.DateField != "" {
		p, ok := relativePeriod(v.period)
		if !ok {
			note = customPeriodNote
		}
		j.Period = p
	}
	return j, note
}

// jobDraft is the report on show (its kind, filters and period) as a job of the active tenant.
func (d *docSaver) jobDraft() (scheduled.Job, string) {
	j := newJobDraft(d.s)
	j.Kind, j.Report, j.DocFormat, j.Paper = scheduled.KindReport, d.report, reports.DocPDF, d.s.paperPreference()
	if d.report == reports.ReportDashboard {
		return j, ""
	}
	req, err := d.request()
	if err != nil {
		return j, customPeriodNote
	}
	var p reports.Period
	switch d.report {
	case reports.ReportAppointments:
		p = req.Appointments.Period
		j.Status, j.ServiceID, j.ResourceID = req.Appointments.Filter.Status, req.Appointments.Filter.ServiceID, req.Appointments.Filter.ResourceID
	case reports.ReportRevenue:
		p, j.ServiceID = req.Revenue.Period, req.Revenue.ServiceID
	case reports.ReportCustomers:
		p, j.LapsedDays = req.Customers.Period, req.Customers.LapsedDays
	case reports.ReportStaff:
		p = req.Staff.Period
	}
	name, ok := resolvedPeriod(p)
	if !ok {
		return j, customPeriodNote
	}
	j.Period = name
	return j, ""
}

// jobFilterWords names a job's filters: "status completed, service #3".
func jobFilterWords(j scheduled.Job) string {
	w := reports.AppointmentFilter{Status: j.Status, ServiceID: j.ServiceID, ResourceID: j.ResourceID}.Words()
	if j.Active != nil {
		w = append(w, map[bool]string{true: "active only", false: "inactive only"}[*j.Active])
	}
	if j.LapsedDays != 0 {
		w = append(w, fmt.Sprintf("lapsed for %d days", j.LapsedDays))
	}
	return strings.Join(w, ", ")
}
