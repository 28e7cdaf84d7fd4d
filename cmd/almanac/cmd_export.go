package main

import "errors"

// runExport is a placeholder until its issue lands.
func runExport(env *Env, args []string) error {
	return errors.New("export: not available in this build yet")
}
