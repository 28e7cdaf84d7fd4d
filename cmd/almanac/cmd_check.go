package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/almanac-app/almanac/data"
)

const checkUsage = `Usage: almanac check [--json]

Checks the active tenant's store: SQLite's integrity check, foreign keys, and that the daily
rollups agree with the raw rows. Prints a fingerprint of every table (row count and hash), so two
stores can be compared. Exits 1 if anything is wrong.`

// checkJSON is the shape of 'almanac check --json'.
type checkJSON struct {
	OK          bool              `json:"ok"`
	Problem     string            `json:"problem,omitempty"`
	DBPath      string            `json:"db_path"`
	Fingerprint map[string]string `json:"fingerprint"`
}

func runCheck(env *Env, args []string) error {
	fs := newFlags("check", checkUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	if done, err := parseFlags(env, fs, checkUsage, args); done || err != nil {
		return err
	}
	st, _, err := env.OpenStore()
	if err != nil {
		return err
	}
	defer st.Close()
	out := checkJSON{DBPath: st.Path()}
	verr := st.Verify(env.ctx())
	out.OK = verr == nil
	if verr != nil {
		out.Problem = verr.Error()
	}
	if out.Fingerprint, err = st.Fingerprint(env.ctx()); err != nil {
		return err
	}
	if *asJSON {
		if err := json.NewEncoder(env.Stdout).Encode(out); err != nil {
			return err
		}
	} else {
		printCheck(env, out)
	}
	if errors.Is(verr, data.ErrCorrupt) {
		return verr // main words it with the way out: almanac repair
	}
	if verr != nil {
		return fmt.Errorf("check %s: %w (run 'almanac repair --force' to rebuild it; the old file is kept)", st.Path(), verr)
	}
	return nil
}

func printCheck(env *Env, c checkJSON) {
	verdict := "ok"
	if !c.OK {
		verdict = "PROBLEM: " + c.Problem
	}
	fmt.Fprintf(env.Stdout, "Store: %s\nCheck: %s\n", termSafe(c.DBPath), verdict)
	names := make([]string, 0, len(c.Fingerprint))
	for n := range c.Fingerprint {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(env.Stdout, "  %-14s %s\n", n, c.Fingerprint[n])
	}
}
