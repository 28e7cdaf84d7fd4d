package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"golang.org/x/image/font/sfnt"
)

// TestDrawnTextHasBundledGlyphs: every character in the strings the app can draw (the ui,
// reports and data packages' string literals, the demo tenant's names included) is in a font Fyne
// bundles (text, symbol, emoji). A character missing from all of them is borrowed from the
// system's fonts, and Windows machines (and wine) may have none with it: the "−" (U+2212) of
// the Average duration card showed as "�" under wine.
func TestDrawnTextHasBundledGlyphs(t *testing.T) {
	fonts := []fyne.Resource{theme.DefaultTextFont(), theme.DefaultTextBoldFont(), theme.DefaultSymbolFont()}
	if e := theme.DefaultEmojiFont(); e != nil {
		fonts = append(fonts, e)
	}
	var parsed []*sfnt.Font
	for _, r := range fonts {
		f, err := sfnt.Parse(r.Content())
		if err != nil {
			t.Fatalf("parse bundled font %s: %v", r.Name(), err)
		}
		parsed = append(parsed, f)
	}
	for _, lit := range literalsUnder(t, ".", "../reports", "../data") {
		for _, r := range lit.text {
			if r < 0x80 || r == '\uFE0F' || hasGlyph(parsed, r) {
				continue
			}
			t.Errorf("%s: %q (U+%04X) is in no font Fyne bundles: Windows shows it only if a system font has it; use a character the bundled fonts have", lit.pos, r, r)
		}
	}
}

// TestGlyphCheckSeesMissingCharacters keeps the check above honest: a character no bundled font
// has is reported as missing.
func TestGlyphCheckSeesMissingCharacters(t *testing.T) {
	f, err := sfnt.Parse(theme.DefaultTextFont().Content())
	if err != nil {
		t.Fatal(err)
	}
	if !hasGlyph([]*sfnt.Font{f}, 'é') {
		t.Error("the text font should have é")
	}
	if hasGlyph([]*sfnt.Font{f}, '\U0001D11E') { // musical G clef
		t.Error("the text font should not have U+1D11E")
	}
}

func hasGlyph(fonts []*sfnt.Font, r rune) bool {
	var b sfnt.Buffer
	for _, f := range fonts {
		if i, err := f.GlyphIndex(&b, r); err == nil && i != 0 {
			return true
		}
	}
	return false
}

type literal struct {
	pos  string
	text string
}

// literalsUnder returns the string literals of the non-test Go files under dirs (rune
// literals are left out: they are compared with, as in reports' formula guard, not drawn).
func literalsUnder(t *testing.T, dirs ...string) []literal {
	t.Helper()
	var out []literal
	fset := token.NewFileSet()
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			ast.Inspect(file, func(n ast.Node) bool {
				if bl, ok := n.(*ast.BasicLit); ok && bl.Kind == token.STRING {
					if s, err := strconv.Unquote(bl.Value); err == nil {
						out = append(out, literal{fset.Position(bl.Pos()).String(), s})
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}
