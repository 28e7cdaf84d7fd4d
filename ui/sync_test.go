package ui

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	datasync "github.com/almanac-app/almanac/data/sync"

	"fyne.io/fyne/v2/test"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// fakeSyncer is a Syncer whose Sync reports progress, then waits for release or cancellation.
type fakeSyncer struct {
	mu      sync.Mutex // guards saved: the screen reads it off the UI goroutine while a sync writes it
	saved   datasync.Settings
	release chan struct{}
	after   Reports // handed back by a finished sync
	gotTok  string
}

var _ Syncer = (*fakeSyncer)(nil)

func (f *fakeSyncer) Saved() (datasync.Settings, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.saved, nil
}

// setSaved records what a finished sync saves (err nil: a success), as cmd/almanac's
// saveOutcome does.
func (f *fakeSyncer) setSaved(at *time.Time, res datasync.Result, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saved.LastAt, f.saved.LastResult, f.saved.LastOK, f.saved.LastCause = at, datasync.Outcome(res, err), err == nil, ""
	if err != nil {
		f.saved.LastCause = datasync.FailureCause(res, err)
	}
}

// SaveAuto records the automatic sync's switches in the saved settings.
func (f *fakeSyncer) SaveAuto(_ string, onOpen bool, everyHours int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saved.AutoOnOpen, f.saved.AutoEveryHours = onOpen, everyHours
	return nil
}

func (f *fakeSyncer) Test(_ context.Context, server, token string) (datasync.RemoteTenant, error) {
	if token != "good" {
		return datasync.RemoteTenant{}, datasync.ErrTokenRejected
	}
	return datasync.RemoteTenant{Tenant: data.Tenant{ID: "maple", Name: "Maple", TimeZone: "UTC", Currency: "USD"}}, nil
}

func (f *fakeSyncer) Sync(ctx context.Context, req SyncRequest, progress func(datasync.Progress)) (SyncDone, error) {
	f.gotTok = req.Token
	progress(datasync.Progress{Entity: "resources", Done: 12, Total: 12, Finished: true})
	progress(datasync.Progress{Entity: "appointments", Done: 500, Total: 2000, RowsPerSec: 1000})
	select {
	case <-ctx.Done():
		return SyncDone{}, ctx.Err()
	case <-f.release:
	}
	now := time.Now()
	res := datasync.Result{Tenant: data.Tenant{ID: "maple", Name: "Maple"}, Entities: []datasync.EntityResult{{Entity: "appointments", Added: 1}}}
	f.setSaved(&now, res, nil)
	return SyncDone{Result: res, Reports: f.after}, nil
}

// syncedReports is the demo reports with the tenant turned into a synced one.
type syncedReports struct {
	*reports.Service
	at time.Time
}

func (r syncedReports) Tenant(ctx context.Context) (data.Tenant, error) {
	t, err := r.Service.Tenant(ctx)
	t.Name, t.IsDemo, t.LastSyncAt = "Maple Synced", false, &r.at
	return t, err
}

func newSyncShell(t *testing.T, f Syncer) *Shell {
	t.Helper()
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	a := test.NewTempApp(t)
	m := license.NewManager(filepath.Join(t.TempDir(), "license"), time.Now)
	s := NewShell(a, Config{Reports: demoReports(t, now), Licenses: m, Home: t.TempDir(), Dispatch: testPump.do, Syncer: f})
	t.Cleanup(s.Win.Close)
	if !s.ShowID("sync") {
		t.Fatal("no sync screen")
	}
	waitFor(t, "the sync screen's saved settings", func() bool { return s.syncView != nil && s.syncView.loadOnce })
	return s
}

func TestSyncScreenProgressAndCancel(t *testing.T) {
	f := &fakeSyncer{saved: datasync.Settings{Server: "http://x", Token: "good"}, release: make(chan struct{})}
	s := newSyncShell(t, f)
	v := s.syncView
	if v.server.Text != "http://x" || v.token.Text != "good" || !v.cancelB.Disabled() {
		t.Fatalf("form not filled from the saved settings: %q %q", v.server.Text, v.token.Text)
	}
	test.Tap(v.run)
	waitFor(t, "progress", func() bool { return v.rows["appointments"].bar.Value == 0.25 })
	if got := v.rows["appointments"].detail.Text; !strings.Contains(got, "500 of ~2,000") {
		t.Errorf("detail %q", got)
	}
	if v.cancelB.Disabled() || !v.run.Disabled() {
		t.Error("while running, Cancel must be enabled and Sync now disabled")
	}
	s.Refresh() // a license change rebuilds the screen: the running sync must keep its view
	waitFor(t, "the refresh", current(s))
	if s.Content() != v.root || v.cancelB.Disabled() {
		t.Error("refresh lost the running sync's view")
	}
	test.Tap(v.cancelB)
	waitFor(t, "cancel", func() bool { return !v.run.Disabled() })
	if !strings.Contains(v.status.Text, "Cancelled") {
		t.Errorf("status %q", v.status.Text)
	}
	if f.gotTok != "good" {
		t.Errorf("token passed %q", f.gotTok)
	}
}

func TestSyncScreenFinishUpdatesHeader(t *testing.T) {
	f := &fakeSyncer{saved: datasync.Settings{Server: "http://x", Token: "good"}, release: make(chan struct{})}
	s := newSyncShell(t, f)
	if got := s.dataAsOf.Text; got != "Demo data" {
		t.Fatalf("header %q before sync", got)
	}
	f.after = syncedReports{Service: s.Reports().(*reports.Service), at: time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)}
	test.Tap(s.syncView.run)
	close(f.release)
	waitFor(t, "finish", func() bool { return !s.syncView.run.Disabled() && current(s)() })
	if got := s.dataAsOf.Text; !strings.HasPrefix(got, "Synced today ") {
		t.Errorf("header %q after sync", got)
	}
	if s.title.Text != "Maple Synced" {
		t.Errorf("title %q", s.title.Text)
	}
	if !strings.Contains(s.syncView.status.Text, "1 added") {
		t.Errorf("status %q", s.syncView.status.Text)
	}
	// The result shows once: the last-sync line below the status gives only the time.
	if got := s.syncView.last.Text; strings.Contains(got, "added") || !strings.HasPrefix(got, "Last sync: ") {
		t.Errorf("the result shows twice; last sync line %q", got)
	}
}

func TestSyncScreenTestConnection(t *testing.T) {
	f := &fakeSyncer{release: make(chan struct{})}
	s := newSyncShell(t, f)
	v := s.syncView
	test.Tap(v.test)
	if !strings.Contains(v.status.Text, "server URL") {
		t.Errorf("empty form: status %q", v.status.Text)
	}
	test.Type(v.server, "http://x")
	test.Type(v.token, "bad")
	test.Tap(v.test)
	waitFor(t, "test result", func() bool { return !v.test.Disabled() && strings.Contains(v.status.Text, "failed") })
	if !strings.Contains(v.status.Text, datasync.ErrTokenRejected.Error()) {
		t.Errorf("status %q", v.status.Text)
	}
	v.token.SetText("good")
	test.Tap(v.test)
	waitFor(t, "test ok", func() bool { return strings.HasPrefix(v.status.Text, "Connected: Maple") })
}
