package reports

import (
	"strings"

	"github.com/almanac-app/almanac/data"
)

// Report documents (issue 14): the dashboard and the analytics as a PDF to print and as an
// Excel workbook with native charts. Service.Document computes a Document with the same calls
// that `report --json` prints; WritePDF and WriteReportXLSX render it; SaveDocument writes a
// file atomically. This file holds the shapes the three share.

// DocFormat is a report document's file format.
type DocFormat string

// The document formats.
const (
	DocPDF  DocFormat = "pdf"
	DocXLSX DocFormat = "xlsx"
)

// Paper is a PDF's paper size.
type Paper string

// The paper sizes.
const (
	PaperA4     Paper = "a4"
	PaperLetter Paper = "letter"
)

// DefaultPaper is US Letter for a tenant in the Americas (time zone America/*), else A4.
func DefaultPaper(timeZone string) Paper {
	if strings.HasPrefix(timeZone, "America/") {
		return PaperLetter
	}
	return PaperA4
}

// DocumentRequest asks for one report as a document.
type DocumentRequest struct {
	Report       Report           // ReportDashboard, ReportAppointments, ReportRevenue, ReportCustomers or ReportStaff
	Appointments AppointmentQuery // for ReportAppointments
	Revenue      RevenueQuery     // for ReportRevenue
	Customers    CustomerQuery    // for ReportCustomers
	Staff        StaffQuery       // for ReportStaff
	// Compare, for appointments and revenue, adds each headline number over the comparison
	// period and its change, and the comparison's days to the daily chart, drawn dashed (Period
	// comparisons); "" for none.
	Compare CompareMode
	Paper   Paper  // "" means DefaultPaper of the tenant's zone
	Version string // the Almanac version that writes it
}

// Definition is one metric's definition, in docs/metrics.md's words.
type Definition struct {
	Metric string // e.g. "Cancellation rate"
	Text   string
}

// Provenance says what a document is: every document shows it (a PDF's first page and footer,
// a workbook's About sheet).
type Provenance struct {
	Business    string // the tenant's name
	TenantID    string
	Report      string // "Dashboard", "Appointments", "Revenue"
	Period      string // in words, e.g. "Nov 1, 2026 – Nov 30, 2026 (30 days)"; "" for the dashboard
	Filters     string // in words, e.g. "Status: completed; Service: Classic Facial"; "" for none
	TimeZone    string // the tenant's IANA zone
	DataAsOf    string // "Data as of Nov 30, 2026 14:05 (last sync)" or "Demo data"
	Plan        string // the plan the document was made on, e.g. "STARTER"
	Version     string // Almanac's version
	Generated   string // when the document was made, in the tenant's zone
	Definitions []Definition
	// Locked names the sections the plan leaves out and the plan that adds them, e.g.
	// "Cancellation and no-show rates: PROFESSIONAL".
	Locked []string
}

// Document is one report, computed, ready to render. Exactly one of Dashboard, Appointments,
// Revenue, Customers and Staff is set, by Provenance.Report. Comparison is set when the
// appointments or revenue report was asked with a comparison.
type Document struct {
	Provenance
	Tenant    data.Tenant
	Paper     Paper
	Dashboard *Dashboard
	// DashboardDays is the Dashboard's "Last 30 days" section (dashboard_days.go): nil when the
	// plan includes none of it, or in a document made without it.
	DashboardDays *GatedAppointments
	Appointments  *GatedAppointments
	Revenue       *RevenueAnalytics
	Customers     *CustomerInsights
	Staff         *StaffReport
	Comparison    *Comparison         // with DocumentRequest.Compare: the headline numbers compared
	Compared      *DocumentComparison // with DocumentRequest.Compare: the comparison's days
}

// reportsSet is how many of the document's reports are set (a renderable one has exactly one).
func (d Document) reportsSet() int {
	n := 0
	for _, set := range []bool{d.Dashboard != nil, d.Appointments != nil, d.Revenue != nil, d.Customers != nil, d.Staff != nil} {
		if set {
			n++
		}
	}
	return n
}
