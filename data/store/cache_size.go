package store

import (
	"context"
	"database/sql"
	"fmt"
)

// finishCacheKiB is the writer's cache while a bulk load is finished: a sync's (shrinkCache) and the demo build's (finishScratch).
const finishCacheKiB = 32768

// shrinkCache sets the writer's cache to kib KiB and returns the function setting it back.
// The sizes are the package's own numbers, never a value from a server.
func (st *Store) shrinkCache(ctx context.Context, kib int) (restore func() error, err error) {
	var was int64
	if err := st.w.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&was); err != nil {
		return nil, fmt.Errorf("read the cache size: %w", err)
	}
	if _, err := st.w.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", kib)); err != nil {
		return nil, fmt.Errorf("set the cache size: %w", err)
	}
	return func() error {
		_, err := st.w.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA cache_size = %d", was))
		return err
	}, nil
}

// sortCacheKiB is the writer's cache while it builds indexes (sortOnDisk): the size of the
// sorter's runs, small enough for each run to be sorted within the CPU's caches.
const sortCacheKiB = 2048

// sortOnDisk has tx's connection sort CREATE INDEX keys in runs of sortCacheKiB merged from a
// temporary file, and returns the function setting it back. The writer's temp_store(MEMORY)
// turns SQLite's sorter into one in-memory list of separately allocated records, never spilled:
// at 1M appointments the nine entity indexes took about 1.5x the CPU of sorted runs merged
// from disk (the temporary file stays in the page cache; it is deleted when the sort ends).
// Changing temp_store inside a transaction is allowed while the connection has no temporary
// schema, and this package creates no TEMP objects.
func sortOnDisk(ctx context.Context, tx *sql.Tx) (restore func() error, err error) {
	var cache, temp int64
	if err := tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
		return nil, fmt.Errorf("read the cache size: %w", err)
	}
	if err := tx.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&temp); err != nil {
		return nil, fmt.Errorf("read the temp store: %w", err)
	}
	set := func(ctx context.Context, cache, temp int64) error {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA temp_store = %d", temp)); err != nil {
			return fmt.Errorf("set the temp store: %w", err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", cache)); err != nil {
			return fmt.Errorf("set the cache size: %w", err)
		}
		return nil
	}
	const file = 1 // PRAGMA temp_store's FILE
	if err := set(ctx, -sortCacheKiB, file); err != nil {
		set(context.WithoutCancel(ctx), cache, temp) //nolint:errcheck // the first error matters more
		return nil, err
	}
	return func() error { return set(context.WithoutCancel(ctx), cache, temp) }, nil
}
