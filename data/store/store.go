package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/almanac-app/almanac/data"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is one tenant's SQLite file: a single writer connection and a pool of readers.
// WAL lets readers keep a consistent snapshot while the writer commits.
type Store struct {
	path     string
	w        *sql.DB
	r        *sql.DB
	readOnly bool       // opened by OpenReadOnly: Write refuses with ErrReadOnly
	counted  bool       // migrated to store_generation: every Write bumps it (Snapshots)
	digested bool       // migrated to the revenue digests: every Write refreshes them first
	setMu    sync.Mutex // one Snapshots set is begun at a time
	// afterFirstBegin, when set (by tests only), runs between the first and the second begin of
	// every attempt of Snapshots: a commit there is one landing between the begins.
	afterFirstBegin func()

	bulkRefs bulkRefs // a sync's bulk load's parent ids, from PrepareSync to FinishBulk
}

// readConns is the size of the read pool (Snapshots holds at most this many transactions).
const readConns = 4

// migration is one schema step; after runs Go code in the same transaction.
type migration struct {
	version int
	name    string
	sql     string
	before  func(ctx context.Context, tx *sql.Tx) error
	after   func(ctx context.Context, tx *sql.Tx) error
}

// afterHooks attaches Go steps to versions; see store_rollups.go.
var afterHooks = map[int]func(ctx context.Context, tx *sql.Tx) error{
	2: func(ctx context.Context, tx *sql.Tx) error {
		if err := installTriggers(ctx, tx); err != nil {
			return err
		}
		return rebuildRollups(ctx, tx)
	},
	3: reinstallRollups, // adds rollup_appt_service_resource
	6: reinstallRollups, // adds rollup_appt_resource_minutes and rollup_revenue_resource
	8: reinstallRollups, // adds rollup_customer_visit.prev
	9: reinstallRollups, // adds the copies of rollup_customer_lifetime (rollup_copies.go)
}

var createsRollup = regexp.MustCompile(`CREATE TABLE (IF NOT EXISTS )?rollup_`)

// afterHook is version's Go step: its entry in afterHooks, else reinstallRollups when its SQL
// creates a rollup table, so a migration adding a rollup needs no hook of its own.
func afterHook(version int, body string) func(ctx context.Context, tx *sql.Tx) error {
	if h := afterHooks[version]; h != nil {
		return h
	}
	if createsRollup.MatchString(body) {
		return reinstallRollups
	}
	return nil
}

// beforeHooks run Go steps before a version's SQL. A store left in bulk mode by an older build
// kept the DDL of the indexes version 4 drops: that load is finished first.
var beforeHooks = map[int]func(ctx context.Context, tx *sql.Tx) error{
	4:  finishBulkTx,
	9:  addCopies, // the copied columns of rollup_customer_lifetime, when missing
	10: addCopies, // and revenue_cents, added to them by version 10
}

// Open opens (creating if needed) the store at path and applies pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, false)
}

// openScratch opens a store file that is being built and will be renamed into place only when
// complete: no journal and no syncs, since a crash simply discards the file. Close syncs it.
func openScratch(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, true)
}

func open(ctx context.Context, path string, scratch bool) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	w, err := sql.Open("sqlite", dsn(path, true, scratch))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	s := &Store{path: path, w: w}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, classify(path, err)
	}
	s.counted, s.digested = true, true
	r, err := sql.Open("sqlite", dsn(path, false, scratch))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	r.SetMaxOpenConns(readConns)
	if err := s.recoverBulk(ctx, r); err != nil {
		r.Close()
		w.Close()
		return nil, classify(path, err)
	}
	s.r = r
	return s, nil
}

func dsn(path string, writer, scratch bool) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	switch {
	case scratch && writer:
		q.Add("_pragma", "journal_mode(OFF)")
		q.Add("_pragma", "synchronous(OFF)")
	case scratch: // reads the rows the writer committed while it finishes the load (finishLoad)
	default:
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	q.Add("_pragma", "busy_timeout(10000)")
	if writer {
		q.Add("_pragma", "cache_size(-131072)") // 128 MiB: bulk loads touch many index pages
		q.Add("_pragma", "temp_store(MEMORY)")  // statement journals of trigger/FK writes: no temp-file syscalls
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
		q.Add("_pragma", "cache_size(-32768)") // 32 MiB: a year of a rollup's index stays cached between reads
		q.Add("_pragma", "temp_store(MEMORY)") // GROUP BY and DISTINCT of a period's customers sort in memory
	}
	return "file:" + path + "?" + q.Encode()
}

// Path is the store's file path.
func (s *Store) Path() string { return s.path }

// Close closes both connection pools.
func (s *Store) Close() error {
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	return errors.Join(errs...)
}

// Read runs fn in one read transaction: every query inside sees the same snapshot.
func (s *Store) Read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return classify(s.path, fmt.Errorf("begin read: %w", err))
	}
	defer tx.Rollback() //nolint:errcheck // a read transaction has nothing to keep
	return classify(s.path, fn(tx))
}

// Write runs fn in one write transaction, committed only if fn returns nil. The revenue
// digests' pending changes are applied before the commit (refreshDigests).
func (s *Store) Write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.write(ctx, fn, true)
}

// write is Write, leaving the digests' pending changes for a later write unless refresh is set
// (a sync's pages: its last write applies them all at once).
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error, refresh bool) error {
	if s.readOnly {
		return &data.ReadOnlyError{Home: filepath.Dir(filepath.Dir(s.path)), Err: fmt.Errorf("store %s was opened read-only", s.path)}
	}
	return s.commit(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if refresh && s.digested {
			if err := refreshDigests(ctx, tx); err != nil {
				return err
			}
		}
		return s.bumpGeneration(ctx, tx)
	})
}

// BulkWrite is Write for loading many rows at once: rollup triggers and secondary indexes are
// dropped for the duration, then the indexes recreated and the rollups rebuilt from the rows
// before commit, all in the same transaction (building an index once beats updating it per row).
func (s *Store) BulkWrite(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.Write(ctx, func(tx *sql.Tx) error {
		if err := dropTriggers(ctx, tx); err != nil {
			return err
		}
		indexes, err := dropIndexes(ctx, tx)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		for _, ddl := range indexes {
			if _, err := tx.ExecContext(ctx, ddl); err != nil {
				return fmt.Errorf("recreate index: %w", err)
			}
		}
		if err := rebuildRollups(ctx, tx); err != nil {
			return err
		}
		return installTriggers(ctx, tx)
	})
}

// dropIndexes drops the entity tables' secondary indexes and returns their DDL.
func dropIndexes(ctx context.Context, tx *sql.Tx) ([]string, error) {
	return dropIndexesWhere(ctx, tx, "tbl_name NOT LIKE 'rollup_%'")
}

// dropIndexesWhere drops the secondary indexes whose sqlite_master row passes where (a constant
// of this package) and returns their DDL.
func dropIndexesWhere(ctx context.Context, tx *sql.Tx, where string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master
		WHERE type = 'index' AND sql IS NOT NULL AND `+where+` ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	var names, ddl []string
	for rows.Next() {
		var n, q string
		if err := rows.Scan(&n, &q); err != nil {
			rows.Close()
			return nil, err
		}
		names, ddl = append(names, n), append(ddl, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, `DROP INDEX "`+n+`"`); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", n, err)
		}
	}
	return ddl, nil
}

// SchemaVersion returns the store's applied schema version.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

func loadMigrations() ([]migration, error) {
	entries, err := migrationFS.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and '_'", e.Name())
		}
		body, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body), before: beforeHooks[v], after: afterHook(v, string(body))})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// LatestSchemaVersion is the schema version this build writes.
func LatestSchemaVersion() int {
	ms, err := loadMigrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate applies each pending migration in its own transaction, bumping user_version with it.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	cur, err := s.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("open store %s: %w", s.path, err)
	}
	if latest := ms[len(ms)-1].version; cur > latest {
		return fmt.Errorf("open store %s: schema version %d > %d: %w (update Almanac)", s.path, cur, latest, data.ErrSchemaTooNew)
	}
	for _, m := range ms {
		if m.version <= cur {
			continue
		}
		if err := s.Write(ctx, func(tx *sql.Tx) error { return applyMigration(ctx, tx, m) }); err != nil {
			return fmt.Errorf("migrate %s to version %d: %w", s.path, m.version, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, tx *sql.Tx, m migration) error {
	if m.before != nil {
		if err := m.before(ctx, tx); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("%s: %w", m.name, err)
	}
	if m.after != nil {
		if err := m.after(ctx, tx); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}
	_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version))
	return err
}

// bumpGeneration counts the write transaction tx in store_generation (see Snapshots), once the
// store is migrated to it: the migrations before version 9 run without the table.
func (s *Store) bumpGeneration(ctx context.Context, tx *sql.Tx) error {
	if !s.counted {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE store_generation SET n = n + 1 WHERE id = 1"); err != nil {
		return fmt.Errorf("count the commit: %w", err)
	}
	return nil
}
