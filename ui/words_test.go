package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	datasync "github.com/almanac-app/almanac/data/sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
)

// TestErrorWordsUseLabels: the engine's typed errors reach the screens worded with their
// controls, never with the command line's flags, and wrapping context is kept.
func TestErrorWordsUseLabels(t *testing.T) {
	_, badFormat := reports.ParseFormat("pdf")
	_, badDays := reports.ParseDays("week")
	cases := []struct {
		err  error
		want string
	}{
		{badFormat, "The format pdf is not a format: use csv, json or xlsx"},
		{fmt.Errorf("export appointments: %w", badDays), "Export appointments: the number of days week is not a number"},
		{fmt.Errorf("sync: the tenant's time zone changed: %w", data.ErrNeedFullSync), `tick "` + fullSyncLabel + `" and sync again`},
		{&data.InputError{Field: data.FieldServer, Value: "http://x?a", Problem: "holds a query", Fix: "give the token with {token}"},
			`The Server URL "http://x?a" holds a query: give the token with the Token field`},
	}
	for _, c := range cases {
		got := errorWords(c.err)
		if !strings.Contains(got, c.want) || strings.Contains(got, "--") || strings.HasPrefix(got, "usage") {
			t.Errorf("errorWords(%v) = %q, want it to hold %q and no flag", c.err, got, c.want)
		}
	}
	if !errors.Is(badFormat, reports.ErrUsage) {
		t.Errorf("%v is no longer a usage error", badFormat)
	}
}

// TestPeriodPickerNamesAndFocusesTheBadDate: custom dates with To before From are refused in
// the picker's words, and the To date gets the focus.
func TestPeriodPickerNamesAndFocusesTheBadDate(t *testing.T) {
	r := demoReports(t, time.Now())
	s, _ := newTestShell(t, r)
	var got []reports.PeriodRequest
	o := NewPeriodPicker(s, 7, func(p reports.PeriodRequest) { got = append(got, p) })
	s.Win.SetContent(o)
	var sel *widget.Select
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
	prompt := o.(*fyne.Container).Objects[2].(*fyne.Container)
	sel.SetSelected(periodCustom)
	today := time.Now().In(s.Tenant().Location())
	from, to := today.AddDate(0, 0, -1), today.AddDate(0, 0, -3)
	dates[0].SetDate(&from)
	dates[1].SetDate(&to)
	n := len(got)
	test.Tap(apply)
	txt := exportsTexts(prompt)
	want := "The To date " + to.Format(data.DateLayout) + " is before the From date " + from.Format(data.DateLayout) + ": swap the dates"
	if len(got) != n || !strings.Contains(txt, want) || strings.Contains(txt, "--") {
		t.Fatalf("prompt %q (applied %v), want %q", txt, got[n:], want)
	}
	if f := s.Win.Canvas().Focused(); f != fyne.Focusable(dates[1]) {
		t.Errorf("focus on %v, want the To date", f)
	}
}

// TestSyncFailureNeedingAFullSyncFocusesTheCheck: a failure that only a full sync gets past
// says so with the check box's label and puts the focus on it.
func TestSyncFailureNeedingAFullSyncFocusesTheCheck(t *testing.T) {
	s := newSyncShell(t, &fakeSyncer{})
	v := s.syncView
	err := fmt.Errorf("the server no longer has changes that old (HTTP 410): %w", data.ErrNeedFullSync)
	v.setFailure(datasync.Outcome(datasync.Result{}, err), err, widget.DangerImportance)
	if !strings.Contains(v.detail.Text, fullSyncLabel) || strings.Contains(v.detail.Text, "--full") {
		t.Errorf("details %q do not name the check box", v.detail.Text)
	}
	if f := s.Win.Canvas().Focused(); f != fyne.Focusable(v.full) {
		t.Errorf("focus on %v, want the full-resync check", f)
	}
}
