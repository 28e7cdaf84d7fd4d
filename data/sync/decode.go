package sync

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/store"
)

// syncPage is one decoded, validated page, ready to apply.
type syncPage struct {
	store.Page
	more      bool
	remaining int64
	newest    time.Time // the newest updated_at of the page's changes
}

func (p *syncPage) size() int64 { return int64(len(p.IDs) + len(p.Dels)) }

// malformed names the entity and cursor of a page that is not applied.
func malformed(entity, cursor string, format string, args ...any) error {
	if cursor == "" {
		cursor = "(start)"
	}
	return fmt.Errorf("the server sent a malformed %s page after cursor %s: %s; the page was not applied",
		entity, cursor, fmt.Sprintf(format, args...))
}

// decodePage parses and checks a page body for entity.
func decodePage(entity, from string, body []byte, limit int) (*syncPage, error) {
	switch entity {
	case "resources":
		return decodeTyped(entity, from, body, limit, checkResource, func(v data.Resource) int64 { return v.ID }, (*store.Writer).PutResource)
	case "services":
		return decodeTyped(entity, from, body, limit, checkService, func(v data.Service) int64 { return v.ID }, (*store.Writer).PutService)
	case "customers":
		return decodeTyped(entity, from, body, limit, checkCustomer, func(v data.Customer) int64 { return v.ID }, (*store.Writer).PutCustomer)
	case "appointments":
		return decodeTyped(entity, from, body, limit, checkAppointment, func(v data.Appointment) int64 { return v.ID }, (*store.Writer).PutAppointment)
	case "payments":
		return decodeTyped(entity, from, body, limit, checkPayment, func(v data.Payment) int64 { return v.ID }, (*store.Writer).PutPayment)
	case "subscriptions":
		return decodeTyped(entity, from, body, limit, checkSubscription, func(v data.Subscription) int64 { return v.ID }, (*store.Writer).PutSubscription)
	}
	return nil, fmt.Errorf("unknown entity %q", entity)
}

func decodeTyped[T any](entity, from string, body []byte, limit int, check func(T) error, id func(T) int64,
	put func(*store.Writer, T) error) (*syncPage, error) {
	var p ChangesPage[T]
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, malformed(entity, from, "%s", locateBadRecord[T](body, err))
	}
	if err := checkPageHeader(entity, from, &p.Entity, len(p.Records)+len(p.Deleted), limit, p.NextCursor, p.HasMore); err != nil {
		return nil, err
	}
	pg := &syncPage{Page: store.Page{Entity: entity, From: from, Next: p.NextCursor, IDs: make([]int64, len(p.Records))},
		more: p.HasMore, remaining: max(p.Remaining, 0)}
	seen := make(map[int64]bool, len(p.Records)+len(p.Deleted))
	for i, r := range p.Records {
		if err := check(r); err != nil {
			return nil, malformed(entity, from, "record id %d (#%d): %v", id(r), i, err)
		}
		pg.IDs[i] = id(r)
		if at := updatedAt(r); at.After(pg.newest) {
			pg.newest = at
		}
		if seen[pg.IDs[i]] {
			return nil, malformed(entity, from, "id %d appears twice", pg.IDs[i])
		}
		seen[pg.IDs[i]] = true
	}
	for i, d := range p.Deleted {
		if d.ID <= 0 || seen[d.ID] {
			return nil, malformed(entity, from, "tombstone %d: bad or repeated id %d", i, d.ID)
		}
		seen[d.ID] = true
		pg.Dels = append(pg.Dels, d.ID)
		if d.UpdatedAt.After(pg.newest) {
			pg.newest = d.UpdatedAt
		}
	}
	records := p.Records
	pg.Put = func(w *store.Writer) error {
		for _, r := range records {
			if err := put(w, r); err != nil {
				return err
			}
		}
		return nil
	}
	return pg, nil
}

// updatedAt is a record's updated_at (zero for a type without one).
func updatedAt(v any) time.Time {
	switch r := v.(type) {
	case data.Resource:
		return r.UpdatedAt
	case data.Service:
		return r.UpdatedAt
	case data.Customer:
		return r.UpdatedAt
	case data.Appointment:
		return r.UpdatedAt
	case data.Payment:
		return r.UpdatedAt
	case data.Subscription:
		return r.UpdatedAt
	}
	return time.Time{}
}

// locateBadRecord explains a page that failed to decode: when the page is well-formed JSON but
// one record is not (an amount that does not fit, a date that does not parse), it names that
// record's id, which the error of decoding the whole page does not. It runs only on failure, so
// the happy path decodes once.
func locateBadRecord[T any](body []byte, pageErr error) string {
	var raw struct {
		Records []json.RawMessage `json:"records"`
	}
	if json.Unmarshal(body, &raw) != nil {
		return pageErr.Error()
	}
	for i, r := range raw.Records {
		var v T
		err := json.Unmarshal(r, &v)
		if err == nil {
			continue
		}
		var idOnly struct {
			ID json.Number `json:"id"`
		}
		if json.Unmarshal(r, &idOnly) == nil && idOnly.ID != "" && len(idOnly.ID) <= 20 {
			return fmt.Sprintf("record id %s (#%d): %v", idOnly.ID, i, err)
		}
		return fmt.Sprintf("record #%d (no readable id): %v", i, err)
	}
	return pageErr.Error()
}

func checkPageHeader(entity, from string, got *string, n, limit int, next string, more bool) error {
	switch {
	case *got != entity:
		return malformed(entity, from, "it says it holds %q", *got)
	case n > limit:
		return malformed(entity, from, "%d changes, more than the limit %d", n, limit)
	case len(next) > 256 || strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r > 0x7e }):
		return malformed(entity, from, "next_cursor is not a short printable string")
	case n > 0 && next == "":
		return malformed(entity, from, "next_cursor is empty after %d changes", n)
	case more && n == 0:
		return malformed(entity, from, "has_more is set on a page with no changes")
	case more && next == from:
		return malformed(entity, from, "has_more is set but next_cursor did not advance, so the same page would repeat forever")
	}
	return nil
}

// Record checks: the store's CHECK constraints would refuse these too, but a clear message
// naming the record beats a constraint name.

func checkText(field, s string, required bool) error {
	if required && s == "" {
		return fmt.Errorf("%s is empty", field)
	}
	if len(s) > 1000 {
		return fmt.Errorf("%s is longer than 1000 bytes", field)
	}
	return nil
}

func checkTime(name string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("%s is missing", name)
	}
	if y := t.Year(); y < 1970 || y > 2200 {
		return fmt.Errorf("%s %s is out of range", name, t.Format(time.RFC3339))
	}
	return nil
}

// checkOptTime checks an optional instant.
func checkOptTime(name string, t *time.Time) error {
	if t == nil {
		return nil
	}
	return checkTime(name, *t)
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// MaxMoneyCents bounds every amount from a server: 10^12 minor units (10 billion dollars) is
// far beyond any single record of a small business, and even two million records at the bound
// sum to 2*10^18, inside int64, so rollups and report totals cannot overflow.
const MaxMoneyCents = 1_000_000_000_000

// checkMoney refuses amounts outside [0, MaxMoneyCents], or [-MaxMoneyCents, MaxMoneyCents]
// when negative means something (a payment's refund or correction).
func checkMoney(name string, cents int64, negativeOK bool) error {
	lo := int64(0)
	if negativeOK {
		lo = -MaxMoneyCents
	}
	if cents < lo || cents > MaxMoneyCents {
		if cents < 0 && !negativeOK {
			return fmt.Errorf("%s %d is negative", name, cents)
		}
		return fmt.Errorf("%s %d is beyond the limit of ±%d minor units", name, cents, int64(MaxMoneyCents))
	}
	return nil
}

func checkID(name string, id int64) error {
	if id <= 0 {
		return fmt.Errorf("%s %d is not a positive id", name, id)
	}
	return nil
}

func checkResource(r data.Resource) error {
	if r.Kind != data.ResourceStaff && r.Kind != data.ResourceRoom && r.Kind != data.ResourceEquipment {
		return fmt.Errorf("kind %q is not staff, room or equipment", r.Kind)
	}
	return firstErr(checkID("id", r.ID), checkText("name", r.Name, true), checkTime("updated_at", r.UpdatedAt))
}

func checkService(s data.Service) error {
	if s.DurationMinutes <= 0 {
		return fmt.Errorf("duration_minutes %d is not positive", s.DurationMinutes)
	}
	return firstErr(checkID("id", s.ID), checkMoney("price_cents", s.PriceCents, false), checkText("name", s.Name, true), checkTime("updated_at", s.UpdatedAt))
}

func checkCustomer(c data.Customer) error {
	if c.Status != data.CustomerActive && c.Status != data.CustomerInactive {
		return fmt.Errorf("status %q is not active or inactive", c.Status)
	}
	return firstErr(checkID("id", c.ID), checkText("name", c.Name, true), checkText("email", c.Email, false),
		checkText("phone", c.Phone, false), checkTime("created_at", c.CreatedAt), checkTime("updated_at", c.UpdatedAt))
}

func checkAppointment(a data.Appointment) error {
	switch {
	case !data.AppointmentStatuses().Valid(string(a.Status)):
		return fmt.Errorf("status %q is unknown", a.Status)
	case a.EndAt.Before(a.StartAt):
		return fmt.Errorf("end_at is before start_at")
	}
	return firstErr(checkID("id", a.ID), checkMoney("price_cents", a.PriceCents, false), checkID("customer_id", a.CustomerID), checkID("service_id", a.ServiceID),
		checkID("resource_id", a.ResourceID), checkTime("start_at", a.StartAt), checkTime("end_at", a.EndAt),
		checkTime("booked_at", a.BookedAt), checkTime("updated_at", a.UpdatedAt))
}

func checkPayment(p data.Payment) error {
	switch {
	case !data.PaymentStatuses().Valid(string(p.Status)):
		return fmt.Errorf("status %q is unknown", p.Status)
	case !data.ValidCurrency(p.Currency):
		return fmt.Errorf("currency %q is not a code of three capital letters such as USD", p.Currency)
	case p.AppointmentID != nil && *p.AppointmentID <= 0:
		return fmt.Errorf("appointment_id %d is not a positive id", *p.AppointmentID)
	}
	return firstErr(checkID("id", p.ID), checkMoney("amount_cents", p.AmountCents, true), checkID("customer_id", p.CustomerID), checkTime("created_at", p.CreatedAt),
		checkOptTime("paid_at", p.PaidAt), checkTime("updated_at", p.UpdatedAt))
}

func checkSubscription(s data.Subscription) error {
	switch {
	case !data.SubscriptionStatuses().Valid(string(s.Status)):
		return fmt.Errorf("status %q is unknown", s.Status)
	case !data.ValidCurrency(s.Currency):
		return fmt.Errorf("currency %q is not a code of three capital letters such as USD", s.Currency)
	case s.Interval != "month" && s.Interval != "year":
		return fmt.Errorf("interval %q is not month or year", s.Interval)
	}
	return firstErr(checkID("id", s.ID), checkMoney("amount_cents", s.AmountCents, false), checkID("customer_id", s.CustomerID), checkText("plan_name", s.PlanName, true),
		checkTime("started_at", s.StartedAt), checkOptTime("canceled_at", s.CanceledAt), checkTime("updated_at", s.UpdatedAt))
}
