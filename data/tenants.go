package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ErrReservedTenant is a server whose tenant id is the built-in demo's.
var ErrReservedTenant = errors.New("the tenant id is reserved for the built-in demo")

// checkRemoteTenantID refuses a server tenant that would take the demo's store: the demo id is
// reserved, so a synced business never shares a file, a license or a name with the demo data.
func checkRemoteTenantID(id string) error {
	if strings.EqualFold(id, DemoTenantID) {
		return fmt.Errorf("the server's tenant id %q: %w: ask the server's operator to give the business its own id; nothing was changed",
			id, ErrReservedTenant)
	}
	return nil
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

// Tenants lists the tenants kept in the home, sorted by name then id. It only reads the
// stores, so it is safe while a sync writes one of them.
func (h Home) Tenants(ctx context.Context) ([]TenantEntry, error) {
	files, err := filepath.Glob(filepath.Join(h.Dir, "tenants", "*.db"))
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	active, _ := h.ActiveTenant() // none or unreadable: no tenant is marked active
	var out []TenantEntry
	for _, f := range files {
		id := strings.TrimSuffix(filepath.Base(f), ".db")
		if !ValidTenantID(id) {
			continue
		}
		e := TenantEntry{Tenant: Tenant{ID: id}, Path: f, Active: id == active}
		t, err := readTenantFile(ctx, f)
		switch {
		case errors.Is(err, ErrNotFound):
			continue // a store whose first sync has not written its tenant yet
		case err != nil:
			e.Err = err
		default:
			e.Tenant = t
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// readTenantFile reads a store's tenant row through a query-only connection: no migrations
// and no recovery of an interrupted load, which belong to whoever opens the store to use it.
func readTenantFile(ctx context.Context, path string) (Tenant, error) {
	db, err := sql.Open("sqlite", dsn(path, false, false))
	if err != nil {
		return Tenant{}, fmt.Errorf("open store %s: %w", path, err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Tenant{}, fmt.Errorf("read store %s: %w", path, err)
	}
	defer tx.Rollback() //nolint:errcheck // a read transaction has nothing to keep
	return TenantTx(ctx, tx)
}

// UseTenant makes tenant id, already kept in the home, the active one.
func (h Home) UseTenant(ctx context.Context, id string) (Tenant, error) {
	if !ValidTenantID(id) {
		return Tenant{}, fmt.Errorf("tenant id %q: %w: use an id that 'almanac tenant list' shows", id, ErrInvalid)
	}
	path := h.TenantPath(id)
	if _, err := os.Stat(path); err != nil {
		return Tenant{}, fmt.Errorf("no tenant %q in this home: %w: use an id that 'almanac tenant list' shows", id, ErrNotFound)
	}
	t, err := readTenantFile(ctx, path)
	if err != nil {
		return Tenant{}, fmt.Errorf("tenant %q: %w", id, err)
	}
	return t, h.SetActive(id)
}

// demoReplaceable refuses to let the demo builder replace the store at path unless it does
// not exist or its tenant row (if any) says it holds demo data.
func demoReplaceable(ctx context.Context, path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	t, err := readTenantFile(ctx, path)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check the existing demo store: %w", err)
	}
	if !t.IsDemo {
		return fmt.Errorf("%s holds tenant %q (%s) from a sync, not demo data: %w: it is kept; move it away to build the demo",
			path, t.ID, t.Name, ErrTenantChanged)
	}
	return nil
}
