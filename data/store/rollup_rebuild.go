package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// rebuildRollups recomputes every rollup from the raw rows: one scan per source table (and
// filter) reading every value its rollups need, aggregated in memory, then each rollup table is
// emptied and refilled in key order. A GROUP BY per rollup would sort a million rows five times;
// this reads them twice. CheckRollups' GROUP BY (checkQuery) stays the independent computation it
// is compared against.
func rebuildRollups(ctx context.Context, tx *sql.Tx) error {
	later, err := dropRollupIndexes(ctx, tx)
	if err != nil {
		return err
	}
	err = aggregateRollups(ctx, tx, func(t rollupTable) error { return t.write(ctx, tx) })
	if err != nil {
		return err
	}
	return finishRollups(ctx, tx, later)
}

// dropRollupIndexes drops the rollup tables' secondary indexes before a refill and returns their
// DDL for finishRollups: a table refilled in key order appends to its primary key, but would
// insert at random into an index of another order; building the index after is one sort.
func dropRollupIndexes(ctx context.Context, tx *sql.Tx) ([]string, error) {
	return dropIndexesWhere(ctx, tx, "tbl_name LIKE 'rollup_%'")
}

// finishRollups ends a refill: the copies first, then the indexes (one covers the copies).
func finishRollups(ctx context.Context, tx *sql.Tx, indexes []string) error {
	if err := fillCopies(ctx, tx); err != nil {
		return err
	}
	return createIndexes(ctx, tx, indexes)
}

// aggregateRollups scans the raw rows of q (the writing transaction, or a read transaction of
// the same rows) and hands each rollup's rows, in key order, to emit, one scan at a time.
func aggregateRollups(ctx context.Context, q *sql.Tx, emit func(rollupTable) error) error {
	have, err := rollupTables(ctx, q)
	if err != nil {
		return err
	}
	if err := dropIncomplete(ctx, q, have); err != nil {
		return err
	}
	a := &rollupAgg{textIdx: map[string]int32{}}
	for _, sc := range rollupScans(have) { // migration 2 rebuilds before migration 3 has created its rollup
		if err := a.scan(ctx, q, sc); err != nil {
			return fmt.Errorf("rebuild rollups of %s: %w", sc.source, err)
		}
		for i, ru := range sc.rollups {
			if err := emit(a.table(ru, sc.agg[i])); err != nil {
				return fmt.Errorf("rebuild %s: %w", ru.table, err)
			}
			sc.agg[i] = nil // handed on: let the next scan reuse the memory
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

// dropIncomplete takes out of have the rollups whose table lacks a column of the definition:
// a migration before the one adding the column rebuilds without it, and that one rebuilds it.
func dropIncomplete(ctx context.Context, tx *sql.Tx, have map[string]bool) error {
	for _, ru := range rollups {
		if !have[ru.table] {
			continue
		}
		var n int
		q := "SELECT COUNT(*) FROM pragma_table_info(?) WHERE name IN ('" + strings.Join(names(ru.cols()), "', '") + "')"
		if err := tx.QueryRowContext(ctx, q, ru.table).Scan(&n); err != nil {
			return fmt.Errorf("columns of %s: %w", ru.table, err)
		}
		have[ru.table] = n == len(ru.cols())
	}
	return nil
}

// rollupKey is one rollup row's key, in key order: texts are interned (indexes into
// rollupAgg.text), numbers kept as they are. Unused fields stay zero.
type rollupKey [maxRollupKeys]int64

// rollupSums is one rollup row's sums, in order.
type rollupSums [maxRollupSums]int64

// rollupScan is one scan of a source table feeding the rollups that share its filter.
type rollupScan struct {
	source, filter string
	rollups        []rollup
	cols           []rollupCol // the distinct values the rollups need
	keyIdx, sumIdx [][]int     // per rollup: the positions in cols of its keys and of its sums
	agg            []map[rollupKey]rollupSums
}

// rollupScans groups the rollups whose table exists by source and filter.
func rollupScans(have map[string]bool) []*rollupScan {
	var scans []*rollupScan
	for _, ru := range rollups {
		if !have[ru.table] {
			continue
		}
		i := slices.IndexFunc(scans, func(sc *rollupScan) bool { return sc.source == ru.source && sc.filter == ru.filter })
		if i < 0 {
			i = len(scans)
			scans = append(scans, &rollupScan{source: ru.source, filter: ru.filter})
		}
		scans[i].add(ru)
	}
	return scans
}

func (sc *rollupScan) add(ru rollup) {
	pos := func(cs []rollupCol) []int {
		idx := make([]int, len(cs))
		for i, c := range cs {
			if c == count {
				idx[i] = -1 // adds 1 per row without reading a column
				continue
			}
			j := slices.IndexFunc(sc.cols, func(d rollupCol) bool { return d.at("r") == c.at("r") && d.text == c.text })
			if j < 0 {
				j = len(sc.cols)
				sc.cols = append(sc.cols, c)
			}
			idx[i] = j
		}
		return idx
	}
	sc.rollups = append(sc.rollups, ru)
	sc.keyIdx = append(sc.keyIdx, pos(ru.keys))
	sc.sumIdx = append(sc.sumIdx, pos(ru.sums))
	sc.agg = append(sc.agg, map[rollupKey]rollupSums{})
}

// query is the scan's SELECT.
func (sc *rollupScan) query() string {
	sel, from := rowsSQL(sc.source, sc.filter, sc.cols)
	return "SELECT " + strings.Join(sel, ", ") + " FROM " + from
}

// rowsSQL returns the values of cols for the source rows (alias r) passing filter, and the FROM
// clause (with its WHERE) they are read from. A key from another table is read through a LEFT
// JOIN, which SQLite runs about twice as fast as the triggers' correlated subquery.
func rowsSQL(source, filter string, cols []rollupCol) (sel []string, from string) {
	from = source + " r"
	for i, c := range cols {
		l := c.lookup
		if l == nil {
			sel = append(sel, c.at("r"))
			continue
		}
		alias := "l" + strconv.Itoa(i)
		from += " LEFT JOIN " + l.table + " " + alias + " ON " + alias + ".id = r." + l.ref
		sel = append(sel, "COALESCE("+alias+"."+l.col+", "+l.none+")")
	}
	if filter != "" {
		from += " WHERE " + strings.ReplaceAll(filter, "{r}", "r")
	}
	return sel, from
}

// rollupAgg interns the rollups' texts.
type rollupAgg struct {
	text    []string
	textIdx map[string]int32
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

// scan reads the source rows once and adds each to every rollup of sc.
func (a *rollupAgg) scan(ctx context.Context, tx *sql.Tx, sc *rollupScan) error {
	rows, err := tx.QueryContext(ctx, sc.query())
	if err != nil {
		return err
	}
	defer rows.Close()
	raw := make([]sql.RawBytes, len(sc.cols))
	vals := make([]int64, len(sc.cols))
	dest := make([]any, len(sc.cols))
	for i, c := range sc.cols {
		if c.text {
			dest[i] = &raw[i]
		} else {
			dest[i] = &vals[i]
		}
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		for i, c := range sc.cols {
			if c.text {
				vals[i] = int64(a.intern(raw[i]))
			}
		}
		for j, m := range sc.agg {
			var k rollupKey
			for x, i := range sc.keyIdx[j] {
				k[x] = vals[i]
			}
			v, seen := m[k]
			for x, i := range sc.sumIdx[j] {
				switch c := sc.rollups[j].sums[x]; {
				case c.prev: // filled in from the row before, in table
				case i < 0:
					v[x]++
				case c.fold == "":
					v[x] += vals[i]
				case !seen || a.beyond(c, vals[i], v[x]):
					v[x] = vals[i]
				}
			}
			m[k] = v
		}
	}
	return rows.Err()
}

// beyond reports whether value x replaces the current least (MIN) or greatest (MAX) value cur
// of c; texts compare as strings, not by their interned index.
func (a *rollupAgg) beyond(c rollupCol, x, cur int64) bool {
	d := cmp.Compare(x, cur)
	if c.text {
		d = strings.Compare(a.text[x], a.text[cur])
	}
	if c.fold == "MIN" {
		return d < 0
	}
	return d > 0
}

// rollupTable is one rollup's rows ready to write, sorted by primary key: compact (texts as
// indexes into text, which is read-only once the table is made) so the rows of every rollup can
// wait for the writer at once (finishLoad).
type rollupTable struct {
	ru   rollup
	text []string
	rows []rollupRow
}

// rollupRow is one rollup row: its key, its sums, and a bit per sum that is NULL (a previous key
// with no row before it).
type rollupRow struct {
	k    rollupKey
	v    rollupSums
	null uint8
}

// table turns m into ru's rows sorted by primary key, so the refill appends to the B-tree.
func (a *rollupAgg) table(ru rollup, m map[rollupKey]rollupSums) rollupTable {
	rows := make([]rollupRow, 0, len(m))
	for k, v := range m {
		rows = append(rows, rollupRow{k: k, v: v})
	}
	t := rollupTable{ru: ru, text: a.text, rows: rows}
	slices.SortFunc(rows, func(x, y rollupRow) int { return t.compareKeys(x.k, y.k, len(ru.keys)) })
	t.fillPrevious()
	return t
}

// compareKeys compares the first n keys of x and y in the table's key order.
func (t rollupTable) compareKeys(x, y rollupKey, n int) int {
	for i, c := range t.ru.keys[:n] {
		var d int
		if c.text {
			d = strings.Compare(t.text[x[i]], t.text[y[i]])
		} else {
			d = cmp.Compare(x[i], y[i])
		}
		if d != 0 {
			return d
		}
	}
	return 0
}

// fillPrevious sets the previous-key values (previousOf) of the sorted rows: the last key of
// the row before when it shares the other keys, else NULL.
func (t rollupTable) fillPrevious() {
	last := len(t.ru.keys) - 1
	for x, c := range t.ru.sums {
		if !c.prev {
			continue
		}
		for i := range t.rows {
			if i > 0 && t.compareKeys(t.rows[i-1].k, t.rows[i].k, last) == 0 {
				t.rows[i].v[x] = t.rows[i-1].k[last]
			} else {
				t.rows[i].null |= 1 << x
			}
		}
	}
}

// appendRow appends r's values (keys, then sums) to args.
func (t rollupTable) appendRow(args []any, r rollupRow) []any {
	for x, c := range t.ru.keys {
		args = append(args, t.value(c, r.k[x]))
	}
	for x, c := range t.ru.sums {
		if r.null&(1<<x) != 0 {
			args = append(args, nil)
			continue
		}
		args = append(args, t.value(c, r.v[x]))
	}
	return args
}

// value is column c's SQL value for v.
func (t rollupTable) value(c rollupCol, v int64) any {
	if c.text {
		return t.text[v]
	}
	return v
}

// write empties the table and inserts its rows, many per statement (and the revenue digests
// of digestSource's, writeDigests).
func (t rollupTable) write(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+t.ru.table); err != nil {
		return err
	}
	const per = 200
	cols := names(t.ru.cols())
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
			args = t.appendRow(args, r)
		}
		var err error
		switch {
		case len(chunk) < per:
			_, err = tx.ExecContext(ctx, insertSQL(t.ru.table, cols, len(chunk)), args...)
		case full == nil:
			if full, err = tx.PrepareContext(ctx, insertSQL(t.ru.table, cols, per)); err == nil {
				_, err = full.ExecContext(ctx, args...)
			}
		default:
			_, err = full.ExecContext(ctx, args...)
		}
		if err != nil {
			return err
		}
	}
	if t.ru.table == digestSource {
		return t.writeDigests(ctx, tx)
	}
	return nil
}
