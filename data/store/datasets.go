package store

import (
	"slices"

	"github.com/almanac-app/almanac/data"
)

// The export dataset table: every exportable dataset, its columns and their roles, its filters
// and how they become WHERE clauses. The Snapshot's export methods (snapshot_export.go) build
// every query from it, and reports builds its encoders from it, so adding a dataset over an
// existing table is one entry here and its test in datasets_test.go.
//
// A typed dataset (Typed) is a list whose rows a WHERE of "=" filters and one date range cannot
// select: a condition over each row's history, values from the clock, a parameter. Its rows come
// from a typed Snapshot read that the caller runs with those values (lapsed_customers:
// Snapshot.LapsedCustomers, given the cutoff the caller works out from today and the lapsed
// days); the entry gives only its columns and their roles, so the formats write it like any
// other dataset, and the SQL-building reads (ExportCount, ExportRows, ExportSQL) refuse it.

// Export dataset names.
const (
	DatasetAppointments  = "appointments"
	DatasetCustomers     = "customers"
	DatasetResources     = "resources"
	DatasetServices      = "services"
	DatasetPayments      = "payments"
	DatasetSubscriptions = "subscriptions"
	// DatasetLapsedCustomers is the customers report's lapsed_customers list, a typed dataset.
	DatasetLapsedCustomers = "lapsed_customers"
)

// Filter names: the filters a dataset can take besides its dates.
const (
	FilterStatus   = "status"
	FilterService  = "service"
	FilterResource = "resource"
	FilterActive   = "active"
)

// ColumnRole is what a dataset column holds; it decides how each format writes the value.
type ColumnRole uint8

// The column roles.
const (
	RoleID    ColumnRole = iota + 1 // an integer identifier: a number in CSV/JSON, text in XLSX
	RoleInt                         // a count or quantity
	RoleText                        // free text; XLSX measures its longest value for the column width
	RoleLabel                       // a word from a fixed set (status, kind, interval): text, not measured
	RolePhone                       // identifier-like text that must stay text everywhere; measured
	// RoleCurrency is a currency code read from the row: text everywhere.
	RoleCurrency
	// RoleTenantCurrency is the tenant's currency code on every row (prices are in it): not read
	// from the table, so it has no SQL.
	RoleTenantCurrency
	RoleMoney // integer minor units, in the currency held by the column CurrencyKey
	RoleDate  // a local calendar date, YYYY-MM-DD
	RoleTime  // an instant, Unix seconds UTC
	RoleBool  // 0 or 1
	// RoleName is the name of the NameTable row whose id the column IDKey holds (a name join):
	// it has no SQL; the export preloads the names or joins NameTable per row.
	RoleName
)

// DatasetColumn is one column of a dataset, in file order.
type DatasetColumn struct {
	Key   string // CSV header and JSON key
	Title string // XLSX header
	Role  ColumnRole
	// SQL is the column's expression over the dataset's From and Joins ("" for RoleName and
	// RoleTenantCurrency). A measured column (RoleText, RolePhone) must be a column of From alone.
	SQL string
	// NameTable and IDKey, for RoleName: the table whose name is shown, and the key of the
	// dataset's column holding that table's id.
	NameTable, IDKey string
	// CurrencyKey, for RoleMoney: the key of the column holding the amount's currency code.
	CurrencyKey string
}

// DateFilter is how a dataset filters by the tenant's local dates.
type DateFilter struct {
	Field     string // what the dates apply to, in words; written into the export's metadata
	LocalDate string // the local-date column that decides (compared exactly, with a leading +)
	// Instant is the indexed instant column behind LocalDate: a range of it two days wider than
	// the dates lets SQLite walk its index in order instead of sorting.
	Instant string
}

// DatasetFilter maps a filter to the column it compares with "=".
type DatasetFilter struct {
	Name string // one of the Filter names
	// Column is compared with the filter's value; a leading + keeps SQLite from choosing that
	// column's index over the one the ORDER BY walks.
	Column string
}

// CountRollup is a daily rollup of a dataset's rows by local_date (the dataset's local date),
// status and one filter's column, counted in n and kept by triggers in the same transactions as
// the rows. A count whose filters it covers sums it instead of counting the rows.
type CountRollup struct {
	Table  string
	Filter string // the filter its Column answers
	Column string
}

// Dataset is one exportable dataset.
type Dataset struct {
	Name    string
	Title   string // sheet and table name
	From    string // the table and its alias, e.g. "appointments a"
	Joins   string // LEFT JOINs for derived columns, each matching at most one row per row of From
	OrderBy string
	// Key is OrderBy's leading column when it is an indexed integer (the instant the dates use,
	// or the rowid), so rows with Key in [lo, hi) come before those in [hi, …): an export reads
	// such ranges on several connections at once and writes them in order (ExportFilter.Range).
	// "" for a dataset whose Joins would have to be computed again for every range.
	Key string
	// RowID, for a dataset whose Key is its Dates.Instant, is the table's INTEGER PRIMARY KEY
	// when OrderBy is "Key, RowID": a range of Key whose rows have ids close together is then
	// read in rowid order and sorted, instead of a table seek per row from the Key's index
	// (ExportRows). "" reads every range through the index.
	RowID   string
	Columns []DatasetColumn
	Dates   *DateFilter // nil: the dataset has no date filter
	Filters []DatasetFilter
	// Statuses are the valid status filter values, when Filters has FilterStatus.
	Statuses []string
	Rollups  []CountRollup // tried in order; none covers: COUNT(*)
	// Typed datasets have no From, Joins, OrderBy, filters, dates or column SQL: their rows come
	// from a typed Snapshot read (see the comment at the top of this file).
	Typed bool
	// Param is the data.Field of the one whole-number parameter a typed dataset's rows depend on
	// ("" for none): lapsed_customers takes the days without a visit (data.FieldLapsedDays).
	Param string
}

// Datasets lists the exportable datasets in menu order. The result is a copy.
func Datasets() []Dataset {
	out := make([]Dataset, len(datasets))
	for i := range datasets {
		out[i] = datasets[i].clone()
	}
	return out
}

// DatasetByName returns the dataset called name (a copy), or false.
func DatasetByName(name string) (Dataset, bool) {
	d := findDataset(name)
	if d == nil {
		return Dataset{}, false
	}
	return d.clone(), true
}

func findDataset(name string) *Dataset {
	for i := range datasets {
		if datasets[i].Name == name {
			return &datasets[i]
		}
	}
	return nil
}

func (d *Dataset) clone() Dataset {
	c := *d
	c.Columns = slices.Clone(d.Columns)
	c.Filters = slices.Clone(d.Filters)
	c.Statuses = slices.Clone(d.Statuses)
	c.Rollups = slices.Clone(d.Rollups)
	if d.Dates != nil {
		dates := *d.Dates
		c.Dates = &dates
	}
	return c
}

// ColumnIndex is the position of the column with the key, or -1.
func (d *Dataset) ColumnIndex(key string) int {
	return slices.IndexFunc(d.Columns, func(c DatasetColumn) bool { return c.Key == key })
}

var datasets = []Dataset{
	{
		Name: DatasetAppointments, Title: "Appointments", From: "appointments a", OrderBy: "a.start_at, a.id", Key: "a.start_at", RowID: "a.id",
		Dates: &DateFilter{Field: "appointment local start date", LocalDate: "a.local_date", Instant: "a.start_at"},
		Filters: []DatasetFilter{
			{Name: FilterStatus, Column: "+a.status"},
			{Name: FilterService, Column: "+a.service_id"},
			{Name: FilterResource, Column: "+a.resource_id"},
		},
		Statuses: statusStrings(data.AppointmentStatuses().All()),
		Rollups: []CountRollup{
			{Table: "rollup_appt_service", Filter: FilterService, Column: "service_id"},
			{Table: "rollup_appt_resource", Filter: FilterResource, Column: "resource_id"},
		},
		Columns: []DatasetColumn{
			{Key: "id", Title: "ID", Role: RoleID, SQL: "a.id"},
			{Key: "start_at", Title: "Start", Role: RoleTime, SQL: "a.start_at"},
			{Key: "end_at", Title: "End", Role: RoleTime, SQL: "a.end_at"},
			{Key: "status", Title: "Status", Role: RoleLabel, SQL: "a.status"},
			{Key: "customer_id", Title: "Customer ID", Role: RoleID, SQL: "a.customer_id"},
			{Key: "customer_name", Title: "Customer", Role: RoleName, NameTable: "customers", IDKey: "customer_id"},
			{Key: "service_id", Title: "Service ID", Role: RoleID, SQL: "a.service_id"},
			{Key: "service_name", Title: "Service", Role: RoleName, NameTable: "services", IDKey: "service_id"},
			{Key: "resource_id", Title: "Resource ID", Role: RoleID, SQL: "a.resource_id"},
			{Key: "resource_name", Title: "Resource", Role: RoleName, NameTable: "resources", IDKey: "resource_id"},
			{Key: "price_cents", Title: "Price", Role: RoleMoney, SQL: "a.price_cents", CurrencyKey: "currency"},
			{Key: "currency", Title: "Currency", Role: RoleTenantCurrency},
			{Key: "booked_at", Title: "Booked", Role: RoleTime, SQL: "a.booked_at"},
		},
	},
	{
		// Each customer's last visit (latest completed appointment) and active memberships come
		// from two grouped aggregates joined once, not a query per customer.
		Name: DatasetCustomers, Title: "Customers", From: "customers c", OrderBy: "c.id",
		Joins: `LEFT JOIN (SELECT customer_id, MAX(local_date) AS last_visit FROM appointments
			WHERE status = 'completed' GROUP BY customer_id) lv ON lv.customer_id = c.id
		LEFT JOIN (SELECT customer_id, COUNT(*) AS n FROM subscriptions
			WHERE status = 'active' GROUP BY customer_id) am ON am.customer_id = c.id`,
		Filters:  []DatasetFilter{{Name: FilterStatus, Column: "c.status"}},
		Statuses: []string{string(data.CustomerActive), string(data.CustomerInactive)},
		Columns: []DatasetColumn{
			{Key: "id", Title: "ID", Role: RoleID, SQL: "c.id"},
			{Key: "name", Title: "Name", Role: RoleText, SQL: "c.name"},
			{Key: "email", Title: "Email", Role: RoleText, SQL: "c.email"},
			{Key: "phone", Title: "Phone", Role: RolePhone, SQL: "c.phone"},
			{Key: "status", Title: "Status", Role: RoleLabel, SQL: "c.status"},
			{Key: "created_at", Title: "Created", Role: RoleTime, SQL: "c.created_at"},
			{Key: "last_visit_date", Title: "Last visit", Role: RoleDate, SQL: "lv.last_visit"},
			{Key: "active_memberships", Title: "Active memberships", Role: RoleInt, SQL: "COALESCE(am.n, 0)"},
		},
	},
	{
		Name: DatasetResources, Title: "Resources", From: "resources", OrderBy: "id", Key: "id",
		Filters: []DatasetFilter{{Name: FilterActive, Column: "active"}},
		Columns: []DatasetColumn{
			{Key: "id", Title: "ID", Role: RoleID, SQL: "id"},
			{Key: "name", Title: "Name", Role: RoleText, SQL: "name"},
			{Key: "kind", Title: "Kind", Role: RoleLabel, SQL: "kind"},
			{Key: "active", Title: "Active", Role: RoleBool, SQL: "active"},
		},
	},
	{
		Name: DatasetServices, Title: "Services", From: "services", OrderBy: "id", Key: "id",
		Filters: []DatasetFilter{{Name: FilterActive, Column: "active"}},
		Columns: []DatasetColumn{
			{Key: "id", Title: "ID", Role: RoleID, SQL: "id"},
			{Key: "name", Title: "Name", Role: RoleText, SQL: "name"},
			{Key: "duration_minutes", Title: "Minutes", Role: RoleInt, SQL: "duration_minutes"},
			{Key: "price_cents", Title: "Price", Role: RoleMoney, SQL: "price_cents", CurrencyKey: "currency"},
			{Key: "currency", Title: "Currency", Role: RoleTenantCurrency},
			{Key: "active", Title: "Active", Role: RoleBool, SQL: "active"},
		},
	},
	{
		Name: DatasetPayments, Title: "Payments", From: "payments p", OrderBy: "p.created_at, p.id", Key: "p.created_at", RowID: "p.id",
		Dates:    &DateFilter{Field: "payment local created date", LocalDate: "p.created_local_date", Instant: "p.created_at"},
		Filters:  []DatasetFilter{{Name: FilterStatus, Column: "+p.status"}},
		Statuses: statusStrings(data.PaymentStatuses().All()),
		Columns: []DatasetColumn{
			{Key: "id", Title: "ID", Role: RoleID, SQL: "p.id"},
			{Key: "created_at", Title: "Created", Role: RoleTime, SQL: "p.created_at"},
			{Key: "status", Title: "Status", Role: RoleLabel, SQL: "p.status"},
			{Key: "amount_cents", Title: "Amount", Role: RoleMoney, SQL: "p.amount_cents", CurrencyKey: "currency"},
			{Key: "currency", Title: "Currency", Role: RoleCurrency, SQL: "p.currency"},
			{Key: "customer_id", Title: "Customer ID", Role: RoleID, SQL: "p.customer_id"},
			{Key: "customer_name", Title: "Customer", Role: RoleName, NameTable: "customers", IDKey: "customer_id"},
			{Key: "appointment_id", Title: "Appointment ID", Role: RoleID, SQL: "p.appointment_id"},
			{Key: "paid_at", Title: "Paid", Role: RoleTime, SQL: "p.paid_at"},
		},
	},
	{
		Name: DatasetSubscriptions, Title: "Subscriptions", From: "subscriptions sub", OrderBy: "sub.id", Key: "sub.id",
		Filters:  []DatasetFilter{{Name: FilterStatus, Column: "sub.status"}},
		Statuses: statusStrings(data.SubscriptionStatuses().All()),
		Columns: []DatasetColumn{
			{Key: "id", Title: "ID", Role: RoleID, SQL: "sub.id"},
			{Key: "customer_id", Title: "Customer ID", Role: RoleID, SQL: "sub.customer_id"},
			{Key: "customer_name", Title: "Customer", Role: RoleName, NameTable: "customers", IDKey: "customer_id"},
			{Key: "plan_name", Title: "Plan", Role: RoleText, SQL: "sub.plan_name"},
			{Key: "status", Title: "Status", Role: RoleLabel, SQL: "sub.status"},
			{Key: "amount_cents", Title: "Amount", Role: RoleMoney, SQL: "sub.amount_cents", CurrencyKey: "currency"},
			{Key: "currency", Title: "Currency", Role: RoleCurrency, SQL: "sub.currency"},
			{Key: "interval", Title: "Interval", Role: RoleLabel, SQL: "sub.interval"},
			{Key: "started_at", Title: "Started", Role: RoleTime, SQL: "sub.started_at"},
			{Key: "canceled_at", Title: "Canceled", Role: RoleTime, SQL: "sub.canceled_at"},
		},
	},
	// The typed datasets, read by typed Snapshot methods (see the top of this file).
	{
		Name: DatasetLapsedCustomers, Title: "Lapsed customers", Typed: true, Param: data.FieldLapsedDays,
		Columns: []DatasetColumn{
			{Key: "id", Title: "ID", Role: RoleID},
			{Key: "name", Title: "Name", Role: RoleText},
			{Key: "email", Title: "Email", Role: RoleText},
			{Key: "phone", Title: "Phone", Role: RolePhone},
			{Key: "last_visit_date", Title: "Last visit", Role: RoleDate},
			{Key: "visit_count", Title: "Visits", Role: RoleInt},
			{Key: "lifetime_revenue_cents", Title: "Lifetime revenue", Role: RoleMoney, CurrencyKey: "currency"},
			{Key: "currency", Title: "Currency", Role: RoleTenantCurrency},
		},
	},
}

func statusStrings[S ~string](statuses []S) []string {
	out := make([]string, len(statuses))
	for i, s := range statuses {
		out[i] = string(s)
	}
	return out
}
