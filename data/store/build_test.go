package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
)

// buildRows returns one row of every entity (parents first), as seedRows writes them.
func buildRows() (data.Resource, data.Service, data.Customer, data.Appointment, data.Payment) {
	ts := time.Date(2026, 3, 8, 6, 30, 0, 0, time.UTC)
	r := data.Resource{ID: 1, Name: "Ava", Kind: data.ResourceStaff, Active: true, UpdatedAt: ts}
	s := data.Service{ID: 2, Name: "Massage", DurationMinutes: 60, PriceCents: 9550, Active: true, UpdatedAt: ts}
	c := data.Customer{ID: 3, Name: "Zoë", Email: "z@example.com", Phone: "+1 555-010-0000", Status: data.CustomerActive, CreatedAt: ts, UpdatedAt: ts}
	a := data.Appointment{ID: 4, CustomerID: 3, ServiceID: 2, ResourceID: 1, StartAt: ts, EndAt: ts.Add(time.Hour),
		Status: data.StatusCompleted, BookedAt: ts.Add(-48 * time.Hour), PriceCents: 9550, UpdatedAt: ts}
	paid, apptID := ts.Add(90*time.Minute), int64(4)
	p := data.Payment{ID: 5, CustomerID: 3, AppointmentID: &apptID, AmountCents: 9550, Currency: "USD", Status: data.PaymentSucceeded,
		CreatedAt: paid, PaidAt: &paid, UpdatedAt: paid}
	return r, s, c, a, p
}

// TestBuildFileChecksForeignKeys: the load does not enforce foreign keys row by row, but a row
// whose parent is missing still fails the build, naming the row, and leaves no store; a child
// put before its parent is fine, as with the keys deferred; the finished store enforces them.
func TestBuildFileChecksForeignKeys(t *testing.T) {
	ctx := context.Background()
	r, s, c, a, p := buildRows()
	path := filepath.Join(t.TempDir(), "t.db")
	orphan := a
	orphan.ID, orphan.CustomerID = 9, 999
	err := BuildFile(ctx, path, testTenant(), func(w *Writer) error {
		return putAll(w, r, s, c, a, orphan)
	})
	if err == nil || !strings.Contains(err.Error(), "appointments row 9 refers to a missing customers row") {
		t.Fatalf("a dangling customer id: %v; want the row named", err)
	}
	if _, serr := os.Stat(path); !errors.Is(serr, os.ErrNotExist) {
		t.Fatalf("a failed build left %s: %v", path, serr)
	}
	if _, serr := os.Stat(path + ".building"); !errors.Is(serr, os.ErrNotExist) {
		t.Fatalf("a failed build left its scratch file: %v", serr)
	}
	err = BuildFile(ctx, path, testTenant(), func(w *Writer) error {
		if err := w.PutPayment(p); err != nil { // its appointment and customer come later
			return err
		}
		return putAll(w, r, s, c, a)
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = st.w.ExecContext(ctx, "INSERT INTO appointments VALUES (99, 999, 2, 1, 0, 60, 'scheduled', 0, 0, '1970-01-01', 0, 0)")
	if err == nil {
		t.Fatal("the built store accepted an appointment of an unknown customer")
	}
}

// TestBuildFileRefusesDelete: a build does not run ON DELETE actions, so its Writer refuses to
// delete.
func TestBuildFileRefusesDelete(t *testing.T) {
	r, s, c, a, _ := buildRows()
	path := filepath.Join(t.TempDir(), "t.db")
	err := BuildFile(context.Background(), path, testTenant(), func(w *Writer) error {
		if err := putAll(w, r, s, c, a); err != nil {
			return err
		}
		return w.Delete("appointments", a.ID)
	})
	if !errors.Is(err, data.ErrInvalid) {
		t.Fatalf("a delete in a build: %v; want ErrInvalid", err)
	}
}

func putAll(w *Writer, r data.Resource, s data.Service, c data.Customer, appts ...data.Appointment) error {
	if err := w.PutResource(r); err != nil {
		return err
	}
	if err := w.PutService(s); err != nil {
		return err
	}
	if err := w.PutCustomer(c); err != nil {
		return err
	}
	for _, a := range appts {
		if err := w.PutAppointment(a); err != nil {
			return err
		}
	}
	return nil
}

// TestCreateIndexesRestoresTheConnection: the index builds sort through a temporary file with a
// small cache (sortOnDisk), and the writer's connection gets its own settings back after them,
// whether the builds succeed or fail, so its later statement journals stay in memory.
func TestCreateIndexesRestoresTheConnection(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	settings := func(tx *sql.Tx) (cache, temp int64) {
		t.Helper()
		if err := tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
			t.Fatal(err)
		}
		if err := tx.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&temp); err != nil {
			t.Fatal(err)
		}
		return cache, temp
	}
	for _, q := range []string{"CREATE INDEX t_status ON appointments (status)", "CREATE INDEX t_bad ON no_such_table (x)"} {
		err := st.Write(ctx, func(tx *sql.Tx) error {
			cache, temp := settings(tx)
			if temp != 2 {
				t.Fatalf("the writer's temp_store is %d, want 2 (MEMORY)", temp)
			}
			ierr := createIndexes(ctx, tx, []string{q})
			if c, tm := settings(tx); c != cache || tm != temp {
				t.Errorf("after %q: cache_size %d, temp_store %d; want %d, %d", q, c, tm, cache, temp)
			}
			return ierr
		})
		if bad := strings.Contains(q, "no_such_table"); bad != (err != nil) {
			t.Fatalf("%q: %v", q, err)
		}
	}
	var n int
	if err := st.w.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE name = 't_status'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("t_status: %d rows, %v", n, err)
	}
}
