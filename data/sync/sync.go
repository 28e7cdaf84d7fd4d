package sync

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/store"
)

// The sync client: pulls a tenant's changes from its server into the local store, page by page.
// Each page is applied in one transaction together with the entity's new cursor, so a crash at
// any moment resumes exactly where it stopped. docs/sync-protocol.md is the contract.

// Secret is a value that must never be printed or logged; fmt shows it as "***".
type Secret string

// String hides the secret.
func (Secret) String() string { return "***" }

// GoString hides the secret from %#v too.
func (Secret) GoString() string { return `"***"` }

// ErrTokenRejected is returned when the server answers 401 or 403. Pages applied before it
// (a token revoked partway through a sync) are kept; Result says how many rows.
var ErrTokenRejected = errors.New("the server rejected the token")

// ErrServerUnavailable is returned when a request still fails after every retry: the server is
// down, unreachable or keeps failing.
var ErrServerUnavailable = errors.New("the server is not answering")

// ErrRedirect is returned when the server answers with a redirect: the client follows none, so
// the token never goes to another address and no other server's rows are used.
var ErrRedirect = errors.New("the server answered with a redirect")

// ErrSyncLimit is returned when a run stops at one of its bounds (Limits): run time, rows
// against the server's announcement, free disk space. What was applied is kept.
var ErrSyncLimit = errors.New("the sync stopped at a safety limit")

// ErrCursorExpired is returned when the server no longer keeps changes as old as a cursor.
var ErrCursorExpired = errors.New("the server no longer has changes that old")

// ErrNoToken is returned when a sync is given no token; it wraps ErrInvalid.
var ErrNoToken = fmt.Errorf("no server token: %w", data.ErrInvalid)

// TimeLimitError is a run stopped at its time limit (Limits.RunTimeout); it is
// ErrSyncLimit. Setting names the option that sets the limit (FieldTimeout).
type TimeLimitError struct {
	Limit   time.Duration
	Setting string
}

func (e *TimeLimitError) Error() string {
	return fmt.Sprintf("the sync ran past its time limit of %v; it stopped, what was applied is kept: run the sync again to continue", e.Limit)
}

// Is makes errors.Is(err, ErrSyncLimit) hold.
func (e *TimeLimitError) Is(target error) bool { return target == ErrSyncLimit }

// Options says where to sync from and how.
type Options struct {
	Server string // base URL, e.g. http://127.0.0.1:8417
	Token  Secret
	Full   bool // start over: forget the cursors and reload everything
	// Command is the command line the store's lock names while the sync writes, for another
	// process to show ("almanac sync --full"); default "almanac sync".
	Command string
	// AddTenant allows a server whose tenant the home does not keep while a synced tenant is
	// active: the tenant is added and becomes active once its first sync completes. Without
	// it such a server is refused with an *OtherTenantError and nothing is changed.
	AddTenant bool
	PageSize  int // records per page; default and maximum MaxPageLimit
	Retry     RetryPolicy
	Limits    Limits
	Progress  func(Progress) // called from the sync goroutine after every applied page
	// Client sends the requests; default: an http.Client with timeouts. An *http.Client is
	// used through a copy that follows no redirect; another HTTPDoer must not follow them.
	Client HTTPDoer
}

// Limits bound one run, so a broken or hostile server cannot hold or fill the computer. Each
// stop is an error wrapping ErrSyncLimit (or, for the transfer rate, a failed request that is
// retried); pages applied before it are kept. Zero values take the defaults.
type Limits struct {
	RunTimeout time.Duration // the whole run; default 1h; negative: none
	// MinRate is the lowest transfer rate of a page body, in bytes per second, averaged over
	// each RateWindow once the answer's headers have arrived; default 1 KiB/s over 15s.
	MinRate    int64
	RateWindow time.Duration
	// HeaderTimeout bounds the wait for an answer's headers; default 60s.
	HeaderTimeout time.Duration
	// Rows per entity and run: at most the changes the first page announced (its own plus
	// remaining) times (1 + Growth) plus GrowthRows, room for rows created during the run;
	// defaults 0.5 and 50,000. A server that announces no remaining (0 with has_more) gets
	// UnannouncedRows, default 1,000,000. The next run continues where a stopped one ended.
	Growth          float64
	GrowthRows      int64
	UnannouncedRows int64
	// MinFreeBytes of disk space must stay free in the store's folder; checked before every
	// page; default 256 MiB; negative: no check.
	MinFreeBytes int64
	// FreeSpace reports the free bytes in dir; default the file system's (ok false where
	// unknown). Tests pass a fake.
	FreeSpace func(dir string) (free int64, ok bool, err error)
}

func (l Limits) normalize() Limits {
	def := func(v *int64, d int64) {
		if *v == 0 {
			*v = d
		}
	}
	if l.RunTimeout == 0 {
		l.RunTimeout = time.Hour
	}
	def(&l.MinRate, 1<<10)
	if l.RateWindow <= 0 {
		l.RateWindow = 15 * time.Second
	}
	if l.HeaderTimeout <= 0 {
		l.HeaderTimeout = time.Minute
	}
	if l.Growth <= 0 {
		l.Growth = 0.5
	}
	def(&l.GrowthRows, 50_000)
	def(&l.UnannouncedRows, 1_000_000)
	def(&l.MinFreeBytes, 256<<20)
	if l.FreeSpace == nil {
		l.FreeSpace = diskFree
	}
	return l
}

// RetryPolicy bounds retries of 5xx answers, timeouts, dropped connections and cut bodies:
// capped exponential backoff with full jitter.
type RetryPolicy struct {
	Attempts       int           // tries per request; default 6
	Base           time.Duration // first backoff; default 250ms
	Max            time.Duration // cap of one backoff; default 8s
	RequestTimeout time.Duration // one request including its body; default 2m
}

func (p RetryPolicy) normalize() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = 6
	}
	if p.Base <= 0 {
		p.Base = 250 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 8 * time.Second
	}
	if p.RequestTimeout <= 0 {
		p.RequestTimeout = 2 * time.Minute
	}
	return p
}

// Progress is one progress event of one entity.
type Progress struct {
	Entity     string
	Done       int64   // changes applied in this run
	Total      int64   // estimated changes in this run: Done plus what the server says remains
	RowsPerSec float64 // of this entity in this run
	Finished   bool    // the entity is up to date
	// Finishing is set on the one event sent (with no Entity) before the indexes and daily
	// summaries of a first load are built: the last, possibly long, step.
	Finishing bool
}

// EntityResult counts what a sync did to one entity's rows. Deleted includes rows removed
// because their parent was deleted.
type EntityResult struct {
	Entity  string `json:"entity"`
	Added   int64  `json:"added"`
	Updated int64  `json:"updated"`
	Deleted int64  `json:"deleted"`
}

// Result is the summary of a finished sync.
type Result struct {
	Tenant    data.Tenant    `json:"tenant"`
	NewTenant bool           `json:"new_tenant"` // the tenant's store was made active by this sync
	Added     bool           `json:"added"`      // the tenant was new to the home
	Full      bool           `json:"full"`
	Entities  []EntityResult `json:"entities"`
	Duration  time.Duration  `json:"-"`
	Store     string         `json:"store"`
	// Accepted is set once the server accepted the token (GET /v1/tenant answered with a valid
	// tenant): only then are the URL and token worth saving.
	Accepted bool `json:"-"`
	// Remote is the tenant the server said it serves (set once Accepted), so a failed run's
	// settings are saved with the tenant they belong to.
	Remote RemoteTenant `json:"-"`
	// ServerNewest is the newest instant the server sent in this run: its server_time or the
	// newest updated_at of an applied change, whichever is later (zero if none).
	ServerNewest time.Time `json:"-"`
}

// Saved is the number of rows this run added, updated or deleted (all kept, even when the run
// failed afterwards).
func (r Result) Saved() int64 {
	var n int64
	for _, e := range r.Entities {
		n += e.Added + e.Updated + e.Deleted
	}
	return n
}

// Entity returns the result of one entity.
func (r Result) Entity(name string) EntityResult {
	for _, e := range r.Entities {
		if e.Entity == name {
			return e
		}
	}
	return EntityResult{Entity: name}
}

// FetchTenant asks the server which tenant it serves; it checks the URL and the token.
func FetchTenant(ctx context.Context, o Options) (RemoteTenant, error) {
	c, err := newSyncClient(o)
	if err != nil {
		return RemoteTenant{}, err
	}
	return c.tenant(ctx)
}

// Sync pulls the server's tenant into its own store in home h: <home>/tenants/<id>.db. The
// server may serve the active tenant, another tenant the home keeps (it is updated and becomes
// active), or, when the demo or no tenant is active, a new one. A new tenant while a synced one
// is active needs o.AddTenant; without it the sync is refused with an *OtherTenantError before
// anything is written. A tenant that was not active becomes active once its sync completes.
func Sync(ctx context.Context, h data.Home, o Options) (Result, error) {
	c, err := newSyncClient(o)
	if err != nil {
		return Result{}, err
	}
	if d := c.lim.RunTimeout; d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, d, errRunTimeout)
		defer cancel()
	}
	res, err := syncHome(ctx, h, c)
	if err != nil && !errors.Is(err, context.Canceled) && errors.Is(ctx.Err(), context.Canceled) {
		// Cancelled mid-write, the driver may report the closed statement or transaction
		// rather than the cancellation; the owner pressed Cancel, so that is what happened.
		err = fmt.Errorf("%w (%w)", context.Canceled, err)
	}
	if err != nil && errors.Is(context.Cause(ctx), errRunTimeout) && !errors.Is(err, context.Canceled) {
		err = &TimeLimitError{Limit: c.lim.RunTimeout, Setting: data.FieldTimeout}
	}
	return res, err
}

var errRunTimeout = errors.New("run timeout")

func syncHome(ctx context.Context, h data.Home, c *syncClient) (Result, error) {
	remote, err := c.tenant(ctx)
	if err != nil {
		return Result{}, err
	}
	if err := checkRemoteTenantID(remote.ID); err != nil {
		return Result{}, err
	}
	accepted := Result{Accepted: true, Remote: remote}
	active, err := h.ActiveTenant()
	if err != nil && !errors.Is(err, data.ErrNoTenant) {
		return accepted, err
	}
	known := keepsTenant(ctx, h, remote.ID)
	if active != remote.ID && !known && !c.o.AddTenant {
		if err := refuseOtherTenant(ctx, h, active, remote); err != nil {
			return accepted, err
		}
	}
	lock, err := h.LockStore(remote.ID, syncCommand(c.o))
	if err != nil {
		return Result{Accepted: true}, err
	}
	defer lock.Unlock() //nolint:errcheck // closing drops the lock anyway
	st, err := store.Open(ctx, h.TenantPath(remote.ID))
	if err != nil {
		return accepted, err
	}
	res, err := syncStore(ctx, st, c, remote)
	res.Accepted, res.Remote, res.Added = true, remote, !known
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return res, err
	}
	if active != remote.ID {
		if err := h.SetActive(remote.ID); err != nil {
			return res, fmt.Errorf("make tenant %q active: %w", remote.ID, err)
		}
		res.NewTenant = true
	}
	return res, nil
}

// keepsTenant reports whether the home already keeps tenant id: its store holds its tenant row.
func keepsTenant(ctx context.Context, h data.Home, id string) bool {
	if _, err := os.Stat(h.TenantPath(id)); err != nil {
		return false
	}
	t, err := store.ReadTenantFile(ctx, h.TenantPath(id))
	return err == nil && t.ID == id
}

// OtherTenantError refuses a server that serves a tenant the home does not keep while a synced
// tenant is active: a wrong URL must not switch the owner's business. Options.AddTenant
// adds it instead. Nothing was changed. It wraps ErrTenantChanged.
type OtherTenantError struct {
	Active data.Tenant  // the active tenant (its id at least)
	Remote RemoteTenant // what the server serves
}

func (e *OtherTenantError) Error() string {
	return fmt.Sprintf("the server serves %s, which this home does not keep, while the active tenant is %s: nothing was changed",
		describeTenant(e.Remote.Name, e.Remote.ID), describeTenant(e.Active.Name, e.Active.ID))
}

// Unwrap makes errors.Is(err, ErrTenantChanged) hold.
func (e *OtherTenantError) Unwrap() error { return data.ErrTenantChanged }

func describeTenant(name, id string) string {
	if name == "" || name == id {
		return strconv.Quote(id)
	}
	return fmt.Sprintf("%q (%s)", name, id)
}

// refuseOtherTenant allows a new tenant only when the demo or no tenant is active.
func refuseOtherTenant(ctx context.Context, h data.Home, active string, remote RemoteTenant) error {
	if active == "" || active == data.DemoTenantID {
		return nil
	}
	if _, err := os.Stat(h.TenantPath(active)); err != nil {
		return nil
	}
	t, err := store.ReadTenantFile(ctx, h.TenantPath(active))
	if err != nil {
		t = data.Tenant{ID: active}
	}
	return &OtherTenantError{Active: t, Remote: remote}
}

func syncStore(ctx context.Context, st *store.Store, c *syncClient, remote RemoteTenant) (Result, error) {
	start := time.Now()
	res := Result{Full: c.o.Full, Store: st.Path()}
	t, bulk, err := st.PrepareSync(ctx, remote.Tenant, c.o.Full)
	if err != nil {
		return res, err
	}
	s := &syncer{st: st, c: c, loc: t.Location(), results: map[string]*EntityResult{}, newest: remote.ServerTime.UTC()}
	for _, e := range data.Entities() {
		s.results[e] = &EntityResult{Entity: e}
	}
	err = s.run(ctx)
	for _, e := range data.Entities() {
		res.Entities = append(res.Entities, *s.results[e])
	}
	res.ServerNewest = s.newest
	res.Duration = time.Since(start)
	if err != nil {
		return res, err
	}
	if bulk {
		if c.o.Progress != nil {
			c.o.Progress(Progress{Finishing: true})
		}
		if err := st.FinishBulk(ctx); err != nil {
			return res, fmt.Errorf("finish loading: %w", err)
		}
	}
	at := remote.ServerTime.UTC().Truncate(time.Second)
	if at.IsZero() {
		at = time.Now().UTC().Truncate(time.Second)
	}
	t.LastSyncAt = &at
	if err := st.SetTenant(ctx, t); err != nil {
		return res, err
	}
	res.Tenant, res.Duration = t, time.Since(start)
	return res, nil
}

// Outcome is a one-line account of a sync in plain words, for the Sync screen, the saved
// settings and the CLI's last line. A failure says what happened, how many rows were saved and
// what the next sync does; the technical detail is err's text, which front ends show apart.
func Outcome(res Result, err error) string {
	if err == nil {
		var a, u, d int64
		for _, e := range res.Entities {
			a, u, d = a+e.Added, u+e.Updated, d+e.Deleted
		}
		return fmt.Sprintf("%s added, %s updated, %s deleted in %.1fs", data.Thousands(a), data.Thousands(u), data.Thousands(d), res.Duration.Seconds())
	}
	saved := savedWords(res.Saved())
	if errors.Is(err, context.Canceled) {
		return fmt.Sprintf("Cancelled: %s, and the next sync resumes from there.", saved)
	}
	cause, next := failureWords(res, err)
	return fmt.Sprintf("Sync stopped because %s: %s, and %s.", cause, saved, next)
}

// FailureCause is the plain-words reason alone ("the server could not be reached"), for a
// connection test.
func FailureCause(res Result, err error) string {
	cause, _ := failureWords(res, err)
	return cause
}

func savedWords(n int64) string {
	switch n {
	case 0:
		return "no rows were saved"
	case 1:
		return "1 row was saved"
	}
	return data.Thousands(n) + " rows were saved"
}

// failureWords says why a sync stopped and what the next one does, in plain words.
func failureWords(res Result, err error) (cause, next string) {
	const resumes = "the next sync resumes from there"
	var le *limitError
	switch {
	case errors.Is(err, ErrTokenRejected):
		return "the server rejected the token", "a sync with a valid token resumes from there"
	case errors.Is(err, ErrRedirect):
		return "the server redirected to another address, which Almanac does not follow", "the server URL needs checking"
	case errors.Is(err, ErrCursorExpired):
		return "the server no longer has changes that old", "a full resync is needed"
	case errors.As(err, new(*TimeLimitError)):
		return "it ran past its time limit", resumes
	case errors.Is(err, data.ErrNeedFullSync):
		return "the store must be rebuilt from the server", "a full resync is needed"
	case errors.As(err, &le):
		return [...]string{limitTime: "it ran past its time limit", limitRows: "the server kept sending more rows than it announced",
			limitDisk: "free disk space ran low"}[le.kind], resumes
	case errors.Is(err, data.ErrInvalid):
		return "the server URL or token is not usable", "it needs correcting first"
	case errors.As(err, new(*OtherTenantError)):
		return "the server serves a business this home does not keep yet, not the active one", "nothing was changed"
	case errors.Is(err, data.ErrTenantChanged):
		return "the server serves another tenant than this home's", "nothing was changed"
	case errors.Is(err, store.ErrConcurrentSync):
		return "another sync changed this store meanwhile", resumes
	case errors.As(err, new(*data.BusyError)):
		return "another sync or demo build is writing this business's store", "a sync once it has finished resumes from there"
	case errors.Is(err, data.ErrReadOnly):
		return "this computer does not let Almanac write to its folder", "a sync resumes once the folder is writable"
	case errors.Is(err, data.ErrCorrupt), errors.Is(err, data.ErrEmptyStore):
		return "the store file on this computer is damaged", "'almanac repair' moves it aside and syncs afresh"
	case errors.Is(err, ErrServerUnavailable) && res.Accepted:
		return "the server stopped answering", resumes
	case errors.Is(err, ErrServerUnavailable):
		return "the server could not be reached", resumes
	case res.Accepted:
		return "the server sent data Almanac cannot use", resumes
	}
	return "the server's answer could not be used", resumes
}

// syncCommand names a sync in its lock file.
func syncCommand(o Options) string {
	if o.Command != "" {
		return o.Command
	}
	return "almanac sync"
}

// ErrReservedTenant is a server whose tenant id is the built-in demo's.
var ErrReservedTenant = errors.New("the tenant id is reserved for the built-in demo")

// checkRemoteTenantID refuses a server tenant that would take the demo's store: the demo id is
// reserved, so a synced business never shares a file, a license or a name with the demo data.
func checkRemoteTenantID(id string) error {
	if strings.EqualFold(id, data.DemoTenantID) {
		return fmt.Errorf("the server's tenant id %q: %w: ask the server's operator to give the business its own id; nothing was changed",
			id, ErrReservedTenant)
	}
	return nil
}
