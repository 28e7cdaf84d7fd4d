package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"

	"github.com/almanac-app/almanac/data"
)

// Exporter is what the Exports screen asks of the reports layer.
type Exporter interface {
	Export(ctx context.Context, ents license.Entitlements, req reports.ExportRequest) (reports.ExportResult, error)
	Catalog(ctx context.Context) (reports.Catalog, error)
}

var _ Exporter = (*reports.Service)(nil)

// Labels of the "any" choice of the filter selects.
const (
	anyStatus = "Any status"
	anyOne    = "Any"
)

// exportsView is the Exports screen: the chosen dataset and filters, the format buttons, and
// the shell's export job (progress and outcome). The view is rebuilt whenever the screen is
// shown or the license changes; the job is not.
type exportsView struct {
	s        *Shell
	ex       Exporter
	datasets []reports.DatasetInfo
	catalog  reports.Catalog

	dataset  reports.DatasetInfo
	period   reports.PeriodRequest
	status   string
	service  int64
	resource int64
	active   *bool
	excel    bool
	// lapsedDays is the "Lapsed for (days)" field of a dataset with that parameter (nil otherwise).
	lapsedDays *widget.Entry

	filters *fyne.Container
	body    *fyne.Container // the screen's column: laid out again when the filters change height
	buttons *fyne.Container
	job     *exportJob
}

// exportJob is the running (or last finished) export: its progress bar, Cancel button and
// outcome line. The shell keeps it, so leaving the Exports screen, or a license change that
// rebuilds it, loses neither the progress, nor Cancel, nor the "Exported … to …" line, and a
// second export cannot start while one runs.
type exportJob struct {
	s        *Shell
	progress *progressBar
	rows     *widget.Label
	cancel   *widget.Button
	busy     *fyne.Container
	outcome  *fyne.Container
	root     *fyne.Container
	stop     context.CancelFunc
}

// exportJob returns the shell's export job, creating it the first time.
func (s *Shell) exportJob() *exportJob {
	if s.exports == nil {
		j := &exportJob{s: s, progress: newProgressBar(), rows: widget.NewLabel(""), outcome: container.NewVBox()}
		j.cancel = &widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: j.cancelExport}
		j.busy = container.NewBorder(nil, nil, nil, j.cancel, container.NewVBox(j.progress, j.rows))
		j.busy.Hide()
		j.root = container.NewVBox(j.busy, j.outcome)
		s.exports = j
	}
	return s.exports
}

func buildExports(s *Shell) fyne.CanvasObject {
	_, o := newExportsView(s, s.Reports())
	return o
}

func newExportsView(s *Shell, ex Exporter) (*exportsView, fyne.CanvasObject) {
	v := &exportsView{s: s, ex: ex, datasets: reports.Datasets(), job: s.exportJob()}
	v.dataset = v.datasets[0]
	v.filters = container.New(layout.NewFormLayout())
	v.buttons = container.New(layout.NewRowWrapLayout()) // locked buttons name their plans: wrap at 900 px

	names := make([]string, len(v.datasets))
	for i, d := range v.datasets {
		names[i] = d.Title
	}
	picker := widget.NewSelect(names, func(title string) { v.chooseDataset(title) })
	intro := widget.NewLabel(fmt.Sprintf("Export a dataset to a file for Excel, your accountant or a script. Times and dates are in %s; "+
		"the file is written only when complete, and replaces an existing one only if you choose Replace.", s.Tenant().TimeZone))
	intro.Wrapping = fyne.TextWrapWord
	top := container.New(layout.NewFormLayout(), widget.NewLabel("Dataset"), picker)
	v.body = container.NewVBox(
		widget.NewLabelWithStyle("Exports", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), intro,
		top, v.filters, widget.NewSeparator(),
		container.NewBorder(nil, nil, container.NewVBox(widget.NewLabel("Export as")), nil, v.buttons), v.job.root)
	Run(s.Ctx(), ex.Catalog, func(c reports.Catalog, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("read services and resources: %w", err), s.Win)
		}
		v.catalog = c
		v.chooseDataset(v.dataset.Title)
	})
	picker.SetSelected(v.dataset.Title)
	return v, container.NewVScroll(v.body)
}

// chooseDataset resets the filters to the new dataset's own.
func (v *exportsView) chooseDataset(title string) {
	for _, d := range v.datasets {
		if d.Title == title {
			v.dataset = d
		}
	}
	v.period, v.status, v.service, v.resource, v.active, v.lapsedDays = reports.PeriodRequest{}, "", 0, 0, nil, nil
	v.filters.Objects = v.filterRows()
	v.filters.Refresh()
	if v.body != nil {
		v.body.Refresh() // a shorter set of filters must not leave a gap above Export as
	}
	v.setButtons()
}

// filterRows are label/widget pairs for the dataset's filters.
func (v *exportsView) filterRows() []fyne.CanvasObject {
	d := v.dataset
	var rows []fyne.CanvasObject
	add := func(label string, o fyne.CanvasObject) { rows = append(rows, widget.NewLabel(label), o) }
	if _, ok := v.datasetGate(); !ok {
		// The dataset's plan prompt takes the place of its settings, which could not be used.
		add("Plan", NewUpgradePrompt(v.s, PromptInline, d.Feature))
	} else if d.Param == data.FieldLapsedDays {
		add(lapsedDaysLabel, v.lapsedDaysField())
	}
	if d.DateField != "" {
		initial := 0
		if d.Name == reports.DatasetPayments {
			initial = reports.PaymentsDefaultDays
		}
		note := widget.NewLabel("Filters on the " + d.DateField + ".")
		note.SizeName = theme.SizeNameCaptionText
		add("Period", container.NewVBox(NewPeriodPicker(v.s, initial, func(p reports.PeriodRequest) { v.period = p }), note))
	}
	for _, f := range d.Filters {
		switch f {
		case "status":
			add("Status", v.statusSelect())
		case "service":
			add("Service", v.optionSelect(v.catalog.Services, func(id int64) { v.service = id }))
		case "resource":
			add("Resource", v.optionSelect(v.catalog.Resources, func(id int64) { v.resource = id }))
		case "active":
			add("Active", v.activeSelect())
		}
	}
	excel := widget.NewCheck("CSV for Excel (adds a UTF-8 byte-order mark so accents show right)", func(b bool) { v.excel = b })
	excel.SetChecked(v.excel)
	add("Options", excel)
	return rows
}

// lapsedDaysLabel is the label of the lapsed customers' days field.
const lapsedDaysLabel = "Lapsed for (days)"

// lapsedDaysField is the days without a visit that make a customer lapsed, checked as typed
// by the rule of the export (and of the customers report); empty is the default.
func (v *exportsView) lapsedDaysField() fyne.CanvasObject {
	e := widget.NewEntry()
	e.SetText(strconv.Itoa(reports.DefaultLapsedDays))
	e.Validator = func(text string) error {
		if _, err := reports.ParseLapsedDays(strings.TrimSpace(text)); err != nil {
			return nameProblem(errorWords(err))
		}
		return nil
	}
	e.AlwaysShowValidationError = true
	v.lapsedDays = e
	// One unwrapped line, like the Period note: a wrapped label asks the form for the height of
	// its narrowest wrap and leaves a gap under the field.
	note := widget.NewLabel("Active customers with no visit for more than this many days and nothing booked ahead.")
	note.SizeName = theme.SizeNameCaptionText
	return container.NewVBox(e, note)
}

// lapsedDaysValue is the Lapsed for (days) field's value (0 when the dataset has no such field).
func (v *exportsView) lapsedDaysValue() (int, error) {
	if v.lapsedDays == nil {
		return 0, nil
	}
	return reports.ParseLapsedDays(strings.TrimSpace(v.lapsedDays.Text))
}

// datasetGate is the chosen dataset's own plan gate (besides the formats'); ok when allowed.
func (v *exportsView) datasetGate() (gate, bool) {
	if v.dataset.Feature == "" {
		return gate{}, true
	}
	return gateFor(v.s, v.dataset.Feature)
}

func (v *exportsView) statusSelect() fyne.CanvasObject {
	opts := append([]string{anyStatus}, v.dataset.Statuses...)
	sel := widget.NewSelect(opts, func(s string) {
		v.status = s
		if s == anyStatus {
			v.status = ""
		}
	})
	sel.SetSelected(anyStatus)
	return sel
}

func (v *exportsView) optionSelect(options []reports.Option, set func(int64)) fyne.CanvasObject {
	labels := []string{anyOne}
	ids := map[string]int64{}
	for _, o := range options {
		l := o.Name
		if !o.Active {
			l += " (inactive)"
		}
		l = fmt.Sprintf("%s · #%d", l, o.ID)
		labels = append(labels, l)
		ids[l] = o.ID
	}
	sel := widget.NewSelect(labels, func(l string) { set(ids[l]) })
	sel.SetSelected(anyOne)
	return sel
}

func (v *exportsView) activeSelect() fyne.CanvasObject {
	yes, no := true, false
	choices := map[string]*bool{anyOne: nil, "Active only": &yes, "Inactive only": &no}
	sel := widget.NewSelect([]string{anyOne, "Active only", "Inactive only"}, func(s string) { v.active = choices[s] })
	sel.SetSelected(anyOne)
	return sel
}

// setButtons shows one button per format; a format the plan lacks, or every format of a dataset
// the plan lacks, is a locked button naming the plan that unlocks it.
func (v *exportsView) setButtons() {
	var items []fyne.CanvasObject
	for _, f := range reports.Formats() {
		feature := f.Feature()
		if _, ok := v.datasetGate(); !ok {
			feature = v.dataset.Feature
		}
		items = append(items, NewLockedButton(v.s, feature, f.Label()+"…", theme.DocumentSaveIcon(), func() { v.save(f) }))
	}
	if b := saveAsJobButton(v.s, v.jobDraft); b != nil {
		items = append(items, b)
	}
	v.buttons.Objects = items
	v.buttons.Refresh()
}

// save asks for a folder and a file name, then exports there. This is Almanac's own dialog,
// not Fyne's file-save dialog: that one empties an existing file the moment the user confirms
// "Overwrite?", before the export has even started, so a cancelled or failed export would lose
// the old file. Here a name already taken asks "Replace?", and the engine then swaps the new
// file in by a rename only once it is complete, as `almanac export --overwrite` does.
func (v *exportsView) save(f reports.Format) {
	if v.job.stop != nil {
		return // one export at a time; the running one has its Cancel
	}
	if _, err := v.lapsedDaysValue(); err != nil {
		dialog.ShowError(exportError(err), v.s.Win)
		return
	}
	folder := v.s.exportFolder()
	folderLabel := widget.NewLabel(folder)
	folderLabel.Wrapping = fyne.TextWrapBreak
	name := widget.NewEntry()
	name.SetText(reports.DefaultFileName(v.dataset.Name, f, v.s.Now().In(v.s.Tenant().Location())))
	name.Validator = func(text string) error { return exportNameError(folder, text, f) }
	name.AlwaysShowValidationError = true // judge the name as it is typed, not on leaving the field
	choose := widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), func() {
		v.chooseFolder(folder, func(dir string) {
			folder = dir
			folderLabel.SetText(dir)
			v.s.App.Preferences().SetString(exportFolderKey, dir)
			name.Validate()
		})
	})
	items := []*widget.FormItem{
		widget.NewFormItem("Folder", container.NewBorder(nil, nil, nil, choose, folderLabel)),
		widget.NewFormItem("File name", name),
	}
	d := dialog.NewForm(fmt.Sprintf("Export %s as %s", strings.ToLower(v.dataset.Title), f.Label()), "Export", "Cancel", items,
		func(ok bool) {
			if !ok {
				return
			}
			if err := exportNameError(folder, name.Text, f); err != nil { // the folder changed meanwhile
				dialog.ShowError(err, v.s.Win)
				return
			}
			v.confirmReplace(f, filepath.Join(folder, strings.TrimSpace(name.Text)))
		}, v.s.Win)
	d.Resize(fyne.NewSize(640, d.MinSize().Height))
	d.Show()
	v.s.Win.Canvas().Focus(name)
}

// confirmReplace starts the export to path, first asking "Replace?" when a file is already there.
// The old file stays until the new one is complete; a failed or cancelled export keeps it.
func (v *exportsView) confirmReplace(f reports.Format, path string) {
	askReplace(v.s, path, "the export", func(replace bool) { v.start(f, path, replace) })
}

// askReplace calls start(false) when nothing is at path, else asks "Replace?" first and calls
// start(true) only if the owner chooses Replace. what names the work ("the export", "the save").
func askReplace(s *Shell, path, what string, start func(replace bool)) {
	if _, err := os.Lstat(path); err != nil {
		start(false)
		return
	}
	msg := widget.NewLabel(fmt.Sprintf("%s is already in %s.\nReplacing it swaps in the new file only once %s is complete; "+
		"if %s fails or you cancel it, the old file stays as it is.", filepath.Base(path), filepath.Dir(path), what, what))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Replace "+filepath.Base(path)+"?", "Replace", "Cancel", msg, func(replace bool) {
		if replace {
			start(true)
		}
	}, s.Win)
	d.Resize(fyne.NewSize(560, d.MinSize().Height))
	d.Show()
}

// exportFolderKey is the preference that remembers the last export folder.
const exportFolderKey = "exports.folder"

// exportFolder is the folder exports go to: the last one chosen, else Documents, else home.
func (s *Shell) exportFolder() string {
	if dir := s.App.Preferences().String(exportFolderKey); isDir(dir) {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "."
	}
	if docs := filepath.Join(home, "Documents"); isDir(docs) {
		return docs
	}
	return home
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return path != "" && err == nil && st.IsDir()
}

// chooseFolder shows a folder picker starting at from; picked gets the chosen folder.
func (v *exportsView) chooseFolder(from string, picked func(dir string)) {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil {
			dialog.ShowError(err, v.s.Win)
			return
		}
		if u != nil {
			picked(u.Path())
		}
	}, v.s.Win)
	if lu, err := storage.ListerForURI(storage.NewFileURI(from)); err == nil {
		d.SetLocation(lu)
	}
	d.Show()
	d.Resize(fitWindow(v.s.Win, fyne.NewSize(900, 600))) // after Show: the dialog builds its content there
}

// nameProblem is a sentence shown under the file name field.
type nameProblem string

func (p nameProblem) Error() string { return string(p) }

// exportNameError says what is wrong with name as the file of an f export in folder, or nil. A
// name already taken is not wrong: Export then asks before replacing it.
func exportNameError(folder, name string, f reports.Format) error {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return nameProblem("Enter a file name.")
	case name == "." || name == ".." || strings.ContainsAny(name, `/\`):
		return nameProblem("Enter a file name, not a path; choose the folder above.")
	case !isDir(folder):
		return nameProblem("The folder " + folder + " is not there any more: choose another.")
	}
	if isDir(filepath.Join(folder, name)) {
		return nameProblem("That is a folder in this folder: enter a file name.")
	}
	if reports.CheckOutName(name, f) != nil {
		return nameProblem(fmt.Sprintf("A %s export needs a name ending in .%s.", f.Label(), f))
	}
	return nil
}

// start runs the export off the UI goroutine with progress and Cancel.
func (v *exportsView) start(f reports.Format, path string, overwrite bool) {
	req := reports.ExportRequest{
		Dataset: v.dataset.Name, Format: f, Period: v.period, Status: v.status,
		ServiceID: v.service, ResourceID: v.resource, Active: v.active, Excel: v.excel && f == reports.FormatCSV,
		Out: path, Overwrite: overwrite, AppVersion: v.s.Config().Version,
	}
	req.LapsedDays, _ = v.lapsedDaysValue() // checked by save; the engine checks it again
	ents, ex := v.s.Entitlements(), v.ex
	v.job.start(func(ctx context.Context, progress func(done, total int64)) (reports.ExportResult, error) {
		req.Progress = progress
		return ex.Export(ctx, ents, req)
	})
}

// start runs export off the UI goroutine, showing its progress, then its outcome.
func (j *exportJob) start(export func(ctx context.Context, progress func(done, total int64)) (reports.ExportResult, error)) {
	j.outcome.Objects = nil
	j.outcome.Refresh()
	j.progress.SetValue(0)
	j.rows.SetText("Reading the data…")
	j.busy.Show()
	progress := func(done, total int64) { j.s.Do(func() { j.showProgress(done, total) }) }
	j.stop = Run(j.s.Ctx(), func(ctx context.Context) (reports.ExportResult, error) {
		return export(ctx, progress)
	}, j.finish)
}

func (j *exportJob) showProgress(done, total int64) {
	if j.stop == nil {
		return // a late report after the export finished
	}
	if total > 0 {
		j.progress.SetValue(float64(done) / float64(total))
	}
	j.rows.SetText(fmt.Sprintf("%s of %s rows written", data.Thousands(done), data.Thousands(total)))
}

func (j *exportJob) cancelExport() {
	if j.stop != nil {
		j.rows.SetText("Cancelling…")
		j.stop()
	}
}

// finish shows the outcome: the path with "Open folder", a quiet note when cancelled, or the
// error in a dialog.
func (j *exportJob) finish(res reports.ExportResult, err error) {
	j.stop = nil
	j.busy.Hide()
	switch {
	case errors.Is(err, context.Canceled):
		j.setOutcome(widget.NewLabel("Export cancelled; no file was written."))
	case err != nil:
		dialog.ShowError(exportError(err), j.s.Win)
	default:
		j.setOutcome(j.success(res))
	}
}

// exportError keeps the engine's message, which names the problem and the fix, worded with
// the screen's labels.
func exportError(err error) error {
	return errors.New(errorWords(err))
}

func (j *exportJob) success(res reports.ExportResult) fyne.CanvasObject {
	msg := fmt.Sprintf("Exported %s %s to %s", data.Thousands(res.Rows), res.Dataset, res.Path)
	if res.Notice != nil {
		msg += "\n" + daysNoticeText(res.Notice)
	}
	if res.Taken != "" {
		msg += "\n" + filepath.Base(res.Taken) + " appeared meanwhile, so the export got a numbered name."
	}
	open := &widget.Button{Text: "Open folder", Icon: theme.FolderOpenIcon(), OnTapped: func() {
		dir := filepath.Dir(res.Path)
		openLink(j.s, &url.URL{Scheme: "file", Path: dir}, "the export folder", dir)
	}}
	return NewBanner(BannerInfo, msg, open)
}

func (j *exportJob) setOutcome(o fyne.CanvasObject) {
	j.outcome.Objects = []fyne.CanvasObject{o}
	j.outcome.Refresh()
}
