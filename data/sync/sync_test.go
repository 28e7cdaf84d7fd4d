package sync_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
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

func TestSyncFullIntoDemoHome(t *testing.T) {
	_, ts := datatest.NewServer(t, 1000)
	h := data.Home{Dir: t.TempDir()}
	if _, err := demo.Build(context.Background(), h, demo.Options{Appointments: 200, Seed: 1, Today: datatest.Today}); err != nil {
		t.Fatal(err)
	}
	var events atomic.Int64
	o := datatest.Options(ts.URL)
	o.Progress = func(p datasync.Progress) {
		events.Add(1)
		if p.Done > p.Total || (p.Entity == "") != p.Finishing {
			t.Errorf("bad progress %+v", p)
		}
	}
	res, err := datasync.Sync(context.Background(), h, o)
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
	datatest.SameTables(t, datatest.DumpTables(t, h.TenantPath("maple")), datatest.DemoDump(t, 1000))
}

func TestSyncIncrementalAndDeletions(t *testing.T) {
	srv, ts := datatest.NewServer(t, 1000)
	h := data.Home{Dir: t.TempDir()}
	if _, err := datasync.Sync(context.Background(), h, datatest.Options(ts.URL)); err != nil {
		t.Fatal(err)
	}
	srv.Mutate(100, 1)
	srv.DeleteCustomer(7)
	res, err := datasync.Sync(context.Background(), h, datatest.Options(ts.URL))
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
	st, err := store.Open(context.Background(), h.TenantPath("maple"))
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
	h2 := data.Home{Dir: t.TempDir()}
	if _, err := datasync.Sync(context.Background(), h2, datatest.Options(ts.URL)); err != nil {
		t.Fatal(err)
	}
	datatest.SameTables(t, datatest.DumpTables(t, h.TenantPath("maple")), datatest.DumpTables(t, h2.TenantPath("maple")))
	// Nothing changed: nothing to do.
	res, err = datasync.Sync(context.Background(), h, datatest.Options(ts.URL))
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
	srv, ts := datatest.NewServer(t, 1000)
	h := data.Home{Dir: t.TempDir()}
	o := datatest.Options(ts.URL)
	var pages atomic.Int64
	o.Progress = func(p datasync.Progress) {
		switch pages.Add(1) {
		case 3: // customers are done and the appointments fetcher has not started yet
			srv.AddBooking()
		case 8:
			srv.Mutate(50, 9)
		}
	}
	res, err := datasync.Sync(context.Background(), h, o)
	if err != nil {
		t.Fatal(err)
	}
	// The new customer arrived after the customers phase: only a second round brings it.
	if got := res.Entity("customers").Added; got != 101 {
		t.Errorf("customers added %d, want 101 (the booking's new parent, in a second round)", got)
	}
	if _, err := datasync.Sync(context.Background(), h, datatest.Options(ts.URL)); err != nil {
		t.Fatal(err)
	}
	clean := data.Home{Dir: t.TempDir()}
	if _, err := datasync.Sync(context.Background(), clean, datatest.Options(ts.URL)); err != nil {
		t.Fatal(err)
	}
	datatest.SameTables(t, datatest.DumpTables(t, h.TenantPath("maple")), datatest.DumpTables(t, clean.TenantPath("maple")))
	st, err := store.Open(context.Background(), h.TenantPath("maple"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if c, _ := st.Counts(context.Background()); c != srv.Counts() {
		t.Errorf("counts %+v, server %+v", c, srv.Counts())
	}
}

func TestSyncFullStartsOver(t *testing.T) {
	_, ts := datatest.NewServer(t, 500)
	h := data.Home{Dir: t.TempDir()}
	if _, err := datasync.Sync(context.Background(), h, datatest.Options(ts.URL)); err != nil {
		t.Fatal(err)
	}
	before := datatest.DumpTables(t, h.TenantPath("maple"))
	o := datatest.Options(ts.URL)
	o.Full = true
	res, err := datasync.Sync(context.Background(), h, o)
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Entity("appointments"); a.Added != 500 {
		t.Errorf("full sync appointments %+v, want 500 added", a)
	}
	datatest.SameTables(t, datatest.DumpTables(t, h.TenantPath("maple")), before)
}

// TestSyncCancelAndResume cancels after k applied pages, resumes, and compares with a clean sync.
func TestSyncCancelAndResume(t *testing.T) {
	_, ts := datatest.NewServer(t, 800)
	clean := data.Home{Dir: t.TempDir()}
	if _, err := datasync.Sync(context.Background(), clean, datatest.Options(ts.URL)); err != nil {
		t.Fatal(err)
	}
	want := datatest.DumpTables(t, clean.TenantPath("maple"))
	for _, k := range []int{1, 2, 4, 8, 12, 16, 20} {
		t.Run(fmt.Sprint("after", k), func(t *testing.T) {
			h := data.Home{Dir: t.TempDir()}
			ctx, cancel := context.WithCancel(context.Background())
			var n atomic.Int64
			o := datatest.Options(ts.URL)
			o.PageSize = 80
			o.Progress = func(datasync.Progress) {
				if n.Add(1) == int64(k) {
					cancel()
				}
			}
			start := time.Now()
			_, err := datasync.Sync(ctx, h, o)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled sync: %v", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("sync took %v", d)
			}
			if id, _ := h.ActiveTenant(); id == "maple" {
				t.Error("a cancelled first sync made the tenant active")
			}
			if _, err := datasync.Sync(context.Background(), h, datatest.Options(ts.URL)); err != nil {
				t.Fatal(err)
			}
			datatest.SameTables(t, datatest.DumpTables(t, h.TenantPath("maple")), want)
		})
	}
}

func TestSyncCancelStopsQuickly(t *testing.T) {
	srv, ts := datatest.NewServer(t, 500)
	srv.SetFaults(tenantserver.Faults{Latency: 300 * time.Millisecond})
	h := data.Home{Dir: t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	o := datatest.Options(ts.URL)
	start := time.Now()
	cancelled := time.Time{}
	o.Progress = func(datasync.Progress) {
		if cancelled.IsZero() {
			cancelled = time.Now()
			cancel()
		}
	}
	_, err := datasync.Sync(ctx, h, o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if d := time.Since(cancelled); d > time.Second {
		t.Errorf("stopped %v after cancel (total %v), want under 1s", d, time.Since(start))
	}
}

func TestSyncFaults(t *testing.T) {
	srv, ts := datatest.NewServer(t, 1000)
	want := datatest.DemoDump(t, 1000)
	srv.SetFaults(tenantserver.Faults{FailRate: 0.25, TruncateRate: 0.2, Latency: 2 * time.Millisecond})
	h := data.Home{Dir: t.TempDir()}
	o := datatest.Options(ts.URL)
	o.Retry.Attempts = 14 // 40% of answers fail: 0.4^14 per request leaves no room for flakes
	if _, err := datasync.Sync(context.Background(), h, o); err != nil {
		t.Fatal(err)
	}
	datatest.SameTables(t, datatest.DumpTables(t, h.TenantPath("maple")), want)
}

func TestSyncGivesUpOnPersistentFailure(t *testing.T) {
	srv, ts := datatest.NewServer(t, 100)
	srv.SetFaults(tenantserver.Faults{FailRate: 1})
	_, err := datasync.Sync(context.Background(), data.Home{Dir: t.TempDir()}, datatest.Options(ts.URL))
	if err == nil || !strings.Contains(err.Error(), "failed 8 times") {
		t.Errorf("err %v", err)
	}
}

func TestSyncRejectedToken(t *testing.T) {
	_, ts := datatest.NewServer(t, 100)
	h := data.Home{Dir: t.TempDir()}
	o := datatest.Options(ts.URL)
	o.Token = "wrong"
	_, err := datasync.Sync(context.Background(), h, o)
	if !errors.Is(err, datasync.ErrTokenRejected) {
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
	_, ts := datatest.NewServer(t, 100)
	h := data.Home{Dir: t.TempDir()}
	st, err := store.Open(context.Background(), h.TenantPath("other"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetTenant(context.Background(), data.Tenant{ID: "other", Name: "Other", TimeZone: "UTC", Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := h.SetActive("other"); err != nil {
		t.Fatal(err)
	}
	_, err = datasync.Sync(context.Background(), h, datatest.Options(ts.URL))
	if !errors.Is(err, data.ErrTenantChanged) {
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
			srv, _ := datatest.NewServer(t, 600)
			ts := httptest.NewServer(corrupt(srv.Handler(), "appointments", tc.rewrite))
			defer ts.Close()
			h := data.Home{Dir: t.TempDir()}
			_, err := datasync.Sync(context.Background(), h, datatest.Options(ts.URL))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "not applied") {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			st, err := store.Open(context.Background(), h.TenantPath("maple"))
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
		if _, err := datasync.FetchTenant(context.Background(), datasync.Options{Server: u, Token: "t"}); !errors.Is(err, data.ErrInvalid) {
			t.Errorf("%q: err %v", u, err)
		}
	}
}

func TestSecretHidden(t *testing.T) {
	o := datasync.Options{Token: "s3cret"}
	for _, s := range []string{fmt.Sprintf("%v", o), fmt.Sprintf("%+v", o), fmt.Sprintf("%#v", o)} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("token printed: %s", s)
		}
	}
}

func TestSyncSettingsMode(t *testing.T) {
	h := data.Home{Dir: t.TempDir()}
	if err := datasync.SaveSettingsOf(h, "", datasync.Settings{Server: "http://x", Token: "tok"}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(datasync.SettingsPath(h, data.DemoTenantID))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	got, err := datasync.LoadSettings(context.Background(), h)
	if err != nil || got.Token != "tok" || got.Server != "http://x" {
		t.Errorf("got %+v, %v", got, err)
	}
}

// TestSyncRetriesTimeouts stalls the first two answers past the request timeout.
func TestSyncRetriesTimeouts(t *testing.T) {
	srv, _ := datatest.NewServer(t, 300)
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
	o := datatest.Options(ts.URL)
	o.Retry.RequestTimeout = 100 * time.Millisecond
	res, err := datasync.Sync(context.Background(), data.Home{Dir: t.TempDir()}, o)
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Entity("appointments").Added; a != 300 {
		t.Errorf("appointments added %d", a)
	}
}
