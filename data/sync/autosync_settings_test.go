package sync_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/almanac-app/almanac/data"
	datasync "github.com/almanac-app/almanac/data/sync"
)

// A settings file of an earlier version (no automatic sync fields) loads with both off; setting
// them keeps the server, the token and the last outcome, and they read back.
func TestAutoSyncSettingsRoundTrip(t *testing.T) {
	ctx := context.Background()
	h := data.Home{Dir: t.TempDir()}
	old := `{"server": "http://127.0.0.1:8417", "token": "tok", "last_at": "2026-11-30T18:02:00Z", "last_result": "1 added, 0 updated, 0 deleted in 0.1s", "last_ok": true}`
	if err := os.MkdirAll(filepath.Join(h.Dir, "sync"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.Dir, "sync", "maple.json"), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := datasync.SettingsOf(ctx, h, "maple")
	if err != nil {
		t.Fatal(err)
	}
	if s.AutoOnOpen || s.AutoEveryHours != 0 || s.Server != "http://127.0.0.1:8417" || !s.LastOK {
		t.Fatalf("old file read as %+v", s)
	}
	if err := datasync.SaveAutoSyncOf(ctx, h, "maple", true, 6); err != nil {
		t.Fatal(err)
	}
	got, err := datasync.SettingsOf(ctx, h, "maple")
	if err != nil {
		t.Fatal(err)
	}
	want := s
	want.AutoOnOpen, want.AutoEveryHours = true, 6
	if got.Server != want.Server || got.Token != want.Token || got.LastResult != want.LastResult || !got.LastAt.Equal(*want.LastAt) ||
		got.AutoOnOpen != true || got.AutoEveryHours != 6 {
		t.Errorf("after saving the automatic sync: %+v, want %+v", got, want)
	}
	if err := datasync.SaveAutoSyncOf(ctx, h, "maple", false, 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := datasync.SettingsOf(ctx, h, "maple"); got.AutoOnOpen || got.AutoEveryHours != 0 || got.Server == "" {
		t.Errorf("after switching off: %+v", got)
	}
}

func TestAutoSyncSettingsRefused(t *testing.T) {
	ctx := context.Background()
	h := data.Home{Dir: t.TempDir()}
	for _, c := range []struct {
		id    string
		hours int
	}{{data.DemoTenantID, 1}, {"", 1}, {"maple", -1}, {"maple", datasync.MaxAutoEveryHours + 1}} {
		if err := datasync.SaveAutoSyncOf(ctx, h, c.id, true, c.hours); !errors.Is(err, data.ErrInvalid) {
			t.Errorf("%q every %d hours: %v, want ErrInvalid", c.id, c.hours, err)
		}
	}
	if _, err := os.Stat(filepath.Join(h.Dir, "sync")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused setting wrote a file: %v", err)
	}
}

// TestUpdateSettingsOfLosesNoUpdate: read-modify-writes at the same moment (a sync saving its
// outcome while the owner flips a switch) all land, because each holds the settings' lock from
// its read to its write; a cancelled context still saves.
func TestUpdateSettingsOfLosesNoUpdate(t *testing.T) {
	h := data.Home{Dir: t.TempDir()}
	const n = 40
	errs := make(chan error, n)
	for range n {
		go func() {
			errs <- datasync.UpdateSettingsOf(context.Background(), h, "maple", func(s *datasync.Settings) { s.AutoEveryHours++ })
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := datasync.UpdateSettingsOf(ctx, h, "maple", func(s *datasync.Settings) { s.AutoOnOpen = true }); err != nil {
		t.Fatalf("a cancelled context: %v", err)
	}
	s, err := datasync.SettingsOf(context.Background(), h, "maple")
	if err != nil {
		t.Fatal(err)
	}
	if s.AutoEveryHours != n || !s.AutoOnOpen {
		t.Errorf("after %d concurrent updates: every %d hours, on open %v (updates were lost)", n, s.AutoEveryHours, s.AutoOnOpen)
	}
}
