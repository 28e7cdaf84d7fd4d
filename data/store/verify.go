package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/almanac-app/almanac/data"
)

// Verify checks the store's health: SQLite's integrity check, no foreign-key violations, and
// rollups that agree with the raw rows. It returns the first problem found.
func (s *Store) Verify(ctx context.Context) error {
	err := s.Read(ctx, func(tx *sql.Tx) error {
		var res string
		if err := tx.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
			return fmt.Errorf("integrity check: %w", err)
		}
		if res != "ok" {
			return &data.CorruptError{Store: s.path, Reason: "integrity check failed: " + res, Err: errors.New(res)}
		}
		rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
		if err != nil {
			return fmt.Errorf("foreign key check: %w", err)
		}
		defer rows.Close()
		if rows.Next() {
			var table string
			var rowid sql.NullInt64
			var parent string
			var fkid int
			rows.Scan(&table, &rowid, &parent, &fkid)
			return fmt.Errorf("foreign key check failed: %s row %d points at a missing %s", table, rowid.Int64, parent)
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	return s.CheckRollups(ctx)
}

// Fingerprint returns a SHA-256 of every entity table's rows in id order, so two stores can be
// compared for identical data (sync resumes, repeated demo builds).
func (s *Store) Fingerprint(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := s.Read(ctx, func(tx *sql.Tx) error {
		for _, table := range data.Entities() {
			sum, err := tableFingerprint(ctx, tx, table)
			if err != nil {
				return err
			}
			out[table] = sum
		}
		return nil
	})
	return out, err
}

func tableFingerprint(ctx context.Context, tx *sql.Tx, table string) (string, error) {
	cols := strings.Join(entityColumns[table], ", ")
	rows, err := tx.QueryContext(ctx, "SELECT "+cols+" FROM "+table+" ORDER BY id")
	if err != nil {
		return "", fmt.Errorf("fingerprint %s: %w", table, err)
	}
	defer rows.Close()
	n := len(entityColumns[table])
	vals, ptrs := make([]any, n), make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	h := sha256.New()
	count := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		fmt.Fprintln(h, vals...)
		count++
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d:%x", count, h.Sum(nil)[:12]), nil
}
