package data

import (
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
	// Tenant, when set, is the tenant this process acts on whatever <home>/active names (the
	// command line's global tenant flag): ActiveName and ActiveTenant return it, and
	// SetActive still writes <home>/active for the app.
	Tenant string
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
			return Home{}, fmt.Errorf("find home: %w: %w", err, &InputError{Field: FieldHome, Problem: "is not given and this computer names no config folder", Fix: "give {home} or set ALMANAC_HOME"})
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
		if h.Tenant != "" {
			return "", h.notHere()
		}
		return "", ErrNoTenant
	}
	return id, nil
}

// notHere is the error for a pinned tenant (Home.Tenant) the home does not keep.
func (h Home) notHere() error {
	return &InputError{Field: FieldTenant, Value: h.Tenant, Problem: "is not a tenant of home " + h.Dir,
		Fix: "give an id that 'almanac tenant list' shows"}
}

// ActiveName returns the tenant id <home>/active names, whether or not its store exists (a
// repair moves a damaged store aside before rebuilding it), or ErrNoTenant.
func (h Home) ActiveName() (string, error) {
	if h.Tenant != "" {
		if !ValidTenantID(h.Tenant) {
			return "", h.notHere()
		}
		return h.Tenant, nil
	}
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
	_, err := h.SetActiveUnless(id, func(string) bool { return false })
	return err
}

// SetActiveUnless makes tenant id active unless keep(current active id) says the current one
// stays; it returns the id active afterwards. Reading and replacing happen under the home lock,
// so a concurrent sync's switch is never undone unseen.
func (h Home) SetActiveUnless(id string, keep func(current string) bool) (string, error) {
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

// TenantEntry is one tenant kept in a home.
type TenantEntry struct {
	Tenant
	Path   string // the store file
	Active bool   // the tenant the app and commands open
	Err    error  // why the store could not be read; Tenant then holds only the id
}

// Source says where the tenant's data came from: "demo" or "server".
func (e TenantEntry) Source() string {
	if e.IsDemo {
		return "demo"
	}
	return "server"
}
