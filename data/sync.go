package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
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

// ErrTokenRejected is returned when the server answers 401 or 403; nothing was changed.
var ErrTokenRejected = errors.New("the server rejected the token")

// ErrCursorExpired is returned when the server no longer keeps changes as old as a cursor.
var ErrCursorExpired = errors.New("the server no longer has changes that old")

// SyncOptions says where to sync from and how.
type SyncOptions struct {
	Server   string // base URL, e.g. http://127.0.0.1:8417
	Token    Secret
	Full     bool // start over: forget the cursors and reload everything
	PageSize int  // records per page; default and maximum MaxPageLimit
	Retry    RetryPolicy
	Progress func(SyncProgress) // called from the sync goroutine after every applied page
	Client   HTTPDoer           // default: an http.Client with timeouts
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

// SyncProgress is one progress event of one entity.
type SyncProgress struct {
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

// SyncResult is the summary of a finished sync.
type SyncResult struct {
	Tenant    Tenant         `json:"tenant"`
	NewTenant bool           `json:"new_tenant"` // the tenant's store was made active by this sync
	Full      bool           `json:"full"`
	Entities  []EntityResult `json:"entities"`
	Duration  time.Duration  `json:"-"`
	Store     string         `json:"store"`
}

// Entity returns the result of one entity.
func (r SyncResult) Entity(name string) EntityResult {
	for _, e := range r.Entities {
		if e.Entity == name {
			return e
		}
	}
	return EntityResult{Entity: name}
}

// FetchTenant asks the server which tenant it serves; it checks the URL and the token.
func FetchTenant(ctx context.Context, o SyncOptions) (RemoteTenant, error) {
	c, err := newSyncClient(o)
	if err != nil {
		return RemoteTenant{}, err
	}
	return c.tenant(ctx)
}

// Sync pulls the server's tenant into its own store in home h: <home>/tenants/<id>.db. A server
// whose tenant differs from the active one is refused unless the active one is the demo tenant
// (or there is none); then the new tenant's store becomes active once its first sync completes.
func Sync(ctx context.Context, h Home, o SyncOptions) (SyncResult, error) {
	c, err := newSyncClient(o)
	if err != nil {
		return SyncResult{}, err
	}
	remote, err := c.tenant(ctx)
	if err != nil {
		return SyncResult{}, err
	}
	active, err := h.ActiveTenant()
	if err != nil && !errors.Is(err, ErrNoTenant) {
		return SyncResult{}, err
	}
	if active != "" && active != remote.ID {
		if err := refuseOtherTenant(ctx, h, active, remote.ID); err != nil {
			return SyncResult{}, err
		}
	}
	lock, err := h.LockStore(remote.ID, syncCommand(o))
	if err != nil {
		return SyncResult{}, err
	}
	defer lock.Unlock() //nolint:errcheck // closing drops the lock anyway
	st, err := Open(ctx, h.TenantPath(remote.ID))
	if err != nil {
		return SyncResult{}, err
	}
	res, err := syncStore(ctx, st, c, remote)
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

// refuseOtherTenant allows replacing only the demo tenant as the active one.
func refuseOtherTenant(ctx context.Context, h Home, active, remote string) error {
	if active == DemoTenantID {
		return nil
	}
	if _, err := os.Stat(h.TenantPath(active)); err != nil {
		return nil
	}
	return fmt.Errorf("the server serves tenant %q but this home's tenant is %q: %w: check the server URL, or use another --home for that tenant",
		remote, active, ErrTenantChanged)
}

func syncStore(ctx context.Context, st *Store, c *syncClient, remote RemoteTenant) (SyncResult, error) {
	start := time.Now()
	res := SyncResult{Full: c.o.Full, Store: st.Path()}
	t, bulk, err := prepareStore(ctx, st, remote, c.o.Full)
	if err != nil {
		return res, err
	}
	s := &syncer{st: st, c: c, loc: t.Location(), results: map[string]*EntityResult{}}
	for _, e := range Entities {
		s.results[e] = &EntityResult{Entity: e}
	}
	err = s.run(ctx)
	for _, e := range Entities {
		res.Entities = append(res.Entities, *s.results[e])
	}
	res.Duration = time.Since(start)
	if err != nil {
		return res, err
	}
	if bulk {
		if c.o.Progress != nil {
			c.o.Progress(SyncProgress{Finishing: true})
		}
		if err := finishBulk(ctx, st); err != nil {
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

// SyncOutcome is a one-line account of a sync for the Sync screen and the saved settings.
func SyncOutcome(res SyncResult, err error) string {
	if errors.Is(err, context.Canceled) {
		return "Cancelled; what was already applied is kept and the next sync resumes from there."
	}
	if err != nil {
		return "Failed: " + strings.Join(strings.Fields(err.Error()), " ")
	}
	var a, u, d int64
	for _, e := range res.Entities {
		a, u, d = a+e.Added, u+e.Updated, d+e.Deleted
	}
	return fmt.Sprintf("%s added, %s updated, %s deleted in %.1fs", thousands(a), thousands(u), thousands(d), res.Duration.Seconds())
}

// thousands formats a non-negative count with comma separators.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
