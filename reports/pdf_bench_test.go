package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/almanac-app/almanac/license"
)

// BenchmarkReportPDF365Days times a 365-day appointments PDF over the bench tenant (1,000,000
// appointments, see analytics_bench_test.go): the report computed and rendered, beside the same
// report computed and marshalled as JSON. It reports ms/pdf and ms/json (medians of 5 warm
// runs) and the PDF's size; the goal is under 1 s for the PDF. With ALMANAC_PDF_OUT=DIR it
// also writes that PDF, a 30-day appointments PDF and the dashboard PDF there, to look at.
func BenchmarkReportPDF365Days(b *testing.B) {
	s, _ := benchStore(b)
	ctx := context.Background()
	e := license.EntitlementsFor(license.Payload{Plan: license.Enterprise}, true)
	w := e.Window(Today(s.now(), mustLoc("America/New_York")))
	p, _ := benchPeriod(365)
	q := AppointmentQuery{Period: p, Window: w}
	pdf := func(out io.Writer) error {
		g, err := s.Appointments(ctx, e, q)
		if err != nil {
			return err
		}
		return WritePDF(out, Document{Provenance: benchProvenance("Appointments"), Appointments: &g})
	}
	jsn := func() error {
		g, err := s.Appointments(ctx, e, q)
		if err != nil {
			return err
		}
		_, err = json.Marshal(g)
		return err
	}
	var buf bytes.Buffer
	if err := pdf(&buf); err != nil { // warm
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		buf.Reset()
		if err := pdf(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var ps, js []time.Duration
	for range 5 {
		t := time.Now()
		buf.Reset()
		if err := pdf(&buf); err != nil {
			b.Fatal(err)
		}
		ps = append(ps, time.Since(t))
		t = time.Now()
		if err := jsn(); err != nil {
			b.Fatal(err)
		}
		js = append(js, time.Since(t))
	}
	b.ReportMetric(ms(median(ps)), "ms/pdf")
	b.ReportMetric(ms(median(js)), "ms/json")
	b.ReportMetric(float64(buf.Len())/1024, "KiB/pdf")
	b.ReportMetric(float64(benchN), "appointments")
	if median(ps) > time.Second && benchN >= 1_000_000 {
		b.Errorf("goal missed: a 365-day appointments PDF took %.0f ms (goal < 1,000)", ms(median(ps)))
	}
	if dir := os.Getenv("ALMANAC_PDF_OUT"); dir != "" {
		benchWriteSamples(b, s, dir, buf.Bytes(), e, w)
	}
}

func benchProvenance(report string) Provenance {
	return Provenance{
		Business: "Demo Wellness Studio", Report: report, TimeZone: "America/New_York",
		DataAsOf: "Demo data", Plan: "ENTERPRISE", Version: "dev", Generated: "Jun 15, 2026 12:00 PM EDT",
		Definitions: []Definition{
			{Metric: "Appointments", Text: "Appointments whose start falls on a day of the period (tenant's local dates), every status unless filtered."},
			{Metric: "Booking trend", Text: "This period's total against the same number of days just before it; blank when that period is empty or outside the history window."},
			{Metric: "Cancellation rate", Text: "Cancelled ÷ total × 100."},
			{Metric: "No-show rate", Text: "No-shows ÷ total × 100."},
		},
	}
}

// benchWriteSamples writes the PDFs the docs show.
func benchWriteSamples(b *testing.B, s *Service, dir string, year []byte, e license.Entitlements, w license.Window) {
	ctx := context.Background()
	write := func(name string, d Document) {
		var buf bytes.Buffer
		if err := WritePDF(&buf, d); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "appointments-365.pdf"), year, 0o644); err != nil {
		b.Fatal(err)
	}
	p, _ := benchPeriod(30)
	g, err := s.Appointments(ctx, e, AppointmentQuery{Period: p, Window: w})
	if err != nil {
		b.Fatal(err)
	}
	pv := benchProvenance("Appointments")
	pv.Period = isoRange(p.From, p.To) + " (30 days)"
	write("appointments-30.pdf", Document{Provenance: pv, Appointments: &g})
	db, err := s.Dashboard(ctx, e)
	if err != nil {
		b.Fatal(err)
	}
	dp := benchProvenance("Dashboard")
	dp.Definitions = []Definition{
		{Metric: "Appointments this month", Text: "Every appointment whose start falls in this calendar month (tenant's time zone), future ones and every status included."},
		{Metric: "Upcoming appointments", Text: "Scheduled or confirmed appointments that start after now."},
		{Metric: "Average duration", Text: "Mean scheduled length (end − start) of the appointments that have started."},
		{Metric: "Peak booking day", Text: "The weekday with the most appointments that have started, by local start date."},
		{Metric: "Peak booking hour", Text: "The local hour of day in which the most appointments that have started began."},
	}
	write("dashboard.pdf", Document{Provenance: dp, Dashboard: &db})
	r, err := s.Revenue(ctx, e, RevenueQuery{Period: p})
	if err != nil {
		b.Fatal(err)
	}
	pv.Report = "Revenue"
	write("revenue-30.pdf", Document{Provenance: pv, Revenue: &r})
}
