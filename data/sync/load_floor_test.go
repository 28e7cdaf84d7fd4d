package sync_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/datatest"
	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"
)

const (
	loadFloorEnv      = "ALMANAC_LOAD_FLOOR_PROCESS"
	loadFloorCacheEnv = "ALMANAC_LOAD_FLOOR_INDEX_CACHE_KIB" // the index builds' cache; default the loop's 131072
)

func mustAtoi(b *testing.B, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("%q is not a positive number", s)
	}
	return n
}

// BenchmarkLoadFloorProcess is the floor of a bulk load (a full sync's or a demo build's) on
// this stack, run as a whole process beside `almanac sync` or `almanac demo`:
//
//	go test -c -o /tmp/sync.test ./data/sync
//	ALMANAC_LOAD_FLOOR_PROCESS=1000000 /usr/bin/time /tmp/sync.test -test.run='^$' \
//	    -test.bench='^BenchmarkLoadFloorProcess$' -test.benchtime=1x
//
// It is benchBare's bare database/sql loop (the same rows into tables with only an integer
// primary key) followed by the store schema's secondary indexes on the entity tables, built with
// CREATE INDEX as finishLoad does, and one PRAGMA foreign_key_check as the demo build runs. It
// prints "floor-insert-seconds", "floor-index-seconds" (the index builds alone, with their
// count), "floor-fkcheck-seconds" and "floor-load-seconds" (their sum); the rest of the process
// is generating the rows. It skips unless ALMANAC_LOAD_FLOOR_PROCESS names the number of
// appointments; ALMANAC_LOAD_FLOOR_INDEX_CACHE_KIB=32768 builds the indexes with finishLoad's
// cache (finishCacheKiB) instead of the loop's 128 MiB.
func BenchmarkLoadFloorProcess(b *testing.B) {
	n, err := strconv.Atoi(os.Getenv(loadFloorEnv))
	if err != nil || n <= 0 {
		b.Skip("helper process: set " + loadFloorEnv + "=N")
	}
	ddl := entityIndexDDL(b)
	for b.Loop() {
		db, ins := bareLoad(b, n, true)
		if kib := os.Getenv(loadFloorCacheEnv); kib != "" {
			if _, err := db.Exec("PRAGMA cache_size = -" + strconv.Itoa(mustAtoi(b, kib))); err != nil {
				b.Fatal(err)
			}
		}
		var idx time.Duration
		for _, q := range ddl {
			start := time.Now()
			if _, err := db.Exec(q); err != nil {
				b.Fatalf("%s: %v", q, err)
			}
			d := time.Since(start)
			idx += d
			fmt.Printf("floor-index %.3f s: %s\n", d.Seconds(), q)
		}
		start := time.Now()
		var dangling int
		if err := db.QueryRow("SELECT COUNT(*) FROM pragma_foreign_key_check").Scan(&dangling); err != nil || dangling != 0 {
			b.Fatalf("foreign_key_check: %d dangling, %v", dangling, err)
		}
		fk := time.Since(start)
		db.Close()
		fmt.Printf("floor-insert-seconds %.6f\n", ins.Seconds())
		fmt.Printf("floor-index-seconds %.6f (%d indexes)\n", idx.Seconds(), len(ddl))
		fmt.Printf("floor-fkcheck-seconds %.6f\n", fk.Seconds())
		fmt.Printf("floor-load-seconds %.6f\n", (ins + idx + fk).Seconds())
		b.ReportMetric(ins.Seconds(), "insert-s")
		b.ReportMetric(idx.Seconds(), "index-s")
		b.ReportMetric(fk.Seconds(), "fkcheck-s")
	}
}

// entityIndexDDL returns the CREATE INDEX statements of the entity tables in a new store's
// schema: the indexes finishLoad builds.
func entityIndexDDL(b *testing.B) []string {
	st, err := store.Open(context.Background(), b.TempDir()+"/schema.db")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	db, err := sql.Open("sqlite", "file:"+st.Path()+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND tbl_name NOT LIKE 'rollup_%' ORDER BY name`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var ddl []string
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			b.Fatal(err)
		}
		ddl = append(ddl, q)
	}
	if err := rows.Err(); err != nil || len(ddl) == 0 {
		b.Fatalf("no entity indexes in the schema (%v)", err)
	}
	return ddl
}

// tableDDL is the bare table of entity e: its columns, an integer primary key, and (with fks)
// the schema's foreign keys, which foreign_key_check reads; the inserts never enforce them.
func tableDDL(e string, fks bool) string {
	q := "CREATE TABLE " + e + " ("
	for i, c := range store.Columns(e) {
		if i > 0 {
			q += ", "
		}
		q += c
		if fks {
			q += bareReferences[e+"."+c]
		}
	}
	return q + ", PRIMARY KEY (id))"
}

// bareReferences are the schema's foreign keys (migration 1), by table.column.
var bareReferences = map[string]string{
	"appointments.customer_id":  " REFERENCES customers (id)",
	"appointments.service_id":   " REFERENCES services (id)",
	"appointments.resource_id":  " REFERENCES resources (id)",
	"payments.customer_id":      " REFERENCES customers (id)",
	"payments.appointment_id":   " REFERENCES appointments (id) ON DELETE SET NULL",
	"subscriptions.customer_id": " REFERENCES customers (id)",
}

// bareLoad generates n appointments' rows and inserts them as benchBare does; it returns the
// open database and the insert phase's time.
func bareLoad(b *testing.B, n int, fks bool) (*sql.DB, time.Duration) {
	rows := bareRows{}
	if err := demo.Generate(context.Background(), demo.Options{Appointments: n, Seed: 5, Today: datatest.Today}, &rows); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+b.TempDir()+"/bare.db?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-131072)")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	for _, e := range data.Entities() {
		if _, err := db.Exec(tableDDL(e, fks)); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	for _, e := range data.Entities() {
		if err := bareInsert(db, e, rows[e]); err != nil {
			b.Fatal(err)
		}
	}
	return db, time.Since(start)
}
