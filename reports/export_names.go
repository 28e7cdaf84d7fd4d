package reports

import (
	"context"
	"database/sql"
	"fmt"
)

// maxPreloadNames bounds how many names an export holds in memory (about 80 bytes each). Up to
// it, names come from maps filled once, which saves SQLite a B-tree seek per row and joined
// table (most of the time of an appointments export); a bigger table is joined per row instead,
// so memory stays bounded however large the tenant.
const maxPreloadNames = 250_000

// nameMaps maps a table to its id → name.
type nameMaps map[string]map[int64]string

// loadExportNames reads the names the columns refer to, from the export's snapshot. It returns nil
// when the columns need none or a table is too big to hold.
// limit overrides maxPreloadNames when non-zero (negative: never preload; tests use it).
func loadExportNames(ctx context.Context, tx *sql.Tx, cols []exportColumn, limit int) (nameMaps, error) {
	if limit == 0 {
		limit = maxPreloadNames
	}
	var tables []string
	for _, c := range cols {
		if c.nameFrom != "" && !containsString(tables, c.nameFrom) {
			tables = append(tables, c.nameFrom)
		}
	}
	if len(tables) == 0 || limit < 0 {
		return nil, nil
	}
	for _, t := range tables {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		if n > limit {
			return nil, nil
		}
	}
	m := nameMaps{}
	for _, t := range tables {
		names, err := readExportNames(ctx, tx, t)
		if err != nil {
			return nil, err
		}
		m[t] = names
	}
	return m, nil
}

func readExportNames(ctx context.Context, tx *sql.Tx, table string) (map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, name FROM "+table)
	if err != nil {
		return nil, fmt.Errorf("read %s names: %w", table, err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("read %s names: %w", table, err)
		}
		out[id] = name
	}
	return out, rows.Err()
}

// fill sets a row's name columns from the maps; an id with no row gives NULL, as the LEFT
// JOIN of the fallback query does.
func (m nameMaps) fill(cols []exportColumn, row []cell) {
	for i, c := range cols {
		if c.nameFrom == "" {
			continue
		}
		id := row[c.idCol]
		name, ok := m[c.nameFrom][id.i]
		if id.null || !ok {
			row[i] = cell{null: true}
			continue
		}
		row[i] = cell{s: name}
	}
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
