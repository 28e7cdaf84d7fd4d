package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// savedCall is one SaveDocument the screens asked for.
type savedCall struct {
	req       reports.DocumentRequest
	f         reports.DocFormat
	path      string
	overwrite bool
}

// docFake records the saves; block, when set, holds a save until its context is cancelled.
type docFake struct {
	mu    sync.Mutex
	calls []savedCall
	block bool
}

func (d *docFake) reports(t data.Tenant) fakeReports {
	r := tenantOnly(t)
	r.saveDocument = func(ctx context.Context, _ license.Entitlements, req reports.DocumentRequest, f reports.DocFormat, path string, overwrite bool) (string, error) {
		d.mu.Lock()
		d.calls = append(d.calls, savedCall{req, f, path, overwrite})
		d.mu.Unlock()
		if d.block {
			<-ctx.Done()
			return "", ctx.Err()
		}
		return path, nil
	}
	return r
}

func (d *docFake) last(t *testing.T) savedCall {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.calls) == 0 {
		t.Fatal("no save")
	}
	return d.calls[len(d.calls)-1]
}

func (d *docFake) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.calls)
}

func planShell(t *testing.T, p license.Plan) *licFixture {
	t.Helper()
	var text []byte
	if p != license.Free {
		text = licPlan(t, p)
	}
	return newLicShell(t, licTenant(true), text)
}

func buttonTexts(o fyne.CanvasObject) []string {
	var out []string
	exportsWalk(o, func(c fyne.CanvasObject) {
		if b, ok := c.(*widget.Button); ok && strings.HasPrefix(b.Text, "Save as") {
			out = append(out, b.Text)
		}
	})
	return out
}

func selectTab(o fyne.CanvasObject, i int) {
	if tabs := exportsFind(o, func(*container.AppTabs) bool { return true }); tabs != nil {
		tabs.SelectIndex(i)
	}
}

// The buttons are on the Dashboard and on each Analytics tab; the locked ones name the plan
// that adds them: the format's, or the report's own when the plan lacks the report.
func TestReportSaveButtonsLockByPlan(t *testing.T) {
	cases := []struct {
		plan              license.Plan
		dash, appts, revs []string
	}{
		{license.Free, []string{"Save as PDF… · STARTER", "Save as Excel… · PROFESSIONAL"},
			[]string{"Save as PDF… · STARTER", "Save as Excel… · PROFESSIONAL"}, // Excel of a STARTER report: PROFESSIONAL unlocks it
			[]string{"Save as PDF… · PROFESSIONAL", "Save as Excel… · PROFESSIONAL"}},
		{license.Starter, []string{"Save as PDF…", "Save as Excel… · PROFESSIONAL"},
			[]string{"Save as PDF…", "Save as Excel… · PROFESSIONAL"},
			[]string{"Save as PDF… · PROFESSIONAL", "Save as Excel… · PROFESSIONAL"}},
		{license.Professional, []string{"Save as PDF…", "Save as Excel…"}, []string{"Save as PDF…", "Save as Excel…"}, []string{"Save as PDF…", "Save as Excel…"}},
	}
	for _, c := range cases {
		t.Run(c.plan.String(), func(t *testing.T) {
			f := planShell(t, c.plan)
			fake := &docFake{}
			r := fake.reports(licTenant(true))
			dash := newDashboard(f.s, r)
			f.drain()
			if got := buttonTexts(dash); strings.Join(got, "|") != strings.Join(c.dash, "|") {
				t.Errorf("dashboard buttons %q, want %q", got, c.dash)
			}
			if c.appts == nil {
				return
			}
			an := newAnalytics(f.s, r)
			f.drain()
			if got := buttonTexts(an); strings.Join(got, "|") != strings.Join(c.appts, "|") {
				t.Errorf("appointments tab buttons %q, want %q", got, c.appts)
			}
			selectTab(an, 1)
			if got := buttonTexts(an); strings.Join(got, "|") != strings.Join(c.revs, "|") {
				t.Errorf("revenue tab buttons %q, want %q", got, c.revs)
			}
		})
	}
}

// tapButton taps the first button under o whose text starts with prefix.
func tapButton(t *testing.T, o fyne.CanvasObject, prefix string) {
	t.Helper()
	b := exportsFind(o, func(b *widget.Button) bool { return strings.HasPrefix(b.Text, prefix) })
	if b == nil {
		t.Fatalf("no %q button in %s", prefix, exportsTexts(o))
	}
	test.Tap(b)
}

// saveThroughDialog taps "Save as …", types name in the dialog and taps Save.
func saveThroughDialog(t *testing.T, f *licFixture, o fyne.CanvasObject, button, name string) {
	t.Helper()
	tapButton(t, o, button)
	dlg := f.s.Win.Canvas().Overlays().Top()
	if dlg == nil {
		t.Fatal("no save dialog")
	}
	entry := exportsFind(dlg, func(*widget.Entry) bool { return true })
	save := exportsFind(dlg, func(b *widget.Button) bool { return b.Text == "Save" })
	if entry == nil || save == nil {
		t.Fatalf("dialog %s", exportsTexts(dlg))
	}
	if name != "" {
		entry.SetText(name)
	}
	if save.Disabled() {
		t.Fatalf("Save disabled for %q: %v", entry.Text, entry.Validate())
	}
	test.Tap(save)
}

// The Analytics tab saves its report as shown (period, filters), with the paper from Settings;
// a taken name asks first and replaces only when Replace is chosen; the outcome offers the folder.
func TestReportSaveDialogRequestAndReplace(t *testing.T) {
	f := planShell(t, license.Professional)
	dir := t.TempDir()
	f.s.App.Preferences().SetString(exportFolderKey, dir)
	f.s.App.Preferences().SetString(prefPaper, "a4")
	fake := &docFake{}
	an := newAnalytics(f.s, fake.reports(licTenant(true)))
	f.drain()

	tapButton(t, an, "Save as PDF")
	dlg := f.s.Win.Canvas().Overlays().Top()
	entry := exportsFind(dlg, func(*widget.Entry) bool { return true })
	save := exportsFind(dlg, func(b *widget.Button) bool { return b.Text == "Save" })
	if !strings.HasPrefix(entry.Text, "appointments_") || !strings.HasSuffix(entry.Text, ".pdf") || !strings.Contains(exportsTexts(dlg), dir) {
		t.Fatalf("proposed %q in %s", entry.Text, exportsTexts(dlg))
	}
	for _, bad := range []string{"", "a/b.pdf", "report.xlsx", "report"} {
		entry.SetText(bad)
		if !save.Disabled() {
			t.Errorf("Save enabled for %q", bad)
		}
	}
	entry.SetText("March.PDF")
	test.Tap(save)
	f.settle(t, "the save", func() bool { return strings.Contains(exportsTexts(an), "[Open folder]") })
	c := fake.last(t)
	if c.f != reports.DocPDF || c.path != filepath.Join(dir, "March.PDF") || c.overwrite || c.req.Report != reports.ReportAppointments ||
		c.req.Paper != reports.PaperA4 || c.req.Appointments.Period.From == "" || c.req.Version != f.s.Config().Version {
		t.Fatalf("save %+v", c)
	}
	if got := exportsTexts(an); !strings.Contains(got, "Saved the appointments report as PDF to "+c.path) {
		t.Errorf("outcome %s", got)
	}

	// A taken name: Cancel on "Replace?" saves nothing; Replace saves with overwrite.
	taken := filepath.Join(dir, "taken.xlsx")
	if err := os.WriteFile(taken, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	n := fake.count()
	saveThroughDialog(t, f, an, "Save as Excel", "taken.xlsx")
	tapOverlayButton(t, f.s, "Cancel")
	f.drain()
	if fake.count() != n {
		t.Fatal("Cancel on Replace? saved")
	}
	saveThroughDialog(t, f, an, "Save as Excel", "taken.xlsx")
	tapOverlayButton(t, f.s, "Replace")
	f.settle(t, "the replacing save", func() bool { return fake.count() == n+1 })
	if c := fake.last(t); !c.overwrite || c.f != reports.DocXLSX || c.path != taken {
		t.Errorf("replace %+v", c)
	}

	// The Revenue tab saves the revenue report.
	selectTab(an, 1)
	saveThroughDialog(t, f, an, "Save as PDF", "rev.pdf")
	f.settle(t, "the revenue save", func() bool { return fake.count() == n+2 })
	if c := fake.last(t); c.req.Report != reports.ReportRevenue || c.req.Revenue.Period.From == "" {
		t.Errorf("revenue save %+v", c)
	}
}

// A long save shows progress with Cancel; Cancel stops it and says no file was written.
func TestReportSaveCancel(t *testing.T) {
	f := planShell(t, license.Starter)
	f.s.App.Preferences().SetString(exportFolderKey, t.TempDir())
	fake := &docFake{block: true}
	dash := newDashboard(f.s, fake.reports(licTenant(true)))
	f.drain()
	saveThroughDialog(t, f, dash, "Save as PDF", "")
	f.settle(t, "the save to start", func() bool { return fake.count() == 1 })
	if got := exportsTexts(dash); !strings.Contains(got, "Saving the dashboard report as PDF") || !strings.Contains(got, "[Cancel]") {
		t.Fatalf("no progress: %s", got)
	}
	if c := fake.last(t); c.req.Report != reports.ReportDashboard || c.req.Paper != "" {
		t.Errorf("dashboard save %+v (no paper chosen: the zone decides)", c)
	}
	tapButton(t, dash, "Cancel")
	f.settle(t, "the cancelled save", func() bool { return strings.Contains(exportsTexts(dash), "Save cancelled; no file was written.") })
}

// Settings remembers the paper of PDF reports in the preferences.
func TestSettingsPaperSize(t *testing.T) {
	f := planShell(t, license.Starter)
	o := buildSettings(f.s)
	got := exportsTexts(o)
	if !strings.Contains(got, "Automatic is US Letter for America/New_York.") {
		t.Errorf("settings %s", got)
	}
	sel := exportsFind(o, func(s *widget.Select) bool { return strings.HasPrefix(s.Selected, "Automatic") })
	if sel == nil {
		t.Fatalf("no paper choice showing Automatic: %s", got)
	}
	sel.SetSelected("Letter")
	if p := f.s.paperPreference(); p != reports.PaperLetter || f.s.App.Preferences().String(prefPaper) != "letter" {
		t.Errorf("paper %q after choosing Letter", p)
	}
	sel.SetSelected("Automatic (from the time zone)")
	if p := f.s.paperPreference(); p != "" {
		t.Errorf("paper %q after choosing Automatic", p)
	}
	if o := buildSettings(f.s); exportsFind(o, func(s *widget.Select) bool { return strings.HasPrefix(s.Selected, "Automatic") }) == nil {
		t.Error("the choice is not remembered")
	}
}

// The Customers and Staff tabs have their own Save buttons, locked as their report is
// (Customer insights, Staff performance: PROFESSIONAL), and save their own report with the
// screen's period.
func TestReportSaveCustomersAndStaffTabs(t *testing.T) {
	for _, c := range []struct {
		plan license.Plan
		want []string
	}{
		{license.Starter, []string{"Save as PDF… · PROFESSIONAL", "Save as Excel… · PROFESSIONAL"}},
		{license.Professional, []string{"Save as PDF…", "Save as Excel…"}},
	} {
		t.Run(c.plan.String(), func(t *testing.T) {
			f := planShell(t, c.plan)
			f.s.App.Preferences().SetString(exportFolderKey, t.TempDir())
			fake := &docFake{}
			an := newAnalytics(f.s, fake.reports(licTenant(true)))
			f.drain()
			tabs := exportsFind(an, func(*container.AppTabs) bool { return true })
			for i, tc := range []struct {
				tab    string
				report reports.Report
			}{{"Customers", reports.ReportCustomers}, {"Staff", reports.ReportStaff}} {
				tabs.Select(tabNamed(tabs, tc.tab))
				if got := buttonTexts(an); strings.Join(got, "|") != strings.Join(c.want, "|") {
					t.Errorf("%s tab buttons %q, want %q", tc.tab, got, c.want)
				}
				if c.plan != license.Professional {
					continue
				}
				saveThroughDialog(t, f, an, "Save as PDF", "")
				f.settle(t, "the "+tc.tab+" save", func() bool { return fake.count() == i+1 })
				if tc.report == reports.ReportStaff {
					f.settle(t, "the staff outcome", func() bool { return strings.Contains(exportsTexts(an), "Saved the staff report as PDF") })
				}
				got := fake.last(t)
				if got.req.Report != tc.report || got.f != reports.DocPDF {
					t.Errorf("%s tab saved %+v, want the %s report", tc.tab, got, tc.report)
				}
				if tc.report == reports.ReportCustomers && (got.req.Customers.Period.From == "" || got.req.Customers.Window.Today.IsZero()) ||
					tc.report == reports.ReportStaff && got.req.Staff.Period.From == "" {
					t.Errorf("%s tab saved without the screen's period: %+v", tc.tab, got.req)
				}
			}
		})
	}
}
