package store

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Pairs sorted by id encode and decode back, the extreme integers included; no pairs are an
// empty digest; ids out of order are refused.
func TestDigestRoundTrip(t *testing.T) {
	ps := []digestPair{{math.MinInt64, 0}, {-1, math.MaxInt64}, {0, math.MinInt64}, {1, -1}, {2, 1}, {1 << 40, 7}, {math.MaxInt64, 3}}
	b, err := appendDigest(nil, ps)
	if err != nil {
		t.Fatal(err)
	}
	got, err := digestPairs(b)
	if err != nil || !slices.Equal(got, ps) {
		t.Fatalf("decoded %v, %v; want %v", got, err, ps)
	}
	if b, err := appendDigest(nil, nil); err != nil || len(b) != 0 {
		t.Errorf("no pairs: %x, %v; want an empty digest", b, err)
	}
	for _, bad := range [][]digestPair{{{2, 1}, {1, 1}}, {{3, 1}, {3, 2}}} {
		if _, err := appendDigest(nil, bad); err == nil {
			t.Errorf("%v encoded, want an error (ids out of order)", bad)
		}
	}
}

// A digest cut short or with an id not above the one before is refused.
func TestDigestRefusesMalformed(t *testing.T) {
	good, _ := appendDigest(nil, []digestPair{{5, 300}, {9, -2}})
	for name, b := range map[string][]byte{
		"cut in a value":    good[:len(good)-1],
		"cut after an id":   good[:1],
		"repeated id":       append(append([]byte{}, good[:3]...), 0x00, 0x02),
		"overlong distance": append(append([]byte{}, good[:3]...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02),
	} {
		if _, err := digestPairs(b); err == nil {
			t.Errorf("%s (%x): decoded, want an error", name, b)
		}
	}
}

// patchDigest is the map it models: random digests and random sorted changes give the pairs of
// the map with the changes applied.
func TestPatchDigestMatchesAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	for range 500 {
		m := map[int64]int64{}
		for range rng.IntN(30) {
			m[rng.Int64N(60)] = rng.Int64N(2000) - 1000
		}
		old, err := appendDigest(nil, sortedPairs(m))
		if err != nil {
			t.Fatal(err)
		}
		var changes []digestChange
		for id := range int64(60) {
			if rng.IntN(5) > 0 {
				continue
			}
			c := digestChange{id: id, v: rng.Int64N(2000) - 1000, gone: rng.IntN(3) == 0}
			changes = append(changes, c)
			if c.gone {
				delete(m, id)
			} else {
				m[id] = c.v
			}
		}
		b, err := patchDigest(old, changes)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := mustPairs(t, b), sortedPairs(m); !slices.Equal(got, want) {
			t.Fatalf("patched %v, want %v", got, want)
		}
	}
	if _, err := patchDigest(nil, []digestChange{{id: 2}, {id: 1}}); err == nil {
		t.Error("changes out of order applied, want an error")
	}
}

func sortedPairs(m map[int64]int64) []digestPair {
	var ps []digestPair
	for id, v := range m {
		ps = append(ps, digestPair{id, v})
	}
	slices.SortFunc(ps, func(a, b digestPair) int { return int(min(max(a.id-b.id, -1), 1)) })
	return ps
}

func mustPairs(t *testing.T, b []byte) []digestPair {
	t.Helper()
	ps, err := digestPairs(b)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// Any bytes either fail to decode or decode to increasing ids whose digest decodes the same;
// patching a valid digest with no changes keeps its pairs.
func FuzzDigest(f *testing.F) {
	good, _ := appendDigest(nil, []digestPair{{1, 100}, {2, -5}, {1000, 1 << 40}})
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{0x80})
	f.Add([]byte{0x02, 0x02, 0x00, 0x02})
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := digestPairs(b)
		if err != nil {
			return
		}
		for i := 1; i < len(ps); i++ {
			if ps[i].id <= ps[i-1].id {
				t.Fatalf("decoded ids out of order: %v", ps)
			}
		}
		again, err := appendDigest(nil, ps)
		if err != nil {
			t.Fatalf("decoded pairs %v do not encode: %v", ps, err)
		}
		if got := mustPairs(t, again); !slices.Equal(got, ps) {
			t.Fatalf("re-encoded pairs %v, want %v", got, ps)
		}
		patched, err := patchDigest(b, nil)
		if err != nil || !slices.Equal(mustPairs(t, patched), ps) {
			t.Fatalf("an empty patch changed %v: %v", ps, err)
		}
	})
}
