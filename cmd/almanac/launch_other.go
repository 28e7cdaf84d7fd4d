//go:build !windows

package main

import "github.com/almanac-app/almanac/ui"

// openApp opens the desktop app in this process (with no command).
func openApp(env *Env, _ []string) error {
	ui.TraceStart("main dispatched to the app")
	return runApp(env)
}
