package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/almanac-app/almanac/data"
)

// Tenant returns the store's tenant, or ErrNotFound for a store that has none yet.
func (s *Store) Tenant(ctx context.Context) (data.Tenant, error) {
	var t data.Tenant
	err := s.Read(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = TenantTx(ctx, tx)
		return err
	})
	return t, err
}

// TenantTx reads the tenant inside an existing transaction.
func TenantTx(ctx context.Context, tx *sql.Tx) (data.Tenant, error) {
	var t data.Tenant
	var pay, demo int
	var last sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT id, name, timezone, currency, can_accept_payments, is_demo, last_sync_at FROM tenant LIMIT 1`).
		Scan(&t.ID, &t.Name, &t.TimeZone, &t.Currency, &pay, &demo, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("read tenant: %w", data.ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("read tenant: %w", err)
	}
	t.CanAcceptPayments, t.IsDemo = pay == 1, demo == 1
	if last.Valid {
		ts := time.Unix(last.Int64, 0).UTC()
		t.LastSyncAt = &ts
	}
	return t, nil
}

// PutTenant writes the tenant row inside tx; a store holds exactly one tenant, so a different id
// is refused with ErrTenantChanged.
func PutTenant(ctx context.Context, tx *sql.Tx, t data.Tenant) error {
	if _, err := time.LoadLocation(t.TimeZone); err != nil || t.TimeZone == "" {
		return fmt.Errorf("tenant time zone %q: %w: use an IANA name such as America/New_York", t.TimeZone, data.ErrInvalid)
	}
	var existing string
	err := tx.QueryRowContext(ctx, "SELECT id FROM tenant LIMIT 1").Scan(&existing)
	if err == nil && existing != t.ID {
		return fmt.Errorf("store holds tenant %q, not %q: %w", existing, t.ID, data.ErrTenantChanged)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO tenant (id, name, timezone, currency, can_accept_payments, is_demo, last_sync_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, timezone = excluded.timezone, currency = excluded.currency,
		  can_accept_payments = excluded.can_accept_payments, is_demo = excluded.is_demo, last_sync_at = excluded.last_sync_at,
		  updated_at = excluded.updated_at`,
		t.ID, t.Name, t.TimeZone, t.Currency, boolInt(t.CanAcceptPayments), boolInt(t.IsDemo), unixPtr(t.LastSyncAt), time.Now().Unix())
	if err != nil {
		return fmt.Errorf("write tenant: %w", err)
	}
	return nil
}

// Counts returns the row count of every entity table, from one snapshot.
func (s *Store) Counts(ctx context.Context) (data.Counts, error) {
	var c data.Counts
	err := s.Read(ctx, func(tx *sql.Tx) error {
		dst := map[string]*int64{
			"appointments": &c.Appointments, "customers": &c.Customers, "resources": &c.Resources,
			"services": &c.Services, "payments": &c.Payments, "subscriptions": &c.Subscriptions,
		}
		for table, p := range dst {
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(p); err != nil {
				return fmt.Errorf("count %s: %w", table, err)
			}
		}
		return nil
	})
	return c, err
}

// Setting returns a stored setting, or ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("setting %q: %w", key, data.ErrNotFound)
	}
	return v, err
}

// SetSetting stores a setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	return s.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
		return err
	})
}
