package reports

import (
	"archive/zip"
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/almanac-app/almanac/license"
)

var updateExportGolden = flag.Bool("update-exports", false, "rewrite the golden export files under testdata/export")

// goldenCase is one export whose bytes are pinned under testdata/export/NAME.EXT, in every format.
type goldenCase struct {
	name string
	svc  *Service
	req  ExportRequest
}

func goldenCases(t *testing.T) []goldenCase {
	_, demo := demoStore(t, 400)
	_, crafted := craftedStore(t)
	hostile := hostileTextStore(t)
	cx := openCustomersFixture(t)
	no, yes := false, true
	cases := []goldenCase{
		{"demo_appointments_q1_completed_service2", demo, ExportRequest{Dataset: DatasetAppointments,
			Period: PeriodRequest{From: "2026-01-01", To: "2026-03-31"}, Status: "completed", ServiceID: 2}},
		{"demo_appointments_resource2", demo, ExportRequest{Dataset: DatasetAppointments, ResourceID: 2}},
		{"demo_appointments_service2_resource1", demo, ExportRequest{Dataset: DatasetAppointments, ServiceID: 2, ResourceID: 1}},
		{"demo_appointments_30_days_split", demo, ExportRequest{Dataset: DatasetAppointments, Period: PeriodRequest{Days: "30"}, sheetRows: 8}},
		{"demo_appointments_split", demo, ExportRequest{Dataset: DatasetAppointments, sheetRows: 150}},
		{"demo_customers_inactive", demo, ExportRequest{Dataset: DatasetCustomers, Status: "inactive"}},
		{"demo_resources_inactive", demo, ExportRequest{Dataset: DatasetResources, Active: &no}},
		{"demo_services_active", demo, ExportRequest{Dataset: DatasetServices, Active: &yes}},
		{"demo_payments_refunded_365", demo, ExportRequest{Dataset: DatasetPayments, Status: "refunded", Period: PeriodRequest{Days: "365"}}},
		{"demo_payments_excel", demo, ExportRequest{Dataset: DatasetPayments, Excel: true}},
		{"demo_subscriptions_canceled", demo, ExportRequest{Dataset: DatasetSubscriptions, Status: "canceled"}},
		{"crafted_payments", crafted, ExportRequest{Dataset: DatasetPayments, Period: PeriodRequest{From: "2026-01-01"}}},
		{"hostile_customers", hostile, ExportRequest{Dataset: DatasetCustomers}},
		{"hostile_payments", hostile, ExportRequest{Dataset: DatasetPayments}},
		{"hostile_subscriptions_empty", hostile, ExportRequest{Dataset: DatasetSubscriptions}},
		// The customers fixture's lapsed list (customers_test.go): Ivy and Eve after 90 days, Jay too after 89.
		{"cx_lapsed_customers", cx, ExportRequest{Dataset: DatasetLapsedCustomers}},
		{"cx_lapsed_customers_89_days", cx, ExportRequest{Dataset: DatasetLapsedCustomers, LapsedDays: 89}},
	}
	for _, ds := range DatasetNames() {
		cases = append(cases, goldenCase{"demo_" + ds, demo, ExportRequest{Dataset: ds}})
		if ds != DatasetPayments && ds != DatasetSubscriptions {
			cases = append(cases, goldenCase{"crafted_" + ds, crafted, ExportRequest{Dataset: ds}})
		}
	}
	return cases
}

// TestExportGoldenBytes exports every dataset in every format from fixed fixtures (a small demo
// tenant, the crafted tenant with hostile text and daylight-saving instants, the tenant with
// control characters) and compares the files byte for byte with the ones under testdata/export,
// which were written by the export engine before its queries moved into the store (an XLSX file
// part by part: excelize writes a workbook's parts in map order, so their order in the zip varies
// from run to run of the same code). Each file is written twice: with the names preloaded and
// with them joined per row, which must not differ.
// Run with -update-exports to rewrite them after a deliberate change of the output.
func TestExportGoldenBytes(t *testing.T) {
	ents := planEnts(license.Internal)
	dir := filepath.Join("testdata", "export")
	if *updateExportGolden {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range goldenCases(t) {
		for _, format := range Formats() {
			name := c.name + "." + string(format)
			t.Run(name, func(t *testing.T) {
				want, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil && !*updateExportGolden {
					t.Fatal(err)
				}
				for _, limit := range []int{0, -1} {
					req := c.req
					req.Format, req.Out, req.namesLimit = format, t.TempDir(), limit
					got := exportedBytes(t, c.svc, ents, req)
					if *updateExportGolden && limit == 0 {
						if err := os.WriteFile(filepath.Join(dir, name), got, 0o644); err != nil {
							t.Fatal(err)
						}
						want = got
						continue
					}
					g, w := got, want
					if format == FormatXLSX {
						g, w = zipParts(t, got), zipParts(t, want)
					}
					if !bytes.Equal(g, w) {
						t.Errorf("names limit %d: %d bytes differ from the golden %d bytes at byte %d", limit, len(g), len(w), firstDiff(g, w))
					}
				}
			})
		}
	}
}

// zipParts is a zip's parts in name order, each its name, header fields and uncompressed bytes.
func zipParts(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	files := append([]*zip.File(nil), zr.File...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	var out bytes.Buffer
	for _, f := range files {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		part, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out.WriteString(f.Name + "\n")
		out.WriteString(f.Modified.String() + " " + f.Comment + "\n")
		out.Write(part)
	}
	return out.Bytes()
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
