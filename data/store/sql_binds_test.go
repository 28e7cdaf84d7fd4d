package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"
	"testing"
)

// sqlIdentifiers are the only non-literal pieces allowed in the SQL text of data/store/sync_apply.go (where a sync's pages are written), each
// a table or column name from the package's own constants, never a value from a server.
var sqlIdentifiers = map[string]string{
	"entity":                  "deleteCascade: a page's entity, one of Entities",
	"c.table":                 "cascades: a constant table name",
	"c.column":                "cascades: a constant column name",
	"data.Entities()[i]":      "emptyStore: a constant table name",
	"ru.table":                "emptyStore: the rollup definitions' constant table names",
	"q":                       "finishBulk: index DDL that dropIndexes read from sqlite_master; execCount: its caller's query",
	"fmt.Sprintf(q, args...)": "enterBulk: EXISTS over the data.Entities() table names",
}

// TestSyncSQLBindsValues parses data/store/sync_apply.go (where a sync's pages are written) and checks that the query text of every
// database call is built from literals and known identifiers only, so every value is a bound
// parameter; a new query built with a value in it fails here.
func TestSyncSQLBindsValues(t *testing.T) {
	files, err := filepath.Glob("sync_apply.go")
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			q := queryArg(call)
			if q == nil {
				return true
			}
			calls++
			if bad := nonLiteralSQL(q); bad != "" {
				t.Errorf("%s: query text %s includes %s: pass values as ? parameters", name, types.ExprString(q), bad)
			}
			return true
		})
	}
	if calls < 10 {
		t.Errorf("found only %d database calls: the check is not looking at the code", calls)
	}
	built, _ := parser.ParseExpr(`"DELETE FROM payments WHERE id = " + strconv.FormatInt(id, 10)`)
	if nonLiteralSQL(built) == "" {
		t.Error("the check accepts a value built into the SQL text")
	}
}

// queryArg returns the query text argument of a database/sql call, or nil.
func queryArg(call *ast.CallExpr) ast.Expr {
	var name string
	switch fn := call.Fun.(type) {
	case *ast.SelectorExpr:
		name = fn.Sel.Name
	case *ast.Ident:
		name = fn.Name
	}
	switch name {
	case "ExecContext", "QueryContext", "QueryRowContext", "PrepareContext":
		if len(call.Args) > 1 {
			return call.Args[1]
		}
	case "Exec", "Query", "QueryRow", "Prepare":
		if len(call.Args) > 0 {
			return call.Args[0]
		}
	case "execCount":
		if len(call.Args) > 2 {
			return call.Args[2]
		}
	}
	return nil
}

// nonLiteralSQL returns the first piece of e that is neither a string literal nor a known
// identifier.
func nonLiteralSQL(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind == token.STRING {
			return ""
		}
	case *ast.ParenExpr:
		return nonLiteralSQL(x.X)
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			if bad := nonLiteralSQL(x.X); bad != "" {
				return bad
			}
			return nonLiteralSQL(x.Y)
		}
	}
	if s := types.ExprString(e); sqlIdentifiers[s] != "" {
		return ""
	}
	return types.ExprString(e)
}
