package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// A tenant's store has one writer at a time across processes: sync, demo and repair hold an OS
// file lock (flock, LockFileEx) on <home>/tenants/<id>.lock for their whole run. The kernel
// drops the lock when its process dies, so a killed sync never leaves the store locked. The
// holder writes its PID and command into the file so a second writer can say who holds it.

// lockInfo is the content of a lock file.
type lockInfo struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	Since   time.Time `json:"since"`
}

// BusyError says another process is writing a tenant's store.
type BusyError struct {
	Store   string    // the store's path
	PID     int       // 0 when the holder has not written its details yet
	Command string    // the holder's command line, e.g. "almanac sync"
	Since   time.Time // when the holder took the lock
}

func (e *BusyError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("store %s is being written by another Almanac process", e.Store)
	}
	return fmt.Sprintf("store %s is being written by process %d (%s, since %s)", e.Store, e.PID, e.Command,
		e.Since.Local().Format("15:04:05"))
}

// Is makes errors.Is(err, ErrBusy) match.
func (e *BusyError) Is(target error) bool { return target == ErrBusy }

// StoreLock is the right to write one tenant's store, held from LockStore to Unlock.
type StoreLock struct {
	f *os.File
}

// LockPath is the lock file of tenant id's store.
func (h Home) LockPath(id string) string {
	return filepath.Join(h.Dir, "tenants", id+".lock")
}

// LockStore takes the write lock of tenant id's store for command (e.g. "almanac sync"), or
// returns a *BusyError naming the process that holds it, or ErrReadOnly for a read-only home.
func (h Home) LockStore(id, command string) (*StoreLock, error) {
	if !ValidTenantID(id) {
		return nil, fmt.Errorf("tenant id %q: %w", id, ErrInvalid)
	}
	f, err := openLockFile(h.LockPath(id))
	if err != nil {
		return nil, h.lockFileError(err)
	}
	busy, err := tryLock(f, false)
	if err == nil && busy {
		be := &BusyError{Store: h.TenantPath(id)}
		if info, rerr := readLockInfo(f); rerr == nil {
			be.PID, be.Command, be.Since = info.PID, info.Command, info.Since
		}
		f.Close()
		return nil, be
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock store %s: %w", h.TenantPath(id), err)
	}
	if err := writeLockInfo(f, command); err != nil {
		unlock(f) //nolint:errcheck // closing drops the lock anyway
		f.Close()
		return nil, fmt.Errorf("lock store %s: %w", h.TenantPath(id), err)
	}
	return &StoreLock{f: f}, nil
}

// Unlock releases the lock; the file stays, emptied, for the next writer.
func (l *StoreLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0) // so a stale PID is never shown
	err := errors.Join(unlock(l.f), l.f.Close())
	l.f = nil
	return err
}

// withHomeLock runs fn holding the home's short-lived lock, which makes reading and switching
// <home>/active one step across processes. It waits for another holder (they hold it for
// microseconds).
func (h Home) withHomeLock(fn func() error) error {
	f, err := openLockFile(filepath.Join(h.Dir, "active.lock"))
	if err != nil {
		return h.lockFileError(err)
	}
	defer f.Close()
	if _, err := tryLock(f, true); err != nil {
		return fmt.Errorf("lock %s: %w", h.Dir, err)
	}
	defer unlock(f) //nolint:errcheck // closing drops the lock anyway
	return fn()
}

func openLockFile(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}

// lockFileError words a failure to create a lock file: usually a read-only home.
func (h Home) lockFileError(err error) error {
	if isReadOnlyErr(err) {
		return &ReadOnlyError{Home: h.Dir, Err: err}
	}
	return fmt.Errorf("lock %s: %w", h.Dir, err)
}

// isReadOnlyErr reports whether err means the file system refuses writes.
func isReadOnlyErr(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

func writeLockInfo(f *os.File, command string) error {
	b, _ := json.Marshal(lockInfo{PID: os.Getpid(), Command: command, Since: time.Now().UTC().Truncate(time.Second)})
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt(append(b, '\n'), 0)
	return err
}

func readLockInfo(f *os.File) (lockInfo, error) {
	var info lockInfo
	b := make([]byte, 1024)
	n, err := f.ReadAt(b, 0)
	if n == 0 {
		return info, err
	}
	return info, json.Unmarshal(b[:n], &info)
}

// FileLock is an OS lock on one file, held from LockFile to Unlock; the kernel drops it when
// its process dies. Callers outside data (the scheduled jobs' runner) use it so two processes
// never do the same work at once.
type FileLock struct {
	f *os.File
}

// LockFile takes the exclusive lock of the file at path (created if missing) for command. With
// wait it blocks until the lock is free; without, a held lock returns an error wrapping ErrBusy
// that names the holder's process.
func LockFile(path, command string, wait bool) (*FileLock, error) {
	f, err := openLockFile(path)
	if err != nil {
		if isReadOnlyErr(err) {
			return nil, &ReadOnlyError{Home: filepath.Dir(path), Err: err}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	busy, err := tryLock(f, wait)
	if err == nil && busy {
		info, _ := readLockInfo(f)
		f.Close()
		return nil, &HeldError{Path: path, PID: info.PID, Command: info.Command}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := writeLockInfo(f, command); err != nil {
		unlock(f) //nolint:errcheck // closing drops the lock anyway
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &FileLock{f: f}, nil
}

// HeldError says another process holds a FileLock; errors.Is(err, ErrBusy) matches it.
type HeldError struct {
	Path    string
	PID     int    // 0 when the holder has not written its details yet
	Command string // the holder's command, e.g. "almanac jobs run --due"
}

func (e *HeldError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("%s is held by another Almanac process", e.Path)
	}
	return fmt.Sprintf("%s is held by process %d (%s)", e.Path, e.PID, e.Command)
}

// Is makes errors.Is(err, ErrBusy) match.
func (e *HeldError) Is(target error) bool { return target == ErrBusy }

// Unlock releases the lock.
func (l *FileLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := errors.Join(unlock(l.f), l.f.Close())
	l.f = nil
	return err
}
