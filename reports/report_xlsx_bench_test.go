package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/almanac-app/almanac/license"
)

// BenchmarkReportXLSX365Days writes a 365-day appointments workbook over the bench tenant
// (1,000,000 appointments; see benchStore), the report computed each time as the command
// does, beside the same report's JSON. It reports ms/xlsx and ms/json (medians of 5 warm runs)
// and the workbook's size; the goal is a workbook in under 1 s.
func BenchmarkReportXLSX365Days(b *testing.B) {
	s, _ := benchStore(b)
	e := license.EntitlementsFor(license.Payload{Plan: license.Enterprise}, true)
	w := e.Window(Today(s.now(), mustLoc("America/New_York")))
	p, _ := benchPeriod(365)
	q := AppointmentQuery{Period: p, Window: w}
	ctx := context.Background()
	tenant, err := s.Tenant(ctx)
	if err != nil {
		b.Fatal(err)
	}
	report := func(out io.Writer, asXLSX bool) error {
		g, err := s.Appointments(ctx, e, q)
		if err != nil {
			return err
		}
		if !asXLSX {
			return json.NewEncoder(out).Encode(g)
		}
		d := Document{Provenance: Provenance{Business: tenant.Name, Report: "Appointments", Plan: "ENTERPRISE", TimeZone: tenant.TimeZone},
			Tenant: tenant, Appointments: &g}
		return WriteReportXLSX(out, d)
	}
	var size bytes.Buffer
	if err := report(&size, true); err != nil { // warm, and the size
		b.Fatal(err)
	}
	for b.Loop() {
		if err := report(io.Discard, true); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	timed := func(asXLSX bool) time.Duration {
		var ds []time.Duration
		for range 5 {
			t := time.Now()
			if err := report(io.Discard, asXLSX); err != nil {
				b.Fatal(err)
			}
			ds = append(ds, time.Since(t))
		}
		return median(ds)
	}
	x, j := timed(true), timed(false)
	b.ReportMetric(ms(x), "ms/xlsx")
	b.ReportMetric(ms(j), "ms/json")
	b.ReportMetric(float64(size.Len())/1024, "KB/workbook")
	b.ReportMetric(float64(benchN), "appointments")
	if x > time.Second && benchN >= 1_000_000 {
		b.Errorf("goal missed: the 365-day workbook took %.0f ms (goal < 1000)", ms(x))
	}
}
