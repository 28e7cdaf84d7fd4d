package store

import (
	"database/sql"
	"strings"
	"testing"
)

// intScan takes what database/sql's *int64 takes (an integer, an integer in text, an integral
// real) and refuses what it refuses (NULL, other text, a fraction), through a real query.
func TestIntScanMatchesInt64(t *testing.T) {
	st := MustOpen(t)
	for _, c := range []struct {
		expr string
		want int64
		err  string
	}{
		{"42", 42, ""}, {"-9223372036854775808", -9223372036854775808, ""}, {"'17'", 17, ""},
		{"CAST('12' AS BLOB)", 12, ""}, {"2.0", 2, ""}, {"NULL", 0, "NULL"}, {"'x'", 0, "converting"}, {"2.5", 0, "converting"},
	} {
		var got intScan
		var std int64
		err := st.r.QueryRow("SELECT " + c.expr).Scan(&got)
		stdErr := st.r.QueryRow("SELECT " + c.expr).Scan(&std)
		if (err == nil) != (stdErr == nil) {
			t.Errorf("%s: intScan error %v, *int64 error %v", c.expr, err, stdErr)
		}
		switch {
		case c.err == "" && (err != nil || int64(got) != c.want):
			t.Errorf("%s: %d, %v; want %d", c.expr, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want one with %q", c.expr, err, c.err)
		}
	}
	var _ sql.Scanner = new(intScan)
}
