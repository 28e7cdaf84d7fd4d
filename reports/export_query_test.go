package reports

import "github.com/almanac-app/almanac/data/store"

// dsQuery is an export's SELECT as SQL text, for the benchmark's yardsticks (the sqlite3 tool and
// the bare scan loop run the very query the engine runs).
type dsQuery struct {
	sql  string
	args []any
}

// appointmentsQuery is the appointments export's SELECT, names joined, from the store's dataset table.
func appointmentsQuery(f filterValues) dsQuery {
	q, args, err := store.ExportSQL(store.DatasetAppointments, f.store())
	if err != nil {
		panic(err) // the appointments dataset takes every filter the benchmark gives
	}
	return dsQuery{sql: q, args: args}
}
