package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
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
	// IDs, when set, keeps only the rows whose RowID is in it and gives them in table (rowid)
	// order, not the dataset's: the caller sorts them by Key, then RowID (ExportRows only;
	// export_table_order.go).
	IDs *KeyRange

	ids *idSpan // set by ExportRows: read Range in rowid order over these ids
}

// idSpan is a closed range of rowids guessed to hold most rows of a key range, and the
// positions of the Key and RowID columns in the dataset's rows. rest selects the range's other
// rows (ids outside the span) instead of the span's.
type idSpan struct {
	lo, hi  int64
	key, id int
	rest    bool
}

// KeyRange is a half-open range [Lo, Hi) of a dataset's Key.
type KeyRange struct{ Lo, Hi int64 }

// ExportRanges splits the rows of the filter into at most n ranges of the dataset's Key, in
// order, of about equal width between the smallest and largest key the filter's instant range
// holds (two index seeks: MIN and MAX each in a subquery of its own, as SQLite seeks only a
// lone MIN or MAX; together in one SELECT they walk every index entry of the range, 0.15 s at
// 1M appointments before the readers start). Reading them one after the other gives exactly
// the rows of ExportRows, in its order. It returns nil when the dataset has no Key or there
// are no rows.
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
	// CAST: a key stored as a real number (SQLite keeps 1.5 in an INTEGER column) still gives
	// integer bounds; the first and last ranges are open-ended, so every key is in a range.
	from := " FROM " + d.From + w.String()
	q := "SELECT (SELECT CAST(MIN(" + d.Key + ") AS INTEGER)" + from + "), (SELECT CAST(MAX(" + d.Key + ") AS INTEGER)" + from + ")"
	if err := sn.tx.QueryRowContext(ctx, q, append(slices.Clone(w.args), w.args...)...).Scan(&lo, &hi); err != nil {
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
// The other fields are cleared, so a reused cell holds nothing of its last value.
func (c *Cell) Scan(src any) error {
	*c = Cell{}
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
	if f.IDs != nil && (d.RowID == "" || f.Range != nil) {
		return fmt.Errorf("dataset %s cannot be read in table order", d.Name)
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
	if f.ids, err = sn.rangeIDs(ctx, d, f); err != nil {
		return nil, err
	}
	query := func(f ExportFilter) (*sql.Rows, error) {
		q, args := d.selectSQL(f, joinNames)
		rows, err := sn.tx.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("query: %w", err)
		}
		return rows, nil
	}
	r := &ExportRows{keyAt: -1, scanned: scannedColumns(d, joinNames)}
	for i := range d.Columns {
		if !slices.Contains(r.scanned, i) {
			r.unread = append(r.unread, i)
		}
	}
	r.dest = make([]any, len(r.scanned))
	if f.IDs != nil {
		r.keyAt = slices.Index(r.scanned, d.columnWithSQL(d.Key))
		r.key.odd = &r.odd
	}
	if f.ids != nil {
		whole, rest := f, f
		whole.ids = nil
		rest.ids = &idSpan{lo: f.ids.lo, hi: f.ids.hi, rest: true}
		r.sorted = &sortedRows{ncol: len(d.Columns), key: f.ids.key, id: f.ids.id, buf: sortBufs.Get().(*sortBuf),
			rest: func() (*sql.Rows, error) { return query(rest) }, whole: func() (*sql.Rows, error) { return query(whole) }}
		r.sorted.keyAt = slices.Index(r.scanned, f.ids.key)
		if sn.conn != nil {
			if r.sorted.raw, err = sn.rawRange(ctx, d, f, rest, joinNames); err != nil {
				return nil, err
			}
			return r, nil // the queries run in the first Next
		}
	}
	if r.rows, err = query(f); err != nil {
		return nil, err
	}
	return r, nil
}

// scannedColumns is the positions of the columns the dataset's query reads, in SELECT order.
func scannedColumns(d *Dataset, joinNames bool) []int {
	var out []int
	for i, c := range d.Columns {
		if c.SQL != "" || (joinNames && c.Role == RoleName) {
			out = append(out, i)
		}
	}
	return out
}

// rawRange is the span's and the rest's queries of a sorted range, read on the snapshot's
// connection (export_raw.go).
func (sn *Snapshot) rawRange(ctx context.Context, d *Dataset, span, rest ExportFilter, joinNames bool) (*rawRange, error) {
	rr := &rawRange{ctx: ctx, conn: sn.conn}
	var err error
	if rr.span, err = newRawQuery(d.selectSQL(span, joinNames)); err != nil {
		return nil, err
	}
	if rr.rest, err = newRawQuery(d.selectSQL(rest, joinNames)); err != nil {
		return nil, err
	}
	return rr, nil
}

// A key range of a dataset with a RowID is read mostly in rowid order and sorted in memory:
// ids are given in booking order, which mostly follows the Key, so the range's rows lie mostly
// between the ids of its first and last rows by Key. Those are read in table order, the few
// others through the Key's index (the index holds the rowid, so only they cost a table seek),
// and Go sorts them all by Key, then rowid, as the dataset's ORDER BY does. A row read through
// the index costs a table seek; a row of the rowid scan outside the range costs one column read
// and a comparison. SQLite's own sorter (ORDER BY over the rowid scan) costs as much as the
// seeks it saves.
// maxSortedRows bounds the rows a range holds in memory and the id span it reads; a larger
// range is read through the index alone (a variable for the tests).
var maxSortedRows = 1 << 15

const (
	// spanMargin widens the guessed span by 1/spanMargin of itself on each side, for the rows
	// booked a little before the first or after the last.
	spanMargin = 16
)

// rangeIDs guesses the rowid span of a Range of a dataset with a RowID from the ids of its first
// and last rows by Key (two index seeks), or is nil to read the range through the index alone:
// no such dataset or range, no rows, or ids that do not follow the Key (a span wider than
// maxSortedRows).
func (sn *Snapshot) rangeIDs(ctx context.Context, d *Dataset, f ExportFilter) (*idSpan, error) {
	if f.Range == nil || d.RowID == "" || d.Dates == nil || d.Key != d.Dates.Instant {
		return nil, nil
	}
	key, id := d.columnWithSQL(d.Key), d.columnWithSQL(d.RowID)
	if key < 0 || id < 0 {
		return nil, nil
	}
	lo, hi := instantBounds(f.From, f.To, f.Loc)
	lo, hi = max(lo, f.Range.Lo), min(hi, f.Range.Hi)
	edge := func(dir string) (sql.NullInt64, error) {
		q := "SELECT " + d.RowID + " FROM " + d.From + " WHERE " + d.Key + " >= ? AND " + d.Key + " < ? ORDER BY " +
			d.Key + " " + dir + ", " + d.RowID + " " + dir + " LIMIT 1"
		var v sql.NullInt64
		err := sn.tx.QueryRowContext(ctx, q, lo, hi).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		if err != nil {
			return v, fmt.Errorf("measure key range: %w", err)
		}
		return v, nil
	}
	first, err := edge("ASC")
	if err != nil || !first.Valid {
		return nil, err
	}
	last, err := edge("DESC")
	if err != nil || !last.Valid {
		return nil, err
	}
	a, b := min(first.Int64, last.Int64), max(first.Int64, last.Int64)
	if b-a >= int64(maxSortedRows) {
		return nil, nil
	}
	m := (b - a) / spanMargin
	return &idSpan{lo: a - m, hi: b + m, key: key, id: id}, nil
}

// columnWithSQL is the position of the column read as sql, or -1.
func (d *Dataset) columnWithSQL(sql string) int {
	return slices.IndexFunc(d.Columns, func(c DatasetColumn) bool { return c.SQL == sql })
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
	unread  []int // the others: held rows keep them zero (ScanHeld)
	dest    []any
	sorted  *sortedRows  // a range read in rowid order, sorted here; nil: rows come in order
	gaveUp  bool         // a sorted read was given up for one through the index
	names   *ExportNames // HoldNames: fill the held rows' names as they are loaded
	// keyAt, for rows in table order (ExportFilter.IDs), is the Key's position in the scanned
	// columns (else -1), and key notes a Key that is not an integer (OddKey).
	keyAt int
	key   keyScanner
	odd   bool
}

// sortedRows holds a key range read as its id span in rowid order and the rest through the
// index, and the order its rows go out in: by key, then rowid, as the dataset's ORDER BY.
type sortedRows struct {
	ncol, key, id int // cells per row; positions of the Key and RowID columns
	keyAt         int // the Key's position in the scanned columns
	buf           *sortBuf
	n, next, cur  int // rows held, next to give, current
	loaded        bool
	odd           bool // a key that is not an integer: Go would not order it as SQLite does
	err           error
	// rest queries the range's rows outside the id span; whole, the range in order through the
	// index (for a range too large to hold, or odd keys).
	rest, whole func() (*sql.Rows, error)
	// raw, when set, reads the span and the rest on the snapshot's connection below
	// database/sql (export_raw.go); ExportRows then leaves rows nil until a read of the whole.
	raw   *rawRange
	words []words // per scanned column, its texts while few (export_raw.go)
}

// sortBuf is a range's rows, ncol cells each, and their order; buffers are reused by the next range.
type sortBuf struct {
	cells []Cell
	order []sortKey
}

// sortKey is a held row's Key and RowID beside its position: the sort compares values in one
// small contiguous array instead of reaching into the rows' cells for every comparison.
type sortKey struct {
	key, id int64
	at      int32
}

var sortBufs = sync.Pool{New: func() any { return new(sortBuf) }}

// Next prepares the next row; false at the end or on an error (see Err).
func (r *ExportRows) Next() bool {
	s := r.sorted
	if s == nil {
		return r.rows.Next()
	}
	if !s.loaded {
		s.loaded = true
		if !s.load(r) && s.err == nil {
			return r.readWhole()
		}
	}
	if s.err != nil || s.next >= s.n {
		return false
	}
	s.cur = int(s.buf.order[s.next].at)
	s.next++
	return true
}

// load reads the span's rows and the rest and sorts them; false when the range must be read
// whole instead (too many rows, an odd key) or on an error (s.err).
func (s *sortedRows) load(r *ExportRows) bool {
	s.buf.cells, s.buf.order = s.buf.cells[:0], s.buf.order[:0]
	if s.raw != nil {
		if !s.loadRaw(r, s.raw) {
			return false
		}
	} else if !s.loadRows(r) {
		return false
	}
	if r.names != nil {
		r.names.fillAll(s.buf.cells[:s.n*s.ncol], s.ncol)
	}
	slices.SortFunc(s.buf.order, func(x, y sortKey) int {
		if c := cmp.Compare(x.key, y.key); c != 0 {
			return c
		}
		return cmp.Compare(x.id, y.id)
	})
	return true
}

// loadRows reads the span's rows (r.rows) and the rest through database/sql; false as load.
func (s *sortedRows) loadRows(r *ExportRows) bool {
	if !s.fill(r, r.rows) {
		return false
	}
	rest, err := s.rest()
	if err != nil {
		s.err = err
		return false
	}
	ok := s.fill(r, rest)
	if err := rest.Close(); err != nil && s.err == nil {
		s.err = err
	}
	return ok && s.err == nil
}

// fill appends the rows of rows to the buffer; false on an error (s.err), too many rows or an
// odd key.
func (s *sortedRows) fill(r *ExportRows, rows *sql.Rows) bool {
	b := s.buf
	k := keyScanner{odd: &s.odd}
	for rows.Next() {
		if s.n >= maxSortedRows {
			return false
		}
		at := len(b.cells)
		b.cells = slices.Grow(b.cells, s.ncol)[:at+s.ncol]
		row := b.cells[at:]
		for _, i := range r.unread {
			row[i] = Cell{} // a reused buffer holds an earlier range's values
		}
		for j, i := range r.scanned {
			r.dest[j] = &row[i]
		}
		k.c = &row[s.key]
		r.dest[s.keyAt] = &k
		if err := rows.Scan(r.dest...); err != nil {
			s.err = err
			return false
		}
		if s.odd {
			return false
		}
		b.order = append(b.order, sortKey{key: row[s.key].Int, id: row[s.id].Int, at: int32(s.n)})
		s.n++
	}
	if err := rows.Err(); err != nil {
		s.err = err
		return false
	}
	return true
}

// keyScanner scans a Key cell and notes a value that is not an integer.
type keyScanner struct {
	c   *Cell
	odd *bool
}

func (k *keyScanner) Scan(src any) error {
	if _, ok := src.(int64); !ok {
		*k.odd = true
	}
	return k.c.Scan(src)
}

// readWhole gives up the sorted read: the range is read through the index, in order.
func (r *ExportRows) readWhole() bool {
	s := r.sorted
	r.sorted, r.gaveUp = nil, true
	sortBufs.Put(s.buf)
	if r.rows != nil {
		r.rows.Close() //nolint:errcheck // read to the end or given up; the new query reports errors
	}
	rows, err := s.whole()
	if err != nil {
		r.sorted = &sortedRows{err: err, loaded: true}
		return false
	}
	r.rows = rows
	return r.rows.Next()
}

// Scan fills the current row's values into row, which has one Cell per dataset column: the
// columns the query reads are set, the others (names left to ExportNames, the tenant's
// currency) are not touched.
func (r *ExportRows) Scan(row []Cell) error {
	s := r.sorted
	if s == nil {
		return r.scanInto(row)
	}
	src := s.buf.cells[s.cur*s.ncol : (s.cur+1)*s.ncol]
	for _, i := range r.scanned {
		row[i] = src[i]
	}
	return nil
}

// ScanHeld is Scan without the copy when the rows are held in memory (a sorted range): it
// returns the held row itself, which the caller may change (its unread columns are zero) and
// which is valid until the next Next. Otherwise it scans into row and returns it.
func (r *ExportRows) ScanHeld(row []Cell) ([]Cell, error) {
	s := r.sorted
	if s == nil {
		return row, r.scanInto(row)
	}
	return s.buf.cells[s.cur*s.ncol : (s.cur+1)*s.ncol : (s.cur+1)*s.ncol], nil
}

func (r *ExportRows) scanInto(row []Cell) error {
	for k, i := range r.scanned {
		r.dest[k] = &row[i]
	}
	if r.keyAt >= 0 {
		r.key.c = &row[r.scanned[r.keyAt]]
		r.dest[r.keyAt] = &r.key
	}
	return r.rows.Scan(r.dest...)
}

// OddKey reports whether a row read in table order (ExportFilter.IDs) so far had a Key that is
// not an integer: sorting such rows in Go would not give SQLite's order.
func (r *ExportRows) OddKey() bool { return r.odd }

// HoldNames makes a sorted range fill the name columns of its rows from nm as it loads them,
// all in one pass in the order they were read (the names' lookups of consecutive rows then
// overlap in memory, instead of one cache miss after another between rows' encodings). Call it
// before the first Next; NamesFilled says whether the current row got its names so.
func (r *ExportRows) HoldNames(nm *ExportNames) { r.names = nm }

// NamesFilled reports whether the current row's names were filled by HoldNames's ExportNames;
// if not, the caller fills them (ExportNames.Fill).
func (r *ExportRows) NamesFilled() bool { return r.names != nil && r.sorted != nil }

// Err is the error that ended the iteration, if any.
func (r *ExportRows) Err() error {
	if r.sorted != nil && r.sorted.err != nil {
		return r.sorted.err
	}
	if r.rows == nil {
		return nil // a range read on its connection (rawRange), which reports through sorted.err
	}
	return r.rows.Err()
}

// Close releases the query; it is safe to call more than once.
func (r *ExportRows) Close() error {
	if s := r.sorted; s != nil && s.buf != nil {
		sortBufs.Put(s.buf)
		s.buf, s.err, s.n, s.loaded = nil, errors.New("rows are closed"), 0, true
	}
	if r.rows == nil {
		return nil
	}
	return r.rows.Close()
}

// ExportNames holds the names a dataset's RoleName columns show, preloaded from the snapshot.
type ExportNames struct {
	cols []nameColumn
}

type nameColumn struct {
	at, id int // positions of the name and of its id
	names  *nameTable
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
	byTable := map[string]*nameTable{}
	for _, t := range tables {
		var n int
		var lo, hi sql.NullInt64
		if err := sn.tx.QueryRowContext(ctx, "SELECT COUNT(*), MIN(id), MAX(id) FROM "+t).Scan(&n, &lo, &hi); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		if n > limit {
			return nil, nil
		}
		var err error
		if byTable[t], err = sn.readNames(ctx, t, denseNames(n, lo, hi)); err != nil {
			return nil, err
		}
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

// readNames reads a table's names into a dense table of n ids (denseNames), or a map for n < 0.
// Filled as they are read, a million names take their table's 33 MB, not a map's 100 MB first.
func (sn *Snapshot) readNames(ctx context.Context, table string, n int) (*nameTable, error) {
	rows, err := sn.tx.QueryContext(ctx, "SELECT id, name FROM "+table)
	if err != nil {
		return nil, fmt.Errorf("read %s names: %w", table, err)
	}
	defer rows.Close()
	t := &nameTable{m: map[int64]string{}}
	if n >= 0 {
		t = newDenseTable(n)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("read %s names: %w", table, err)
		}
		if t.m != nil {
			t.m[id] = name
		} else {
			t.set(id, name)
		}
	}
	return t, rows.Err()
}

// Fill sets a row's name columns from the preloaded names; an id with no row gives NULL, as the
// LEFT JOIN of ExportRows with joinNames does.
func (m *ExportNames) Fill(row []Cell) { m.fillWarm(row) }

// fillAll is Fill for each row of cells, ncol cells a row.
func (m *ExportNames) fillAll(cells []Cell, ncol int) {
	for at := 0; at+ncol <= len(cells); at += ncol {
		m.Fill(cells[at : at+ncol : at+ncol])
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
		instant := d.Dates.Instant
		if r != nil && d.Key == instant {
			// One range on the instant, so SQLite walks its index over exactly this part.
			lo, hi, r = max(lo, r.Lo), min(hi, r.Hi), nil
			switch {
			case f.ids != nil && f.ids.rest:
				// The rows outside the id span, through the index (the + keeps SQLite on it).
				w.add("(+"+d.RowID+" < ? OR +"+d.RowID+" > ?)", f.ids.lo, f.ids.hi)
			case f.ids != nil:
				// The rows of the id span, in table order (the + keeps SQLite off the index).
				w.add(d.RowID+" >= ?", f.ids.lo)
				w.add(d.RowID+" <= ?", f.ids.hi)
				instant = "+" + instant
			}
		}
		if f.IDs != nil {
			instant = "+" + instant // the rowid range below is the one SQLite walks
		}
		w.add(instant+" >= ?", lo)
		w.add(instant+" < ?", hi)
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
	plus := ""
	if f.IDs != nil {
		w.add(d.RowID+" >= ?", f.IDs.Lo)
		w.add(d.RowID+" < ?", f.IDs.Hi)
		plus = "+" // no index: the rows come in table order
	}
	for _, flt := range d.Filters {
		if v, ok := f.value(flt.Name); ok {
			w.add(plus+flt.Column+" = ?", v)
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
	order := d.OrderBy
	if (f.ids != nil && !f.ids.rest) || f.IDs != nil {
		order = d.RowID // the table's own order; ExportRows or its caller sorts the rows
	}
	return q + w.String() + " ORDER BY " + order, w.args
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
