package sync_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/datatest"
	datasync "github.com/almanac-app/almanac/data/sync"
)

func TestSyncWaitsForLock(t *testing.T) {
	_, ts := datatest.NewServer(t, 300)
	h := data.Home{Dir: t.TempDir()}
	l, err := h.LockStore(datatest.Remote().ID, "almanac demo")
	if err != nil {
		t.Fatal(err)
	}
	_, err = datasync.Sync(context.Background(), h, datatest.Options(ts.URL))
	var be *data.BusyError
	if !errors.As(err, &be) || be.Command != "almanac demo" {
		t.Fatalf("sync beside a locked store: %v, want a *BusyError naming the demo", err)
	}
	if _, err := os.Stat(h.TenantPath(datatest.Remote().ID)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused sync created the store: %v", err)
	}
	l.Unlock()
	if _, err := datasync.Sync(context.Background(), h, datatest.Options(ts.URL)); err != nil {
		t.Fatalf("sync after unlock: %v", err)
	}
}
