package reports

import (
	"slices"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/store"
	"github.com/almanac-app/almanac/license"
)

// Dataset names.
const (
	DatasetAppointments  = store.DatasetAppointments
	DatasetCustomers     = store.DatasetCustomers
	DatasetResources     = store.DatasetResources
	DatasetServices      = store.DatasetServices
	DatasetPayments      = store.DatasetPayments
	DatasetSubscriptions = store.DatasetSubscriptions
	// DatasetLapsedCustomers is the customers report's lapsed_customers list (export_lapsed.go).
	DatasetLapsedCustomers = store.DatasetLapsedCustomers
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
	// kindEncoded is text already in the format's encoding (a preloaded name, encoded once per
	// export by the encoder's encodeName): appended as it is. Only an encoder's own column copy
	// has it (loadNames).
	kindEncoded
)

// kindOf is how the formats write a column of the role.
func kindOf(r store.ColumnRole) kind {
	switch r {
	case store.RoleID:
		return kindID
	case store.RoleInt:
		return kindInt
	case store.RolePhone, store.RoleCurrency, store.RoleTenantCurrency:
		return kindCode
	case store.RoleMoney:
		return kindMoney
	case store.RoleDate:
		return kindDate
	case store.RoleTime:
		return kindTime
	case store.RoleBool:
		return kindBool
	default: // RoleText, RoleLabel, RoleName
		return kindText
	}
}

// exportColumn is one field of a dataset, as the encoders write it.
type exportColumn struct {
	key   string // CSV header and JSON key
	title string // XLSX header
	kind  kind
	// tenantCurrency columns are not read from the store: every row holds the tenant's currency
	// (appointment and service prices are in it), filled in once.
	tenantCurrency bool
	// currencyCol, for a money column, is the index of the column holding its currency; -1 means
	// the tenant's.
	currencyCol int
}

// Filter names, as on the command line.
const (
	filterStatus   = store.FilterStatus
	filterService  = store.FilterService
	filterResource = store.FilterResource
	filterActive   = store.FilterActive
)

// dataset is an exportable table, from the store's dataset table: its columns and which filters
// it takes.
type dataset struct {
	name      string
	title     string // sheet and table name
	columns   []exportColumn
	dateField string   // "" when the dataset has no date filter
	filters   []string // besides dates
	statuses  []string // valid --status values
	// typed datasets read their rows from a typed Snapshot method (export_lapsed.go), not from
	// the store's generated SELECT; param is the data.Field of their parameter ("" for none).
	typed bool
	param string
	// feature is the license feature the dataset needs besides its format's ("" for none).
	feature string
	// nameCols marks the columns that show a name joined by id (filled from ExportNames).
	nameCols []bool
}

// datasetFeatures are the datasets that belong to a gated feature: their rows are that
// feature's numbers.
var datasetFeatures = map[string]string{
	DatasetLapsedCustomers: license.FeatureCustomerInsights,
}

// datasets are the store's datasets in menu order.
var datasets = exportDatasets()

func exportDatasets() []dataset {
	var out []dataset
	for _, d := range store.Datasets() {
		ds := dataset{name: d.Name, title: d.Title, statuses: d.Statuses, typed: d.Typed, param: d.Param,
			feature: datasetFeatures[d.Name]}
		if d.Dates != nil {
			ds.dateField = d.Dates.Field
		}
		for _, f := range d.Filters {
			ds.filters = append(ds.filters, f.Name)
		}
		for _, c := range d.Columns {
			ds.nameCols = append(ds.nameCols, c.Role == store.RoleName)
			col := exportColumn{key: c.Key, title: c.Title, kind: kindOf(c.Role),
				tenantCurrency: c.Role == store.RoleTenantCurrency, currencyCol: -1}
			if c.Role == store.RoleMoney {
				col.currencyCol = d.ColumnIndex(c.CurrencyKey)
			}
			ds.columns = append(ds.columns, col)
		}
		out = append(out, ds)
	}
	return out
}

// DatasetInfo describes a dataset for menus and help.
type DatasetInfo struct {
	Name      string
	Title     string
	DateField string   // what the date filter applies to; "" when none
	Filters   []string // "status", "service", "resource", "active"
	Statuses  []string
	// Feature is the license feature the dataset needs besides its format's; "" when none.
	Feature string
	// Param is the data.Field of the dataset's parameter (data.FieldLapsedDays); "" when none.
	Param string
}

// Datasets lists the exportable datasets in menu order.
func Datasets() []DatasetInfo {
	var out []DatasetInfo
	for _, d := range datasets {
		out = append(out, DatasetInfo{Name: d.name, Title: d.title, DateField: d.dateField,
			Filters: append([]string(nil), d.filters...), Statuses: append([]string(nil), d.statuses...),
			Feature: d.feature, Param: d.param})
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
		return nil, usageError(data.FieldDataset, req.Dataset, "is not a dataset", "use one of "+strings.Join(DatasetNames(), ", "))
	}
	if _, err := ParseFormat(string(req.Format)); err != nil {
		return nil, err
	}
	p := req.Period
	if ds.dateField == "" && (p.Days != "" || p.From != "" || p.To != "" || p.Period != "") {
		fix := "drop {from}, {to}, {days} and {period}"
		if ds.param == data.FieldLapsedDays {
			fix += " (the list looks at every visit; {lapsed_days} sets how long without one makes a customer lapsed)"
		}
		return nil, usageError(data.FieldDataset, ds.name, "has no date filter", fix)
	}
	if err := checkLapsedDays(ds, req.LapsedDays); err != nil {
		return nil, err
	}
	checks := []struct {
		given bool
		name  string
		field string
		value string
	}{
		{req.Status != "", filterStatus, data.FieldStatus, req.Status},
		{req.ServiceID != 0, filterService, data.FieldService, idValue(req.ServiceID)},
		{req.ResourceID != 0, filterResource, data.FieldResource, idValue(req.ResourceID)},
		{req.Active != nil, filterActive, data.FieldActive, activeValue(req.Active)},
	}
	for _, c := range checks {
		if c.given && !slices.Contains(ds.filters, c.name) {
			return nil, usageError(c.field, c.value, "is not a filter of "+ds.name, "drop it")
		}
	}
	if req.Status != "" && !slices.Contains(ds.statuses, req.Status) {
		return nil, usageError(data.FieldStatus, req.Status, "is not "+withArticle(strings.TrimSuffix(ds.name, "s"))+" status", "use one of "+strings.Join(ds.statuses, ", "))
	}
	if req.ServiceID < 0 {
		return nil, usageError(data.FieldService, idValue(req.ServiceID), "is not a positive id", "give the id of one of the tenant's services")
	}
	if req.ResourceID < 0 {
		return nil, usageError(data.FieldResource, idValue(req.ResourceID), "is not a positive id", "give the id of one of the tenant's resources")
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

// store is the filter in the store's terms.
func (f filterValues) store() store.ExportFilter {
	return store.ExportFilter{From: f.from, To: f.to, Status: f.status, ServiceID: f.service, ResourceID: f.resource,
		Active: f.active, Loc: f.loc}
}

// withArticle puts "a" or "an" before a noun, by its first letter.
func withArticle(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}
