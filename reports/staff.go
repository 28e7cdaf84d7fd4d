package reports

import (
	"context"
	"fmt"
	"sort"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/store"
	"github.com/almanac-app/almanac/license"
)

// Staff performance (docs/metrics.md): per resource over a period, its appointments by the
// local date of their start, visits (completed), cancellations and no-shows with their rates,
// booked hours, revenue and share. Read from the staff rollups in one snapshot, so it costs
// O(days × resources).

// ReportStaff is the staff report for CheckReport.
const ReportStaff Report = "resources"

// StaffQuery asks for the staff report over a period.
type StaffQuery struct {
	Period Period
}

// ResourcePerformance is one resource's row of the staff report.
type ResourcePerformance struct {
	ID                      int64   `json:"id"`
	Name                    string  `json:"name"`
	Appointments            int64   `json:"appointments"`
	Visits                  int64   `json:"visits"`
	Cancelled               int64   `json:"cancelled"`
	NoShow                  int64   `json:"no_show"`
	CancellationRatePercent float64 `json:"cancellation_rate_percent"`
	NoShowRatePercent       float64 `json:"no_show_rate_percent"`
	BookedHours             float64 `json:"booked_hours"`
	RevenueCents            int64   `json:"revenue_cents"`
	SharePercent            float64 `json:"share_percent"`
}

// StaffReport is the staff report; JSON field names are those of `report resources --json`.
type StaffReport struct {
	Resources         []ResourcePerformance `json:"resources"`
	TotalAppointments int64                 `json:"total_appointments"`
	Currency          string                `json:"currency"`
	PeriodDays        int                   `json:"period_days"`

	// For display only.
	From     string `json:"-"`
	To       string `json:"-"`
	TimeZone string `json:"-"`
}

// Staff computes the staff report for q from one snapshot when ents includes it.
func (s *Service) Staff(ctx context.Context, ents license.Entitlements, q StaffQuery) (StaffReport, error) {
	if err := CheckReport(ents, ReportStaff); err != nil {
		return StaffReport{}, err
	}
	var out StaffReport
	err := s.store.Snapshot(ctx, func(sn *store.Snapshot) error {
		t, from, to, days, names, err := s.reportBasis(ctx, sn, ents, q.Period)
		if err != nil {
			return err
		}
		cells, err := sn.ApptsByResourceStatus(ctx, from, to)
		if err != nil {
			return fmt.Errorf("staff report: %w", err)
		}
		rev, err := sn.RevenueByResource(ctx, from, to, t.Currency)
		if err != nil {
			return fmt.Errorf("staff revenue: %w", err)
		}
		out = staffReport(cells, rev, names.resources)
		out.Currency, out.PeriodDays, out.From, out.To, out.TimeZone = t.Currency, days, from, to, t.TimeZone
		return nil
	})
	return out, err
}

// staffAgg is one resource's sums while the report is built.
type staffAgg struct {
	n, visits, cancelled, noShow, seconds, cents int64
}

// staffReport lays the store's cells out as the report: one row per resource with an
// appointment or revenue in the period (revenue without an appointment, resource 0, belongs to
// no resource), most appointments first, ties by id.
func staffReport(cells []store.ResourceStatusCount, revenue map[int64]int64, names map[int64]string) StaffReport {
	aggs := map[int64]*staffAgg{}
	get := func(id int64) *staffAgg {
		if aggs[id] == nil {
			aggs[id] = &staffAgg{}
		}
		return aggs[id]
	}
	var out StaffReport
	for _, c := range cells {
		a := get(c.ResourceID)
		a.n += c.N
		out.TotalAppointments += c.N
		switch data.AppointmentStatus(c.Status) {
		case data.StatusCompleted:
			a.visits += c.N
		case data.StatusCancelled:
			a.cancelled += c.N
			continue // cancelled appointments book no hours
		case data.StatusNoShow:
			a.noShow += c.N
		}
		a.seconds += c.Seconds
	}
	for id, cents := range revenue {
		if id != 0 && cents != 0 {
			get(id).cents += cents
		}
	}
	out.Resources = []ResourcePerformance{}
	for id, a := range aggs {
		out.Resources = append(out.Resources, ResourcePerformance{
			ID: id, Name: nameOf(names, id), Appointments: a.n, Visits: a.visits, Cancelled: a.cancelled, NoShow: a.noShow,
			CancellationRatePercent: percent(a.cancelled, a.n), NoShowRatePercent: percent(a.noShow, a.n),
			BookedHours: hours2(a.seconds), RevenueCents: a.cents, SharePercent: percent(a.n, out.TotalAppointments),
		})
	}
	sort.Slice(out.Resources, func(i, j int) bool {
		ri, rj := out.Resources[i], out.Resources[j]
		if ri.Appointments != rj.Appointments {
			return ri.Appointments > rj.Appointments
		}
		return ri.ID < rj.ID
	})
	return out
}

// hours2 is seconds in hours, rounded half away from zero to 2 decimals (exact in integers:
// a hundredth of an hour is 36 seconds).
func hours2(seconds int64) float64 { return float64(divRound(seconds, 36)) / 100 }
