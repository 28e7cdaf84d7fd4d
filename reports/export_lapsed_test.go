package reports

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// exportLapsed exports lapsed_customers as JSON and returns its metadata and records.
func exportLapsed(t *testing.T, s *Service, plan license.Plan, days int) (Metadata, []LapsedCustomer) {
	t.Helper()
	res, err := s.Export(context.Background(), ents(plan), ExportRequest{Dataset: DatasetLapsedCustomers, Format: FormatJSON,
		LapsedDays: days, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Metadata Metadata         `json:"metadata"`
		Records  []LapsedCustomer `json:"records"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	if res.Rows != int64(len(file.Records)) || file.Metadata.Count != res.Rows {
		t.Errorf("rows %d, count %d, %d records", res.Rows, file.Metadata.Count, len(file.Records))
	}
	return file.Metadata, file.Records
}

func lapsedIDs(ls []LapsedCustomer) []int64 {
	ids := []int64{}
	for _, l := range ls {
		ids = append(ids, l.ID)
	}
	return ids
}

// TestLapsedExportHandComputed: the customers fixture (customers_test.go), now 2026-03-10 15:00
// in New York. After 90 days the cutoff is 2025-12-10: Ivy (last visit 12-09; her confirmed
// booking at 14:00 today is already past) and Eve (11-20; lifetime 4000 USD: her EUR payment and
// the refunded one do not count) are lapsed, newest first; Fay is booked next week, Gus is
// inactive, Hal never visited, Jay's last visit is exactly 90 days ago. After 89 days Jay is too.
func TestLapsedExportHandComputed(t *testing.T) {
	s := openCustomersFixture(t)
	meta, got := exportLapsed(t, s, license.Professional, 0)
	want := []LapsedCustomer{
		{9, "Ivy", "Ivy@example.com", "555-0108", "2025-12-09", 1, 0},
		{5, "Eve", "Eve@example.com", "555-0104", "2025-11-20", 2, 4000},
	}
	if !slices.Equal(got, want) {
		t.Errorf("90 days: %+v, want %+v", got, want)
	}
	if meta.Filters.LapsedDays != 90 || meta.Filters.LastVisitBefore != "2025-12-10" || meta.Filters.From != "" || meta.Filters.DateField != "" {
		t.Errorf("filters %+v, want lapsed_days 90 before 2025-12-10 and no dates", meta.Filters)
	}
	if _, got = exportLapsed(t, s, license.Professional, 89); !slices.Equal(lapsedIDs(got), []int64{10, 9, 5}) {
		t.Errorf("89 days: %v, want [10 9 5]", lapsedIDs(got))
	}
	if _, got = exportLapsed(t, s, license.Professional, 365); len(got) != 0 {
		t.Errorf("365 days: %v, want nobody (the oldest last visit is 2025-11-20)", lapsedIDs(got))
	}
}

// TestLapsedExportMatchesReport: the export gives the customers report's lapsed_customers rows,
// on the same store and clock, for several thresholds, on two stores; and PROFESSIONAL's 90-day
// window does not cut either (a threshold past the window still lists customers).
func TestLapsedExportMatchesReport(t *testing.T) {
	_, demo := demoStore(t, 400)
	for name, s := range map[string]*Service{"fixture": openCustomersFixture(t), "demo": demo} {
		nonEmpty := 0
		for _, days := range []int{1, 30, 89, 90, 91, 120, 200, MaxDays} {
			t.Run(name+"/"+strconv.Itoa(days), func(t *testing.T) {
				today := Today(s.now(), s.now().Location())
				q := CustomerQuery{Period: Period{From: today.Format(data.DateLayout), To: today.Format(data.DateLayout)}, LapsedDays: days}
				report, err := s.Customers(context.Background(), ents(license.Professional), q)
				if err != nil {
					t.Fatal(err)
				}
				_, exported := exportLapsed(t, s, license.Professional, days)
				if !slices.Equal(exported, report.LapsedCustomers) {
					t.Errorf("export %v, report %v", lapsedIDs(exported), lapsedIDs(report.LapsedCustomers))
				}
				if len(exported) > 0 {
					nonEmpty++
				}
			})
		}
		if nonEmpty < 3 {
			t.Errorf("%s: only %d thresholds list anyone; the comparison proves little", name, nonEmpty)
		}
	}
}

// TestLapsedExportGated: customer data is "Customer insights" (PROFESSIONAL): a STARTER export
// is refused naming the plan, and no file is written.
func TestLapsedExportGated(t *testing.T) {
	s := openCustomersFixture(t)
	for _, plan := range []license.Plan{license.Free, license.Starter} {
		out := t.TempDir()
		_, err := s.Export(context.Background(), ents(plan), ExportRequest{Dataset: DatasetLapsedCustomers, Format: FormatCSV, Out: out})
		var up *license.UpgradeError
		if !errors.As(err, &up) || up.Feature != license.FeatureCustomerInsights || up.Required != license.Professional {
			t.Errorf("%s: %v, want the Customer insights upgrade error naming PROFESSIONAL", plan, err)
		}
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("%s: a refused export left %d files", plan, len(entries))
		}
	}
	for _, d := range Datasets() {
		if got, want := d.Feature, map[bool]string{true: license.FeatureCustomerInsights}[d.Name == DatasetLapsedCustomers]; got != want {
			t.Errorf("%s: feature %q, want %q", d.Name, got, want)
		}
	}
}

// TestLapsedExportUsage: lapsed_customers takes no dates (the report's lapsed list ignores the
// period too), lapsed days belong to it alone, and out-of-range days are refused.
func TestLapsedExportUsage(t *testing.T) {
	s := openCustomersFixture(t)
	cases := []struct {
		name  string
		req   ExportRequest
		field string
		words string
	}{
		{"from", ExportRequest{Dataset: DatasetLapsedCustomers, Period: PeriodRequest{From: "2026-01-01"}}, data.FieldDataset, "lapsed_days"},
		{"period", ExportRequest{Dataset: DatasetLapsedCustomers, Period: PeriodRequest{Period: "this-month"}}, data.FieldDataset, "has no date filter"},
		{"days on appointments", ExportRequest{Dataset: DatasetAppointments, LapsedDays: 30}, data.FieldLapsedDays, "is not a setting of appointments"},
		{"negative", ExportRequest{Dataset: DatasetLapsedCustomers, LapsedDays: -1}, data.FieldLapsedDays, "is not a number of days"},
		{"too many", ExportRequest{Dataset: DatasetLapsedCustomers, LapsedDays: MaxDays + 1}, data.FieldLapsedDays, "is not a number of days"},
	}
	for _, c := range cases {
		c.req.Format, c.req.Out = FormatCSV, t.TempDir()
		_, err := s.Export(context.Background(), ents(license.Professional), c.req)
		if !errors.Is(err, ErrUsage) || inputFieldOf(err) != c.field || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%s: %v, want a usage error on %s saying %q", c.name, err, c.field, c.words)
		}
	}
}

func inputFieldOf(err error) string {
	var ie *data.InputError
	if errors.As(err, &ie) {
		return ie.Field
	}
	return ""
}

var lapsedDaysCases = []struct {
	in   string
	want int
	ok   bool
}{
	{"", DefaultLapsedDays, true}, {"1", 1, true}, {"90", 90, true}, {"36500", MaxDays, true},
	{"0", 0, false}, {"-5", 0, false}, {"36501", 0, false}, {"1.5", 0, false}, {"ninety", 0, false}, {" 90", 0, false},
}

func TestParseLapsedDays(t *testing.T) {
	for _, c := range lapsedDaysCases {
		got, err := ParseLapsedDays(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseLapsedDays(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
		if err != nil && (!errors.Is(err, ErrUsage) || inputFieldOf(err) != data.FieldLapsedDays) {
			t.Errorf("ParseLapsedDays(%q): %v is not a lapsed-days usage error", c.in, err)
		}
	}
}

// FuzzParseLapsedDays: a value is accepted exactly when it is a whole number from 1 to MaxDays,
// and then it is that number.
func FuzzParseLapsedDays(f *testing.F) {
	for _, c := range lapsedDaysCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseLapsedDays(s)
		n, convErr := strconv.Atoi(s)
		want := s == "" || (convErr == nil && n >= 1 && n <= MaxDays)
		if (err == nil) != want {
			t.Fatalf("ParseLapsedDays(%q): %d, %v", s, got, err)
		}
		if err == nil && s != "" && got != n {
			t.Fatalf("ParseLapsedDays(%q) = %d", s, got)
		}
		if err != nil && strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("a two-line error: %q", err)
		}
	})
}
