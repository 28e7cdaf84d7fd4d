package store

import (
	"cmp"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"modernc.org/sqlite"
)

// A digest is one BLOB holding (id, value) pairs sorted by id, packed compactly: the first id as
// a signed varint, each next one as the unsigned varint of its distance from the one before (at
// least 1: ids are distinct and increasing), each value as a signed varint after its id. A day
// of a customer rollup (about 1,300 pairs at 1,000,000 appointments) is then one row of a few
// kilobytes instead of 1,300 rows to step (revenue_digest.go).

// digestPair is one (id, value) pair of a digest.
type digestPair struct{ id, v int64 }

// appendDigest appends ps, which must be sorted by id with no id twice, to b as a digest.
func appendDigest(b []byte, ps []digestPair) ([]byte, error) {
	for i, p := range ps {
		if i == 0 {
			b = binary.AppendVarint(b, p.id)
		} else {
			if p.id <= ps[i-1].id {
				return nil, fmt.Errorf("digest ids out of order: %d after %d", p.id, ps[i-1].id)
			}
			b = binary.AppendUvarint(b, uint64(p.id)-uint64(ps[i-1].id))
		}
		b = binary.AppendVarint(b, p.v)
	}
	return b, nil
}

var errDigestTruncated = errors.New("a digest ends inside a number")

// eachDigestPair calls fn with each pair of digest b in id order. A malformed digest (a number
// cut short or too long, an id not above the one before) is an error, after fn has seen the
// pairs before it.
func eachDigestPair(b []byte, fn func(id, v int64)) error {
	var id int64
	for first := true; len(b) > 0; first = false {
		if first {
			x, n := binary.Varint(b)
			if n <= 0 {
				return errDigestTruncated
			}
			id, b = x, b[n:]
		} else {
			d, n := binary.Uvarint(b)
			if n <= 0 {
				return errDigestTruncated
			}
			next := id + int64(d) // wraps below id when d is 0, too large, or overflows
			if d == 0 || d > math.MaxInt64 || next <= id {
				return fmt.Errorf("a digest id after %d is not above it", id)
			}
			id, b = next, b[n:]
		}
		v, n := binary.Varint(b)
		if n <= 0 {
			return errDigestTruncated
		}
		b = b[n:]
		fn(id, v)
	}
	return nil
}

// digestPairs decodes digest b.
func digestPairs(b []byte) ([]digestPair, error) {
	var ps []digestPair
	err := eachDigestPair(b, func(id, v int64) { ps = append(ps, digestPair{id, v}) })
	return ps, err
}

// digestChange is a new value of one id: set to v, or taken out when gone.
type digestChange struct {
	id   int64
	v    int64
	gone bool
}

// patchDigest returns digest old with changes applied, in one merge: changes must be sorted by
// id, each id once.
func patchDigest(old []byte, changes []digestChange) ([]byte, error) {
	ps, err := digestPairs(old)
	if err != nil {
		return nil, err
	}
	out := make([]digestPair, 0, len(ps)+len(changes))
	i := 0
	for j, c := range changes {
		if j > 0 && c.id <= changes[j-1].id {
			return nil, fmt.Errorf("digest changes out of order: %d after %d", c.id, changes[j-1].id)
		}
		for i < len(ps) && ps[i].id < c.id {
			out = append(out, ps[i])
			i++
		}
		if i < len(ps) && ps[i].id == c.id {
			i++
		}
		if !c.gone {
			out = append(out, digestPair{c.id, c.v})
		}
	}
	out = append(out, ps[i:]...)
	return appendDigest(make([]byte, 0, len(old)+8*len(changes)), out)
}

// digestFunc is an aggregate SQL function, digestFunc(id, v), returning its rows' pairs as a
// digest (sorted by id; an id twice or a NULL or non-integer argument fails the query).
const digestFunc = "almanac_digest"

func init() {
	sqlite.MustRegisterFunction(digestFunc, &sqlite.FunctionImpl{NArgs: 2,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &digestAgg{}, nil }})
}

// digestAgg is one evaluation of digestFunc.
type digestAgg struct{ ps []digestPair }

// Step adds a row's pair.
func (d *digestAgg) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	id, ok1 := args[0].(int64)
	v, ok2 := args[1].(int64)
	if !ok1 || !ok2 {
		return fmt.Errorf("%s takes two integers, not %T and %T", digestFunc, args[0], args[1])
	}
	d.ps = append(d.ps, digestPair{id, v})
	return nil
}

// WindowInverse is not supported: digestFunc is not a window function.
func (d *digestAgg) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return fmt.Errorf("%s is not a window function", digestFunc)
}

// WindowValue returns the digest of the pairs so far (an empty BLOB for none).
func (d *digestAgg) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	ps := slices.Clone(d.ps)
	slices.SortFunc(ps, func(a, b digestPair) int { return cmp.Compare(a.id, b.id) })
	b, err := appendDigest([]byte{}, ps)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", digestFunc, err)
	}
	return b, nil
}

// Final lets the pairs go.
func (d *digestAgg) Final(*sqlite.FunctionContext) { d.ps = nil }
