package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Several read transactions that see the same commit, so one export can read disjoint parts of
// its rows on several connections (several cores) and still write one consistent file.
//
// SQLite's sqlite3_snapshot API is not reachable through modernc's database/sql driver, so the
// store keeps a commit generation instead: every write transaction (Store.Write) bumps the
// settings row generationKey just before it commits. A WAL read transaction pins its view at its
// first read; Snapshots makes that first read the generation, and two transactions that read the
// same generation see the same commit, since any commit between them would have changed it. A
// transaction that read an older generation than another is begun again (a writer commits a page
// in milliseconds; beginning a transaction takes microseconds). Nothing here waits for the write
// lock, so a long sync never holds an export up.

// generationKey is the settings row holding the commit generation.
const generationKey = "commit_generation"

// maxSnapshotTries bounds how often Snapshots begins a transaction again because a writer
// committed while it was beginning the others.
const maxSnapshotTries = 1000

// snapshotBegun, when set (tests), runs after each transaction Snapshots begins, with its index.
var snapshotBegun func(i int)

// errKeptChanging is returned when writers committed faster than Snapshots could begin its
// transactions, maxSnapshotTries times over.
var errKeptChanging = errors.New("the store kept changing while its read transactions began; try again")

// bumpGeneration counts one more commit; it runs inside each write transaction.
func bumpGeneration(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`, generationKey)
	if err != nil {
		return fmt.Errorf("count the commit: %w", err)
	}
	return nil
}

// readGeneration is the commit generation tx sees (0 for a store no write has bumped yet). As
// the transaction's first read, it also pins the transaction's view.
func readGeneration(ctx context.Context, tx *sql.Tx) (int64, error) {
	var g int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = ?), 0)`, generationKey).Scan(&g)
	if err != nil {
		return 0, fmt.Errorf("read the commit generation: %w", err)
	}
	return g, nil
}

// Snapshots runs fn with n read snapshots (1 to 4) that all see the same commit: what one of
// them reads agrees with what the others read, while writers keep committing.
func (s *Store) Snapshots(ctx context.Context, n int, fn func([]*Snapshot) error) error {
	if n < 1 || n > readConns {
		return fmt.Errorf("snapshots: %d read transactions asked for, the pool has 1 to %d", n, readConns)
	}
	txs, err := s.beginSameCommit(ctx, n)
	defer func() {
		for _, tx := range txs {
			if tx != nil {
				tx.Rollback() //nolint:errcheck // a read transaction has nothing to keep
			}
		}
	}()
	if err != nil {
		return classify(s.path, err)
	}
	sns := make([]*Snapshot, n)
	for i, tx := range txs {
		sns[i] = &Snapshot{tx: tx}
	}
	return classify(s.path, fn(sns))
}

// beginSameCommit begins n read transactions that read the same commit generation. The
// returned transactions (some may be nil after an error) are the caller's to roll back.
func (s *Store) beginSameCommit(ctx context.Context, n int) ([]*sql.Tx, error) {
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	txs, gens := make([]*sql.Tx, n), make([]int64, n)
	begin := func(i int) error {
		if txs[i] != nil {
			txs[i].Rollback() //nolint:errcheck // begun again below
			txs[i] = nil
		}
		tx, err := s.r.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin read: %w", err)
		}
		txs[i] = tx
		gens[i], err = readGeneration(ctx, tx)
		if snapshotBegun != nil {
			snapshotBegun(i)
		}
		return err
	}
	for i := range n {
		if err := begin(i); err != nil {
			return txs, err
		}
	}
	for range maxSnapshotTries {
		newest := gens[0]
		for _, g := range gens {
			newest = max(newest, g)
		}
		behind := false
		for i, g := range gens {
			if g == newest {
				continue
			}
			behind = true
			if err := begin(i); err != nil {
				return txs, err
			}
		}
		if !behind {
			return txs, nil
		}
	}
	return txs, errKeptChanging
}
