package demo

import (
	"context"

	"github.com/almanac-app/almanac/data"
)

// The demo build generates on one goroutine while the writer inserts on another: generate fills
// chunks of rows in order and hands them over, drain replays each into the sink, so the sink
// sees exactly the calls Generate makes, in the same order.

// chunkRows is how many rows one chunk holds; chunksAhead bounds how far generation runs ahead.
const chunkRows, chunksAhead = 4096, 4

// Kinds of row in a chunk.
const (
	kindResource uint8 = iota
	kindService
	kindCustomer
	kindAppointment
	kindPayment
	kindSubscription
)

// chunk is a run of generated rows: kinds says which slice the next row comes from.
type chunk struct {
	kinds     []uint8
	resources []data.Resource
	services  []data.Service
	customers []data.Customer
	appts     []data.Appointment
	payments  []data.Payment
	subs      []data.Subscription
}

func (c *chunk) reset() {
	c.kinds, c.resources, c.services, c.customers = c.kinds[:0], c.resources[:0], c.services[:0], c.customers[:0]
	c.appts, c.payments, c.subs = c.appts[:0], c.payments[:0], c.subs[:0]
}

// replay puts c's rows into sink in the order they were generated.
func (c *chunk) replay(sink Sink) error {
	var r, s, cu, a, p, su int
	for _, k := range c.kinds {
		var err error
		switch k {
		case kindResource:
			err, r = sink.PutResource(c.resources[r]), r+1
		case kindService:
			err, s = sink.PutService(c.services[s]), s+1
		case kindCustomer:
			err, cu = sink.PutCustomer(c.customers[cu]), cu+1
		case kindAppointment:
			err, a = sink.PutAppointment(c.appts[a]), a+1
		case kindPayment:
			err, p = sink.PutPayment(c.payments[p]), p+1
		default:
			err, su = sink.PutSubscription(c.subs[su]), su+1
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// chunker is the Sink the generating goroutine writes to: it fills a chunk and sends it on when
// full, taking an empty one back from free.
type chunker struct {
	ctx        context.Context
	cur        *chunk
	full, free chan *chunk
}

func (c *chunker) add(k uint8) error {
	c.cur.kinds = append(c.cur.kinds, k)
	if len(c.cur.kinds) < chunkRows {
		return nil
	}
	return c.flush()
}

// flush sends the current chunk (if it holds rows) and takes an empty one.
func (c *chunker) flush() error {
	if len(c.cur.kinds) == 0 {
		return nil
	}
	select {
	case c.full <- c.cur:
	case <-c.ctx.Done():
		return c.ctx.Err()
	}
	select {
	case c.cur = <-c.free:
	case <-c.ctx.Done():
		return c.ctx.Err()
	}
	c.cur.reset()
	return nil
}

func (c *chunker) PutResource(r data.Resource) error {
	c.cur.resources = append(c.cur.resources, r)
	return c.add(kindResource)
}

func (c *chunker) PutService(s data.Service) error {
	c.cur.services = append(c.cur.services, s)
	return c.add(kindService)
}

func (c *chunker) PutCustomer(cu data.Customer) error {
	c.cur.customers = append(c.cur.customers, cu)
	return c.add(kindCustomer)
}

func (c *chunker) PutAppointment(a data.Appointment) error {
	c.cur.appts = append(c.cur.appts, a)
	return c.add(kindAppointment)
}

func (c *chunker) PutPayment(p data.Payment) error {
	c.cur.payments = append(c.cur.payments, p)
	return c.add(kindPayment)
}

func (c *chunker) PutSubscription(s data.Subscription) error {
	c.cur.subs = append(c.cur.subs, s)
	return c.add(kindSubscription)
}

// generatePiped is Generate on its own goroutine, its rows put into sink on the caller's: the
// generator's work overlaps the sink's. It stops at the first error of either side.
func generatePiped(ctx context.Context, o Options, sink Sink) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := &chunker{ctx: ctx, cur: &chunk{}, full: make(chan *chunk, chunksAhead), free: make(chan *chunk, chunksAhead+1)}
	for range chunksAhead {
		c.free <- &chunk{}
	}
	done := make(chan error, 1)
	go func() {
		defer close(c.full)
		err := Generate(ctx, o, c)
		if err == nil {
			err = c.flush()
		}
		done <- err
	}()
	var err error
	for ch := range c.full {
		if err == nil {
			if err = ctx.Err(); err == nil {
				err = ch.replay(sink)
			}
			if err != nil {
				cancel() // the generator stops at its next hand-over
			}
		}
		c.free <- ch
	}
	if gerr := <-done; err == nil {
		err = gerr
	}
	return err
}
