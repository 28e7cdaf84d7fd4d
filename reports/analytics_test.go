package reports

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/almanac-app/almanac/license"
)

func TestDashboardFixture(t *testing.T) {
	s := openFixture(t)
	tests := []struct {
		plan    license.Plan
		allTime int64
		from    string
		avg     float64
		day     string
		hour    int
	}{
		// Average and peaks count only appointments started by now (2026-03-10 15:00): ids 7, 8
		// and 10 are still to come. Ids 9 (14:00 today) has started.
		// From 2025-03-10: 12 appointments; past ones 1-6, 9, 11, 12: 465 minutes / 9 = 51.67;
		// Sunday has 4 (1, 2, 3, 5); 23:00 has 4 (3, 4, 6, 11).
		{license.Enterprise, 12, "2025-03-10", 51.67, "Sunday", 23},
		// From 2026-03-03: ids 1,2,3,4,7,8,9,10; past 1,2,3,4,9: 255 / 5 = 51; Sunday 3; hours
		// 1, 3, 23, 23, 14: 23:00. Counting the future 8 (14:00) would tie 14:00 and make it win.
		{license.Free, 8, "2026-03-03", 51, "Sunday", 23},
		{license.Internal, 13, "", 52.5, "Sunday", 23}, // + id 13 (60 minutes): 525 / 10
	}
	for _, tt := range tests {
		t.Run(tt.plan.String(), func(t *testing.T) {
			d, err := s.Dashboard(context.Background(), ents(tt.plan))
			if err != nil {
				t.Fatal(err)
			}
			want := Dashboard{
				TotalAppointmentsThisMonth: 9, TotalAppointmentsAllTime: tt.allTime,
				ActiveResourcesCount: 2, ActiveServicesCount: 2, UpcomingAppointmentsCount: 2,
				AverageAppointmentDurationMinutes: tt.avg, PeakBookingDay: &tt.day, PeakBookingHour: &tt.hour,
				Period: DatePeriod{"2026-03-01", "2026-03-31"}, AllTimeFrom: tt.from,
			}
			d.Tenant, d.ComputedAt = want.Tenant, want.ComputedAt
			if !reflect.DeepEqual(d, want) {
				t.Errorf("dashboard\n got %s\nwant %s", dump(d), dump(want))
			}
		})
	}
}

// Peak ties go to the earlier weekday or hour.
func TestArgmaxTies(t *testing.T) {
	if got := argmax([]int64{0, 2, 1, 2}); got != 1 {
		t.Errorf("argmax tie = %d, want the first (1)", got)
	}
	if got := argmax([]int64{0, 0}); got != -1 {
		t.Errorf("argmax of zeros = %d, want -1", got)
	}
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func ptr[T any](v T) *T { return &v }

func statuses(sc, cf, cp, ca, ns int64) map[string]int64 {
	return map[string]int64{"scheduled": sc, "confirmed": cf, "completed": cp, "cancelled": ca, "no_show": ns}
}

func TestAppointmentsFixture(t *testing.T) {
	s := openFixture(t)
	zero := statuses(0, 0, 0, 0, 0)
	day := func(date string, st map[string]int64) DayCount {
		var n int64
		for _, v := range st {
			n += v
		}
		return DayCount{Date: date, Count: n, StatusBreakdown: st}
	}
	march1to8 := []DayCount{
		day("2026-03-01", statuses(0, 0, 1, 0, 0)), day("2026-03-02", zero), day("2026-03-03", zero), day("2026-03-04", zero),
		day("2026-03-05", zero), day("2026-03-06", zero), day("2026-03-07", statuses(0, 0, 1, 0, 0)), day("2026-03-08", statuses(0, 0, 1, 1, 1)),
	}
	tests := []struct {
		name   string
		period Period
		plan   license.Plan
		filter AppointmentFilter
		want   AppointmentAnalytics
	}{
		{"DST week and month start", Period{From: "2026-03-01", To: "2026-03-08"}, license.Enterprise, AppointmentFilter{},
			AppointmentAnalytics{Total: 5, ByStatus: statuses(0, 0, 3, 1, 1),
				ByService:      []NamedCount{{1, "Massage", 3}, {2, "Facial", 1}, {3, "Old service", 1}},
				ByResource:     []NamedCount{{1, "Ava", 2}, {2, "Room B", 2}, {3, "Retired", 1}},
				DailyBreakdown: march1to8, BookingTrendPercent: ptr(400.0), CancellationRatePercent: 20, NoShowRatePercent: 20, PeriodDays: 8}},
		{"status filter", Period{From: "2026-03-01", To: "2026-03-08"}, license.Enterprise, AppointmentFilter{Status: "completed"},
			AppointmentAnalytics{Total: 3, ByStatus: statuses(0, 0, 3, 0, 0),
				ByService:  []NamedCount{{1, "Massage", 2}, {3, "Old service", 1}},
				ByResource: []NamedCount{{1, "Ava", 2}, {3, "Retired", 1}},
				DailyBreakdown: []DayCount{march1to8[0], march1to8[1], march1to8[2], march1to8[3], march1to8[4], march1to8[5], march1to8[6],
					day("2026-03-08", statuses(0, 0, 1, 0, 0))},
				BookingTrendPercent: ptr(200.0), PeriodDays: 8}},
		{"service filter", Period{From: "2026-03-08", To: "2026-03-08"}, license.Enterprise, AppointmentFilter{ServiceID: 1},
			AppointmentAnalytics{Total: 2, ByStatus: statuses(0, 0, 1, 0, 1),
				ByService: []NamedCount{{1, "Massage", 2}}, ByResource: []NamedCount{{1, "Ava", 1}, {2, "Room B", 1}},
				DailyBreakdown: []DayCount{day("2026-03-08", statuses(0, 0, 1, 0, 1))}, NoShowRatePercent: 50, PeriodDays: 1}},
		{"resource filter", Period{From: "2026-03-01", To: "2026-03-08"}, license.Enterprise, AppointmentFilter{ResourceID: 2},
			AppointmentAnalytics{Total: 2, ByStatus: statuses(0, 0, 0, 1, 1),
				ByService: []NamedCount{{1, "Massage", 1}, {2, "Facial", 1}}, ByResource: []NamedCount{{2, "Room B", 2}},
				DailyBreakdown: append(append([]DayCount{day("2026-03-01", zero)}, march1to8[1:6]...),
					day("2026-03-07", zero), day("2026-03-08", statuses(0, 0, 0, 1, 1))),
				CancellationRatePercent: 50, NoShowRatePercent: 50, PeriodDays: 8}},
		{"service and resource (raw rows)", Period{From: "2026-02-28", To: "2026-03-08"}, license.Enterprise, AppointmentFilter{ServiceID: 1, ResourceID: 1},
			AppointmentAnalytics{Total: 2, ByStatus: statuses(0, 0, 2, 0, 0),
				ByService: []NamedCount{{1, "Massage", 2}}, ByResource: []NamedCount{{1, "Ava", 2}},
				DailyBreakdown: append([]DayCount{day("2026-02-28", zero), day("2026-03-01", statuses(0, 0, 1, 0, 0))},
					append(append([]DayCount{}, march1to8[1:6]...), day("2026-03-07", zero), day("2026-03-08", statuses(0, 0, 1, 0, 0)))...),
				PeriodDays: 9}},
		{"year boundary", Period{From: "2025-12-30", To: "2026-01-02"}, license.Enterprise, AppointmentFilter{},
			AppointmentAnalytics{Total: 2, ByStatus: statuses(0, 0, 1, 0, 1),
				ByService: []NamedCount{{1, "Massage", 1}, {2, "Facial", 1}}, ByResource: []NamedCount{{1, "Ava", 1}, {2, "Room B", 1}},
				DailyBreakdown:    []DayCount{day("2025-12-30", zero), day("2025-12-31", statuses(0, 0, 1, 0, 0)), day("2026-01-01", statuses(0, 0, 0, 0, 1)), day("2026-01-02", zero)},
				NoShowRatePercent: 50, PeriodDays: 4}},
		{"empty period", Period{From: "2026-02-01", To: "2026-02-02"}, license.Enterprise, AppointmentFilter{},
			AppointmentAnalytics{ByStatus: zero, ByService: []NamedCount{}, ByResource: []NamedCount{},
				DailyBreakdown: []DayCount{day("2026-02-01", zero), day("2026-02-02", zero)}, PeriodDays: 2}},
		// Last 7 days on PROFESSIONAL: 03-04..03-10 holds ids 1,2,3,4,9,10; the 7 days before hold 5, 6.
		{"last 7 days, trend visible", Period{From: "2026-03-04", To: "2026-03-10"}, license.Professional, AppointmentFilter{},
			lastWeek(ptr(200.0))},
		// On FREE the days before reach past the 7-day window, so the trend is null.
		{"last 7 days, trend outside window", Period{From: "2026-03-04", To: "2026-03-10"}, license.Free, AppointmentFilter{},
			lastWeek(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Appointments(context.Background(), ents(license.Internal), AppointmentQuery{Period: tt.period, Window: windowAt(tt.plan), Filter: tt.filter})
			if err != nil {
				t.Fatal(err)
			}
			tt.want.From, tt.want.To, tt.want.Filter, tt.want.TimeZone = tt.period.From, tt.period.To, tt.filter, "America/New_York"
			got.BusyHours = nil // by hand in TestBusyHoursFixture
			if !reflect.DeepEqual(got.AppointmentAnalytics, tt.want) {
				t.Errorf("appointments\n got %s\nwant %s", dump(got.AppointmentAnalytics), dump(tt.want))
			}
		})
	}
}

func lastWeek(trend *float64) AppointmentAnalytics {
	zero := statuses(0, 0, 0, 0, 0)
	d := func(date string, st map[string]int64, n int64) DayCount {
		return DayCount{Date: date, Count: n, StatusBreakdown: st}
	}
	return AppointmentAnalytics{Total: 6, ByStatus: statuses(0, 1, 2, 2, 1),
		ByService:  []NamedCount{{1, "Massage", 3}, {3, "Old service", 2}, {2, "Facial", 1}},
		ByResource: []NamedCount{{1, "Ava", 3}, {2, "Room B", 2}, {3, "Retired", 1}},
		DailyBreakdown: []DayCount{d("2026-03-04", zero, 0), d("2026-03-05", zero, 0), d("2026-03-06", zero, 0),
			d("2026-03-07", statuses(0, 0, 1, 0, 0), 1), d("2026-03-08", statuses(0, 0, 1, 1, 1), 3), d("2026-03-09", zero, 0),
			d("2026-03-10", statuses(0, 1, 0, 1, 0), 2)},
		BookingTrendPercent: trend, CancellationRatePercent: 33.33, NoShowRatePercent: 16.67, PeriodDays: 7}
}

func TestRevenueFixture(t *testing.T) {
	s := openFixture(t)
	zeroDays := func(dates ...string) []DayRevenue {
		out := make([]DayRevenue, len(dates))
		for i, d := range dates {
			out[i] = DayRevenue{Date: d}
		}
		return out
	}
	march := zeroDays("2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08")
	march[0] = DayRevenue{"2026-03-01", 9500, 1}
	march[4] = DayRevenue{"2026-03-05", 2000, 1}
	march[7] = DayRevenue{"2026-03-08", 10501, 2}
	marchSvc1 := append([]DayRevenue{}, march...)
	marchSvc1[4] = DayRevenue{Date: "2026-03-05"}
	tests := []struct {
		name    string
		period  Period
		service int64
		want    RevenueAnalytics
	}{
		{"DST week", Period{From: "2026-03-01", To: "2026-03-08"}, 0, RevenueAnalytics{TotalRevenueCents: 22001, TransactionCount: 4,
			AverageTransactionValueCents: 5500, // 5500.25
			ByService:                    []ServiceRevenue{{1, "Massage", 20001, 3}, {0, NoServiceName, 2000, 1}},
			DailyBreakdown:               march, Currency: "USD", PeriodDays: 8}},
		{"one service", Period{From: "2026-03-01", To: "2026-03-08"}, 1, RevenueAnalytics{TotalRevenueCents: 20001, TransactionCount: 3,
			AverageTransactionValueCents: 6667, ByService: []ServiceRevenue{{1, "Massage", 20001, 3}},
			DailyBreakdown: marchSvc1, Currency: "USD", PeriodDays: 8}},
		{"month boundary: paid late Feb 28 local", Period{From: "2026-02-28", To: "2026-02-28"}, 0, RevenueAnalytics{TotalRevenueCents: 7500, TransactionCount: 1,
			AverageTransactionValueCents: 7500, ByService: []ServiceRevenue{{2, "Facial", 7500, 1}},
			DailyBreakdown: []DayRevenue{{"2026-02-28", 7500, 1}}, Currency: "USD", PeriodDays: 1}},
		{"zero totals", Period{From: "2026-02-01", To: "2026-02-03"}, 0, RevenueAnalytics{ByService: []ServiceRevenue{},
			DailyBreakdown: zeroDays("2026-02-01", "2026-02-02", "2026-02-03"), Currency: "USD", PeriodDays: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Revenue(context.Background(), ents(license.Internal), RevenueQuery{Period: tt.period, ServiceID: tt.service})
			if err != nil {
				t.Fatal(err)
			}
			tt.want.From, tt.want.To, tt.want.TimeZone = tt.period.From, tt.period.To, "America/New_York"
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("revenue\n got %s\nwant %s", dump(got), dump(tt.want))
			}
		})
	}
}

func TestFilterErrorsNameTheFlag(t *testing.T) {
	s := openFixture(t)
	ctx := context.Background()
	p := Period{From: "2026-03-01", To: "2026-03-08"}
	for _, f := range []AppointmentFilter{{Status: "done"}, {ServiceID: 99}, {ResourceID: 99}} {
		_, err := s.Appointments(ctx, ents(license.Enterprise), AppointmentQuery{Period: p, Window: windowAt(license.Enterprise), Filter: f})
		if !errors.Is(err, ErrUsage) {
			t.Errorf("filter %+v: err = %v, want ErrUsage", f, err)
		}
	}
	if _, err := s.Revenue(ctx, ents(license.Enterprise), RevenueQuery{Period: p, ServiceID: 99}); !errors.Is(err, ErrUsage) {
		t.Errorf("revenue --service 99: err = %v, want ErrUsage", err)
	}
}

func TestJSONFieldNames(t *testing.T) {
	s := openFixture(t)
	ctx := context.Background()
	p := Period{From: "2026-03-01", To: "2026-03-08"}
	d, _ := s.Dashboard(ctx, ents(license.Enterprise))
	a, _ := s.Appointments(ctx, ents(license.Enterprise), AppointmentQuery{Period: p, Window: windowAt(license.Enterprise)})
	r, _ := s.Revenue(ctx, ents(license.Enterprise), RevenueQuery{Period: p})
	for _, tt := range []struct {
		v    any
		keys []string
	}{
		{d, []string{"total_appointments_this_month", "total_appointments_all_time", "active_resources_count", "active_services_count",
			"upcoming_appointments_count", "average_appointment_duration_minutes", "peak_booking_day", "peak_booking_hour", "period"}},
		{a, []string{"total", "by_status", "by_service", "by_resource", "daily_breakdown", "booking_trend_percent",
			"cancellation_rate_percent", "no_show_rate_percent", "busy_hours", "period_days"}},
		{r, []string{"total_revenue_cents", "transaction_count", "average_transaction_value_cents", "by_service", "daily_breakdown", "currency", "period_days"}},
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(dump(tt.v)), &m); err != nil {
			t.Fatal(err)
		}
		if len(m) != len(tt.keys) {
			t.Errorf("%T has %d JSON fields, want exactly %v", tt.v, len(m), tt.keys)
		}
		for _, k := range tt.keys {
			if _, ok := m[k]; !ok {
				t.Errorf("%T lacks JSON field %q", tt.v, k)
			}
		}
	}
}

func TestDivRoundAndPercent(t *testing.T) {
	for _, tt := range []struct{ a, b, want int64 }{{5, 2, 3}, {22001, 4, 5500}, {7, 0, 0}, {-5, 2, -3}, {20001, 3, 6667}} {
		if got := divRound(tt.a, tt.b); got != tt.want {
			t.Errorf("divRound(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	if got := percent(1, 3); got != 33.33 {
		t.Errorf("percent(1, 3) = %v", got)
	}
	if got := percent(2, 3); got != 66.67 {
		t.Errorf("percent(2, 3) = %v", got)
	}
	if got := percent(0, 0); got != 0 {
		t.Errorf("percent(0, 0) = %v", got)
	}
}

func TestAppointmentFilterWords(t *testing.T) {
	for _, c := range []struct {
		f    AppointmentFilter
		want string
	}{
		{AppointmentFilter{}, ""},
		{AppointmentFilter{Status: "cancelled"}, "status cancelled"},
		{AppointmentFilter{ServiceID: 3, ResourceID: 2}, "service #3|resource #2"},
		{AppointmentFilter{Status: "no_show", ServiceID: 1, ResourceID: 9}, "status no_show|service #1|resource #9"},
	} {
		if got := strings.Join(c.f.Words(), "|"); got != c.want {
			t.Errorf("%+v.Words() = %q, want %q", c.f, got, c.want)
		}
	}
}
