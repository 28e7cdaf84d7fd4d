package sync_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/datatest"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/demo"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/data/sync/tenantserver"
)

// TestConcurrentSyncReadExport runs, at the same time on one demo-sized store (5,000
// appointments): incremental syncs from a server whose data keeps changing (each page its own
// write transaction, rollups kept by triggers), report-like readers checking that rollups agree with the rows inside one read transaction, and
// an export-like reader streaming every appointment in one long transaction. No reader may see a
// half-applied page, nothing may fail with "database is locked", and -race must stay quiet.
func TestConcurrentSyncReadExport(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// The server generates the demo tenant (GenerateDemo, as BuildDemo does); a first sync loads
	// it into a fresh home in bulk mode, which is much faster under -race than rewriting a
	// BuildDemo store row by row through the triggers, and ends in the same kind of store.
	opts := demo.Options{Appointments: 5000, Seed: 5, Today: datatest.Today}
	h := data.Home{Dir: t.TempDir()}
	srv, err := tenantserver.New(ctx, datatest.Remote(), datatest.Token, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	o := datatest.Options(ts.URL)
	o.PageSize = 250
	if _, err := datasync.Sync(ctx, h, o); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, h.TenantPath(datatest.Remote().ID))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	var (
		wg        sync.WaitGroup
		syncing   atomic.Bool
		snapshots atomic.Int64
		exports   atomic.Int64
		errMu     sync.Mutex
		errs      []error
	)
	fail := func(err error) {
		errMu.Lock()
		defer errMu.Unlock()
		errs = append(errs, err)
	}
	syncing.Store(true)
	wg.Add(1)
	rounds := 0
	go func() {
		defer wg.Done()
		defer syncing.Store(false)
		deadline := time.Now().Add(4 * time.Second)
		for rounds = 0; rounds < 2 || (rounds < 10 && time.Now().Before(deadline)); rounds++ {
			srv.Mutate(200, uint64(rounds+1))
			start := time.Now()
			_, err := datasync.Sync(ctx, h, o)
			t.Logf("round %d: %v", rounds, time.Since(start))
			if err != nil {
				fail(fmt.Errorf("sync round %d: %w", rounds, err))
				return
			}
		}
	}()
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for syncing.Load() && ctx.Err() == nil {
				if err := st.Read(ctx, checkSnapshot); err != nil {
					fail(fmt.Errorf("reader %d: %w", i, err))
					return
				}
				snapshots.Add(1)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for syncing.Load() && ctx.Err() == nil {
			if err := st.Read(ctx, streamAppointments); err != nil {
				fail(fmt.Errorf("export: %w", err))
				return
			}
			exports.Add(1)
		}
	}()
	wg.Wait()
	for _, err := range errs {
		if s := err.Error(); strings.Contains(s, "locked") || strings.Contains(s, "BUSY") {
			t.Errorf("lock contention surfaced: %v", err)
		} else {
			t.Error(err)
		}
	}
	t.Logf("%d sync rounds, %d consistent snapshots, %d full exports", rounds, snapshots.Load(), exports.Load())
	if snapshots.Load() < 10 || exports.Load() < 1 || rounds < 2 {
		t.Errorf("too little overlap: %d rounds, %d snapshots, %d exports", rounds, snapshots.Load(), exports.Load())
	}
	if err := st.Verify(ctx); err != nil {
		t.Errorf("store after the run: %v", err)
	}
	c, err := st.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := srv.Counts(); c != want {
		t.Errorf("store counts %+v, server %+v", c, want)
	}
}

// checkSnapshot compares the rollups with the rows inside one read transaction: a report sees
// either all of a sync page or none of it.
func checkSnapshot(tx *sql.Tx) error {
	var rows, rowMinutes, rolled, rolledMinutes, hours int64
	q := `SELECT (SELECT COUNT(*) FROM appointments),
		(SELECT COALESCE(SUM((end_at - start_at) / 60), 0) FROM appointments),
		(SELECT COALESCE(SUM(n), 0) FROM rollup_appt_service),
		(SELECT COALESCE(SUM(minutes), 0) FROM rollup_appt_service)`
	if err := tx.QueryRow(q).Scan(&rows, &rowMinutes, &rolled, &rolledMinutes); err != nil {
		return err
	}
	// A second statement in the same transaction must see the same snapshot.
	if err := tx.QueryRow("SELECT COALESCE(SUM(n), 0) FROM rollup_appt_hour").Scan(&hours); err != nil {
		return err
	}
	if rows != rolled || rowMinutes != rolledMinutes || hours != rows {
		return fmt.Errorf("inconsistent snapshot: %d appointments (%d min), service rollup %d (%d min), hour rollup %d",
			rows, rowMinutes, rolled, rolledMinutes, hours)
	}
	return nil
}

// streamAppointments reads every appointment slowly in one transaction, as an export does,
// and checks it saw exactly the count the snapshot had when it started.
func streamAppointments(tx *sql.Tx) error {
	var want int64
	if err := tx.QueryRow("SELECT COUNT(*) FROM appointments").Scan(&want); err != nil {
		return err
	}
	rows, err := tx.Query("SELECT id, customer_id, service_id, start_at, end_at, status, price_cents FROM appointments ORDER BY start_at, id")
	if err != nil {
		return err
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		var id, cust, svc, start, end, price int64
		var status string
		if err := rows.Scan(&id, &cust, &svc, &start, &end, &status, &price); err != nil {
			return err
		}
		if n++; n%500 == 0 {
			time.Sleep(2 * time.Millisecond) // keep the transaction open across sync commits
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n != want {
		return fmt.Errorf("export streamed %d appointments, the snapshot holds %d", n, want)
	}
	return checkSnapshot(tx)
}
