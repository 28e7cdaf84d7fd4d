package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// exportsWalk visits every object under o, widgets' rendered children included.
func exportsWalk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	visit(o)
	switch w := o.(type) {
	case *fyne.Container:
		for _, c := range w.Objects {
			exportsWalk(c, visit)
		}
	case *container.Scroll:
		exportsWalk(w.Content, visit)
	case fyne.Widget:
		if _, ok := w.(*widget.Select); ok {
			return
		}
		for _, c := range test.WidgetRenderer(w).Objects() {
			exportsWalk(c, visit)
		}
	}
}

func exportsTexts(o fyne.CanvasObject) string {
	var out []string
	exportsWalk(o, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			out = append(out, w.Text)
		case *widget.Button:
			out = append(out, "["+w.Text+"]")
		}
	})
	return strings.Join(out, " | ")
}

// settle drains UI callbacks until cond holds.
func settle(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		testPump.drain()
		time.Sleep(5 * time.Millisecond)
	}
}

func TestExportsScreenLocksFormatsByPlan(t *testing.T) {
	r := demoReports(t, time.Now())
	s, _ := newTestShell(t, r)
	_, o := newExportsView(s, r)
	testPump.drain()
	got := exportsTexts(o)
	for _, want := range []string{"[CSV…]", "STARTER", "PROFESSIONAL", "Period", "Status", "Service", "Resource"} {
		if !strings.Contains(got, want) {
			t.Errorf("screen lacks %q: %s", want, got)
		}
	}
	if strings.Contains(got, "[JSON…]") || strings.Contains(got, "[XLSX…]") {
		t.Errorf("JSON or XLSX offered unlocked on FREE: %s", got)
	}
}

func TestExportsScreenWritesAndShowsPath(t *testing.T) {
	r := demoReports(t, time.Now())
	s, _ := newTestShell(t, r)
	v, o := newExportsView(s, r)
	testPump.drain()
	v.chooseDataset("Customers")
	dir := t.TempDir()
	v.start(reports.FormatCSV, dir, false)
	settle(t, "the export to finish", func() bool { return v.job.stop == nil })
	got := exportsTexts(o)
	if !strings.Contains(got, "Exported") || !strings.Contains(got, dir) || !strings.Contains(got, "[Open folder]") {
		t.Fatalf("outcome: %s", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "customers_") {
		t.Fatalf("files %v", entries)
	}
}

// fakeExporter runs export in place of the reports service.
type fakeExporter struct {
	export func(ctx context.Context) (reports.ExportResult, error)
}

func (f fakeExporter) Export(ctx context.Context, _ license.Entitlements, req reports.ExportRequest) (reports.ExportResult, error) {
	req.Progress(10, 100)
	return f.export(ctx)
}

func (f fakeExporter) Catalog(context.Context) (reports.Catalog, error) {
	return reports.Catalog{}, nil
}

func TestExportsScreenCancel(t *testing.T) {
	r := demoReports(t, time.Now())
	s, _ := newTestShell(t, r)
	started := make(chan struct{})
	v, o := newExportsView(s, fakeExporter{export: func(ctx context.Context) (reports.ExportResult, error) {
		close(started)
		<-ctx.Done()
		return reports.ExportResult{}, ctx.Err()
	}})
	v.start(reports.FormatCSV, t.TempDir(), false)
	<-started
	settle(t, "progress", func() bool { return strings.Contains(v.job.rows.Text, "10 of 100 rows") })
	if !v.job.busy.Visible() {
		t.Fatal("progress and Cancel hidden while exporting")
	}
	test.Tap(v.job.cancel)
	settle(t, "the cancelled export", func() bool { return v.job.stop == nil })
	if got := exportsTexts(o); !strings.Contains(got, "cancelled; no file was written") || v.job.busy.Visible() {
		t.Fatalf("after cancel: %s", got)
	}
}

func TestExportsScreenShowsErrorsInADialog(t *testing.T) {
	r := demoReports(t, time.Now())
	s, _ := newTestShell(t, r)
	v, _ := newExportsView(s, fakeExporter{export: func(context.Context) (reports.ExportResult, error) {
		return reports.ExportResult{}, errors.New("export customers: write x: no space left on device")
	}})
	v.start(reports.FormatCSV, t.TempDir(), false)
	settle(t, "the failed export", func() bool { return v.job.stop == nil })
	top := s.Win.Canvas().Overlays().Top()
	if top == nil || !strings.Contains(exportsTexts(top), "no space left") {
		t.Fatalf("no error dialog: %v", top)
	}
}

func TestPeriodPickerOffersOnlyTheWindow(t *testing.T) {
	r := demoReports(t, time.Now())
	s, _ := newTestShell(t, r) // no license: FREE, 7 days
	var got []reports.PeriodRequest
	o := NewPeriodPicker(s, 30, func(p reports.PeriodRequest) { got = append(got, p) })
	var sel *widget.Select
	var prompt *fyne.Container
	var dates []*widget.DateEntry
	var apply *widget.Button
	exportsWalk(o, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Select:
			sel = w
		case *widget.DateEntry:
			dates = append(dates, w)
		case *widget.Button:
			if w.Text == "Apply" {
				apply = w
			}
		}
	})
	prompt = o.(*fyne.Container).Objects[2].(*fyne.Container)
	if sel.Selected != "Last 7 days" || len(got) != 1 || got[0].Days != "7" {
		t.Fatalf("initial %q, onChange %v; want the widest allowed preset, 7 days", sel.Selected, got)
	}
	locked := ""
	for _, opt := range sel.Options {
		if strings.HasPrefix(opt, "Last 30 days") {
			locked = opt
		}
	}
	if !strings.Contains(locked, "STARTER") {
		t.Fatalf("options %v: 30 days not shown locked with its plan", sel.Options)
	}
	sel.SetSelected(locked)
	if sel.Selected != "Last 7 days" || len(got) != 1 {
		t.Fatalf("locked range applied: selected %q, onChange %v", sel.Selected, got)
	}
	if txt := exportsTexts(prompt); !strings.Contains(txt, "STARTER") || !strings.Contains(txt, "[Upgrade]") {
		t.Fatalf("no upgrade prompt: %s", txt)
	}
	// Custom dates: inside the window they apply; before the cutoff they prompt.
	sel.SetSelected(periodCustom)
	today := time.Now().In(s.Tenant().Location())
	from, to := today.AddDate(0, 0, -3), today
	dates[0].SetDate(&from)
	dates[1].SetDate(&to)
	test.Tap(apply)
	if last := got[len(got)-1]; last.From != from.Format("2006-01-02") || last.To != to.Format("2006-01-02") {
		t.Fatalf("custom range not applied: %v", got)
	}
	old := today.AddDate(0, 0, -40)
	dates[0].SetDate(&old)
	n := len(got)
	test.Tap(apply)
	if len(got) != n || !strings.Contains(exportsTexts(prompt), "Upgrade to PROFESSIONAL") {
		t.Fatalf("range past the window applied or not explained: %v; %s", got, exportsTexts(prompt))
	}
}

// TestExportJobOutlivesTheScreen: leaving the Exports screen, or a license change that rebuilds
// it, keeps a running export's progress and Cancel, and its outcome once it has finished.
func TestExportJobOutlivesTheScreen(t *testing.T) {
	s, _ := newTestShell(t, demoReports(t, time.Now()))
	s.ShowID("exports")
	testPump.drain()
	release := make(chan struct{})
	j := s.exportJob()
	j.start(func(ctx context.Context, progress func(done, total int64)) (reports.ExportResult, error) {
		progress(10, 100)
		select {
		case <-release:
			return reports.ExportResult{Dataset: "customers", Rows: 42, Path: "/exports/customers.csv"}, nil
		case <-ctx.Done():
			return reports.ExportResult{}, ctx.Err()
		}
	})
	settle(t, "progress", func() bool { return strings.Contains(j.rows.Text, "10 of 100 rows") })
	s.ShowID("dashboard")
	s.ShowID("exports")
	s.Refresh() // what a license change does
	waitFor(t, "the refresh", current(s))
	if got := exportsTexts(s.Content()); !strings.Contains(got, "10 of 100 rows written") || !strings.Contains(got, "[Cancel]") || !j.busy.Visible() {
		t.Fatalf("back on Exports during the export: %s", got)
	}
	s.ShowID("dashboard")
	close(release)
	settle(t, "the export to finish", func() bool { return j.stop == nil })
	s.ShowID("exports")
	testPump.drain()
	if got := exportsTexts(s.Content()); !strings.Contains(got, "Exported 42 customers to /exports/customers.csv") || j.busy.Visible() {
		t.Fatalf("back on Exports after the export finished elsewhere: %s", got)
	}
}

// exportsFind returns the first object under o that match accepts.
func exportsFind[T fyne.CanvasObject](o fyne.CanvasObject, match func(T) bool) T {
	var found T
	done := false
	exportsWalk(o, func(c fyne.CanvasObject) {
		if t, ok := c.(T); ok && !done && match(t) {
			found, done = t, true
		}
	})
	return found
}

// TestExportSaveDialogReplacesOnlyWhenAsked: the save dialog proposes the default name in the
// remembered folder and refuses a path or a name whose extension is another format's. A name
// already there asks "Replace?": Cancel keeps the old file, Replace swaps the new export in.
func TestExportSaveDialogReplacesOnlyWhenAsked(t *testing.T) {
	r := demoReports(t, time.Now())
	s, _ := newTestShell(t, r)
	dir := t.TempDir()
	s.App.Preferences().SetString(exportFolderKey, dir)
	existing := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(existing, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	v, _ := newExportsView(s, r)
	testPump.drain()
	v.chooseDataset("Customers")
	entry, export := openSaveDialog(t, s, v, dir)
	if err := os.Mkdir(filepath.Join(dir, "old.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "sub/x.csv", "customers.json", "customers.XLSX", "old.csv"} {
		entry.SetText(bad)
		if !export.Disabled() {
			t.Fatalf("Export enabled for the name %q", bad)
		}
	}
	entry.SetText("customers.csv")
	if export.Disabled() {
		t.Fatalf("Export disabled for a taken name (it should ask instead): %v", entry.Validate())
	}
	test.Tap(export)
	tapOverlayButton(t, s, "Cancel")
	if b, _ := os.ReadFile(existing); string(b) != "keep me\n" || v.job.stop != nil {
		t.Fatalf("after Cancel on Replace?: file %q, export running %v", b, v.job.stop != nil)
	}
	entry, export = openSaveDialog(t, s, v, dir)
	entry.SetText("customers.csv")
	test.Tap(export)
	tapOverlayButton(t, s, "Replace")
	settle(t, "the export to finish", func() bool { return v.job.stop == nil && len(v.job.outcome.Objects) > 0 })
	if b, _ := os.ReadFile(existing); !strings.HasPrefix(string(b), "id,") {
		t.Fatalf("Replace did not replace the file: %.40q", b)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "customers (*")); len(m) > 0 {
		t.Fatalf("Replace wrote a numbered file instead: %v", m)
	}
}

// openSaveDialog opens the CSV save dialog and returns its name entry and Export button.
func openSaveDialog(t *testing.T, s *Shell, v *exportsView, dir string) (*widget.Entry, *widget.Button) {
	t.Helper()
	v.save(reports.FormatCSV)
	dlg := s.Win.Canvas().Overlays().Top()
	if dlg == nil {
		t.Fatal("no save dialog")
	}
	entry := exportsFind(dlg, func(*widget.Entry) bool { return true })
	export := exportsFind(dlg, func(b *widget.Button) bool { return b.Text == "Export" })
	if entry == nil || export == nil {
		t.Fatalf("dialog lacks the name entry or the Export button: %s", exportsTexts(dlg))
	}
	if !strings.HasPrefix(entry.Text, "customers_") || !strings.HasSuffix(entry.Text, ".csv") || export.Disabled() {
		t.Fatalf("proposed name %q (Export disabled: %v); want customers_….csv, enabled", entry.Text, export.Disabled())
	}
	if got := exportsTexts(dlg); !strings.Contains(got, dir) {
		t.Fatalf("dialog does not show the folder %s: %s", dir, got)
	}
	return entry, export
}

// tapOverlayButton taps the button labelled text on the topmost dialog.
func tapOverlayButton(t *testing.T, s *Shell, text string) {
	t.Helper()
	top := s.Win.Canvas().Overlays().Top()
	b := exportsFind(top, func(b *widget.Button) bool { return b.Text == text })
	if top == nil || b == nil {
		t.Fatalf("no %q button on the top dialog: %v", text, top)
	}
	test.Tap(b)
}
