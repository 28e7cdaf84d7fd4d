package ui

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// recordingExporter runs the real export and keeps the last request.
type recordingExporter struct {
	*reports.Service
	last *reports.ExportRequest
}

func (r recordingExporter) Export(ctx context.Context, ents license.Entitlements, req reports.ExportRequest) (reports.ExportResult, error) {
	*r.last = req
	return r.Service.Export(ctx, ents, req)
}

// TestExportsLapsedLockedOnStarter: without Customer insights the Lapsed customers dataset
// shows the inline upgrade prompt naming PROFESSIONAL in place of its field, and every format
// button is locked with that plan, CSV included.
func TestExportsLapsedLockedOnStarter(t *testing.T) {
	r := demoReports(t, time.Now())
	s, m := newTestShell(t, r)
	activate(t, m, "STARTER")
	waitFor(t, "STARTER", func() bool { return s.plan.Text == "Plan: STARTER" })
	v, o := newExportsView(s, r)
	testPump.drain()
	v.chooseDataset("Lapsed customers")
	got := exportsTexts(o)
	for _, want := range []string{"Customer insights", "PROFESSIONAL", "[Upgrade]", "[CSV… · PROFESSIONAL]", "[JSON… · PROFESSIONAL]"} {
		if !strings.Contains(got, want) {
			t.Errorf("screen lacks %q: %s", want, got)
		}
	}
	if strings.Contains(got, lapsedDaysLabel) || strings.Contains(got, "[CSV…]") {
		t.Errorf("the locked dataset offers its field or an unlocked format: %s", got)
	}
	v.chooseDataset("Customers") // another dataset is not locked by it
	if got := exportsTexts(o); !strings.Contains(got, "[CSV…]") || !strings.Contains(got, "[JSON…]") || strings.Contains(got, "Customer insights") {
		t.Errorf("customers on STARTER: %s", got)
	}
}

// TestExportsLapsedDaysField: on PROFESSIONAL the "Lapsed for (days)" field shows only for
// Lapsed customers (no Period: the dataset has no dates), starts at 90, refuses 0 in the
// screen's words, and its value reaches the export.
func TestExportsLapsedDaysField(t *testing.T) {
	r := demoReports(t, time.Now())
	s, m := newTestShell(t, r)
	activate(t, m, "PROFESSIONAL")
	waitFor(t, "PROFESSIONAL", func() bool { return s.plan.Text == "Plan: PROFESSIONAL" })
	var last reports.ExportRequest
	v, o := newExportsView(s, recordingExporter{r, &last})
	testPump.drain()
	if strings.Contains(exportsTexts(o), lapsedDaysLabel) {
		t.Fatalf("appointments show the lapsed field: %s", exportsTexts(o))
	}
	v.chooseDataset("Lapsed customers")
	got := exportsTexts(o)
	if !strings.Contains(got, lapsedDaysLabel) || strings.Contains(got, "Period") || !strings.Contains(got, "[CSV…]") || !strings.Contains(got, "[XLSX…]") {
		t.Fatalf("lapsed customers on PROFESSIONAL: %s", got)
	}
	days := exportsFind(o, func(e *widget.Entry) bool { return e == v.lapsedDays })
	if days == nil || days.Text != "90" {
		t.Fatalf("lapsed days field %v", days)
	}
	days.SetText("0")
	if err := days.Validate(); err == nil || !strings.Contains(err.Error(), "Lapsed for (days) 0 is not a number of days") {
		t.Errorf("0 days: %v", err)
	}
	v.save(reports.FormatCSV)
	if top := s.Win.Canvas().Overlays().Top(); top == nil || !strings.Contains(exportsTexts(top), "Lapsed for (days) 0") {
		t.Errorf("saving with 0 days shows no error dialog: %v", top)
	}
	days.SetText("60")
	if err := days.Validate(); err != nil {
		t.Errorf("60 days: %v", err)
	}
	dir := t.TempDir()
	v.start(reports.FormatCSV, dir, false)
	settle(t, "the export to finish", func() bool { return v.job.stop == nil })
	if last.Dataset != reports.DatasetLapsedCustomers || last.LapsedDays != 60 {
		t.Errorf("request %s with %d days, want lapsed_customers with 60", last.Dataset, last.LapsedDays)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "lapsed_customers_") || !strings.Contains(exportsTexts(o), "Exported") {
		t.Errorf("files %v; screen %s", entries, exportsTexts(o))
	}
}

// TestExportsNoGapAfterFewerFilters: choosing a dataset with fewer filters lays the screen out
// again, so the row of format buttons moves up under the filters instead of leaving a gap.
func TestExportsNoGapAfterFewerFilters(t *testing.T) {
	r := demoReports(t, time.Now())
	s, m := newTestShell(t, r)
	activate(t, m, "ENTERPRISE")
	waitFor(t, "ENTERPRISE", func() bool { return s.plan.Text == "Plan: ENTERPRISE" })
	v, o := newExportsView(s, r)
	w := test.NewWindow(o)
	defer w.Close()
	w.Resize(fyne.NewSize(760, 700))
	testPump.drain()
	for _, name := range []string{"Appointments", "Resources", "Lapsed customers"} {
		v.chooseDataset(name)
		bottom := v.filters.Position().Y + v.filters.MinSize().Height
		var next fyne.CanvasObject
		for i, obj := range v.body.Objects {
			if obj == v.filters {
				next = v.body.Objects[i+1]
			}
		}
		if gap := next.Position().Y - bottom; gap > 2*theme.Padding() {
			t.Errorf("%s: %.0f px between the filters and the row under them", name, gap)
		}
	}
}
