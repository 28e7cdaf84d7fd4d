package reports

import (
	"context"
	"slices"

	"github.com/almanac-app/almanac/data/store"
)

// maxPreloadNames bounds how many names an export holds in memory (33 bytes each once loaded,
// in a table indexed by id: 33 MB for a million customers). Up to it, names come from tables
// filled once, which saves SQLite a B-tree seek per row and joined table: most of the time of an
// appointments export, and once the joined table outgrows the page cache, a read from the file
// per row (at 10M appointments and 1M customers, 90 s instead of 30 s). A bigger table is joined
// per row instead, so memory stays bounded however large the tenant.
const maxPreloadNames = 2_000_000

// beginExport starts the export's file with enc.begin and loads its names (loadNames; nil: the
// queries join them). Every export path calls it before enc writes a row.
func (j *exportJob) beginExport(ctx context.Context, sn *store.Snapshot, enc encoder) (*store.ExportNames, error) {
	if err := enc.begin(); err != nil {
		return nil, err
	}
	return j.loadNames(ctx, sn, enc)
}

// loadNames reads the names the dataset's name columns show, from the export's snapshot, and
// prepares them once for enc: cleaned of control characters and, when enc can, encoded as it
// writes them, so its rows append them as they are (call it before the encoder writes a row or
// hands out a rowAppender). It returns nil when the columns need none or a table is too big to
// hold. j.req.namesLimit overrides maxPreloadNames when non-zero (negative: never preload; tests
// use it).
func (j *exportJob) loadNames(ctx context.Context, sn *store.Snapshot, enc encoder) (*store.ExportNames, error) {
	limit := j.req.namesLimit
	if limit == 0 {
		limit = maxPreloadNames
	}
	if limit < 0 {
		return nil, nil
	}
	nm, err := sn.ExportNames(ctx, j.ds.name, limit)
	if nm == nil || err != nil {
		return nil, err
	}
	// One pass over the names, whatever the encoder: a second copy of a million names would
	// cost as much memory again.
	ne, encodes := enc.(nameEncoder)
	if !encodes {
		nm.Clean(cleanText)
		return nm, nil
	}
	nm.Clean(func(s string) string { return ne.encodeName(cleanText(s)) })
	ne.encodeNames(j.ds.nameCols)
	return nm, nil
}

// nameEncoder is an encoder that can write preloaded names it encoded once, instead of
// encoding the same few names on every row (CSV and JSON).
type nameEncoder interface {
	encodeName(s string) string // the bytes the encoder writes for the text s
	encodeNames(cols []bool)    // the columns marked true hold names encoded by encodeName
}

// encodedColumns is a copy of cols whose columns marked in names are kindEncoded.
func encodedColumns(cols []exportColumn, names []bool) []exportColumn {
	out := slices.Clone(cols)
	for i := range out {
		if i < len(names) && names[i] {
			out[i].kind = kindEncoded
		}
	}
	return out
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
