package reports

// definitions are the metric definitions a document prints as notes, keyed by the report's
// JSON field, in docs/metrics.md's own words (TestDefinitionsAreMetricsMd holds them to it).
var definitions = map[string]Definition{
	"total_appointments_this_month": {"Appointments this month", "Appointments whose local start date is in the current calendar month, the whole month (future ones included), every status."},
	"total_appointments_all_time":   {"Appointments, all time", "Appointments whose local start date is on or after the history window's cutoff (future ones included)."},
	"active_resources_count":        {"Active resources", "Resources marked active."},
	"active_services_count":         {"Active services", "Services marked active."},
	"upcoming_appointments_count":   {"Upcoming appointments", "Appointments with status scheduled or confirmed that start after now."},
	"average_appointment_duration_minutes": {"Average duration", "Mean of (end – start) in whole minutes over the past appointments from the history window's cutoff on: " +
		"those that started at or before now (every status). Future bookings never count. 0 when there are none."},
	"peak_booking_day":  {"Peak booking day", "The weekday (English name) with the most past appointments (same set as the average) by local start date; ties go to the earlier day, Sunday first"},
	"peak_booking_hour": {"Peak booking hour", "The local hour (0–23) in which the most past appointments (same set) started; ties go to the earlier hour"},

	"total":                     {"Total", "Matching appointments in the period."},
	"by_status":                 {"By status", "Count per status; every status is present, zeros included."},
	"by_service":                {"By service and resource", "Lists by service or resource are largest first; ties by id ascending."},
	"daily_breakdown":           {"Daily", "One entry per local date of the period, zeros included"},
	"booking_trend_percent":     {"Booking trend", "(total – previous) ÷ previous × 100, where previous is the same count over the N days just before the period (N = period_days)."},
	"cancellation_rate_percent": {"Cancellation rate", "cancelled ÷ total × 100; 0 when total is 0."},
	"no_show_rate_percent":      {"No-show rate", "no_show ÷ total × 100; 0 when total is 0."},

	"total_revenue_cents":             {"Total revenue", "Sum of succeeded payments paid in the period, minor units."},
	"transaction_count":               {"Transactions", "Number of those payments."},
	"average_transaction_value_cents": {"Average transaction", "total ÷ count, rounded; 0 when there are none."},
	"revenue_by_service":              {"Revenue by service", "Lists by service or resource are largest first; ties by id ascending."},
	"revenue_daily_breakdown":         {"Daily revenue", "one per local date, zeros included."},

	"busy_hours": {"Busy hours", "7 rows of 24 counts: row 0 is Monday … row 6 Sunday, column h the local hour h (0–23) of the start. " +
		"Each matching appointment of the period counts once, in the weekday of its local start date and its local start hour"},

	"new_customers":               {"New customers", "Customers whose first visit ever (in the store) is in the period; a first visit on the period's first day counts."},
	"returning_customers":         {"Returning customers", "Customers with a visit in the period and a visit before the period's first day."},
	"visiting_customers":          {"Visiting customers", "Customers with a visit in the period (new_customers + returning_customers)."},
	"retention_rate_percent":      {"Retention rate", "Of the customers with a visit in the N days just before the period (N = period_days), the share who also visit in the period, in percent to 2 places. null when nobody visited in those N days or when they start before the history window's cutoff."},
	"average_visits_per_customer": {"Visits per customer", "Visits in the period ÷ visiting_customers, rounded half away from zero to 2 places; 0 when nobody visited."},
	"top_customers":               {"Top customers", "the customers with the most revenue paid in the period (visits = their visits in the period, 0 if they only paid); ties by more visits, then lower id."},
	"lapsed_customers": {"Lapsed customers", "active customers whose last visit is more than lapsed_days days before today (last visit < today - N; exactly N days ago is not lapsed) and who have no scheduled or confirmed appointment starting after now. " +
		"A customer who never visited is not lapsed. visit_count and lifetime_revenue_cents cover all of the store's history (not limited by the plan's window), in the tenant's currency. Newest last visit first, ties by id."},
	"visit": {"Visit", "A visit is a completed appointment, on the local date of its start"},

	"resources.appointments":              {"Appointments (per resource)", "Its appointments whose local start date is in the period, every status."},
	"resources.visits":                    {"Visits", "Of those, the completed ones."},
	"resources.cancelled":                 {"Cancelled, no-show", "Of those, the cancelled and the no-show ones."},
	"resources.cancellation_rate_percent": {"Cancellation rate", "cancelled ÷ appointments × 100, as in the appointments report; 0 when it has none."},
	"resources.no_show_rate_percent":      {"No-show rate", "no_show ÷ appointments × 100; 0 when it has none."},
	"resources.booked_hours":              {"Booked hours", "Sum of (end - start) of its appointments in the period that are not cancelled (no-shows count: the time was booked), in hours rounded half away from zero to 2 decimals."},
	"resources.revenue_cents":             {"Revenue", "Succeeded payments in the tenant's currency paid in the period (by the local date of paid_at) for appointments of this resource, whenever the appointment is; minor units."},
	"resources.share_percent":             {"Share", "appointments ÷ total_appointments × 100."},
	"total_appointments":                  {"Total appointments", "All appointments in the period, every resource."},

	"comparison": {"Comparison", "Change of a count or money: (value - comparison value) ÷ comparison value × 100, in percent; null when the comparison value is 0. " +
		"Of a rate: value - comparison value, in percentage points."},

	// The conventions every report shares.
	"time_zone":    {"Time zone", "Everything is in the tenant's time zone"},
	"appointments": {"Appointments", "Appointments count by the local date of their start."},
	"revenue":      {"Revenue", "Revenue counts succeeded payments by the local date of paid_at"},
}

// The definitions each report prints, in order.
var (
	dashboardFields = []string{"time_zone", "total_appointments_this_month", "total_appointments_all_time", "active_resources_count",
		"active_services_count", "upcoming_appointments_count", "average_appointment_duration_minutes", "peak_booking_day", "peak_booking_hour"}
	appointmentFields = []string{"time_zone", "appointments", "total", "by_status", "by_service", "daily_breakdown", "booking_trend_percent",
		"cancellation_rate_percent", "no_show_rate_percent", "busy_hours"}
	customerFields = []string{"time_zone", "visit", "new_customers", "returning_customers", "visiting_customers", "retention_rate_percent",
		"average_visits_per_customer", "top_customers", "lapsed_customers"}
	staffFields = []string{"time_zone", "appointments", "total_appointments", "resources.appointments", "resources.visits", "resources.cancelled",
		"resources.cancellation_rate_percent", "resources.no_show_rate_percent", "resources.booked_hours", "resources.revenue_cents", "resources.share_percent"}
	revenueFields = []string{"time_zone", "revenue", "total_revenue_cents", "transaction_count", "average_transaction_value_cents",
		"revenue_by_service", "revenue_daily_breakdown"}
)

// definitionsOf lists the definitions of fields, leaving out those include refuses (the
// sections a plan locks); a nil include keeps every one. The shared conventions (keys not in
// the report's JSON) are always kept.
func definitionsOf(fields []string, include func(field string) bool) []Definition {
	var out []Definition
	for _, f := range fields {
		if include != nil && isReportField(f) && !include(f) {
			continue
		}
		out = append(out, definitions[f])
	}
	return out
}

// isReportField reports whether key is a JSON field of the appointments report (so a plan may
// lock it), not a shared convention.
func isReportField(key string) bool {
	switch key {
	case "time_zone", "appointments", "revenue", "comparison":
		return false
	}
	return true
}
