package main

import "errors"

// runSync is a placeholder until its issue lands.
func runSync(env *Env, args []string) error {
	return errors.New("sync: not available in this build yet")
}
