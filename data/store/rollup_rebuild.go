package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// rebuildRollups recomputes every rollup from the raw rows: one scan of the appointments and one
// of the succeeded payments, aggregated in memory, then each rollup table is emptied and
// refilled in key order. A GROUP BY per rollup would sort a million rows five times; this reads
// them twice. The SQL in rollupQueries stays the independent definition CheckRollups compares
// against.
func rebuildRollups(ctx context.Context, tx *sql.Tx) error {
	have, err := rollupTables(ctx, tx)
	if err != nil {
		return err
	}
	agg := newRollupAgg()
	if err := agg.scanAppointments(ctx, tx); err != nil {
		return err
	}
	if err := agg.scanRevenue(ctx, tx); err != nil {
		return err
	}
	for _, t := range agg.tables() {
		if !have[t.table] {
			continue // migration 2 rebuilds before migration 3 has created its rollup
		}
		if err := t.write(ctx, tx); err != nil {
			return fmt.Errorf("rebuild %s: %w", t.table, err)
		}
	}
	return nil
}

// rollupTables reports which rollup tables exist.
func rollupTables(ctx context.Context, tx *sql.Tx) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rollup_%'")
	if err != nil {
		return nil, fmt.Errorf("list rollups: %w", err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		have[name] = true
	}
	return have, rows.Err()
}

// rollupKey is one rollup row's key: dates and texts are interned (indexes into rollupAgg.text),
// numbers kept as they are. Unused fields stay zero.
type rollupKey struct {
	t1, t2 int32
	n1, n2 int64
}

// rollupAgg accumulates every rollup in memory.
type rollupAgg struct {
	text    []string
	textIdx map[string]int32
	svc     map[rollupKey][2]int64 // (date, status, service) -> n, minutes
	res     map[rollupKey][2]int64 // (date, status, resource) -> n
	hour    map[rollupKey][2]int64 // (date, status, hour) -> n
	svcRes  map[rollupKey][2]int64 // (date, -, service, resource) -> n
	revenue map[rollupKey][2]int64 // (date, currency, service) -> cents, n
}

func newRollupAgg() *rollupAgg {
	return &rollupAgg{textIdx: map[string]int32{}, svc: map[rollupKey][2]int64{}, res: map[rollupKey][2]int64{},
		hour: map[rollupKey][2]int64{}, svcRes: map[rollupKey][2]int64{}, revenue: map[rollupKey][2]int64{}}
}

// intern returns b's index in a.text; m[string(b)] does not allocate for a known value.
func (a *rollupAgg) intern(b []byte) int32 {
	if i, ok := a.textIdx[string(b)]; ok {
		return i
	}
	i := int32(len(a.text))
	a.text = append(a.text, string(b))
	a.textIdx[a.text[i]] = i
	return i
}

func bump(m map[rollupKey][2]int64, k rollupKey, x, y int64) {
	v := m[k]
	m[k] = [2]int64{v[0] + x, v[1] + y}
}

func (a *rollupAgg) scanAppointments(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "SELECT local_date, status, service_id, resource_id, local_hour, (end_at - start_at) / 60 FROM appointments")
	if err != nil {
		return fmt.Errorf("rebuild rollups: %w", err)
	}
	defer rows.Close()
	var date, status sql.RawBytes
	var svc, res, hour, minutes int64
	for rows.Next() {
		if err := rows.Scan(&date, &status, &svc, &res, &hour, &minutes); err != nil {
			return fmt.Errorf("rebuild rollups: %w", err)
		}
		d, s := a.intern(date), a.intern(status)
		bump(a.svc, rollupKey{t1: d, t2: s, n1: svc}, 1, minutes)
		bump(a.res, rollupKey{t1: d, t2: s, n1: res}, 1, 0)
		bump(a.hour, rollupKey{t1: d, t2: s, n1: hour}, 1, 0)
		bump(a.svcRes, rollupKey{t1: d, n1: svc, n2: res}, 1, 0)
	}
	return rows.Err()
}

func (a *rollupAgg) scanRevenue(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT p.paid_local_date, p.currency, COALESCE(a.service_id, 0), p.amount_cents
		FROM payments p LEFT JOIN appointments a ON a.id = p.appointment_id
		WHERE p.status = 'succeeded' AND p.paid_local_date IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("rebuild revenue rollup: %w", err)
	}
	defer rows.Close()
	var date, currency sql.RawBytes
	var svc, cents int64
	for rows.Next() {
		if err := rows.Scan(&date, &currency, &svc, &cents); err != nil {
			return fmt.Errorf("rebuild revenue rollup: %w", err)
		}
		bump(a.revenue, rollupKey{t1: a.intern(date), t2: a.intern(currency), n1: svc}, cents, 1)
	}
	return rows.Err()
}

// rollupTable is one rollup's rows ready to write: cols in primary-key order, then the sums.
type rollupTable struct {
	table string
	cols  string
	rows  [][]any
}

func (a *rollupAgg) tables() []rollupTable {
	s := a.text
	return []rollupTable{
		a.table("rollup_appt_service", "local_date, status, service_id, n, minutes", a.svc,
			func(k rollupKey, v [2]int64) []any { return []any{s[k.t1], s[k.t2], k.n1, v[0], v[1]} }),
		a.table("rollup_appt_resource", "local_date, status, resource_id, n", a.res,
			func(k rollupKey, v [2]int64) []any { return []any{s[k.t1], s[k.t2], k.n1, v[0]} }),
		a.table("rollup_appt_hour", "local_date, local_hour, status, n", a.hour,
			func(k rollupKey, v [2]int64) []any { return []any{s[k.t1], k.n1, s[k.t2], v[0]} }),
		a.table("rollup_appt_service_resource", "service_id, local_date, resource_id, n", a.svcRes,
			func(k rollupKey, v [2]int64) []any { return []any{k.n1, s[k.t1], k.n2, v[0]} }),
		a.table("rollup_revenue_service", "local_date, service_id, currency, cents, n", a.revenue,
			func(k rollupKey, v [2]int64) []any { return []any{s[k.t1], k.n1, s[k.t2], v[0], v[1]} }),
	}
}

// table turns m into rows sorted by primary key, so the refill appends to the B-tree.
func (a *rollupAgg) table(name, cols string, m map[rollupKey][2]int64, row func(rollupKey, [2]int64) []any) rollupTable {
	rows := make([][]any, 0, len(m))
	for k, v := range m {
		rows = append(rows, row(k, v))
	}
	slices.SortFunc(rows, compareRows)
	return rollupTable{table: name, cols: cols, rows: rows}
}

func compareRows(x, y []any) int {
	for i := range x {
		var c int
		switch xv := x[i].(type) {
		case string:
			c = strings.Compare(xv, y[i].(string))
		case int64:
			c = cmp.Compare(xv, y[i].(int64))
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// write empties the table and inserts its rows, many per statement.
func (t rollupTable) write(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+t.table); err != nil {
		return err
	}
	const per = 200
	cols := strings.Split(t.cols, ", ")
	var full *sql.Stmt // the statement for a whole chunk, prepared once
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, per*len(cols))
	for start := 0; start < len(t.rows); start += per {
		chunk := t.rows[start:min(start+per, len(t.rows))]
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r...)
		}
		var err error
		switch {
		case len(chunk) < per:
			_, err = tx.ExecContext(ctx, insertSQL(t.table, cols, len(chunk)), args...)
		case full == nil:
			if full, err = tx.PrepareContext(ctx, insertSQL(t.table, cols, per)); err == nil {
				_, err = full.ExecContext(ctx, args...)
			}
		default:
			_, err = full.ExecContext(ctx, args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
