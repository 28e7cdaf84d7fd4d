package sync_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/almanac-app/almanac/data/datatest"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/data/sync/tenantserver"
)

// Hostile server input: each case serves one crafted page through a real HTTP server and checks
// that the sync fails with an error naming the entity and the record id (or the cursor when no
// id is readable), and that nothing of that page reached the store.

// hostileRecord returns one record of entity as JSON, valid unless over replaces field values
// with raw JSON. Parents with id 1 exist in every test server's data.
func hostileRecord(entity string, id int64, over map[string]string) string {
	var fields [][2]string
	switch entity {
	case "appointments":
		fields = [][2]string{{"id", ""}, {"customer_id", "1"}, {"service_id", "1"}, {"resource_id", "1"},
			{"start_at", `"2026-06-01T15:00:00Z"`}, {"end_at", `"2026-06-01T16:00:00Z"`}, {"status", `"completed"`},
			{"booked_at", `"2026-05-01T15:00:00Z"`}, {"price_cents", "5000"}, {"updated_at", `"2026-06-02T00:00:00Z"`}}
	case "customers":
		fields = [][2]string{{"id", ""}, {"name", `"Ada Hostile"`}, {"email", `"ada@example.com"`}, {"phone", `""`},
			{"status", `"active"`}, {"created_at", `"2026-01-01T00:00:00Z"`}, {"updated_at", `"2026-06-02T00:00:00Z"`}}
	case "payments":
		fields = [][2]string{{"id", ""}, {"customer_id", "1"}, {"appointment_id", "null"}, {"amount_cents", "5000"},
			{"currency", `"USD"`}, {"status", `"succeeded"`}, {"created_at", `"2026-06-01T15:00:00Z"`},
			{"paid_at", `"2026-06-01T15:00:00Z"`}, {"updated_at", `"2026-06-02T00:00:00Z"`}}
	default:
		panic("no template for " + entity)
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fields {
		v := f[1]
		if f[0] == "id" {
			v = fmt.Sprint(id)
		}
		if o, ok := over[f[0]]; ok {
			v = o
		}
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%s", f[0], v)
	}
	b.WriteByte('}')
	return b.String()
}

// hostilePage wraps records into a page body.
func hostilePage(entity, next string, more bool, records ...string) string {
	return fmt.Sprintf(`{"entity":%q,"records":[%s],"deleted":[],"next_cursor":%q,"has_more":%t,"remaining":0}`,
		entity, strings.Join(records, ","), next, more)
}

// badPage is two good records around one bad one, so a half-applied page would show.
func badPage(entity string, badID int64, over map[string]string) string {
	return hostilePage(entity, "h1", false, hostileRecord(entity, 9_000_001, nil),
		hostileRecord(entity, badID, over), hostileRecord(entity, 9_000_002, nil))
}

// hostileCase is one crafted answer to GET /v1/changes/{entity}.
type hostileCase struct {
	name   string
	entity string
	body   string                                       // served as the page
	serve  func(w http.ResponseWriter, r *http.Request) // or this, when set
	want   []string                                     // substrings of the error
}

func hostileCases() []hostileCase {
	return []hostileCase{
		{name: "huge string", entity: "customers",
			body: badPage("customers", 9_000_010, map[string]string{"name": `"` + strings.Repeat("A", 4<<20) + `"`}),
			want: []string{"customers", "record id 9000010", "name is longer than 1000 bytes"}},
		{name: "unknown status", entity: "appointments",
			body: badPage("appointments", 9_000_011, map[string]string{"status": `"teleported"`}),
			want: []string{"appointments", "record id 9000011", `status "teleported" is unknown`}},
		{name: "negative price", entity: "appointments",
			body: badPage("appointments", 9_000_012, map[string]string{"price_cents": "-1"}),
			want: []string{"appointments", "record id 9000012", "price_cents -1 is negative"}},
		{name: "max int64 price", entity: "appointments",
			body: badPage("appointments", 9_000_013, map[string]string{"price_cents": "9223372036854775807"}),
			want: []string{"appointments", "record id 9000013", "price_cents 9223372036854775807 is beyond the limit"}},
		{name: "payment beyond the money bound", entity: "payments",
			body: badPage("payments", 9_000_014, map[string]string{"amount_cents": "-1000000000001"}),
			want: []string{"payments", "record id 9000014", "amount_cents -1000000000001 is beyond the limit"}},
		{name: "1e30 amount", entity: "payments",
			body: badPage("payments", 9_000_015, map[string]string{"amount_cents": "1e30"}),
			want: []string{"payments", "record id 9000015", "cannot unmarshal number 1e30"}},
		{name: "year 0", entity: "appointments",
			body: badPage("appointments", 9_000_016, map[string]string{"start_at": `"0000-01-01T00:00:00Z"`}),
			want: []string{"appointments", "record id 9000016", "start_at 0000-01-01T00:00:00Z is out of range"}},
		{name: "year 9999", entity: "appointments",
			body: badPage("appointments", 9_000_017, map[string]string{"end_at": `"9999-12-31T23:59:59Z"`}),
			want: []string{"appointments", "record id 9000017", "end_at 9999-12-31T23:59:59Z is out of range"}},
		{name: "duplicate ids", entity: "appointments",
			body: hostilePage("appointments", "h1", false, hostileRecord("appointments", 9_000_018, nil),
				hostileRecord("appointments", 9_000_019, nil), hostileRecord("appointments", 9_000_018, map[string]string{"price_cents": "1"})),
			want: []string{"appointments", "id 9000018 appears twice"}},
		{name: "deep nesting", entity: "appointments", body: strings.Repeat("[", 100_000),
			want: []string{"appointments", "after cursor", "exceeded max depth"}},
		{name: "id unreadable", entity: "appointments",
			body: badPage("appointments", 9_000_020, map[string]string{"id": `"nine"`}),
			want: []string{"appointments", "after cursor", "record #1 (no readable id)"}},
		{name: "gigantic body", entity: "appointments", serve: serveEndless,
			want: []string{"appointments", "after cursor", "larger than 64 MiB"}},
	}
}

// serveEndless answers with a page that never ends, until the client hangs up.
func serveEndless(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"entity":"appointments","records":[`))
	chunk := bytes.Repeat([]byte(hostileRecord("appointments", 1, nil)+","), 1000)
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// hostileHandler serves srv, except that GET /v1/changes/{entity} answers with serve.
func hostileHandler(srv *tenantserver.Server, entity string, serve http.HandlerFunc) http.Handler {
	real := srv.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/changes/"+entity {
			serve(w, r)
			return
		}
		real.ServeHTTP(w, r)
	})
}

// syncedHome syncs a fresh home from srv and returns it with the store's fingerprint.
func syncedHome(t *testing.T, url string) (data.Home, map[string]string) {
	t.Helper()
	h := data.Home{Dir: t.TempDir()}
	if _, err := datasync.Sync(context.Background(), h, datatest.Options(url)); err != nil {
		t.Fatal(err)
	}
	return h, storeFingerprint(t, h)
}

func storeFingerprint(t *testing.T, h data.Home) map[string]string {
	t.Helper()
	st, err := store.Open(context.Background(), h.TenantPath("maple"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fp, err := st.Fingerprint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range data.Entities() {
		c, err := st.SyncCursor(context.Background(), e)
		if err != nil {
			t.Fatal(err)
		}
		fp["cursor "+e] = c
	}
	return fp
}

func TestSyncHostilePages(t *testing.T) {
	srv, ts := datatest.NewServer(t, 300)
	for _, tc := range hostileCases() {
		t.Run(tc.name, func(t *testing.T) {
			h, before := syncedHome(t, ts.URL)
			serve := tc.serve
			if serve == nil {
				serve = func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(tc.body))
				}
			}
			hs := httptest.NewServer(hostileHandler(srv, tc.entity, serve))
			defer hs.Close()
			peak := watchHeap()
			_, err := datasync.Sync(context.Background(), h, datatest.Options(hs.URL))
			grew := peak()
			if err == nil {
				t.Fatal("hostile page accepted")
			}
			t.Logf("error (heap grew by at most %d MiB): %.300s", grew>>20, err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q", w)
				}
			}
			if len(err.Error()) > 600 {
				t.Errorf("error is %d bytes long; it must not echo the page", len(err.Error()))
			}
			// The body cap is 64 MiB; growing a buffer up to it leaves garbage the collector
			// reclaims late (GOGC=100), so the heap may reach a few times the cap, but no more
			// however long the server keeps sending.
			if grew > 5*datasync.MaxPageBody {
				t.Errorf("the heap grew by %d MiB during the sync; the body cap should bound it", grew>>20)
			}
			sameFingerprint(t, storeFingerprint(t, h), before)
		})
	}
}

// watchHeap samples the live heap until the returned function is called, which reports the
// largest growth over the heap at the start.
func watchHeap() func() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapAlloc
	var top atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > base && m.HeapAlloc-base > top.Load() {
				top.Store(m.HeapAlloc - base)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return top.Load()
	}
}

func sameFingerprint(t *testing.T, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s changed: %q, want %q", k, got[k], v)
		}
	}
}

// TestSyncInvalidUTF8Sanitised: encoding/json replaces invalid UTF-8 with U+FFFD, so the
// record is kept with a readable name rather than refused (one stray byte should not stop a
// business's sync), and the store never holds invalid UTF-8.
func TestSyncInvalidUTF8Sanitised(t *testing.T) {
	srv, ts := datatest.NewServer(t, 300)
	h, _ := syncedHome(t, ts.URL)
	body := hostilePage("customers", "h1", false, hostileRecord("customers", 9_000_030, map[string]string{"name": "\"Ad\xffa \xc3\x28\""}))
	hs := httptest.NewServer(hostileHandler(srv, "customers", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("cursor") == "h1" {
			_, _ = w.Write([]byte(hostilePage("customers", "h1", false)))
			return
		}
		_, _ = w.Write([]byte(body))
	}))
	defer hs.Close()
	if _, err := datasync.Sync(context.Background(), h, datatest.Options(hs.URL)); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), h.TenantPath("maple"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var name string
	if err := datatest.RawDB(t, st).QueryRow("SELECT name FROM customers WHERE id = ?", 9_000_030).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if !utf8.ValidString(name) || name != "Ad\uFFFDa \uFFFD(" {
		t.Errorf("stored name %q, want the invalid bytes replaced by U+FFFD", name)
	}
}

// TestSyncStuckCursor: a server whose next_cursor does not advance, or leads back to a cursor
// it already served, is stopped with an error naming the entity and the cursor.
func TestSyncStuckCursor(t *testing.T) {
	srv, ts := datatest.NewServer(t, 300)
	cases := []struct {
		name string
		next func(cursor string) string
		want string
	}{
		{"same cursor", func(c string) string { return c }, "next_cursor did not advance"},
		{"cycle", func(c string) string {
			if c == "c1" {
				return "c2"
			}
			return "c1"
		}, `went from "c2" back to "c1"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := syncedHome(t, ts.URL)
			var n atomic.Int64
			hs := httptest.NewServer(hostileHandler(srv, "appointments", func(w http.ResponseWriter, r *http.Request) {
				id := 9_100_000 + n.Add(1)
				_, _ = w.Write([]byte(hostilePage("appointments", tc.next(r.URL.Query().Get("cursor")), true, hostileRecord("appointments", id, nil))))
			}))
			defer hs.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := datasync.Sync(ctx, h, datatest.Options(hs.URL))
			if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "appointments") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one naming appointments and %q", err, tc.want)
			}
			t.Logf("error: %v", err)
			if n.Load() > 5 {
				t.Errorf("%d pages requested before stopping", n.Load())
			}
		})
	}
}

// TestSyncHangMidBody: a server that sends half a body and then stalls is timed out by the
// per-request timeout and the request retried.
func TestSyncHangMidBody(t *testing.T) {
	srv, _ := datatest.NewServer(t, 300)
	real := srv.Handler()
	var hung atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/changes/appointments" && hung.Add(1) <= 2 {
			rec := httptest.NewRecorder()
			real.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			_, _ = w.Write(body[:len(body)/2])
			w.(http.Flusher).Flush()
			select {
			case <-time.After(10 * time.Second):
			case <-r.Context().Done():
			}
			return
		}
		real.ServeHTTP(w, r)
	}))
	defer hs.Close()
	o := datatest.Options(hs.URL)
	o.Retry.RequestTimeout = 300 * time.Millisecond
	start := time.Now()
	res, err := datasync.Sync(context.Background(), data.Home{Dir: t.TempDir()}, o)
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Entity("appointments").Added; a != 300 {
		t.Errorf("appointments added %d, want 300", a)
	}
	if hung.Load() < 3 || time.Since(start) > 8*time.Second {
		t.Errorf("%d appointment requests in %v: want the two hung ones timed out and retried quickly", hung.Load(), time.Since(start))
	}
}

// TestSyncTokenNeverShown: a failing sync whose server echoes the token back, in error bodies
// and in record values, never shows it in an error, a progress event, the saved outcome or the
// log; and the settings file holding it is 0600 even if it was world-readable before.
func TestSyncTokenNeverShown(t *testing.T) {
	const token = "tok-Zq8vX2-very-secret"
	srv, err := tenantserver.New(context.Background(), datatest.Remote(), token, demo.Options{Appointments: 200, Seed: 5, Today: datatest.Today})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log.SetOutput(&logs)
	defer log.SetOutput(os.Stderr)
	echo := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			apiError(w, code, "request carried "+r.Header.Get("Authorization")+" which is "+strings.Repeat("x", 190)+token)
		}
	}
	cases := map[string]http.HandlerFunc{
		"500 echo": echo(http.StatusInternalServerError),
		"400 echo": echo(http.StatusBadRequest),
		"token as status": func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(badPage("appointments", 9_000_040, map[string]string{"status": `"` + token + `"`})))
		},
		"token as cursor": func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(hostilePage("appointments", token, true, hostileRecord("appointments", 9_000_041, nil))))
		},
	}
	for name, serve := range cases {
		t.Run(name, func(t *testing.T) {
			hs := httptest.NewServer(hostileHandler(srv, "appointments", serve))
			defer hs.Close()
			h := data.Home{Dir: t.TempDir()}
			if err := os.WriteFile(filepath.Join(h.Dir, datasync.LegacySyncSetting), []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
			o := datasync.Options{Server: hs.URL, Token: token, PageSize: 100, Retry: datasync.RetryPolicy{Attempts: 2, Base: time.Millisecond, Max: time.Millisecond, RequestTimeout: 5 * time.Second}}
			var events []string
			o.Progress = func(p datasync.Progress) { events = append(events, fmt.Sprintf("%+v %#v", p, p)) }
			res, err := datasync.Sync(context.Background(), h, o)
			if err == nil {
				t.Fatal("sync succeeded")
			}
			outcome := datasync.Outcome(res, err)
			if _, err := datasync.LoadSettings(context.Background(), h); err != nil {
				t.Fatal(err)
			}
			if err := datasync.SaveSettingsOf(h, res.Remote.ID, datasync.Settings{Server: hs.URL, Token: token, LastResult: outcome}); err != nil {
				t.Fatal(err)
			}
			fi, err2 := os.Stat(datasync.SettingsPath(h, res.Remote.ID))
			if err2 != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("settings file mode %v (%v), want 0600", fi.Mode().Perm(), err2)
			}
			shown := map[string]string{"error": err.Error(), "outcome": outcome, "events": strings.Join(events, "\n"),
				"log": logs.String(), "result": fmt.Sprintf("%+v", res)}
			for what, s := range shown {
				// A prefix is enough to leak most of it; a truncated echo must not slip through.
				if strings.Contains(s, token[:8]) {
					t.Errorf("the token appears in the %s: %s", what, s)
				}
			}
			t.Logf("error: %.300s", err)
		})
	}
}
