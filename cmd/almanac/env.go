package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// Env is what every command gets: where data lives, the standard streams, and the clock.
type Env struct {
	Home   string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// StderrTTY: Stderr is a terminal, so progress may redraw its line with a carriage return.
	StderrTTY bool
	Now       func() time.Time
	Ctx       context.Context
	// Tenant is the global --tenant: the tenant commands act on instead of the active one.
	Tenant string
}

func (env *Env) home() data.Home { return data.Home{Dir: env.Home, Tenant: env.Tenant} }

func (env *Env) ctx() context.Context {
	if env.Ctx == nil {
		return context.Background()
	}
	return env.Ctx
}

// errNoTenantHint explains how to get a tenant when the home has none.
var errNoTenantHint = errors.New("no tenant in this home: run 'almanac demo' for the demo tenant or 'almanac sync' to pull yours")

// OpenStore opens the active tenant's store and reads its tenant row.
func (env *Env) OpenStore() (*store.Store, data.Tenant, error) {
	st, err := store.OpenActive(env.ctx(), env.home())
	if errors.Is(err, data.ErrNoTenant) {
		return nil, data.Tenant{}, fmt.Errorf("%w (home %s)", errNoTenantHint, env.Home)
	}
	if err != nil {
		return nil, data.Tenant{}, err
	}
	t, err := st.Tenant(env.ctx())
	if errors.Is(err, data.ErrNotFound) {
		err = fmt.Errorf("the store %s holds no tenant (it was emptied or never finished its first sync): run 'almanac repair' to move it aside and rebuild it", st.Path())
	}
	if err != nil {
		st.Close()
		return nil, data.Tenant{}, err
	}
	return st, t, nil
}

// ActiveTenant reads the active tenant's row; ok is false when the home has none yet.
func (env *Env) ActiveTenant() (t data.Tenant, ok bool, err error) {
	st, t, err := env.OpenStore()
	if errors.Is(err, errNoTenantHint) {
		return data.Tenant{}, false, nil
	}
	if err != nil {
		return data.Tenant{}, false, err
	}
	defer st.Close()
	return t, true, nil
}

// Licenses is the license manager of this home, showing times in loc (the tenant's zone).
// Besides its own last-seen.txt it keeps the latest time seen in the tenant store and reads
// the newest instant the sync server sent (licenseTimeRecords).
func (env *Env) Licenses(loc *time.Location) *license.Manager {
	return env.licensesWithZone(func() *time.Location { return loc })
}

// licensesWithZone is Licenses with a zone that may change (the app's active tenant).
func (env *Env) licensesWithZone(zone func() *time.Location) *license.Manager {
	now := env.Now
	if now == nil {
		now = time.Now
	}
	clock := func() time.Time { return now().In(zone()) }
	return license.NewManager(filepath.Join(env.Home, "license"), clock).WithDemoTenant(data.DemoTenantID).
		SetTimeRecords(env.licenseTimeRecords()...)
}

// Entitlements is what the license in force allows for tenant t.
func (env *Env) Entitlements(t data.Tenant) license.Entitlements {
	return env.Licenses(t.Location()).Entitlements(t.ID, t.CanAcceptPayments)
}

func newEnv(home string) *Env {
	return &Env{Home: home, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Now: time.Now}
}
