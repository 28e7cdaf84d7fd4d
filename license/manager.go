package license

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

const (
	licenseFile = "license.txt"
	seenFile    = "last-seen.txt"
	// seenResolution limits writes of the latest time seen; it is far below
	// RollbackTolerance, so losing that much on a crash changes nothing.
	seenResolution = time.Minute
)

// Manager keeps the active license in a directory (normally <home>/license)
// together with the latest time the app has seen, and tells subscribers when
// the license changes. It is safe for concurrent use; every call reads the
// directory afresh, so a license activated by another process shows up too.
type Manager struct {
	dir     string
	clock   func() time.Time
	keys    KeySet
	records []TimeRecord // besides last-seen.txt; see SetTimeRecords

	mu sync.Mutex // serialises reads and writes of dir

	subMu sync.Mutex
	subs  map[int]func()
	next  int
}

// NewManager returns a manager for dir that trusts this build's keys. clock
// is the time source (nil: time.Now); tests inject their own.
func NewManager(dir string, clock func() time.Time) *Manager {
	return NewManagerWithKeys(dir, clock, TrustedKeys())
}

// NewManagerWithKeys is NewManager trusting keys instead of the build's.
func NewManagerWithKeys(dir string, clock func() time.Time, keys KeySet) *Manager {
	if clock == nil {
		clock = time.Now
	}
	return &Manager{dir: dir, clock: clock, keys: keys, subs: map[int]func(){}}
}

// Dir is the directory the manager keeps its files in.
func (m *Manager) Dir() string { return m.dir }

// Check verifies text for tenantID exactly as Activate does, without saving
// it, so a dialog can show what a license unlocks before the user confirms.
func (m *Manager) Check(text []byte, tenantID string) (*Status, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, _, err := m.check(text, tenantID, m.clock(), m.loadSeen().merged)
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// Activate verifies text, checks it is for tenantID and in force, and saves
// it as the active license. On any failure the previous license stays
// active. Subscribers are called after a successful activation.
func (m *Manager) Activate(text []byte, tenantID string) (*Status, error) {
	st, err := m.activate(text, tenantID)
	if err != nil {
		return nil, err
	}
	m.notify()
	return st, nil
}

func (m *Manager) activate(text []byte, tenantID string) (*Status, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock()
	ls := m.loadSeen()
	st, seen, err := m.check(text, tenantID, now, ls.merged)
	if err != nil {
		return nil, err
	}
	if err := m.writeFile(licenseFile, st.License.Text()); err != nil {
		return nil, err
	}
	m.saveSeen(ls, seen.observed(now))
	return &st, nil
}

func (m *Manager) check(text []byte, tenantID string, now time.Time, seen seenState) (Status, seenState, error) {
	l, err := Parse(text)
	if err != nil {
		return Status{}, seen, err
	}
	if err := Verify(l, m.keys); err != nil {
		return Status{}, seen, err
	}
	st, seen := evaluate(l, tenantID, now, seen)
	return st, seen, activationError(st, now.Location())
}

// activationError refuses what should not become the active license. A
// license already past expiry is refused even inside its grace days: grace
// keeps an active license working, it does not admit new ones. Under a clock
// in doubt, expiry is judged against the latest time seen, not the clock;
// otherwise a clock in doubt is no reason to refuse (Evaluate chose grace).
func activationError(st Status, loc *time.Location) error {
	switch {
	case st.ClockRollback && !st.ExpiresAt.IsZero() && !st.LatestSeen.Before(st.ExpiresAt):
		return expired(st.License.Payload, loc)
	case st.ClockRollback && st.Active():
		return nil
	case st.State == StateGrace:
		return expired(st.License.Payload, loc)
	case !st.Active() && st.Err != nil:
		return st.Err
	}
	return nil
}

// Remove deactivates the license; Almanac is back on FREE and nothing else
// is touched. The latest time seen is kept, so removing and re-activating
// cannot hide a clock set back. Removing when none is active is not an error.
func (m *Manager) Remove() error {
	if err := m.remove(); err != nil {
		return err
	}
	m.notify()
	return nil
}

func (m *Manager) remove() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	err := os.Remove(filepath.Join(m.dir, licenseFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return storageError("remove the license", err)
	}
	return nil
}

// Stored returns the saved license, parsed but not verified; nil if none.
func (m *Manager) Stored() (*License, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.readLicense()
}

// Status reports the license in force for tenantID. Problems with the
// stored license do not fail the call: they leave the user on FREE with Err
// saying why.
func (m *Manager) Status(tenantID string) Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock()
	ls := m.loadSeen()
	seen := ls.merged
	defer func() { m.saveSeen(ls, seen.observed(now)) }()
	l, err := m.readLicense()
	switch {
	case err != nil:
		return Status{State: StateNone, Plan: Free, Err: err, Banner: problemBanner(err)}
	case l == nil:
		return Status{State: StateNone, Plan: Free}
	}
	if err := Verify(l, m.keys); err != nil {
		return Status{State: StateNone, Plan: Free, License: l, Err: err, Banner: problemBanner(err)}
	}
	var st Status
	st, seen = evaluate(l, tenantID, now, seen)
	return st
}

// Entitlements is what the current user may do for tenantID.
func (m *Manager) Entitlements(tenantID string, acceptsPayments bool) Entitlements {
	return m.Status(tenantID).Entitlements(acceptsPayments)
}

// Subscribe registers fn to be called after every successful Activate or
// Remove, on the goroutine that made the change, so the UI can re-gate live.
// fn must not block; a UI hands the work to its own thread (fyne.Do).
func (m *Manager) Subscribe(fn func()) (cancel func()) {
	m.subMu.Lock()
	defer m.subMu.Unlock()
	id := m.next
	m.next++
	m.subs[id] = fn
	var once sync.Once
	return func() {
		once.Do(func() {
			m.subMu.Lock()
			defer m.subMu.Unlock()
			delete(m.subs, id)
		})
	}
}

// notify calls subscribers in the order they subscribed, outside every lock
// so they may call back into the manager.
func (m *Manager) notify() {
	m.subMu.Lock()
	ids := slices.Sorted(maps.Keys(m.subs))
	fns := make([]func(), 0, len(ids))
	for _, id := range ids {
		fns = append(fns, m.subs[id])
	}
	m.subMu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

func (m *Manager) readLicense() (*License, error) {
	text, err := os.ReadFile(filepath.Join(m.dir, licenseFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, storageError("read the saved license", err)
	}
	return Parse(text)
}

// writeFile replaces name atomically (temp file, then rename) with mode
// 0600, so a crash never leaves half a license and other users cannot read it.
func (m *Manager) writeFile(name string, data []byte) error {
	if err := os.MkdirAll(m.dir, 0o700); err != nil {
		return storageError("create the license folder", err)
	}
	tmp, err := os.CreateTemp(m.dir, name+".*.tmp")
	if err != nil {
		return storageError("save "+name, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(m.dir, name))
	}
	if err != nil {
		return storageError("save "+name, err)
	}
	return nil
}

func storageError(what string, err error) *Error {
	return newError(CodeStorage, "Check that the folder exists, is writable and the disk is not full, then try again.",
		"Could not %s (%v).", what, err)
}

// problemBanner words a stored license that does not apply.
func problemBanner(err error) string {
	var le *Error
	if errors.As(err, &le) {
		return fmt.Sprintf("The saved license does not apply: %s %s", le.Msg, le.Fix)
	}
	return "The saved license does not apply: " + err.Error()
}
