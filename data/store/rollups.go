package store

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
)

// Rollups summarise appointments and revenue per local day so reports cost O(days), not O(rows).
// Each rollup is defined once, in the table below; from that one entry come the triggers that
// keep it in the same transaction as every write (store_rollups.go), the rebuild from the raw
// rows after a bulk load (rollup_rebuild.go) and the check against a GROUP BY (CheckRollups).
// Its CREATE TABLE lives in the migration that added it (migrations are history and never
// change); TestRollupDefinitionsMatchSchema checks the entry against the migrated table.
//
// Adding a rollup: one entry here, one migration with its CREATE TABLE (the migration rebuilds it
// and reinstalls the triggers by itself, see loadMigrations), then a Snapshot method reading it.
//
// A value is a sum of its rows (the default) or the least or greatest of them (minOf, maxOf, e.g.
// a customer's first and last visit). Adding a row folds it in; taking a row out recomputes a
// least/greatest value, only when the row held it, from what is left under the key: a finer
// rollup of the same rows (recomputedVia), else the source rows, which then need an index
// starting with the rollup's keys (appointments_customer for the per-customer rollups). A value
// with no rows left is NULL.
//
// A value may also be the previous key (previousOf): the greatest value of the rollup's last key
// below this row's among the rows with n > 0 that share the other keys (NULL for the first), e.g.
// a customer's visit day before this one. Adding or taking out a row recomputes it for that row
// and for the next row of the same other keys (whose previous key it may be); the rebuild takes
// it from the row before in key order and the check from LAG over the GROUP BY.

// rollup is one rollup table: one row per distinct value of keys among the source rows that
// pass filter, holding the sums of those rows. Expressions are SQL over one source row, written
// with "{r}." before the row's columns ({r} becomes NEW, OLD or a table alias).
type rollup struct {
	table  string      // the rollup table
	source string      // the table it summarises
	filter string      // the rows counted; "" for every row
	keys   []rollupCol // the primary key, in its order
	sums   []rollupCol // the values (sums, or least/greatest); every rollup has n, its row count ("1")
}

// rollupCol is one column of a rollup table and its value for one source row.
type rollupCol struct {
	name   string
	text   bool          // TEXT (the rebuild interns it) rather than INTEGER
	expr   string        // the value for row {r}; unused when lookup is set
	lookup *rollupLookup // the value comes from a row the source row refers to
	fold   string        // a value's SQL aggregate over its rows: "" (SUM), "MIN" or "MAX"
	via    string        // a MIN/MAX recomputed from this finer rollup's key column of the same name
	prev   bool          // the previous key (previousOf), not a value of the row itself
}

// rollupLookup is a key taken from another table: col of the table row whose id the source row's
// ref holds, or none when it holds NULL or a missing id. When that row's col changes or the row
// is deleted, triggers on table move the rollup rows of its source rows to the new value.
type rollupLookup struct {
	table, col, ref, none string
}

func textCol(name, expr string) rollupCol { return rollupCol{name: name, text: true, expr: expr} }
func intCol(name, expr string) rollupCol  { return rollupCol{name: name, expr: expr} }

// minOf and maxOf are values kept as the least or greatest of their rows' c (never NULL).
func minOf(c rollupCol) rollupCol { c.fold = "MIN"; return c }
func maxOf(c rollupCol) rollupCol { c.fold = "MAX"; return c }

// recomputedVia makes a least/greatest value recompute from the rollup table via instead of the
// source rows: a rollup of the same source and filter, defined earlier (so the trigger has
// already updated it), whose keys start with this rollup's keys and include a key of the value's
// name and expression. Its rows with n > 0 are the key's distinct values, fewer than the rows.
func recomputedVia(via string, c rollupCol) rollupCol { c.via = via; return c }

// previousOf is the rollup's previous value of its last key, named name (see the header).
func previousOf(name string, key rollupCol) rollupCol {
	key.name, key.prev = name, true
	return key
}

// agg is the column's SQL aggregate over a key's rows.
func (c rollupCol) agg() string { return cmp.Or(c.fold, "SUM") }

// count is the n column every rollup has: CheckRollups ignores rows whose n reached 0.
var count = intCol("n", "1")

// apptService is the service a payment's revenue counts under: its appointment's, else 0 ("no
// appointment"; a deleted appointment's payments are unlinked and move there).
var apptService = &rollupLookup{table: "appointments", col: "service_id", ref: "appointment_id", none: "0"}

// apptResource is the resource a payment's revenue counts under in the staff report: its
// appointment's, else 0.
var apptResource = &rollupLookup{table: "appointments", col: "resource_id", ref: "appointment_id", none: "0"}

// rollups is every rollup, the one definition.
var rollups = []rollup{
	{table: "rollup_appt_service", source: "appointments",
		keys: []rollupCol{textCol("local_date", "{r}.local_date"), textCol("status", "{r}.status"), intCol("service_id", "{r}.service_id")},
		sums: []rollupCol{count, intCol("minutes", "({r}.end_at - {r}.start_at) / 60")}},
	{table: "rollup_appt_resource", source: "appointments",
		keys: []rollupCol{textCol("local_date", "{r}.local_date"), textCol("status", "{r}.status"), intCol("resource_id", "{r}.resource_id")},
		sums: []rollupCol{count}},
	{table: "rollup_appt_hour", source: "appointments",
		keys: []rollupCol{textCol("local_date", "{r}.local_date"), intCol("local_hour", "{r}.local_hour"), textCol("status", "{r}.status")},
		sums: []rollupCol{count}},
	// Version 3 (analytics): service x resource per day, every status together, so a report
	// filtered to one service can break it down by resource (and vice versa) in O(days).
	{table: "rollup_appt_service_resource", source: "appointments",
		keys: []rollupCol{intCol("service_id", "{r}.service_id"), textCol("local_date", "{r}.local_date"), intCol("resource_id", "{r}.resource_id")},
		sums: []rollupCol{count}},
	// Succeeded payments by the local date they were paid, under their appointment's service.
	{table: "rollup_revenue_service", source: "payments",
		filter: "{r}.status = 'succeeded' AND {r}.paid_local_date IS NOT NULL",
		keys:   []rollupCol{textCol("local_date", "{r}.paid_local_date"), {name: "service_id", lookup: apptService}, textCol("currency", "{r}.currency")},
		sums:   []rollupCol{intCol("cents", "{r}.amount_cents"), count}},
	// Version 5 (customer insights): visits (completed appointments) per customer and local day.
	// Version 8: with the customer's visit day before it (prev), so a period's visiting, new and
	// retained customers are counts over one date range (see Snapshot.CustomerVisitCounts).
	{table: "rollup_customer_visit", source: "appointments", filter: "{r}.status = 'completed'",
		keys: []rollupCol{intCol("customer_id", "{r}.customer_id"), textCol("local_date", "{r}.local_date")},
		sums: []rollupCol{count, previousOf("prev", textCol("local_date", "{r}.local_date"))}},
	// Succeeded payments per paid local date, currency and customer (version 10: by date first,
	// the only order it is read in).
	{table: "rollup_customer_revenue", source: "payments",
		filter: "{r}.status = 'succeeded' AND {r}.paid_local_date IS NOT NULL",
		keys:   []rollupCol{textCol("local_date", "{r}.paid_local_date"), textCol("currency", "{r}.currency"), intCol("customer_id", "{r}.customer_id")},
		sums:   []rollupCol{intCol("cents", "{r}.amount_cents"), count}},
	// Version 6 (staff performance): per day x resource x status with the booked seconds, and
	// succeeded revenue under the payment's appointment's resource.
	{table: "rollup_appt_resource_minutes", source: "appointments",
		keys: []rollupCol{textCol("local_date", "{r}.local_date"), intCol("resource_id", "{r}.resource_id"), textCol("status", "{r}.status")},
		sums: []rollupCol{count, intCol("seconds", "({r}.end_at - {r}.start_at)")}},
	{table: "rollup_revenue_resource", source: "payments",
		filter: "{r}.status = 'succeeded' AND {r}.paid_local_date IS NOT NULL",
		keys:   []rollupCol{textCol("local_date", "{r}.paid_local_date"), {name: "resource_id", lookup: apptResource}, textCol("currency", "{r}.currency")},
		sums:   []rollupCol{intCol("cents", "{r}.amount_cents"), count}},
	// Busy hours of one service or one resource (every status together).
	{table: "rollup_appt_hour_service", source: "appointments",
		keys: []rollupCol{intCol("service_id", "{r}.service_id"), textCol("local_date", "{r}.local_date"), intCol("local_hour", "{r}.local_hour")},
		sums: []rollupCol{count}},
	{table: "rollup_appt_hour_resource", source: "appointments",
		keys: []rollupCol{intCol("resource_id", "{r}.resource_id"), textCol("local_date", "{r}.local_date"), intCol("local_hour", "{r}.local_hour")},
		sums: []rollupCol{count}},
	// Version 7 (customer insights at scale): per customer, lifetime visits with the first and
	// last visit date; the latest start of their scheduled or confirmed appointments (none after
	// now when it is not after now); lifetime succeeded revenue per currency.
	{table: "rollup_customer_lifetime", source: "appointments", filter: "{r}.status = 'completed'",
		keys: []rollupCol{intCol("customer_id", "{r}.customer_id")},
		sums: []rollupCol{count,
			recomputedVia("rollup_customer_visit", minOf(textCol("first_visit", "{r}.local_date"))),
			recomputedVia("rollup_customer_visit", maxOf(textCol("last_visit", "{r}.local_date")))}},
	{table: "rollup_customer_booked", source: "appointments", filter: "{r}.status IN ('scheduled', 'confirmed')",
		keys: []rollupCol{intCol("customer_id", "{r}.customer_id")},
		sums: []rollupCol{count, maxOf(intCol("last_start", "{r}.start_at"))}},
	{table: "rollup_customer_revenue_total", source: "payments",
		filter: "{r}.status = 'succeeded' AND {r}.paid_local_date IS NOT NULL",
		keys:   []rollupCol{intCol("customer_id", "{r}.customer_id"), textCol("currency", "{r}.currency")},
		sums:   []rollupCol{intCol("cents", "{r}.amount_cents"), count}},
}

// maxRollupKeys and maxRollupSums bound a rollup's shape so the rebuild can aggregate into
// fixed-size arrays (see rollupKey).
const (
	maxRollupKeys = 3
	maxRollupSums = 3
)

// at returns the column's value for row r (NEW, OLD or an alias).
func (c rollupCol) at(r string) string {
	if l := c.lookup; l != nil {
		return "COALESCE((SELECT " + l.col + " FROM " + l.table + " WHERE id = " + r + "." + l.ref + "), " + l.none + ")"
	}
	return strings.ReplaceAll(c.expr, "{r}", r)
}

// where returns the rollup's filter for row r, or "" when it counts every row.
func (ru rollup) where(r string) string { return strings.ReplaceAll(ru.filter, "{r}", r) }

// cols returns the rollup's columns: the keys, then the sums.
func (ru rollup) cols() []rollupCol { return slices.Concat(ru.keys, ru.sums) }

// names returns the names of cs.
func names(cs []rollupCol) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.name
	}
	return out
}

var rowColumn = regexp.MustCompile(`\{r\}\.(\w+)`)

// reads returns the source columns the rollup reads, sorted: an update of any other column
// leaves it unchanged.
func (ru rollup) reads() []string {
	var cols []string
	for _, c := range ru.cols() {
		if c.lookup != nil {
			cols = append(cols, c.lookup.ref)
			continue
		}
		for _, m := range rowColumn.FindAllStringSubmatch(c.expr, -1) {
			cols = append(cols, m[1])
		}
	}
	for _, m := range rowColumn.FindAllStringSubmatch(ru.filter, -1) {
		cols = append(cols, m[1])
	}
	slices.Sort(cols)
	return slices.Compact(cols)
}

// lookupKey returns the index of the rollup's key taken from another table, or -1.
func (ru rollup) lookupKey() int {
	return slices.IndexFunc(ru.keys, func(c rollupCol) bool { return c.lookup != nil })
}

// rollupSources returns the source tables in the order of their first rollup.
func rollupSources() []string {
	var out []string
	for _, ru := range rollups {
		if !slices.Contains(out, ru.source) {
			out = append(out, ru.source)
		}
	}
	return out
}

// rollupsOf returns the rollups of source.
func rollupsOf(source string) []rollup {
	var out []rollup
	for _, ru := range rollups {
		if ru.source == source {
			out = append(out, ru)
		}
	}
	return out
}
