package reports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// The front of the report documents: the gate, the Document a renderer draws (with the same
// calls `report --json` prints) and the atomic save. The renderers are WritePDF and
// WriteReportXLSX; tests put fakes in their place through renderers.

// renderers draw a Document in each format. A seam for tests: the front is tested with fakes,
// each renderer by its own tests.
var renderers = map[DocFormat]func(io.Writer, Document) error{
	DocPDF:  func(w io.Writer, d Document) error { return WritePDF(w, d) },
	DocXLSX: func(w io.Writer, d Document) error { return WriteReportXLSX(w, d) },
}

// Feature is the registry feature a document format needs.
func (f DocFormat) Feature() string {
	if f == DocXLSX {
		return license.FeatureExcelReports
	}
	return license.FeaturePDFReports
}

// Label is the format's name for people: "PDF", "Excel".
func (f DocFormat) Label() string {
	if f == DocXLSX {
		return "Excel"
	}
	return "PDF"
}

// field is the InputError field naming the file of a format.
func (f DocFormat) field() string {
	if f == DocXLSX {
		return data.FieldXLSX
	}
	return data.FieldPDF
}

// ParsePaper reads a paper size: "a4" or "letter" in any case; "" is the default (the
// tenant's zone decides). Anything else is a usage error naming the paper field.
func ParsePaper(s string) (Paper, error) {
	switch p := Paper(strings.ToLower(strings.TrimSpace(s))); p {
	case "", PaperA4, PaperLetter:
		return p, nil
	}
	return "", usageError(data.FieldPaper, s, "is not a paper size", "use a4 or letter")
}

// CheckDocument reports whether ents includes report r as a document in format f: the
// report's own gate first, then the format's feature, each an *license.UpgradeError naming
// the plan that unlocks it.
func CheckDocument(ents license.Entitlements, r Report, f DocFormat) error {
	if f != DocPDF && f != DocXLSX {
		return usageError(data.FieldFormat, string(f), "is not a document format", "use pdf or xlsx")
	}
	return higherRefusal(CheckReport(ents, r), ents.Check(f.Feature()))
}

// higherRefusal is the refusal a user must get past first to reach both: when the plan lacks
// the report and the format, the one naming the higher plan (the plan that unlocks the
// document: Excel reports of appointments on FREE need PROFESSIONAL, not STARTER).
func higherRefusal(report, format error) error {
	var ur, uf *license.UpgradeError
	if errors.As(report, &ur) && errors.As(format, &uf) && uf.Required > ur.Required {
		return format
	}
	if report != nil {
		return report
	}
	return format
}

// Document computes report req.Report with exactly the calls `report --json` uses (Dashboard,
// Appointments, Revenue with ents) and says what it is in its Provenance. It refuses what ents
// does not include as those calls do; the format's gate is SaveDocument's (CheckDocument).
func (s *Service) Document(ctx context.Context, ents license.Entitlements, req DocumentRequest) (Document, error) {
	paper, err := ParsePaper(string(req.Paper))
	if err != nil {
		return Document{}, err
	}
	t, err := s.store.Tenant(ctx)
	if err != nil {
		return Document{}, err
	}
	doc := Document{Tenant: t, Paper: paper}
	if doc.Paper == "" {
		doc.Paper = DefaultPaper(t.TimeZone)
	}
	if err := s.fillReport(ctx, ents, req, &doc); err != nil {
		return Document{}, err
	}
	if err := s.compareDocument(ctx, ents, req, &doc); err != nil {
		return Document{}, err
	}
	doc.Business, doc.TenantID, doc.TimeZone = t.Name, t.ID, t.TimeZone
	doc.DataAsOf = DataAsOf(t)
	doc.Plan, doc.Version = ents.Plan().String(), req.Version
	doc.Generated = license.FormatDateTime(s.now(), t.Location())
	return doc, nil
}

// fillReport computes the report and its words: report name, period, filters, definitions and
// locked sections.
func (s *Service) fillReport(ctx context.Context, ents license.Entitlements, req DocumentRequest, doc *Document) error {
	switch req.Report {
	case ReportDashboard:
		d, err := s.Dashboard(ctx, ents)
		if err != nil {
			return err
		}
		doc.Dashboard, doc.Report = &d, "Dashboard"
		doc.Definitions = definitionsOf(dashboardFields, nil)
		return s.fillDashboardDays(ctx, ents, doc)
	case ReportAppointments:
		g, err := s.Appointments(ctx, ents, req.Appointments)
		if err != nil {
			return err
		}
		doc.Appointments, doc.Report = &g, "Appointments"
		doc.Period = periodWords(g.From, g.To, g.PeriodDays)
		doc.Definitions = definitionsOf(appointmentFields, g.Includes)
		doc.Locked = lockedWords(g.Locked)
		return s.filterWords(ctx, doc, req.Appointments.Filter, nil)
	case ReportRevenue:
		r, err := s.Revenue(ctx, ents, req.Revenue)
		if err != nil {
			return err
		}
		doc.Revenue, doc.Report = &r, "Revenue"
		doc.Period = periodWords(r.From, r.To, r.PeriodDays)
		doc.Definitions = definitionsOf(revenueFields, nil)
		return s.filterWords(ctx, doc, AppointmentFilter{}, &req.Revenue)
	case ReportCustomers:
		c, err := s.Customers(ctx, ents, req.Customers)
		if err != nil {
			return err
		}
		doc.Customers, doc.Report = &c, "Customers"
		doc.Period = periodWords(c.From, c.To, c.PeriodDays)
		doc.Definitions = definitionsOf(customerFields, nil)
	case ReportStaff:
		r, err := s.Staff(ctx, ents, req.Staff)
		if err != nil {
			return err
		}
		doc.Staff, doc.Report = &r, "Staff"
		doc.Period = periodWords(r.From, r.To, r.PeriodDays)
		doc.Definitions = definitionsOf(staffFields, nil)
	default:
		return usageError(data.FieldDataset, string(req.Report), "is not a report", "use dashboard, appointments, revenue, customers or resources")
	}
	return nil
}

// DataAsOf is a document's freshness line: the last sync in the tenant's zone, "Demo data", or
// "Never synced".
func DataAsOf(t data.Tenant) string {
	switch {
	case t.IsDemo:
		return "Demo data"
	case t.LastSyncAt == nil:
		return "Never synced"
	}
	return "Data as of " + license.FormatDateTime(*t.LastSyncAt, t.Location()) + " (last sync)"
}

// periodWords is "Nov 1, 2026 – Nov 30, 2026 (30 days)" in the screens' date style.
func periodWords(from, to string, days int) string {
	unit := "days"
	if days == 1 {
		unit = "day"
	}
	return fmt.Sprintf("%s – %s (%d %s)", license.FormatISODate(from), license.FormatISODate(to), days, unit)
}

// filterWords names the filters given, e.g. "Status: Completed; Service: Classic Facial".
func (s *Service) filterWords(ctx context.Context, doc *Document, f AppointmentFilter, rq *RevenueQuery) error {
	needNames := f.ServiceID != 0 || f.ResourceID != 0 || rq != nil && rq.ServiceID != 0
	var c Catalog
	if needNames {
		var err error
		if c, err = s.Catalog(ctx); err != nil {
			return err
		}
	}
	var parts []string
	if f.Status != "" {
		parts = append(parts, "Status: "+StatusLabel(data.AppointmentStatus(f.Status)))
	}
	if f.ServiceID != 0 {
		parts = append(parts, "Service: "+optionName(c.Services, f.ServiceID))
	}
	if f.ResourceID != 0 {
		parts = append(parts, "Resource: "+optionName(c.Resources, f.ResourceID))
	}
	if rq != nil && rq.filtered() {
		name := NoServiceName
		if rq.ServiceID != 0 {
			name = optionName(c.Services, rq.ServiceID)
		}
		parts = append(parts, "Service: "+name)
	}
	doc.Filters = strings.Join(parts, "; ")
	return nil
}

// optionName is the name of id among opts, with its id so two services of one name differ.
func optionName(opts []Option, id int64) string {
	for _, o := range opts {
		if o.ID == id {
			return fmt.Sprintf("%s (#%d)", o.Name, id)
		}
	}
	return fmt.Sprintf("#%d", id)
}

// sectionNames are the locked sections of the appointments report in words.
var sectionNames = map[string]string{
	license.FeatureAnalyticsCharts:   "Counts by status, service, resource and day, and the booking trend",
	license.FeatureAdvancedAnalytics: "Cancellation and no-show rates",
}

// lockedWords is "Cancellation and no-show rates: PROFESSIONAL" per locked section.
func lockedWords(locked []LockedSection) []string {
	var out []string
	for _, l := range locked {
		name, ok := sectionNames[l.Feature]
		if !ok {
			f, _ := license.FeatureByCode(l.Feature)
			name = f.Name
		}
		out = append(out, name+": "+l.Plan.String())
	}
	return out
}

// SaveDocument writes report req as a document in format f to path and returns the path. It
// refuses before reading anything what ents does not include (CheckDocument), a name already
// taken unless overwrite (then the new file replaces it by a rename once complete), a folder
// that does not exist, and a name that ends in another format's extension. The file is
// written beside its final name, with the user's umask, and renamed into place only when
// complete, so a failed or cancelled save leaves nothing behind.
func (s *Service) SaveDocument(ctx context.Context, ents license.Entitlements, req DocumentRequest, f DocFormat, path string, overwrite bool) (string, error) {
	if err := CheckDocument(ents, req.Report, f); err != nil {
		return "", err
	}
	dir, name, err := documentTarget(path, f, overwrite)
	if err != nil {
		return "", err
	}
	doc, err := s.Document(ctx, ents, req)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return writeDocument(ctx, doc, f, dir, name, overwrite)
}

// documentTarget checks path as the file of an f document: an existing folder, a file name
// ending in the format's extension, not taken unless overwrite.
func documentTarget(path string, f DocFormat, overwrite bool) (dir, name string, err error) {
	if path == "" || strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(os.PathSeparator)) {
		return "", "", usageError(f.field(), path, "is not a file name", "give a file name ending in ."+string(f))
	}
	if ext := strings.ToLower(filepath.Ext(path)); ext != "."+string(f) {
		return "", "", usageError(f.field(), path, "does not end in ."+string(f), "name the file ."+string(f))
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return "", "", usageError(f.field(), path, "is a folder", "give a file name in it")
	}
	dir, name = filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", "", &data.InputError{Field: f.field(), Value: path, Problem: "is in folder " + filepath.Clean(dir) + ", which does not exist", Fix: "create it or choose another folder"}
	}
	if _, err := os.Lstat(path); err == nil && !overwrite {
		return "", "", takenError(f, path)
	}
	return filepath.Clean(dir), name, nil
}

// TakenError is a file name already taken and not to be replaced: an *data.InputError that is
// also fs.ErrExist.
type TakenError struct{ *data.InputError }

// Unwrap makes errors.Is(err, fs.ErrExist) and errors.As(err, **data.InputError) hold.
func (e *TakenError) Unwrap() []error { return []error{fs.ErrExist, e.InputError} }

func takenError(f DocFormat, path string) error {
	return &TakenError{&data.InputError{Field: f.field(), Value: path, Problem: "is already there", Fix: "choose another name, or {overwrite} to replace it"}}
}

// writeDocument renders doc into a temporary file in dir and moves it to name.
func writeDocument(ctx context.Context, doc Document, f DocFormat, dir, name string, overwrite bool) (string, error) {
	o, err := createOutput(dir, name, overwrite)
	if err != nil {
		return "", err
	}
	defer o.discard()
	// ctxWriter (export_xlsx.go) fails the renderer's writes once ctx is cancelled.
	if err := renderers[f](ctxWriter{ctx, o.buf}, doc); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return "", cerr
		}
		return "", fmt.Errorf("save %s %s: %w", strings.ToLower(doc.Report), f.Label(), err)
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if overwrite {
		return o.commit()
	}
	return o.commitNew()
}

// commitNew is commit for a name that must stay free: a file that appeared there meanwhile is
// kept and the save refused, never numbered or replaced.
func (o *exportFile) commitNew() (string, error) {
	for _, step := range []func() error{o.buf.Flush, o.tmp.Sync, o.tmp.Close} {
		if err := step(); err != nil {
			return "", fmt.Errorf("write %s: %w", o.tmp.Name(), unwrapPath(err))
		}
	}
	final := filepath.Join(o.dir, o.name)
	err := linkNoReplace(o.tmp.Name(), final)
	if errors.Is(err, fs.ErrExist) {
		ext := strings.TrimPrefix(filepath.Ext(o.name), ".")
		return "", takenError(DocFormat(strings.ToLower(ext)), final)
	}
	if err != nil {
		return "", fmt.Errorf("save %s: %w", final, unwrapPath(err))
	}
	o.done = true
	os.Remove(o.tmp.Name())
	return final, nil
}
