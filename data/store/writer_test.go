package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
)

// TestWriterCountsAddedAndChanged: rows new to the table count as added; rows already there
// are updated only when a value differs, and only those count as changed.
func TestWriterCountsAddedAndChanged(t *testing.T) {
	ctx := context.Background()
	st := MustOpen(t)
	_, svc, _, appt, pay, _ := seedRows(t, st)
	write := func(put func(w *Writer) error) (added, changed int64) {
		t.Helper()
		err := st.Write(ctx, func(tx *sql.Tx) error {
			w, err := NewWriter(ctx, tx, mustLoc("America/New_York"))
			if err != nil {
				return err
			}
			defer w.Close()
			if err := put(w); err != nil {
				return err
			}
			if err := w.Flush(); err != nil {
				return err
			}
			for _, e := range data.Entities() {
				added, changed = added+w.Added(e), changed+w.Changed(e)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return added, changed
	}
	if a, c := write(func(w *Writer) error { return w.PutAppointment(appt) }); a != 0 || c != 0 {
		t.Fatalf("rewriting an identical row: added %d, changed %d; want 0, 0", a, c)
	}
	moved := appt
	moved.Status = data.StatusCancelled
	fresh := appt
	fresh.ID = 99
	if a, c := write(func(w *Writer) error {
		if err := w.PutAppointment(moved); err != nil {
			return err
		}
		return w.PutAppointment(fresh)
	}); a != 1 || c != 1 {
		t.Fatalf("one changed and one new row: added %d, changed %d; want 1, 1", a, c)
	}
	renamed := svc
	renamed.Name = "Deep tissue"
	if a, c := write(func(w *Writer) error { return w.PutService(renamed) }); a != 0 || c != 1 {
		t.Fatalf("renamed service: added %d, changed %d; want 0, 1", a, c)
	}
	// A value moving from NULL to set is a change, even when nothing else differs.
	pending := pay
	pending.ID, pending.Status, pending.PaidAt = 77, data.PaymentPending, nil
	if a, c := write(func(w *Writer) error { return w.PutPayment(pending) }); a != 1 || c != 0 {
		t.Fatalf("new pending payment: added %d, changed %d; want 1, 0", a, c)
	}
	paid := pending
	paid.PaidAt = pay.PaidAt
	if a, c := write(func(w *Writer) error { return w.PutPayment(paid) }); a != 0 || c != 1 {
		t.Fatalf("only paid_at changed (NULL -> set): added %d, changed %d; want 0, 1", a, c)
	}
	var paidAt sql.NullInt64
	st.r.QueryRow("SELECT paid_at FROM payments WHERE id = 77").Scan(&paidAt)
	if !paidAt.Valid {
		t.Fatal("paid_at stayed NULL: the update of a NULL column was skipped")
	}
	var status, name string
	st.r.QueryRow("SELECT status FROM appointments WHERE id = ?", appt.ID).Scan(&status)
	st.r.QueryRow("SELECT name FROM services WHERE id = ?", svc.ID).Scan(&name)
	if status != string(data.StatusCancelled) || name != "Deep tissue" {
		t.Fatalf("stored status %q, service name %q; the updates were not written", status, name)
	}
	if err := st.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestIndexedColumnsMatchSchema: indexedColumns must name exactly the columns the entity
// tables' secondary indexes cover. (SQLite keeps every index right whatever it says; a stale
// list only makes updates do index work they could skip.)
func TestIndexedColumnsMatchSchema(t *testing.T) {
	st := MustOpen(t)
	for _, table := range data.Entities() {
		got := map[string]bool{}
		rows, err := st.r.Query("SELECT ii.name FROM pragma_index_list(?) il, pragma_index_info(il.name) ii WHERE il.origin = 'c'", table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c string
			rows.Scan(&c)
			got[c] = true
		}
		rows.Close()
		want := map[string]bool{}
		for _, c := range indexedColumns[table] {
			want[c] = true
		}
		if len(got) != len(want) {
			t.Errorf("%s: secondary indexes cover %v, indexedColumns says %v", table, got, want)
			continue
		}
		for c := range got {
			if !want[c] {
				t.Errorf("%s: index column %s missing from indexedColumns", table, c)
			}
		}
	}
}

// TestWriterReindexesChangedKeys: an update that changes an indexed column (a rescheduled,
// moved appointment) rewrites the row and its index entries; one that does not keeps them.
func TestWriterReindexesChangedKeys(t *testing.T) {
	ctx := context.Background()
	st := MustOpen(t)
	_, _, _, appt, _, _ := seedRows(t, st)
	put := func(a data.Appointment) { putChanged(t, st, a, func(*sql.Tx) error { return nil }) }
	moved := appt
	moved.StartAt, moved.EndAt = appt.StartAt.Add(50*time.Hour), appt.EndAt.Add(50*time.Hour) // two days later, local date and hour change
	put(moved)
	var n int
	st.r.QueryRow("SELECT COUNT(*) FROM appointments INDEXED BY appointments_start WHERE start_at = ?", moved.StartAt.Unix()).Scan(&n)
	if n != 1 {
		t.Fatalf("the start_at index does not find the moved appointment")
	}
	cheaper := moved
	cheaper.PriceCents--
	put(cheaper)
	var date string
	var price int64
	st.r.QueryRow("SELECT local_date, price_cents FROM appointments WHERE id = ?", appt.ID).Scan(&date, &price)
	if date != data.LocalDate(moved.StartAt, mustLoc("America/New_York")) || price != cheaper.PriceCents {
		t.Fatalf("stored %s, %d", date, price)
	}
	if err := st.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestWriterFiresTriggersOnlyForWatchedChanges: a change to a column no UPDATE OF trigger
// watches (a price) is written without firing the rollup triggers; a change to a watched one
// (a status) fires them; the rollups stay right either way.
func TestWriterFiresTriggersOnlyForWatchedChanges(t *testing.T) {
	ctx := context.Background()
	st := MustOpen(t)
	_, _, _, appt, _, _ := seedRows(t, st)
	err := st.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE fired (n INTEGER NOT NULL); INSERT INTO fired VALUES (0);
			CREATE TRIGGER count_status AFTER UPDATE OF status ON appointments BEGIN UPDATE fired SET n = n + 1; END`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	put := func(a data.Appointment) (fired int) {
		t.Helper()
		putChanged(t, st, a, func(tx *sql.Tx) error { return tx.QueryRowContext(ctx, "SELECT n FROM fired").Scan(&fired) })
		return fired
	}
	cheaper := appt
	cheaper.PriceCents--
	cheaper.UpdatedAt = appt.UpdatedAt.Add(time.Minute)
	if n := put(cheaper); n != 0 {
		t.Fatalf("a price change fired the status trigger %d times, want 0", n)
	}
	var price int64
	st.r.QueryRow("SELECT price_cents FROM appointments WHERE id = ?", appt.ID).Scan(&price)
	if price != cheaper.PriceCents {
		t.Fatalf("stored price %d, want %d", price, cheaper.PriceCents)
	}
	cancelled := cheaper
	cancelled.Status = data.StatusCancelled
	if n := put(cancelled); n != 1 {
		t.Fatalf("a status change fired the status trigger %d times, want 1", n)
	}
	if err := st.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestUpdateWatchedReadsTriggers: the watched columns are those named by the table's UPDATE OF
// triggers; a trigger on every update watches every column; other tables' triggers and other
// events do not count.
func TestUpdateWatchedReadsTriggers(t *testing.T) {
	ctx := context.Background()
	st := MustOpen(t)
	cols := []string{"a", "b", "c"}
	watched := func(ddl string) (got []string) {
		t.Helper()
		err := st.Write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY, a, b, c); CREATE TABLE u (id INTEGER PRIMARY KEY, a, b, c);"+ddl); err != nil {
				return err
			}
			var err error
			got, err = updateWatched(ctx, tx, "t", cols)
			if err != nil {
				return err
			}
			return errRollback
		})
		if err != errRollback {
			t.Fatal(err)
		}
		return got
	}
	for _, c := range []struct {
		ddl  string
		want string
	}{
		{"", ""},
		{"CREATE TRIGGER x AFTER UPDATE OF b ON t BEGIN SELECT 1; END", "b"},
		{`CREATE TRIGGER x BEFORE UPDATE OF "c", a ON "t" WHEN OLD.b IS NOT NEW.b BEGIN UPDATE u SET b = 1; END`, "c,a"},
		{"CREATE TRIGGER x AFTER UPDATE ON t BEGIN SELECT 1; END", "a,b,c"},
		{"CREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE u SET a = 1; END; CREATE TRIGGER y AFTER UPDATE OF a ON u BEGIN SELECT 1; END", ""},
	} {
		if got := strings.Join(watched(c.ddl), ","); got != c.want {
			t.Errorf("%s: watched %q, want %q", c.ddl, got, c.want)
		}
	}
	got, err := func() (got []string, err error) {
		err = st.Write(ctx, func(tx *sql.Tx) error {
			got, err = updateWatched(ctx, tx, "appointments", Columns("appointments")[1:])
			return err
		})
		return got, err
	}()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got, "status") || slices.Contains(got, "price_cents") || slices.Contains(got, "updated_at") {
		t.Errorf("appointments: watched %v; want status among them, not price_cents or updated_at", got)
	}
}

var errRollback = errors.New("rollback")

// putChanged writes a through a Writer in one transaction, checks that it changed one row, and
// runs after in the same transaction.
func putChanged(t *testing.T, st *Store, a data.Appointment, after func(tx *sql.Tx) error) {
	t.Helper()
	ctx := context.Background()
	err := st.Write(ctx, func(tx *sql.Tx) error {
		w, err := NewWriter(ctx, tx, mustLoc("America/New_York"))
		if err != nil {
			return err
		}
		defer w.Close()
		if err := w.PutAppointment(a); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if w.Changed("appointments") != 1 {
			t.Errorf("changed %d rows, want 1", w.Changed("appointments"))
		}
		return after(tx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUpdateSkipsRollupsOfUnchangedColumns: the update trigger runs a rollup's statements only
// when the update changed a column that rollup reads. A status change leaves the service x
// resource rollup (no status in it) untouched and moves the per-status rollup; a resource
// change moves both. The rollups stay right either way.
func TestUpdateSkipsRollupsOfUnchangedColumns(t *testing.T) {
	ctx := context.Background()
	st := MustOpen(t)
	_, _, _, appt, _, _ := seedRows(t, st)
	err := st.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO resources (id, name, kind, active, updated_at) VALUES (9, 'Bo', 'staff', 1, 0)"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE touched (tbl TEXT PRIMARY KEY, n INTEGER NOT NULL);
			INSERT INTO touched VALUES ('sr', 0), ('status', 0);
			CREATE TRIGGER touch_sr AFTER UPDATE ON rollup_appt_service_resource BEGIN UPDATE touched SET n = n + 1 WHERE tbl = 'sr'; END;
			CREATE TRIGGER touch_status AFTER UPDATE ON rollup_appt_resource BEGIN UPDATE touched SET n = n + 1 WHERE tbl = 'status'; END`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	put := func(a data.Appointment) (sr, status int) {
		t.Helper()
		putChanged(t, st, a, func(tx *sql.Tx) error {
			if err := tx.QueryRowContext(ctx, "SELECT n FROM touched WHERE tbl = 'sr'").Scan(&sr); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, "SELECT n FROM touched WHERE tbl = 'status'").Scan(&status); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "UPDATE touched SET n = 0")
			return err
		})
		if err := st.CheckRollups(ctx); err != nil {
			t.Fatal(err)
		}
		return sr, status
	}
	cancelled := appt
	cancelled.Status = data.StatusCancelled
	cancelled.UpdatedAt = appt.UpdatedAt.Add(time.Minute)
	if sr, status := put(cancelled); sr != 0 || status == 0 {
		t.Fatalf("a status change updated the service x resource rollup %d times (want 0) and the status one %d times (want some)", sr, status)
	}
	moved := cancelled
	moved.ResourceID = 9
	moved.UpdatedAt = cancelled.UpdatedAt.Add(time.Minute)
	if sr, status := put(moved); sr == 0 || status == 0 {
		t.Fatalf("a resource change updated the service x resource rollup %d times and the status one %d times, want some of each", sr, status)
	}
}
