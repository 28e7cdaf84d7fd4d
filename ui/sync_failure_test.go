package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	datasync "github.com/almanac-app/almanac/data/sync"

	"fyne.io/fyne/v2/test"
)

// failingSyncer reports progress, then fails the way a server that went away does.
type failingSyncer struct {
	fakeSyncer
	err error
	res datasync.Result
}

func (f *failingSyncer) Sync(_ context.Context, req SyncRequest, progress func(datasync.Progress)) (SyncDone, error) {
	f.gotTok = req.Token
	progress(datasync.Progress{Entity: "customers", Done: 40, Total: 40, Finished: true})
	progress(datasync.Progress{Entity: "appointments", Done: 500, Total: 2000, RowsPerSec: 1000})
	now := time.Now()
	f.setSaved(&now, f.res, f.err)
	return SyncDone{Result: f.res}, f.err
}

// TestSyncScreenFailureInPlainWords: a sync that fails says so in one plain sentence, once;
// the technical text is folded under Details; the progress rows stop.
func TestSyncScreenFailureInPlainWords(t *testing.T) {
	detail := fmt.Errorf(`sync appointments after cursor "1768943700.24912": %w`, datasync.ErrServerUnavailable)
	f := &failingSyncer{fakeSyncer: fakeSyncer{saved: datasync.Settings{Server: "http://x", Token: "good"}}, err: detail,
		res: datasync.Result{Accepted: true, Entities: []datasync.EntityResult{{Entity: "customers", Added: 40}, {Entity: "appointments", Added: 500}}}}
	s := newSyncShell(t, f)
	v := s.syncView
	test.Tap(v.run)
	waitFor(t, "failure", func() bool { return !v.run.Disabled() })
	want := "Sync stopped because the server stopped answering: 540 rows were saved, and the next sync resumes from there."
	if v.status.Text != want {
		t.Errorf("status %q, want %q", v.status.Text, want)
	}
	if !v.details.Visible() || v.details.Items[0].Open || !strings.Contains(v.detail.Text, "1768943700.24912") {
		t.Errorf("details: visible %v, open %v, %q", v.details.Visible(), v.details.Items[0].Open, v.detail.Text)
	}
	if strings.Contains(v.last.Text, "stopped answering") || !strings.HasPrefix(v.last.Text, "Last sync: ") {
		t.Errorf("the outcome shows twice; last line %q", v.last.Text)
	}
	if got := v.rows["appointments"].detail.Text; strings.Contains(got, "rows/s") || !strings.Contains(got, "stopped · 500") {
		t.Errorf("appointments row still live: %q", got)
	}
	if got := v.rows["payments"].detail.Text; got != "not reached" {
		t.Errorf("payments row %q", got)
	}
	if got := v.rows["customers"].detail.Text; !strings.Contains(got, "up to date") {
		t.Errorf("customers row %q", got)
	}
	// A new run hides the old details.
	test.Tap(v.run)
	waitFor(t, "second failure", func() bool { return !v.run.Disabled() })
	if !v.details.Visible() {
		t.Error("details hidden after the second failure")
	}
}

// TestSyncScreenSavedTokenStaysWithItsServer: typing another server's URL clears the saved
// token from the form, so it is not sent there; the same origin keeps it.
func TestSyncScreenSavedTokenStaysWithItsServer(t *testing.T) {
	f := &fakeSyncer{saved: datasync.Settings{Server: "http://a.example:8417", Token: "good"}, release: make(chan struct{})}
	s := newSyncShell(t, f)
	v := s.syncView
	v.server.SetText("http://a.example:8417/")
	if v.token.Text != "good" {
		t.Fatalf("same origin lost the token")
	}
	v.server.SetText("http://b.example:8417")
	if v.token.Text != "" || !strings.Contains(v.token.PlaceHolder, "a.example") {
		t.Errorf("another server kept the saved token; placeholder %q", v.token.PlaceHolder)
	}
	test.Tap(v.run)
	if !strings.Contains(v.status.Text, "access token") || f.gotTok != "" {
		t.Errorf("status %q, token sent %q", v.status.Text, f.gotTok)
	}
}
