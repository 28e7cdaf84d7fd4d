package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	datasync "github.com/almanac-app/almanac/data/sync"
)

func TestParseRejects(t *testing.T) {
	for _, args := range [][]string{
		{}, // no token
		{"--token", "x", "--appointments", "0"},
		{"--token", "x", "--fail-rate", "2"},
		{"--token", "x", "--today", "June"},
		{"--token", "x", "--tenant-id", "../etc"},
		{"--token", "x", "--bogus"},
	} {
		var ue usageError
		if _, err := parse(args, io.Discard); !errors.As(err, &ue) {
			t.Errorf("%v: err %v, want a usage error", args, err)
		}
	}
}

func TestServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--token", "tok", "--appointments", "300", "--seed", "5",
			"--today", "2026-06-15", "--mutate-every", "50ms"}, io.Discard, func(a string) { addrc <- a })
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatal(err)
	}
	get := func(token string) *http.Response {
		req, _ := http.NewRequest("GET", "http://"+addr+"/v1/tenant", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if r := get("nope"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad token: HTTP %d", r.StatusCode)
	}
	r := get("tok")
	var rt datasync.RemoteTenant
	if err := json.NewDecoder(r.Body).Decode(&rt); err != nil || rt.ID != "maple-street" || rt.TimeZone != "America/New_York" {
		t.Errorf("tenant %+v, %v", rt, err)
	}
	r.Body.Close()
	time.Sleep(120 * time.Millisecond) // let the mutator run
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestBadDemoOptionNamesTheFlag: a demo option that Normalize refuses is a usage error worded
// with tenantd's flag.
func TestBadDemoOptionNamesTheFlag(t *testing.T) {
	err := run(context.Background(), []string{"--addr", "127.0.0.1:0", "--token", "x", "--timezone", "Mars/X"}, io.Discard, nil)
	var ue usageError
	if !errors.As(err, &ue) || !strings.HasPrefix(flagWords(err), "--timezone Mars/X is not a time zone") {
		t.Fatalf("err %v (worded %q), want a usage error naming --timezone", err, flagWords(err))
	}
}
