package data

import (
	"context"
	"database/sql"
	"testing"
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
			for _, e := range Entities {
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
	moved.Status = StatusCancelled
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
	pending.ID, pending.Status, pending.PaidAt = 77, PaymentPending, nil
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
	if status != string(StatusCancelled) || name != "Deep tissue" {
		t.Fatalf("stored status %q, service name %q; the updates were not written", status, name)
	}
	if err := st.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}
}
