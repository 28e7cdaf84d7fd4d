//go:build !windows

package main

// openApp opens the desktop app in this process (with no command).
func openApp(env *Env, _ []string) error { return runApp(env) }
