package store

import "math/bits"

// CustomerSums are sums per customer id. Customer ids are dense, so the sums live in a slice
// indexed by id while the ids stay small against the number of sums added (no hashing per row),
// and in a map otherwise.
type CustomerSums struct {
	dense  []int64
	seen   []uint64 // a bit per id of dense: small enough to stay in the CPU cache
	n      int      // ids with a sum
	adds   int
	sparse map[int64]int64 // once an id is too large for dense
}

// denseIDs is the most ids a CustomerSums holds in its slice from the start (8 bytes and a bit each).
const denseIDs = 1 << 20

// newCustomerSums returns empty sums whose slice holds the ids up to maxID when that is at most
// denseIDs (larger ids grow it while few against the sums added, and move it to a map otherwise).
func newCustomerSums(maxID int64) *CustomerSums {
	s := &CustomerSums{}
	if maxID >= 0 && maxID < denseIDs {
		s.dense, s.seen = make([]int64, maxID+1), make([]uint64, maxID/64+1)
	}
	return s
}

// Add adds v to id's sum.
func (s *CustomerSums) Add(id, v int64) {
	s.adds++
	if s.sparse == nil && id >= 0 && id < int64(len(s.dense)) {
		s.addDense(id, v)
		return
	}
	if s.sparse == nil && id >= 0 && id < int64(max(4096, 8*s.adds)) {
		s.grow(id)
		s.addDense(id, v)
		return
	}
	if s.sparse == nil {
		s.toSparse()
	}
	if _, ok := s.sparse[id]; !ok {
		s.n++
	}
	s.sparse[id] += v
}

func (s *CustomerSums) addDense(id, v int64) {
	if w, bit := &s.seen[id/64], uint64(1)<<(id%64); *w&bit == 0 {
		*w |= bit
		s.n++
	}
	s.dense[id] += v
}

// has reports whether dense id has a sum.
func (s *CustomerSums) has(id int) bool { return s.seen[id/64]&(1<<(id%64)) != 0 }

// grow makes dense hold id, at least doubling it.
func (s *CustomerSums) grow(id int64) {
	size := max(int(id)+1, 2*len(s.dense), 1024)
	dense, seen := make([]int64, size), make([]uint64, size/64+1)
	copy(dense, s.dense)
	copy(seen, s.seen)
	s.dense, s.seen = dense, seen
}

// toSparse moves the sums into the map.
func (s *CustomerSums) toSparse() {
	s.sparse = make(map[int64]int64, s.n)
	for id := range s.dense {
		if s.has(id) {
			s.sparse[int64(id)] = s.dense[id]
		}
	}
	s.dense, s.seen = nil, nil
}

// Len is the number of ids with a sum.
func (s *CustomerSums) Len() int { return s.n }

// Merge adds o's sums into s.
func (s *CustomerSums) Merge(o *CustomerSums) {
	for id, v := range o.All() {
		s.Add(id, v)
	}
}

// All yields each id with a sum and its sum (ascending ids while dense, any order otherwise).
func (s *CustomerSums) All() func(yield func(id, sum int64) bool) {
	return func(yield func(id, sum int64) bool) {
		if s.sparse != nil {
			for id, v := range s.sparse {
				if !yield(id, v) {
					return
				}
			}
			return
		}
		for i, w := range s.seen {
			for ; w != 0; w &= w - 1 {
				id := i*64 + bits.TrailingZeros64(w)
				if !yield(int64(id), s.dense[id]) {
					return
				}
			}
		}
	}
}
