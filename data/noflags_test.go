package data

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// flagInText is a command-line flag ("--from") inside a text.
var flagInText = regexp.MustCompile(`--[a-z]`)

// TestLibrariesSpeakNoFlags fails when a string literal in the non-test Go files of data (its
// subpackages included) or reports names a command-line flag: libraries return typed errors
// (*InputError with a Field, sentinels), and each front end words them with its flags or
// labels. Comments may name flags.
func TestLibrariesSpeakNoFlags(t *testing.T) {
	for _, root := range []string{".", filepath.Join("..", "reports")} {
		n := 0
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			n++
			for _, hit := range flagLiterals(t, path) {
				if foreignFlags[filepath.ToSlash(path)][hit.text] {
					continue
				}
				t.Errorf("%s: a string names a flag: %s", hit.pos, hit.text)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("no Go files under %s: the test looks in the wrong place", root)
		}
	}
}

// foreignFlags are the flags of other programs a library runs, by file: the scheduler
// registration (reports/jobs/autostart) runs systemctl with its own flags.
var foreignFlags = map[string]map[string]bool{
	"../reports/jobs/autostart/systemd.go": {`"--user"`: true, `"--now"`: true},
}

type flagHit struct {
	pos  token.Position
	text string
}

// flagLiterals are the string literals of a Go file that hold a --flag.
func flagLiterals(t *testing.T, path string) []flagHit {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	var hits []flagHit
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			s = lit.Value
		}
		if flagInText.MatchString(s) {
			hits = append(hits, flagHit{fset.Position(lit.Pos()), lit.Value})
		}
		return true
	})
	return hits
}

// TestFlagLiteralsSeesStringsNotComments checks the detector itself on a file with both.
func TestFlagLiteralsSeesStringsNotComments(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.go")
	src := "package x\n\n// run with --full\nvar a = \"give --from\"\nvar b = `raw --to`\nvar c = \"a - b -- c\"\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	hits := flagLiterals(t, path)
	if len(hits) != 2 || hits[0].pos.Line != 4 || hits[1].pos.Line != 5 {
		t.Fatalf("hits %+v, want the two literals on lines 4 and 5", hits)
	}
}
