package store

import (
	"maps"
	"math/rand/v2"
	"testing"
)

// TestCustomerSums checks the sums against a map, for dense ids, ids too large for the slice
// (the move to the map midway) and merges.
func TestCustomerSums(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, maxID := range []int64{10, 5000, 1 << 40} {
		a, b := newCustomerSums(maxID-1), &CustomerSums{}
		want := map[int64]int64{}
		for i := range 3000 {
			id, v := r.Int64N(maxID), r.Int64N(2000)-500
			if i == 2000 && maxID == 5000 {
				id = 1 << 50 // forces the map after dense use
			}
			want[id] += v
			if i%2 == 0 {
				a.Add(id, v)
			} else {
				b.Add(id, v)
			}
		}
		a.Merge(b)
		got := maps.Collect(a.All())
		if a.Len() != len(want) || !maps.Equal(got, want) {
			t.Errorf("max id %d: %d sums (Len %d), want %d; equal %v", maxID, len(got), a.Len(), len(want), maps.Equal(got, want))
		}
	}
	var z CustomerSums
	z.Add(7, 0)
	if got := maps.Collect(z.All()); len(got) != 1 || got[7] != 0 || z.Len() != 1 {
		t.Errorf("a zero sum: got %v, Len %d", got, z.Len())
	}
}
