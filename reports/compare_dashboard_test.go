package reports

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/license"
)

func TestDashboardComparisonPeriod(t *testing.T) {
	loc := time.UTC
	today := time.Date(2026, 12, 15, 0, 0, 0, 0, loc)
	d := Dashboard{Period: DatePeriod{"2026-12-01", "2026-12-31"}}
	if p := d.MonthPeriod(); p.Days != 31 || p.Kind != PeriodThisMonth {
		t.Errorf("month period %+v, want the 31 days of December", p)
	}
	ent := ents(license.Internal) // unlimited: last year is in reach
	w := ent.Window(today)
	for mode, want := range map[CompareMode][2]string{
		ComparePrevious: {"2026-11-01", "2026-11-30"},
		CompareLastYear: {"2025-12-01", "2025-12-31"},
	} {
		p, err := DashboardComparisonPeriod(d, mode, w)
		if err != nil || p.From != want[0] || p.To != want[1] {
			t.Errorf("%s: %+v %v, want %s to %s", mode, p, err, want[0], want[1])
		}
	}
	// A March dashboard compared with February keeps February's 28 days.
	m := Dashboard{Period: DatePeriod{"2027-03-01", "2027-03-31"}}
	if p, err := DashboardComparisonPeriod(m, ComparePrevious, ent.Window(time.Date(2027, 3, 2, 0, 0, 0, 0, loc))); err != nil || p.From != "2027-02-01" || p.To != "2027-02-28" || p.Days != 28 {
		t.Errorf("March previous: %+v %v", p, err)
	}
	// ENTERPRISE's 365 days end at 15 Dec 2025: December 2025 starts before them.
	for _, p := range []license.Plan{license.Professional, license.Enterprise} {
		var he *license.HistoryError
		if _, err := DashboardComparisonPeriod(d, CompareLastYear, ents(p).Window(today)); !errors.As(err, &he) {
			t.Errorf("last year on %s: %v, want the history error", p, err)
		}
	}
}

func TestCompareDashboard(t *testing.T) {
	d := Dashboard{TotalAppointmentsThisMonth: 30, Period: DatePeriod{"2026-12-01", "2026-12-31"}}
	cp := Period{From: "2026-11-01", To: "2026-11-30", Days: 30}
	c := CompareDashboard(ComparePrevious, cp, d, 24)
	if c.Values["total_appointments_this_month"] != 24 || *c.Changes["total_appointments_this_month"] != 25 {
		t.Errorf("values %v changes %v, want 24 and +25%%", c.Values, c.Changes)
	}
	if z := CompareDashboard(ComparePrevious, cp, d, 0); z.Changes["total_appointments_this_month"] != nil {
		t.Errorf("change from 0 = %v, want null", *z.Changes["total_appointments_this_month"])
	}
	b, err := WithComparison(d, c)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Comparison struct {
			Period      ComparedPeriod      `json:"period"`
			Changes     map[string]*float64 `json:"changes"`
			NotCompared []string            `json:"not_compared"`
		} `json:"comparison"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Comparison.Period.StartDate != "2026-11-01" || len(out.Comparison.NotCompared) != len(DashboardNotCompared) {
		t.Errorf("comparison JSON %s", b)
	}
	if !strings.Contains(string(b), `"total_appointments_this_month":25`) {
		t.Errorf("no change in %s", b)
	}
}
