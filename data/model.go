// Package data is Almanac's domain: the entity types of a tenant, statuses, money, the errors
// every layer shares, and the home folder's files (active tenant, locks). It speaks no SQL and no
// HTTP: the store is data/store, the sync client data/sync, the demo generator data/demo.
package data

import (
	"errors"
	"slices"
	"time"
)

// All entity types of a tenant live in this file. Money is integer minor units (cents for USD)
// plus a currency code; instants are UTC. Local dates ("YYYY-MM-DD") are computed in the tenant's
// time zone when a row is written, so reports never re-derive them per row.

// Sentinel errors returned at the data boundary; match them with errors.Is.
var (
	ErrNotFound      = errors.New("not found")
	ErrInvalid       = errors.New("invalid value")
	ErrNoTenant      = errors.New("no tenant in this home")
	ErrSchemaTooNew  = errors.New("store was written by a newer Almanac")
	ErrTenantChanged = errors.New("tenant differs from the store's tenant")
)

// ErrNeedFullSync is wrapped by a failure that only a full sync (the sync's Full option) gets past:
// the server forgot the cursor, the tenant's time zone changed, the bulk state is damaged.
// Front ends word the way out with their own control (the command line's --full).
var ErrNeedFullSync = errors.New("a full sync is needed")

// Tenant is the business whose data the store holds. Its JSON is the tenant as a sync server
// describes it (GET /v1/tenant); IsDemo and LastSyncAt are the store's own facts and never in it.
type Tenant struct {
	ID                string     `json:"id"`
	Name              string     `json:"name"`
	TimeZone          string     `json:"timezone"`
	Currency          string     `json:"currency"`
	CanAcceptPayments bool       `json:"can_accept_payments"`
	IsDemo            bool       `json:"-"`
	LastSyncAt        *time.Time `json:"-"`
}

// Location returns the tenant's time zone, falling back to UTC for an unknown name.
func (t Tenant) Location() *time.Location {
	loc, err := time.LoadLocation(t.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// ResourceKind says what a bookable resource is.
type ResourceKind string

// Resource kinds.
const (
	ResourceStaff     ResourceKind = "staff"
	ResourceRoom      ResourceKind = "room"
	ResourceEquipment ResourceKind = "equipment"
)

// Resource is a bookable person, room or piece of equipment.
type Resource struct {
	ID        int64        `json:"id"`
	Name      string       `json:"name"`
	Kind      ResourceKind `json:"kind"`
	Active    bool         `json:"active"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// Service is something a customer books.
type Service struct {
	ID              int64     `json:"id"`
	Name            string    `json:"name"`
	DurationMinutes int       `json:"duration_minutes"`
	PriceCents      int64     `json:"price_cents"`
	Active          bool      `json:"active"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// CustomerStatus is active or inactive.
type CustomerStatus string

// Customer statuses.
const (
	CustomerActive   CustomerStatus = "active"
	CustomerInactive CustomerStatus = "inactive"
)

// Customer is a person who books.
type Customer struct {
	ID        int64          `json:"id"`
	Name      string         `json:"name"`
	Email     string         `json:"email"`
	Phone     string         `json:"phone"`
	Status    CustomerStatus `json:"status"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// AppointmentStatus is the lifecycle state of an appointment.
type AppointmentStatus string

// Appointment statuses, in display order.
const (
	StatusScheduled AppointmentStatus = "scheduled"
	StatusConfirmed AppointmentStatus = "confirmed"
	StatusCompleted AppointmentStatus = "completed"
	StatusCancelled AppointmentStatus = "cancelled"
	StatusNoShow    AppointmentStatus = "no_show"
)

var appointmentStatuses = StatusSet[AppointmentStatus]{[]AppointmentStatus{StatusScheduled, StatusConfirmed, StatusCompleted, StatusCancelled, StatusNoShow}}

// AppointmentStatuses is every appointment status, in display order.
func AppointmentStatuses() StatusSet[AppointmentStatus] { return appointmentStatuses }

// Appointment is one booking of a service with a resource.
type Appointment struct {
	ID         int64             `json:"id"`
	CustomerID int64             `json:"customer_id"`
	ServiceID  int64             `json:"service_id"`
	ResourceID int64             `json:"resource_id"`
	StartAt    time.Time         `json:"start_at"`
	EndAt      time.Time         `json:"end_at"`
	Status     AppointmentStatus `json:"status"`
	BookedAt   time.Time         `json:"booked_at"`
	PriceCents int64             `json:"price_cents"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// PaymentStatus is the state of a payment.
type PaymentStatus string

// Payment statuses.
const (
	PaymentPending   PaymentStatus = "pending"
	PaymentSucceeded PaymentStatus = "succeeded"
	PaymentFailed    PaymentStatus = "failed"
	PaymentRefunded  PaymentStatus = "refunded"
)

var paymentStatuses = StatusSet[PaymentStatus]{[]PaymentStatus{PaymentPending, PaymentSucceeded, PaymentFailed, PaymentRefunded}}

// PaymentStatuses is every payment status.
func PaymentStatuses() StatusSet[PaymentStatus] { return paymentStatuses }

// Payment is money taken (or attempted) from a customer.
type Payment struct {
	ID            int64         `json:"id"`
	CustomerID    int64         `json:"customer_id"`
	AppointmentID *int64        `json:"appointment_id"`
	AmountCents   int64         `json:"amount_cents"`
	Currency      string        `json:"currency"`
	Status        PaymentStatus `json:"status"`
	CreatedAt     time.Time     `json:"created_at"`
	PaidAt        *time.Time    `json:"paid_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
}

// SubscriptionStatus is the state of a membership.
type SubscriptionStatus string

// Subscription statuses.
const (
	SubActive   SubscriptionStatus = "active"
	SubTrialing SubscriptionStatus = "trialing"
	SubPastDue  SubscriptionStatus = "past_due"
	SubCanceled SubscriptionStatus = "canceled"
)

var subscriptionStatuses = StatusSet[SubscriptionStatus]{[]SubscriptionStatus{SubActive, SubTrialing, SubPastDue, SubCanceled}}

// SubscriptionStatuses is every subscription status.
func SubscriptionStatuses() StatusSet[SubscriptionStatus] { return subscriptionStatuses }

// Subscription is a customer's membership.
type Subscription struct {
	ID          int64              `json:"id"`
	CustomerID  int64              `json:"customer_id"`
	PlanName    string             `json:"plan_name"`
	Status      SubscriptionStatus `json:"status"`
	AmountCents int64              `json:"amount_cents"`
	Currency    string             `json:"currency"`
	Interval    string             `json:"interval"`
	StartedAt   time.Time          `json:"started_at"`
	CanceledAt  *time.Time         `json:"canceled_at"`
	UpdatedAt   time.Time          `json:"updated_at"`
}

// Counts holds the number of rows of every entity table.
type Counts struct {
	Appointments  int64 `json:"appointments"`
	Customers     int64 `json:"customers"`
	Resources     int64 `json:"resources"`
	Services      int64 `json:"services"`
	Payments      int64 `json:"payments"`
	Subscriptions int64 `json:"subscriptions"`
}

var entities = [...]string{"resources", "services", "customers", "appointments", "payments", "subscriptions"}

// Entities lists the synced entity tables in dependency order (parents first), in a slice the
// caller may keep or change.
func Entities() []string { return slices.Clone(entities[:]) }

// StatusSet is the known values of one status type, in display order. Its values cannot be
// changed from outside the package: All returns a copy.
type StatusSet[S ~string] struct{ values []S }

// All returns the statuses in display order, in a slice the caller may keep or change.
func (set StatusSet[S]) All() []S { return slices.Clone(set.values) }

// Len is the number of statuses.
func (set StatusSet[S]) Len() int { return len(set.values) }

// Index is the position of s in display order, or -1 when s is not a known status.
func (set StatusSet[S]) Index(s string) int {
	for i, v := range set.values {
		if string(v) == s {
			return i
		}
	}
	return -1
}

// Valid reports whether s is a known status.
func (set StatusSet[S]) Valid(s string) bool { return set.Index(s) >= 0 }

// LocalDate formats t as a calendar date in loc.
func LocalDate(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(DateLayout)
}

// DateLayout is the layout of local calendar dates in the store and on the command line.
const DateLayout = "2006-01-02"

// DemoTenantID is the id of the built-in demo tenant.
const DemoTenantID = "demo"
