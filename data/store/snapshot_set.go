package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Parallel reads of one commit. SQLite (in WAL mode) gives a read transaction the last commit as
// of its first read, and modernc exposes no sqlite3_snapshot API to hand that commit to a second
// connection. Instead every write transaction bumps store_generation (migration 9) inside itself
// (Store.Write, the one way this build writes; an older build refuses a store of this schema),
// so two read transactions whose first reads return the same generation see the same commit.
// Snapshots begins n transactions, reads the generation in each and starts over when a commit
// landed between them; nothing waits for a writer, so a long sync never blocks a report.

// maxSnapshots is the most read transactions one Snapshots call holds: the read pool's size, so
// a set can always be completed once the single readers in flight finish.
const maxSnapshots = readConns

// snapshotAttempts is how often Snapshots starts over before it gives fn one transaction n
// times (still one commit, only not in parallel): commits landing between the begins of every
// attempt mean a writer that commits without pause, where waiting would not help.
const snapshotAttempts = 20

// Snapshots runs fn with n read snapshots (1 to 4) that all see the same committed state, on n
// connections, so fn may read them in parallel, one goroutine each. Each *Snapshot is used as
// inside Snapshot; all of them end when fn returns.
func (s *Store) Snapshots(ctx context.Context, n int, fn func([]*Snapshot) error) error {
	if n < 1 || n > maxSnapshots {
		return fmt.Errorf("read snapshots: %d asked, from 1 to %d can be held", n, maxSnapshots)
	}
	txs, err := s.beginSameCommit(ctx, n)
	if err != nil {
		return classify(s.path, err)
	}
	defer rollbackAll(txs)
	sns := make([]*Snapshot, n)
	for i := range sns {
		sns[i] = &Snapshot{tx: txs[min(i, len(txs)-1)]}
	}
	return classify(s.path, fn(sns))
}

// beginSameCommit returns n read transactions of one commit, or one transaction when a commit
// kept landing between the begins (see snapshotAttempts). One set is begun at a time: two
// callers each holding part of the pool while waiting for the rest would wait forever.
func (s *Store) beginSameCommit(ctx context.Context, n int) ([]*sql.Tx, error) {
	s.setMu.Lock()
	defer s.setMu.Unlock()
	for attempt := range snapshotAttempts {
		txs, same, err := s.beginSet(ctx, n)
		if err != nil || same {
			return txs, err
		}
		rollbackAll(txs)
		select { // let the writer finish its run of commits
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 100 * time.Microsecond):
		}
	}
	txs, _, err := s.beginSet(ctx, 1)
	return txs, err
}

// beginSet begins n read transactions, fixing each one's commit by reading its generation, and
// reports whether they all read the same one.
func (s *Store) beginSet(ctx context.Context, n int) (txs []*sql.Tx, same bool, err error) {
	gens := make([]int64, 0, n)
	for range n {
		tx, err := s.r.BeginTx(ctx, nil)
		if err != nil {
			rollbackAll(txs)
			return nil, false, fmt.Errorf("begin read: %w", err)
		}
		txs = append(txs, tx)
		var g int64
		if err := tx.QueryRowContext(ctx, "SELECT n FROM store_generation WHERE id = 1").Scan(&g); err != nil {
			rollbackAll(txs)
			return nil, false, fmt.Errorf("read the commit generation: %w", err)
		}
		if len(gens) == 0 && s.afterFirstBegin != nil {
			s.afterFirstBegin()
		}
		if len(gens) > 0 && g != gens[0] {
			return txs, false, nil
		}
		gens = append(gens, g)
	}
	return txs, true, nil
}

func rollbackAll(txs []*sql.Tx) {
	for _, tx := range txs {
		tx.Rollback() //nolint:errcheck // a read transaction has nothing to keep
	}
}
