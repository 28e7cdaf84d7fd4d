package tenantserver

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"
	datasync "github.com/almanac-app/almanac/data/sync"
)

// Server is the reference implementation of the server side of the sync protocol
// (docs/sync-protocol.md), used by cmd/tenantd, the tests and the benchmarks. It keeps the
// tenant in memory and orders each entity's changes by (updated_at, id).
type Server struct {
	token  string
	tenant datasync.RemoteTenant
	now    func() time.Time
	faults Faults

	mu    sync.RWMutex
	stamp int64 // newest updated_at handed out, Unix seconds
	res   *srvTable[data.Resource]
	svc   *srvTable[data.Service]
	cust  *srvTable[data.Customer]
	appt  *srvTable[data.Appointment]
	pay   *srvTable[data.Payment]
	sub   *srvTable[data.Subscription]
	// apptPay maps an appointment to its payments; built on the first mutation.
	apptPay map[int64][]int64

	rngMu sync.Mutex
	rng   *rand.Rand
}

// Faults injects failures for tests: a share of requests answered 500, a delay before every
// answer, a share of bodies cut short.
type Faults struct {
	FailRate     float64
	TruncateRate float64
	Latency      time.Duration
}

// New generates the demo rows for o into memory and serves them as tenant t.
func New(ctx context.Context, t datasync.RemoteTenant, token string, o demo.Options) (*Server, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	s := &Server{token: token, tenant: t, now: time.Now, rng: rand.New(rand.NewPCG(o.Seed, 7)),
		res:  newSrvTable(func(v data.Resource) (int64, time.Time) { return v.ID, v.UpdatedAt }),
		svc:  newSrvTable(func(v data.Service) (int64, time.Time) { return v.ID, v.UpdatedAt }),
		cust: newSrvTable(func(v data.Customer) (int64, time.Time) { return v.ID, v.UpdatedAt }),
		appt: newSrvTable(func(v data.Appointment) (int64, time.Time) { return v.ID, v.UpdatedAt }),
		pay:  newSrvTable(func(v data.Payment) (int64, time.Time) { return v.ID, v.UpdatedAt }),
		sub:  newSrvTable(func(v data.Subscription) (int64, time.Time) { return v.ID, v.UpdatedAt }),
	}
	if err := demo.Generate(ctx, o, (*serverSink)(s)); err != nil {
		return nil, err
	}
	for _, tb := range s.tables() {
		s.stamp = max(s.stamp, tb.sortLog())
	}
	return s, nil
}

// SetFaults changes the injected faults; call it before serving.
func (s *Server) SetFaults(f Faults) { s.faults = f }

// serverSink loads generated rows without logging them as changes one by one.
type serverSink Server

func (k *serverSink) PutResource(v data.Resource) error         { k.res.load(v); return nil }
func (k *serverSink) PutService(v data.Service) error           { k.svc.load(v); return nil }
func (k *serverSink) PutCustomer(v data.Customer) error         { k.cust.load(v); return nil }
func (k *serverSink) PutAppointment(v data.Appointment) error   { k.appt.load(v); return nil }
func (k *serverSink) PutPayment(v data.Payment) error           { k.pay.load(v); return nil }
func (k *serverSink) PutSubscription(v data.Subscription) error { k.sub.load(v); return nil }

// changeLog is what the handler needs of a table, whatever its row type.
type changeLog interface {
	sortLog() int64
	page(cursor srvKey, limit int) (recs any, dels []datasync.Tombstone, next srvKey, more bool, remaining int64)
	live() int64
	seal(upd int64)
}

func (s *Server) tables() []changeLog {
	return []changeLog{s.res, s.svc, s.cust, s.appt, s.pay, s.sub}
}

func (s *Server) table(entity string) changeLog {
	for i, e := range data.Entities() {
		if e == entity {
			return s.tables()[i]
		}
	}
	return nil
}

// srvKey orders changes: (updated_at, id).
type srvKey struct{ upd, id int64 }

func (k srvKey) less(o srvKey) bool { return k.upd < o.upd || (k.upd == o.upd && k.id < o.id) }

func (k srvKey) String() string {
	if k == (srvKey{}) {
		return ""
	}
	return strconv.FormatInt(k.upd, 10) + "." + strconv.FormatInt(k.id, 10)
}

func parseSrvKey(c string) (srvKey, bool) {
	if c == "" {
		return srvKey{}, true
	}
	a, b, ok := strings.Cut(c, ".")
	upd, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	return srvKey{upd, id}, ok && err1 == nil && err2 == nil && id > 0
}

// srvRow is one row's current state; upd says which log entry is its latest change.
type srvRow[T any] struct {
	v       T
	upd     int64
	set     bool
	deleted bool
}

// srvTable keeps rows by id (ids are small positive integers, so a slice) and an append-only
// log of changes in (updated_at, id) order; an entry whose upd no longer matches its row is a
// superseded change and is skipped.
type srvTable[T any] struct {
	key  func(T) (int64, time.Time)
	rows []srvRow[T]
	log  []srvKey
	n    int64 // live rows
}

func newSrvTable[T any](key func(T) (int64, time.Time)) *srvTable[T] {
	return &srvTable[T]{key: key}
}

func (t *srvTable[T]) row(id int64) *srvRow[T] {
	if id <= 0 || id > int64(len(t.rows)) {
		return nil
	}
	return &t.rows[id-1]
}

func (t *srvTable[T]) load(v T) {
	id, upd := t.key(v)
	for int64(len(t.rows)) < id {
		t.rows = append(t.rows, srvRow[T]{})
	}
	r := &t.rows[id-1]
	if !r.set || r.deleted {
		t.n++
	}
	*r = srvRow[T]{v: v, upd: upd.Unix(), set: true}
	t.log = append(t.log, srvKey{upd.Unix(), id})
}

// sortLog orders the initial log and returns its newest stamp.
func (t *srvTable[T]) sortLog() int64 {
	slices.SortFunc(t.log, func(a, b srvKey) int {
		if a.less(b) {
			return -1
		}
		if b.less(a) {
			return 1
		}
		return 0
	})
	if len(t.log) == 0 {
		return 0
	}
	return t.log[len(t.log)-1].upd
}

func (t *srvTable[T]) live() int64 { return t.n }

// seal orders the entries of the batch stamped upd (all at the log's end) by id and drops
// repeats, keeping the log sorted by (updated_at, id).
func (t *srvTable[T]) seal(upd int64) {
	i := len(t.log)
	for i > 0 && t.log[i-1].upd == upd {
		i--
	}
	tail := t.log[i:]
	slices.SortFunc(tail, func(a, b srvKey) int { return cmp.Compare(a.id, b.id) })
	t.log = append(t.log[:i], slices.Compact(tail)...)
}

// sealLocked finishes a batch of changes stamped upd.
func (s *Server) sealLocked(upd int64) {
	for _, tb := range s.tables() {
		tb.seal(upd)
	}
}

// current reports whether log entry k is its row's latest change.
func (t *srvTable[T]) current(k srvKey) (*srvRow[T], bool) {
	r := t.row(k.id)
	return r, r != nil && r.set && r.upd == k.upd
}

func (t *srvTable[T]) page(cursor srvKey, limit int) (any, []datasync.Tombstone, srvKey, bool, int64) {
	i, _ := slices.BinarySearchFunc(t.log, cursor, func(e, c srvKey) int {
		if c.less(e) {
			return 1
		}
		return -1
	})
	recs := make([]T, 0, min(limit, len(t.log)-i))
	var dels []datasync.Tombstone
	next := cursor
	for ; i < len(t.log) && len(recs)+len(dels) < limit; i++ {
		r, ok := t.current(t.log[i])
		if !ok {
			continue
		}
		next = t.log[i]
		if r.deleted {
			dels = append(dels, datasync.Tombstone{ID: next.id, UpdatedAt: time.Unix(next.upd, 0).UTC()})
		} else {
			recs = append(recs, r.v)
		}
	}
	more := false
	for j := i; j < len(t.log); j++ {
		if _, ok := t.current(t.log[j]); ok {
			more = true
			break
		}
	}
	return recs, dels, next, more, int64(len(t.log) - i)
}

// put records a change to v stamped upd.
func (t *srvTable[T]) put(v T, upd int64) {
	id, _ := t.key(v)
	for int64(len(t.rows)) < id {
		t.rows = append(t.rows, srvRow[T]{})
	}
	r := &t.rows[id-1]
	if !r.set || r.deleted {
		t.n++
	}
	*r = srvRow[T]{v: v, upd: upd, set: true}
	t.log = append(t.log, srvKey{upd, id})
}

// del records the deletion of row id stamped upd.
func (t *srvTable[T]) del(id, upd int64) {
	r := t.row(id)
	if r == nil || !r.set || r.deleted {
		return
	}
	r.deleted, r.upd = true, upd
	t.n--
	t.log = append(t.log, srvKey{upd, id})
}

// get returns the live row id.
func (t *srvTable[T]) get(id int64) (T, bool) {
	r := t.row(id)
	if r == nil || !r.set || r.deleted {
		var zero T
		return zero, false
	}
	return r.v, true
}

// nextID is the id a new row gets.
func (t *srvTable[T]) nextID() int64 { return int64(len(t.rows)) + 1 }

// Counts is the number of live rows of every entity.
func (s *Server) Counts() data.Counts {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return data.Counts{Resources: s.res.live(), Services: s.svc.live(), Customers: s.cust.live(),
		Appointments: s.appt.live(), Payments: s.pay.live(), Subscriptions: s.sub.live()}
}

// Handler serves the protocol.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/tenant", s.serveTenant)
	mux.HandleFunc("GET /v1/changes/{entity}", s.serveChanges)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeAPIError(w, http.StatusNotFound, "no such endpoint: use /v1/tenant or /v1/changes/{entity}")
	})
	return s.guard(mux)
}

// guard checks the token and injects the configured faults.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(auth), []byte(s.token)) != 1 {
			writeAPIError(w, http.StatusUnauthorized, "missing or invalid bearer token")
			return
		}
		if d := s.faults.Latency; d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		if s.chance(s.faults.FailRate) {
			writeAPIError(w, http.StatusInternalServerError, "injected failure")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.Float64() < p
}

func (s *Server) serveTenant(w http.ResponseWriter, r *http.Request) {
	t := s.tenant
	t.ServerTime = s.now().UTC().Truncate(time.Second)
	s.writeJSON(w, r, t)
}

func (s *Server) serveChanges(w http.ResponseWriter, r *http.Request) {
	entity := r.PathValue("entity")
	tb := s.table(entity)
	if tb == nil {
		writeAPIError(w, http.StatusNotFound, fmt.Sprintf("unknown entity %q: use one of %s", entity, strings.Join(data.Entities(), ", ")))
		return
	}
	q := r.URL.Query()
	cursor, ok := parseSrvKey(q.Get("cursor"))
	if !ok {
		writeAPIError(w, http.StatusBadRequest, fmt.Sprintf("bad cursor %q: pass back a next_cursor unchanged", q.Get("cursor")))
		return
	}
	limit := 1000
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > datasync.MaxPageLimit {
			writeAPIError(w, http.StatusBadRequest, fmt.Sprintf("bad limit %q: use 1 to %d", l, datasync.MaxPageLimit))
			return
		}
		limit = n
	}
	s.mu.RLock()
	recs, dels, next, more, remaining := tb.page(cursor, limit)
	s.mu.RUnlock()
	s.writeJSON(w, r, struct {
		Entity     string               `json:"entity"`
		Records    any                  `json:"records"`
		Deleted    []datasync.Tombstone `json:"deleted"`
		NextCursor string               `json:"next_cursor"`
		HasMore    bool                 `json:"has_more"`
		Remaining  int64                `json:"remaining"`
	}{entity, recs, nonNil(dels), next.String(), more, remaining})
}

func nonNil(d []datasync.Tombstone) []datasync.Tombstone {
	if d == nil {
		return []datasync.Tombstone{}
	}
	return d
}

var gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return w }}

// writeJSON writes v, gzipped when the client accepts it, with a Content-Length so a body cut
// short (the truncate fault) is detectable.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	var buf bytes.Buffer
	var enc *json.Encoder
	var zw *gzip.Writer
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		zw = gzipPool.Get().(*gzip.Writer)
		defer gzipPool.Put(zw)
		zw.Reset(&buf)
		enc = json.NewEncoder(zw)
		w.Header().Set("Content-Encoding", "gzip")
	} else {
		enc = json.NewEncoder(&buf)
	}
	if err := enc.Encode(v); err != nil {
		writeAPIError(w, http.StatusInternalServerError, "encode: "+err.Error())
		return
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			writeAPIError(w, http.StatusInternalServerError, "compress: "+err.Error())
			return
		}
	}
	body := buf.Bytes()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if s.chance(s.faults.TruncateRate) {
		_, _ = w.Write(body[:len(body)/2])
		panic(http.ErrAbortHandler) // drops the connection mid-body
	}
	_, _ = w.Write(body)
}

func writeAPIError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(datasync.APIError{Error: msg})
}

// stampLocked is the updated_at of a new batch of changes: later than every change already
// served, so a client's cursor never passes a change made after it read (see the protocol's
// ordering rule). Call with mu held.
func (s *Server) stampLocked() int64 {
	s.stamp = max(s.now().Unix(), s.stamp+1)
	return s.stamp
}

func (s *Server) indexPaymentsLocked() {
	if s.apptPay != nil {
		return
	}
	s.apptPay = map[int64][]int64{}
	for i, r := range s.pay.rows {
		if r.set && !r.deleted && r.v.AppointmentID != nil {
			s.apptPay[*r.v.AppointmentID] = append(s.apptPay[*r.v.AppointmentID], int64(i+1))
		}
	}
}

// Mutate changes about n appointments as one batch, like a day at the business: most are
// updated (status or price), a tenth are deleted with their payments, a tenth are new bookings;
// a few customers change too. Deterministic for a given seed.
func (s *Server) Mutate(n int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 99))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.indexPaymentsLocked()
	upd := s.stampLocked()
	defer s.sealLocked(upd)
	at := time.Unix(upd, 0).UTC()
	maxAppt := s.appt.nextID() - 1
	for i := range n {
		id := 1 + rng.Int64N(maxAppt)
		a, ok := s.appt.get(id)
		if !ok {
			continue
		}
		switch {
		case i%10 == 0:
			s.deleteAppointmentLocked(id, upd)
		case i%10 == 1:
			s.addAppointmentLocked(a, at, upd)
		default:
			a.Status = data.AppointmentStatuses().All()[rng.IntN(data.AppointmentStatuses().Len())]
			a.PriceCents += int64(rng.IntN(500))
			a.UpdatedAt = at
			s.appt.put(a, upd)
		}
	}
	for range max(n/20, 1) {
		if c, ok := s.cust.get(1 + rng.Int64N(s.cust.nextID()-1)); ok {
			c.Phone = fmt.Sprintf("+1 555-%03d-%04d", rng.IntN(1000), rng.IntN(10000))
			c.UpdatedAt = at
			s.cust.put(c, upd)
		}
	}
}

func (s *Server) deleteAppointmentLocked(id, upd int64) {
	for _, p := range s.apptPay[id] {
		s.pay.del(p, upd)
	}
	delete(s.apptPay, id)
	s.appt.del(id, upd)
}

// addAppointmentLocked books a copy of a a week later, paid if it is completed.
func (s *Server) addAppointmentLocked(a data.Appointment, at time.Time, upd int64) {
	a.ID = s.appt.nextID()
	a.StartAt, a.EndAt = a.StartAt.AddDate(0, 0, 7), a.EndAt.AddDate(0, 0, 7)
	a.BookedAt, a.UpdatedAt = at, at
	s.appt.put(a, upd)
	if a.Status != data.StatusCompleted {
		return
	}
	id, paid := a.ID, a.EndAt
	p := data.Payment{ID: s.pay.nextID(), CustomerID: a.CustomerID, AppointmentID: &id, AmountCents: a.PriceCents,
		Currency: s.tenant.Currency, Status: data.PaymentSucceeded, CreatedAt: paid, PaidAt: &paid, UpdatedAt: at}
	s.pay.put(p, upd)
	s.apptPay[id] = append(s.apptPay[id], p.ID)
}

// DeleteCustomer deletes a customer with everything that references it, as one batch.
func (s *Server) DeleteCustomer(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.indexPaymentsLocked()
	upd := s.stampLocked()
	defer s.sealLocked(upd)
	for i, r := range s.sub.rows {
		if r.set && !r.deleted && r.v.CustomerID == id {
			s.sub.del(int64(i+1), upd)
		}
	}
	for i, r := range s.pay.rows {
		if r.set && !r.deleted && r.v.CustomerID == id {
			s.pay.del(int64(i+1), upd)
		}
	}
	for i, r := range s.appt.rows {
		if r.set && !r.deleted && r.v.CustomerID == id {
			s.deleteAppointmentLocked(int64(i+1), upd)
		}
	}
	s.cust.del(id, upd)
}

// DirectPage is the page the server would send after cursor, as the store applies it, without
// HTTP or JSON: the sync benchmark's ceiling. more says whether another page follows.
func (s *Server) DirectPage(entity, cursor string, limit int) (pg store.Page, more bool) {
	from, _ := parseSrvKey(cursor)
	s.mu.RLock()
	recs, dels, next, more, _ := s.table(entity).page(from, limit)
	s.mu.RUnlock()
	pg = store.Page{Entity: entity, From: cursor, Next: next.String()}
	for _, d := range dels {
		pg.Dels = append(pg.Dels, d.ID)
	}
	switch r := recs.(type) {
	case []data.Resource:
		pg.IDs, pg.Put = directPut(r, func(v data.Resource) int64 { return v.ID }, (*store.Writer).PutResource)
	case []data.Service:
		pg.IDs, pg.Put = directPut(r, func(v data.Service) int64 { return v.ID }, (*store.Writer).PutService)
	case []data.Customer:
		pg.IDs, pg.Put = directPut(r, func(v data.Customer) int64 { return v.ID }, (*store.Writer).PutCustomer)
	case []data.Appointment:
		pg.IDs, pg.Put = directPut(r, func(v data.Appointment) int64 { return v.ID }, (*store.Writer).PutAppointment)
	case []data.Payment:
		pg.IDs, pg.Put = directPut(r, func(v data.Payment) int64 { return v.ID }, (*store.Writer).PutPayment)
	case []data.Subscription:
		pg.IDs, pg.Put = directPut(r, func(v data.Subscription) int64 { return v.ID }, (*store.Writer).PutSubscription)
	}
	return pg, more
}

func directPut[T any](recs []T, id func(T) int64, put func(*store.Writer, T) error) ([]int64, func(*store.Writer) error) {
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = id(r)
	}
	return ids, func(w *store.Writer) error {
		for _, r := range recs {
			if err := put(w, r); err != nil {
				return err
			}
		}
		return nil
	}
}

// AddBooking adds a new customer and an appointment for them as one batch: the case where a
// child references a parent created after the client synced that parent entity.
func (s *Server) AddBooking() (customerID, appointmentID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	upd := s.stampLocked()
	defer s.sealLocked(upd)
	at := time.Unix(upd, 0).UTC()
	c := data.Customer{ID: s.cust.nextID(), Name: "New Customer", Email: "new@example.com", Phone: "+1 555-000-0000",
		Status: data.CustomerActive, CreatedAt: at, UpdatedAt: at}
	s.cust.put(c, upd)
	a, _ := s.appt.get(1)
	a.ID, a.CustomerID, a.Status, a.BookedAt, a.UpdatedAt = s.appt.nextID(), c.ID, data.StatusScheduled, at, at
	s.appt.put(a, upd)
	return c.ID, a.ID
}
