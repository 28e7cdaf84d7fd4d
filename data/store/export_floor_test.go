package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Environment of BenchmarkExportFloorProcess: the store to read, and what to do with the rows.
const (
	floorStoreEnv = "ALMANAC_BENCHREF_STORE"
	floorModeEnv  = "ALMANAC_EXPORT_FLOOR" // scan (the default), append or raw; scan1, append1, raw1 on one connection
)

// BenchmarkExportFloorProcess is not a benchmark of its own: it is the floor of the fixed stack
// (modernc SQLite through database/sql) under a CSV or JSON export of appointments, run as a
// whole process beside `almanac export` and the sqlite3 CLI (docs/performance.md, "The floor of
// the export"). It reads the columns the export reads (the appointments dataset's columns with
// SQL; names come from memory) for every row, in rowid order (no sort), as two halves of the id
// range on two read transactions of one commit (Store.Snapshots), one goroutine each:
//
//   - scan: through database/sql, into the export's Cell, which implements sql.Scanner (no
//     reflection);
//   - append: scan, then every value appended to a buffer (integers in decimal, text as it is,
//     commas and CRLF) that is reset every 64 KiB and never written: the least an encoder does;
//   - raw: below database/sql, the driver's rows on the snapshot's connection (sql.Conn.Raw),
//     each value stored into its Cell, as a sorted range of the export reads (export_raw.go).
//
// A mode ending in 1 (scan1, append1, raw1) reads every row on one connection. It prints
// "floor-rows N" and skips unless ALMANAC_BENCHREF_STORE is set:
//
//	go test -c -o /tmp/store.test ./data/store/ && ALMANAC_BENCHREF_STORE=STORE ALMANAC_EXPORT_FLOOR=scan \
//	  /usr/bin/time /tmp/store.test -test.run='^$' -test.bench='^BenchmarkExportFloorProcess$' -test.benchtime=1x
func BenchmarkExportFloorProcess(b *testing.B) {
	path := os.Getenv(floorStoreEnv)
	if path == "" {
		b.Skip("helper process for the export floor: set " + floorStoreEnv)
	}
	mode := os.Getenv(floorModeEnv)
	if mode == "" {
		mode = "scan"
	}
	conns := 2
	if m, ok := strings.CutSuffix(mode, "1"); ok {
		mode, conns = m, 1
	}
	if mode != "scan" && mode != "append" && mode != "raw" {
		b.Fatalf("%s=%q: want scan, append or raw, each with an optional 1 (one connection)", floorModeEnv, os.Getenv(floorModeEnv))
	}
	ctx := context.Background()
	st, err := OpenReadOnly(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	for b.Loop() {
		n, err := exportFloor(ctx, st, conns, mode)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Printf("floor-rows %d\n", n)
	}
}

// exportFloor reads every appointment's export columns as conns id ranges on conns snapshots of
// one commit, in the mode; it returns the rows read.
func exportFloor(ctx context.Context, st *Store, conns int, mode string) (int64, error) {
	d := findDataset(DatasetAppointments)
	var cols []string
	for _, c := range d.Columns {
		if c.SQL != "" {
			cols = append(cols, c.SQL)
		}
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + d.From + " WHERE " + d.RowID + " >= ? AND " + d.RowID + " < ? ORDER BY " + d.RowID
	var total int64
	err := st.Snapshots(ctx, conns, func(sns []*Snapshot) error {
		var lo, hi int64
		if err := sns[0].tx.QueryRowContext(ctx, "SELECT MIN(id), MAX(id) + 1 FROM appointments").Scan(&lo, &hi); err != nil {
			return err
		}
		counts, errs := make([]int64, len(sns)), make([]error, len(sns))
		var wg sync.WaitGroup
		for i, sn := range sns {
			from, to := lo+(hi-lo)*int64(i)/int64(len(sns)), lo+(hi-lo)*int64(i+1)/int64(len(sns))
			wg.Add(1)
			go func() {
				defer wg.Done()
				if mode == "raw" {
					counts[i], errs[i] = floorRawScan(ctx, sn.conn, q, from, to, len(cols))
				} else {
					counts[i], errs[i] = floorScan(ctx, sn.tx, q, from, to, len(cols), mode == "append")
				}
			}()
		}
		wg.Wait()
		for i := range sns {
			if errs[i] != nil {
				return errs[i]
			}
			total += counts[i]
		}
		return nil
	})
	return total, err
}

// floorScan scans the rows of q over ids [from, to) into cells, and appends them to a buffer
// when encode is set.
func floorScan(ctx context.Context, tx *sql.Tx, q string, from, to int64, ncol int, encode bool) (int64, error) {
	rows, err := tx.QueryContext(ctx, q, from, to)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cells := make([]Cell, ncol)
	dest := make([]any, ncol)
	for i := range cells {
		dest[i] = &cells[i]
	}
	buf := make([]byte, 0, 64<<10+4<<10)
	var n int64
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, err
		}
		n++
		if !encode {
			continue
		}
		for i := range cells {
			if i > 0 {
				buf = append(buf, ',')
			}
			if c := &cells[i]; c.Text != "" {
				buf = append(buf, c.Text...)
			} else if !c.Null {
				buf = strconv.AppendInt(buf, c.Int, 10)
			}
		}
		buf = append(buf, '\r', '\n')
		if len(buf) >= 64<<10 {
			buf = buf[:0]
		}
	}
	return n, rows.Err()
}

// floorRawScan is floorScan's scan below database/sql: the driver's rows on the connection.
func floorRawScan(ctx context.Context, conn *sql.Conn, q string, from, to int64, ncol int) (int64, error) {
	var n int64
	err := conn.Raw(func(dc any) error {
		rows, err := dc.(driver.QueryerContext).QueryContext(ctx, q, []driver.NamedValue{{Ordinal: 1, Value: from}, {Ordinal: 2, Value: to}})
		if err != nil {
			return err
		}
		defer rows.Close()
		cells := make([]Cell, ncol)
		dest := make([]driver.Value, ncol)
		for {
			if err := rows.Next(dest); errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return err
			}
			for i, v := range dest {
				if err := cells[i].Scan(v); err != nil {
					return err
				}
			}
			n++
		}
	})
	return n, err
}
