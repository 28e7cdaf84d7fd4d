package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/demo"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/data/sync/tenantserver"

	"github.com/almanac-app/almanac/data"
)

func syncServer(t *testing.T) (*tenantserver.Server, string) {
	t.Helper()
	rt := datasync.RemoteTenant{Tenant: data.Tenant{ID: "maple", Name: "Maple Street Wellness", TimeZone: "America/New_York", Currency: "USD", CanAcceptPayments: true}}
	srv, err := tenantserver.New(context.Background(), rt, "s3cret", demo.Options{Appointments: 1500, Seed: 5,
		Today: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return srv, ts.URL
}

func TestSyncCommand(t *testing.T) {
	srv, url := syncServer(t)
	home := demoHome(t)
	code, stdout, stderr := runCLI(t, "--home", home, "sync", "--server", url, "--token", "s3cret")
	if code != 0 {
		t.Fatalf("sync: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Synced Maple Street Wellness (maple)", "appointments", "1,500", "now the active tenant"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "sync: appointments") || strings.Contains(stdout+stderr, "s3cret") {
		t.Errorf("stderr progress missing or token shown:\n%s", stderr)
	}
	fi, err := os.Stat(filepath.Join(home, "sync", "maple.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("saved settings: %v, %v", fi, err)
	}
	// The header of the app now reads the synced tenant, not the demo.
	code, out, _ := runCLI(t, "--home", home, "tenant", "--json")
	var tj tenantJSON
	if code != 0 || json.Unmarshal([]byte(out), &tj) != nil || tj.ID != "maple" || tj.LastSyncAt == nil {
		t.Errorf("tenant after sync: %d %s", code, out)
	}
	// Second sync: server and token come from the saved settings; JSON summary.
	srv.Mutate(100, 3)
	code, stdout, stderr = runCLI(t, "--home", home, "sync", "--json")
	if code != 0 {
		t.Fatalf("saved-settings sync: exit %d: %s", code, stderr)
	}
	var sj syncJSON
	if err := json.Unmarshal([]byte(stdout), &sj); err != nil || sj.Tenant != "maple" || sj.NewTenant || len(sj.Entities) != 6 {
		t.Fatalf("json %v: %s", err, stdout)
	}
	if a := sj.Entities[3]; a.Entity != "appointments" || a.Updated == 0 {
		t.Errorf("appointments %+v", a)
	}
}

func TestSyncCommandFailures(t *testing.T) {
	_, url := syncServer(t)
	home := demoHome(t)
	code, _, stderr := runCLI(t, "--home", home, "sync", "--server", url, "--token", "wrong")
	if code != exitFailure || !strings.Contains(stderr, "the server rejected the token") || strings.Contains(stderr, "wrong") {
		t.Errorf("rejected token: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(home, "sync")); err == nil {
		t.Error("a rejected token was saved")
	}
	if code, _, stderr := runCLI(t, "--home", home, "sync"); code != exitUsage || !strings.Contains(stderr, "--server") {
		t.Errorf("no server: exit %d: %s", code, stderr)
	}
	t.Setenv("ALMANAC_TOKEN", "s3cret")
	if code, _, stderr := runCLI(t, "--home", home, "sync", "--server", "ftp://x"); code != exitUsage {
		t.Errorf("bad URL: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "--home", home, "sync", "--server", url); code != 0 {
		t.Errorf("token from ALMANAC_TOKEN: exit %d: %s", code, stderr)
	}
}
