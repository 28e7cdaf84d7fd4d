package reports

import (
	"context"
	"slices"

	"github.com/almanac-app/almanac/data/store"
)

// maxPreloadNames bounds how many names an export holds in memory (about 80 bytes each). Up to
// it, names come from maps filled once, which saves SQLite a B-tree seek per row and joined
// table (most of the time of an appointments export); a bigger table is joined per row instead,
// so memory stays bounded however large the tenant.
const maxPreloadNames = 250_000

// loadExportNames reads the names the dataset's name columns show, from the export's snapshot.
// It returns nil when the columns need none or a table is too big to hold.
// limit overrides maxPreloadNames when non-zero (negative: never preload; tests use it).
func loadExportNames(ctx context.Context, sn *store.Snapshot, dataset string, limit int) (*store.ExportNames, error) {
	if limit == 0 {
		limit = maxPreloadNames
	}
	if limit < 0 {
		return nil, nil
	}
	nm, err := sn.ExportNames(ctx, dataset, limit)
	if nm != nil {
		nm.Clean(cleanText) // once per name instead of once per row
	}
	return nm, err
}

// nameEncoder is an encoder that can write preloaded names it encoded once, instead of
// encoding the same few names on every row (CSV and JSON).
type nameEncoder interface {
	encodeName(s string) string // the bytes the encoder writes for the text s
	encodeNames(cols []bool)    // the columns marked true hold names encoded by encodeName
}

// preEncodeNames encodes nm's names once for enc when it can, so its rows append them as they
// are. Call it before the encoder writes a row or hands out a rowAppender.
func (j *exportJob) preEncodeNames(enc encoder, nm *store.ExportNames) {
	ne, ok := enc.(nameEncoder)
	if !ok || nm == nil {
		return
	}
	nm.Clean(ne.encodeName)
	ne.encodeNames(j.ds.nameCols)
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
