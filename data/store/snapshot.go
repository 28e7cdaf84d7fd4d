package store

import (
	"context"
	"database/sql"

	"github.com/almanac-app/almanac/data"
)

// Snapshot is one consistent read of the store: every method called on it inside Store.Snapshot
// sees the same committed state, so a report's numbers agree with each other. Its methods are
// the only way reports and exports read the store; each returns typed values.
type Snapshot struct {
	tx *sql.Tx
	// conn is the connection tx runs on, when Store.Snapshots begun it on one of its own; nil
	// inside Store.Snapshot. An export's key range reads through it (rawRange).
	conn *sql.Conn
}

// Snapshot runs fn with one read snapshot of the store.
func (s *Store) Snapshot(ctx context.Context, fn func(*Snapshot) error) error {
	return s.Read(ctx, func(tx *sql.Tx) error { return fn(&Snapshot{tx: tx}) })
}

// Tenant returns the tenant row as of the snapshot (ErrNoTenant if there is none).
func (sn *Snapshot) Tenant(ctx context.Context) (data.Tenant, error) { return TenantTx(ctx, sn.tx) }
