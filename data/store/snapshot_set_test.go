package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// addResources commits one resource per write transaction until stop closes.
func addResources(t *testing.T, st *Store, stop <-chan struct{}, wg *sync.WaitGroup, commits *atomic.Int64) {
	t.Helper()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			err := st.Write(context.Background(), func(tx *sql.Tx) error {
				_, err := tx.Exec(`INSERT INTO resources (id, name, kind, active, updated_at) VALUES (NULL, 'r', 'room', 1, 0)`)
				return err
			})
			if err != nil {
				t.Error(err)
				return
			}
			commits.Add(1)
		}
	}()
}

// resourceCounts is what each snapshot counts in resources.
func resourceCounts(t *testing.T, sns []*Snapshot) []int64 {
	t.Helper()
	out := make([]int64, len(sns))
	for i, sn := range sns {
		if err := sn.tx.QueryRow("SELECT COUNT(*) FROM resources").Scan(&out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// checkSameCommit takes n snapshots again and again while a writer commits, each time waiting a
// little after beginning the first transaction so that commits land between the begins, and
// fails if two snapshots of one call see different rows.
func checkSameCommit(t *testing.T, reader, writer *Store, n int) {
	var commits atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	addResources(t, writer, stop, &wg, &commits)
	defer func() { close(stop); wg.Wait() }()
	for deadline := time.Now().Add(time.Minute); commits.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the writer committed nothing in a minute")
		}
	}
	var begins atomic.Int64
	snapshotBegun = func(i int) {
		begins.Add(1)
		if i == 0 {
			time.Sleep(2 * time.Millisecond) // a commit lands before the next transaction begins
		}
	}
	defer func() { snapshotBegun = nil }()
	var first, last int64
	const rounds = 30
	for r := range rounds {
		err := reader.Snapshots(context.Background(), n, func(sns []*Snapshot) error {
			if len(sns) != n {
				t.Fatalf("got %d snapshots, want %d", len(sns), n)
			}
			c := resourceCounts(t, sns)
			for _, x := range c {
				if x != c[0] {
					t.Fatalf("round %d: snapshots of one call counted %v resources", r, c)
				}
			}
			if r == 0 {
				first = c[0]
			}
			last = c[0]
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if last <= first {
		t.Fatalf("the writer committed nothing the snapshots saw (%d then %d resources)", first, last)
	}
	if begins.Load() <= int64(rounds*n) {
		t.Fatalf("%d transactions begun for %d rounds of %d: no commit ever landed between two begins, so nothing was checked", begins.Load(), rounds, n)
	}
}

func TestSnapshotsSeeOneCommitWhileAWriterCommits(t *testing.T) {
	st := MustOpen(t)
	checkSameCommit(t, st, st, 2)
	checkSameCommit(t, st, st, readConns)
}

func TestWriteBumpsTheCommitGeneration(t *testing.T) {
	st := MustOpen(t)
	gen := func() int64 {
		var g int64
		if err := st.Read(context.Background(), func(tx *sql.Tx) error {
			var err error
			g, err = readGeneration(context.Background(), tx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return g
	}
	before := gen()
	if err := st.Write(context.Background(), func(*sql.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if after := gen(); after != before+1 {
		t.Fatalf("generation %d after one commit, was %d", after, before)
	}
	// A rolled-back write changes nothing and counts nothing.
	_ = st.Write(context.Background(), func(*sql.Tx) error { return sql.ErrNoRows })
	if after := gen(); after != before+1 {
		t.Fatalf("generation %d after a rolled-back write, want %d", after, before+1)
	}
}

func TestSnapshotsOfAReadOnlyStore(t *testing.T) {
	st := MustOpen(t)
	path := st.Path()
	// Through the WAL, while this build's writer keeps committing in the same file.
	ro, err := OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	checkSameCommit(t, ro, st, 2)
	ro.Close()
	// Immutable: the writer is gone and the WAL checkpointed away.
	st.Close()
	ro, err = OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	err = ro.Snapshots(context.Background(), 2, func(sns []*Snapshot) error {
		c := resourceCounts(t, sns)
		if c[0] == 0 || c[0] != c[1] {
			t.Fatalf("read-only snapshots counted %v resources", c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSnapshotsRefusesAnotherCount(t *testing.T) {
	st := MustOpen(t)
	for _, n := range []int{0, readConns + 1} {
		if err := st.Snapshots(context.Background(), n, func([]*Snapshot) error { return nil }); err == nil {
			t.Errorf("Snapshots(%d) ran", n)
		}
	}
}

func TestSnapshotsStopsWhenCancelled(t *testing.T) {
	st := MustOpen(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	if err := st.Snapshots(ctx, 2, func([]*Snapshot) error { ran = true; return nil }); err == nil || ran {
		t.Fatalf("cancelled Snapshots: err %v, ran %v", err, ran)
	}
}
