package sync_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/datatest"
	"github.com/almanac-app/almanac/data/store"
	datasync "github.com/almanac-app/almanac/data/sync"
)

// TestFullSyncDanglingReference: a first sync (a bulk load, foreign keys checked by the store
// rather than enforced by SQLite) of a server whose appointment refers to a customer it never
// sends fails after its rounds with an error naming the record and the missing row, and the
// store opens consistent, holding none of that page.
func TestFullSyncDanglingReference(t *testing.T) {
	srv, _ := datatest.NewServer(t, 200)
	page := hostilePage("appointments", "h1", false, hostileRecord("appointments", 9_000_031, nil),
		hostileRecord("appointments", 9_000_032, map[string]string{"customer_id": "999999"}))
	hs := httptest.NewServer(hostileHandler(srv, "appointments", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(page))
	}))
	defer hs.Close()
	h := data.Home{Dir: t.TempDir()}
	_, err := datasync.Sync(context.Background(), h, datatest.Options(hs.URL))
	if !errors.Is(err, store.ErrMissingParent) {
		t.Fatalf("sync = %v; want ErrMissingParent", err)
	}
	for _, w := range []string{"appointments record id 9000032", "customers id 999999", "after 3 rounds"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
	st, err := store.Open(context.Background(), h.TenantPath("maple"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Verify(context.Background()); err != nil {
		t.Fatalf("store after the failed sync: %v", err)
	}
	c, err := st.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Appointments != 0 || c.Customers != srv.Counts().Customers {
		t.Errorf("counts %+v; want the server's customers and none of the refused page's appointments", c)
	}
	if cur, _ := st.SyncCursor(context.Background(), "appointments"); cur != "" {
		t.Errorf("appointments cursor %q; want none (the page did not commit)", cur)
	}
}
