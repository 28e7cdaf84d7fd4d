package store

import "unsafe"

// nameTable is one table's names by id: a slice indexed by id when the ids are dense enough
// (a slice index costs a fraction of a map lookup, per row and name column), else a map.
//
// A dense table holds each name inline in a 32-byte entry (its length, then its bytes), so a
// row's lookup reads one cache line, and the encoder's copy of the name reads the same line:
// with 100,000 customers, a []string and a []bool beside it cost a cache miss each for the
// header, the flag and the bytes (a tenth of an export's CPU). A name too long for an entry
// is kept in long. The strings get hands out point into the entries, which never change:
// Clean builds new ones.
type nameTable struct {
	dense []nameEntry
	long  map[int64]string // dense ids whose names do not fit an entry
	m     map[int64]string // sparse ids
}

// nameEntry is one dense id's name: n bytes of b, or no row (nameMissing), or a name in the
// table's long map (nameLong).
type nameEntry struct {
	n uint8
	b [inlineNameBytes]byte
}

const (
	inlineNameBytes = 31
	nameLong        = 0xFE
	nameMissing     = 0xFF
)

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
	t := &nameTable{dense: make([]nameEntry, hi+1), long: map[int64]string{}}
	for i := range t.dense {
		t.dense[i].n = nameMissing
	}
	for id, n := range names {
		t.set(id, n)
	}
	return t
}

// set stores the name of a dense id.
func (t *nameTable) set(id int64, name string) {
	e := &t.dense[id]
	if len(name) > inlineNameBytes {
		e.n, t.long[id] = nameLong, name
		return
	}
	e.n = uint8(copy(e.b[:], name))
	delete(t.long, id)
}

func (t *nameTable) get(id int64) (string, bool) {
	if t.m != nil {
		n, ok := t.m[id]
		return n, ok
	}
	if id < 0 || id >= int64(len(t.dense)) {
		return "", false
	}
	e := &t.dense[id]
	switch e.n {
	case nameMissing:
		return "", false
	case nameLong:
		return t.long[id], true
	}
	return unsafe.String(&e.b[0], int(e.n)), true
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
	c := &nameTable{dense: make([]nameEntry, len(t.dense)), long: map[int64]string{}}
	for i := range t.dense {
		n, ok := t.get(int64(i))
		if !ok {
			c.dense[i].n = nameMissing
			continue
		}
		c.set(int64(i), clean(n))
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
