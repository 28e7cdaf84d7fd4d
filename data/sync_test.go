package data

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testToken = "s3cret"

var testToday = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)

func testRemote() RemoteTenant {
	return RemoteTenant{ID: "maple", Name: "Maple Street Wellness", TimeZone: "America/New_York", Currency: "USD", CanAcceptPayments: true}
}

// newTestServer starts an in-process tenantd with n appointments.
func newTestServer(tb testing.TB, n int) (*SyncServer, *httptest.Server) {
	tb.Helper()
	srv, err := NewSyncServer(context.Background(), testRemote(), testToken, DemoOptions{Appointments: n, Seed: 5, Today: testToday})
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(ts.Close)
	return srv, ts
}

func fastRetry() RetryPolicy {
	return RetryPolicy{Attempts: 8, Base: time.Millisecond, Max: 5 * time.Millisecond, RequestTimeout: 10 * time.Second}
}

func testOptions(url string) SyncOptions {
	return SyncOptions{Server: url, Token: testToken, PageSize: 300, Retry: fastRetry()}
}

// dumpTables hashes every entity table (all columns, by id) and returns the hashes with counts.
func dumpTables(tb testing.TB, path string) map[string]string {
	tb.Helper()
	st, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	if err := st.CheckRollups(context.Background()); err != nil {
		tb.Errorf("%s: %v", path, err)
	}
	out := map[string]string{}
	err = st.Read(context.Background(), func(tx *sql.Tx) error {
		for _, e := range Entities {
			rows, err := tx.Query("SELECT * FROM " + e + " ORDER BY id")
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			h, n := sha256.New(), 0
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				fmt.Fprintf(h, "%v\n", vals)
				n++
			}
			rows.Close()
			out[e] = fmt.Sprintf("%d rows %s", n, hex.EncodeToString(h.Sum(nil))[:16])
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func sameTables(t *testing.T, got, want map[string]string) {
	t.Helper()
	for _, e := range Entities {
		if got[e] != want[e] {
			t.Errorf("%s: got %s, want %s", e, got[e], want[e])
		}
	}
}

// demoDump is the entity tables of the demo store built from the same options: the rows a
// full sync must produce.
func demoDump(t *testing.T, n int) map[string]string {
	t.Helper()
	h := Home{Dir: t.TempDir()}
	if _, err := BuildDemo(context.Background(), h, DemoOptions{Appointments: n, Seed: 5, Today: testToday}); err != nil {
		t.Fatal(err)
	}
	return dumpTables(t, h.TenantPath(DemoTenantID))
}

func TestSyncFullIntoDemoHome(t *testing.T) {
	_, ts := newTestServer(t, 1000)
	h := Home{Dir: t.TempDir()}
	if _, err := BuildDemo(context.Background(), h, DemoOptions{Appointments: 200, Seed: 1, Today: testToday}); err != nil {
		t.Fatal(err)
	}
	var events atomic.Int64
	o := testOptions(ts.URL)
	o.Progress = func(p SyncProgress) {
		events.Add(1)
		if p.Done > p.Total || (p.Entity == "") != p.Finishing {
			t.Errorf("bad progress %+v", p)
		}
	}
	res, err := Sync(context.Background(), h, o)
	if err != nil {
		t.Fatal(err)
	}
	if !res.NewTenant || res.Tenant.ID != "maple" || res.Tenant.IsDemo || res.Tenant.LastSyncAt == nil {
		t.Errorf("result %+v", res)
	}
	if id, _ := h.ActiveTenant(); id != "maple" {
		t.Errorf("active tenant %q, want maple", id)
	}
	if events.Load() < 6 {
		t.Errorf("%d progress events, want one per page at least", events.Load())
	}
	if got := res.Entity("appointments"); got.Added != 1000 || got.Updated != 0 || got.Deleted != 0 {
		t.Errorf("appointments %+v", got)
	}
	sameTables(t, dumpTables(t, h.TenantPath("maple")), demoDump(t, 1000))
}

func TestSyncIncrementalAndDeletions(t *testing.T) {
	srv, ts := newTestServer(t, 1000)
	h := Home{Dir: t.TempDir()}
	if _, err := Sync(context.Background(), h, testOptions(ts.URL)); err != nil {
		t.Fatal(err)
	}
	srv.Mutate(100, 1)
	srv.DeleteCustomer(7)
	res, err := Sync(context.Background(), h, testOptions(ts.URL))
	if err != nil {
		t.Fatal(err)
	}
	appt := res.Entity("appointments")
	if appt.Updated == 0 || appt.Added == 0 || appt.Deleted == 0 {
		t.Errorf("appointments %+v: want some updated, added and deleted", appt)
	}
	if c := res.Entity("customers"); c.Deleted != 1 {
		t.Errorf("customers %+v: want 1 deleted", c)
	}
	if res.NewTenant {
		t.Error("second sync says new tenant")
	}
	st, err := Open(context.Background(), h.TenantPath("maple"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Counts(context.Background())
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if want := srv.Counts(); c != want {
		t.Errorf("counts %+v, server %+v", c, want)
	}
	// The incremental result must equal a clean full sync of the server's current state.
	h2 := Home{Dir: t.TempDir()}
	if _, err := Sync(context.Background(), h2, testOptions(ts.URL)); err != nil {
		t.Fatal(err)
	}
	sameTables(t, dumpTables(t, h.TenantPath("maple")), dumpTables(t, h2.TenantPath("maple")))
	// Nothing changed: nothing to do.
	res, err = Sync(context.Background(), h, testOptions(ts.URL))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Entities {
		if e.Added+e.Updated+e.Deleted != 0 {
			t.Errorf("idle sync changed %+v", e)
		}
	}
}

// TestSyncWhileServerChanges changes the server in the middle of a sync: a new customer with a
// booking once customers are synced (the booking's parent arrives in a second round), and a
// batch of updates and deletions. The next sync must end identical to a clean one.
func TestSyncWhileServerChanges(t *testing.T) {
	srv, ts := newTestServer(t, 1000)
	h := Home{Dir: t.TempDir()}
	o := testOptions(ts.URL)
	var pages atomic.Int64
	o.Progress = func(p SyncProgress) {
		switch pages.Add(1) {
		case 3: // customers are done and the appointments fetcher has not started yet
			srv.AddBooking()
		case 8:
			srv.Mutate(50, 9)
		}
	}
	res, err := Sync(context.Background(), h, o)
	if err != nil {
		t.Fatal(err)
	}
	// The new customer arrived after the customers phase: only a second round brings it.
	if got := res.Entity("customers").Added; got != 101 {
		t.Errorf("customers added %d, want 101 (the booking's new parent, in a second round)", got)
	}
	if _, err := Sync(context.Background(), h, testOptions(ts.URL)); err != nil {
		t.Fatal(err)
	}
	clean := Home{Dir: t.TempDir()}
	if _, err := Sync(context.Background(), clean, testOptions(ts.URL)); err != nil {
		t.Fatal(err)
	}
	sameTables(t, dumpTables(t, h.TenantPath("maple")), dumpTables(t, clean.TenantPath("maple")))
	st, err := Open(context.Background(), h.TenantPath("maple"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if c, _ := st.Counts(context.Background()); c != srv.Counts() {
		t.Errorf("counts %+v, server %+v", c, srv.Counts())
	}
}

func TestSyncFullStartsOver(t *testing.T) {
	_, ts := newTestServer(t, 500)
	h := Home{Dir: t.TempDir()}
	if _, err := Sync(context.Background(), h, testOptions(ts.URL)); err != nil {
		t.Fatal(err)
	}
	before := dumpTables(t, h.TenantPath("maple"))
	o := testOptions(ts.URL)
	o.Full = true
	res, err := Sync(context.Background(), h, o)
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Entity("appointments"); a.Added != 500 {
		t.Errorf("full sync appointments %+v, want 500 added", a)
	}
	sameTables(t, dumpTables(t, h.TenantPath("maple")), before)
}

// TestSyncCancelAndResume cancels after k applied pages, resumes, and compares with a clean sync.
func TestSyncCancelAndResume(t *testing.T) {
	_, ts := newTestServer(t, 800)
	clean := Home{Dir: t.TempDir()}
	if _, err := Sync(context.Background(), clean, testOptions(ts.URL)); err != nil {
		t.Fatal(err)
	}
	want := dumpTables(t, clean.TenantPath("maple"))
	for _, k := range []int{1, 2, 4, 8, 12, 16, 20} {
		t.Run(fmt.Sprint("after", k), func(t *testing.T) {
			h := Home{Dir: t.TempDir()}
			ctx, cancel := context.WithCancel(context.Background())
			var n atomic.Int64
			o := testOptions(ts.URL)
			o.PageSize = 80
			o.Progress = func(SyncProgress) {
				if n.Add(1) == int64(k) {
					cancel()
				}
			}
			start := time.Now()
			_, err := Sync(ctx, h, o)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled sync: %v", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("sync took %v", d)
			}
			if id, _ := h.ActiveTenant(); id == "maple" {
				t.Error("a cancelled first sync made the tenant active")
			}
			if _, err := Sync(context.Background(), h, testOptions(ts.URL)); err != nil {
				t.Fatal(err)
			}
			sameTables(t, dumpTables(t, h.TenantPath("maple")), want)
		})
	}
}

func TestSyncCancelStopsQuickly(t *testing.T) {
	srv, ts := newTestServer(t, 500)
	srv.SetFaults(Faults{Latency: 300 * time.Millisecond})
	h := Home{Dir: t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	o := testOptions(ts.URL)
	start := time.Now()
	cancelled := time.Time{}
	o.Progress = func(SyncProgress) {
		if cancelled.IsZero() {
			cancelled = time.Now()
			cancel()
		}
	}
	_, err := Sync(ctx, h, o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if d := time.Since(cancelled); d > time.Second {
		t.Errorf("stopped %v after cancel (total %v), want under 1s", d, time.Since(start))
	}
}

func TestSyncFaults(t *testing.T) {
	srv, ts := newTestServer(t, 1000)
	want := demoDump(t, 1000)
	srv.SetFaults(Faults{FailRate: 0.25, TruncateRate: 0.2, Latency: 2 * time.Millisecond})
	h := Home{Dir: t.TempDir()}
	o := testOptions(ts.URL)
	o.Retry.Attempts = 14 // 40% of answers fail: 0.4^14 per request leaves no room for flakes
	if _, err := Sync(context.Background(), h, o); err != nil {
		t.Fatal(err)
	}
	sameTables(t, dumpTables(t, h.TenantPath("maple")), want)
}

func TestSyncGivesUpOnPersistentFailure(t *testing.T) {
	srv, ts := newTestServer(t, 100)
	srv.SetFaults(Faults{FailRate: 1})
	_, err := Sync(context.Background(), Home{Dir: t.TempDir()}, testOptions(ts.URL))
	if err == nil || !strings.Contains(err.Error(), "failed 8 times") {
		t.Errorf("err %v", err)
	}
}

func TestSyncRejectedToken(t *testing.T) {
	_, ts := newTestServer(t, 100)
	h := Home{Dir: t.TempDir()}
	o := testOptions(ts.URL)
	o.Token = "wrong"
	_, err := Sync(context.Background(), h, o)
	if !errors.Is(err, ErrTokenRejected) {
		t.Fatalf("err %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("error shows the token: %v", err)
	}
	if entries, _ := os.ReadDir(h.Dir); len(entries) != 0 {
		t.Errorf("a rejected sync wrote %d entries into the home", len(entries))
	}
}

func TestSyncRefusesOtherTenant(t *testing.T) {
	_, ts := newTestServer(t, 100)
	h := Home{Dir: t.TempDir()}
	st, err := Open(context.Background(), h.TenantPath("other"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetTenant(context.Background(), Tenant{ID: "other", Name: "Other", TimeZone: "UTC", Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := h.SetActive("other"); err != nil {
		t.Fatal(err)
	}
	_, err = Sync(context.Background(), h, testOptions(ts.URL))
	if !errors.Is(err, ErrTenantChanged) {
		t.Fatalf("err %v", err)
	}
	if _, err := os.Stat(h.TenantPath("maple")); err == nil {
		t.Error("a refused sync created the server tenant's store")
	}
}

// corrupt serves the real server but rewrites one changes page body.
func corrupt(h http.Handler, entity string, rewrite func(string) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/"+entity) || r.URL.Query().Get("cursor") == "" {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		r.Header.Del("Accept-Encoding")
		h.ServeHTTP(rec, r)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(rewrite(rec.Body.String())))
	})
}

func TestSyncMalformedPages(t *testing.T) {
	cases := []struct {
		name    string
		rewrite func(string) string
		want    string
	}{
		{"bad json", func(s string) string { return s[:len(s)/2] + "}" }, "malformed appointments page after cursor"},
		{"bad status", func(s string) string { return strings.Replace(s, `"status":"completed"`, `"status":"done"`, 1) }, `status "done" is unknown`},
		{"wrong entity", func(s string) string { return strings.Replace(s, `"entity":"appointments"`, `"entity":"payments"`, 1) }, "it says it holds"},
		{"missing time", func(s string) string { return strings.Replace(s, `"start_at":`, `"x":`, 1) }, "start_at is missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newTestServer(t, 600)
			ts := httptest.NewServer(corrupt(srv.Handler(), "appointments", tc.rewrite))
			defer ts.Close()
			h := Home{Dir: t.TempDir()}
			_, err := Sync(context.Background(), h, testOptions(ts.URL))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "not applied") {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			st, err := Open(context.Background(), h.TenantPath("maple"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			c, _ := st.Counts(context.Background())
			cur, _ := st.SyncCursor(context.Background(), "appointments")
			if c.Appointments != 300 || cur == "" {
				t.Errorf("after the bad second page: %d appointments, cursor %q; want the first page only", c.Appointments, cur)
			}
		})
	}
}

func TestSyncBadServerURL(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "http://"} {
		if _, err := FetchTenant(context.Background(), SyncOptions{Server: u, Token: "t"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: err %v", u, err)
		}
	}
}

func TestSecretHidden(t *testing.T) {
	o := SyncOptions{Token: "s3cret"}
	for _, s := range []string{fmt.Sprintf("%v", o), fmt.Sprintf("%+v", o), fmt.Sprintf("%#v", o)} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("token printed: %s", s)
		}
	}
}

func TestSyncSettingsMode(t *testing.T) {
	h := Home{Dir: t.TempDir()}
	if err := h.SaveSyncSettingsOf("", SyncSettings{Server: "http://x", Token: "tok"}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(h.syncSettingsPath(DemoTenantID))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	got, err := h.LoadSyncSettings(context.Background())
	if err != nil || got.Token != "tok" || got.Server != "http://x" {
		t.Errorf("got %+v, %v", got, err)
	}
}

// TestSyncRetriesTimeouts stalls the first two answers past the request timeout.
func TestSyncRetriesTimeouts(t *testing.T) {
	srv, _ := newTestServer(t, 300)
	var n atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
			return
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer ts.Close()
	o := testOptions(ts.URL)
	o.Retry.RequestTimeout = 100 * time.Millisecond
	res, err := Sync(context.Background(), Home{Dir: t.TempDir()}, o)
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Entity("appointments").Added; a != 300 {
		t.Errorf("appointments added %d", a)
	}
}
