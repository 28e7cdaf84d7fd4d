package store

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
)

var updateFixture = flag.Bool("update-fixture", false, "rewrite testdata/v1.db")

// MustOpen opens a store in a fresh temp directory and closes it when the test ends.
func MustOpen(tb testing.TB) *Store {
	tb.Helper()
	st, err := Open(context.Background(), filepath.Join(tb.TempDir(), "t.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

var ny = mustLoc("America/New_York")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func testTenant() data.Tenant {
	return data.Tenant{ID: "acme", Name: "Acme Spa", TimeZone: "America/New_York", Currency: "USD", CanAcceptPayments: true}
}

// seedRows writes one row of every entity and returns them.
func seedRows(t *testing.T, st *Store) (data.Resource, data.Service, data.Customer, data.Appointment, data.Payment, data.Subscription) {
	t.Helper()
	ts := time.Date(2026, 3, 8, 6, 30, 0, 0, time.UTC) // 01:30 EST, the night clocks spring forward
	r := data.Resource{ID: 1, Name: "Ava", Kind: data.ResourceStaff, Active: true, UpdatedAt: ts}
	s := data.Service{ID: 2, Name: "Massage", DurationMinutes: 60, PriceCents: 9550, Active: true, UpdatedAt: ts}
	c := data.Customer{ID: 3, Name: "Zoë O'Brien", Email: "z@example.com", Phone: "+1 555-010-0000", Status: data.CustomerActive, CreatedAt: ts, UpdatedAt: ts}
	a := data.Appointment{ID: 4, CustomerID: 3, ServiceID: 2, ResourceID: 1, StartAt: ts, EndAt: ts.Add(time.Hour),
		Status: data.StatusCompleted, BookedAt: ts.Add(-48 * time.Hour), PriceCents: 9550, UpdatedAt: ts}
	paid := ts.Add(90 * time.Minute) // 08:00 UTC = 04:00 EDT, still March 8 locally
	apptID := int64(4)
	p := data.Payment{ID: 5, CustomerID: 3, AppointmentID: &apptID, AmountCents: 9550, Currency: "USD", Status: data.PaymentSucceeded,
		CreatedAt: paid, PaidAt: &paid, UpdatedAt: paid}
	sub := data.Subscription{ID: 6, CustomerID: 3, PlanName: "Monthly", Status: data.SubActive, AmountCents: 12900, Currency: "USD",
		Interval: "month", StartedAt: ts, UpdatedAt: ts}
	err := st.Write(context.Background(), func(tx *sql.Tx) error {
		if err := PutTenant(context.Background(), tx, testTenant()); err != nil {
			return err
		}
		w, err := NewWriter(context.Background(), tx, ny)
		if err != nil {
			return err
		}
		defer w.Close()
		for _, f := range []func() error{
			func() error { return w.PutResource(r) }, func() error { return w.PutService(s) },
			func() error { return w.PutCustomer(c) }, func() error { return w.PutAppointment(a) },
			func() error { return w.PutPayment(p) }, func() error { return w.PutSubscription(sub) },
		} {
			if err := f(); err != nil {
				return err
			}
		}
		return w.Flush()
	})
	if err != nil {
		t.Fatal(err)
	}
	return r, s, c, a, p, sub
}

func TestMigrateFromEmpty(t *testing.T) {
	st := MustOpen(t)
	v, err := st.SchemaVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v, LatestSchemaVersion(); got != want || want < 2 {
		t.Fatalf("schema version %d, want %d (>= 2)", got, want)
	}
	for _, table := range append([]string{"tenant", "sync_cursors", "settings", "rollup_appt_service", "rollup_revenue_service"}, data.Entities()...) {
		var n int
		if err := st.r.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s missing (%v)", table, err)
		}
	}
	// Reopening applies nothing and keeps the version.
	path := st.Path()
	st.Close()
	st2, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if v2, _ := st2.SchemaVersion(context.Background()); v2 != v {
		t.Fatalf("reopen changed version %d -> %d", v, v2)
	}
}

func TestPragmas(t *testing.T) {
	st := MustOpen(t)
	var mode string
	var fk, busy int
	if err := st.w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q (%v), want wal", mode, err)
	}
	if err := st.r.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("reader foreign_keys %d (%v), want 1", fk, err)
	}
	if err := st.w.QueryRow("PRAGMA busy_timeout").Scan(&busy); err != nil || busy < 1000 {
		t.Errorf("busy_timeout %d (%v)", busy, err)
	}
	// Readers are read-only.
	if _, err := st.r.Exec("DELETE FROM settings"); err == nil {
		t.Error("the read pool accepted a write")
	}
}

// v1Fixture lives in testdata: a store written by schema version 1, before rollups existed.
const v1Fixture = "testdata/v1.db"

func TestMakeV1Fixture(t *testing.T) {
	if !*updateFixture {
		t.Skip("run with -update-fixture to rewrite testdata/v1.db")
	}
	os.Remove(v1Fixture)
	db, err := sql.Open("sqlite", "file:"+v1Fixture+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	body, _ := migrationFS.ReadFile("migrations/0001_entities.sql")
	stmts := []string{string(body),
		`INSERT INTO tenant VALUES ('v1shop', 'Version One Salon', 'Europe/Berlin', 'EUR', 1, 0, 1767225600, 1767225600)`,
		`INSERT INTO resources VALUES (1, 'Jonas', 'staff', 1, 1767225600)`,
		`INSERT INTO services VALUES (1, 'Haarschnitt', 45, 4500, 1, 1767225600)`,
		`INSERT INTO customers VALUES (1, 'Mia Weber', 'mia@example.de', '+49 30 1234567', 'active', 1767225600, 1767225600)`,
		`INSERT INTO appointments VALUES (1, 1, 1, 1, 1767258000, 1767260700, 'completed', 1767225600, 4500, '2026-01-01', 10, 1767260700)`,
		`INSERT INTO appointments VALUES (2, 1, 1, 1, 1767344400, 1767347100, 'cancelled', 1767225600, 4500, '2026-01-02', 10, 1767260700)`,
		`INSERT INTO payments VALUES (1, 1, 1, 4500, 'EUR', 'succeeded', 1767260800, 1767260800, '2026-01-01', '2026-01-01', 1767260800)`,
		`INSERT INTO subscriptions VALUES (1, 1, 'Monatsabo', 'active', 3900, 'EUR', 'month', 1767225600, NULL, 1767225600)`,
		`PRAGMA user_version = 1`,
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestUpgradeFromV1Fixture(t *testing.T) {
	src, err := os.ReadFile(v1Fixture)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v1.db")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, _ := st.SchemaVersion(context.Background()); v != LatestSchemaVersion() {
		t.Fatalf("upgraded to %d, want %d", v, LatestSchemaVersion())
	}
	ten, err := st.Tenant(context.Background())
	if err != nil || ten.Name != "Version One Salon" || ten.Currency != "EUR" || ten.LastSyncAt == nil {
		t.Fatalf("tenant after upgrade: %+v, %v", ten, err)
	}
	c, _ := st.Counts(context.Background())
	if want := (data.Counts{Appointments: 2, Customers: 1, Resources: 1, Services: 1, Payments: 1, Subscriptions: 1}); c != want {
		t.Fatalf("counts after upgrade %+v, want %+v", c, want)
	}
	// The migration built the rollups from the old rows.
	var n, cents int64
	st.r.QueryRow("SELECT SUM(n) FROM rollup_appt_service").Scan(&n)
	st.r.QueryRow("SELECT SUM(cents) FROM rollup_revenue_service WHERE currency = 'EUR'").Scan(&cents)
	if n != 2 || cents != 4500 {
		t.Fatalf("rollups after upgrade: %d appointments, %d cents; want 2 and 4500", n, cents)
	}
	if err := st.CheckRollups(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	st := MustOpen(t)
	path := st.Path()
	st.w.Exec("PRAGMA user_version = 999")
	st.Close()
	_, err := Open(context.Background(), path)
	if !errors.Is(err, data.ErrSchemaTooNew) {
		t.Fatalf("opening a newer store: %v, want ErrSchemaTooNew", err)
	}
}

func TestForeignKeysEnforced(t *testing.T) {
	st := MustOpen(t)
	seedRows(t, st)
	cases := map[string]string{
		"appointment with unknown customer": `INSERT INTO appointments VALUES (99, 999, 2, 1, 0, 60, 'scheduled', 0, 0, '1970-01-01', 0, 0)`,
		"payment with unknown appointment":  `INSERT INTO payments VALUES (99, 3, 999, 100, 'USD', 'pending', 0, NULL, '1970-01-01', NULL, 0)`,
		"deleting a customer with rows":     `DELETE FROM customers WHERE id = 3`,
		"unknown status":                    `UPDATE appointments SET status = 'lost' WHERE id = 4`,
	}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			err := st.Write(context.Background(), func(tx *sql.Tx) error { _, err := tx.Exec(q); return err })
			if err == nil {
				t.Fatalf("%s was accepted", q)
			}
		})
	}
	// Deleting an appointment keeps its payment, unlinked.
	err := st.Write(context.Background(), func(tx *sql.Tx) error { _, err := tx.Exec("DELETE FROM appointments WHERE id = 4"); return err })
	if err != nil {
		t.Fatal(err)
	}
	var appt sql.NullInt64
	st.r.QueryRow("SELECT appointment_id FROM payments WHERE id = 5").Scan(&appt)
	if appt.Valid {
		t.Fatalf("payment still points at deleted appointment %d", appt.Int64)
	}
	if err := st.CheckRollups(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestEntitiesRoundTrip(t *testing.T) {
	st := MustOpen(t)
	r, s, c, a, p, sub := seedRows(t, st)
	got, err := ReadAllForTest(st)
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]any{
		"resource": {r, got.resources[0]}, "service": {s, got.services[0]}, "customer": {c, got.customers[0]},
		"appointment": {a, got.appointments[0]}, "payment": {p, got.payments[0]}, "subscription": {sub, got.subs[0]},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s round trip:\n got %+v\nwant %+v", name, pair[1], pair[0])
		}
	}
}

func TestLocalDatesAndMoney(t *testing.T) {
	st := MustOpen(t)
	seedRows(t, st)
	var date, paidDate string
	var hour int
	var price int64
	st.r.QueryRow("SELECT local_date, local_hour, price_cents FROM appointments WHERE id = 4").Scan(&date, &hour, &price)
	st.r.QueryRow("SELECT paid_local_date FROM payments WHERE id = 5").Scan(&paidDate)
	// 06:30 UTC on 2026-03-08 is 01:30 EST: still March 8 in New York, hour 1.
	if date != "2026-03-08" || hour != 1 {
		t.Errorf("appointment local date/hour %s %d, want 2026-03-08 1", date, hour)
	}
	if paidDate != "2026-03-08" {
		t.Errorf("paid local date %s, want 2026-03-08", paidDate)
	}
	if price != 9550 {
		t.Errorf("price %d minor units, want 9550 exactly", price)
	}
	// A late-evening UTC instant belongs to the previous local day.
	if got := data.LocalDate(time.Date(2026, 11, 1, 3, 59, 0, 0, time.UTC), ny); got != "2026-10-31" {
		t.Errorf("LocalDate = %s, want 2026-10-31", got)
	}
}

func TestRollupTriggersFollowEveryWrite(t *testing.T) {
	st := MustOpen(t)
	seedRows(t, st)
	steps := []string{
		"UPDATE appointments SET status = 'no_show' WHERE id = 4",
		"UPDATE appointments SET service_id = 2, resource_id = 1, start_at = start_at + 86400, end_at = end_at + 86400, local_date = '2026-03-09' WHERE id = 4",
		"INSERT INTO services VALUES (7, 'Facial', 30, 5000, 1, 0)",
		"UPDATE appointments SET service_id = 7 WHERE id = 4",
		"UPDATE payments SET status = 'refunded' WHERE id = 5",
		"UPDATE payments SET status = 'succeeded', amount_cents = 1234 WHERE id = 5",
		"DELETE FROM appointments WHERE id = 4",
		"DELETE FROM payments WHERE id = 5",
	}
	for _, q := range steps {
		err := st.Write(context.Background(), func(tx *sql.Tx) error { _, err := tx.Exec(q); return err })
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if err := st.CheckRollups(context.Background()); err != nil {
			t.Fatalf("after %s: %v", q, err)
		}
	}
}

func TestPutTenantRefusesAnotherTenant(t *testing.T) {
	st := MustOpen(t)
	seedRows(t, st)
	other := testTenant()
	other.ID = "other"
	err := st.Write(context.Background(), func(tx *sql.Tx) error { return PutTenant(context.Background(), tx, other) })
	if !errors.Is(err, data.ErrTenantChanged) {
		t.Fatalf("got %v, want ErrTenantChanged", err)
	}
	bad := testTenant()
	bad.TimeZone = "Mars/Olympus"
	err = st.Write(context.Background(), func(tx *sql.Tx) error { return PutTenant(context.Background(), tx, bad) })
	if !errors.Is(err, data.ErrInvalid) || !strings.Contains(err.Error(), "IANA") {
		t.Fatalf("bad zone: %v", err)
	}
}

func TestSettings(t *testing.T) {
	st := MustOpen(t)
	if _, err := st.Setting(context.Background(), "x"); !errors.Is(err, data.ErrNotFound) {
		t.Fatalf("missing setting: %v", err)
	}
	st.SetSetting(context.Background(), "x", "1")
	st.SetSetting(context.Background(), "x", "2")
	if v, err := st.Setting(context.Background(), "x"); err != nil || v != "2" {
		t.Fatalf("setting = %q, %v", v, err)
	}
}
