package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
)

// Home is Almanac's data directory: <home>/tenants/<tenant id>.db plus <home>/active naming the
// tenant the app opens.
type Home struct {
	Dir string
}

// ResolveHome picks the home directory: the flag value, else $ALMANAC_HOME, else the OS user
// config directory + HomeDirName (%AppData%\Almanac on Windows).
func ResolveHome(flagValue string) (Home, error) {
	dir := flagValue
	if dir == "" {
		dir = os.Getenv("ALMANAC_HOME")
	}
	if dir == "" {
		cfg, err := os.UserConfigDir()
		if err != nil {
			return Home{}, fmt.Errorf("find home: %w (set --home or ALMANAC_HOME)", err)
		}
		dir = filepath.Join(cfg, HomeDirName(runtime.GOOS))
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Home{}, fmt.Errorf("home %q: %w", dir, err)
	}
	return Home{Dir: abs}, nil
}

// HomeDirName is the home's folder in the user config directory: "Almanac" where folders are
// shown by name to the user (Windows' %AppData%, macOS' Application Support), "almanac" in
// Linux's ~/.config.
func HomeDirName(goos string) string {
	if goos == "windows" || goos == "darwin" {
		return "Almanac"
	}
	return "almanac"
}

var tenantIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidTenantID reports whether id is safe to use as a file name.
func ValidTenantID(id string) bool {
	return tenantIDPattern.MatchString(id) && !strings.Contains(id, "..")
}

// TenantPath is the store file of tenant id.
func (h Home) TenantPath(id string) string {
	return filepath.Join(h.Dir, "tenants", id+".db")
}

// ActiveTenant returns the id of the active tenant, or ErrNoTenant.
func (h Home) ActiveTenant() (string, error) {
	id, err := h.ActiveName()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(h.TenantPath(id)); err != nil {
		return "", ErrNoTenant
	}
	return id, nil
}

// ActiveName returns the tenant id <home>/active names, whether or not its store exists (a
// repair moves a damaged store aside before rebuilding it), or ErrNoTenant.
func (h Home) ActiveName() (string, error) {
	b, err := os.ReadFile(filepath.Join(h.Dir, "active"))
	if errors.Is(err, os.ErrNotExist) {
		return "", ErrNoTenant
	}
	if err != nil {
		return "", fmt.Errorf("read active tenant: %w", err)
	}
	id := strings.TrimSpace(string(b))
	if !ValidTenantID(id) {
		return "", fmt.Errorf("active tenant file names %q: %w (run 'almanac demo' or sync again)", id, ErrInvalid)
	}
	return id, nil
}

// SetActive makes tenant id the active one, atomically.
func (h Home) SetActive(id string) error {
	_, err := h.setActiveUnless(id, func(string) bool { return false })
	return err
}

// setActiveUnless makes tenant id active unless keep(current active id) says the current one
// stays; it returns the id active afterwards. Reading and replacing happen under the home lock,
// so a concurrent sync's switch is never undone unseen.
func (h Home) setActiveUnless(id string, keep func(current string) bool) (string, error) {
	if !ValidTenantID(id) {
		return "", fmt.Errorf("tenant id %q: %w", id, ErrInvalid)
	}
	active := id
	err := h.withHomeLock(func() error {
		if cur, err := h.ActiveTenant(); err == nil && cur != id && keep(cur) {
			active = cur
			return nil
		}
		return WriteFileAtomic(filepath.Join(h.Dir, "active"), []byte(id+"\n"), 0o600)
	})
	return active, err
}

// OpenActive opens the active tenant's store, or returns ErrNoTenant. In a home this process
// cannot write, the store is opened read-only (see OpenReadOnly); an empty store file is
// ErrEmptyStore rather than a new store.
func (h Home) OpenActive(ctx context.Context) (*Store, error) {
	id, err := h.ActiveTenant()
	if err != nil {
		return nil, err
	}
	path := h.TenantPath(id)
	if emptyFile(path) && emptyFile(path+"-wal") {
		return nil, fmt.Errorf("store %s: %w", path, ErrEmptyStore)
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

// WriteFileAtomic writes b to a temporary file beside path, syncs it, and renames it over path,
// so readers see the old file or the new one, never a part.
func WriteFileAtomic(path string, b []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
