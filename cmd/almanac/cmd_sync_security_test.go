package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/data/sync/tenantserver"

	"github.com/almanac-app/almanac/data"
)

// runCLIStdin is runCLI with standard input.
func runCLIStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func tokenFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func loadSaved(t *testing.T, home string) datasync.Settings {
	t.Helper()
	s, err := datasync.LoadSettings(context.Background(), data.Home{Dir: home})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const psWarning = "visible to every user"

// TestSyncTokenSources: --token-file and --token - (stdin) work without a warning, --token
// VALUE works with one, and a bad or doubled source is a usage error.
func TestSyncTokenSources(t *testing.T) {
	_, url := syncServer(t)
	t.Setenv("ALMANAC_TOKEN", "")
	cases := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string // in stderr
	}{
		{"file", "", []string{"--token-file", tokenFile(t, "s3cret\n")}, 0, ""},
		{"stdin", "s3cret\n", []string{"--token", "-"}, 0, ""},
		{"value warns", "", []string{"--token", "s3cret"}, 0, psWarning},
		{"empty file", "", []string{"--token-file", tokenFile(t, "\n")}, exitUsage, "token is empty"},
		{"missing file", "", []string{"--token-file", filepath.Join(t.TempDir(), "nope")}, exitUsage, "--token-file"},
		{"empty stdin", "", []string{"--token", "-"}, exitUsage, "standard input"},
		{"both", "", []string{"--token", "-", "--token-file", tokenFile(t, "s3cret")}, exitUsage, "not both"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			code, _, stderr := runCLIStdin(t, tc.stdin, append([]string{"--home", home, "sync", "--server", url}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "s3cret") {
				t.Fatalf("exit %d (want %d), stderr lacks %q or shows the token:\n%s", code, tc.code, tc.want, stderr)
			}
			if tc.want == "" && strings.Contains(stderr, psWarning) {
				t.Errorf("a safe form warned:\n%s", stderr)
			}
		})
	}
	_, help, _ := runCLI(t, "sync", "-h")
	if i, j := strings.Index(help, "--token-file FILE"), strings.Index(help, "--token VALUE"); i < 0 || j < 0 || i > j {
		t.Errorf("sync -h must show --token-file before --token VALUE:\n%s", help)
	}
}

// TestSyncSavedTokenStaysWithItsServer: after a sync with A, a bare sync --server B is a usage
// error naming both origins; B gets no request and A's saved settings still pair A with its token.
func TestSyncSavedTokenStaysWithItsServer(t *testing.T) {
	_, urlA := syncServer(t)
	t.Setenv("ALMANAC_TOKEN", "")
	var hits atomic.Int64
	var auth atomic.Value
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		auth.Store(r.Header.Get("Authorization"))
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	defer b.Close()
	home := t.TempDir()
	if code, _, stderr := runCLI(t, "--home", home, "sync", "--server", urlA, "--token-file", tokenFile(t, "s3cret")); code != 0 {
		t.Fatalf("first sync: %d %s", code, stderr)
	}
	code, _, stderr := runCLI(t, "--home", home, "sync", "--server", b.URL)
	if code != exitUsage || !strings.Contains(stderr, "saved token belongs to "+datasync.Origin(urlA)) || !strings.Contains(stderr, datasync.Origin(b.URL)) {
		t.Errorf("bare sync with another server: exit %d: %s", code, stderr)
	}
	if hits.Load() != 0 {
		t.Errorf("server B got %d requests, Authorization %q", hits.Load(), auth.Load())
	}
	if s := loadSaved(t, home); s.Server != urlA || s.Token != "s3cret" {
		t.Errorf("the saved settings now pair %s with the token", s.Server)
	}
	// The same origin with another path or a trailing slash keeps the saved token.
	if code, _, stderr := runCLI(t, "--home", home, "sync", "--server", urlA+"/"); code != 0 {
		t.Errorf("same origin: exit %d: %s", code, stderr)
	}
}

// TestSyncSavesOnlyWhatTheServerAccepted: a server never reached, or a wrong path, saves neither
// URL nor token, so the next bare sync still uses the good pair.
func TestSyncSavesOnlyWhatTheServerAccepted(t *testing.T) {
	_, url := syncServer(t)
	t.Setenv("ALMANAC_TOKEN", "")
	tok := tokenFile(t, "s3cret")
	home := t.TempDir()
	if code, _, stderr := runCLI(t, "--home", home, "sync", "--server", "http://127.0.0.1:1", "--token-file", tok); code != exitFailure || !strings.Contains(stderr, "could not be reached") {
		t.Errorf("refused connection: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(home, "sync")); err == nil {
		t.Fatal("a server never reached was saved with its token")
	}
	if code, _, stderr := runCLI(t, "--home", home, "sync", "--server", url, "--token-file", tok); code != 0 {
		t.Fatalf("good sync: %d %s", code, stderr)
	}
	before := loadSaved(t, home)
	if code, _, stderr := runCLI(t, "--home", home, "sync", "--server", url+"/api", "--token-file", tok); code != exitFailure {
		t.Errorf("wrong path: exit %d: %s", code, stderr)
	}
	if s := loadSaved(t, home); s.Server != url || s.LastResult != before.LastResult {
		t.Errorf("after a failed sync: server %q, last result %q", s.Server, s.LastResult)
	}
	if code, _, stderr := runCLI(t, "--home", home, "sync"); code != 0 {
		t.Errorf("bare sync after the failure: exit %d: %s", code, stderr)
	}
}

// breakOn serves srv except on GET /v1/changes/entity, which answers with serve.
func breakOn(srv *tenantserver.Server, entity string, serve http.HandlerFunc) *httptest.Server {
	real := srv.Handler()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/changes/"+entity {
			serve(w, r)
			return
		}
		real.ServeHTTP(w, r)
	}))
}

// TestSyncFailureWording: the server going away mid-sync ends with one plain sentence (the
// same one the saved settings keep for the Sync screen), after a details line with the technical error.
func TestSyncFailureWording(t *testing.T) {
	srv, _ := syncServer(t)
	t.Setenv("ALMANAC_TOKEN", "s3cret")
	hs := breakOn(srv, "appointments", func(w http.ResponseWriter, r *http.Request) {
		if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
			_ = c.Close()
		}
	})
	defer hs.Close()
	home := t.TempDir()
	code, _, stderr := runCLI(t, "--home", home, "sync", "--server", hs.URL)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := lines[len(lines)-1]
	if code != exitFailure || !strings.HasPrefix(last, "almanac: sync: Sync stopped because the server stopped answering: ") ||
		!strings.HasSuffix(last, " rows were saved, and the next sync resumes from there.") {
		t.Fatalf("exit %d, last line %q", code, last)
	}
	for _, internal := range []string{"GET", "dial", "cursor", "EOF"} {
		if strings.Contains(last, internal) {
			t.Errorf("the last line shows %q: %s", internal, last)
		}
	}
	if !strings.Contains(stderr, "almanac: sync: details: ") || !strings.Contains(stderr, "GET /v1/changes/appointments") {
		t.Errorf("no details line:\n%s", stderr)
	}
	s := loadSaved(t, home)
	if s.LastOK || "almanac: sync: "+s.LastResult != last {
		t.Errorf("saved result %q, ok %v", s.LastResult, s.LastOK)
	}
}

// TestSyncTokenRevokedPartwayCLI: a 401 after three entities were applied says how many rows
// were saved (not "nothing was changed") and records the failure as the last result.
func TestSyncTokenRevokedPartwayCLI(t *testing.T) {
	srv, url := syncServer(t)
	t.Setenv("ALMANAC_TOKEN", "s3cret")
	home := t.TempDir()
	if code, _, stderr := runCLI(t, "--home", home, "sync", "--server", url); code != 0 {
		t.Fatalf("first sync: %d %s", code, stderr)
	}
	srv.Mutate(200, 9)
	hs := breakOn(srv, "appointments", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"token revoked"}`, http.StatusUnauthorized)
	})
	defer hs.Close()
	code, _, stderr := runCLI(t, "--home", home, "sync", "--server", hs.URL)
	if code != exitFailure || strings.Contains(stderr, "nothing was changed") || !strings.Contains(stderr, "rejected the token") ||
		!strings.Contains(stderr, "rows were saved") || strings.Contains(stderr, "no rows were saved") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	s := loadSaved(t, home)
	if s.LastOK || !strings.Contains(s.LastResult, "rejected the token") || s.Server != url {
		t.Errorf("saved %+v", s)
	}
	if s.LastCause != "the server rejected the token" { // the header's plain reason
		t.Errorf("saved cause %q", s.LastCause)
	}
}
