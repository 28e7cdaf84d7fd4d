package main

import (
	"context"
	"time"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/license"
)

// storeTimeout bounds each visit to the tenant store for the license's
// records of time, so a store busy with a sync cannot hold up a screen.
const storeTimeout = 2 * time.Second

// licenseTimeRecords are the places, besides <home>/license/last-seen.txt,
// that keep the latest time Almanac has seen: a record inside the active
// tenant's store, and the newest instant its sync server sent (read only).
// The license manager trusts the newest of them, so deleting one changes nothing.
func (env *Env) licenseTimeRecords() []license.TimeRecord {
	return []license.TimeRecord{storeSeenRecord{env}, license.InstantRecord(env.newestServerTime)}
}

// storeSeenRecord is the license record of time inside the active tenant's store.
type storeSeenRecord struct{ env *Env }

func (r storeSeenRecord) LoadSeen() (b []byte, err error) {
	err = r.env.withActiveStore(false, func(ctx context.Context, st *store.Store) error {
		b, err = st.LicenseSeen(ctx)
		return err
	})
	return b, err
}

func (r storeSeenRecord) SaveSeen(b []byte) error {
	return r.env.withActiveStore(true, func(ctx context.Context, st *store.Store) error {
		return st.RecordLicenseSeen(ctx, b)
	})
}

func (env *Env) newestServerTime() (at time.Time, err error) {
	err = env.withActiveStore(false, func(ctx context.Context, st *store.Store) error {
		at, err = st.NewestServerTime(ctx)
		return err
	})
	return at, err
}

// withActiveStore opens the active tenant's store for fn and closes it. A read uses a read-only
// connection, which never finishes the bulk load of a sync running meanwhile; a write is
// skipped (an error the manager ignores) while a sync or demo holds the store's write lock, so
// the record waits for the next visit rather than contending with the writer.
func (env *Env) withActiveStore(write bool, fn func(ctx context.Context, st *store.Store) error) error {
	ctx, cancel := context.WithTimeout(env.ctx(), storeTimeout)
	defer cancel()
	h := env.home()
	id, err := h.ActiveTenant()
	if err != nil {
		return err
	}
	var st *store.Store
	if write {
		lock, lerr := h.LockStore(id, "almanac (license record of time)")
		if lerr != nil {
			return lerr
		}
		lock.Unlock() //nolint:errcheck // only asked whether a writer holds it
		st, err = store.OpenActive(ctx, h)
	} else {
		st, err = store.OpenReadOnly(ctx, h.TenantPath(id))
	}
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(ctx, st)
}
