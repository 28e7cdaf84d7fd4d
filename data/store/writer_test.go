package store

import (
	"context"
	"database/sql"
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
	put := func(a data.Appointment) {
		t.Helper()
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
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
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
