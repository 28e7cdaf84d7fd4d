package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// DocumentSaver is what the report screens' "Save as PDF" and "Save as Excel" ask of the
// reports layer: the service computes the report, gates it and writes the file atomically.
type DocumentSaver interface {
	SaveDocument(ctx context.Context, ents license.Entitlements, req reports.DocumentRequest, f reports.DocFormat, path string, overwrite bool) (string, error)
}

var _ DocumentSaver = (*reports.Service)(nil)

// prefPaper remembers the paper size of PDF reports: "" (from the time zone), "a4" or "letter".
const prefPaper = "reports.paper"

// paperChoices are the Settings choices for prefPaper, in order.
var paperChoices = []struct {
	label string
	paper reports.Paper
}{{"Automatic (from the time zone)", ""}, {"A4", reports.PaperA4}, {"Letter", reports.PaperLetter}}

// paperPreference is the paper the user chose in Settings; "" lets the tenant's zone decide.
func (s *Shell) paperPreference() reports.Paper {
	p, err := reports.ParsePaper(s.App.Preferences().String(prefPaper))
	if err != nil {
		return ""
	}
	return p
}

// paperSetting is the Settings row choosing the paper of PDF reports.
func paperSetting(s *Shell) fyne.CanvasObject {
	labels := make([]string, len(paperChoices))
	for i, c := range paperChoices {
		labels[i] = c.label
	}
	sel := widget.NewSelect(labels, nil)
	current := s.paperPreference()
	for _, c := range paperChoices {
		if c.paper == current {
			sel.Selected = c.label
		}
	}
	sel.OnChanged = func(label string) {
		for _, c := range paperChoices {
			if c.label == label {
				s.App.Preferences().SetString(prefPaper, string(c.paper))
			}
		}
	}
	auto := reports.DefaultPaper(s.Tenant().TimeZone)
	note := widget.NewLabel(fmt.Sprintf("Automatic is %s for %s.", paperName(auto), s.Tenant().TimeZone))
	note.SizeName = theme.SizeNameCaptionText
	return container.NewVBox(sel, note)
}

func paperName(p reports.Paper) string {
	if p == reports.PaperLetter {
		return "US Letter"
	}
	return "A4"
}

// docSaver is one report screen's "Save as PDF" and "Save as Excel" buttons with their save:
// the dialog (folder and name, Replace only when chosen), progress with Cancel, and the outcome
// with "Open folder".
type docSaver struct {
	s       *Shell
	saver   DocumentSaver
	report  reports.Report
	request func() (reports.DocumentRequest, error) // the screen's report as it is on show

	buttons *fyne.Container
	cancel  *widget.Button
	busy    *fyne.Container
	note    *widget.Label
	outcome *fyne.Container
	root    *fyne.Container
	stop    context.CancelFunc
}

// newDocSaver builds the buttons for report; request gives the screen's current query.
func newDocSaver(s *Shell, saver DocumentSaver, report reports.Report, request func() (reports.DocumentRequest, error)) *docSaver {
	d := &docSaver{s: s, saver: saver, report: report, request: request, note: widget.NewLabel(""), outcome: container.NewVBox()}
	d.cancel = &widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: d.cancelSave}
	d.busy = container.NewBorder(nil, nil, nil, d.cancel, container.NewVBox(widget.NewProgressBarInfinite(), d.note))
	d.busy.Hide()
	// Wrapped, not one row: locked, the three buttons name their plans and pass 900 px.
	d.buttons = container.New(layout.NewRowWrapLayout())
	for _, f := range []reports.DocFormat{reports.DocPDF, reports.DocXLSX} {
		d.buttons.Add(NewLockedButton(s, documentFeature(s.Entitlements(), report, f), "Save as "+f.Label()+"…",
			theme.DocumentSaveIcon(), func() { d.save(f) }))
	}
	if b := saveAsJobButton(s, d.jobDraft); b != nil {
		d.buttons.Add(b)
	}
	d.root = container.NewVBox(d.buttons, d.busy, d.outcome)
	return d
}

// withDocSaver puts a report tab's Save buttons above its content.
func withDocSaver(d *docSaver, content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(d.root, nil, nil, nil, content)
}

// staffTab is the Staff tab with its Save buttons: the staff report as a document.
func (v *analyticsView) staffTab() *container.TabItem {
	t := v.staff.tab()
	t.Content = withDocSaver(newDocSaver(v.s, v.ar, reports.ReportStaff, v.documentRequest), t.Content)
	return t
}

// what names the report in the dialog and the outcome: "staff" for the resources report (the
// tab's name), else the report's own name.
func (d *docSaver) what() string {
	if d.report == reports.ReportStaff {
		return "staff"
	}
	return string(d.report)
}

// documentFeature is the feature a button is locked by: the one the reports gate refuses with
// (the report's or the format's, whichever names the plan that unlocks the document), else the
// format's.
func documentFeature(ents license.Entitlements, r reports.Report, f reports.DocFormat) string {
	var ue *license.UpgradeError
	if err := reports.CheckDocument(ents, r, f); errors.As(err, &ue) {
		return ue.Feature
	}
	return f.Feature()
}

// save asks for the folder and the name, as the Exports screen does, then saves there.
func (d *docSaver) save(f reports.DocFormat) {
	if d.stop != nil {
		return // one save at a time; the running one has its Cancel
	}
	folder := d.s.exportFolder()
	folderLabel := widget.NewLabel(folder)
	folderLabel.Wrapping = fyne.TextWrapBreak
	name := widget.NewEntry()
	name.SetText(reports.DefaultFileName(string(d.report), reports.Format(f), d.s.Now().In(d.s.Tenant().Location())))
	name.Validator = func(text string) error { return documentNameError(folder, text, f) }
	name.AlwaysShowValidationError = true
	choose := widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), func() {
		(&exportsView{s: d.s}).chooseFolder(folder, func(dir string) {
			folder = dir
			folderLabel.SetText(dir)
			d.s.App.Preferences().SetString(exportFolderKey, dir)
			name.Validate()
		})
	})
	items := []*widget.FormItem{
		widget.NewFormItem("Folder", container.NewBorder(nil, nil, nil, choose, folderLabel)),
		widget.NewFormItem("File name", name),
	}
	dlg := dialog.NewForm(fmt.Sprintf("Save the %s report as %s", d.what(), f.Label()), "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		if err := documentNameError(folder, name.Text, f); err != nil { // the folder changed meanwhile
			dialog.ShowError(err, d.s.Win)
			return
		}
		d.confirmReplace(f, filepath.Join(folder, strings.TrimSpace(name.Text)))
	}, d.s.Win)
	dlg.Resize(fyne.NewSize(640, dlg.MinSize().Height))
	dlg.Show()
	d.s.Win.Canvas().Focus(name)
}

// documentNameError says what is wrong with name as an f document's file in folder, or nil. A
// name already taken is not wrong: the save then asks before replacing it.
func documentNameError(folder, name string, f reports.DocFormat) error {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return nameProblem("Enter a file name.")
	case name == "." || name == ".." || strings.ContainsAny(name, `/\`):
		return nameProblem("Enter a file name, not a path; choose the folder above.")
	case !isDir(folder):
		return nameProblem("The folder " + folder + " is not there any more: choose another.")
	case isDir(filepath.Join(folder, name)):
		return nameProblem("That is a folder in this folder: enter a file name.")
	case !strings.EqualFold(filepath.Ext(name), "."+string(f)):
		return nameProblem(fmt.Sprintf("A %s report needs a name ending in .%s.", f.Label(), f))
	}
	return nil
}

// confirmReplace saves to path, first asking "Replace?" when a file is already there; the old
// file stays until the new one is complete.
func (d *docSaver) confirmReplace(f reports.DocFormat, path string) {
	askReplace(d.s, path, "the save", func(replace bool) { d.start(f, path, replace) })
}

// start saves off the UI goroutine with progress and Cancel. The request is the screen's
// report as shown, with the paper from Settings and this build's version.
func (d *docSaver) start(f reports.DocFormat, path string, overwrite bool) {
	req, err := d.request()
	if err != nil {
		dialog.ShowError(exportError(err), d.s.Win)
		return
	}
	req.Report, req.Paper, req.Version = d.report, d.s.paperPreference(), d.s.Config().Version
	ents, saver := d.s.Entitlements(), d.saver
	d.outcome.RemoveAll()
	d.note.SetText(fmt.Sprintf("Saving the %s report as %s…", d.what(), f.Label()))
	d.busy.Show()
	d.stop = Run(d.s.Ctx(), func(ctx context.Context) (string, error) {
		return saver.SaveDocument(ctx, ents, req, f, path, overwrite)
	}, func(saved string, err error) { d.finish(f, saved, err) })
}

func (d *docSaver) cancelSave() {
	if d.stop != nil {
		d.note.SetText("Cancelling…")
		d.stop()
	}
}

// finish shows the outcome: the path with "Open folder", a quiet note when cancelled, or the
// error in a dialog.
func (d *docSaver) finish(f reports.DocFormat, path string, err error) {
	d.stop = nil
	d.busy.Hide()
	switch {
	case errors.Is(err, context.Canceled):
		d.outcome.Add(widget.NewLabel("Save cancelled; no file was written."))
	case err != nil:
		dialog.ShowError(exportError(err), d.s.Win)
	default:
		open := &widget.Button{Text: "Open folder", Icon: theme.FolderOpenIcon(), OnTapped: func() {
			dir := filepath.Dir(path)
			openLink(d.s, &url.URL{Scheme: "file", Path: dir}, "the folder", dir)
		}}
		d.outcome.Add(NewBanner(BannerInfo, fmt.Sprintf("Saved the %s report as %s to %s", d.what(), f.Label(), path), open))
	}
}
