package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// setValue commits key = v in settings, one write transaction.
func setValue(t testing.TB, st *Store, v int) {
	t.Helper()
	err := st.Write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO settings (key, value) VALUES ('snap', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", strconv.Itoa(v))
		return err
	})
	if err != nil {
		t.Error(err)
	}
}

// valuesOf reads key snap in each snapshot, one goroutine each.
func valuesOf(sns []*Snapshot) ([]string, error) {
	out := make([]string, len(sns))
	errs := make([]error, len(sns))
	var wg sync.WaitGroup
	for i, sn := range sns {
		wg.Go(func() {
			errs[i] = sn.tx.QueryRow("SELECT value FROM settings WHERE key = 'snap'").Scan(&out[i])
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func allSame(vs []string) bool {
	for _, v := range vs {
		if v != vs[0] {
			return false
		}
	}
	return true
}

// TestSnapshotsRetryACommitBetweenBegins: a commit landing between the begins of a set (three
// times in a row) makes Snapshots start over, and the set it returns sees the last commit in every
// snapshot; without the retry the first snapshot would see value 1 and the second a later one.
func TestSnapshotsRetryACommitBetweenBegins(t *testing.T) {
	st := MustOpen(t)
	setValue(t, st, 1)
	commits := 0
	st.afterFirstBegin = func() {
		if commits < 3 {
			commits++
			setValue(t, st, 1+commits)
		}
	}
	var got []string
	err := st.Snapshots(context.Background(), 2, func(sns []*Snapshot) (err error) {
		got, err = valuesOf(sns)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if commits != 3 || got[0] != "4" || got[1] != "4" {
		t.Fatalf("after %d commits between begins the snapshots see %v, want [4 4]", commits, got)
	}
}

// TestSnapshotsFallBackToOneTransaction: when a commit lands between the begins of every attempt,
// the snapshots share one transaction (still one commit).
func TestSnapshotsFallBackToOneTransaction(t *testing.T) {
	st := MustOpen(t)
	commits := 0
	st.afterFirstBegin = func() { commits++; setValue(t, st, commits) }
	err := st.Snapshots(context.Background(), 3, func(sns []*Snapshot) error {
		got, err := valuesOf(sns)
		if err == nil && (!allSame(got) || sns[0].tx != sns[2].tx) {
			t.Errorf("fallback snapshots see %v, want one transaction", got)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if commits != snapshotAttempts+1 {
		t.Errorf("%d commits between begins, want one per attempt (%d) and the fallback's", commits, snapshotAttempts+1)
	}
}

// TestSnapshotsSeeOneCommitWhileAWriterCommits: with a writer committing without pause, every
// set of snapshots, read in parallel, agrees, in a store opened for writing and in one opened
// read-only (through the WAL) by a second handle while the first one writes.
func TestSnapshotsSeeOneCommitWhileAWriterCommits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	setValue(t, st, 0)
	ro, err := OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	for _, tc := range []struct {
		name   string
		reader *Store
	}{{"writable", st}, {"read-only", ro}} {
		t.Run(tc.name, func(t *testing.T) {
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var commits atomic.Int64
			wg.Go(func() {
				for i := 1; ; i++ {
					select {
					case <-stop:
						return
					default:
						setValue(t, st, i)
						commits.Add(1)
					}
				}
			})
			seen := map[string]bool{}
			for i := 0; i < 200 || commits.Load() < 100; i++ {
				err := tc.reader.Snapshots(context.Background(), 2, func(sns []*Snapshot) error {
					got, err := valuesOf(sns)
					if err == nil && !allSame(got) {
						t.Errorf("one set of snapshots sees %v", got)
					}
					seen[got[0]] = true
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			close(stop)
			wg.Wait()
			if len(seen) < 2 {
				t.Errorf("the reads saw %d commits: the writer did not commit while they ran", len(seen))
			}
		})
	}
}

func TestSnapshotsRefusesASetLargerThanThePool(t *testing.T) {
	st := MustOpen(t)
	for _, n := range []int{0, maxSnapshots + 1} {
		if err := st.Snapshots(context.Background(), n, func([]*Snapshot) error { return nil }); err == nil {
			t.Errorf("Snapshots(%d) = nil, want an error", n)
		}
	}
}
