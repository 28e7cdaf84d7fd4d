package main

import "errors"

// runReport is a placeholder until its issue lands.
func runReport(env *Env, args []string) error {
	return errors.New("report: not available in this build yet")
}
