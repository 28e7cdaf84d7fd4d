package license

import "slices"

// Feature codes, as used by gates and in license files.
const (
	FeatureDashboard         = "dashboard"
	FeatureAnalyticsCharts   = "analytics_charts"
	FeatureAdvancedAnalytics = "advanced_analytics"
	FeatureRevenueAnalytics  = "revenue_analytics"
	FeatureExportCSV         = "export_csv"
	FeatureExportJSON        = "export_json"
	FeatureExportXLSX        = "export_xlsx"
	FeaturePDFReports        = "pdf_reports"
	FeatureExcelReports      = "excel_reports"
	FeaturePeriodComparisons = "period_comparisons"
	FeatureBusyHours         = "busy_hours"
	FeatureStaffPerformance  = "staff_performance"
	FeatureCustomerInsights  = "customer_insights"
	FeatureScheduledJobs     = "scheduled_jobs"
)

// Feature categories and UI locations; the UI groups and places features by them.
const (
	CategoryAnalytics  = "analytics"
	CategoryExport     = "export"
	CategoryDocument   = "document"   // a report saved as a document (PDF, Excel)
	CategoryAutomation = "automation" // work done on a schedule (scheduled jobs)

	LocationSidebar    = "sidebar"     // a navigation entry of its own
	LocationExportMenu = "export_menu" // a format in the export menu
	LocationReportSave = "report_save" // a "Save as" button on the report screens
)

// Screens the features live on; a screen's sidebar badge is decided by all of its features.
const (
	ScreenDashboard = "dashboard"
	ScreenAnalytics = "analytics"
	ScreenExports   = "exports"
	ScreenSchedules = "schedules"
)

// Feature describes one gated capability. The UI's navigation, lock badges
// and upgrade prompts all read it, so a locked feature can still name itself
// and the plan that unlocks it.
type Feature struct {
	Code        string
	Name        string // display name, used in "Your FREE plan does not include <Name>."
	Description string
	Category    string
	UILocation  string
	// Screen is the screen showing the feature's section; several features may share one,
	// each gating its own part (Analytics: charts on STARTER, rates on PROFESSIONAL).
	Screen  string
	Icon    string // an icon name the UI maps to its theme
	Badge   string // short text on a lock badge, e.g. "Pro"
	MinPlan Plan   // lowest plan that includes it by default
	// VisibleWhenLocked keeps the feature on screen when locked so the user
	// learns it exists and what unlocks it.
	VisibleWhenLocked bool
	Order             int
	// NeedsPayments: the tenant must accept payments too, whatever the plan.
	NeedsPayments bool
}

// registry lists every feature, sorted by Order.
var registry = []Feature{
	{
		Code: FeatureDashboard, Name: "Dashboard",
		Description: "Summary of appointments, resources and services at a glance.",
		Category:    CategoryAnalytics, UILocation: LocationSidebar, Screen: ScreenDashboard, Icon: "home",
		MinPlan: Free, VisibleWhenLocked: true, Order: 10,
	},
	{
		Code: FeatureAnalyticsCharts, Name: "Analytics charts",
		Description: "Appointments by status, service and resource, with a daily breakdown and the booking trend.",
		Category:    CategoryAnalytics, UILocation: LocationSidebar, Screen: ScreenAnalytics, Icon: "chart", Badge: "Starter",
		MinPlan: Starter, VisibleWhenLocked: true, Order: 20,
	},
	{
		Code: FeatureAdvancedAnalytics, Name: "Advanced analytics",
		Description: "Cancellation and no-show rates, peak days and hours, and period comparisons.",
		Category:    CategoryAnalytics, UILocation: LocationSidebar, Screen: ScreenAnalytics, Icon: "analytics", Badge: "Pro",
		MinPlan: Professional, VisibleWhenLocked: true, Order: 30,
	},
	{
		Code: FeatureRevenueAnalytics, Name: "Revenue analytics",
		Description: "Revenue by service and day, transaction count and average value. Needs a tenant that accepts payments.",
		Category:    CategoryAnalytics, UILocation: LocationSidebar, Screen: ScreenAnalytics, Icon: "money", Badge: "Pro",
		MinPlan: Professional, VisibleWhenLocked: true, Order: 40, NeedsPayments: true,
	},
	{
		Code: FeatureBusyHours, Name: "Busy hours",
		Description: "A weekday by hour heatmap of when appointments start, on the Dashboard and the Analytics screen.",
		Category:    CategoryAnalytics, UILocation: LocationSidebar, Screen: ScreenAnalytics, Icon: "chart", Badge: "Starter",
		MinPlan: Starter, VisibleWhenLocked: true, Order: 42,
	},
	{
		Code: FeatureStaffPerformance, Name: "Staff performance",
		Description: "Per resource: appointments, visits, cancellation and no-show rates, booked hours, revenue and share.",
		Category:    CategoryAnalytics, UILocation: LocationSidebar, Screen: ScreenAnalytics, Icon: "analytics", Badge: "Pro",
		MinPlan: Professional, VisibleWhenLocked: true, Order: 44,
	},
	{
		Code: FeatureCustomerInsights, Name: "Customer insights",
		Description: "New, returning and lapsed customers, retention, visits per customer and the top customers by revenue.",
		Category:    CategoryAnalytics, UILocation: LocationSidebar, Screen: ScreenAnalytics, Icon: "account", Badge: "Pro",
		MinPlan: Professional, VisibleWhenLocked: true, Order: 45,
	},
	{
		Code: FeatureExportCSV, Name: "CSV export",
		Description: "Export appointments, customers, resources and services as CSV.",
		Category:    CategoryExport, UILocation: LocationExportMenu, Screen: ScreenExports, Icon: "document",
		MinPlan: Free, VisibleWhenLocked: true, Order: 50,
	},
	{
		Code: FeatureExportJSON, Name: "JSON export",
		Description: "Export as JSON with metadata: row count, filters and export time.",
		Category:    CategoryExport, UILocation: LocationExportMenu, Screen: ScreenExports, Icon: "code", Badge: "Starter",
		MinPlan: Starter, VisibleWhenLocked: true, Order: 60,
	},
	{
		Code: FeatureExportXLSX, Name: "Excel export",
		Description: "Export as Excel workbooks with formatted, filterable tables.",
		Category:    CategoryExport, UILocation: LocationExportMenu, Screen: ScreenExports, Icon: "grid", Badge: "Pro",
		MinPlan: Professional, VisibleWhenLocked: true, Order: 70,
	},
	// The report documents' buttons are on the Dashboard and on every Analytics tab; the
	// registry has one screen per feature, so they are listed under Analytics, the report
	// screen that is gated (the Dashboard's own feature is on every plan).
	{
		Code: FeaturePDFReports, Name: "PDF reports",
		Description: "Save the dashboard and the analytics as a PDF to print or send, with the period, filters and metric definitions.",
		Category:    CategoryDocument, UILocation: LocationReportSave, Screen: ScreenAnalytics, Icon: "document", Badge: "Starter",
		MinPlan: Starter, VisibleWhenLocked: true, Order: 80,
	},
	{
		Code: FeatureExcelReports, Name: "Excel reports",
		Description: "Save the dashboard and the analytics as an Excel workbook with typed cells and native charts.",
		Category:    CategoryDocument, UILocation: LocationReportSave, Screen: ScreenAnalytics, Icon: "grid", Badge: "Pro",
		MinPlan: Professional, VisibleWhenLocked: true, Order: 90,
	},
	{
		Code: FeaturePeriodComparisons, Name: "Period comparisons",
		Description: "Compare a period with the one before it or with the same dates last year: every headline number with its change.",
		Category:    CategoryAnalytics, UILocation: LocationSidebar, Screen: ScreenAnalytics, Icon: "analytics", Badge: "Pro",
		MinPlan: Professional, VisibleWhenLocked: true, Order: 100,
	},
	{
		Code: FeatureScheduledJobs, Name: "Scheduled jobs",
		Description: "Exports and report documents written into a folder on a schedule (daily, weekly, monthly), even when Almanac is closed.",
		Category:    CategoryAutomation, UILocation: LocationSidebar, Screen: ScreenSchedules, Icon: "history", Badge: "Pro",
		MinPlan: Professional, VisibleWhenLocked: true, Order: 110,
	},
}

// Features returns the registry sorted by display order. The slice is a
// copy; changing it changes nothing here.
func Features() []Feature { return slices.Clone(registry) }

// ScreenFeatures lists the features gating a screen's sections, in display order; they decide
// its sidebar badge. The report documents' "Save as" buttons are left out: saving a report
// the screen cannot show opens nothing.
func ScreenFeatures(screen string) []Feature {
	var out []Feature
	for _, f := range registry {
		if f.Screen == screen && f.UILocation != LocationReportSave {
			out = append(out, f)
		}
	}
	return out
}

// FeatureByCode looks a feature up by its code.
func FeatureByCode(code string) (Feature, bool) {
	i := slices.IndexFunc(registry, func(f Feature) bool { return f.Code == code })
	if i < 0 {
		return Feature{}, false
	}
	return registry[i], true
}
