package store

import (
	"database/sql"
	"unsafe"
)

// nameTable is one table's names by id: slices indexed by id when the ids are dense enough
// (a slice index costs a fraction of a map lookup, per row and name column), else a map.
//
// A dense table keeps each name's length in lens (one byte an id: 100,000 customers fit a
// core's cache) and its bytes in a 32-byte entry of text, so a row's lookup reads only lens
// and makes its string point into the entry, and the entry itself is read once, by the
// encoder's copy of the name: with a []string and a []bool beside it, the lookup cost a cache
// miss each for the header and the flag before the copy's miss on the bytes (a tenth of an
// export's CPU). A name too long for an entry is kept in long. The strings get hands out point
// into the entries, which never change: Clean builds new ones.
type nameTable struct {
	lens []uint8 // a dense id's name length, or nameLong, or nameMissing
	text [][inlineNameBytes]byte
	long map[int64]string // dense ids whose names do not fit an entry
	m    map[int64]string // sparse ids
}

const (
	inlineNameBytes = 32
	nameLong        = 0xFE
	nameMissing     = 0xFF
)

// denseNames is how many ids a dense table of count names with ids from lo to hi holds, or -1
// when they belong in a map: a negative id, or a largest id more than twice their number.
func denseNames(count int, lo, hi sql.NullInt64) int {
	if !lo.Valid {
		return 0
	}
	if lo.Int64 < 0 || hi.Int64 >= int64(2*count+64) {
		return -1
	}
	return int(hi.Int64 + 1)
}

// newDenseTable is a dense table of n ids without names.
func newDenseTable(n int) *nameTable {
	t := &nameTable{lens: make([]uint8, n), text: make([][inlineNameBytes]byte, n), long: map[int64]string{}}
	for i := range t.lens {
		t.lens[i] = nameMissing
	}
	return t
}

// set stores the name of a dense id.
func (t *nameTable) set(id int64, name string) {
	if len(name) > inlineNameBytes {
		t.lens[id], t.long[id] = nameLong, name
		return
	}
	t.lens[id] = uint8(copy(t.text[id][:], name))
	delete(t.long, id)
}

func (t *nameTable) get(id int64) (string, bool) {
	if t.m != nil {
		n, ok := t.m[id]
		return n, ok
	}
	if id < 0 || id >= int64(len(t.lens)) {
		return "", false
	}
	switch n := t.lens[id]; n {
	case nameMissing:
		return "", false
	case nameLong:
		return t.long[id], true
	default:
		return unsafe.String(&t.text[id][0], int(n)), true
	}
}

// cleaned is a new table of clean(name) for every name of t (t and the strings it gave out are
// left as they are).
func (t *nameTable) cleaned(clean func(string) string) *nameTable {
	if t.m != nil {
		m := make(map[int64]string, len(t.m))
		for id, n := range t.m {
			m[id] = clean(n)
		}
		return &nameTable{m: m}
	}
	c := newDenseTable(len(t.lens))
	for i := range t.lens {
		if n, ok := t.get(int64(i)); ok {
			c.set(int64(i), clean(n))
		}
	}
	return c
}

// Clean replaces every name by clean(name) once, so rows filled from them need no cleaning.
// Rows filled before keep the names they were given.
func (m *ExportNames) Clean(clean func(string) string) {
	done := map[*nameTable]*nameTable{}
	for i, c := range m.cols {
		nt, ok := done[c.names]
		if !ok {
			nt = c.names.cleaned(clean)
			done[c.names] = nt
		}
		m.cols[i].names = nt
	}
}

// fillWarm is Fill that also returns the first byte of every name it sets (or 0), read so that
// the name is in the cache when the row is encoded.
func (m *ExportNames) fillWarm(row []Cell) byte {
	var warm byte
	for _, c := range m.cols {
		id := row[c.id]
		name, ok := c.names.get(id.Int)
		if id.Null || !ok {
			row[c.at] = Cell{Null: true}
			continue
		}
		row[c.at] = Cell{Text: name}
		if name != "" {
			warm ^= name[0]
		}
	}
	return warm
}
