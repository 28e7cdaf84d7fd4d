package store

import (
	"context"
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
