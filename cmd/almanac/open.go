package main

import (
	"context"
	"fmt"
	"net/url"
	"os/exec"
	"runtime"
	"time"

	"fyne.io/fyne/v2"
)

// openerWait is how long xdg-open gets to fail; still running after that, it has handed the
// link to a program that stays in the foreground (a browser started for it).
const openerWait = 5 * time.Second

// desktopOpener opens links for the UI. On X11 and Wayland systems it runs xdg-open and
// waits for its verdict: Fyne's OpenURL only starts it, so "no browser" (xdg-open exits 3)
// went unseen and Upgrade did nothing. Elsewhere the OS opener reports its own failures.
func desktopOpener(a fyne.App) func(context.Context, *url.URL) error {
	return func(ctx context.Context, u *url.URL) error {
		switch runtime.GOOS {
		case "windows", "darwin", "ios", "android", "js":
			return a.OpenURL(u)
		}
		return runOpener(ctx, "xdg-open", u.String(), openerWait)
	}
}

// runOpener runs name arg and reports its failure if it exits within wait.
func runOpener(ctx context.Context, name, arg string, wait time.Duration) error {
	cmd := exec.Command(name, arg)
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }() // reaps it whenever it ends
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s %s: %w", name, arg, err)
		}
		return nil
	case <-time.After(wait):
		return nil
	case <-ctx.Done():
		return nil
	}
}
