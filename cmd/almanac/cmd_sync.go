package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/almanac-app/almanac/data/store"
	datasync "github.com/almanac-app/almanac/data/sync"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
	"github.com/almanac-app/almanac/ui"
)

const syncUsage = `Usage: almanac sync [--server URL] [--token-file FILE | --token -] [--add] [--full] [--timeout D] [--json]

Pulls the tenant's data from its server into this home: everything the first time, then only
what changed. Each tenant (business) has its own store and its own saved server and token; a
bare 'almanac sync' syncs the active tenant from its saved server.

A server serving a tenant this home keeps updates that tenant, which becomes active. A server
serving a tenant new to the home is added and becomes active once its first sync completes:
while the demo is active, always (the demo stays in the home); while a synced tenant is active,
only with --add, so a wrong URL cannot switch the business ('almanac tenant use ID' switches
back).

The token comes from --token-file FILE (its first line), --token - (standard input), else
$ALMANAC_TOKEN, else the active tenant's saved one when the server is the same (scheme, host
and port): a saved token is never sent to another server. --token VALUE still works but every
user of this computer can read it in the process list. The server URL and token are saved with
the server's tenant in the home (mode 0600) once the server accepts the token.

A run stops at its bounds: --timeout for the whole run, a minimum transfer rate, rows against
what the server announced, and 256 MiB of free disk space; what was applied is kept and the next
sync resumes from there. Progress goes to stderr; the summary to stdout.`

func runSync(env *Env, args []string) error {
	if stop := startCPUProfile(env); stop != nil {
		defer stop()
	}
	fs := newFlags("sync", syncUsage)
	server := fs.String("server", "", "the tenant server's URL, e.g. http://127.0.0.1:8417 (default: the saved one)")
	tokenFile := fs.String("token-file", "", "read the server's access token from FILE")
	token := fs.String("token", "", "the access token; - reads it from standard input (a value is visible to other users: prefer --token-file)")
	add := fs.Bool("add", false, "add the server's business to this home and make it active (needed while a synced tenant is active)")
	full := fs.Bool("full", false, "forget what was synced and pull everything again")
	timeout := fs.Duration("timeout", time.Hour, "stop the whole run after this long (what was applied is kept)")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	if done, err := parseFlags(env, fs, syncUsage, args); done || err != nil {
		return err
	}
	if *timeout <= 0 {
		return usageErr("sync: --timeout %v must be positive, e.g. --timeout 30m", *timeout)
	}
	h := env.home()
	if err := h.Writable(); err != nil {
		return err
	}
	active, err := h.ActiveTenant()
	if err != nil && !errors.Is(err, data.ErrNoTenant) {
		return err
	}
	saved, err := datasync.SettingsOf(env.ctx(), h, active)
	if err != nil {
		return err
	}
	o := datasync.Options{Server: firstNonEmpty(*server, saved.Server), Full: *full, Command: syncCommandLine(*full), AddTenant: *add, Limits: datasync.Limits{RunTimeout: *timeout}}
	if o.Server == "" && active != "" && active != data.DemoTenantID {
		return usageErr("sync: --server URL is required (no server saved for tenant %s yet), e.g. almanac sync --server http://127.0.0.1:8417 --token-file FILE", termSafe(active))
	}
	if o.Server == "" {
		return usageErr("sync: --server URL is required (no server saved yet), e.g. almanac sync --server http://127.0.0.1:8417 --token-file FILE")
	}
	if o.Token, err = syncToken(env, *token, *tokenFile, saved, o.Server); err != nil {
		return err
	}
	p := &progressPrinter{line: newProgress(env)}
	o.Progress = p.print
	res, err := datasync.Sync(env.ctx(), h, o)
	p.finish()
	if serr := saveOutcome(env.ctx(), h, active, o, res, err); serr != nil {
		fmt.Fprintf(env.Stderr, "almanac: warning: %v\n", serr)
	}
	var ote *datasync.OtherTenantError
	if errors.As(err, &ote) {
		return usageErr("sync: %s serves %s, not the active tenant %s; nothing was changed: to add it as another business and make it active, run the sync again with --add (else check --server)",
			termSafe(o.Server), termSafe(tenantWords(ote.Remote.Name, ote.Remote.ID)), termSafe(tenantWords(ote.Active.Name, ote.Active.ID)))
	}
	if err != nil {
		return syncFailure(env, res, err)
	}
	if *asJSON {
		return printSyncJSON(env, o.Server, res)
	}
	printSyncSummary(env, o.Server, res)
	return nil
}

// startCPUProfile writes a CPU profile of the sync, the demo build or an export to $ALMANAC_CPUPROFILE when
// it is set (docs/performance.md); it returns the function that ends it, or nil.
func startCPUProfile(env *Env) func() {
	path := os.Getenv("ALMANAC_CPUPROFILE")
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "almanac: warning: ALMANAC_CPUPROFILE: %v\n", err)
		if f != nil {
			f.Close()
		}
		return nil
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(env.Stderr, "almanac: warning: ALMANAC_CPUPROFILE: %v\n", err)
		}
	}
}

// syncToken picks the token: --token-file, --token - (stdin), --token VALUE (with a warning),
// $ALMANAC_TOKEN, then the saved one, which only goes to the origin it was saved with.
func syncToken(env *Env, token, file string, saved datasync.Settings, server string) (datasync.Secret, error) {
	switch {
	case token != "" && file != "":
		return "", usageErr("sync: give the token once: --token-file FILE or --token -, not both")
	case file != "":
		return readToken(file)
	case token == "-":
		t, err := datasync.ParseToken(readCapped(env.Stdin))
		if err != nil {
			return "", usageErr("sync: --token - (standard input): %v", err)
		}
		return t, nil
	case token != "":
		fmt.Fprintln(env.Stderr, "almanac: warning: --token VALUE is visible to every user of this computer (ps); use --token-file FILE, --token - or $ALMANAC_TOKEN")
		return datasync.Secret(token), nil
	case os.Getenv("ALMANAC_TOKEN") != "":
		return datasync.Secret(os.Getenv("ALMANAC_TOKEN")), nil
	}
	if t := saved.TokenFor(server); t != "" {
		return t, nil
	}
	if saved.Token != "" {
		return "", usageErr("sync: the saved token belongs to %s, and a token is never sent to another server: give the token for %s with --token-file FILE, --token - or $ALMANAC_TOKEN",
			datasync.Origin(saved.Server), datasync.Origin(server))
	}
	return "", usageErr("sync: no token: pass --token-file FILE, --token - (standard input) or set ALMANAC_TOKEN")
}

// readToken reads --token-file FILE.
func readToken(file string) (datasync.Secret, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", usageErr("sync: --token-file: %v", err)
	}
	defer f.Close()
	t, err := datasync.ParseToken(readCapped(f))
	if err != nil {
		return "", usageErr("sync: --token-file %s: %v", file, err)
	}
	return t, nil
}

// readCapped reads a little more than a token can hold, so ParseToken sees an overlong input.
func readCapped(r io.Reader) []byte {
	if r == nil {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(r, datasync.MaxTokenLen+3))
	return b
}

// tenantWords names a tenant as "Name (id)", or its id alone when it has no other name.
func tenantWords(name, id string) string {
	if name == "" || name == id {
		return id
	}
	return name + " (" + id + ")"
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// syncFailure prints the technical detail, then ends with the plain sentence the Sync screen
// shows; every failure exits 1, a bad URL or token 2.
func syncFailure(env *Env, res datasync.Result, err error) error {
	if errors.Is(err, data.ErrInvalid) {
		return usageErr("sync: %w", err)
	}
	if !rerunHelps(err) {
		return fmt.Errorf("sync: %w", err) // main words the store problems (explainStore)
	}
	if !errors.Is(err, context.Canceled) {
		fmt.Fprintf(env.Stderr, "almanac: sync: details: %s\n", strings.Join(strings.Fields(cliWords(err)), " "))
	}
	return &worded{msg: "sync: " + datasync.Outcome(res, err), err: err}
}

// worded is an error shown in plain words that keeps the technical one for errors.Is.
type worded struct {
	msg string
	err error
}

func (w *worded) Error() string { return w.msg }
func (w *worded) Unwrap() error { return w.err }

// saveOutcome remembers the server and the token with the server's tenant once the server
// accepted them, and the result for the Sync screen. A server never reached, a rejected token,
// a bad URL or a refused tenant saves nothing; a token rejected partway records the result but
// keeps the saved pair. A sync started from the demo (or no tenant) that did not finish also
// keeps its pair in the demo's slot, so a bare sync resumes it; a finished one clears that slot.
func saveOutcome(ctx context.Context, h data.Home, from string, o datasync.Options, res datasync.Result, err error) error {
	if !res.Accepted || res.Remote.ID == "" || errors.Is(err, data.ErrInvalid) || errors.Is(err, data.ErrTenantChanged) {
		return nil
	}
	var s datasync.Settings
	record := func(saved *datasync.Settings) {
		if !errors.Is(err, datasync.ErrTokenRejected) {
			saved.Server, saved.Token = o.Server, o.Token
		}
		now := time.Now().UTC()
		saved.LastAt, saved.LastOK, saved.LastResult, saved.LastCause = &now, err == nil, datasync.Outcome(res, err), ""
		switch {
		case errors.Is(err, context.Canceled):
			saved.LastCause = "it was cancelled"
		case err != nil:
			saved.LastCause = datasync.FailureCause(res, err)
		}
		s = *saved
	}
	// Under the settings' lock: an automatic-sync switch flipped meanwhile is kept.
	if serr := datasync.UpdateSettingsOf(ctx, h, res.Remote.ID, record); serr != nil {
		return serr
	}
	if from != "" && from != data.DemoTenantID {
		return nil
	}
	if err == nil {
		return datasync.ForgetSettingsOf(h, data.DemoTenantID)
	}
	return datasync.SaveSettingsOf(h, data.DemoTenantID, s)
}

// progressPrinter reports sync progress per entity on stderr (see progressLine).
type progressPrinter struct {
	line *progressLine
}

func (p *progressPrinter) print(ev datasync.Progress) {
	if ev.Finishing {
		p.line.note("sync: building indexes and daily summaries…")
		return
	}
	p.line.show(ev.Entity, fmt.Sprintf("sync: %-13s %11s of ~%-11s %9s rows/s ", ev.Entity, data.Thousands(ev.Done), data.Thousands(ev.Total), data.Thousands(int64(ev.RowsPerSec))), ev.Finished)
}

func (p *progressPrinter) finish() { p.line.finish() }

func printSyncSummary(env *Env, server string, res datasync.Result) {
	fmt.Fprintf(env.Stdout, "Synced %s (%s) from %s in %.1fs\n", termSafe(res.Tenant.Name), termSafe(res.Tenant.ID), termSafe(server), res.Duration.Seconds())
	fmt.Fprintf(env.Stdout, "  %-14s %10s %10s %10s\n", "entity", "added", "updated", "deleted")
	for _, e := range res.Entities {
		fmt.Fprintf(env.Stdout, "  %-14s %10s %10s %10s\n", e.Entity, data.Thousands(e.Added), data.Thousands(e.Updated), data.Thousands(e.Deleted))
	}
	switch {
	case res.NewTenant && res.Added:
		fmt.Fprintf(env.Stdout, "%s was added to this home and is now the active tenant (store %s).\n", termSafe(tenantWords(res.Tenant.Name, res.Tenant.ID)), termSafe(res.Store))
	case res.NewTenant:
		fmt.Fprintf(env.Stdout, "%s is now the active tenant (store %s).\n", termSafe(tenantWords(res.Tenant.Name, res.Tenant.ID)), termSafe(res.Store))
	}
}

// syncJSON is the contract shape of 'almanac sync --json'.
type syncJSON struct {
	Tenant          string                  `json:"tenant"`
	Name            string                  `json:"name"`
	Server          string                  `json:"server"`
	Full            bool                    `json:"full"`
	NewTenant       bool                    `json:"new_tenant"`
	Added           bool                    `json:"added"`
	DurationSeconds float64                 `json:"duration_seconds"`
	DataAsOf        string                  `json:"data_as_of"`
	Store           string                  `json:"store"`
	Entities        []datasync.EntityResult `json:"entities"`
}

func printSyncJSON(env *Env, server string, res datasync.Result) error {
	out := syncJSON{Tenant: res.Tenant.ID, Name: res.Tenant.Name, Server: server, Full: res.Full, NewTenant: res.NewTenant, Added: res.Added,
		DurationSeconds: res.Duration.Seconds(), Store: res.Store, Entities: res.Entities}
	if res.Tenant.LastSyncAt != nil {
		out.DataAsOf = res.Tenant.LastSyncAt.Format(time.RFC3339)
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// appSyncer is the Sync screen's client and the header's tenant switcher: it syncs the home
// and, when a sync or a switch brings another tenant, opens that tenant's store for the shell
// and closes the previous one.
type appSyncer struct {
	env  *Env
	mu   sync.Mutex
	st   *store.Store // the store the shell's reports read
	zone *tenantZone  // the shell's license zone; nil in tests that do not need it
}

var (
	_ ui.Syncer  = (*appSyncer)(nil)
	_ ui.Tenants = (*appSyncer)(nil)
)

// List lists the home's tenants.
func (a *appSyncer) List(ctx context.Context) ([]data.TenantEntry, error) {
	return store.Tenants(ctx, a.env.home())
}

// Use makes tenant id active and hands the shell reports over its store.
func (a *appSyncer) Use(ctx context.Context, id string) (ui.Reports, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t, err := store.UseTenant(ctx, a.env.home(), id)
	if err != nil {
		return nil, err
	}
	return a.swap(ctx, a.env.home().TenantPath(t.ID), t)
}

// swap opens the store at path for the shell and closes the previous one; a.mu is held.
func (a *appSyncer) swap(ctx context.Context, path string, t data.Tenant) (ui.Reports, error) {
	st, err := store.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open tenant %s: %w", t.ID, err)
	}
	if a.st != nil {
		if err := a.st.Close(); err != nil {
			log.Printf("close the previous store: %v", err)
		}
	}
	a.st = st
	if a.zone != nil {
		a.zone.set(t)
	}
	return reports.New(st, a.env.Now), nil
}

// Saved is the active tenant's saved server, token and last outcome.
func (a *appSyncer) Saved() (datasync.Settings, error) {
	return datasync.LoadSettings(a.env.ctx(), a.env.home())
}

// SaveAuto sets tenant id's automatic sync: when the app opens, and every n hours (0: never).
func (a *appSyncer) SaveAuto(id string, onOpen bool, everyHours int) error {
	return datasync.SaveAutoSyncOf(a.env.ctx(), a.env.home(), id, onOpen, everyHours)
}

func (a *appSyncer) Test(ctx context.Context, server, token string) (datasync.RemoteTenant, error) {
	return datasync.FetchTenant(ctx, datasync.Options{Server: server, Token: datasync.Secret(token)})
}

func (a *appSyncer) Sync(ctx context.Context, req ui.SyncRequest, progress func(datasync.Progress)) (ui.SyncDone, error) {
	h := a.env.home()
	from, _ := h.ActiveTenant() // unreadable: saved as from no tenant
	o := datasync.Options{Server: req.Server, Token: datasync.Secret(req.Token), Full: req.Full, Command: syncCommandLine(req.Full), AddTenant: req.Add, Progress: progress}
	res, err := datasync.Sync(ctx, h, o)
	if serr := saveOutcome(ctx, h, from, o, res, err); serr != nil {
		log.Printf("sync: %v", serr)
	}
	done := ui.SyncDone{Result: res}
	if err != nil {
		return done, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.st != nil && a.st.Path() == res.Store {
		if a.zone != nil {
			a.zone.set(res.Tenant) // a full sync may bring a new time zone
		}
		return done, nil
	}
	r, err := a.swap(ctx, res.Store, res.Tenant)
	if err != nil {
		return done, fmt.Errorf("open the synced tenant: %w", err)
	}
	done.Reports = r
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
