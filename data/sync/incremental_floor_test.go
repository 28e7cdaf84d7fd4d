package sync_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/datatest"
	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/data/sync/tenantserver"
)

const incrFloorEnv = "ALMANAC_INCR_FLOOR_PROCESS"

// BenchmarkIncrementalFloorProcess is the floor of an incremental sync after 1% of the
// appointments changed, run as a whole process beside `almanac sync`:
//
//	go test -c -o /tmp/sync.test ./data/sync
//	ALMANAC_INCR_FLOOR_PROCESS=1000000 /tmp/sync.test -test.run='^$' \
//	    -test.bench='^BenchmarkIncrementalFloorProcess$' -test.benchtime=1x
//
// The change set is the one an incremental sync receives: the pages after a full sync's cursors
// once the server's Mutate (the same call as TestSyncServerProcess's /bench/mutate) has run,
// decoded before the clock starts. The timed part is the least a database/sql loop must do to
// apply them: one prepared upsert per record (INSERT … ON CONFLICT (id) DO UPDATE) and one
// DELETE per tombstone, a transaction per 5,000-change page, then a WAL checkpoint. It runs on
// three databases holding the same 1M-appointment tenant:
//   - "bare": the tables with their primary keys, the schema's secondary indexes and foreign
//     keys, and nothing else (no rollups, no triggers);
//   - "store": a store built by store.BuildFile, whose triggers keep the rollups in the same
//     transaction as every write, as they do for `almanac sync`;
//   - "store-one-tx": a copy of that store with every change in one transaction (as if a
//     sync's pages and cursors were committed together).
//
// Each prints incr-floor-<db>-apply, -commit, -checkpoint and -total seconds, with the
// transactions committed and the WAL frames the checkpoint found. It skips unless
// ALMANAC_INCR_FLOOR_PROCESS names the number of appointments.
func BenchmarkIncrementalFloorProcess(b *testing.B) {
	n, err := strconv.Atoi(os.Getenv(incrFloorEnv))
	if err != nil || n <= 0 {
		b.Skip("helper process: set " + incrFloorEnv + "=N")
	}
	ch := incrementalChanges(b, n)
	fmt.Printf("incr-floor-changes %s\n", ch.summary())
	bare := bareIncrementalDB(b, n)
	full := storeIncrementalDB(b, n)
	oneTx := copyFile(b, full, b.TempDir()+"/store-one-tx.db")
	for b.Loop() {
		// A second round would apply the same changes again (upserts that change nothing):
		// the benchmark is meant for -test.benchtime=1x.
		for _, d := range []struct {
			name  string
			path  string
			oneTx bool
		}{{"bare", bare, false}, {"store", full, false}, {"store-one-tx", oneTx, true}} {
			applyIncremental(b, d.name, d.path, d.oneTx, ch)
		}
	}
}

// changeSet is an incremental sync's records (as column values) and tombstones, per entity.
type changeSet struct {
	puts bareRows
	dels map[string][]int64
}

func (c changeSet) summary() string {
	var parts []string
	for _, e := range data.Entities() {
		parts = append(parts, fmt.Sprintf("%s %d put %d deleted", e, len(c.puts[e])/len(store.Columns(e)), len(c.dels[e])))
	}
	return strings.Join(parts, ", ")
}

// incrementalChanges pages a server of n appointments to its end, runs Mutate(n/100, 42) and
// pages again from the cursors: the pages of an incremental sync after 1% changed.
func incrementalChanges(b *testing.B, n int) changeSet {
	srv, err := tenantserver.New(context.Background(), datatest.Remote(), datatest.Token, demo.Options{Appointments: n, Seed: 5, Today: datatest.Today})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	cursors := map[string]string{}
	for _, e := range data.Entities() {
		cursors[e] = fetchEntity(b, ts.URL, e, "", nil, nil)
	}
	srv.Mutate(n/100, 42)
	ch := changeSet{puts: bareRows{}, dels: map[string][]int64{}}
	for _, e := range data.Entities() {
		var dels []int64
		fetchEntity(b, ts.URL, e, cursors[e], ch.puts, &dels)
		ch.dels[e] = dels
	}
	return ch
}

// fetchEntity pages entity from cursor to its end, adding its records to puts and its
// tombstones to dels when they are not nil, and returns the last cursor.
func fetchEntity(b *testing.B, base, entity, cursor string, puts bareRows, dels *[]int64) string {
	for {
		var more bool
		var err error
		switch entity {
		case "resources":
			cursor, more, err = fetchPage(base, entity, cursor, puts, dels, bareRows.PutResource)
		case "services":
			cursor, more, err = fetchPage(base, entity, cursor, puts, dels, bareRows.PutService)
		case "customers":
			cursor, more, err = fetchPage(base, entity, cursor, puts, dels, bareRows.PutCustomer)
		case "appointments":
			cursor, more, err = fetchPage(base, entity, cursor, puts, dels, bareRows.PutAppointment)
		case "payments":
			cursor, more, err = fetchPage(base, entity, cursor, puts, dels, bareRows.PutPayment)
		case "subscriptions":
			cursor, more, err = fetchPage(base, entity, cursor, puts, dels, bareRows.PutSubscription)
		default:
			err = fmt.Errorf("unknown entity %q", entity)
		}
		if err != nil {
			b.Fatal(err)
		}
		if !more {
			return cursor
		}
	}
}

// fetchPage gets one page of entity after cursor over HTTP and decodes it.
func fetchPage[T any](base, entity, cursor string, puts bareRows, dels *[]int64, put func(bareRows, T) error) (string, bool, error) {
	q := url.Values{"cursor": {cursor}, "limit": {strconv.Itoa(datasync.MaxPageLimit)}}
	req, err := http.NewRequest(http.MethodGet, base+"/v1/changes/"+entity+"?"+q.Encode(), nil)
	if err != nil {
		return "", false, err
	}
	req.Header.Set("Authorization", "Bearer "+datatest.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", false, fmt.Errorf("%s after %q: %s", entity, cursor, resp.Status)
	}
	var pg datasync.ChangesPage[T]
	if err := json.NewDecoder(resp.Body).Decode(&pg); err != nil {
		return "", false, fmt.Errorf("%s after %q: %w", entity, cursor, err)
	}
	if puts != nil {
		for _, r := range pg.Records {
			if err := put(puts, r); err != nil {
				return "", false, err
			}
		}
	}
	if dels != nil {
		for _, d := range pg.Deleted {
			*dels = append(*dels, d.ID)
		}
	}
	return pg.NextCursor, pg.HasMore, nil
}

// bareIncrementalDB is bareLoad's database of n appointments with the schema's secondary
// indexes and foreign keys, checkpointed and closed; it returns its path.
func bareIncrementalDB(b *testing.B, n int) string {
	db, _ := bareLoad(b, n, true)
	for _, q := range entityIndexDDL(b) {
		if _, err := db.Exec(q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	var path string
	if err := db.QueryRow("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&path); err != nil {
		b.Fatal(err)
	}
	closeCheckpointed(b, db)
	return path
}

// storeIncrementalDB builds a store of the same tenant (n appointments, the server's seed) with
// store.BuildFile, as a first sync leaves it, and returns its path.
func storeIncrementalDB(b *testing.B, n int) string {
	ctx := context.Background()
	path := b.TempDir() + "/store.db"
	o := demo.Options{Appointments: n, Seed: 5, Today: datatest.Today}
	if err := store.BuildFile(ctx, path, datatest.Remote().Tenant, func(w *store.Writer) error { return demo.Generate(ctx, o, w) }); err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(ctx, path) // as the app opens it: migrated, WAL
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// copyFile copies a closed, checkpointed database and returns the copy's path.
func copyFile(b *testing.B, from, to string) string {
	src, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
	return to
}

func closeCheckpointed(b *testing.B, db *sql.DB) {
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
}

// incrDSN opens path as the store's writer connection does (store.dsn): foreign keys on, WAL,
// synchronous NORMAL, a 128 MiB cache, temp files in memory, immediate transactions.
func incrDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)", "cache_size(-131072)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// applyIncremental applies ch to the database at path, a transaction per page or all in one,
// and prints the phases' times.
func applyIncremental(b *testing.B, name, path string, oneTx bool, ch changeSet) {
	db, err := sql.Open("sqlite", incrDSN(path))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		b.Fatal(err)
	}
	apply, commit, pages, err := applyChanges(db, ch, oneTx)
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	start := time.Now()
	frames := checkpoint(b, db, "PASSIVE") // the frames the last auto-checkpoint left
	checkpoint(b, db, "TRUNCATE")
	cp := time.Since(start)
	fmt.Printf("incr-floor-%s-apply-seconds %.6f\n", name, apply.Seconds())
	fmt.Printf("incr-floor-%s-commit-seconds %.6f (%d transactions)\n", name, commit.Seconds(), pages)
	fmt.Printf("incr-floor-%s-checkpoint-seconds %.6f (%d WAL frames after the auto-checkpoints)\n", name, cp.Seconds(), frames)
	fmt.Printf("incr-floor-%s-total-seconds %.6f\n", name, (apply + commit + cp).Seconds())
	b.ReportMetric((apply + commit + cp).Seconds(), name+"-s")
}

// checkpoint runs a WAL checkpoint in mode and returns the frames the WAL held.
func checkpoint(b *testing.B, db *sql.DB, mode string) int {
	var busy, frames, done int
	if err := db.QueryRow("PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &frames, &done); err != nil || busy != 0 {
		b.Fatalf("wal_checkpoint(%s): busy %d, %v", mode, busy, err)
	}
	return frames
}

// incrPage is the changes per transaction: a page of MaxPageLimit records and tombstones.
const incrPage = datasync.MaxPageLimit

// change is one record's upsert or one tombstone's delete, on the statements of its entity.
type change struct {
	entity string
	row    []any // the record's column values; nil for a tombstone
	id     int64 // the tombstone's id
}

// changeList is ch in the order a sync applies it: entities parents first, each one's
// tombstones, then its records.
func (ch changeSet) changeList() []change {
	var list []change
	for _, e := range data.Entities() {
		for _, id := range ch.dels[e] {
			list = append(list, change{entity: e, id: id})
		}
		vals, width := ch.puts[e], len(store.Columns(e))
		for i := 0; i < len(vals); i += width {
			list = append(list, change{entity: e, row: vals[i : i+width]})
		}
	}
	return list
}

// applyChanges applies ch in pages as a sync does (up to incrPage changes of one entity each),
// a transaction per page, or with oneTx all in one transaction.
func applyChanges(db *sql.DB, ch changeSet, oneTx bool) (apply, commit time.Duration, txs int, err error) {
	list := ch.changeList()
	for from := 0; from < len(list); {
		to := from + 1
		for to < len(list) && (oneTx || to-from < incrPage && list[to].entity == list[from].entity) {
			to++
		}
		a, c, err := applyTx(db, list[from:to])
		if err != nil {
			return apply, commit, txs, err
		}
		apply, commit, txs, from = apply+a, commit+c, txs+1, to
	}
	return apply, commit, txs, nil
}

// applyTx runs changes in one transaction, with one prepared upsert and delete per entity.
func applyTx(db *sql.DB, changes []change) (apply, commit time.Duration, err error) {
	start := time.Now()
	tx, err := db.Begin()
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it does nothing
	type key struct {
		entity string
		del    bool
	}
	stmts := map[key]*sql.Stmt{}
	for _, c := range changes {
		k := key{c.entity, c.row == nil}
		st, ok := stmts[k]
		if !ok {
			q := upsertSQL(c.entity, store.Columns(c.entity))
			if k.del {
				q = "DELETE FROM " + c.entity + " WHERE id = ?"
			}
			if st, err = tx.Prepare(q); err != nil {
				return 0, 0, err
			}
			stmts[k] = st
		}
		if k.del {
			_, err = st.Exec(c.id)
		} else {
			_, err = st.Exec(c.row...)
		}
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", c.entity, err)
		}
	}
	apply = time.Since(start)
	start = time.Now()
	if err := tx.Commit(); err != nil {
		return 0, 0, err
	}
	return apply, time.Since(start), nil
}

// upsertSQL inserts one row of table or updates every column of the row with its id.
func upsertSQL(table string, cols []string) string {
	sets := make([]string, 0, len(cols)-1)
	for _, c := range cols[1:] {
		sets = append(sets, c+" = excluded."+c)
	}
	return bareInsertSQL(table, cols, 1) + " ON CONFLICT (id) DO UPDATE SET " + strings.Join(sets, ", ")
}
