package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
)

// recorder is a Sink noting every call; it fails the call numbered failAt (from 1) when set.
type recorder struct {
	calls  []string
	failAt int
}

var errSinkFull = errors.New("sink full")

func (r *recorder) note(kind string, row any) error {
	r.calls = append(r.calls, fmt.Sprintf("%s %+v", kind, row))
	if len(r.calls) == r.failAt {
		return errSinkFull
	}
	return nil
}

func (r *recorder) PutResource(x data.Resource) error       { return r.note("resource", x) }
func (r *recorder) PutService(x data.Service) error         { return r.note("service", x) }
func (r *recorder) PutCustomer(x data.Customer) error       { return r.note("customer", x) }
func (r *recorder) PutAppointment(x data.Appointment) error { return r.note("appointment", x) }
func (r *recorder) PutPayment(x data.Payment) error {
	var appt, paid string
	if x.AppointmentID != nil {
		appt = fmt.Sprint(*x.AppointmentID)
	}
	if x.PaidAt != nil {
		paid = x.PaidAt.String()
	}
	x.AppointmentID, x.PaidAt = nil, nil // compare what the pointers hold
	return r.note("payment", fmt.Sprintf("%+v appt=%s paid=%s", x, appt, paid))
}
func (r *recorder) PutSubscription(x data.Subscription) error {
	var canceled string
	if x.CanceledAt != nil {
		canceled = x.CanceledAt.String()
	}
	x.CanceledAt = nil
	return r.note("subscription", fmt.Sprintf("%+v canceled=%s", x, canceled))
}

var pipeOptions = Options{Appointments: 9000, Seed: 3, Today: time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)}

// TestGeneratePipedSameCalls: the pipelined generator puts exactly Generate's rows, in its order,
// across many chunks.
func TestGeneratePipedSameCalls(t *testing.T) {
	var want, got recorder
	if err := Generate(context.Background(), pipeOptions, &want); err != nil {
		t.Fatal(err)
	}
	if err := generatePiped(context.Background(), pipeOptions, &got); err != nil {
		t.Fatal(err)
	}
	if len(want.calls) < 3*chunkRows {
		t.Fatalf("only %d rows: the test wants several chunks", len(want.calls))
	}
	if i := firstDiff(want.calls, got.calls); i >= 0 {
		t.Fatalf("call %d differs (of %d, %d): got %q, want %q", i, len(got.calls), len(want.calls), at(got.calls, i), at(want.calls, i))
	}
}

// TestGeneratePipedStopsAtSinkError: a failing sink's error comes back and nothing more is put.
func TestGeneratePipedStopsAtSinkError(t *testing.T) {
	r := recorder{failAt: chunkRows + 10}
	err := generatePiped(context.Background(), pipeOptions, &r)
	if !errors.Is(err, errSinkFull) {
		t.Fatalf("got %v, want the sink's error", err)
	}
	if len(r.calls) != r.failAt {
		t.Fatalf("%d calls after the failing one, want none", len(r.calls)-r.failAt)
	}
}

// TestGeneratePipedCancelled: a cancelled build stops with the context's error.
func TestGeneratePipedCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var r recorder
	if err := generatePiped(ctx, pipeOptions, &r); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func firstDiff(a, b []string) int {
	if slices.Equal(a, b) {
		return -1
	}
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func at(xs []string, i int) string {
	if i < len(xs) {
		return xs[i]
	}
	return "(none)"
}
