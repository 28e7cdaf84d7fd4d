package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/data/sync/tenantserver"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/ui"
)

// tenantServer is a tenantd-like server for one tenant with its own token; it counts the
// requests that carry that token, so a test sees which pair a bare sync used.
type tenantServer struct {
	srv  *tenantserver.Server
	url  string
	hits atomic.Int64
}

func newTenantServer(t *testing.T, id, name, token string) *tenantServer {
	t.Helper()
	rt := datasync.RemoteTenant{Tenant: data.Tenant{ID: id, Name: name, TimeZone: "America/New_York", Currency: "USD", CanAcceptPayments: true}}
	srv, err := tenantserver.New(context.Background(), rt, token, demo.Options{Appointments: 300, Seed: uint64(len(id)),
		Today: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	ts := &tenantServer{srv: srv}
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer "+token {
			ts.hits.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	ts.url = hs.URL
	return ts
}

func activeOf(t *testing.T, home string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(home, "active"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func savedOf(t *testing.T, home, id string) datasync.Settings {
	t.Helper()
	s, err := datasync.SettingsOf(context.Background(), data.Home{Dir: home}, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSyncSecondBusiness: a home syncs two businesses from two servers. B without --add is
// refused naming both and the flag, A stays active and untouched; with --add B is added and
// active, A kept, each with its own saved pair; a bare sync syncs B with B's pair, and after
// 'tenant use A' with A's.
func TestSyncSecondBusiness(t *testing.T) {
	t.Setenv("ALMANAC_TOKEN", "")
	a := newTenantServer(t, "maple", "Maple Street Wellness", "token-a")
	b := newTenantServer(t, "birch", "Birch Yoga", "token-b")
	home := demoHome(t)
	if code, _, stderr := runCLI(t, "--home", home, "sync", "--server", a.url, "--token-file", tokenFile(t, "token-a")); code != 0 {
		t.Fatalf("sync A: exit %d: %s", code, stderr)
	}
	if got := activeOf(t, home); got != "maple" {
		t.Fatalf("active %q after syncing A", got)
	}
	if _, help, _ := runCLI(t, "sync", "-h"); !strings.Contains(help, "--add") || !strings.Contains(help, "-add") {
		t.Errorf("sync -h does not document --add:\n%s", help)
	}
	savedA := savedOf(t, home, "maple")
	dbA, err := os.ReadFile(data.Home{Dir: home}.TenantPath("maple"))
	if err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := runCLI(t, "--home", home, "sync", "--server", b.url, "--token-file", tokenFile(t, "token-b"))
	for _, want := range []string{"Birch Yoga (birch)", "Maple Street Wellness (maple)", "--add", "nothing was changed"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("refusal lacks %q: %s", want, stderr)
		}
	}
	if code != exitUsage || stdout != "" || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("B without --add: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if got := activeOf(t, home); got != "maple" {
		t.Errorf("active %q after the refusal", got)
	}
	if _, err := os.Stat(data.Home{Dir: home}.TenantPath("birch")); err == nil {
		t.Error("the refusal created B's store")
	}
	if now, _ := os.ReadFile(data.Home{Dir: home}.TenantPath("maple")); string(now) != string(dbA) {
		t.Error("the refusal changed A's store")
	}
	if s := savedOf(t, home, "maple"); s.Server != savedA.Server || s.Token != savedA.Token || s.LastResult != savedA.LastResult || !s.LastAt.Equal(*savedA.LastAt) {
		t.Errorf("the refusal changed A's saved settings: %+v", s)
	}
	if s := savedOf(t, home, "birch"); s.Server != "" || s.LastAt != nil {
		t.Errorf("the refusal saved B's pair: %+v", s)
	}

	code, stdout, stderr = runCLI(t, "--home", home, "sync", "--server", b.url, "--token-file", tokenFile(t, "token-b"), "--add")
	if code != 0 || !strings.Contains(stdout, "Birch Yoga (birch) was added to this home and is now the active tenant") {
		t.Fatalf("B with --add: exit %d: %s%s", code, stdout, stderr)
	}
	if got := activeOf(t, home); got != "birch" {
		t.Errorf("active %q after --add", got)
	}
	list := tenantList(t, home)
	if _, ok := list["maple"]; !ok || !list["birch"].Active || list["demo"].ID == "" {
		t.Errorf("tenants after --add: %+v", list)
	}
	if s := savedOf(t, home, "maple"); s.Server != a.url || s.Token != "token-a" {
		t.Errorf("A's pair after adding B: %+v", s)
	}
	if s := savedOf(t, home, "birch"); s.Server != b.url || s.Token != "token-b" || !s.LastOK {
		t.Errorf("B's pair: %+v", s)
	}

	// A bare sync syncs the active tenant, B, with B's own pair.
	aHits, bHits := a.hits.Load(), b.hits.Load()
	code, stdout, stderr = runCLI(t, "--home", home, "sync", "--json")
	var sj syncJSON
	if code != 0 || json.Unmarshal([]byte(stdout), &sj) != nil || sj.Tenant != "birch" || sj.Server != b.url || sj.NewTenant || sj.Added {
		t.Fatalf("bare sync on B: exit %d: %s%s", code, stdout, stderr)
	}
	if a.hits.Load() != aHits || b.hits.Load() == bHits {
		t.Errorf("bare sync on B: A got %d requests, B %d", a.hits.Load()-aHits, b.hits.Load()-bHits)
	}

	// Back to A: its own pair again.
	if code, _, stderr := runCLI(t, "--home", home, "tenant", "use", "maple"); code != 0 {
		t.Fatalf("tenant use maple: %d %s", code, stderr)
	}
	a.srv.Mutate(10, 4)
	aHits, bHits = a.hits.Load(), b.hits.Load()
	code, stdout, stderr = runCLI(t, "--home", home, "sync", "--json")
	sj = syncJSON{}
	if code != 0 || json.Unmarshal([]byte(stdout), &sj) != nil || sj.Tenant != "maple" || sj.Server != a.url || sj.Entities[3].Updated == 0 {
		t.Fatalf("bare sync on A: exit %d: %s%s", code, stdout, stderr)
	}
	if b.hits.Load() != bHits || a.hits.Load() == aHits {
		t.Errorf("bare sync on A: A got %d requests, B %d", a.hits.Load()-aHits, b.hits.Load()-bHits)
	}
	if got := activeOf(t, home); got != "maple" {
		t.Errorf("active %q", got)
	}

	// A server of a tenant the home keeps needs no --add; the summary says which is active.
	code, stdout, stderr = runCLI(t, "--home", home, "sync", "--server", b.url, "--token-file", tokenFile(t, "token-b"))
	if code != 0 || !strings.Contains(stdout, "Birch Yoga (birch) is now the active tenant") || activeOf(t, home) != "birch" {
		t.Errorf("known tenant B: exit %d: %s%s", code, stdout, stderr)
	}
}

// TestSyncLegacySettingsMigrated: a home saved by an earlier version (one sync.json) keeps
// syncing its tenant with a bare sync; the pair now lives with that tenant.
func TestSyncLegacySettingsMigrated(t *testing.T) {
	t.Setenv("ALMANAC_TOKEN", "")
	a := newTenantServer(t, "maple", "Maple Street Wellness", "token-a")
	home := demoHome(t)
	if code, _, stderr := runCLI(t, "--home", home, "sync", "--server", a.url, "--token-file", tokenFile(t, "token-a")); code != 0 {
		t.Fatalf("sync A: exit %d: %s", code, stderr)
	}
	if err := os.RemoveAll(filepath.Join(home, "sync")); err != nil {
		t.Fatal(err)
	}
	legacy := `{"server":"` + a.url + `","token":"token-a","last_result":"old"}`
	if err := os.WriteFile(filepath.Join(home, "sync.json"), []byte(legacy), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "--home", home, "sync"); code != 0 {
		t.Fatalf("bare sync after the upgrade: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(home, "sync.json")); err == nil {
		t.Error("sync.json was not moved")
	}
	if s := savedOf(t, home, "maple"); s.Server != a.url || s.Token != "token-a" || s.LastResult == "old" {
		t.Errorf("maple's settings %+v", s)
	}
}

// TestSyncFromDemoResumes: a first sync cut short while the demo is active keeps its pair in
// the demo's slot, so a bare sync resumes it; once it finishes, the pair lives with its tenant.
func TestSyncFromDemoResumes(t *testing.T) {
	t.Setenv("ALMANAC_TOKEN", "")
	a := newTenantServer(t, "maple", "Maple Street Wellness", "token-a")
	var down atomic.Bool
	down.Store(true)
	broken := breakOn(a.srv, "appointments", func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"entity":`))
			return
		}
		a.srv.Handler().ServeHTTP(w, r)
	})
	defer broken.Close()
	home := demoHome(t)
	// A broken appointments page stops the first sync after three entities.
	code, _, _ := runCLI(t, "--home", home, "sync", "--server", broken.URL, "--token-file", tokenFile(t, "token-a"))
	if code != exitFailure || activeOf(t, home) != data.DemoTenantID {
		t.Fatalf("broken first sync: exit %d, active %q", code, activeOf(t, home))
	}
	if s := savedOf(t, home, data.DemoTenantID); s.Server != broken.URL || s.Token != "token-a" {
		t.Fatalf("demo slot after the failure: %+v", s)
	}
	down.Store(false)
	if code, stdout, stderr := runCLI(t, "--home", home, "sync"); code != 0 || !strings.Contains(stdout, "now the active tenant") {
		t.Fatalf("bare sync from the demo: exit %d: %s%s", code, stdout, stderr)
	}
	if s := savedOf(t, home, data.DemoTenantID); s.Server != "" || s.LastAt != nil {
		t.Errorf("demo slot after the finished sync: %+v", s)
	}
	if s := savedOf(t, home, "maple"); s.Server != broken.URL || !s.LastOK {
		t.Errorf("maple's settings %+v", s)
	}
}

// TestAppSyncerAddsBusiness: the app's Syncer (what the Sync screen calls) refuses B without
// Add with the error the screen asks about, adds it with Add and hands over B's store; Saved
// then shows B's pair, and after a switch back A's.
func TestAppSyncerAddsBusiness(t *testing.T) {
	a := newTenantServer(t, "maple", "Maple Street Wellness", "token-a")
	b := newTenantServer(t, "birch", "Birch Yoga", "token-b")
	home := demoHome(t)
	env := &Env{Home: home, Now: time.Now}
	h := env.home()
	ctx := context.Background()
	st, err := store.OpenActive(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	syncer := &appSyncer{env: env, st: st}
	defer syncer.Close()
	if _, err := syncer.Sync(ctx, ui.SyncRequest{Server: a.url, Token: "token-a"}, nil); err != nil {
		t.Fatal(err)
	}
	_, err = syncer.Sync(ctx, ui.SyncRequest{Server: b.url, Token: "token-b"}, nil)
	var ote *datasync.OtherTenantError
	if !errors.As(err, &ote) || activeOf(t, home) != "maple" {
		t.Fatalf("B without Add: %v, active %q", err, activeOf(t, home))
	}
	done, err := syncer.Sync(ctx, ui.SyncRequest{Server: b.url, Token: "token-b", Add: true}, nil)
	if err != nil || done.Reports == nil || !done.Result.Added || activeOf(t, home) != "birch" {
		t.Fatalf("B with Add: %+v, %v", done.Result, err)
	}
	if tn, _ := done.Reports.Tenant(ctx); tn.ID != "birch" {
		t.Errorf("the shell got %q's reports", tn.ID)
	}
	if s, err := syncer.Saved(); err != nil || s.Server != b.url || s.Token != "token-b" {
		t.Errorf("Saved on B: %+v, %v", s, err)
	}
	if _, err := syncer.Use(ctx, "maple"); err != nil {
		t.Fatal(err)
	}
	if s, err := syncer.Saved(); err != nil || s.Server != a.url || s.Token != "token-a" {
		t.Errorf("Saved on A: %+v, %v", s, err)
	}
}

// TestSyncBareWithoutSavedServer: a synced tenant with no pair of its own is not synced with
// another tenant's: the bare sync asks for --server, naming the tenant.
func TestSyncBareWithoutSavedServer(t *testing.T) {
	t.Setenv("ALMANAC_TOKEN", "")
	a := newTenantServer(t, "maple", "Maple Street Wellness", "token-a")
	home := demoHome(t)
	if code, _, stderr := runCLI(t, "--home", home, "sync", "--server", a.url, "--token-file", tokenFile(t, "token-a")); code != 0 {
		t.Fatalf("sync A: exit %d: %s", code, stderr)
	}
	putSynced(t, home, "oak", "Oak Studio")
	if code, _, stderr := runCLI(t, "--home", home, "tenant", "use", "oak"); code != 0 {
		t.Fatalf("tenant use oak: %d %s", code, stderr)
	}
	hits := a.hits.Load()
	code, _, stderr := runCLI(t, "--home", home, "sync")
	if code != exitUsage || !strings.Contains(stderr, "no server saved for tenant oak") || a.hits.Load() != hits {
		t.Errorf("bare sync on oak: exit %d, %d requests to A: %s", code, a.hits.Load()-hits, stderr)
	}
}
