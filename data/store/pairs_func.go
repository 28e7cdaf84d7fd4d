package store

import (
	"database/sql/driver"
	"encoding/binary"
	"fmt"

	"modernc.org/sqlite"
)

// pairsFunc is an aggregate SQL function, pairsFunc(a, b), that packs its rows' two integers into
// one BLOB, read back by eachPair. A read of many two-integer rows then crosses the driver once
// instead of once a row: database/sql's Rows.Next and Scan (locks, a type and a value call per
// column, a boxed value, reflection for an *int64) cost more per row than SQLite's own step. A
// NULL or a non-integer argument fails the query.
const pairsFunc = "almanac_pairs"

// pairWidth is the bytes of one (a, b) pair in a pairs BLOB: two little-endian int64s.
const pairWidth = 16

func init() {
	sqlite.MustRegisterFunction(pairsFunc, &sqlite.FunctionImpl{NArgs: 2,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &pairs{}, nil }})
}

// pairs is one evaluation of pairsFunc.
type pairs struct{ buf []byte }

// Step appends a row's pair.
func (p *pairs) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	a, ok1 := args[0].(int64)
	b, ok2 := args[1].(int64)
	if !ok1 || !ok2 {
		return fmt.Errorf("%s takes two integers, not %T and %T", pairsFunc, args[0], args[1])
	}
	p.buf = binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(p.buf, uint64(a)), uint64(b))
	return nil
}

// WindowInverse is not supported: pairsFunc is not a window function.
func (p *pairs) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return fmt.Errorf("%s is not a window function", pairsFunc)
}

// WindowValue returns the pairs packed so far (an empty BLOB for none).
func (p *pairs) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	return append([]byte{}, p.buf...), nil
}

// Final lets the pairs go.
func (p *pairs) Final(*sqlite.FunctionContext) { p.buf = nil }

// eachPair calls fn with each pair of a pairsFunc BLOB, in the order the rows were stepped.
func eachPair(b []byte, fn func(a, b int64)) error {
	if len(b)%pairWidth != 0 {
		return fmt.Errorf("a pairs value of %d bytes is not whole pairs of %d", len(b), pairWidth)
	}
	for ; len(b) > 0; b = b[pairWidth:] {
		fn(int64(binary.LittleEndian.Uint64(b)), int64(binary.LittleEndian.Uint64(b[8:])))
	}
	return nil
}
