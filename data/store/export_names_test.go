package store

import (
	"database/sql"
	"strings"
	"testing"
	"unsafe"
)

// TestNameTable looks up dense and sparse tables: names that fit an entry and longer ones, an
// empty name, ids without a row, negative and out-of-range ids; Clean gives new names to later
// lookups while a name handed out before keeps its text.
func TestNameTable(t *testing.T) {
	long := strings.Repeat("é", 20) // 40 bytes: kept outside the entries
	names := map[int64]string{0: "Ann", 1: "", 3: long, 4: strings.Repeat("x", inlineNameBytes), 5: "Zoë", 6: strings.Repeat("y", inlineNameBytes+1)}
	for _, tc := range []struct {
		name  string
		names map[int64]string
		dense bool
	}{
		{"dense", names, true},
		{"sparse", withID(names, 1000, "Far"), false},
	} {
		tab := newNameTable(tc.names)
		if (tab.m == nil) != tc.dense {
			t.Fatalf("%s: dense %v, want %v", tc.name, tab.m == nil, tc.dense)
		}
		for _, id := range []int64{-1, 0, 1, 2, 3, 4, 5, 6, 999, 1000, 1001} {
			want, wantOK := tc.names[id]
			if got, ok := tab.get(id); got != want || ok != wantOK {
				t.Errorf("%s: get(%d) = %q, %v; want %q, %v", tc.name, id, got, ok, want, wantOK)
			}
		}
		before, _ := tab.get(0)
		m := &ExportNames{cols: []nameColumn{{names: tab}, {names: tab}}}
		m.Clean(func(s string) string { return "<" + s + ">" })
		if m.cols[0].names != m.cols[1].names {
			t.Errorf("%s: a table shared by two columns was cleaned into two", tc.name)
		}
		for id, n := range tc.names {
			if got, ok := m.cols[0].names.get(id); !ok || got != "<"+n+">" {
				t.Errorf("%s: cleaned get(%d) = %q, %v; want %q", tc.name, id, got, ok, "<"+n+">")
			}
		}
		if _, ok := m.cols[0].names.get(2); ok {
			t.Errorf("%s: cleaned get(2) found a name for an id without a row", tc.name)
		}
		if before != "Ann" {
			t.Errorf("%s: a name handed out before Clean became %q", tc.name, before)
		}
	}
}

func withID(m map[int64]string, id int64, name string) map[int64]string {
	out := map[int64]string{id: name}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestWordsIntern hands back the first copy of a text it has seen, for up to maxWords texts,
// and any other text as it is.
func TestWordsIntern(t *testing.T) {
	var w words
	first := strings.Clone("completed")
	if got := w.intern(first); got != first {
		t.Fatalf("intern(%q) = %q", first, got)
	}
	again := strings.Clone("completed")
	if got := w.intern(again); got != "completed" || unsafe.StringData(got) != unsafe.StringData(first) {
		t.Errorf("a repeated text was not handed back as its first copy")
	}
	for i := range 2 * maxWords {
		s := strings.Repeat("s", i+1)
		if got := w.intern(s); got != s {
			t.Errorf("intern(%q) = %q", s, got)
		}
	}
	if len(w.seen) != maxWords {
		t.Errorf("%d texts interned, want at most %d", len(w.seen), maxWords)
	}
}

// newNameTable indexes names as the store's loading does, densely when denseNames says so
// (a test helper: the store builds its tables as it reads the rows).
func newNameTable(names map[int64]string) *nameTable {
	var lo, hi sql.NullInt64
	for id := range names {
		if !lo.Valid || id < lo.Int64 {
			lo = sql.NullInt64{Int64: id, Valid: true}
		}
		if !hi.Valid || id > hi.Int64 {
			hi = sql.NullInt64{Int64: id, Valid: true}
		}
	}
	n := denseNames(len(names), lo, hi)
	if n < 0 {
		return &nameTable{m: names}
	}
	t := newDenseTable(n)
	for id, name := range names {
		t.set(id, name)
	}
	return t
}
