package reports

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"

	"github.com/xuri/excelize/v2"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// exportToday is the tenants' local today in these tests.
var exportToday = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)

func planEnts(p license.Plan) license.Entitlements {
	if p == license.Free {
		return license.FreeEntitlements(true)
	}
	return license.EntitlementsFor(license.Payload{Plan: p}, true)
}

// demoStore builds a small deterministic demo tenant in a temp dir.
func demoStore(t *testing.T, n int) (*store.Store, *Service) {
	t.Helper()
	h := data.Home{Dir: t.TempDir()}
	ctx := context.Background()
	if _, err := demo.Build(ctx, h, demo.Options{Appointments: n, Seed: 11, Today: exportToday}); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, h.TenantPath(data.DemoTenantID))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	loc, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 6, 15, 14, 30, 0, 0, loc)
	return st, New(st, func() time.Time { return now })
}

// canon is a row in canonical text: integers in minor units, instants as RFC 3339 in the tenant
// zone, dates YYYY-MM-DD, booleans true/false, NULL as "\x00".
type canon []string

const nullCell = "\x00"

// storeRows reads a dataset straight from the tables with plain queries and computes derived
// columns in Go, independently of the export's SQL.
func storeRows(t *testing.T, st *store.Store, ds string, f filterValues) []canon {
	t.Helper()
	var out []canon
	err := st.Read(context.Background(), func(tx *sql.Tx) error {
		var err error
		out, err = expectedTx(tx, ds, f)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func expectedTx(tx *sql.Tx, ds string, f filterValues) ([]canon, error) {
	var currency string
	if err := tx.QueryRow("SELECT currency FROM tenant").Scan(&currency); err != nil {
		return nil, err
	}
	names := map[string]map[int64]string{}
	for _, tbl := range []string{"customers", "services", "resources"} {
		names[tbl] = map[int64]string{}
		if err := eachRow(tx, "SELECT id, name FROM "+tbl, func(v []any) {
			names[tbl][v[0].(int64)] = v[1].(string)
		}); err != nil {
			return nil, err
		}
	}
	tm := func(v any) string {
		if v == nil {
			return nullCell
		}
		return time.Unix(v.(int64), 0).In(f.loc).Format(time.RFC3339)
	}
	num := func(v any) string {
		if v == nil {
			return nullCell
		}
		return strconv.FormatInt(v.(int64), 10)
	}
	str := func(v any) string {
		if v == nil {
			return nullCell
		}
		return v.(string)
	}
	boolean := func(v any) string { return strconv.FormatBool(v.(int64) == 1) }
	inPeriod := func(d string) bool { return d >= f.from && (f.to == "" || d <= f.to) }
	var rows []canon
	var keys [][2]int64 // sort keys
	add := func(k0, k1 int64, r canon) { rows, keys = append(rows, r), append(keys, [2]int64{k0, k1}) }
	var err error
	switch ds {
	case DatasetAppointments:
		err = eachRow(tx, "SELECT id, start_at, end_at, status, customer_id, service_id, resource_id, price_cents, booked_at, local_date FROM appointments", func(v []any) {
			if !inPeriod(v[9].(string)) || (f.status != "" && v[3] != f.status) ||
				(f.service != 0 && v[5].(int64) != f.service) || (f.resource != 0 && v[6].(int64) != f.resource) {
				return
			}
			add(v[1].(int64), v[0].(int64), canon{num(v[0]), tm(v[1]), tm(v[2]), str(v[3]), num(v[4]), names["customers"][v[4].(int64)],
				num(v[5]), names["services"][v[5].(int64)], num(v[6]), names["resources"][v[6].(int64)], num(v[7]), currency, tm(v[8])})
		})
	case DatasetCustomers:
		last := map[int64]string{}
		members := map[int64]int64{}
		err = eachRow(tx, "SELECT customer_id, local_date, status FROM appointments", func(v []any) {
			if id := v[0].(int64); v[2] == "completed" && v[1].(string) > last[id] {
				last[id] = v[1].(string)
			}
		})
		if err == nil {
			err = eachRow(tx, "SELECT customer_id, status FROM subscriptions", func(v []any) {
				if v[1] == "active" {
					members[v[0].(int64)]++
				}
			})
		}
		if err == nil {
			err = eachRow(tx, "SELECT id, name, email, phone, status, created_at FROM customers", func(v []any) {
				id := v[0].(int64)
				if f.status != "" && v[4] != f.status {
					return
				}
				lv := last[id]
				if lv == "" {
					lv = nullCell
				}
				add(id, 0, canon{num(v[0]), str(v[1]), str(v[2]), str(v[3]), str(v[4]), tm(v[5]), lv, strconv.FormatInt(members[id], 10)})
			})
		}
	case DatasetLapsedCustomers:
		err = expectedLapsed(tx, f, currency, add)
	case DatasetResources, DatasetServices:
		q := "SELECT id, name, kind, active FROM resources"
		if ds == DatasetServices {
			q = "SELECT id, name, duration_minutes, price_cents, active FROM services"
		}
		err = eachRow(tx, q, func(v []any) {
			act := v[len(v)-1].(int64) == 1
			if f.active != nil && act != *f.active {
				return
			}
			if ds == DatasetResources {
				add(v[0].(int64), 0, canon{num(v[0]), str(v[1]), str(v[2]), boolean(v[3])})
			} else {
				add(v[0].(int64), 0, canon{num(v[0]), str(v[1]), num(v[2]), num(v[3]), currency, boolean(v[4])})
			}
		})
	case DatasetPayments:
		err = eachRow(tx, "SELECT id, created_at, status, amount_cents, currency, customer_id, appointment_id, paid_at, created_local_date FROM payments", func(v []any) {
			if !inPeriod(v[8].(string)) || (f.status != "" && v[2] != f.status) {
				return
			}
			add(v[1].(int64), v[0].(int64), canon{num(v[0]), tm(v[1]), str(v[2]), num(v[3]), str(v[4]), num(v[5]),
				names["customers"][v[5].(int64)], num(v[6]), tm(v[7])})
		})
	case DatasetSubscriptions:
		err = eachRow(tx, "SELECT id, customer_id, plan_name, status, amount_cents, currency, interval, started_at, canceled_at FROM subscriptions", func(v []any) {
			if f.status != "" && v[3] != f.status {
				return
			}
			add(v[0].(int64), 0, canon{num(v[0]), num(v[1]), names["customers"][v[1].(int64)], str(v[2]), str(v[3]), num(v[4]),
				str(v[5]), str(v[6]), tm(v[7]), tm(v[8])})
		})
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ka, kb := keys[idx[a]], keys[idx[b]]
		return ka[0] < kb[0] || ka[0] == kb[0] && ka[1] < kb[1]
	})
	sorted := make([]canon, len(rows))
	for i, j := range idx {
		sorted[i] = rows[j]
	}
	return sorted, err
}

// expectedLapsed is the lapsed_customers rows worked out from the raw rows at demoStore's clock
// (2026-06-15 14:30 New York) and the default 90 days: active customers whose last completed
// appointment's local date is before 2026-03-17 and who have no scheduled or confirmed
// appointment starting after now; lifetime visits and succeeded paid revenue in the tenant's
// currency; newest last visit first, then id.
func expectedLapsed(tx *sql.Tx, f filterValues, currency string, add func(k0, k1 int64, r canon)) error {
	now := time.Date(2026, 6, 15, 14, 30, 0, 0, f.loc).Unix()
	last, visits, booked, revenue := map[int64]string{}, map[int64]int64{}, map[int64]bool{}, map[int64]int64{}
	err := eachRow(tx, "SELECT customer_id, local_date, status, start_at FROM appointments", func(v []any) {
		id := v[0].(int64)
		switch v[2] {
		case "completed":
			visits[id]++
			last[id] = max(last[id], v[1].(string))
		case "scheduled", "confirmed":
			booked[id] = booked[id] || v[3].(int64) > now
		}
	})
	if err != nil {
		return err
	}
	err = eachRow(tx, "SELECT customer_id, amount_cents, currency, status, paid_at FROM payments", func(v []any) {
		if v[3] == "succeeded" && v[2] == currency && v[4] != nil {
			revenue[v[0].(int64)] += v[1].(int64)
		}
	})
	if err != nil {
		return err
	}
	return eachRow(tx, "SELECT id, name, email, phone, status FROM customers", func(v []any) {
		id := v[0].(int64)
		if v[4] != "active" || last[id] == "" || last[id] >= "2026-03-17" || booked[id] {
			return
		}
		day, _ := strconv.ParseInt(strings.ReplaceAll(last[id], "-", ""), 10, 64)
		add(-day, id, canon{strconv.FormatInt(id, 10), v[1].(string), v[2].(string), v[3].(string), last[id],
			strconv.FormatInt(visits[id], 10), strconv.FormatInt(revenue[id], 10), currency})
	})
}

func eachRow(tx *sql.Tx, q string, fn func([]any)) error {
	rows, err := tx.Query(q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		v := make([]any, len(cols))
		p := make([]any, len(cols))
		for i := range v {
			p[i] = &v[i]
		}
		if err := rows.Scan(p...); err != nil {
			return err
		}
		fn(v)
	}
	return rows.Err()
}

// parseCSV reads an export back into canonical rows, undoing only the documented neutralisation.
func parseCSV(t *testing.T, path string, cols []exportColumn) (header []string, rows []canon) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		row := make(canon, len(r))
		for i, v := range r {
			row[i] = v
			if v == "" && cols[i].kind != kindText && cols[i].kind != kindCode {
				row[i] = nullCell
			}
		}
		rows = append(rows, row)
	}
	return recs[0], rows
}

type jsonFile struct {
	Metadata Metadata         `json:"metadata"`
	Records  []map[string]any `json:"records"`
}

func parseJSON(t *testing.T, path string, cols []exportColumn) (jsonFile, []canon) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var f jsonFile
	if err := dec.Decode(&f); err != nil {
		t.Fatal(err)
	}
	var rows []canon
	for _, rec := range f.Records {
		if len(rec) != len(cols) {
			t.Fatalf("record has %d keys, want %d: %v", len(rec), len(cols), rec)
		}
		row := make(canon, len(cols))
		for i, c := range cols {
			switch v := rec[c.key].(type) {
			case nil:
				row[i] = nullCell
			case json.Number:
				if c.kind == kindText || c.kind == kindCode || c.kind == kindTime || c.kind == kindDate {
					t.Fatalf("%s is a number in JSON", c.key)
				}
				row[i] = v.String()
			case string:
				if c.kind == kindInt || c.kind == kindID || c.kind == kindMoney {
					t.Fatalf("%s is a string in JSON: %q", c.key, v)
				}
				row[i] = v
			case bool:
				row[i] = strconv.FormatBool(v)
			}
		}
		rows = append(rows, row)
	}
	return f, rows
}

// parseXLSX reads every data sheet back, converting serial dates with excelize's own
// conversion; instants are compared by wall clock in the tenant's zone.
func parseXLSX(t *testing.T, path string, cols []exportColumn) (*excelize.File, []canon) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	var out []canon
	for _, sheet := range f.GetSheetList() {
		if sheet == "About" {
			continue
		}
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows[1:] {
			c := make(canon, len(cols))
			for i := range cols {
				v := ""
				if i < len(row) {
					v = row[i]
				}
				cellRef, _ := excelize.CoordinatesToCellName(i+1, r+2)
				c[i] = xlsxCanon(t, f, sheet, cellRef, cols[i], v)
			}
			out = append(out, c)
		}
	}
	return f, out
}

func xlsxCanon(t *testing.T, f *excelize.File, sheet, ref string, c exportColumn, v string) string {
	t.Helper()
	if v == "" && c.kind != kindText && c.kind != kindCode {
		return nullCell
	}
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	isText := typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString || typ == excelize.CellTypeFormula
	switch c.kind {
	case kindID, kindCode, kindText:
		if !isText && v != "" {
			t.Fatalf("%s!%s (%s) = %q is not text (type %v)", sheet, ref, c.key, v, typ)
		}
		return v
	case kindBool:
		return strconv.FormatBool(v == "1" || v == "TRUE")
	}
	if isText {
		t.Fatalf("%s!%s (%s) = %q is text, want a number", sheet, ref, c.key, v)
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("%s!%s (%s) = %q: %v", sheet, ref, c.key, v, err)
	}
	switch c.kind {
	case kindMoney:
		return strconv.FormatInt(int64(math.Round(x*100)), 10)
	case kindDate:
		d, err := excelize.ExcelDateToTime(x, false)
		if err != nil {
			t.Fatal(err)
		}
		return d.Format(data.DateLayout)
	case kindTime:
		d, err := excelize.ExcelDateToTime(x, false)
		if err != nil {
			t.Fatal(err)
		}
		return d.Round(time.Second).Format("2006-01-02T15:04:05")
	}
	return strconv.FormatInt(int64(x), 10)
}

// csvExpect is what a CSV cell must hold: text that could start a formula gets a leading '.
func csvExpect(c exportColumn, v string) string {
	if (c.kind == kindText || c.kind == kindCode) && runsAsFormula(v) {
		return "'" + v
	}
	return v
}

// numberish matches the cells that can call no function: digits, spaces and + - ( ) . ,
var numberish = regexp.MustCompile(`^[0-9 +\-().,]*$`)

// runsAsFormula is the documented rule, written independently of formulaLike: after leading
// spaces and invisible characters comes = + - @ (or a fullwidth one), a tab or a CR, and the
// cell is not numberish.
func runsAsFormula(v string) bool {
	rest := strings.TrimLeft(v, " \u00a0\u2007\u202f\u200b\u200c\u200d\u2060\ufeff")
	if rest == "" || !strings.ContainsRune("=+-@\t\r＝＋－＠", []rune(rest)[0]) {
		return false
	}
	return !numberish.MatchString(v)
}

// xlsxExpect drops the offset of instants: Excel shows the tenant's wall clock.
func xlsxExpect(c exportColumn, v string) string {
	if c.kind == kindTime && v != nullCell {
		return v[:19]
	}
	return v
}

func compareRows(t *testing.T, what string, cols []exportColumn, got, want []canon, conv func(exportColumn, string) string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for r := range want {
		for i, c := range cols {
			w := want[r][i]
			if conv != nil {
				w = conv(c, w)
			}
			if got[r][i] != w {
				t.Fatalf("%s row %d column %s = %q, want %q", what, r+1, c.key, got[r][i], w)
			}
		}
	}
}

// checkExport exports one dataset in one format and compares it with the store row by row.
func checkExport(t *testing.T, st *store.Store, svc *Service, ents license.Entitlements, req ExportRequest, f filterValues) ExportResult {
	t.Helper()
	req.Out = t.TempDir()
	res, err := svc.Export(context.Background(), ents, req)
	if err != nil {
		t.Fatal(err)
	}
	ds := findDataset(req.Dataset)
	want := storeRows(t, st, req.Dataset, f)
	if res.Rows != int64(len(want)) || res.Metadata.Count != res.Rows {
		t.Fatalf("%d rows, metadata count %d, want %d", res.Rows, res.Metadata.Count, len(want))
	}
	what := req.Dataset + "." + string(req.Format)
	switch req.Format {
	case FormatCSV:
		header, got := parseCSV(t, res.Path, ds.columns)
		for i, c := range ds.columns {
			if header[i] != c.key {
				t.Fatalf("header %v", header)
			}
		}
		compareRows(t, what, ds.columns, got, want, csvExpect)
	case FormatJSON:
		file, got := parseJSON(t, res.Path, ds.columns)
		if file.Metadata.Count != int64(len(want)) || file.Metadata.Dataset != req.Dataset {
			t.Fatalf("metadata %+v", file.Metadata)
		}
		compareRows(t, what, ds.columns, got, want, nil)
	case FormatXLSX:
		_, got := parseXLSX(t, res.Path, ds.columns)
		compareRows(t, what, ds.columns, got, want, xlsxExpect)
	}
	return res
}

func TestExportEveryDatasetAndFormat(t *testing.T) {
	st, svc := demoStore(t, 3000)
	loc, _ := time.LoadLocation("America/New_York")
	ents := planEnts(license.Enterprise)
	today := "2026-06-15"
	for _, ds := range DatasetNames() {
		f := filterValues{loc: loc}
		switch ds {
		case DatasetAppointments:
			f.from = "2025-06-15" // the whole 365-day window, future included
		case DatasetPayments:
			f.from, f.to = "2026-05-17", today // the default 30 days
		}
		for _, format := range Formats() {
			t.Run(ds+"/"+string(format), func(t *testing.T) {
				res := checkExport(t, st, svc, ents, ExportRequest{Dataset: ds, Format: format}, f)
				if res.Rows == 0 {
					t.Fatal("no rows: the comparison proves nothing")
				}
				if want := ds + "_20260615_143000." + string(format); filepath.Base(res.Path) != want {
					t.Errorf("file name %s, want %s", filepath.Base(res.Path), want)
				}
			})
		}
	}
}

// TestExportJoinFallback exports with names joined per row, as for tenants too big to preload
// them, and expects the same rows.
func TestExportJoinFallback(t *testing.T) {
	st, svc := demoStore(t, 2000)
	loc, _ := time.LoadLocation("America/New_York")
	ents := planEnts(license.Internal)
	for _, ds := range []string{DatasetAppointments, DatasetPayments, DatasetSubscriptions} {
		for _, limit := range []int{-1, 1} { // never, and too small for any table
			for _, format := range Formats() {
				req := ExportRequest{Dataset: ds, Format: format, namesLimit: limit, Period: PeriodRequest{From: "2024-01-01"}}
				f := filterValues{from: "2024-01-01", loc: loc}
				if ds == DatasetSubscriptions {
					req.Period, f.from = PeriodRequest{}, ""
				}
				if checkExport(t, st, svc, ents, req, f).Rows == 0 {
					t.Fatal("no rows")
				}
			}
		}
	}
}

func TestExportFilters(t *testing.T) {
	st, svc := demoStore(t, 3000)
	loc, _ := time.LoadLocation("America/New_York")
	ents := planEnts(license.Enterprise)
	no, yes := false, true
	cases := []struct {
		name string
		req  ExportRequest
		f    filterValues
	}{
		{"appointments by dates, status, service, resource", ExportRequest{Dataset: DatasetAppointments,
			Period: PeriodRequest{From: "2026-01-01", To: "2026-03-31"}, Status: "completed", ServiceID: 2, ResourceID: 1},
			filterValues{from: "2026-01-01", to: "2026-03-31", status: "completed", service: 2, resource: 1}},
		{"appointments of one service (count from the service rollup)", ExportRequest{Dataset: DatasetAppointments,
			Period: PeriodRequest{From: "2026-02-01"}, Status: "cancelled", ServiceID: 3},
			filterValues{from: "2026-02-01", status: "cancelled", service: 3}},
		{"appointments of one resource (count from the resource rollup)", ExportRequest{Dataset: DatasetAppointments,
			Period: PeriodRequest{From: "2026-01-01", To: "2026-05-31"}, ResourceID: 2},
			filterValues{from: "2026-01-01", to: "2026-05-31", resource: 2}},
		{"appointments last 7 days", ExportRequest{Dataset: DatasetAppointments, Period: PeriodRequest{Days: "7"}},
			filterValues{from: "2026-06-09", to: "2026-06-15"}},
		{"customers inactive", ExportRequest{Dataset: DatasetCustomers, Status: "inactive"}, filterValues{status: "inactive"}},
		{"resources inactive", ExportRequest{Dataset: DatasetResources, Active: &no}, filterValues{active: &no}},
		{"services active", ExportRequest{Dataset: DatasetServices, Active: &yes}, filterValues{active: &yes}},
		{"payments refunded over a year", ExportRequest{Dataset: DatasetPayments, Status: "refunded", Period: PeriodRequest{Days: "365"}},
			filterValues{from: "2025-06-16", to: "2026-06-15", status: "refunded"}},
		{"subscriptions canceled", ExportRequest{Dataset: DatasetSubscriptions, Status: "canceled"}, filterValues{status: "canceled"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.f.loc = loc
			for _, format := range Formats() {
				c.req.Format = format
				res := checkExport(t, st, svc, ents, c.req, c.f)
				if res.Rows == 0 {
					t.Fatal("no rows: pick a filter that matches something")
				}
			}
		})
	}
}

// craftedStore is a tiny tenant with hostile text, negative money and instants around the
// 2026 New York daylight-saving changes (8 March 02:00 and 1 November 02:00).
func craftedStore(t *testing.T) (*store.Store, *Service) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	loc, _ := time.LoadLocation("America/New_York")
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	names := []string{"=HYPERLINK(\"http://x\",\"y\")", "+1 555-0100", "-5", "@SUM(A1)", "\tTab", "\rCR", "Zoë \"Quote\", Jr.\nLine"}
	err = st.Write(ctx, func(tx *sql.Tx) error {
		if err := store.PutTenant(ctx, tx, data.Tenant{ID: "t", Name: "Crafted", TimeZone: "America/New_York", Currency: "EUR"}); err != nil {
			return err
		}
		w, err := store.NewWriter(ctx, tx, loc)
		if err != nil {
			return err
		}
		defer w.Close()
		stamp := utc("2026-01-01T00:00:00Z")
		if err := w.PutResource(data.Resource{ID: 1, Name: "-Room", Kind: data.ResourceRoom, Active: true, UpdatedAt: stamp}); err != nil {
			return err
		}
		if err := w.PutService(data.Service{ID: 1, Name: "=1+1", DurationMinutes: 60, PriceCents: 5000, Active: true, UpdatedAt: stamp}); err != nil {
			return err
		}
		for i, n := range names {
			if err := w.PutCustomer(data.Customer{ID: int64(i + 1), Name: n, Email: "@mail", Phone: "+44 20 7946 0000",
				Status: data.CustomerActive, CreatedAt: stamp, UpdatedAt: stamp}); err != nil {
				return err
			}
		}
		// Around the spring-forward gap and the autumn repeat, plus a late evening whose UTC date
		// is the next day.
		starts := []string{"2026-03-08T06:30:00Z", "2026-03-08T07:30:00Z", "2026-03-08T03:30:00Z", "2026-03-09T03:30:00Z",
			"2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-01T07:30:00Z"}
		for i, s := range starts {
			at := utc(s)
			if err := w.PutAppointment(data.Appointment{ID: int64(i + 1), CustomerID: int64(i%len(names) + 1), ServiceID: 1, ResourceID: 1,
				StartAt: at, EndAt: at.Add(time.Hour), Status: data.StatusCompleted, BookedAt: at.Add(-48 * time.Hour), PriceCents: 5000, UpdatedAt: at}); err != nil {
				return err
			}
			paid := at.Add(time.Hour)
			amount := int64(5000)
			status := data.PaymentSucceeded
			if i == 2 {
				amount, status = -1250, data.PaymentRefunded // a negative number must stay a number
			}
			if err := w.PutPayment(data.Payment{ID: int64(i + 1), CustomerID: int64(i%len(names) + 1), AmountCents: amount, Currency: "EUR",
				Status: status, CreatedAt: paid, PaidAt: &paid, UpdatedAt: paid}); err != nil {
				return err
			}
		}
		return w.Flush()
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, loc)
	return st, New(st, func() time.Time { return now })
}

func TestExportInjectionAndNegativeNumbers(t *testing.T) {
	st, svc := craftedStore(t)
	loc, _ := time.LoadLocation("America/New_York")
	ents := planEnts(license.Internal)
	f := filterValues{from: "0000-01-01", loc: loc}
	for _, ds := range []string{DatasetCustomers, DatasetPayments, DatasetAppointments, DatasetServices, DatasetResources} {
		req := ExportRequest{Dataset: ds}
		if ds == DatasetPayments { // payments default to the last 30 days
			req.Period.From = "2026-01-01"
		}
		for _, format := range Formats() {
			req.Format = format
			checkExport(t, st, svc, ents, req, f)
		}
	}
	// Spelled out, in case the round trip above and the rule shared a mistake.
	res, err := svc.Export(context.Background(), ents, ExportRequest{Dataset: DatasetCustomers, Format: FormatCSV, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(res.Path)
	for _, want := range []string{`"'=HYPERLINK(""http://x"",""y"")"`, ",+1 555-0100,", ",-5,", "'@SUM(A1)", "'\tTab", ",+44 20 7946 0000,", "'@mail"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("customers CSV lacks %q:\n%s", want, b)
		}
	}
	if bytes.HasPrefix(b, []byte(utf8BOM)) {
		t.Error("CSV starts with a BOM although --excel was not given")
	}
	res, err = svc.Export(context.Background(), ents, ExportRequest{Dataset: DatasetPayments, Format: FormatCSV, Out: t.TempDir(), Excel: true,
		Period: PeriodRequest{From: "2026-01-01"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(res.Path)
	if !bytes.HasPrefix(b, []byte(utf8BOM+"id,created_at,")) {
		t.Errorf("--excel CSV does not start with a BOM and the header: %q", b[:20])
	}
	if !strings.Contains(string(b), ",refunded,-1250,EUR,") {
		t.Errorf("negative amount not written as a plain number:\n%s", b)
	}
	// In XLSX the refund is a negative number with the euro format.
	res, err = svc.Export(context.Background(), ents, ExportRequest{Dataset: DatasetPayments, Format: FormatXLSX, Out: t.TempDir(),
		Period: PeriodRequest{From: "2026-01-01"}})
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	// The refund is the earliest payment, so the first data row.
	v, _ := x.GetCellValue("Payments", "D2", excelize.Options{RawCellValue: true})
	shown, _ := x.GetCellValue("Payments", "D2")
	if v != "-12.5" || !strings.Contains(shown, "€") {
		t.Errorf("refund cell raw %q shown %q, want -12.5 shown in euros", v, shown)
	}
}

func TestExportDaylightSaving(t *testing.T) {
	_, svc := craftedStore(t)
	ents := planEnts(license.Internal)
	// 8 March local: 01:30 EST, 03:30 EDT and 23:30 EDT (which is 9 March in UTC); not the
	// 22:30 EST of 7 March that is 8 March in UTC.
	res, err := svc.Export(context.Background(), ents, ExportRequest{Dataset: DatasetAppointments, Format: FormatCSV,
		Period: PeriodRequest{From: "2026-03-08", To: "2026-03-08"}, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	_, rows := parseCSV(t, res.Path, findDataset(DatasetAppointments).columns)
	var starts []string
	for _, r := range rows {
		starts = append(starts, r[1])
	}
	want := []string{"2026-03-08T01:30:00-05:00", "2026-03-08T03:30:00-04:00", "2026-03-08T23:30:00-04:00"}
	if strings.Join(starts, " ") != strings.Join(want, " ") {
		t.Errorf("8 March starts %v, want %v", starts, want)
	}
	// 1 November: 01:30 EDT, 01:30 EST (the repeated hour) and 02:30 EST.
	res, err = svc.Export(context.Background(), ents, ExportRequest{Dataset: DatasetAppointments, Format: FormatXLSX,
		Period: PeriodRequest{From: "2026-11-01", To: "2026-11-01"}, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	_, xrows := parseXLSX(t, res.Path, findDataset(DatasetAppointments).columns)
	starts = nil
	for _, r := range xrows {
		starts = append(starts, r[1])
	}
	want = []string{"2026-11-01T01:30:00", "2026-11-01T01:30:00", "2026-11-01T02:30:00"}
	if strings.Join(starts, " ") != strings.Join(want, " ") {
		t.Errorf("1 November XLSX starts %v, want %v", starts, want)
	}
}

func TestExportSheetSplit(t *testing.T) {
	st, svc := craftedStore(t)
	req := ExportRequest{Dataset: DatasetAppointments, Format: FormatXLSX, Out: t.TempDir(), sheetRows: 3}
	res, err := svc.Export(context.Background(), planEnts(license.Internal), req)
	if err != nil {
		t.Fatal(err)
	}
	cols := findDataset(DatasetAppointments).columns
	f, rows := parseXLSX(t, res.Path, cols)
	if got, want := strings.Join(f.GetSheetList(), "|"), "Appointments|Appointments (2)|Appointments (3)|About"; got != want {
		t.Fatalf("sheets %s, want %s", got, want)
	}
	loc, _ := time.LoadLocation("America/New_York")
	compareRows(t, "split", cols, rows, storeRows(t, st, DatasetAppointments, filterValues{from: "0000", loc: loc}), xlsxExpect)
	for i, sheet := range f.GetSheetList()[:3] {
		hdr, _ := f.GetCellValue(sheet, "A1")
		if hdr != "ID" {
			t.Errorf("%s has no header row: A1 = %q", sheet, hdr)
		}
		n, _ := f.GetRows(sheet)
		if want := []int{4, 4, 2}[i]; len(n) != want {
			t.Errorf("%s has %d rows, want %d", sheet, len(n), want)
		}
		tables, err := f.GetTables(sheet)
		if err != nil || len(tables) != 1 {
			t.Errorf("%s: tables %v, %v; want one (the autofilter)", sheet, tables, err)
		}
		panes, _ := f.GetPanes(sheet)
		if !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s: header not frozen: %+v", sheet, panes)
		}
	}
}

func TestExportXLSXFormatting(t *testing.T) {
	_, svc := craftedStore(t)
	res, err := svc.Export(context.Background(), planEnts(license.Internal), ExportRequest{Dataset: DatasetPayments, Format: FormatXLSX, Out: t.TempDir(), AppVersion: "1.2.3",
		Period: PeriodRequest{From: "2026-01-01"}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	numFmt := func(ref string) string {
		id, err := f.GetCellStyle("Payments", ref)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		if st.CustomNumFmt != nil {
			return *st.CustomNumFmt
		}
		return strconv.Itoa(st.NumFmt)
	}
	checks := map[string]string{"B2": fmtTime, "D2": `"€"#,##0.00`, "A2": "49", "F2": "49"}
	for ref, want := range checks {
		if got := numFmt(ref); got != want {
			t.Errorf("%s number format %q, want %q", ref, got, want)
		}
	}
	hid, _ := f.GetCellStyle("Payments", "A1")
	hs, _ := f.GetStyle(hid)
	if hs.Font == nil || !hs.Font.Bold {
		t.Error("header is not bold")
	}
	if w, _ := f.GetColWidth("Payments", "G"); w < float64(len("=HYPERLINK(\"http://x\",\"y\")")) {
		t.Errorf("customer column width %v does not fit the longest name", w)
	}
	about, _ := f.GetRows("About")
	got := map[string]string{}
	for _, r := range about {
		if len(r) == 2 {
			got[r[0]] = r[1]
		}
	}
	for k, want := range map[string]string{"dataset": "payments", "count": "7", "tenant_id": "t", "timezone": "America/New_York",
		"app_version": "1.2.3", "history_window_days": "unlimited", "exported_at": "2026-11-20T12:00:00-05:00"} {
		if got[k] != want {
			t.Errorf("About %s = %q, want %q", k, got[k], want)
		}
	}
}

func TestExportJSONMetadata(t *testing.T) {
	_, svc := demoStore(t, 500)
	res, err := svc.Export(context.Background(), planEnts(license.Professional), ExportRequest{Dataset: DatasetPayments, Format: FormatJSON,
		Period: PeriodRequest{Days: "14"}, Out: t.TempDir(), AppVersion: "9.9"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(res.Path)
	var raw struct {
		Metadata map[string]any `json:"metadata"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	m := raw.Metadata
	for k, want := range map[string]any{"dataset": "payments", "tenant_id": "demo", "tenant_name": "Maple Street Wellness",
		"timezone": "America/New_York", "history_window_days": 90.0, "app_version": "9.9", "data_as_of": nil,
		"exported_at": "2026-06-15T14:30:00-04:00", "plan": "PROFESSIONAL"} {
		if m[k] != want {
			t.Errorf("metadata %s = %v, want %v", k, m[k], want)
		}
	}
	filters := m["filters"].(map[string]any)
	if filters["from"] != "2026-06-02" || filters["to"] != "2026-06-15" || filters["days"] != 14.0 {
		t.Errorf("filters %v", filters)
	}
	if m["count"].(float64) != float64(res.Rows) {
		t.Errorf("count %v, rows %d", m["count"], res.Rows)
	}
	if !bytes.HasPrefix(b, []byte(`{"metadata":`)) {
		t.Error("metadata is not first")
	}
}

func TestExportGatingAndUsage(t *testing.T) {
	_, svc := demoStore(t, 300)
	free := planEnts(license.Free)
	cases := []struct {
		name     string
		ents     license.Entitlements
		req      ExportRequest
		required license.Plan // for plan refusals
		usage    string       // for usage errors: the field the *data.InputError names
	}{
		{"json on free", free, ExportRequest{Dataset: DatasetAppointments, Format: FormatJSON}, license.Starter, ""},
		{"xlsx on free", free, ExportRequest{Dataset: DatasetCustomers, Format: FormatXLSX}, license.Professional, ""},
		{"xlsx on starter", planEnts(license.Starter), ExportRequest{Dataset: DatasetCustomers, Format: FormatXLSX}, license.Professional, ""},
		{"30 days back on free", free, ExportRequest{Dataset: DatasetAppointments, Format: FormatCSV, Period: PeriodRequest{From: "2026-05-16"}}, license.Starter, ""},
		{"payments a year back on pro", planEnts(license.Professional), ExportRequest{Dataset: DatasetPayments, Format: FormatCSV, Period: PeriodRequest{From: "2025-07-01", To: "2025-07-31"}}, license.Enterprise, ""},
		{"days zero", free, ExportRequest{Dataset: DatasetAppointments, Format: FormatCSV, Period: PeriodRequest{Days: "0"}}, 0, data.FieldDays},
		{"days negative", free, ExportRequest{Dataset: DatasetPayments, Format: FormatCSV, Period: PeriodRequest{Days: "-3"}}, 0, data.FieldDays},
		{"days not a number", free, ExportRequest{Dataset: DatasetPayments, Format: FormatCSV, Period: PeriodRequest{Days: "week"}}, 0, data.FieldDays},
		{"bad from", free, ExportRequest{Dataset: DatasetAppointments, Format: FormatCSV, Period: PeriodRequest{From: "2026-02-30"}}, 0, data.FieldFrom},
		{"to before from", free, ExportRequest{Dataset: DatasetAppointments, Format: FormatCSV, Period: PeriodRequest{From: "2026-06-14", To: "2026-06-10"}}, 0, data.FieldTo},
		{"days and from", free, ExportRequest{Dataset: DatasetAppointments, Format: FormatCSV, Period: PeriodRequest{From: "2026-06-14", Days: "3"}}, 0, data.FieldDays},
		{"unknown dataset", free, ExportRequest{Dataset: "invoices", Format: FormatCSV}, 0, data.FieldDataset},
		{"unknown format", free, ExportRequest{Dataset: DatasetCustomers, Format: "pdf"}, 0, data.FieldFormat},
		{"bad status", free, ExportRequest{Dataset: DatasetAppointments, Format: FormatCSV, Status: "done"}, 0, data.FieldStatus},
		{"status on resources", free, ExportRequest{Dataset: DatasetResources, Format: FormatCSV, Status: "active"}, 0, data.FieldStatus},
		{"dates on customers", free, ExportRequest{Dataset: DatasetCustomers, Format: FormatCSV, Period: PeriodRequest{Days: "3"}}, 0, data.FieldDataset},
		{"service on payments", free, ExportRequest{Dataset: DatasetPayments, Format: FormatCSV, ServiceID: 3}, 0, data.FieldService},
		{"active on appointments", free, ExportRequest{Dataset: DatasetAppointments, Format: FormatCSV, Active: new(bool)}, 0, data.FieldActive},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.req.Out = dir
			_, err := svc.Export(context.Background(), c.ents, c.req)
			if err == nil {
				t.Fatal("export succeeded")
			}
			var ue *license.UpgradeError
			var he *license.HistoryError
			switch {
			case c.usage != "":
				var ie *data.InputError
				if !errors.Is(err, ErrUsage) || !errors.As(err, &ie) || ie.Field != c.usage {
					t.Fatalf("err %v, want a usage error naming field %s", err, c.usage)
				}
			case errors.As(err, &ue):
				if ue.Required != c.required {
					t.Fatalf("requires %v, want %v (%v)", ue.Required, c.required, err)
				}
			case errors.As(err, &he):
				if he.Required != c.required || !strings.Contains(err.Error(), c.required.String()) {
					t.Fatalf("requires %v, want %v (%v)", he.Required, c.required, err)
				}
			default:
				t.Fatalf("err %v (%T), want a plan refusal", err, err)
			}
			assertEmpty(t, dir)
		})
	}
}

func TestExportDaysClamping(t *testing.T) {
	_, svc := demoStore(t, 300)
	cases := []struct {
		name       string
		ents       license.Entitlements
		req        PeriodRequest
		dataset    string
		from       string
		noticeHas  string
		wantNotice bool
	}{
		{"free 30 days clamped", planEnts(license.Free), PeriodRequest{Days: "30"}, DatasetAppointments, "2026-06-09", "7-day", true},
		{"payments default on free: quiet", planEnts(license.Free), PeriodRequest{}, DatasetPayments, "2026-06-09", "", false},
		{"payments default on enterprise", planEnts(license.Enterprise), PeriodRequest{}, DatasetPayments, "2026-05-17", "", false},
		{"payments 400 days capped at 365", planEnts(license.Internal), PeriodRequest{Days: "400"}, DatasetPayments, "2025-06-16", "365", true},
		{"appointments no dates on free", planEnts(license.Free), PeriodRequest{}, DatasetAppointments, "2026-06-08", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := svc.Export(context.Background(), c.ents, ExportRequest{Dataset: c.dataset, Format: FormatCSV, Period: c.req, Out: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if res.Period.From != c.from {
				t.Errorf("from %s, want %s", res.Period.From, c.from)
			}
			if (res.Notice != nil) != c.wantNotice || res.Notice != nil && !strings.Contains(res.Notice.Limit, c.noticeHas) {
				t.Errorf("notice %+v, want one whose limit mentions %q: %v", res.Notice, c.noticeHas, c.wantNotice)
			}
		})
	}
}

// assertEmpty fails if dir holds any file, temporary ones included.
func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind: %s", e.Name())
	}
}

type failingWriter struct {
	w     io.Writer
	after int
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after -= len(p); f.after < 0 {
		return 0, errors.New("disk full (injected)")
	}
	return f.w.Write(p)
}

// cancelAndFailLeaveNoFile runs an appointments export in format cancelled at its first
// progress and one whose writes fail, and checks each reports its cause and leaves no file;
// splitMinRows is the request's (0: the default split).
func cancelAndFailLeaveNoFile(t *testing.T, svc *Service, ents license.Entitlements, format Format, splitMinRows int64) {
	t.Run("cancel/"+string(format), func(t *testing.T) {
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		calls := 0
		_, err := svc.Export(ctx, ents, ExportRequest{Dataset: DatasetAppointments, Format: format, Out: dir, splitMinRows: splitMinRows,
			Progress: func(done, total int64) { calls++; cancel() }})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v, want context.Canceled", err)
		}
		if calls == 0 {
			t.Fatal("no progress reported")
		}
		assertEmpty(t, dir)
	})
	t.Run("write failure/"+string(format), func(t *testing.T) {
		dir := t.TempDir()
		req := ExportRequest{Dataset: DatasetAppointments, Format: format, Out: dir, splitMinRows: splitMinRows,
			wrap: func(w io.Writer) io.Writer { return &failingWriter{w: w, after: 4000} }}
		_, err := svc.Export(context.Background(), ents, req)
		if err == nil || !strings.Contains(err.Error(), "injected") {
			t.Fatalf("err %v, want the injected failure", err)
		}
		assertEmpty(t, dir)
	})
}

func TestExportCancelAndFailureLeaveNoFile(t *testing.T) {
	_, svc := demoStore(t, 20000)
	ents := planEnts(license.Enterprise)
	for _, format := range Formats() {
		cancelAndFailLeaveNoFile(t, svc, ents, format, 0)
	}
	t.Run("unwritable folder", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(dir, "ro")
		if err := os.Mkdir(target, 0o555); err != nil {
			t.Fatal(err)
		}
		if os.Geteuid() == 0 { // root ignores permissions; /proc refuses new files to everyone
			if runtime.GOOS != "linux" {
				t.Skip("running as root without /proc")
			}
			target = "/proc/self"
		}
		_, err := svc.Export(context.Background(), ents, ExportRequest{Dataset: DatasetCustomers, Format: FormatCSV, Out: target})
		if err == nil || !strings.Contains(err.Error(), "cannot write in") {
			t.Fatalf("err %v, want a refusal naming the folder", err)
		}
		assertEmpty(t, filepath.Join(dir, "ro"))
	})
	t.Run("missing folder", func(t *testing.T) {
		_, err := svc.Export(context.Background(), ents, ExportRequest{Dataset: DatasetCustomers, Format: FormatCSV,
			Out: filepath.Join(t.TempDir(), "nope", "x.csv")})
		if err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Fatalf("err %v", err)
		}
	})
}

func TestExportNeverOverwrites(t *testing.T) {
	_, svc := demoStore(t, 300)
	dir := t.TempDir()
	target := filepath.Join(dir, "mine.csv")
	if err := os.WriteFile(target, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for range 2 {
		res, err := svc.Export(context.Background(), planEnts(license.Free), ExportRequest{Dataset: DatasetServices, Format: FormatCSV, Out: target})
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, filepath.Base(res.Path))
	}
	if got := strings.Join(paths, ","); got != "mine (2).csv,mine (3).csv" {
		t.Errorf("paths %s", got)
	}
	if b, _ := os.ReadFile(target); string(b) != "precious" {
		t.Error("existing file was overwritten")
	}
	// Default names in a folder get numbered too when two exports share a second.
	a, _ := svc.Export(context.Background(), planEnts(license.Free), ExportRequest{Dataset: DatasetServices, Format: FormatCSV, Out: dir})
	b, _ := svc.Export(context.Background(), planEnts(license.Free), ExportRequest{Dataset: DatasetServices, Format: FormatCSV, Out: dir})
	if a.Path == b.Path || !strings.HasSuffix(b.Path, "(2).csv") {
		t.Errorf("second export %s, first %s", b.Path, a.Path)
	}
}

func TestExportProgressCountsEveryRow(t *testing.T) {
	_, svc := demoStore(t, 10000)
	var last, total int64
	res, err := svc.Export(context.Background(), planEnts(license.Internal), ExportRequest{Dataset: DatasetAppointments, Format: FormatJSON, Out: t.TempDir(),
		Progress: func(done, tot int64) { last, total = done, tot }})
	if err != nil {
		t.Fatal(err)
	}
	if last != res.Rows || total != res.Rows || res.Rows != 10000 {
		t.Errorf("progress ended at %d of %d; rows %d", last, total, res.Rows)
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "ctl\x00\x1f\n\r\t", "é€😀", "bad\xffutf8", "line\u2028sep", "<b>&"} {
		got := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q encoded as invalid JSON %s: %v", s, got, err)
		}
		if want := viaEncodingJSON(t, s); back != want {
			t.Errorf("%q round-tripped to %q", s, back)
		}
	}
}

// viaEncodingJSON is what encoding/json makes of s (each invalid byte becomes U+FFFD).
func viaEncodingJSON(t *testing.T, s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back string
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\x00", "\xff", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var back string
		if err := json.Unmarshal(appendJSONString(nil, s), &back); err != nil || back != viaEncodingJSON(t, s) {
			t.Fatalf("%q: %q, %v", s, back, err)
		}
	})
}

// TestZoneClockMatchesTimeFormat checks the cached-offset formatter against time.Format over
// many zones, DST changes, pre-1970 instants and far dates, in random and sorted order.
func TestZoneClockMatchesTimeFormat(t *testing.T) {
	zones := []string{"UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata",
		"Pacific/Chatham", "America/Sao_Paulo", "Pacific/Kiritimati", "America/St_Johns"}
	for _, name := range zones {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		z := newZoneClock(loc)
		check := func(u int64) {
			want := time.Unix(u, 0).In(loc).Format(time.RFC3339)
			if got := string(z.appendRFC3339(nil, u)); got != want {
				t.Fatalf("%s %d: %s, want %s", name, u, got, want)
			}
		}
		for u := int64(-2_000_000_000); u < 4_000_000_000; u += 9_876_543 {
			check(u)
		}
		seed := uint64(42)
		for range 20000 {
			seed = seed*6364136223846793005 + 1442695040888963407
			check(int64(seed>>34) - 1<<28) // about ±8.5 years around 1970 and beyond, unordered
			check(1_700_000_000 + int64(seed>>40))
		}
		// An appointment's start, end and booking, row after row: two days alternate (the
		// clock keeps the texts of two), across the DST changes of two years.
		for u := int64(1_700_000_000); u < 1_700_000_000+2*365*86400; u += 2 * 3571 {
			seed = seed*6364136223846793005 + 1442695040888963407
			check(u)
			check(u + 1800)
			check(u - 3600*int64(seed>>54))
		}
	}
}

func TestTimeSerialMatchesExcelize(t *testing.T) {
	loc, _ := time.LoadLocation("Australia/Lord_Howe") // half-hour DST shifts
	z := newZoneClock(loc)
	for u := int64(1_700_000_000); u < 1_800_000_000; u += 7_777_777 {
		wall := time.Unix(u, 0).In(loc)
		got, err := excelize.ExcelDateToTime(z.serial(u), false)
		if err != nil {
			t.Fatal(err)
		}
		if want := wall.Format("2006-01-02 15:04:05"); got.Round(time.Second).Format("2006-01-02 15:04:05") != want {
			t.Errorf("%d: serial shows %v, want %s", u, got, want)
		}
	}
	if s, _ := dateSerial("1970-01-01"); s != 25569 {
		t.Errorf("1970-01-01 serial %v", s)
	}
}

func TestStalePartsAreSwept(t *testing.T) {
	dir := t.TempDir()
	// A part file of a process that cannot exist (pid far above pid_max) and one of this process.
	dead := filepath.Join(dir, ".appointments_x.csv.almanac-99999999-123.part")
	live := filepath.Join(dir, fmt.Sprintf(".customers_x.csv.almanac-%d-456.part", os.Getpid()))
	other := filepath.Join(dir, ".notes.part")
	for _, f := range []string{dead, live, other} {
		if err := os.WriteFile(f, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sweepStaleParts(dir)
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Error("a dead process's part file was kept")
	}
	for _, f := range []string{live, other} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s was removed", filepath.Base(f))
		}
	}
}

// TestXLSXZipStepStopsWhenCancelled: the workbook is compressed in one excelize call at the
// end of an XLSX export; with Almanac's zip writer that call fails with the context's error
// once it is cancelled, instead of running to the end. The zip goes straight to the output,
// never to excelize's buffer.
func TestXLSXZipStepStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	write := func(f *excelize.File, w io.Writer) error {
		f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return newDirectZip(ctx, w) })
		return f.Write(io.Discard) // excelize's own buffer, which must stay empty
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetCellValue("Sheet1", "A1", "kept"); err != nil {
		t.Fatal(err)
	}
	var whole bytes.Buffer
	if err := write(f, &whole); err != nil || whole.Len() == 0 {
		t.Fatalf("before cancel: %v, %d bytes", err, whole.Len())
	}
	if _, err := excelize.OpenReader(bytes.NewReader(whole.Bytes())); err != nil {
		t.Fatalf("the zip writer made an unreadable workbook: %v", err)
	}
	cancel()
	if err := write(f, &bytes.Buffer{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("after cancel: %v, want context.Canceled", err)
	}
	// Cancelled midway through an entry, writes fail too.
	ctx2, cancel2 := context.WithCancel(context.Background())
	z := newDirectZip(ctx2, &bytes.Buffer{})
	w, err := z.Create("xl/big.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("<a/>")); err != nil {
		t.Fatal(err)
	}
	cancel2()
	if _, err := w.Write([]byte("<b/>")); !errors.Is(err, context.Canceled) {
		t.Fatalf("write after cancel: %v", err)
	}
}
