// Package jobs is Almanac's scheduled jobs: a dataset export or a report document written into
// a folder on a schedule in the tenant's zone (docs/jobs.md). It holds the schedule maths, the
// jobs file, the run log and the last results in the home, and the runner; the front ends (the
// command line, the Schedules screen) word its errors and the operating system's scheduler
// calls `almanac jobs run --due`.
package jobs

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
)

// Kind is what a job produces.
type Kind string

// The kinds of job.
const (
	KindExport Kind = "export" // a dataset export (reports.Service.Export)
	KindReport Kind = "report" // a report document (reports.Service.SaveDocument)
)

// Job is one scheduled job as kept in the jobs file.
type Job struct {
	ID     string `json:"id"`
	Tenant string `json:"tenant"`
	Kind   Kind   `json:"kind"`

	// Export: the dataset, its format and filters.
	Dataset    string         `json:"dataset,omitempty"`
	Format     reports.Format `json:"format,omitempty"`
	Status     string         `json:"status,omitempty"`
	ServiceID  int64          `json:"service_id,omitempty"`
	ResourceID int64          `json:"resource_id,omitempty"`
	Active     *bool          `json:"active,omitempty"`
	LapsedDays int            `json:"lapsed_days,omitempty"`
	Excel      bool           `json:"excel,omitempty"`

	// Report: which report, as which document.
	Report    reports.Report    `json:"report,omitempty"`
	DocFormat reports.DocFormat `json:"doc_format,omitempty"`
	Paper     reports.Paper     `json:"paper,omitempty"`

	// Period is a reports period name (last-week, last-month, ytd, last-7d…) resolved at each
	// run in the tenant's zone; "" for the whole window (exports) or the report's default.
	Period string `json:"period,omitempty"`

	Folder    string   `json:"folder"`         // absolute
	Name      string   `json:"name,omitempty"` // file-name pattern; "" means DefaultNamePattern
	SyncFirst bool     `json:"sync_first,omitempty"`
	Schedule  Schedule `json:"schedule"`

	Created time.Time `json:"created"`
	// Since is the baseline of Due: scheduled times at or before it are not owed. It is set
	// when the job is created, rescheduled or resumed, so none of those catches up at once.
	Since time.Time `json:"since"`

	Paused       bool   `json:"paused,omitempty"`
	PausedReason string `json:"paused_reason,omitempty"`
}

// DefaultNamePattern is the file name of a job that gives none; the extension is added.
const DefaultNamePattern = "{dataset}_{period}_{YYYYMMDD}"

// What is the job's output in a few words, e.g. "appointments as XLSX" or "dashboard as PDF".
func (j Job) What() string {
	if j.Kind == KindReport {
		return fmt.Sprintf("%s report as %s", j.Report, strings.ToUpper(string(j.DocFormat)))
	}
	return fmt.Sprintf("%s as %s", j.Dataset, j.Format.Label())
}

// Extension is the file extension of the job's output, with the dot.
func (j Job) Extension() string {
	if j.Kind == KindReport {
		return "." + string(j.DocFormat)
	}
	return "." + string(j.Format)
}

// subject is the {dataset} placeholder: the dataset, or the report's name.
func (j Job) subject() string {
	if j.Kind == KindReport {
		return string(j.Report)
	}
	return j.Dataset
}

// reportKinds are the reports a job can save as a document.
var reportKinds = []reports.Report{reports.ReportDashboard, reports.ReportAppointments, reports.ReportRevenue,
	reports.ReportCustomers, reports.ReportStaff}

// ReportKinds lists the reports a job can save, in menu order.
func ReportKinds() []reports.Report { return slices.Clone(reportKinds) }

// Validate checks everything about a job that needs no store: kind, dataset or report and
// format, period, folder (it must exist), name pattern and schedule. Errors are
// *data.InputError (or reports' *reports.UsageError) naming the field.
func (j Job) Validate() error {
	if !data.ValidTenantID(j.Tenant) {
		return &data.InputError{Field: FieldTenant, Value: j.Tenant, Problem: "is not a tenant id", Fix: "give the id 'almanac tenant list' shows"}
	}
	if err := j.validateOutput(); err != nil {
		return err
	}
	if j.Period != "" {
		if _, err := reports.ParsePeriodName(j.Period); err != nil {
			return err
		}
		if j.Kind == KindReport && j.Report == reports.ReportDashboard {
			return &data.InputError{Field: data.FieldPeriod, Value: j.Period, Problem: "does not apply to the dashboard, which covers this month", Fix: "leave the period out"}
		}
	}
	if err := checkFolder(j.Folder); err != nil {
		return err
	}
	if _, err := ParseNamePattern(j.Name); err != nil {
		return err
	}
	return j.Schedule.Validate()
}

func (j Job) validateOutput() error {
	switch j.Kind {
	case KindExport:
		if !slices.Contains(reports.DatasetNames(), j.Dataset) {
			return &data.InputError{Field: data.FieldDataset, Value: j.Dataset, Problem: "is not a dataset", Fix: "use one of " + strings.Join(reports.DatasetNames(), ", ")}
		}
		if err := reports.CheckExportRequest(j.exportRequest("", "")); err != nil {
			return err
		}
	case KindReport:
		if !slices.Contains(reportKinds, j.Report) {
			return &data.InputError{Field: FieldReport, Value: string(j.Report), Problem: "is not a report", Fix: "use dashboard, appointments, revenue, customers or resources"}
		}
		if j.DocFormat != reports.DocPDF && j.DocFormat != reports.DocXLSX {
			return &data.InputError{Field: data.FieldFormat, Value: string(j.DocFormat), Problem: "is not a document format", Fix: "use pdf or xlsx"}
		}
		if _, err := reports.ParsePaper(string(j.Paper)); err != nil {
			return err
		}
		if err := j.checkReportFilters(); err != nil {
			return err
		}
	default:
		return &data.InputError{Field: FieldReport, Value: string(j.Kind), Problem: "is neither an export nor a report", Fix: "give a dataset to export or a report to save"}
	}
	return nil
}

// checkFolder refuses a folder that is not absolute or does not exist.
func checkFolder(dir string) error {
	if !filepath.IsAbs(dir) {
		return &data.InputError{Field: FieldFolder, Value: dir, Problem: "is not an absolute path", Fix: "give the folder's full path"}
	}
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return &data.InputError{Field: FieldFolder, Value: dir, Problem: "is not an existing folder", Fix: "create it first or choose another"}
	}
	return nil
}

// checkReportFilters refuses the filters a report does not take, as `almanac report` does.
func (j Job) checkReportFilters() error {
	refuse := func(field, value, takes string) error {
		return &data.InputError{Field: field, Value: value, Problem: "is not a filter of the " + string(j.Report) + " report", Fix: "drop it (" + takes + ")"}
	}
	takes := map[reports.Report]string{
		reports.ReportDashboard:    "the dashboard takes no filters",
		reports.ReportAppointments: "appointments take a status, a service and a resource",
		reports.ReportRevenue:      "revenue takes a service",
		reports.ReportCustomers:    "customers take the lapsed days",
		reports.ReportStaff:        "resources take none",
	}[j.Report]
	statusOK := j.Report == reports.ReportAppointments
	serviceOK := statusOK || j.Report == reports.ReportRevenue
	switch {
	case j.Status != "" && !statusOK:
		return refuse(data.FieldStatus, j.Status, takes)
	case j.Status != "" && !data.AppointmentStatuses().Valid(j.Status):
		return &data.InputError{Field: data.FieldStatus, Value: j.Status, Problem: "is not an appointment status", Fix: "use scheduled, confirmed, completed, cancelled or no_show"}
	case j.ServiceID != 0 && !serviceOK:
		return refuse(data.FieldService, strconv.FormatInt(j.ServiceID, 10), takes)
	case j.ResourceID != 0 && !statusOK:
		return refuse(data.FieldResource, strconv.FormatInt(j.ResourceID, 10), takes)
	case j.LapsedDays != 0 && j.Report != reports.ReportCustomers:
		return refuse(data.FieldLapsedDays, strconv.Itoa(j.LapsedDays), takes)
	case j.Active != nil || j.Excel:
		return &data.InputError{Field: data.FieldActive, Value: "", Problem: "and the CSV byte-order mark are for exports", Fix: "drop them"}
	}
	return nil
}
