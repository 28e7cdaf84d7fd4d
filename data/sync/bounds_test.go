package sync_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/datatest"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/data/sync/tenantserver"
)

// Hostile servers on loopback for the security and bounding rules of a run: redirects, secrets
// in the URL, a token echoed back with its white space changed, endless or growing pages, slow
// bodies, a full disk and the run's own time limit.

// recorder is a second server that must never be asked anything; it counts what reached it.
func recorder(t *testing.T) (*httptest.Server, *atomic.Int64, *atomic.Value) {
	t.Helper()
	var hits atomic.Int64
	var auth atomic.Value
	auth.Store("")
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		auth.Store(r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(hostilePage("appointments", "x1", false, hostileRecord("appointments", 9_300_001, nil))))
	}))
	t.Cleanup(ts.Close)
	return ts, &hits, &auth
}

// TestSyncFollowsNoRedirect: 302 and 307 to another port on the same host, and to another host
// name, on the tenant request and on a page: the sync stops naming the Location, the other
// server gets no request (so no token), and the store keeps exactly what it had.
func TestSyncFollowsNoRedirect(t *testing.T) {
	srv, ts := datatest.NewServer(t, 300)
	other, hits, auth := recorder(t)
	sameHost := other.URL                                                // 127.0.0.1, another port
	otherName := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) // another host name
	cases := []struct {
		name, path, target string
		code               int
	}{
		{"302 page, same host other port", "/v1/changes/appointments", sameHost, http.StatusFound},
		{"307 page, same host other port", "/v1/changes/appointments", sameHost, http.StatusTemporaryRedirect},
		{"302 page, other host name", "/v1/changes/appointments", otherName, http.StatusFound},
		{"307 tenant", "/v1/tenant", sameHost, http.StatusTemporaryRedirect},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, before := syncedHome(t, ts.URL)
			srv.Mutate(20, 1)
			real := srv.Handler()
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == tc.path {
					http.Redirect(w, r, tc.target+r.URL.RequestURI(), tc.code)
					return
				}
				real.ServeHTTP(w, r)
			}))
			defer hs.Close()
			o := datatest.Options(hs.URL)
			o.Client = hs.Client() // an *http.Client that would follow redirects by itself
			_, err := datasync.Sync(context.Background(), h, o)
			if !errors.Is(err, datasync.ErrRedirect) || !strings.Contains(err.Error(), tc.target) || !strings.Contains(err.Error(), fmt.Sprint(tc.code)) {
				t.Fatalf("err %v, want ErrRedirect naming HTTP %d and %s", err, tc.code, tc.target)
			}
			if n := hits.Load(); n != 0 {
				t.Fatalf("the redirect target got %d requests (last Authorization %q)", n, auth.Load())
			}
			after := storeFingerprint(t, h)
			if tc.path == "/v1/tenant" {
				sameFingerprint(t, after, before)
			} else if after["cursor appointments"] != before["cursor appointments"] {
				t.Errorf("the appointments cursor moved: %q -> %q", before["cursor appointments"], after["cursor appointments"])
			}
			if o := datasync.Outcome(datasync.Result{Accepted: true}, err); !strings.Contains(o, "redirected") {
				t.Errorf("outcome %q", o)
			}
		})
	}
}

// TestSyncURLWithSecretsRefused: a user name, password, query or fragment in the server URL is
// refused before any request, with a message that says the token goes in a header.
func TestSyncURLWithSecretsRefused(t *testing.T) {
	_, hits, _ := recorder(t)
	for _, u := range []string{"http://bob:hunter2@127.0.0.1:1", "http://hunter2@127.0.0.1:1", "http://127.0.0.1:1/?token=hunter2",
		"http://127.0.0.1:1/#hunter2", "http://127.0.0.1:1/?"} {
		_, err := datasync.Sync(context.Background(), data.Home{Dir: t.TempDir()}, datatest.Options(u))
		if !errors.Is(err, data.ErrInvalid) || !strings.Contains(err.Error(), "header") || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: err %v, want ErrInvalid saying the token goes in a header, without the secret", u, err)
		}
	}
	if hits.Load() != 0 {
		t.Error("a request was sent")
	}
	if _, err := datasync.ParseServerURL("https://sync.example.com:8443/base/"); err != nil {
		t.Errorf("a plain URL with a path: %v", err)
	}
}

func TestOriginAndTokenFor(t *testing.T) {
	s := datasync.Settings{Server: "http://127.0.0.1:8417", Token: "T"}
	cases := []struct {
		server string
		want   datasync.Secret
	}{
		{"http://127.0.0.1:8417", "T"},
		{"HTTP://127.0.0.1:8417/", "T"},
		{"http://127.0.0.1:8417/v1", "T"},
		{"http://127.0.0.1:8418", ""},
		{"https://127.0.0.1:8417", ""},
		{"http://localhost:8417", ""},
		{"http://127.0.0.1", ""},
		{"", ""},
		{"::", ""},
	}
	for _, tc := range cases {
		if got := s.TokenFor(tc.server); got != tc.want {
			t.Errorf("TokenFor(%q) = %q, want %q", tc.server, string(got), string(tc.want))
		}
	}
	if a, b := datasync.Origin("https://x.example"), datasync.Origin("https://X.example:443/p"); a != b || a == "" {
		t.Errorf("default port: %q vs %q", a, b)
	}
}

// TestSyncTokenWithSpacesRedacted: a token holding runs of spaces and tabs, echoed back by the
// server in an error body (whose white space the client collapses) or quoted in a record value,
// never shows in the error or the outcome, whole or in long pieces.
func TestSyncTokenWithSpacesRedacted(t *testing.T) {
	const token = "Zq8vX2secret  \t  part-two-XY  lastpiece99"
	srv, err := tenantserver.New(context.Background(), datatest.Remote(), token, demo.Options{Appointments: 50, Seed: 5, Today: datatest.Today})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]http.HandlerFunc{
		"400 echo": func(w http.ResponseWriter, r *http.Request) {
			apiError(w, http.StatusBadRequest, "bad: "+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		},
		"quoted in a status": func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(badPage("appointments", 9_000_050, map[string]string{"status": fmt.Sprintf("%q", token)})))
		},
	}
	for name, serve := range cases {
		t.Run(name, func(t *testing.T) {
			hs := httptest.NewServer(hostileHandler(srv, "appointments", serve))
			defer hs.Close()
			o := datatest.Options(hs.URL)
			o.Token = token
			res, err := datasync.Sync(context.Background(), data.Home{Dir: t.TempDir()}, o)
			if err == nil {
				t.Fatal("sync succeeded")
			}
			for _, s := range []string{err.Error(), datasync.Outcome(res, err)} {
				for _, piece := range []string{"Zq8vX2secret", "part-two-XY", "lastpiece99"} {
					if strings.Contains(s, piece) {
						t.Errorf("%q shows in %s", piece, s)
					}
				}
			}
			t.Logf("error: %.200s", err)
		})
	}
}

// boundOptions are datatest.Options with small bounds, so each test stops in well under a second.
func boundOptions(url string) datasync.Options {
	o := datatest.Options(url)
	o.Retry.Attempts = 2
	o.Limits = datasync.Limits{MinRate: 1000, RateWindow: 150 * time.Millisecond, HeaderTimeout: 300 * time.Millisecond,
		Growth: 0.5, GrowthRows: 20, UnannouncedRows: 60, MinFreeBytes: -1}
	return o
}

// endless serves appointment pages for ever, each with new rows and a new cursor; remaining is
// announced by the function (it may grow).
func endless(remaining func(page int64) int64, perPage int, pages *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := pages.Add(1)
		recs := make([]string, perPage)
		for i := range recs {
			recs[i] = hostileRecord("appointments", 9_400_000+n*1000+int64(i), nil)
		}
		body := hostilePage("appointments", fmt.Sprintf("e%d", n), true, recs...)
		body = strings.Replace(body, `"remaining":0`, fmt.Sprintf(`"remaining":%d`, remaining(n)), 1)
		_, _ = w.Write([]byte(body))
	}
}

// TestSyncRowBound: a server that says has_more for ever (without an estimate, or with one that
// grows by a page's worth each page) is stopped at the row bound; the pages applied stay.
func TestSyncRowBound(t *testing.T) {
	srv, _ := datatest.NewServer(t, 100)
	cases := []struct {
		name      string
		remaining func(int64) int64
		maxPages  int64 // pages the bound allows, plus the one in flight
	}{
		{"has_more for ever, no estimate", func(int64) int64 { return 0 }, 60/10 + 2},
		{"grows each page", func(n int64) int64 { return 10 + n*10 }, (20*3/2+20)/10 + 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var pages atomic.Int64
			hs := httptest.NewServer(hostileHandler(srv, "appointments", endless(tc.remaining, 10, &pages)))
			defer hs.Close()
			h := data.Home{Dir: t.TempDir()}
			o := boundOptions(hs.URL)
			o.Limits.RunTimeout = 10 * time.Second // a regression fails here instead of running on
			res, err := datasync.Sync(context.Background(), h, o)
			if !errors.Is(err, datasync.ErrSyncLimit) || !strings.Contains(err.Error(), "appointments") || !strings.Contains(err.Error(), "announcing") {
				t.Fatalf("err %v, want the row bound", err)
			}
			if n := pages.Load(); n > tc.maxPages {
				t.Errorf("%d pages served, want at most %d", n, tc.maxPages)
			}
			if a := res.Entity("appointments").Added; a == 0 || a > tc.maxPages*10 {
				t.Errorf("appointments added %d", a)
			}
			if c := storeFingerprint(t, h)["cursor appointments"]; c == "" {
				t.Error("the applied pages were not kept (no cursor)")
			}
			if o := datasync.Outcome(res, err); !strings.Contains(o, "more rows than it announced") || !strings.Contains(o, "rows were saved") {
				t.Errorf("outcome %q", o)
			}
		})
	}
}

// TestSyncSlowServers: a body dripping a byte at a time, and headers that never come, fail each
// attempt within the rate window or header timeout instead of holding the run.
func TestSyncSlowServers(t *testing.T) {
	srv, _ := datatest.NewServer(t, 100)
	cases := map[string]struct {
		serve http.HandlerFunc
		want  string
	}{
		"drip": {func(w http.ResponseWriter, r *http.Request) {
			body := hostilePage("appointments", "d1", false, hostileRecord("appointments", 9_500_001, nil))
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			w.WriteHeader(http.StatusOK)
			for i := 0; i < len(body) && r.Context().Err() == nil; i++ {
				_, _ = w.Write([]byte{body[i]})
				w.(http.Flusher).Flush()
				time.Sleep(20 * time.Millisecond)
			}
		}, "too slow"},
		"no headers": {func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(10 * time.Second):
			case <-r.Context().Done():
			}
		}, "no answer within 300ms"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			hs := httptest.NewServer(hostileHandler(srv, "appointments", tc.serve))
			defer hs.Close()
			o := boundOptions(hs.URL)
			o.Retry.RequestTimeout = 10 * time.Second // the whole-request deadline is not what stops it
			start := time.Now()
			res, err := datasync.Sync(context.Background(), data.Home{Dir: t.TempDir()}, o)
			if !errors.Is(err, datasync.ErrServerUnavailable) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			if res.Entity("customers").Added == 0 {
				t.Error("the entities before appointments were not kept")
			}
			if o := datasync.Outcome(res, err); !strings.Contains(o, "stopped answering") {
				t.Errorf("outcome %q", o)
			}
		})
	}
}

// TestSyncDiskMargin: once free space falls under the margin the run stops before the next
// page; what was applied stays.
func TestSyncDiskMargin(t *testing.T) {
	_, ts := datatest.NewServer(t, 600)
	var calls atomic.Int64
	o := datatest.Options(ts.URL)
	o.PageSize = 100
	o.Limits.MinFreeBytes = 200 << 20
	o.Limits.FreeSpace = func(string) (int64, bool, error) {
		if calls.Add(1) > 5 {
			return 150 << 20, true, nil
		}
		return 1 << 40, true, nil
	}
	h := data.Home{Dir: t.TempDir()}
	res, err := datasync.Sync(context.Background(), h, o)
	if !errors.Is(err, datasync.ErrSyncLimit) || !strings.Contains(err.Error(), "150 MiB") || !strings.Contains(err.Error(), "200 MiB") {
		t.Fatalf("err %v, want the disk margin", err)
	}
	if n := res.Saved(); n == 0 {
		t.Error("nothing was kept")
	}
	if o := datasync.Outcome(res, err); !strings.Contains(o, "free disk space ran low") {
		t.Errorf("outcome %q", o)
	}
}

// TestSyncRunTimeout: the run's own deadline stops it with a message naming the limit, and the
// pages applied before it stay.
func TestSyncRunTimeout(t *testing.T) {
	srv, _ := datatest.NewServer(t, 3000)
	// The parents arrive at once; appointments hang until the client gives up, so the run's
	// deadline, not the machine's speed, decides where the sync stops.
	hs := httptest.NewServer(hostileHandler(srv, "appointments", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer hs.Close()
	o := datatest.Options(hs.URL)
	o.Limits.RunTimeout = 3 * time.Second
	h := data.Home{Dir: t.TempDir()}
	res, err := datasync.Sync(context.Background(), h, o)
	if !errors.Is(err, datasync.ErrSyncLimit) || !strings.Contains(err.Error(), "time limit of 3s") {
		t.Fatalf("err %v, want the run timeout", err)
	}
	if res.Saved() == 0 || storeFingerprint(t, h)["cursor resources"] == "" {
		t.Error("the pages applied before the deadline were not kept")
	}
	if o := datasync.Outcome(res, err); !strings.Contains(o, "time limit") {
		t.Errorf("outcome %q", o)
	}
}

// TestSyncTokenRevokedPartway: a 401 after three entities were applied says what was saved.
func TestSyncTokenRevokedPartway(t *testing.T) {
	srv, _ := datatest.NewServer(t, 300)
	hs := httptest.NewServer(hostileHandler(srv, "appointments", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, http.StatusUnauthorized, "token revoked")
	}))
	defer hs.Close()
	res, err := datasync.Sync(context.Background(), data.Home{Dir: t.TempDir()}, datatest.Options(hs.URL))
	if !errors.Is(err, datasync.ErrTokenRejected) || !res.Accepted {
		t.Fatalf("err %v, accepted %v", err, res.Accepted)
	}
	want := res.Entity("resources").Added + res.Entity("services").Added + res.Entity("customers").Added
	if want == 0 || res.Saved() != want {
		t.Fatalf("saved %d, want the three parent entities' %d", res.Saved(), want)
	}
	o := datasync.Outcome(res, err)
	if !strings.Contains(o, data.Thousands(want)+" rows were saved") || strings.Contains(o, "nothing") || strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("outcome %q (err %v)", o, err)
	}
}

// TestSyncOutcomeServerGone: the server going away mid-sync gives one plain sentence with the
// rows saved and no request, cursor or socket detail.
func TestSyncOutcomeServerGone(t *testing.T) {
	srv, _ := datatest.NewServer(t, 300)
	var hs *httptest.Server
	hs = httptest.NewServer(hostileHandler(srv, "appointments", func(w http.ResponseWriter, r *http.Request) {
		go hs.CloseClientConnections()
		hj, _ := w.(http.Hijacker)
		if c, _, err := hj.Hijack(); err == nil {
			_ = c.Close()
		}
	}))
	defer hs.Close()
	res, err := datasync.Sync(context.Background(), data.Home{Dir: t.TempDir()}, datatest.Options(hs.URL))
	if !errors.Is(err, datasync.ErrServerUnavailable) {
		t.Fatalf("err %v", err)
	}
	o := datasync.Outcome(res, err)
	want := fmt.Sprintf("Sync stopped because the server stopped answering: %s rows were saved, and the next sync resumes from there.", data.Thousands(res.Saved()))
	if o != want {
		t.Errorf("outcome\n%q, want\n%q", o, want)
	}
	if _, err := datasync.Sync(context.Background(), data.Home{Dir: t.TempDir()}, datatest.Options("http://127.0.0.1:1")); !strings.Contains(datasync.Outcome(datasync.Result{}, err), "could not be reached: no rows were saved") {
		t.Errorf("refused connection: %q", datasync.Outcome(datasync.Result{}, err))
	}
}

// TestSyncServerNewest: the result carries the newest instant the server sent: here the newest
// updated_at, since the tenant's server_time is set far in the past.
func TestSyncServerNewest(t *testing.T) {
	srv, _ := datatest.NewServer(t, 300)
	srv.Mutate(50, 2)
	real := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/tenant" {
			_, _ = w.Write([]byte(`{"id":"maple","name":"Maple","timezone":"UTC","currency":"USD","server_time":"2001-01-01T00:00:00Z"}`))
			return
		}
		real.ServeHTTP(w, r)
	}))
	defer hs.Close()
	h := data.Home{Dir: t.TempDir()}
	res, err := datasync.Sync(context.Background(), h, datatest.Options(hs.URL))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), h.TenantPath("maple"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var newest int64
	for _, e := range data.Entities() {
		var n int64
		if err := datatest.RawDB(t, st).QueryRow("SELECT COALESCE(MAX(updated_at), 0) FROM " + e).Scan(&n); err != nil {
			t.Fatal(err)
		}
		newest = max(newest, n)
	}
	if got := res.ServerNewest.Unix(); got != newest || newest == 0 {
		t.Errorf("ServerNewest %v (%d), newest updated_at %d", res.ServerNewest, got, newest)
	}
}

var tokenCases = []struct {
	in   string
	want string // "" = refused
}{
	{"s3cret\n", "s3cret"},
	{"  s3cret \r\n\n", "s3cret"},
	{"a b\tc", "a b\tc"},
	{"", ""},
	{"\n", ""},
	{"one\ntwo\n", ""},
	{"bad\x00byte", ""},
	{"\xff\xfe", ""},
	{strings.Repeat("x", datasync.MaxTokenLen+1), ""},
}

func TestParseToken(t *testing.T) {
	for _, tc := range tokenCases {
		got, err := datasync.ParseToken([]byte(tc.in))
		if string(got) != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("ParseToken(%q) = %q, %v; want %q", tc.in, string(got), err, tc.want)
		}
		if err != nil && !errors.Is(err, data.ErrInvalid) {
			t.Errorf("ParseToken(%q): %v is not ErrInvalid", tc.in, err)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	for _, tc := range tokenCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := datasync.ParseToken(b)
		if err != nil {
			if tok != "" {
				t.Fatal("a token with an error")
			}
			return
		}
		s := string(tok)
		if s == "" || len(s) > datasync.MaxTokenLen || strings.Trim(s, " \t") != s || strings.ContainsAny(s, "\r\n\x00") {
			t.Fatalf("accepted %q", s)
		}
		if again, err := datasync.ParseToken([]byte(s + "\n")); err != nil || again != tok {
			t.Fatalf("not stable: %q -> %q, %v", s, string(again), err)
		}
	})
}

// TestSyncCancelMidWriteIsCancelled: Cancel pressed while a page is being written may surface
// as the driver's "statement is closed"; the outcome must still say Cancelled, never blame the
// server. The cancel lands at many points of the run, from the progress of each page.
func TestSyncCancelMidWriteIsCancelled(t *testing.T) {
	_, ts := datatest.NewServer(t, 2000)
	for k := int64(1); k <= 16; k++ {
		ctx, cancel := context.WithCancel(context.Background())
		o := datatest.Options(ts.URL)
		o.PageSize = 100
		var pages atomic.Int64
		o.Progress = func(datasync.Progress) {
			if pages.Add(1) == k {
				go func() { time.Sleep(time.Duration(k%4) * 200 * time.Microsecond); cancel() }()
			}
		}
		res, err := datasync.Sync(ctx, data.Home{Dir: t.TempDir()}, o)
		cancel()
		if err == nil {
			continue // finished before the cancel landed
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancel after page %d: err %v, want a cancellation", k, err)
		}
		if out := datasync.Outcome(res, err); !strings.HasPrefix(out, "Cancelled") {
			t.Fatalf("cancel after page %d: outcome %q", k, out)
		}
	}
}

// TestSyncOutcomeBlamesNoServerForLocalProblems: a store held by another writer is worded as
// that, never as "the server sent data Almanac cannot use".
func TestSyncOutcomeBlamesNoServerForLocalProblems(t *testing.T) {
	_, ts := datatest.NewServer(t, 50)
	h := data.Home{Dir: t.TempDir()}
	lock, err := h.LockStore("maple", "almanac demo")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	res, err := datasync.Sync(context.Background(), h, datatest.Options(ts.URL))
	if !errors.As(err, new(*data.BusyError)) {
		t.Fatalf("err %v, want the store busy", err)
	}
	if o := datasync.Outcome(res, err); strings.Contains(o, "server") || !strings.Contains(o, "another sync or demo build") {
		t.Errorf("outcome %q", o)
	}
	for _, e := range []error{&data.ReadOnlyError{Home: "/h"}, fmt.Errorf("x: %w", data.ErrCorrupt)} {
		if o := datasync.Outcome(datasync.Result{Accepted: true}, e); strings.Contains(o, "server") {
			t.Errorf("%v: outcome %q blames the server", e, o)
		}
	}
}

// apiError answers as the protocol's servers do on failure.
func apiError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(datasync.APIError{Error: msg})
}
