package sync_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"testing"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/datatest"
	"github.com/almanac-app/almanac/data/demo"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/data/sync/tenantserver"
)

// encodings records the Accept-Encoding of every changes request; force, if set, replaces it
// before the server sees it (a server that gzips whatever the client asked).
type encodings struct {
	mu    gosync.Mutex
	seen  map[string]int
	force string
}

func (e *encodings) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/changes/") {
			e.mu.Lock()
			e.seen[r.Header.Get("Accept-Encoding")]++
			e.mu.Unlock()
			if e.force != "" {
				r.Header.Set("Accept-Encoding", e.force)
			}
		}
		h.ServeHTTP(w, r)
	})
}

func encodingServer(t *testing.T, force string) (*encodings, *httptest.Server) {
	srv, err := tenantserver.New(context.Background(), datatest.Remote(), datatest.Token, demo.Options{Appointments: 300, Seed: 5, Today: datatest.Today})
	if err != nil {
		t.Fatal(err)
	}
	e := &encodings{seen: map[string]int{}, force: force}
	ts := httptest.NewServer(e.wrap(srv.Handler()))
	t.Cleanup(ts.Close)
	return e, ts
}

// TestSyncLoopbackAsksForPlainPages: a loopback server is asked for uncompressed pages (its
// gzip would only cost CPU on the same machine); a server that gzips anyway is still read.
func TestSyncLoopbackAsksForPlainPages(t *testing.T) {
	for _, force := range []string{"", "gzip"} {
		e, ts := encodingServer(t, force)
		h := data.Home{Dir: t.TempDir()}
		if _, err := datasync.Sync(context.Background(), h, datatest.Options(ts.URL)); err != nil {
			t.Fatalf("server gzipping %q: %v", force, err)
		}
		if len(e.seen) != 1 || e.seen["identity"] == 0 {
			t.Errorf("server gzipping %q: Accept-Encoding of the page requests %v, want identity only", force, e.seen)
		}
		datatest.SameTables(t, datatest.DumpTables(t, h.TenantPath("maple")), datatest.DemoDump(t, 300))
	}
}

// TestSyncRemoteServerGetsGzip: a server elsewhere is asked for gzip as before.
func TestSyncRemoteServerGetsGzip(t *testing.T) {
	e, ts := encodingServer(t, "")
	addr := ts.Listener.Addr().String()
	dial := &net.Dialer{}
	o := datatest.Options("http://sync.example.com")
	o.Client = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dial.DialContext(ctx, network, addr)
	}}}
	h := data.Home{Dir: t.TempDir()}
	if _, err := datasync.Sync(context.Background(), h, o); err != nil {
		t.Fatal(err)
	}
	if len(e.seen) != 1 || e.seen["gzip"] == 0 {
		t.Errorf("Accept-Encoding of the page requests %v, want gzip only", e.seen)
	}
	datatest.SameTables(t, datatest.DumpTables(t, h.TenantPath("maple")), datatest.DemoDump(t, 300))
}
