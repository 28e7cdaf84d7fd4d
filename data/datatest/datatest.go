// Package datatest holds the fixtures the data packages' tests share: a demo store, an in-process
// tenant server with known rows, and fingerprints of a store's tables. Only tests import it.
package datatest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/data/sync/tenantserver"
)

// Token is the tenant server's token.
const Token = "s3cret"

// Today is the test server's date.
var Today = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)

// Remote is the test server's tenant.
func Remote() datasync.RemoteTenant {
	return datasync.RemoteTenant{Tenant: data.Tenant{ID: "maple", Name: "Maple Street Wellness", TimeZone: "America/New_York", Currency: "USD", CanAcceptPayments: true}}
}

// NewServer starts an in-process tenantd with n appointments.
func NewServer(tb testing.TB, n int) (*tenantserver.Server, *httptest.Server) {
	tb.Helper()
	srv, err := tenantserver.New(context.Background(), Remote(), Token, demo.Options{Appointments: n, Seed: 5, Today: Today})
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(ts.Close)
	return srv, ts
}

// FastRetry retries quickly, for tests of failing servers.
func FastRetry() datasync.RetryPolicy {
	return datasync.RetryPolicy{Attempts: 8, Base: time.Millisecond, Max: 5 * time.Millisecond, RequestTimeout: 10 * time.Second}
}

// Options syncs from url with the test token in small pages.
func Options(url string) datasync.Options {
	return datasync.Options{Server: url, Token: Token, PageSize: 300, Retry: FastRetry()}
}

// DumpTables hashes every entity table (all columns, by id) and returns the hashes with counts.
func DumpTables(tb testing.TB, path string) map[string]string {
	tb.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	if err := st.CheckRollups(context.Background()); err != nil {
		tb.Errorf("%s: %v", path, err)
	}
	out := map[string]string{}
	err = st.Read(context.Background(), func(tx *sql.Tx) error {
		for _, e := range data.Entities() {
			rows, err := tx.Query("SELECT * FROM " + e + " ORDER BY id")
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			h, n := sha256.New(), 0
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				fmt.Fprintf(h, "%v\n", vals)
				n++
			}
			rows.Close()
			out[e] = fmt.Sprintf("%d rows %s", n, hex.EncodeToString(h.Sum(nil))[:16])
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// SameTables reports every entity table whose fingerprint differs.
func SameTables(t *testing.T, got, want map[string]string) {
	t.Helper()
	for _, e := range data.Entities() {
		if got[e] != want[e] {
			t.Errorf("%s: got %s, want %s", e, got[e], want[e])
		}
	}
}

// DemoDump is the entity tables of the demo store built from the same options: the rows a
// full sync must produce.
func DemoDump(t *testing.T, n int) map[string]string {
	t.Helper()
	h := data.Home{Dir: t.TempDir()}
	if _, err := demo.Build(context.Background(), h, demo.Options{Appointments: n, Seed: 5, Today: Today}); err != nil {
		t.Fatal(err)
	}
	return DumpTables(t, h.TenantPath(data.DemoTenantID))
}

// DemoToday is the date the demo tests build for.
var DemoToday = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// BuildDemo builds the demo tenant into a home at dir and opens it.
func BuildDemo(t testing.TB, dir string, o demo.Options) *store.Store {
	t.Helper()
	h := data.Home{Dir: dir}
	if _, err := demo.Build(context.Background(), h, o); err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenActive(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TableHash fingerprints every entity table's rows in id order.
func TableHash(t *testing.T, st *store.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range data.Entities() {
		rows, err := RawDB(t, st).Query("SELECT * FROM " + table + " ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		h := sha256.New()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(h, vals...)
		}
		rows.Close()
		out[table] = fmt.Sprintf("%x", h.Sum(nil))
	}
	return out
}

// RawDB opens st's file read-only for a test's own checks of rows.
func RawDB(t testing.TB, st *store.Store) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+st.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
