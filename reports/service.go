// Package reports turns the local tenant store into the numbers, tables, charts and files Almanac shows.
package reports

import (
	"context"
	"time"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
)

// Service answers reports from one tenant store.
type Service struct {
	store *store.Store
	now   func() time.Time
}

// New returns a Service over store; now is the clock (time.Now in production).
func New(store *store.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// Store is the underlying store.
func (s *Service) Store() *store.Store { return s.store }

// Tenant returns the tenant the service reports on.
func (s *Service) Tenant(ctx context.Context) (data.Tenant, error) { return s.store.Tenant(ctx) }

// MonthBounds returns the first and last local dates of the month containing now in loc.
func MonthBounds(now time.Time, loc *time.Location) (first, last string) {
	n := now.In(loc)
	start := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, loc)
	end := start.AddDate(0, 1, -1)
	return start.Format(data.DateLayout), end.Format(data.DateLayout)
}
