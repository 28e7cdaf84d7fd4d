package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/store"
)

// Options controls the demo generator. The same options always give identical rows.
type Options struct {
	Appointments int       // default 50,000
	Seed         uint64    // default 1
	Today        time.Time // a date; default Now's date in TimeZone (the tenant's today, not UTC's)
	Now          time.Time // the moment the demo is built, for the default Today; default time.Now()
	TimeZone     string    // default America/New_York
	Currency     string    // default USD
	Progress     func(done, total int)
}

// Sink receives generated rows; *Writer is one.
type Sink interface {
	PutResource(data.Resource) error
	PutService(data.Service) error
	PutCustomer(data.Customer) error
	PutAppointment(data.Appointment) error
	PutPayment(data.Payment) error
	PutSubscription(data.Subscription) error
}

// Normalize fills defaults and validates the options.
func (o Options) Normalize() (Options, error) {
	if o.Appointments == 0 {
		o.Appointments = 50_000
	}
	if o.Appointments < 0 || o.Appointments > 20_000_000 {
		return o, &data.InputError{Field: data.FieldAppointments, Value: fmt.Sprint(o.Appointments), Problem: "is out of range", Fix: "use 1 to 20000000"}
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.TimeZone == "" {
		o.TimeZone = "America/New_York"
	}
	loc, err := time.LoadLocation(o.TimeZone)
	if err != nil {
		return o, &data.InputError{Field: data.FieldTimeZone, Value: o.TimeZone, Problem: "is not a time zone", Fix: "use an IANA name such as America/New_York"}
	}
	if o.Currency == "" {
		o.Currency = "USD"
	}
	if !data.ValidCurrency(o.Currency) {
		return o, fmt.Errorf("currency %q: %w: use three capital letters such as USD", o.Currency, data.ErrInvalid)
	}
	if o.Today.IsZero() {
		now := o.Now
		if now.IsZero() {
			now = time.Now()
		}
		o.Today = now.In(loc) // the tenant's date: at 21:00 in New York it is already tomorrow in UTC
	}
	y, m, d := o.Today.Date()
	o.Today = time.Date(y, m, d, 0, 0, 0, 0, loc)
	return o, nil
}

// Tenant describes the demo tenant for the options.
func Tenant(o Options) data.Tenant {
	return data.Tenant{ID: data.DemoTenantID, Name: "Maple Street Wellness", TimeZone: o.TimeZone, Currency: o.Currency,
		CanAcceptPayments: true, IsDemo: true}
}

// ErrActiveChanged means the demo tenant was built but another tenant became active while it
// was building (a sync finished meanwhile), so that tenant stays active.
var ErrActiveChanged = errors.New("another tenant became active meanwhile")

// Build generates the demo tenant into a fresh file, renames it into place as the demo
// tenant's store, and makes it active. An interrupted build leaves the previous store untouched.
// It holds the demo store's write lock throughout (a *BusyError if another process holds it),
// and it does not take the active tenant away from one that a sync made active during the
// build: it returns ErrActiveChanged then.
func Build(ctx context.Context, h data.Home, o Options) (data.Tenant, error) {
	o, err := o.Normalize()
	if err != nil {
		return data.Tenant{}, err
	}
	lock, err := h.LockStore(data.DemoTenantID, "almanac demo")
	if err != nil {
		return data.Tenant{}, err
	}
	defer lock.Unlock() //nolint:errcheck // closing drops the lock anyway
	before, _ := h.ActiveTenant()
	t, err := buildDemoStore(ctx, h, o)
	if err != nil {
		return t, err
	}
	active, err := h.SetActiveUnless(data.DemoTenantID, func(cur string) bool { return cur != before })
	if err == nil && active != data.DemoTenantID {
		err = fmt.Errorf("the demo tenant was built, but %w: tenant %q, which stays active (run 'almanac demo' again to switch to the demo)", ErrActiveChanged, active)
	}
	return t, err
}

// buildDemoStore builds the demo store into a scratch file and renames it over the demo tenant's
// store; the caller holds the store's lock.
func buildDemoStore(ctx context.Context, h data.Home, o Options) (data.Tenant, error) {
	final := h.TenantPath(data.DemoTenantID)
	if err := demoReplaceable(ctx, final); err != nil {
		return data.Tenant{}, fmt.Errorf("build demo tenant: %w", err)
	}
	t := Tenant(o)
	err := store.BuildFile(ctx, final, t, func(w *store.Writer) error { return generatePiped(ctx, o, w) })
	if err != nil {
		return data.Tenant{}, fmt.Errorf("build demo tenant: %w", err)
	}
	return t, nil
}

type demoService struct {
	name     string
	minutes  int
	cents    int64
	weight   float64
	retired  bool
	resource []int64 // resource ids that deliver it
}

var demoStaff = []string{"Ava Thompson", "Liam Carter", "Sofia Ramirez", "Noah Bennett", "Mia Chen", "Ethan Brooks", "Chloe Patel", "Lucas Rivera", "Grace Kim"}

var demoServices = []demoService{
	{"Swedish Massage 60", 60, 9500, 10, false, nil}, {"Deep Tissue Massage 60", 60, 11000, 8, false, nil},
	{"Deep Tissue Massage 90", 90, 15000, 4, false, nil}, {"Hot Stone Massage", 75, 13000, 3, false, nil},
	{"Prenatal Massage", 60, 10500, 2, false, nil}, {"Sports Massage", 45, 8500, 4, false, nil},
	{"Classic Facial", 60, 8500, 6, false, nil}, {"Hydrating Facial", 45, 7500, 4, false, nil},
	{"Acne Treatment", 45, 8000, 2, false, nil}, {"Physiotherapy Assessment", 60, 12000, 5, false, nil},
	{"Physiotherapy Follow-up", 30, 7000, 8, false, nil}, {"Acupuncture", 45, 9000, 4, false, nil},
	{"Yoga Private Session", 60, 8000, 3, false, nil}, {"Pilates Reformer", 50, 6500, 6, false, nil},
	{"Nutrition Consultation", 45, 9500, 2, false, nil}, {"Reflexology", 30, 5500, 3, false, nil},
	{"Cupping Therapy", 30, 6000, 2, false, nil}, {"Aromatherapy Add-on", 15, 2000, 3, false, nil},
	{"Infrared Sauna", 30, 4000, 1.5, true, nil}, {"Salt Float", 60, 7500, 1, true, nil},
}

var firstNames = []string{"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
	"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Carlos", "Karen", "Daniel", "Nancy",
	"Matthew", "Lisa", "Anthony", "Betty", "Mark", "Sandra", "Priya", "Ashley", "Kenji", "Amara", "Omar", "Zoe", "Mateo", "Léa"}

var lastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Nguyen", "O'Brien",
	"Walker", "Young", "Allen", "King", "Wright", "Scott", "Okafor", "Müller", "Rossi", "Tanaka"}

// hourWeights are relative booking volumes for 08:00 to 19:00.
var hourWeights = []float64{3, 6, 9, 9, 5, 6, 8, 9, 8, 7, 5, 3}

// weekdayWeights are relative volumes, Sunday first.
var weekdayWeights = []float64{0.35, 0.9, 1.0, 1.05, 1.1, 1.25, 1.15}

// gen holds the generator's state; all randomness comes from one seeded source.
type gen struct {
	o         Options
	rng       *rand.Rand
	loc       *time.Location
	start     time.Time // first day
	days      int       // number of days
	customers int
	nextPay   int64
}

const demoPastDays, demoFutureDays = 730, 28

// Generate emits the demo tenant's rows into sink, parents first.
func Generate(ctx context.Context, o Options, sink Sink) error {
	o, err := o.Normalize()
	if err != nil {
		return err
	}
	g := &gen{o: o, rng: rand.New(rand.NewPCG(o.Seed, 0x616c6d616e6163)), loc: o.Today.Location(),
		start: o.Today.AddDate(0, 0, -demoPastDays), days: demoPastDays + demoFutureDays}
	g.customers = max(o.Appointments/10, 20)
	steps := []func(context.Context, Sink) error{g.resources, g.services, g.customersRows, g.appointments, g.subscriptions}
	for _, step := range steps {
		if err := step(ctx, sink); err != nil {
			return err
		}
	}
	return nil
}

// stamp is a deterministic "last modified" time: the generator never reads the clock.
func (g *gen) stamp() time.Time { return g.start.UTC() }

func (g *gen) resources(_ context.Context, sink Sink) error {
	id := int64(0)
	put := func(name string, kind data.ResourceKind, active bool) error {
		id++
		return sink.PutResource(data.Resource{ID: id, Name: name, Kind: kind, Active: active, UpdatedAt: g.stamp()})
	}
	for i, n := range demoStaff {
		if err := put(n, data.ResourceStaff, i != len(demoStaff)-1); err != nil {
			return err
		}
	}
	for _, n := range []string{"Treatment Room A", "Float Suite"} {
		if err := put(n, data.ResourceRoom, true); err != nil {
			return err
		}
	}
	return put("Infrared Sauna Cabin", data.ResourceEquipment, true)
}

func (g *gen) services(_ context.Context, sink Sink) error {
	for i, s := range demoServices {
		err := sink.PutService(data.Service{ID: int64(i + 1), Name: s.name, DurationMinutes: s.minutes, PriceCents: s.cents,
			Active: !s.retired, UpdatedAt: g.stamp()})
		if err != nil {
			return err
		}
	}
	return nil
}

// customerCreated spreads customer sign-ups evenly over the past, oldest id first; the newest
// signed up yesterday at the latest, so none is created after the demo is built.
func (g *gen) customerCreated(id int) time.Time {
	frac := float64(id-1) / float64(g.customers)
	return g.start.Add(time.Duration(frac * float64(time.Duration(demoPastDays-1)*24*time.Hour))).Add(9 * time.Hour).UTC()
}

func (g *gen) customersRows(_ context.Context, sink Sink) error {
	for id := 1; id <= g.customers; id++ {
		first := firstNames[g.rng.IntN(len(firstNames))]
		last := lastNames[g.rng.IntN(len(lastNames))]
		status := data.CustomerActive
		if g.rng.Float64() < 0.15 {
			status = data.CustomerInactive
		}
		created := g.customerCreated(id)
		c := data.Customer{ID: int64(id), Name: first + " " + last, Email: fmt.Sprintf("%s.%s%d@example.com", asciiLower(first), asciiLower(last), id),
			Phone: fmt.Sprintf("+1 555-%03d-%04d", g.rng.IntN(1000), g.rng.IntN(10000)), Status: status, CreatedAt: created, UpdatedAt: created}
		if err := sink.PutCustomer(c); err != nil {
			return err
		}
	}
	return nil
}

func asciiLower(s string) string {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			out = append(out, byte(r+'a'-'A'))
		case r >= 'a' && r <= 'z':
			out = append(out, byte(r))
		case r == 'é':
			out = append(out, 'e')
		case r == 'ü':
			out = append(out, 'u')
		}
	}
	return string(out)
}

// dayCounts spreads n appointments over the days with growth and weekday weights, none on the
// days the business is closed; the counts sum to n exactly.
func (g *gen) dayCounts(n int) []int {
	w := make([]float64, g.days)
	total := 0.0
	for d := range w {
		day := g.start.AddDate(0, 0, d)
		if closedOn(day) {
			continue
		}
		w[d] = (0.8 + 0.4*float64(d)/float64(g.days)) * weekdayWeights[day.Weekday()]
		total += w[d]
	}
	counts := make([]int, g.days)
	cum, prev := 0.0, 0
	for d := range w {
		cum += w[d]
		next := int(math.Round(cum / total * float64(n)))
		counts[d], prev = next-prev, next
	}
	return counts
}

// closedOn reports the demo business's holidays: 25 December and 1 January.
func closedOn(day time.Time) bool {
	_, m, d := day.Date()
	return m == time.December && d == 25 || m == time.January && d == 1
}

func pickWeighted(rng *rand.Rand, weights []float64, total float64) int {
	x := rng.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func (g *gen) appointments(ctx context.Context, sink Sink) error {
	counts := g.dayCounts(g.o.Appointments)
	svcW := make([]float64, len(demoServices))
	for i, s := range demoServices {
		svcW[i] = s.weight
	}
	hourTotal := sum(hourWeights)
	id := 0
	for d, n := range counts {
		day := g.start.AddDate(0, 0, d)
		retiredOK := d < demoPastDays/2
		for range n {
			id++
			a, err := g.appointment(int64(id), day, retiredOK, svcW, hourTotal)
			if err != nil {
				return err
			}
			if err := sink.PutAppointment(a); err != nil {
				return err
			}
			if err := g.payments(sink, a); err != nil {
				return err
			}
			if id%20000 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				if g.o.Progress != nil {
					g.o.Progress(id, g.o.Appointments)
				}
			}
		}
	}
	if g.o.Progress != nil {
		g.o.Progress(id, g.o.Appointments)
	}
	return nil
}

func sum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

func (g *gen) appointment(id int64, day time.Time, retiredOK bool, svcW []float64, hourTotal float64) (data.Appointment, error) {
	si := pickWeighted(g.rng, svcW, sum(svcW))
	for demoServices[si].retired && !retiredOK {
		si = pickWeighted(g.rng, svcW, sum(svcW))
	}
	svc := demoServices[si]
	hour := 8 + pickWeighted(g.rng, hourWeights, hourTotal)
	minute := 15 * g.rng.IntN(4)
	start := time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, g.loc)
	resource := g.resourceFor(si, retiredOK)
	maxCustomer := 1 + int(float64(g.customers)*float64(day.Sub(g.start))/float64(time.Duration(demoPastDays)*24*time.Hour))
	customer := 1 + g.rng.IntN(min(maxCustomer, g.customers))
	status := g.status(!day.Before(g.o.Today))
	booked := g.bookedBefore(start.Add(-time.Hour - time.Duration(g.rng.IntN(30*24))*time.Hour))
	price := svc.cents
	if g.rng.Float64() < 0.05 {
		price = price * 9 / 10
	}
	end := start.Add(time.Duration(svc.minutes) * time.Minute)
	updated := booked
	if status == data.StatusCompleted || status == data.StatusNoShow {
		updated = end
	}
	return data.Appointment{ID: id, CustomerID: int64(customer), ServiceID: int64(si + 1), ResourceID: resource,
		StartAt: start.UTC(), EndAt: end.UTC(), Status: status, BookedAt: booked.UTC(), PriceCents: price, UpdatedAt: updated.UTC()}, nil
}

// bookedBefore moves a booking time that falls on or after the demo's today into the evening
// before it, keeping its spread: the demo is built today, so nothing can have been booked later.
func (g *gen) bookedBefore(t time.Time) time.Time {
	if t.Before(g.o.Today) {
		return t
	}
	return g.o.Today.Add(-time.Minute - t.Sub(g.o.Today)%(12*time.Hour))
}

// resourceFor picks who or what delivers service index si.
func (g *gen) resourceFor(si int, retiredOK bool) int64 {
	switch demoServices[si].name {
	case "Infrared Sauna":
		return 12
	case "Salt Float":
		return 11
	case "Pilates Reformer", "Yoga Private Session":
		if g.rng.IntN(2) == 0 {
			return 10
		}
	}
	staff := len(demoStaff)
	if !retiredOK {
		staff-- // the last staff member left the business
	}
	return int64(1 + g.rng.IntN(staff))
}

func (g *gen) status(future bool) data.AppointmentStatus {
	u := g.rng.Float64()
	switch {
	case u < 0.08:
		return data.StatusCancelled
	case future && u < 0.45:
		return data.StatusConfirmed
	case future:
		return data.StatusScheduled
	case u < 0.11:
		return data.StatusNoShow
	default:
		return data.StatusCompleted
	}
}

// payments emits the payment for a completed appointment: usually one success, sometimes a
// failed attempt first, sometimes later refunded.
func (g *gen) payments(sink Sink, a data.Appointment) error {
	if a.Status != data.StatusCompleted {
		return nil
	}
	apptID := a.ID
	at := a.EndAt.Add(time.Duration(1+g.rng.IntN(10)) * time.Minute)
	if g.rng.Float64() < 0.02 {
		g.nextPay++
		failed := data.Payment{ID: g.nextPay, CustomerID: a.CustomerID, AppointmentID: &apptID, AmountCents: a.PriceCents,
			Currency: g.o.Currency, Status: data.PaymentFailed, CreatedAt: at, UpdatedAt: at}
		if err := sink.PutPayment(failed); err != nil {
			return err
		}
		at = at.Add(2 * time.Minute)
	}
	g.nextPay++
	status, updated := data.PaymentSucceeded, at
	// A refund comes three days later; one that would fall after today has not happened yet.
	if g.rng.Float64() < 0.015 && at.Add(72*time.Hour).Before(g.o.Today) {
		status, updated = data.PaymentRefunded, at.Add(72*time.Hour)
	}
	paid := at
	return sink.PutPayment(data.Payment{ID: g.nextPay, CustomerID: a.CustomerID, AppointmentID: &apptID, AmountCents: a.PriceCents,
		Currency: g.o.Currency, Status: status, CreatedAt: at, PaidAt: &paid, UpdatedAt: updated})
}

var demoPlans = []struct {
	name     string
	cents    int64
	interval string
}{{"Monthly Unlimited", 12900, "month"}, {"Four-Visit Monthly", 9900, "month"}, {"Annual Membership", 120000, "year"}, {"Student Monthly", 7900, "month"}}

func (g *gen) subscriptions(_ context.Context, sink Sink) error {
	n := max(g.o.Appointments*6/1000, 5)
	for id := 1; id <= n; id++ {
		plan := demoPlans[g.rng.IntN(len(demoPlans))]
		cust := 1 + g.rng.IntN(g.customers)
		started := g.customerCreated(cust).Add(time.Duration(g.rng.IntN(60*24)) * time.Hour)
		if !started.Before(g.o.Today) {
			started = g.o.Today.Add(-24 * time.Hour).UTC()
		}
		s := data.Subscription{ID: int64(id), CustomerID: int64(cust), PlanName: plan.name, AmountCents: plan.cents,
			Currency: g.o.Currency, Interval: plan.interval, StartedAt: started, UpdatedAt: started}
		s.Status = g.subStatus()
		if s.Status == data.SubCanceled {
			span := g.o.Today.Sub(started)
			c := started.Add(time.Duration(g.rng.Float64() * float64(span)))
			s.CanceledAt, s.UpdatedAt = &c, c
		}
		if err := sink.PutSubscription(s); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) subStatus() data.SubscriptionStatus {
	u := g.rng.Float64()
	switch {
	case u < 0.55:
		return data.SubActive
	case u < 0.60:
		return data.SubTrialing
	case u < 0.66:
		return data.SubPastDue
	default:
		return data.SubCanceled
	}
}

// demoReplaceable refuses to let the demo builder replace the store at path unless it does
// not exist or its tenant row (if any) says it holds demo data.
func demoReplaceable(ctx context.Context, path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	t, err := store.ReadTenantFile(ctx, path)
	if errors.Is(err, data.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check the existing demo store: %w", err)
	}
	if !t.IsDemo {
		return fmt.Errorf("%s holds tenant %q (%s) from a sync, not demo data: %w: it is kept; move it away to build the demo",
			path, t.ID, t.Name, data.ErrTenantChanged)
	}
	return nil
}
