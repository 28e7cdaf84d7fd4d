package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
)

// Settings keys the license's records of time use. They live in the tenant
// store so that deleting a file in the home does not make Almanac forget how
// late it has been.
const (
	licenseSeenKey = "license.seen"
	serverTimeKey  = "license.server_time" // "LAST_SYNC_UNIX NEWEST_UNIX": NewestServerTime's cache
)

// LicenseSeen returns the license manager's record of time kept in this
// store, or nil when there is none.
func (s *Store) LicenseSeen(ctx context.Context) ([]byte, error) {
	v, err := s.Setting(ctx, licenseSeenKey)
	if errors.Is(err, data.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the license record: %w", err)
	}
	return []byte(v), nil
}

// RecordLicenseSeen replaces the license manager's record of time in this store.
func (s *Store) RecordLicenseSeen(ctx context.Context, b []byte) error {
	if err := s.SetSetting(ctx, licenseSeenKey, string(b)); err != nil {
		return fmt.Errorf("save the license record: %w", err)
	}
	return nil
}

// entityTables are the synced tables, each with an updated_at column of Unix seconds.
var entityTables = []string{"resources", "services", "customers", "appointments", "payments", "subscriptions"}

// NewestServerTime is the newest instant the tenant's sync server has sent:
// the last sync's server time and the newest updated_at of any row. The
// computer's clock cannot be earlier than either. It is zero for a store
// never synced, such as the demo, whose times come from this computer. The
// newest updated_at takes a scan of every table, so it is remembered for the
// last sync it was taken after.
func (s *Store) NewestServerTime(ctx context.Context) (time.Time, error) {
	t, err := s.Tenant(ctx)
	if errors.Is(err, data.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil || t.IsDemo || t.LastSyncAt == nil {
		return time.Time{}, err
	}
	sync := t.LastSyncAt.Unix()
	if v, err := s.Setting(ctx, serverTimeKey); err == nil {
		at, newest, _ := strings.Cut(v, " ")
		if n, err := strconv.ParseInt(newest, 10, 64); err == nil && at == strconv.FormatInt(sync, 10) {
			return time.Unix(max(sync, n), 0).UTC(), nil
		}
	}
	newest, err := s.newestUpdatedAt(ctx)
	if err != nil {
		return time.Time{}, err
	}
	_ = s.SetSetting(ctx, serverTimeKey, fmt.Sprintf("%d %d", sync, newest)) // only a cache
	return time.Unix(max(sync, newest), 0).UTC(), nil
}

func (s *Store) newestUpdatedAt(ctx context.Context) (int64, error) {
	var newest int64
	err := s.Read(ctx, func(tx *sql.Tx) error {
		for _, table := range entityTables {
			var n sql.NullInt64
			if err := tx.QueryRowContext(ctx, "SELECT MAX(updated_at) FROM "+table).Scan(&n); err != nil {
				return fmt.Errorf("newest %s change: %w", table, err)
			}
			newest = max(newest, n.Int64)
		}
		return nil
	})
	return newest, err
}
