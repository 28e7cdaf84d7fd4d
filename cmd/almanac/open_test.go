package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fakeOpener writes an executable script named xdg-open into a directory on PATH.
func fakeOpener(t *testing.T, script string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// xdg-open that finds no browser exits 3 at once: that must be an error the UI can show, not
// silence; a missing xdg-open is one too; one still running after the wait has succeeded.
func TestRunOpener(t *testing.T) {
	ctx := context.Background()
	t.Run("no browser", func(t *testing.T) {
		fakeOpener(t, "exit 3")
		if err := runOpener(ctx, "xdg-open", "https://example.com", 10*time.Second); err == nil {
			t.Error("no error when xdg-open found no browser")
		}
	})
	t.Run("opened", func(t *testing.T) {
		fakeOpener(t, "exit 0")
		if err := runOpener(ctx, "xdg-open", "https://example.com", 10*time.Second); err != nil {
			t.Error(err)
		}
	})
	t.Run("browser in the foreground", func(t *testing.T) {
		fakeOpener(t, "exec sleep 5")
		if err := runOpener(ctx, "xdg-open", "https://example.com", 50*time.Millisecond); err != nil {
			t.Error(err)
		}
	})
	t.Run("no xdg-open", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		if err := runOpener(ctx, "xdg-open", "https://example.com", time.Second); err == nil {
			t.Error("no error without xdg-open")
		}
	})
}
