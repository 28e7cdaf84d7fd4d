package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/almanac-app/almanac/data"
)

// Tenants lists the tenants kept in the home, sorted by name then id. It only reads the
// stores, so it is safe while a sync writes one of them.
func Tenants(ctx context.Context, h data.Home) ([]data.TenantEntry, error) {
	files, err := filepath.Glob(filepath.Join(h.Dir, "tenants", "*.db"))
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	active, _ := h.ActiveTenant() // none or unreadable: no tenant is marked active
	var out []data.TenantEntry
	for _, f := range files {
		id := strings.TrimSuffix(filepath.Base(f), ".db")
		if !data.ValidTenantID(id) {
			continue
		}
		e := data.TenantEntry{Tenant: data.Tenant{ID: id}, Path: f, Active: id == active}
		t, err := ReadTenantFile(ctx, f)
		switch {
		case errors.Is(err, data.ErrNotFound):
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

// ReadTenantFile reads a store's tenant row through a query-only connection: no migrations
// and no recovery of an interrupted load, which belong to whoever opens the store to use it.
func ReadTenantFile(ctx context.Context, path string) (data.Tenant, error) {
	db, err := sql.Open("sqlite", dsn(path, false, false))
	if err != nil {
		return data.Tenant{}, fmt.Errorf("open store %s: %w", path, err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return data.Tenant{}, fmt.Errorf("read store %s: %w", path, err)
	}
	defer tx.Rollback() //nolint:errcheck // a read transaction has nothing to keep
	return TenantTx(ctx, tx)
}

// UseTenant makes tenant id, already kept in the home, the active one.
func UseTenant(ctx context.Context, h data.Home, id string) (data.Tenant, error) {
	if !data.ValidTenantID(id) {
		return data.Tenant{}, fmt.Errorf("tenant id %q: %w: use an id that 'almanac tenant list' shows", id, data.ErrInvalid)
	}
	path := h.TenantPath(id)
	if _, err := os.Stat(path); err != nil {
		return data.Tenant{}, fmt.Errorf("no tenant %q in this home: %w: use an id that 'almanac tenant list' shows", id, data.ErrNotFound)
	}
	t, err := ReadTenantFile(ctx, path)
	if err != nil {
		return data.Tenant{}, fmt.Errorf("tenant %q: %w", id, err)
	}
	return t, h.SetActive(id)
}
