package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
	"github.com/almanac-app/almanac/ui"
)

const syncUsage = `Usage: almanac sync --server URL [--token TOKEN] [--full] [--json]

Pulls the tenant's data from its server into this home: everything the first time, then only
what changed. A new tenant gets its own store and becomes active once its first sync completes.
The token comes from --token, else $ALMANAC_TOKEN, else the one saved by the last sync; the
server URL and token are saved in the home (mode 0600) once the server accepts them.
Progress goes to stderr; the summary to stdout.`

func runSync(env *Env, args []string) error {
	fs := newFlags("sync", syncUsage)
	server := fs.String("server", "", "the tenant server's URL, e.g. http://127.0.0.1:8417 (default: the saved one)")
	token := fs.String("token", "", "the server's access token (default $ALMANAC_TOKEN, else the saved one)")
	full := fs.Bool("full", false, "forget what was synced and pull everything again")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	if done, err := parseFlags(env, fs, syncUsage, args); done || err != nil {
		return err
	}
	h := env.home()
	if err := h.Writable(); err != nil {
		return err
	}
	saved, err := h.LoadSyncSettings()
	if err != nil {
		return err
	}
	o := data.SyncOptions{Server: firstNonEmpty(*server, saved.Server), Full: *full,
		Token: data.Secret(firstNonEmpty(*token, os.Getenv("ALMANAC_TOKEN"), string(saved.Token)))}
	if o.Server == "" {
		return usageErr("sync: --server URL is required (no server saved yet), e.g. almanac sync --server http://127.0.0.1:8417 --token TOKEN")
	}
	if o.Token == "" {
		return usageErr("sync: no token: pass --token TOKEN or set ALMANAC_TOKEN")
	}
	p := &progressPrinter{env: env}
	o.Progress = p.print
	res, err := data.Sync(env.ctx(), h, o)
	p.finish()
	if serr := saveOutcome(h, o, res, err); serr != nil {
		fmt.Fprintf(env.Stderr, "almanac: warning: %v\n", serr)
	}
	if err != nil {
		return syncFailure(err)
	}
	if *asJSON {
		return printSyncJSON(env, o.Server, res)
	}
	printSyncSummary(env, o.Server, res)
	return nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// syncFailure words the common failures; every one exits 1.
func syncFailure(err error) error {
	if errors.Is(err, data.ErrTokenRejected) {
		return fmt.Errorf("sync: %w; nothing was changed", err)
	}
	if errors.Is(err, data.ErrInvalid) {
		return usageErr("sync: %v", err)
	}
	if !rerunHelps(err) {
		return fmt.Errorf("sync: %w", err) // main words the store problems (explainStore)
	}
	return fmt.Errorf("sync: %w (what was already applied is kept; run the sync again to resume)", err)
}

// saveOutcome remembers the server, the token (once accepted) and the result for the Sync
// screen. A rejected token, a bad URL or another tenant's server changes nothing.
func saveOutcome(h data.Home, o data.SyncOptions, res data.SyncResult, err error) error {
	if errors.Is(err, data.ErrTokenRejected) || errors.Is(err, data.ErrInvalid) || errors.Is(err, data.ErrTenantChanged) {
		return nil
	}
	s, lerr := h.LoadSyncSettings()
	if lerr != nil {
		s = data.SyncSettings{}
	}
	now := time.Now().UTC()
	s.Server, s.Token, s.LastAt = o.Server, o.Token, &now
	s.LastOK, s.LastResult = err == nil, data.SyncOutcome(res, err)
	return h.SaveSyncSettings(s)
}

// progressPrinter draws one updating line per entity on stderr, at most five times a second.
type progressPrinter struct {
	env  *Env
	mu   sync.Mutex
	last time.Time
	open bool
}

func (p *progressPrinter) print(ev data.SyncProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ev.Finishing {
		fmt.Fprintln(p.env.Stderr, "sync: building indexes and daily summaries…")
		return
	}
	if !ev.Finished && time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.env.Stderr, "\rsync: %-13s %11s of ~%-11s %9s rows/s ", ev.Entity, group(ev.Done), group(ev.Total), group(int64(ev.RowsPerSec)))
	p.open = !ev.Finished
	if ev.Finished {
		fmt.Fprintln(p.env.Stderr)
	}
}

func (p *progressPrinter) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open {
		fmt.Fprintln(p.env.Stderr)
	}
}

// group formats n with thousands separators.
func group(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + group(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func printSyncSummary(env *Env, server string, res data.SyncResult) {
	fmt.Fprintf(env.Stdout, "Synced %s (%s) from %s in %.1fs\n", res.Tenant.Name, res.Tenant.ID, server, res.Duration.Seconds())
	fmt.Fprintf(env.Stdout, "  %-14s %10s %10s %10s\n", "entity", "added", "updated", "deleted")
	for _, e := range res.Entities {
		fmt.Fprintf(env.Stdout, "  %-14s %10s %10s %10s\n", e.Entity, group(e.Added), group(e.Updated), group(e.Deleted))
	}
	if res.NewTenant {
		fmt.Fprintf(env.Stdout, "%s is now the active tenant (store %s).\n", res.Tenant.Name, res.Store)
	}
}

// syncJSON is the contract shape of 'almanac sync --json'.
type syncJSON struct {
	Tenant          string              `json:"tenant"`
	Name            string              `json:"name"`
	Server          string              `json:"server"`
	Full            bool                `json:"full"`
	NewTenant       bool                `json:"new_tenant"`
	DurationSeconds float64             `json:"duration_seconds"`
	DataAsOf        string              `json:"data_as_of"`
	Store           string              `json:"store"`
	Entities        []data.EntityResult `json:"entities"`
}

func printSyncJSON(env *Env, server string, res data.SyncResult) error {
	out := syncJSON{Tenant: res.Tenant.ID, Name: res.Tenant.Name, Server: server, Full: res.Full, NewTenant: res.NewTenant,
		DurationSeconds: res.Duration.Seconds(), Store: res.Store, Entities: res.Entities}
	if res.Tenant.LastSyncAt != nil {
		out.DataAsOf = res.Tenant.LastSyncAt.Format(time.RFC3339)
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// appSyncer is the Sync screen's client: it syncs the home and, when a sync brings a new
// tenant, opens that tenant's store for the shell and closes the previous one.
type appSyncer struct {
	env *Env
	mu  sync.Mutex
	st  *data.Store // the store the shell's reports read
}

var _ ui.Syncer = (*appSyncer)(nil)

func (a *appSyncer) Saved() (data.SyncSettings, error) { return a.env.home().LoadSyncSettings() }

func (a *appSyncer) Test(ctx context.Context, server, token string) (data.RemoteTenant, error) {
	return data.FetchTenant(ctx, data.SyncOptions{Server: server, Token: data.Secret(token)})
}

func (a *appSyncer) Sync(ctx context.Context, server, token string, full bool, progress func(data.SyncProgress)) (ui.SyncDone, error) {
	h := a.env.home()
	o := data.SyncOptions{Server: server, Token: data.Secret(token), Full: full, Progress: progress}
	res, err := data.Sync(ctx, h, o)
	if serr := saveOutcome(h, o, res, err); serr != nil {
		log.Printf("sync: %v", serr)
	}
	done := ui.SyncDone{Result: res}
	if err != nil {
		return done, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.st != nil && a.st.Path() == res.Store {
		return done, nil
	}
	st, err := data.Open(ctx, res.Store)
	if err != nil {
		return done, fmt.Errorf("open the synced tenant: %w", err)
	}
	if a.st != nil {
		if err := a.st.Close(); err != nil {
			log.Printf("close the previous store: %v", err)
		}
	}
	a.st = st
	done.Reports = reports.New(st, a.env.Now)
	return done, nil
}

// Close closes the store the shell reads.
func (a *appSyncer) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.st == nil {
		return nil
	}
	err := a.st.Close()
	a.st = nil
	return err
}
