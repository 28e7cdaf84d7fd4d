package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Errors about the store file itself rather than its rows; match them with errors.Is.
var (
	ErrBusy       = errors.New("another process is writing this store")
	ErrCorrupt    = errors.New("store file is damaged")
	ErrReadOnly   = errors.New("home is read-only")
	ErrEmptyStore = errors.New("store file is empty")
)

// CorruptError says SQLite found the store file damaged (SQLITE_CORRUPT, SQLITE_NOTADB).
type CorruptError struct {
	Store  string // the damaged file
	Reason string // SQLite's own words, e.g. "database disk image is malformed (11)"
	Err    error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("store %s is damaged: %s", e.Store, e.Reason)
}

// Is makes errors.Is(err, ErrCorrupt) match.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// Unwrap gives SQLite's error.
func (e *CorruptError) Unwrap() error { return e.Err }

// ReadOnlyError says a write was refused because the home (or the store in it) is read-only.
type ReadOnlyError struct {
	Home string
	Why  string // what needed writing, when it is not the command's own purpose
	Err  error
}

func (e *ReadOnlyError) Error() string {
	if e.Why != "" {
		return fmt.Sprintf("home %s is read-only: %s", e.Home, e.Why)
	}
	return fmt.Sprintf("home %s is read-only: %v", e.Home, e.Err)
}

// Is makes errors.Is(err, ErrReadOnly) match.
func (e *ReadOnlyError) Is(target error) bool { return target == ErrReadOnly }

// Unwrap gives the file system's or SQLite's error.
func (e *ReadOnlyError) Unwrap() error { return e.Err }

// Writable reports whether files can be created in the home's tenants folder, returning a
// *ReadOnlyError when they cannot.
func (h Home) Writable() error {
	dir := filepath.Join(h.Dir, "tenants")
	if _, err := os.Stat(dir); err != nil {
		dir = h.Dir // a fresh home: the folder is made by the first writer
		if _, err := os.Stat(dir); err != nil {
			return nil // nothing there yet; creating it will tell
		}
	}
	f, err := os.CreateTemp(dir, ".almanac-write-probe-*")
	if err != nil {
		if isReadOnlyErr(err) {
			return &ReadOnlyError{Home: h.Dir, Err: err}
		}
		return nil // another problem: the write itself will say what it is
	}
	f.Close()
	_ = os.Remove(f.Name()) // the probe was created: the home is writable
	return nil
}

// MoveAside renames tenant id's store (and its WAL companions, so the pair stays readable) to
// <id>.db.damaged-<UTC time>, holding the store's write lock, and returns the new path. The
// next sync or demo build then starts from an empty store.
func (h Home) MoveAside(id string, now time.Time) (string, error) {
	lock, err := h.LockStore(id, "almanac repair")
	if err != nil {
		return "", err
	}
	defer lock.Unlock() //nolint:errcheck // the rename is what matters
	path := h.TenantPath(id)
	kept := path + ".damaged-" + now.UTC().Format("20060102T150405Z")
	if err := os.Rename(path, kept); err != nil {
		return "", fmt.Errorf("move %s aside: %w", path, err)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Rename(path+suffix, kept+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return kept, fmt.Errorf("move %s aside: %w", path+suffix, err)
		}
	}
	return kept, nil
}
