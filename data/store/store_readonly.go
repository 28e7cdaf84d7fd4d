package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/almanac-app/almanac/data"
)

// OpenReadOnly opens the store at path for reading only, for a home this process cannot write
// (reports and exports still work there). It applies no migrations and creates no files: a store
// with no WAL beside it is opened immutable, since SQLite could not create the shared-memory
// file in a read-only folder; one with a WAL is read through it. A store that would need writing
// before it can be read (an older schema, an interrupted sync load) is refused with a
// *ReadOnlyError.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	home := filepath.Dir(filepath.Dir(path))
	s := &Store{path: path, readOnly: true}
	var err error
	if s.w, err = sql.Open("sqlite", readOnlyDSN(path)); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.w.SetMaxOpenConns(1)
	if s.r, err = sql.Open("sqlite", readOnlyDSN(path)); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.r.SetMaxOpenConns(readConns)
	if err := s.checkReadable(ctx, home); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// checkReadable refuses a store that this build can read only after writing to it.
func (s *Store) checkReadable(ctx context.Context, home string) error {
	cur, err := s.SchemaVersion(ctx)
	if err != nil {
		return classify(s.path, fmt.Errorf("open store %s: %w", s.path, err))
	}
	latest := LatestSchemaVersion()
	if cur > latest {
		return fmt.Errorf("open store %s: schema version %d > %d: %w (update Almanac)", s.path, cur, latest, data.ErrSchemaTooNew)
	}
	if cur < latest {
		return &data.ReadOnlyError{Home: home, Err: data.ErrReadOnly,
			Why: fmt.Sprintf("the store %s must be upgraded from schema version %d to %d before it can be read, which writes to it", s.path, cur, latest)}
	}
	var n int
	if err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM settings WHERE key = ?", bulkKey).Scan(&n); err != nil {
		return classify(s.path, fmt.Errorf("open store %s: %w", s.path, err))
	}
	if n > 0 {
		return &data.ReadOnlyError{Home: home, Err: data.ErrReadOnly,
			Why: fmt.Sprintf("the store %s holds an interrupted sync load that must be finished before it can be read, which writes to it", s.path)}
	}
	return nil
}

// readOnlyDSN opens path with mode=ro, and immutable when there is no WAL to read through.
func readOnlyDSN(path string) string {
	q := url.Values{}
	q.Set("mode", "ro")
	if emptyFile(path + "-wal") {
		q.Set("immutable", "1")
	}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	return "file:" + path + "?" + q.Encode()
}
