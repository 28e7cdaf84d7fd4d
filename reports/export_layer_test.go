package reports

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestExportFilesDoNotSpeakSQL keeps the export engine on the store's typed Snapshot methods:
// every query lives with the store (data/snapshot_export.go, from data/datasets.go).
func TestExportFilesDoNotSpeakSQL(t *testing.T) {
	files, err := filepath.Glob("export*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no export files: %v", err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); path == "database/sql" || strings.Contains(path, "sqlite") {
				t.Errorf("%s imports %s: ask the store's Snapshot instead", name, path)
			}
		}
	}
}
