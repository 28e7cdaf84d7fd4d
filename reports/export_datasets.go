package reports

import (
	"slices"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
)

// Dataset names.
const (
	DatasetAppointments  = "appointments"
	DatasetCustomers     = "customers"
	DatasetResources     = "resources"
	DatasetServices      = "services"
	DatasetPayments      = "payments"
	DatasetSubscriptions = "subscriptions"
)

// kind is how a column's values are typed in each format.
type kind uint8

const (
	kindInt   kind = iota // a count or quantity: a number everywhere
	kindID                // an integer identifier: a number in CSV/JSON, text in XLSX (no 1.23E+15)
	kindText              // free text
	kindCode              // identifier-like text (phones, currency codes): text in every format
	kindMoney             // integer minor units; the row's currency is in the column currencyCol
	kindDate              // a local calendar date, YYYY-MM-DD
	kindTime              // an instant, Unix seconds UTC; shown in the tenant's zone
	kindBool              // 0 or 1
)

// exportColumn is one field of a dataset.
type exportColumn struct {
	key   string // CSV header and JSON key
	title string // XLSX header
	kind  kind
	// tenantCurrency columns are not read from the database: every row holds the tenant's
	// currency (appointment and service prices are in it), filled in once.
	tenantCurrency bool
	// nameFrom, for a name column, is the table whose name the id in column idCol refers to. The
	// export reads such names from a preloaded map instead of joining per row (see export_names.go).
	nameFrom string
	idCol    int
	// widthSQL, for text columns, returns the longest value (cheap: it reads a small table), so
	// XLSX column widths fit the data although the stream writer needs them before any row.
	widthSQL string
}

// Filter names, as on the command line.
const (
	filterStatus   = "status"
	filterService  = "service"
	filterResource = "resource"
	filterActive   = "active"
)

// dataset is an exportable table: its columns, which filters it takes, and how to query it.
type dataset struct {
	name      string
	title     string // sheet and table name
	columns   []exportColumn
	dateField string   // "" when the dataset has no date filter
	filters   []string // besides dates
	statuses  []string // valid --status values
	// currencyCol is the index of the column holding each row's currency, for money columns.
	currencyCol int
	query       func(f filterValues) dsQuery
}

// DatasetInfo describes a dataset for menus and help.
type DatasetInfo struct {
	Name      string
	Title     string
	DateField string   // what the date filter applies to; "" when none
	Filters   []string // "status", "service", "resource", "active"
	Statuses  []string
}

// Datasets lists the exportable datasets in menu order.
func Datasets() []DatasetInfo {
	var out []DatasetInfo
	for _, d := range datasets {
		out = append(out, DatasetInfo{Name: d.name, Title: d.title, DateField: d.dateField,
			Filters: append([]string(nil), d.filters...), Statuses: append([]string(nil), d.statuses...)})
	}
	return out
}

// DatasetNames lists the dataset names.
func DatasetNames() []string {
	var out []string
	for _, d := range datasets {
		out = append(out, d.name)
	}
	return out
}

func findDataset(name string) *dataset {
	for i := range datasets {
		if datasets[i].name == name {
			return &datasets[i]
		}
	}
	return nil
}

// datasetFor validates a request's dataset, format and filters (all usage errors).
func datasetFor(req ExportRequest) (*dataset, error) {
	ds := findDataset(req.Dataset)
	if ds == nil {
		return nil, usageError("unknown dataset %q: use one of %s", req.Dataset, strings.Join(DatasetNames(), ", "))
	}
	if _, err := ParseFormat(string(req.Format)); err != nil {
		return nil, err
	}
	p := req.Period
	if ds.dateField == "" && (p.Days != "" || p.From != "" || p.To != "") {
		return nil, usageError("%s have no date filter: drop --from, --to and --days", ds.name)
	}
	checks := []struct {
		given bool
		name  string
		flag  string
	}{
		{req.Status != "", filterStatus, "--status"},
		{req.ServiceID != 0, filterService, "--service"},
		{req.ResourceID != 0, filterResource, "--resource"},
		{req.Active != nil, filterActive, "--active"},
	}
	for _, c := range checks {
		if c.given && !slices.Contains(ds.filters, c.name) {
			return nil, usageError("%s cannot be filtered by %s: drop it", ds.name, c.flag)
		}
	}
	if req.Status != "" && !slices.Contains(ds.statuses, req.Status) {
		return nil, usageError("--status %q is not %s status: use one of %s", req.Status, withArticle(strings.TrimSuffix(ds.name, "s")), strings.Join(ds.statuses, ", "))
	}
	if req.ServiceID < 0 || req.ResourceID < 0 {
		return nil, usageError("--service and --resource take a positive id")
	}
	return ds, nil
}

// filterValues are a request's resolved filters.
type filterValues struct {
	from, to          string // local dates; to "" means open-ended
	status            string
	service, resource int64
	active            *bool
	loc               *time.Location
}

// dsQuery is a dataset's SELECT and the COUNT of the same rows.
type dsQuery struct {
	sql string
	// noJoin is the same SELECT without the name columns (nameFrom), for when the names are
	// preloaded; "" when the dataset has none. Its columns are sql's minus those.
	noJoin    string
	args      []any
	count     string
	countArgs []any
}

// sqlWhere collects SQL conditions and their arguments.
type sqlWhere struct {
	conds []string
	args  []any
}

func (w *sqlWhere) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *sqlWhere) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// instantBounds turns local dates into a Unix-second range that surely contains them (two days
// of slack either side cover any zone offset); the exact test stays on the local-date column, and
// the instant range lets SQLite walk the instant index in order instead of sorting.
func instantBounds(from, to string, loc *time.Location) (lo, hi int64) {
	lo, hi = -1<<62, 1<<62
	if d, err := time.ParseInLocation(data.DateLayout, from, loc); err == nil && from > "0001" {
		lo = d.AddDate(0, 0, -2).Unix()
	}
	if d, err := time.ParseInLocation(data.DateLayout, to, loc); err == nil {
		hi = d.AddDate(0, 0, 3).Unix()
	}
	return lo, hi
}

// localDateRange adds the exact local-date conditions; the unary + keeps SQLite from picking
// the local-date index (which would force a sort) over the instant index.
func localDateRange(w *sqlWhere, col, from, to string) {
	if from != "" {
		w.add("+"+col+" >= ?", from)
	}
	if to != "" {
		w.add("+"+col+" <= ?", to)
	}
}

var datasets = []dataset{
	{
		name: DatasetAppointments, title: "Appointments", dateField: "appointment local start date",
		filters: []string{filterStatus, filterService, filterResource}, statuses: appointmentStatuses(),
		currencyCol: 11,
		columns: []exportColumn{
			{key: "id", title: "ID", kind: kindID},
			{key: "start_at", title: "Start", kind: kindTime},
			{key: "end_at", title: "End", kind: kindTime},
			{key: "status", title: "Status", kind: kindText},
			{key: "customer_id", title: "Customer ID", kind: kindID},
			{key: "customer_name", title: "Customer", kind: kindText, nameFrom: "customers", idCol: 4, widthSQL: "SELECT MAX(LENGTH(name)) FROM customers"},
			{key: "service_id", title: "Service ID", kind: kindID},
			{key: "service_name", title: "Service", kind: kindText, nameFrom: "services", idCol: 6, widthSQL: "SELECT MAX(LENGTH(name)) FROM services"},
			{key: "resource_id", title: "Resource ID", kind: kindID},
			{key: "resource_name", title: "Resource", kind: kindText, nameFrom: "resources", idCol: 8, widthSQL: "SELECT MAX(LENGTH(name)) FROM resources"},
			{key: "price_cents", title: "Price", kind: kindMoney},
			{key: "currency", title: "Currency", kind: kindCode, tenantCurrency: true},
			{key: "booked_at", title: "Booked", kind: kindTime},
		},
		query: appointmentsQuery,
	},
	{
		name: DatasetCustomers, title: "Customers",
		filters: []string{filterStatus}, statuses: []string{string(data.CustomerActive), string(data.CustomerInactive)},
		currencyCol: -1,
		columns: []exportColumn{
			{key: "id", title: "ID", kind: kindID},
			{key: "name", title: "Name", kind: kindText, widthSQL: "SELECT MAX(LENGTH(name)) FROM customers"},
			{key: "email", title: "Email", kind: kindText, widthSQL: "SELECT MAX(LENGTH(email)) FROM customers"},
			{key: "phone", title: "Phone", kind: kindCode, widthSQL: "SELECT MAX(LENGTH(phone)) FROM customers"},
			{key: "status", title: "Status", kind: kindText},
			{key: "created_at", title: "Created", kind: kindTime},
			{key: "last_visit_date", title: "Last visit", kind: kindDate},
			{key: "active_memberships", title: "Active memberships", kind: kindInt},
		},
		query: customersQuery,
	},
	{
		name: DatasetResources, title: "Resources", filters: []string{filterActive}, currencyCol: -1,
		columns: []exportColumn{
			{key: "id", title: "ID", kind: kindID},
			{key: "name", title: "Name", kind: kindText, widthSQL: "SELECT MAX(LENGTH(name)) FROM resources"},
			{key: "kind", title: "Kind", kind: kindText},
			{key: "active", title: "Active", kind: kindBool},
		},
		query: simpleQuery("SELECT id, name, kind, active FROM resources", "resources"),
	},
	{
		name: DatasetServices, title: "Services", filters: []string{filterActive}, currencyCol: 4,
		columns: []exportColumn{
			{key: "id", title: "ID", kind: kindID},
			{key: "name", title: "Name", kind: kindText, widthSQL: "SELECT MAX(LENGTH(name)) FROM services"},
			{key: "duration_minutes", title: "Minutes", kind: kindInt},
			{key: "price_cents", title: "Price", kind: kindMoney},
			{key: "currency", title: "Currency", kind: kindCode, tenantCurrency: true},
			{key: "active", title: "Active", kind: kindBool},
		},
		query: servicesQuery,
	},
	{
		name: DatasetPayments, title: "Payments", dateField: "payment local created date",
		filters: []string{filterStatus}, statuses: paymentStatuses(), currencyCol: 4,
		columns: []exportColumn{
			{key: "id", title: "ID", kind: kindID},
			{key: "created_at", title: "Created", kind: kindTime},
			{key: "status", title: "Status", kind: kindText},
			{key: "amount_cents", title: "Amount", kind: kindMoney},
			{key: "currency", title: "Currency", kind: kindCode},
			{key: "customer_id", title: "Customer ID", kind: kindID},
			{key: "customer_name", title: "Customer", kind: kindText, nameFrom: "customers", idCol: 5, widthSQL: "SELECT MAX(LENGTH(name)) FROM customers"},
			{key: "appointment_id", title: "Appointment ID", kind: kindID},
			{key: "paid_at", title: "Paid", kind: kindTime},
		},
		query: paymentsQuery,
	},
	{
		name: DatasetSubscriptions, title: "Subscriptions", filters: []string{filterStatus},
		statuses: subscriptionStatuses(), currencyCol: 6,
		columns: []exportColumn{
			{key: "id", title: "ID", kind: kindID},
			{key: "customer_id", title: "Customer ID", kind: kindID},
			{key: "customer_name", title: "Customer", kind: kindText, nameFrom: "customers", idCol: 1, widthSQL: "SELECT MAX(LENGTH(name)) FROM customers"},
			{key: "plan_name", title: "Plan", kind: kindText, widthSQL: "SELECT MAX(LENGTH(plan_name)) FROM subscriptions"},
			{key: "status", title: "Status", kind: kindText},
			{key: "amount_cents", title: "Amount", kind: kindMoney},
			{key: "currency", title: "Currency", kind: kindCode},
			{key: "interval", title: "Interval", kind: kindText},
			{key: "started_at", title: "Started", kind: kindTime},
			{key: "canceled_at", title: "Canceled", kind: kindTime},
		},
		query: subscriptionsQuery,
	},
}

func appointmentStatuses() []string {
	var out []string
	for _, s := range data.AppointmentStatuses().All() {
		out = append(out, string(s))
	}
	return out
}

func paymentStatuses() []string {
	var out []string
	for _, s := range data.PaymentStatuses().All() {
		out = append(out, string(s))
	}
	return out
}

func subscriptionStatuses() []string {
	var out []string
	for _, s := range data.SubscriptionStatuses().All() {
		out = append(out, string(s))
	}
	return out
}

// appointmentsQuery lists appointments in start order, walking the start_at index.
func appointmentsQuery(f filterValues) dsQuery {
	var w sqlWhere
	lo, hi := instantBounds(f.from, f.to, f.loc)
	w.add("a.start_at >= ?", lo)
	w.add("a.start_at < ?", hi)
	localDateRange(&w, "a.local_date", f.from, f.to)
	if f.status != "" {
		w.add("+a.status = ?", f.status)
	}
	if f.service != 0 {
		w.add("+a.service_id = ?", f.service)
	}
	if f.resource != 0 {
		w.add("+a.resource_id = ?", f.resource)
	}
	// LEFT JOINs: a row whose customer, service or resource is missing is still exported (with
	// an empty name), so the count below always matches the rows written.
	sel := `SELECT a.id, a.start_at, a.end_at, a.status, a.customer_id, c.name, a.service_id, s.name,
		a.resource_id, r.name, a.price_cents, a.booked_at
		FROM appointments a
		LEFT JOIN customers c ON c.id = a.customer_id
		LEFT JOIN services s ON s.id = a.service_id
		LEFT JOIN resources r ON r.id = a.resource_id` + w.String() + ` ORDER BY a.start_at, a.id`
	noJoin := `SELECT a.id, a.start_at, a.end_at, a.status, a.customer_id, a.service_id, a.resource_id,
		a.price_cents, a.booked_at FROM appointments a` + w.String() + ` ORDER BY a.start_at, a.id`
	q := dsQuery{sql: sel, noJoin: noJoin, args: w.args,
		count: "SELECT COUNT(*) FROM appointments a" + w.String(), countArgs: w.args}
	q.count, q.countArgs = appointmentsCount(f, q.count, q.countArgs)
	return q
}

// appointmentsCount counts from the daily rollups when one covers the filters: they are kept
// by triggers in the same transactions as the rows, so they agree with the snapshot, and summing
// them costs nothing next to counting a million rows through the start_at index.
func appointmentsCount(f filterValues, fallback string, fallbackArgs []any) (string, []any) {
	table, key, id := "rollup_appt_service", "service_id", f.service
	switch {
	case f.service != 0 && f.resource != 0:
		return fallback, fallbackArgs
	case f.resource != 0:
		table, key, id = "rollup_appt_resource", "resource_id", f.resource
	}
	var w sqlWhere
	if f.from != "" {
		w.add("local_date >= ?", f.from)
	}
	if f.to != "" {
		w.add("local_date <= ?", f.to)
	}
	if f.status != "" {
		w.add("status = ?", f.status)
	}
	if id != 0 {
		w.add(key+" = ?", id)
	}
	return "SELECT COALESCE(SUM(n), 0) FROM " + table + w.String(), w.args
}

// customersQuery adds each customer's last visit (latest completed appointment's local date)
// and active memberships with two grouped aggregates joined once, not a query per customer.
func customersQuery(f filterValues) dsQuery {
	var w sqlWhere
	if f.status != "" {
		w.add("c.status = ?", f.status)
	}
	sel := `SELECT c.id, c.name, c.email, c.phone, c.status, c.created_at, lv.last_visit, COALESCE(am.n, 0)
		FROM customers c
		LEFT JOIN (SELECT customer_id, MAX(local_date) AS last_visit FROM appointments
			WHERE status = 'completed' GROUP BY customer_id) lv ON lv.customer_id = c.id
		LEFT JOIN (SELECT customer_id, COUNT(*) AS n FROM subscriptions
			WHERE status = 'active' GROUP BY customer_id) am ON am.customer_id = c.id` + w.String() + ` ORDER BY c.id`
	return dsQuery{sql: sel, args: w.args, count: "SELECT COUNT(*) FROM customers c" + w.String(), countArgs: w.args}
}

func simpleQuery(sel, table string) func(f filterValues) dsQuery {
	return func(f filterValues) dsQuery {
		var w sqlWhere
		if f.active != nil {
			w.add("active = ?", sqlBool(*f.active))
		}
		return dsQuery{sql: sel + w.String() + " ORDER BY id", args: w.args,
			count: "SELECT COUNT(*) FROM " + table + w.String(), countArgs: w.args}
	}
}

func servicesQuery(f filterValues) dsQuery {
	return simpleQuery("SELECT id, name, duration_minutes, price_cents, active FROM services", "services")(f)
}

func paymentsQuery(f filterValues) dsQuery {
	var w sqlWhere
	lo, hi := instantBounds(f.from, f.to, f.loc)
	w.add("p.created_at >= ?", lo)
	w.add("p.created_at < ?", hi)
	localDateRange(&w, "p.created_local_date", f.from, f.to)
	if f.status != "" {
		w.add("+p.status = ?", f.status)
	}
	sel := `SELECT p.id, p.created_at, p.status, p.amount_cents, p.currency, p.customer_id, c.name,
		p.appointment_id, p.paid_at
		FROM payments p LEFT JOIN customers c ON c.id = p.customer_id` + w.String() + ` ORDER BY p.created_at, p.id`
	noJoin := `SELECT p.id, p.created_at, p.status, p.amount_cents, p.currency, p.customer_id,
		p.appointment_id, p.paid_at FROM payments p` + w.String() + ` ORDER BY p.created_at, p.id`
	return dsQuery{sql: sel, noJoin: noJoin, args: w.args, count: "SELECT COUNT(*) FROM payments p" + w.String(), countArgs: w.args}
}

func subscriptionsQuery(f filterValues) dsQuery {
	var w sqlWhere
	if f.status != "" {
		w.add("sub.status = ?", f.status)
	}
	sel := `SELECT sub.id, sub.customer_id, c.name, sub.plan_name, sub.status, sub.amount_cents, sub.currency,
		sub.interval, sub.started_at, sub.canceled_at
		FROM subscriptions sub LEFT JOIN customers c ON c.id = sub.customer_id` + w.String() + ` ORDER BY sub.id`
	noJoin := `SELECT sub.id, sub.customer_id, sub.plan_name, sub.status, sub.amount_cents, sub.currency,
		sub.interval, sub.started_at, sub.canceled_at FROM subscriptions sub` + w.String() + ` ORDER BY sub.id`
	return dsQuery{sql: sel, noJoin: noJoin, args: w.args, count: "SELECT COUNT(*) FROM subscriptions sub" + w.String(), countArgs: w.args}
}

func sqlBool(b bool) int {
	if b {
		return 1
	}
	return 0
}

// withArticle puts "a" or "an" before a noun, by its first letter.
func withArticle(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}
