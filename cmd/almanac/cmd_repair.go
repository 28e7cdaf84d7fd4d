package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"
	datasync "github.com/almanac-app/almanac/data/sync"

	"github.com/almanac-app/almanac/data"
)

const repairUsage = `Usage: almanac repair [--server URL] [--token-file FILE | --token -] [--appointments N] [--force]

Rebuilds the active tenant's store when it is damaged (SQLite says "database disk image is
malformed", 'almanac check' finds the file damaged, the file is empty or holds no tenant). The
damaged file is moved aside, kept as <store>.damaged-<UTC time>, and a fresh store is built in
its place: the demo tenant is generated again (default flags but --appointments), a synced tenant is synced afresh
from its server (the saved one, or --server with --token-file or --token -). A store that passes SQLite's quick
check and holds its tenant is left alone unless --force (use it when 'almanac check' fails on
foreign keys or rollups).`

func runRepair(env *Env, args []string) error {
	fs := newFlags("repair", repairUsage)
	server := fs.String("server", "", "the tenant server's URL (default: the saved one)")
	tokenFile := fs.String("token-file", "", "read the server's access token from FILE")
	token := fs.String("token", "", "the access token; - reads it from standard input (default $ALMANAC_TOKEN, else the saved one)")
	force := fs.Bool("force", false, "move the store aside and rebuild it even if it passes the check")
	n := fs.Int("appointments", 50_000, "for the demo tenant: the rebuilt demo's number of appointments")
	if done, err := parseFlags(env, fs, repairUsage, args); done || err != nil {
		return err
	}
	h := env.home()
	if err := h.Writable(); err != nil {
		return err
	}
	id, err := h.ActiveName()
	if errors.Is(err, data.ErrNoTenant) {
		return fmt.Errorf("repair: %w (home %s)", errNoTenantHint, env.Home)
	}
	if err != nil {
		return err
	}
	if *n <= 0 || *n > 20_000_000 {
		return usageErr("repair: --appointments %d: use a number from 1 to 20000000", *n)
	}
	if done, err := moveAsideIfDamaged(env, id, *force); done || err != nil {
		return err
	}
	if id == data.DemoTenantID {
		return repairDemo(env, *n)
	}
	return repairSync(env, id, *server, *token, *tokenFile)
}

// moveAsideIfDamaged moves tenant id's store aside when it needs repair (or force); done means
// the store is sound and nothing more is to be done.
func moveAsideIfDamaged(env *Env, id string, force bool) (done bool, err error) {
	h := env.home()
	path := h.TenantPath(id)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(env.Stderr, "repair: %s is missing; building it afresh\n", path)
		return false, nil
	}
	problem := store.Diagnose(env.ctx(), h, id)
	damaged := errors.Is(problem, data.ErrCorrupt) || errors.Is(problem, data.ErrEmptyStore) || errors.Is(problem, data.ErrNotFound)
	switch {
	case problem != nil && !damaged:
		return true, problem // e.g. a newer schema or a busy store: moving it aside cures nothing
	case problem == nil && !force:
		fmt.Fprintf(env.Stdout, "The store %s passed SQLite's check and holds its tenant: nothing to repair (--force rebuilds it anyway).\n", path)
		return true, nil
	case problem != nil:
		fmt.Fprintf(env.Stderr, "repair: %v\n", oneLine(problem.Error()))
	}
	kept, err := h.MoveAside(id, env.Now())
	if err != nil {
		return true, err
	}
	fmt.Fprintf(env.Stdout, "Moved the store aside, kept as %s\n", kept)
	return false, nil
}

func repairDemo(env *Env, appointments int) error {
	start := time.Now()
	t, err := buildDemo(env, demo.Options{Appointments: appointments})
	if err != nil {
		return fmt.Errorf("repair: %w", err)
	}
	fmt.Fprintf(env.Stdout, "Rebuilt the demo tenant %q in %.1fs: %s (run 'almanac demo' with your flags for another one)\n",
		t.Name, time.Since(start).Seconds(), env.home().TenantPath(t.ID))
	return nil
}

func repairSync(env *Env, id, server, token, tokenFile string) error {
	h := env.home()
	saved, err := datasync.SettingsOf(env.ctx(), h, id)
	if err != nil {
		return err
	}
	o := datasync.Options{Server: firstNonEmpty(server, saved.Server), Full: true, Command: syncCommandLine(true)}
	if o.Server == "" {
		return usageErr("repair: no saved server to sync from: pass --server URL with --token-file FILE")
	}
	if o.Token, err = syncToken(env, token, tokenFile, saved, o.Server); err != nil {
		return err
	}
	p := &progressPrinter{line: newProgress(env)}
	o.Progress = p.print
	res, err := datasync.Sync(env.ctx(), h, o)
	p.finish()
	if serr := saveOutcome(env.ctx(), h, id, o, res, err); serr != nil {
		fmt.Fprintf(env.Stderr, "almanac: warning: %v\n", serr)
	}
	if err != nil {
		return fmt.Errorf("repair: the damaged store is kept aside, but %w", syncFailure(env, res, err))
	}
	printSyncSummary(env, o.Server, res)
	return nil
}
