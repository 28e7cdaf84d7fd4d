package data_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/almanac-app/almanac"

// TestImportArrows holds the layout docs/architecture.md describes: the arrows point one way
// (ui → reports → data, ui and reports → license; license and data import nothing of ours),
// only data/store speaks SQL, only the sync client and its reference server speak HTTP, only
// cmd/tenantd and tests import the reference server, and nothing imports a command (cmd/internal
// is the commands' own shared code). It reads the import lines of every
// non-test file of the module.
func TestImportArrows(t *testing.T) {
	imports := moduleImports(t, "..")
	if len(imports) < 8 {
		t.Fatalf("found only %d packages: the check is not looking at the module", len(imports))
	}
	for pkg, imps := range imports {
		for _, imp := range imps {
			if why := forbidden(pkg, imp); why != "" {
				t.Errorf("%s imports %s: %s", pkg, imp, why)
			}
		}
	}
}

// forbidden says why package pkg (a path inside the module, "" for none) may not import imp.
func forbidden(pkg, imp string) string {
	ours, own := strings.CutPrefix(imp, module+"/")
	under := func(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }
	switch {
	case (imp == "database/sql" || strings.HasPrefix(imp, "modernc.org/sqlite")) && !under(pkg, "data/store") && !under(pkg, "data/datatest"):
		return "only data/store speaks SQL"
	case imp == "net/http" && (pkg == "data" || under(pkg, "data/store") || under(pkg, "data/demo") || under(pkg, "reports") || under(pkg, "license")):
		return "only the sync client, its reference server and the front ends speak HTTP"
	case strings.HasPrefix(imp, "fyne.io/") && !under(pkg, "ui") && !under(pkg, "cmd") && pkg != "assets":
		return "only ui, assets (its bundled resources) and the main package that opens it use Fyne"
	case !own:
		return ""
	case pkg == "data" || pkg == "license" || under(pkg, "license"):
		return "data and license import nothing of ours"
	case under(pkg, "data") && !under(ours, "data"):
		return "data's packages import only data's packages"
	case under(pkg, "reports") && (under(ours, "ui") || under(ours, "cmd")):
		return "reports does not know its front ends"
	case under(pkg, "reports") && under(ours, "data/sync"):
		return "reports does not sync: cmd hands the jobs runner its sync as a func"
	case under(ours, "data/sync/tenantserver") && pkg != "cmd/tenantd" && !under(pkg, "data/datatest"):
		return "only cmd/tenantd and tests use the reference server"
	case under(pkg, "ui") && under(ours, "data/store"):
		return "the UI reads the store through reports and the services cmd wires in"
	case under(ours, "data/datatest"):
		return "data/datatest is for tests only"
	case under(ours, "cmd/internal") && !under(pkg, "cmd"):
		return "cmd/internal is the commands' shared code"
	case under(ours, "cmd") && !under(ours, "cmd/internal"):
		return "nothing imports a command"
	}
	return ""
}

// moduleImports maps each package folder under root (relative, slash-separated) to the
// imports of its non-test Go files.
func moduleImports(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		for _, s := range f.Imports {
			imp, _ := strconv.Unquote(s.Path.Value)
			if !slices.Contains(out[pkg], imp) {
				out[pkg] = append(out[pkg], imp)
			}
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

// TestForbiddenCatchesViolations: the rules refuse what they are there to refuse.
func TestForbiddenCatchesViolations(t *testing.T) {
	for _, c := range [][2]string{
		{"reports", "database/sql"}, {"ui", "modernc.org/sqlite"}, {"data/sync", "database/sql"},
		{"data", module + "/license"}, {"license", module + "/data"}, {"data/store", module + "/reports"},
		{"reports", module + "/ui"}, {"ui", module + "/data/sync/tenantserver"}, {"data", "net/http"},
		{"reports", "fyne.io/fyne/v2"}, {"ui", module + "/data/datatest"}, {"ui", module + "/data/store"},
		{"cmd/almanac", module + "/cmd/tenantd"}, {"ui", module + "/cmd/internal/cli"},
		{"reports/jobs", module + "/data/sync"}, {"reports/jobs", "fyne.io/fyne/v2"}, {"reports/jobs", "database/sql"},
	} {
		if forbidden(c[0], c[1]) == "" {
			t.Errorf("%s importing %s is allowed", c[0], c[1])
		}
	}
	for _, c := range [][2]string{
		{"data/store", "database/sql"}, {"reports", module + "/data/store"}, {"ui", module + "/reports"},
		{"cmd/tenantd", module + "/data/sync/tenantserver"}, {"data/sync", "net/http"}, {"ui", "fyne.io/fyne/v2"},
		{"cmd/almanac", module + "/cmd/internal/cli"}, {"reports/jobs", module + "/reports"},
		{"reports/jobs", module + "/license"}, {"reports/jobs", module + "/data"},
	} {
		if why := forbidden(c[0], c[1]); why != "" {
			t.Errorf("%s importing %s is refused: %s", c[0], c[1], why)
		}
	}
}
