package ui

import (
	"context"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
)

// fakeReports is a Reports made of funcs; a nil func answers the zero value and no error.
type fakeReports struct {
	tenant       func(ctx context.Context) (data.Tenant, error)
	dashboard    func(ctx context.Context, ents license.Entitlements) (reports.Dashboard, error)
	appointments func(ctx context.Context, ents license.Entitlements, q reports.AppointmentQuery) (reports.GatedAppointments, error)
	revenue      func(ctx context.Context, ents license.Entitlements, q reports.RevenueQuery) (reports.RevenueAnalytics, error)
	catalog      func(ctx context.Context) (reports.Catalog, error)
	export       func(ctx context.Context, ents license.Entitlements, req reports.ExportRequest) (reports.ExportResult, error)
	staff        func(ctx context.Context, ents license.Entitlements, q reports.StaffQuery) (reports.StaffReport, error)
	saveDocument func(ctx context.Context, ents license.Entitlements, req reports.DocumentRequest, f reports.DocFormat, path string, overwrite bool) (string, error)
}

var _ Reports = fakeReports{}

func (f fakeReports) Tenant(ctx context.Context) (data.Tenant, error) {
	if f.tenant == nil {
		return data.Tenant{}, nil
	}
	return f.tenant(ctx)
}

func (f fakeReports) Dashboard(ctx context.Context, ents license.Entitlements) (reports.Dashboard, error) {
	if f.dashboard == nil {
		return reports.Dashboard{}, nil
	}
	return f.dashboard(ctx, ents)
}

func (f fakeReports) Appointments(ctx context.Context, ents license.Entitlements, q reports.AppointmentQuery) (reports.GatedAppointments, error) {
	if f.appointments == nil {
		return reports.GatedAppointments{}, nil
	}
	return f.appointments(ctx, ents, q)
}

func (f fakeReports) Revenue(ctx context.Context, ents license.Entitlements, q reports.RevenueQuery) (reports.RevenueAnalytics, error) {
	if f.revenue == nil {
		return reports.RevenueAnalytics{}, nil
	}
	return f.revenue(ctx, ents, q)
}

func (f fakeReports) Catalog(ctx context.Context) (reports.Catalog, error) {
	if f.catalog == nil {
		return reports.Catalog{}, nil
	}
	return f.catalog(ctx)
}

func (f fakeReports) Export(ctx context.Context, ents license.Entitlements, req reports.ExportRequest) (reports.ExportResult, error) {
	if f.export == nil {
		return reports.ExportResult{}, nil
	}
	return f.export(ctx, ents, req)
}

func (f fakeReports) SaveDocument(ctx context.Context, ents license.Entitlements, req reports.DocumentRequest, fm reports.DocFormat, path string, overwrite bool) (string, error) {
	if f.saveDocument == nil {
		return path, nil
	}
	return f.saveDocument(ctx, ents, req, fm, path, overwrite)
}

// tenantOnly is a fakeReports that answers t and leaves every report at its zero value.
func tenantOnly(t data.Tenant) fakeReports {
	return fakeReports{tenant: func(context.Context) (data.Tenant, error) { return t, nil }}
}

// current reports whether the shell shows its latest load of the tenant and license (and,
// on the Sync screen, of the saved settings): what a test waits for after Refresh.
func current(s *Shell) func() bool {
	return func() bool {
		return s.loaded && s.shown == s.loadSeq && (s.syncView == nil || s.syncView.shownSeq == s.syncView.loadSeq)
	}
}

func (f fakeReports) Staff(ctx context.Context, ents license.Entitlements, q reports.StaffQuery) (reports.StaffReport, error) {
	if f.staff == nil {
		return reports.StaffReport{}, nil
	}
	return f.staff(ctx, ents, q)
}
