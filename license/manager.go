package license

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

const (
	// legacyFile is where a home kept its one license before licenses were
	// kept per tenant; it is moved to its tenant's file on first use.
	legacyFile = "license.txt"
	tenantsDir = "tenants" // <dir>/tenants/<tenant id>.txt: one license per tenant
	seenFile   = "last-seen.txt"
	// seenResolution limits writes of the latest time seen; it is far below
	// RollbackTolerance, so losing that much on a crash changes nothing.
	seenResolution = time.Minute
)

// Manager keeps one license per tenant in a directory (normally
// <home>/license) together with the latest time the app has seen, and tells
// subscribers when a license changes. It is safe for concurrent use; every
// call reads the directory afresh, so a license activated by another process
// shows up too.
//
// A license is saved for the tenant it was issued to, whichever tenant is
// active, so an owner can activate before the first sync. The demo tenant
// (see WithDemoTenant) has no license of its own: it uses the best license in
// force saved for any tenant, so the owner can try what they bought on the
// demo data.
type Manager struct {
	dir     string
	clock   func() time.Time
	keys    KeySet
	demo    string       // the built-in demo tenant's id; "" when there is none
	records []TimeRecord // besides last-seen.txt; see SetTimeRecords

	mu sync.Mutex // serialises reads and writes of dir

	subMu sync.Mutex
	subs  map[int]func()
	next  int
}

// NewManager returns a manager for dir that trusts this build's keys. clock
// is the time source (nil: time.Now); tests inject their own. Banners and
// messages show instants in the zone of the clock's times, so a caller passes
// a clock in the tenant's zone.
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

// WithDemoTenant names the built-in demo tenant, which uses any license in
// force saved in dir. Call it before the manager is used; it returns m.
func (m *Manager) WithDemoTenant(id string) *Manager {
	m.demo = id
	return m
}

// Dir is the directory the manager keeps its files in.
func (m *Manager) Dir() string { return m.dir }

// Applies reports whether a license issued for licenseTenant is in force
// while activeTenant is the active tenant: its own tenant, or the demo.
func (m *Manager) Applies(licenseTenant, activeTenant string) bool {
	return licenseTenant == activeTenant || (m.demo != "" && activeTenant == m.demo)
}

// Check verifies text exactly as Activate does, without saving it, so a
// dialog can show what a license unlocks before the user confirms. The
// Status is the one the license gives the tenant it was issued to.
func (m *Manager) Check(text []byte) (*Status, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, _, err := m.check(text, m.clock(), m.loadSeen().merged)
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// Activate verifies text, checks it is in force, and saves it as the
// license of the tenant it was issued to (see Applies for whether that is
// the active one). On any failure the previous license stays. Subscribers
// are called after a successful activation.
func (m *Manager) Activate(text []byte) (*Status, error) {
	st, err := m.activate(text)
	if err != nil {
		return nil, err
	}
	m.notify()
	return st, nil
}

func (m *Manager) activate(text []byte) (*Status, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock()
	ls := m.loadSeen()
	st, seen, err := m.check(text, now, ls.merged)
	if err != nil {
		return nil, err
	}
	if err := m.migrate(); err != nil {
		return nil, err
	}
	path, _ := m.tenantFile(st.License.Payload.TenantID) // check refused a bad id
	if err := m.writeFile(path, st.License.Text()); err != nil {
		return nil, err
	}
	m.saveSeen(ls, seen.observed(now))
	return &st, nil
}

func (m *Manager) check(text []byte, now time.Time, seen seenState) (Status, seenState, error) {
	l, err := Parse(text)
	if err != nil {
		return Status{}, seen, err
	}
	if err := Verify(l, m.keys); err != nil {
		return Status{}, seen, err
	}
	if _, err := m.tenantFile(l.Payload.TenantID); err != nil {
		return Status{}, seen, err
	}
	st, seen := evaluate(l, l.Payload.TenantID, now, seen)
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

// Remove deletes the license saved for tenantID (and a damaged license file
// left from before licenses were kept per tenant); that tenant is back on
// FREE and nothing else is touched. The latest time seen is kept, so removing
// and re-activating cannot hide a clock set back. Removing when none is saved
// is not an error.
func (m *Manager) Remove(tenantID string) error {
	if err := m.remove(tenantID); err != nil {
		return err
	}
	m.notify()
	return nil
}

func (m *Manager) remove(tenantID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.migrate(); err != nil { // a readable old file belongs to its own tenant
		return err
	}
	paths := []string{filepath.Join(m.dir, legacyFile)}
	if p, err := m.tenantFile(tenantID); err == nil {
		paths = append(paths, p)
	}
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return storageError("remove the license", err)
		}
	}
	return nil
}

// Stored returns the license saved for tenantID, parsed but not verified;
// nil if none. The demo's borrowed license is not its own: see Status.
func (m *Manager) Stored(tenantID string) (*License, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.migrate(); err != nil {
		return nil, err
	}
	l, err := m.readTenant(tenantID)
	if l == nil && err == nil {
		return m.readLegacy()
	}
	return l, err
}

// Status reports the license in force for tenantID. Problems with the
// stored license do not fail the call: they leave the user on FREE with Err
// saying why. For the demo tenant without a license of its own, it is the
// best license in force saved for any tenant (its License names that tenant).
func (m *Manager) Status(tenantID string) Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock()
	ls := m.loadSeen()
	seen := ls.merged
	defer func() { m.saveSeen(ls, seen.observed(now)) }()
	if err := m.migrate(); err != nil {
		return problemStatus(nil, err)
	}
	l, err := m.readTenant(tenantID)
	if l == nil && err == nil && m.demo != "" && tenantID == m.demo {
		var st Status
		var ok bool
		if st, seen, ok = m.borrowed(now, seen); ok {
			return st
		}
	}
	if l == nil && err == nil {
		l, err = m.readLegacy()
	}
	switch {
	case err != nil:
		return problemStatus(nil, err)
	case l == nil:
		return Status{State: StateNone, Plan: Free}
	}
	if err := Verify(l, m.keys); err != nil {
		return problemStatus(l, err)
	}
	var st Status
	st, seen = evaluate(l, tenantID, now, seen)
	return st
}

func problemStatus(l *License, err error) Status {
	return Status{State: StateNone, Plan: Free, License: l, Err: err, Banner: problemBanner(err)}
}

// borrowed is the demo's license: of every verified license in force saved
// here, the highest plan, then the latest expiry (never expiring counts as
// latest), then the smallest tenant id so the choice is stable.
func (m *Manager) borrowed(now time.Time, seen seenState) (Status, seenState, bool) {
	var best Status
	bestSeen := seen
	found := false
	for _, id := range m.savedTenants() {
		l, err := m.readTenant(id)
		if err != nil || l == nil || l.Payload.TenantID != id || Verify(l, m.keys) != nil {
			continue
		}
		st, after := evaluate(l, id, now, seen)
		if st.Active() && (!found || betterLicense(st, best)) {
			best, bestSeen, found = st, after, true
		}
	}
	return best, bestSeen, found
}

func betterLicense(a, b Status) bool {
	if a.Plan != b.Plan {
		return a.Plan > b.Plan
	}
	ae, be := a.ExpiresAt, b.ExpiresAt
	if ae.IsZero() != be.IsZero() {
		return ae.IsZero()
	}
	return ae.After(be)
}

// savedTenants lists the tenant ids with a saved license, sorted.
func (m *Manager) savedTenants() []string {
	entries, err := os.ReadDir(filepath.Join(m.dir, tenantsDir))
	if err != nil {
		return nil
	}
	var ids []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".txt"); ok && e.Type().IsRegular() && validTenantFile(id) {
			ids = append(ids, id)
		}
	}
	return ids // ReadDir sorts by name
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

// readTenant reads tenantID's own license; nil if none.
func (m *Manager) readTenant(tenantID string) (*License, error) {
	path, err := m.tenantFile(tenantID)
	if err != nil {
		return nil, nil // no such tenant can have a license
	}
	return readLicenseFile(path)
}

// readLegacy reads a single-license file that migrate could not move
// (damaged, or naming an impossible tenant); nil if there is none.
func (m *Manager) readLegacy() (*License, error) {
	return readLicenseFile(filepath.Join(m.dir, legacyFile))
}

func readLicenseFile(path string) (*License, error) {
	text, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, storageError("read the saved license", err)
	}
	return Parse(text)
}

// migrate moves the license a home kept before licenses were kept per
// tenant to the file of the tenant it was issued for. A file that cannot be
// read as a license stays where it is, so Status can say what is wrong with
// it; a tenant that already has its own license keeps it.
func (m *Manager) migrate() error {
	old := filepath.Join(m.dir, legacyFile)
	text, err := os.ReadFile(old)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return storageError("read the saved license", err)
	}
	l, err := Parse(text)
	if err != nil {
		return nil
	}
	path, err := m.tenantFile(l.Payload.TenantID)
	if err != nil {
		return nil
	}
	if _, err := os.Stat(path); err == nil {
		err = os.Remove(old)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return storageError("remove the old license file", err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return storageError("create the license folder", err)
	}
	if err := os.Rename(old, path); err != nil {
		return storageError("move the saved license to its tenant", err)
	}
	return nil
}

// tenantFile is where tenantID's license is kept. An id that cannot be a
// file name cannot be a tenant of this app (the data layer refuses the same).
func (m *Manager) tenantFile(tenantID string) (string, error) {
	if !validTenantFile(tenantID) {
		return "", newError(CodeWrongTenant, "Ask your vendor for a license issued for the tenant id that 'almanac tenant' shows.",
			"This license is for tenant %s, which cannot be a tenant of Almanac.", quote(tenantID))
	}
	return filepath.Join(m.dir, tenantsDir, tenantID+".txt"), nil
}

var tenantFilePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func validTenantFile(id string) bool {
	return tenantFilePattern.MatchString(id) && !strings.Contains(id, "..")
}

// writeFile replaces path atomically (temp file, then rename) with mode
// 0600, so a crash never leaves half a license and other users cannot read it.
func (m *Manager) writeFile(path string, data []byte) error {
	dir, name := filepath.Split(path)
	if err := os.MkdirAll(m.dir, 0o700); err != nil {
		return storageError("create the license folder", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return storageError("create the license folder", err)
	}
	tmp, err := os.CreateTemp(dir, name+".*.tmp")
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
		err = os.Rename(tmp.Name(), path)
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
