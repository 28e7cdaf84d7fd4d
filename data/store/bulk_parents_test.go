package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
)

// TestParentKeysMatchSchema: the foreign keys the bulk load checks itself are the schema's.
func TestParentKeysMatchSchema(t *testing.T) {
	st := MustOpen(t)
	for _, e := range data.Entities() {
		rows, err := st.r.Query("SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list(?)", e)
		if err != nil {
			t.Fatal(err)
		}
		var got []parentKey
		for rows.Next() {
			var k parentKey
			var to string
			if err := rows.Scan(&k.column, &k.parent, &to); err != nil {
				t.Fatal(err)
			}
			if to != "id" {
				t.Errorf("%s.%s refers to %s.%s, not its id", e, k.column, k.parent, to)
			}
			got = append(got, k)
		}
		rows.Close()
		want := parentKeys[e]
		less := func(a, b parentKey) int { return strings.Compare(a.column, b.column) }
		slices.SortFunc(got, less)
		want = slices.SortedFunc(slices.Values(want), less)
		if !slices.Equal(got, want) {
			t.Errorf("%s: schema's foreign keys %v, parentKeys %v", e, got, want)
		}
	}
}

// bulkPager applies pages of one store's bulk load, each after its entity's last cursor.
type bulkPager struct {
	t    *testing.T
	st   *Store
	next map[string]int
}

func (p *bulkPager) apply(entity string, ids, dels []int64, put func(w *Writer) error) error {
	from := ""
	if n := p.next[entity]; n > 0 {
		from = "c" + string(rune('0'+n))
	}
	pg := &Page{Entity: entity, From: from, Next: "c" + string(rune('0'+p.next[entity]+1)), IDs: ids, Dels: dels, Put: put}
	_, _, _, err := p.st.ApplyPage(context.Background(), ny, pg)
	if err == nil {
		p.next[entity]++
	}
	return err
}

func (p *bulkPager) must(entity string, ids, dels []int64, put func(w *Writer) error) {
	p.t.Helper()
	if err := p.apply(entity, ids, dels, put); err != nil {
		p.t.Fatalf("%s page %v: %v", entity, ids, err)
	}
}

// TestBulkPagesCheckParents: during a sync's bulk load, foreign keys are not enforced but a
// page referencing a row the store lacks still fails with ErrMissingParent naming the row,
// writes nothing, and leaves the keys enforced; after a page with deletions (which cascade) the
// deleted rows no longer count as parents.
func TestBulkPagesCheckParents(t *testing.T) {
	ctx := context.Background()
	st := MustOpen(t)
	if _, bulk, err := st.PrepareSync(ctx, testTenant(), false); err != nil || !bulk {
		t.Fatalf("PrepareSync = bulk %v, %v; want bulk mode for an empty store", bulk, err)
	}
	ts := time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)
	appt := func(id, customer int64) data.Appointment {
		return data.Appointment{ID: id, CustomerID: customer, ServiceID: 2, ResourceID: 1, StartAt: ts, EndAt: ts.Add(time.Hour),
			Status: data.StatusCompleted, BookedAt: ts, PriceCents: 100, UpdatedAt: ts}
	}
	pay := func(id, customer int64, appointment *int64) data.Payment {
		return data.Payment{ID: id, CustomerID: customer, AppointmentID: appointment, AmountCents: 100, Currency: "USD",
			Status: data.PaymentPending, CreatedAt: ts, UpdatedAt: ts}
	}
	p := &bulkPager{t: t, st: st, next: map[string]int{}}
	p.must("resources", []int64{1}, nil, func(w *Writer) error {
		return w.PutResource(data.Resource{ID: 1, Name: "Ava", Kind: data.ResourceStaff, Active: true, UpdatedAt: ts})
	})
	p.must("services", []int64{2}, nil, func(w *Writer) error {
		return w.PutService(data.Service{ID: 2, Name: "Massage", DurationMinutes: 60, PriceCents: 100, Active: true, UpdatedAt: ts})
	})
	p.must("customers", []int64{3, 4}, nil, func(w *Writer) error {
		for _, id := range []int64{3, 4} {
			if err := w.PutCustomer(data.Customer{ID: id, Name: "C", Email: "c@example.com", Status: data.CustomerActive, CreatedAt: ts, UpdatedAt: ts}); err != nil {
				return err
			}
		}
		return nil
	})
	wantMissing := func(err error, words ...string) {
		t.Helper()
		if !errors.Is(err, ErrMissingParent) {
			t.Fatalf("err = %v, want ErrMissingParent", err)
		}
		for _, w := range words {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not name %q", err, w)
			}
		}
		var fk int
		if err := st.w.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Errorf("foreign_keys = %d, %v after the page; want them enforced again", fk, err)
		}
	}
	err := p.apply("appointments", []int64{10, 11}, nil, func(w *Writer) error {
		if err := w.PutAppointment(appt(10, 3)); err != nil {
			return err
		}
		return w.PutAppointment(appt(11, 999))
	})
	wantMissing(err, "appointments record id 11", "customers id 999")
	var n int
	st.r.QueryRow("SELECT COUNT(*) FROM appointments").Scan(&n)
	if n != 0 {
		t.Fatalf("%d appointments stored from the failed page, want 0", n)
	}
	p.must("appointments", []int64{10, 11}, nil, func(w *Writer) error {
		if err := w.PutAppointment(appt(10, 3)); err != nil {
			return err
		}
		return w.PutAppointment(appt(11, 4))
	})
	ten, eleven, twelve := int64(10), int64(11), int64(12)
	wantMissing(p.apply("payments", []int64{20, 21}, nil, func(w *Writer) error {
		if err := w.PutPayment(pay(20, 3, &ten)); err != nil {
			return err
		}
		return w.PutPayment(pay(21, 3, &twelve))
	}), "payments record id 21", "appointments id 12")
	// Customer 4 goes, and its appointment 11 with it (the cascade): a payment of it is refused.
	p.must("customers", nil, []int64{4}, nil)
	wantMissing(p.apply("payments", []int64{22}, nil, func(w *Writer) error { return w.PutPayment(pay(22, 3, &eleven)) }),
		"payments record id 22", "appointments id 11")
	wantMissing(p.apply("payments", []int64{22}, nil, func(w *Writer) error { return w.PutPayment(pay(22, 4, nil)) }),
		"payments record id 22", "customers id 4")
	p.must("payments", []int64{20, 22}, nil, func(w *Writer) error {
		if err := w.PutPayment(pay(20, 3, &ten)); err != nil {
			return err
		}
		return w.PutPayment(pay(22, 3, nil))
	})
	if err := st.FinishBulk(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Verify(ctx); err != nil {
		t.Fatalf("store after the bulk load: %v", err)
	}
	if st.bulkRefs.on || st.bulkRefs.ids != nil {
		t.Error("FinishBulk kept the bulk load's parent ids")
	}
}
