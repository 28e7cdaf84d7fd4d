package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
)

// The export reads of a Snapshot: counts, rows, names and text widths of the datasets in the
// dataset table (datasets.go), every query built from a dataset's entry.

// ExportFilter is an export's resolved filters; the zero value takes every row.
type ExportFilter struct {
	From, To              string // local dates YYYY-MM-DD; "" is open-ended
	Status                string
	ServiceID, ResourceID int64 // 0: any
	Active                *bool
	Loc                   *time.Location // the tenant's zone, for the instant range behind the dates; nil is UTC
	// Range, when set, keeps only the rows whose dataset Key is in it (ExportRows only).
	Range *KeyRange
}

// KeyRange is a half-open range [Lo, Hi) of a dataset's Key.
type KeyRange struct{ Lo, Hi int64 }

// ExportRanges splits the rows of the filter into at most n ranges of the dataset's Key, in
// order, of about equal width between the smallest and largest key the filter's instant range
// holds (two index seeks). Reading them one after the other gives exactly the rows of
// ExportRows, in its order. It returns nil when the dataset has no Key or there are no rows.
func (sn *Snapshot) ExportRanges(ctx context.Context, dataset string, f ExportFilter, n int) ([]KeyRange, error) {
	d, err := datasetFiltered(dataset, f)
	if err != nil || d.Key == "" || n < 1 {
		return nil, err
	}
	var w sqlWhere
	if d.Dates != nil {
		lo, hi := instantBounds(f.From, f.To, f.Loc)
		w.add(d.Dates.Instant+" >= ?", lo)
		w.add(d.Dates.Instant+" < ?", hi)
	}
	var lo, hi sql.NullInt64
	q := "SELECT MIN(" + d.Key + "), MAX(" + d.Key + ") FROM " + d.From + w.String()
	if err := sn.tx.QueryRowContext(ctx, q, w.args...).Scan(&lo, &hi); err != nil {
		return nil, fmt.Errorf("key range: %w", err)
	}
	if !lo.Valid {
		return nil, nil
	}
	return splitKeys(lo.Int64, hi.Int64+1, n), nil
}

// splitKeys cuts [lo, hi) into at most n ranges of about equal width; the first starts at
// math.MinInt64 and the last ends at math.MaxInt64, so together they hold every key.
func splitKeys(lo, hi int64, n int) []KeyRange {
	width := (hi - lo) / int64(n)
	if width < 1 {
		width, n = 1, int(hi-lo)
	}
	out := make([]KeyRange, 0, n)
	for i := range n {
		out = append(out, KeyRange{Lo: lo + int64(i)*width, Hi: lo + int64(i+1)*width})
	}
	out[0].Lo, out[n-1].Hi = math.MinInt64, math.MaxInt64
	return out
}

// Cell is one value of an export row: an integer (ids, counts, money, instants, booleans), a
// text, or NULL. It implements sql.Scanner, so a row scans without reflection.
type Cell struct {
	Int  int64
	Text string
	Null bool
}

// Scan stores the driver's value: SQLite hands back int64, string or nil for dataset columns.
func (c *Cell) Scan(src any) error {
	c.Null = false
	switch v := src.(type) {
	case nil:
		c.Null = true
	case int64:
		c.Int = v
	case string:
		c.Text = v
	case []byte:
		c.Text = string(v)
	case float64:
		c.Int = int64(v)
	case bool:
		c.Int = 0
		if v {
			c.Int = 1
		}
	case time.Time:
		c.Int = v.Unix()
	default:
		return fmt.Errorf("unexpected %T value", src)
	}
	return nil
}

func datasetNamed(name string) (*Dataset, error) {
	d := findDataset(name)
	if d == nil {
		return nil, fmt.Errorf("unknown dataset %q", name)
	}
	return d, nil
}

// check refuses a filter the dataset does not take, which its queries would otherwise ignore,
// and a typed dataset, which has no query.
func (d *Dataset) check(f ExportFilter) error {
	if d.Typed {
		return fmt.Errorf("dataset %s is read by its typed Snapshot method, not a query", d.Name)
	}
	if d.Dates == nil && (f.From != "" || f.To != "") {
		return fmt.Errorf("dataset %s has no date filter", d.Name)
	}
	if f.Range != nil && d.Key == "" {
		return fmt.Errorf("dataset %s cannot be read in key ranges", d.Name)
	}
	for _, name := range []string{FilterStatus, FilterService, FilterResource, FilterActive} {
		_, given := f.value(name)
		if given && !slices.ContainsFunc(d.Filters, func(x DatasetFilter) bool { return x.Name == name }) {
			return fmt.Errorf("dataset %s has no %s filter", d.Name, name)
		}
	}
	return nil
}

// datasetFiltered is the dataset called name, after checking that it takes the filter.
func datasetFiltered(name string, f ExportFilter) (*Dataset, error) {
	d, err := datasetNamed(name)
	if err != nil {
		return nil, err
	}
	return d, d.check(f)
}

// ExportCount is how many rows ExportRows gives for the filter. It sums a daily rollup when one
// covers the filters: the triggers keep them in the same transactions as the rows, so they agree
// with the snapshot, and summing them costs nothing next to counting a million rows.
func (sn *Snapshot) ExportCount(ctx context.Context, dataset string, f ExportFilter) (int64, error) {
	d, err := datasetFiltered(dataset, f)
	if err != nil {
		return 0, err
	}
	q, args := d.countSQL(f)
	var n int64
	if err := sn.tx.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count rows: %w", err)
	}
	return n, nil
}

// ExportRows runs the dataset's query. With joinNames the RoleName columns are joined per row;
// without, they are left for ExportNames.Fill. RoleTenantCurrency columns are never read.
func (sn *Snapshot) ExportRows(ctx context.Context, dataset string, f ExportFilter, joinNames bool) (*ExportRows, error) {
	d, err := datasetFiltered(dataset, f)
	if err != nil {
		return nil, err
	}
	q, args := d.selectSQL(f, joinNames)
	rows, err := sn.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	r := &ExportRows{rows: rows}
	for i, c := range d.Columns {
		if c.SQL != "" || (joinNames && c.Role == RoleName) {
			r.scanned = append(r.scanned, i)
		}
	}
	r.dest = make([]any, len(r.scanned))
	return r, nil
}

// ExportSQL is the SELECT that ExportRows runs with the names joined, with its arguments, for
// yardsticks that run the same query elsewhere (the export benchmark gives it to the sqlite3 tool).
func ExportSQL(dataset string, f ExportFilter) (string, []any, error) {
	d, err := datasetFiltered(dataset, f)
	if err != nil {
		return "", nil, err
	}
	q, args := d.selectSQL(f, true)
	return q, args, nil
}

// ExportRows iterates over a dataset's rows, as sql.Rows does.
type ExportRows struct {
	rows    *sql.Rows
	scanned []int // the row positions the query fills, in SELECT order
	dest    []any
}

// Next prepares the next row; false at the end or on an error (see Err).
func (r *ExportRows) Next() bool { return r.rows.Next() }

// Scan fills the current row's values into row, which has one Cell per dataset column: the
// columns the query reads are set, the others (names left to ExportNames, the tenant's
// currency) are not touched.
func (r *ExportRows) Scan(row []Cell) error {
	for k, i := range r.scanned {
		r.dest[k] = &row[i]
	}
	return r.rows.Scan(r.dest...)
}

// Err is the error that ended the iteration, if any.
func (r *ExportRows) Err() error { return r.rows.Err() }

// Close releases the query; it is safe to call more than once.
func (r *ExportRows) Close() error { return r.rows.Close() }

// ExportNames holds the names a dataset's RoleName columns show, preloaded from the snapshot.
type ExportNames struct {
	cols []nameColumn
}

type nameColumn struct {
	at, id int // positions of the name and of its id
	names  *nameTable
}

// nameTable is one table's names by id: a slice indexed by id when the ids are dense enough
// (a slice index costs a fraction of a map lookup, per row and name column), else a map.
type nameTable struct {
	dense []string // dense[id]; has[id] says whether the row exists
	has   []bool
	m     map[int64]string
}

// newNameTable indexes names, densely when the largest id is at most twice their number.
func newNameTable(names map[int64]string) *nameTable {
	var hi int64 = -1
	for id := range names {
		if id < 0 {
			return &nameTable{m: names}
		}
		hi = max(hi, id)
	}
	if hi >= int64(2*len(names)+64) {
		return &nameTable{m: names}
	}
	t := &nameTable{dense: make([]string, hi+1), has: make([]bool, hi+1)}
	for id, n := range names {
		t.dense[id], t.has[id] = n, true
	}
	return t
}

func (t *nameTable) get(id int64) (string, bool) {
	if t.m != nil {
		n, ok := t.m[id]
		return n, ok
	}
	if id < 0 || id >= int64(len(t.dense)) || !t.has[id] {
		return "", false
	}
	return t.dense[id], true
}

// Clean replaces every name by clean(name) once, so rows filled from them need no cleaning.
func (m *ExportNames) Clean(clean func(string) string) {
	seen := map[*nameTable]bool{}
	for _, c := range m.cols {
		t := c.names
		if seen[t] {
			continue
		}
		seen[t] = true
		for id, n := range t.m {
			t.m[id] = clean(n)
		}
		for i, n := range t.dense {
			t.dense[i] = clean(n)
		}
	}
}

// ExportNames reads the names the dataset's RoleName columns show, once, so rows need no join.
// It returns nil when the dataset has none or a name table has more than limit rows (the rows
// must then be read with joinNames).
func (sn *Snapshot) ExportNames(ctx context.Context, dataset string, limit int) (*ExportNames, error) {
	d, err := datasetNamed(dataset)
	if err != nil {
		return nil, err
	}
	tables := d.nameTables()
	if len(tables) == 0 {
		return nil, nil
	}
	for _, t := range tables {
		var n int
		if err := sn.tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		if n > limit {
			return nil, nil
		}
	}
	byTable := map[string]*nameTable{}
	for _, t := range tables {
		names, err := sn.readNames(ctx, t)
		if err != nil {
			return nil, err
		}
		byTable[t] = newNameTable(names)
	}
	m := &ExportNames{}
	for i, c := range d.Columns {
		if c.Role == RoleName {
			m.cols = append(m.cols, nameColumn{at: i, id: d.ColumnIndex(c.IDKey), names: byTable[c.NameTable]})
		}
	}
	return m, nil
}

func (d *Dataset) nameTables() []string {
	var tables []string
	for _, c := range d.Columns {
		if c.Role == RoleName && !slices.Contains(tables, c.NameTable) {
			tables = append(tables, c.NameTable)
		}
	}
	return tables
}

func (sn *Snapshot) readNames(ctx context.Context, table string) (map[int64]string, error) {
	rows, err := sn.tx.QueryContext(ctx, "SELECT id, name FROM "+table)
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

// Fill sets a row's name columns from the preloaded names; an id with no row gives NULL, as the
// LEFT JOIN of ExportRows with joinNames does.
func (m *ExportNames) Fill(row []Cell) {
	for _, c := range m.cols {
		id := row[c.id]
		name, ok := c.names.get(id.Int)
		if id.Null || !ok {
			row[c.at] = Cell{Null: true}
			continue
		}
		row[c.at] = Cell{Text: name}
	}
}

// LongestText is the length in characters of the longest value of each measured column
// (RoleText, RolePhone, RoleName) over the whole table, by column key (0 for an empty table):
// cheap queries over small tables that let an XLSX sheet fit its widths before any row.
func (sn *Snapshot) LongestText(ctx context.Context, dataset string) (map[string]int, error) {
	d, err := datasetNamed(dataset)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, c := range d.Columns {
		q := d.longestSQL(c)
		if q == "" {
			continue
		}
		var n sql.NullInt64
		if err := sn.tx.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return nil, fmt.Errorf("measure column %s: %w", c.Key, err)
		}
		out[c.Key] = int(n.Int64)
	}
	return out, nil
}

// longestSQL is "" for a typed dataset: it has no table to measure (its reader measures its rows).
func (d *Dataset) longestSQL(c DatasetColumn) string {
	if d.Typed {
		return ""
	}
	switch c.Role {
	case RoleText, RolePhone:
		return "SELECT MAX(LENGTH(" + c.SQL + ")) FROM " + d.From
	case RoleName:
		return "SELECT MAX(LENGTH(name)) FROM " + c.NameTable
	}
	return ""
}

// sqlWhere collects SQL conditions and their arguments.
type sqlWhere struct {
	conds []string
	args  []any
}

func (w *sqlWhere) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *sqlWhere) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// where is the dataset's WHERE for the filter: the dates first (the instant range, then the exact
// local dates; the unary + keeps SQLite from picking the local-date index, which would force a
// sort), then each filter the dataset takes that has a value.
func (d *Dataset) where(f ExportFilter) sqlWhere {
	var w sqlWhere
	r := f.Range
	if d.Dates != nil {
		lo, hi := instantBounds(f.From, f.To, f.Loc)
		if r != nil && d.Key == d.Dates.Instant {
			// One range on the instant, so SQLite walks its index over exactly this part.
			lo, hi, r = max(lo, r.Lo), min(hi, r.Hi), nil
		}
		w.add(d.Dates.Instant+" >= ?", lo)
		w.add(d.Dates.Instant+" < ?", hi)
		if f.From != "" {
			w.add("+"+d.Dates.LocalDate+" >= ?", f.From)
		}
		if f.To != "" {
			w.add("+"+d.Dates.LocalDate+" <= ?", f.To)
		}
	}
	if r != nil {
		w.add(d.Key+" >= ?", r.Lo)
		w.add(d.Key+" < ?", r.Hi)
	}
	for _, flt := range d.Filters {
		if v, ok := f.value(flt.Name); ok {
			w.add(flt.Column+" = ?", v)
		}
	}
	return w
}

// value is the filter's value and whether it has one.
func (f ExportFilter) value(filter string) (any, bool) {
	switch filter {
	case FilterStatus:
		return f.Status, f.Status != ""
	case FilterService:
		return f.ServiceID, f.ServiceID != 0
	case FilterResource:
		return f.ResourceID, f.ResourceID != 0
	case FilterActive:
		if f.Active == nil {
			return nil, false
		}
		if *f.Active {
			return 1, true
		}
		return 0, true
	}
	return nil, false
}

// instantBounds turns local dates into a Unix-second range that surely contains them (two days
// of slack either side cover any zone offset); the exact test stays on the local-date column.
func instantBounds(from, to string, loc *time.Location) (lo, hi int64) {
	if loc == nil {
		loc = time.UTC
	}
	lo, hi = -1<<62, 1<<62
	if d, err := time.ParseInLocation(data.DateLayout, from, loc); err == nil && from > "0001" {
		lo = d.AddDate(0, 0, -2).Unix()
	}
	if d, err := time.ParseInLocation(data.DateLayout, to, loc); err == nil {
		hi = d.AddDate(0, 0, 3).Unix()
	}
	return lo, hi
}

// selectSQL is the dataset's SELECT. Name joins are LEFT JOINs, so a row whose named row is
// missing is still read (with a NULL name) and the count always matches the rows.
func (d *Dataset) selectSQL(f ExportFilter, joinNames bool) (string, []any) {
	var cols []string
	var joins strings.Builder
	for _, c := range d.Columns {
		switch {
		case c.SQL != "":
			cols = append(cols, c.SQL)
		case joinNames && c.Role == RoleName:
			alias := "n_" + c.Key
			cols = append(cols, alias+".name")
			idSQL := d.Columns[d.ColumnIndex(c.IDKey)].SQL
			fmt.Fprintf(&joins, " LEFT JOIN %s %s ON %s.id = %s", c.NameTable, alias, alias, idSQL)
		}
	}
	w := d.where(f)
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + d.From + joins.String()
	if d.Joins != "" {
		q += " " + d.Joins
	}
	return q + w.String() + " ORDER BY " + d.OrderBy, w.args
}

// countSQL counts the rows selectSQL gives, from the first rollup that covers the filters.
func (d *Dataset) countSQL(f ExportFilter) (string, []any) {
	if r := d.rollupFor(f); r != nil {
		var w sqlWhere
		if f.From != "" {
			w.add("local_date >= ?", f.From)
		}
		if f.To != "" {
			w.add("local_date <= ?", f.To)
		}
		if f.Status != "" {
			w.add("status = ?", f.Status)
		}
		if v, ok := f.value(r.Filter); ok {
			w.add(r.Column+" = ?", v)
		}
		return "SELECT COALESCE(SUM(n), 0) FROM " + r.Table + w.String(), w.args
	}
	w := d.where(f)
	return "SELECT COUNT(*) FROM " + d.From + w.String(), w.args
}

// rollupFor is the first rollup whose column answers every filter given besides dates and status.
func (d *Dataset) rollupFor(f ExportFilter) *CountRollup {
	if f.Range != nil {
		return nil // the rollups know days, not key ranges
	}
	for i := range d.Rollups {
		r := &d.Rollups[i]
		covered := true
		for _, flt := range d.Filters {
			if _, given := f.value(flt.Name); given && flt.Name != FilterStatus && flt.Name != r.Filter {
				covered = false
			}
		}
		if covered {
			return r
		}
	}
	return nil
}

// scanCacheKiB is the page cache of a connection while an export scans: a one-pass scan reads
// each page once, so the reader's usual 32 MiB would only hold memory (per connection).
const scanCacheKiB = 2048

// ScanCache shrinks the snapshot's page cache for a one-pass scan of many rows. The returned
// func gives the connection back its cache size; call it before the snapshot ends.
func (sn *Snapshot) ScanCache(ctx context.Context) (func(), error) {
	var was int64
	if err := sn.tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&was); err != nil {
		return nil, fmt.Errorf("read cache size: %w", err)
	}
	if _, err := sn.tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", -scanCacheKiB)); err != nil {
		return nil, fmt.Errorf("set cache size: %w", err)
	}
	return func() {
		sn.tx.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA cache_size = %d", was)) //nolint:errcheck // only memory is at stake
	}, nil
}
