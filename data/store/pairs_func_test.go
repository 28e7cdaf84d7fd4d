package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
)

// pairsOf runs pairsFunc over q's rows in the store's read pool and decodes the result.
func pairsOf(t *testing.T, st *Store, q string) ([][2]int64, error) {
	t.Helper()
	var got [][2]int64
	err := st.Read(context.Background(), func(tx *sql.Tx) error {
		var b []byte
		if err := tx.QueryRow(q).Scan(&b); err != nil {
			return err
		}
		return eachPair(b, func(a, b int64) { got = append(got, [2]int64{a, b}) })
	})
	return got, err
}

// The aggregate hands back every row's pair, in the order SQLite steps them, with the extreme
// integers intact; no rows give no pairs.
func TestPairsFuncRoundTrip(t *testing.T) {
	st := MustOpen(t)
	got, err := pairsOf(t, st, `WITH v(a, b) AS (VALUES (3, -1), (1, 9223372036854775807), (2, -9223372036854775808), (0, 0))
SELECT `+pairsFunc+`(a, b ORDER BY a) FROM v`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]int64{{0, 0}, {1, math.MaxInt64}, {2, math.MinInt64}, {3, -1}}
	if !slices.Equal(got, want) {
		t.Errorf("pairs %v, want %v", got, want)
	}
	got, err = pairsOf(t, st, `WITH v(a, b) AS (VALUES (1, 2)) SELECT `+pairsFunc+`(a, b) FROM v WHERE a > 1`)
	if err != nil || len(got) != 0 {
		t.Errorf("no rows: pairs %v, %v; want none", got, err)
	}
}

// A value that is not an integer fails the query with an error naming its type.
func TestPairsFuncRefusesOtherValues(t *testing.T) {
	st := MustOpen(t)
	for _, v := range []string{"NULL", "'7'", "1.5", "x'00'"} {
		_, err := pairsOf(t, st, `SELECT `+pairsFunc+`(1, `+v+`)`)
		if err == nil || !strings.Contains(err.Error(), "takes two integers") {
			t.Errorf("%s: error %v, want one saying it takes two integers", v, err)
		}
	}
}

// A BLOB that is not whole pairs is refused; one that is decodes to pairs that encode back to it.
func FuzzEachPair(f *testing.F) {
	f.Add([]byte{})
	f.Add(binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, 5), 1<<63))
	f.Add([]byte("fifteen bytes.."))
	f.Fuzz(func(t *testing.T, b []byte) {
		var again []byte
		err := eachPair(b, func(x, y int64) {
			again = binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(again, uint64(x)), uint64(y))
		})
		if (err != nil) != (len(b)%pairWidth != 0) {
			t.Fatalf("%d bytes: error %v", len(b), err)
		}
		if err == nil && !slices.Equal(again, b) && len(b) > 0 {
			t.Fatalf("decoded pairs encode to %x, not %x", again, b)
		}
	})
}
