package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/almanac-app/almanac/data"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// classify turns SQLite's corruption and read-only errors from the store at path into
// *CorruptError and *ReadOnlyError; other errors pass unchanged.
func classify(path string, err error) error {
	if err == nil {
		return nil
	}
	var ce *data.CorruptError
	var ro *data.ReadOnlyError
	if errors.As(err, &ce) || errors.As(err, &ro) {
		return err
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return &data.CorruptError{Store: path, Reason: se.Error(), Err: err}
	case sqlite3.SQLITE_READONLY:
		return &data.ReadOnlyError{Home: filepath.Dir(filepath.Dir(path)), Err: err}
	}
	return err
}

// QuickCheck runs SQLite's structural check of the whole file (PRAGMA quick_check): it reads
// every page, so it is for repair decisions, not for every command.
func (s *Store) QuickCheck(ctx context.Context) error {
	return s.Read(ctx, func(tx *sql.Tx) error {
		var res string
		if err := tx.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&res); err != nil {
			return err
		}
		if res != "ok" {
			return &data.CorruptError{Store: s.path, Reason: res, Err: errors.New(res)}
		}
		return nil
	})
}

// Diagnose says whether tenant id's store needs a repair: ErrEmptyStore for an empty file, a
// *CorruptError when SQLite finds it damaged (it opens it and runs QuickCheck), ErrNotFound when
// it holds no tenant row, nil when it is sound. Other errors (a newer schema, a busy store) are
// returned as they are: moving the file aside would not cure them.
func Diagnose(ctx context.Context, h data.Home, id string) error {
	path := h.TenantPath(id)
	if emptyFile(path) && emptyFile(path+"-wal") {
		return fmt.Errorf("store %s: %w", path, data.ErrEmptyStore)
	}
	st, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.QuickCheck(ctx); err != nil {
		return err
	}
	_, err = st.Tenant(ctx)
	return err
}

// OpenActive opens the active tenant's store, or returns ErrNoTenant. In a home this process
// cannot write, the store is opened read-only (see OpenReadOnly); an empty store file is
// ErrEmptyStore rather than a new store.
func OpenActive(ctx context.Context, h data.Home) (*Store, error) {
	id, err := h.ActiveTenant()
	if err != nil {
		return nil, err
	}
	path := h.TenantPath(id)
	if emptyFile(path) && emptyFile(path+"-wal") {
		return nil, fmt.Errorf("store %s: %w", path, data.ErrEmptyStore)
	}
	if h.Writable() != nil {
		return OpenReadOnly(ctx, path)
	}
	return Open(ctx, path)
}

// emptyFile reports whether path is missing or has no bytes.
func emptyFile(path string) bool {
	fi, err := os.Stat(path)
	return err != nil || fi.Size() == 0
}
