package store

import (
	"context"
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
	set, err := s.beginSameCommit(ctx, n)
	if err != nil {
		return classify(s.path, err)
	}
	defer rollbackAll(set)
	sns := make([]*Snapshot, n)
	for i := range sns {
		sns[i] = set[min(i, len(set)-1)]
	}
	return classify(s.path, fn(sns))
}

// beginSameCommit returns n read transactions of one commit, or one transaction when a commit
// kept landing between the begins (see snapshotAttempts). One set is begun at a time: two
// callers each holding part of the pool while waiting for the rest would wait forever.
func (s *Store) beginSameCommit(ctx context.Context, n int) ([]*Snapshot, error) {
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
// reports whether they all read the same one. Each is begun on a connection of its own
// (Snapshot.conn), which a range of an export reads through below database/sql (rawRange).
func (s *Store) beginSet(ctx context.Context, n int) (txs []*Snapshot, same bool, err error) {
	gens := make([]int64, 0, n)
	for range n {
		sn, err := s.beginOnConn(ctx)
		if err != nil {
			rollbackAll(txs)
			return nil, false, err
		}
		txs = append(txs, sn)
		var g int64
		if err := sn.tx.QueryRowContext(ctx, "SELECT n FROM store_generation WHERE id = 1").Scan(&g); err != nil {
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

// beginOnConn begins a read transaction on a connection taken from the read pool for it.
func (s *Store) beginOnConn(ctx context.Context) (*Snapshot, error) {
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin read: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("begin read: %w", err)
	}
	return &Snapshot{tx: tx, conn: conn}, nil
}

// rollbackAll ends the read transactions and gives their connections back to the pool.
func rollbackAll(sns []*Snapshot) {
	for _, sn := range sns {
		sn.tx.Rollback() //nolint:errcheck // a read transaction has nothing to keep
		sn.conn.Close()  //nolint:errcheck // back to the pool
	}
}
