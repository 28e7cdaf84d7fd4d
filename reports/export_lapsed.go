package reports

import (
	"context"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/store"
)

// The typed datasets: lists whose rows come from a typed Snapshot read, not the store's
// generated SELECT. lapsed_customers is the customers report's lapsed list (a win-back mailing
// list): the report and the export read it through lapsedCustomers, with the same clock values
// and the same parameter, so a file holds exactly the report's rows. It has no date filter and
// the history window does not cut it, as in the report: the list is of customers, each with
// their last visit, lifetime visits and lifetime revenue, like the customers dataset's last
// visit column.

// lapsedNotes is the metadata note of a lapsed_customers export: the definition of its rows.
const lapsedNotes = "Money is in minor units (cents) in CSV and JSON, and a currency-formatted amount in XLSX. " +
	"Lapsed customers: active customers whose last visit (completed appointment, local date in the tenant's time zone) " +
	"is before last_visit_before (today minus lapsed_days), with no scheduled or confirmed appointment starting after " +
	"exported_at; customers who never visited are not lapsed. Newest last visit first, ties by id. Visits and revenue " +
	"(succeeded payments in the tenant's currency) are lifetime. The history window does not apply: the list looks at every visit."

// ParseLapsedDays reads a lapsed-days value, the customers report's rule: "" is
// DefaultLapsedDays, else a whole number of days from 1 to MaxDays.
func ParseLapsedDays(s string) (int, error) {
	if s == "" {
		return DefaultLapsedDays, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxDays {
		return 0, lapsedDaysError(s)
	}
	return n, nil
}

func lapsedDaysError(value string) error {
	return usageError(data.FieldLapsedDays, value, "is not a number of days",
		fmt.Sprintf("give a whole number from 1 to %d, e.g. %d", MaxDays, DefaultLapsedDays))
}

// checkLapsedDays refuses lapsed days (0 is none given) for a dataset that does not take them,
// and a value out of range for one that does.
func checkLapsedDays(ds *dataset, days int) error {
	switch {
	case days == 0:
		return nil
	case ds.param != data.FieldLapsedDays:
		return usageError(data.FieldLapsedDays, strconv.Itoa(days), "is not a setting of "+ds.name,
			"drop it (it belongs to "+DatasetLapsedCustomers+")")
	case days < 0 || days > MaxDays:
		return lapsedDaysError(strconv.Itoa(days))
	}
	return nil
}

// lapsedCutoff is the local date a last visit must be before for a customer to be lapsed:
// the tenant's today minus days.
func lapsedCutoff(now time.Time, loc *time.Location, days int) string {
	return Today(now, loc).AddDate(0, 0, -days).Format(data.DateLayout)
}

// lapsedCustomers is the lapsed list as of now, for days without a visit: the one read behind
// the customers report's lapsed_customers and the lapsed_customers export.
func lapsedCustomers(ctx context.Context, sn *store.Snapshot, t data.Tenant, now time.Time, days int) ([]LapsedCustomer, error) {
	ls, err := sn.LapsedCustomers(ctx, lapsedCutoff(now, t.Location(), days), now.Unix(), t.Currency)
	if err != nil {
		return nil, err
	}
	return lapsedRows(ls), nil
}

// lapsedDays is the request's lapsed days, or the default.
func (j *exportJob) lapsedDays() int {
	if j.req.LapsedDays > 0 {
		return j.req.LapsedDays
	}
	return DefaultLapsedDays
}

// readTyped reads a typed dataset's rows (one cell per column, row after row) inside the
// export's snapshot; the rows are few (a list a person reads or mails), so they are held.
func (j *exportJob) readTyped(ctx context.Context, sn *store.Snapshot) (*typedRows, error) {
	if j.ds.name != DatasetLapsedCustomers {
		return nil, fmt.Errorf("no reader for the typed dataset %s", j.ds.name)
	}
	ls, err := lapsedCustomers(ctx, sn, j.tenant, j.now, j.lapsedDays())
	if err != nil {
		return nil, err
	}
	r := &typedRows{ncol: len(j.ds.columns), cells: make([]cell, 0, len(ls)*len(j.ds.columns))}
	for _, l := range ls {
		for _, c := range j.ds.columns {
			v, ok := lapsedCell(l, c.key, j.tenant.Currency)
			if !ok {
				return nil, fmt.Errorf("no value for the column %s", c.key)
			}
			r.cells = append(r.cells, v)
		}
	}
	return r, nil
}

// lapsedCell is the value of a lapsed customer's column.
func lapsedCell(l LapsedCustomer, key, currency string) (cell, bool) {
	switch key {
	case "id":
		return cell{Int: l.ID}, true
	case "name":
		return cell{Text: l.Name}, true
	case "email":
		return cell{Text: l.Email}, true
	case "phone":
		return cell{Text: l.Phone}, true
	case "last_visit_date":
		return cell{Text: l.LastVisit}, true
	case "visit_count":
		return cell{Int: l.Visits}, true
	case "lifetime_revenue_cents":
		return cell{Int: l.RevenueCents}, true
	case "currency":
		return cell{Text: currency}, true
	}
	return cell{}, false
}

// typedRows iterates over a typed dataset's rows as store.ExportRows does over a query's.
type typedRows struct {
	cells []cell
	ncol  int
	at    int // rows handed out so far
}

func (r *typedRows) len() int64 { return int64(len(r.cells) / max(r.ncol, 1)) }

// Next moves to the next row; false after the last.
func (r *typedRows) Next() bool {
	if int64(r.at) >= r.len() {
		return false
	}
	r.at++
	return true
}

// Scan copies the current row into row.
func (r *typedRows) Scan(row []cell) error {
	copy(row, r.cells[(r.at-1)*r.ncol:r.at*r.ncol])
	return nil
}

// Err is always nil: the rows were read before the iteration.
func (r *typedRows) Err() error { return nil }

// Close does nothing; the rows are in memory.
func (r *typedRows) Close() error { return nil }

// longest is the length in characters of the longest value of each text column (the XLSX
// widths that the store measures over a table for the other datasets), by column key.
func (r *typedRows) longest(cols []exportColumn) map[string]int {
	out := map[string]int{}
	for i, c := range cols {
		if (c.kind != kindText && c.kind != kindCode) || c.tenantCurrency {
			continue
		}
		n := 0
		for k := i; k < len(r.cells); k += r.ncol {
			n = max(n, utf8.RuneCountInString(r.cells[k].Text))
		}
		out[c.key] = n
	}
	return out
}
