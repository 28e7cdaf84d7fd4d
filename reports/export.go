package reports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/store"
	"github.com/almanac-app/almanac/license"
)

// Format is an export file format.
type Format string

// The export formats.
const (
	FormatCSV  Format = "csv"
	FormatJSON Format = "json"
	FormatXLSX Format = "xlsx"
)

// Formats lists every format in menu order.
func Formats() []Format { return []Format{FormatCSV, FormatJSON, FormatXLSX} }

// ParseFormat reads a --format value.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	return "", usageError(data.FieldFormat, s, "is not a format", "use csv, json or xlsx")
}

// Feature is the license feature that gates the format.
func (f Format) Feature() string {
	switch f {
	case FormatJSON:
		return license.FeatureExportJSON
	case FormatXLSX:
		return license.FeatureExportXLSX
	default:
		return license.FeatureExportCSV
	}
}

// Label is the format's name on buttons.
func (f Format) Label() string { return strings.ToUpper(string(f)) }

// PaymentsMaxDays and PaymentsDefaultDays bound a payments export's --days (seed 002).
const (
	PaymentsMaxDays     = 365
	PaymentsDefaultDays = 30
)

// ExportRequest is one export: what, in which format, filtered how, and where to.
type ExportRequest struct {
	Dataset string
	Format  Format
	// Period filters datasets that have dates (appointments by local start date, payments by
	// local created date); the others refuse one.
	Period PeriodRequest
	Status string // a status of the dataset; "" for all
	// ServiceID and ResourceID filter appointments; 0 means any.
	ServiceID, ResourceID int64
	Active                *bool // resources and services; nil for all
	// LapsedDays is lapsed_customers' days without a visit (from 1 to MaxDays); 0 means
	// DefaultLapsedDays. The other datasets refuse it.
	LapsedDays int
	// Excel starts a CSV with a UTF-8 byte-order mark so Excel reads it as UTF-8.
	Excel bool
	// Out is a directory (the file gets the default name) or a file path whose extension, if it
	// names a data format, must be Format's. An existing file is replaced only with Overwrite (by
	// a rename once the new file is complete); otherwise a numbered suffix is added and
	// ExportResult.Taken names the file that was in the way.
	Out        string
	Overwrite  bool
	AppVersion string // written into the metadata
	// Progress, if set, is called from one of the export's goroutines at a time, every few
	// thousand rows, with the number read so far (at most a few batches ahead of the file; half
	// the rows read and half written, for an export sorted through scratch files) and the total
	// the snapshot holds, and once at the end with both equal to the rows written.
	Progress func(done, total int64)

	sheetRows int // rows per XLSX sheet; 0 means Excel's maximum (tests shrink it)
	// splitMinRows overrides splitMinRows when non-zero (negative: never split), splitRanges
	// the number of key ranges (tests).
	splitMinRows int64
	splitRanges  int
	// tableOrderMinRows overrides tableOrderMinRows when non-zero (negative: never) (tests).
	tableOrderMinRows int64
	namesLimit        int                       // overrides maxPreloadNames when non-zero; negative joins names per row (tests)
	wrap              func(io.Writer) io.Writer // wraps the file writer (tests inject failures)
}

// ExportResult says what was written.
type ExportResult struct {
	Path     string   `json:"path"`
	Dataset  string   `json:"dataset"`
	Format   Format   `json:"format"`
	Rows     int64    `json:"rows"`
	Period   Period   `json:"-"`
	Metadata Metadata `json:"-"`
	// Taken is the path asked for when a file already had it, so that Path is a numbered name
	// instead; "" when the export got its name (or replaced the file: Overwrite).
	Taken string `json:"-"`
	// Notice says the days asked for were shortened (clamped to the window or capped); nil
	// when they were not. Front ends word it.
	Notice *DaysNotice `json:"-"`
}

// Metadata describes an export: written as the JSON "metadata" object and the XLSX "About"
// sheet, so a file always says what it holds, from when, and filtered how.
type Metadata struct {
	Dataset           string  `json:"dataset"`
	Count             int64   `json:"count"`
	Filters           Filters `json:"filters"`
	ExportedAt        string  `json:"exported_at"`
	TenantID          string  `json:"tenant_id"`
	TenantName        string  `json:"tenant_name"`
	TimeZone          string  `json:"timezone"`
	Currency          string  `json:"currency"`
	DataAsOf          *string `json:"data_as_of"`          // last sync; null for demo data or never synced
	HistoryWindowDays *int    `json:"history_window_days"` // null when unlimited
	Plan              string  `json:"plan"`
	AppVersion        string  `json:"app_version"`
	Notes             string  `json:"notes"`
}

// Filters are the filters an export applied, as resolved (dates are local dates).
type Filters struct {
	From       string `json:"from,omitempty"`
	To         string `json:"to,omitempty"`
	Days       int    `json:"days,omitempty"`
	DateField  string `json:"date_field,omitempty"`
	Status     string `json:"status,omitempty"`
	ServiceID  int64  `json:"service_id,omitempty"`
	ResourceID int64  `json:"resource_id,omitempty"`
	Active     *bool  `json:"active,omitempty"`
	// LapsedDays and LastVisitBefore, for lapsed_customers: the days without a visit and the
	// local date they give (today minus the days), which a last visit is before.
	LapsedDays      int    `json:"lapsed_days,omitempty"`
	LastVisitBefore string `json:"last_visit_before,omitempty"`
}

// exportNotes states the conventions every file follows; written into its metadata.
const exportNotes = "Times are in the tenant's time zone. Money is in minor units (cents) in CSV and JSON, " +
	"and a currency-formatted amount in XLSX. Dates filter on the local date of the appointment's start " +
	"or the payment's creation."

// Export writes one dataset to a file. It checks the format against the plan (*license.UpgradeError)
// and the dates against the history window (*license.HistoryError); bad values wrap ErrUsage. The
// rows come from one read transaction and stream to a temporary file in the target directory that
// is renamed into place only when complete, so a failed or cancelled export leaves nothing behind.
func (s *Service) Export(ctx context.Context, ents license.Entitlements, req ExportRequest) (ExportResult, error) {
	ds, err := datasetFor(req)
	if err != nil {
		return ExportResult{}, err
	}
	if err := CheckOutName(req.Out, req.Format); err != nil {
		return ExportResult{}, err
	}
	if ds.feature != "" {
		if err := ents.Check(ds.feature); err != nil {
			return ExportResult{}, err
		}
	}
	if err := ents.Check(req.Format.Feature()); err != nil {
		return ExportResult{}, err
	}
	var res ExportResult
	err = s.store.Snapshots(ctx, readersFor(ds, req.Format), func(sns []*store.Snapshot) error {
		t, err := sns[0].Tenant(ctx)
		if err != nil {
			return err
		}
		job, err := s.plan(ents, req, ds, t)
		if err != nil {
			return err
		}
		res, err = job.run(ctx, sns)
		return err
	})
	if err != nil {
		return ExportResult{}, wrapExport(req.Dataset, err)
	}
	return res, nil
}

// wrapExport names the dataset in an error, leaving plan and usage errors as they are (their
// messages are already complete and the command line maps them to exit codes).
func wrapExport(dataset string, err error) error {
	var ue *license.UpgradeError
	var he *license.HistoryError
	if errors.As(err, &ue) || errors.As(err, &he) || errors.Is(err, ErrUsage) ||
		errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("export %s: %w", dataset, err)
}

// exportJob is a validated export ready to run inside the read transaction.
type exportJob struct {
	req    ExportRequest
	ds     *dataset
	tenant data.Tenant
	loc    *time.Location
	now    time.Time
	period Period
	filter store.ExportFilter
	meta   Metadata
	notice *DaysNotice
	typed  *typedRows // a typed dataset's rows, read at the start of run; nil for the others
	// scratchDir is where a table-order export keeps its sort's scratch files: the output's
	// folder, which must have room for the file anyway (export_table_order.go).
	scratchDir   string
	tableOrdered bool // the rows were read in table order and sorted (tests)
	// progressMu serializes a table-order export's progress calls, progressDone the last one.
	progressMu   sync.Mutex
	progressDone int64
}

// plan resolves the period against the window and builds the query and the metadata.
func (s *Service) plan(ents license.Entitlements, req ExportRequest, ds *dataset, t data.Tenant) (*exportJob, error) {
	loc := t.Location()
	now := s.now().In(loc)
	j := &exportJob{req: req, ds: ds, tenant: t, loc: loc, now: now}
	w := ents.Window(Today(now, loc))
	if ds.dateField != "" {
		if err := j.resolvePeriod(w); err != nil {
			return nil, err
		}
	}
	j.filter = j.filterValues().store()
	j.meta = j.metadata(w, ents.Plan())
	return j, nil
}

// resolvePeriod applies the dataset's default and cap, then the history window.
func (j *exportJob) resolvePeriod(w license.Window) error {
	req, defaultDays, notice := j.req.Period, 0, (*DaysNotice)(nil)
	if j.ds.name == DatasetPayments {
		defaultDays = PaymentsDefaultDays
		if req.Days != "" {
			n, err := ParseDays(req.Days)
			if err != nil {
				return err
			}
			if n > PaymentsMaxDays {
				notice = &DaysNotice{Asked: n, Used: PaymentsMaxDays, Limit: fmt.Sprintf("the %d days a payments export covers", PaymentsMaxDays)}
				req.Days = fmt.Sprint(PaymentsMaxDays)
			}
		}
		if n, err := ParsePeriodName(req.Period); err == nil && n.Kind == PeriodLastDays && n.Days > PaymentsMaxDays {
			req.Period = PeriodName{Kind: PeriodLastDays, Days: PaymentsMaxDays}.String()
		}
	}
	p, err := ResolvePeriod(req, w, defaultDays)
	if err != nil {
		return err
	}
	if p.Notice != nil && (j.req.Period.Days != "" || j.req.Period.Period != "") {
		notice = p.Notice // a default that the window shortened is not worth a warning
	}
	j.period, j.notice = p, notice
	return nil
}

func (j *exportJob) filterValues() filterValues {
	return filterValues{
		from: j.period.From, to: j.period.To, status: j.req.Status,
		service: j.req.ServiceID, resource: j.req.ResourceID, active: j.req.Active,
		loc: j.loc,
	}
}

func (j *exportJob) metadata(w license.Window, plan license.Plan) Metadata {
	m := Metadata{
		Dataset:    j.ds.name,
		ExportedAt: j.now.Format(time.RFC3339),
		TenantID:   cleanText(j.tenant.ID), TenantName: cleanText(j.tenant.Name), TimeZone: cleanText(j.tenant.TimeZone),
		Currency: cleanText(j.tenant.Currency),
		Plan:     plan.String(), AppVersion: j.req.AppVersion, Notes: exportNotes,
		Filters: Filters{
			Status: j.req.Status, ServiceID: j.req.ServiceID, ResourceID: j.req.ResourceID, Active: j.req.Active,
		},
	}
	if j.ds.dateField != "" {
		m.Filters.From, m.Filters.To, m.Filters.Days, m.Filters.DateField = j.period.From, j.period.To, j.period.Days, j.ds.dateField
	}
	if j.ds.param == data.FieldLapsedDays {
		m.Filters.LapsedDays = j.lapsedDays()
		m.Filters.LastVisitBefore = lapsedCutoff(j.now, j.loc, m.Filters.LapsedDays)
		m.Notes = lapsedNotes
	}
	if j.tenant.LastSyncAt != nil {
		s := j.tenant.LastSyncAt.In(j.loc).Format(time.RFC3339)
		m.DataAsOf = &s
	}
	if !w.Unlimited {
		d := w.MaxDays
		m.HistoryWindowDays = &d
	}
	return m
}

// run counts the rows, opens the output and streams every row into it. sns see the same
// commit; a large CSV or JSON export reads on all of them at once.
func (j *exportJob) run(ctx context.Context, sns []*store.Snapshot) (ExportResult, error) {
	sn := sns[0]
	if err := j.count(ctx, sn); err != nil {
		return ExportResult{}, err
	}
	out, err := createOutput(j.req.Out, DefaultFileName(j.ds.name, j.req.Format, j.now), j.req.Overwrite)
	if err != nil {
		return ExportResult{}, err
	}
	defer out.discard() // no-op once committed
	j.scratchDir = out.dir
	var w io.Writer = out.buf
	if j.req.wrap != nil {
		w = j.req.wrap(w)
	}
	enc, err := j.newEncoder(ctx, sn, w, out.buf)
	if err != nil {
		return ExportResult{}, err
	}
	defer enc.close()
	if x, ok := enc.(*xlsxEncoder); ok && j.req.wrap == nil {
		x.file = out.tmp // the zip starts at the file's first byte: its ZIP64 patch can seek
	}
	n, err := j.streamAll(ctx, sns, enc, w)
	if err != nil && ctx.Err() != nil {
		return ExportResult{}, ctx.Err() // a cancel that surfaced as a failed write (the XLSX zip step)
	}
	if err != nil {
		return ExportResult{}, err
	}
	path, err := out.commit()
	if err != nil {
		return ExportResult{}, err
	}
	res := ExportResult{Path: path, Dataset: j.ds.name, Format: j.req.Format, Rows: n, Period: j.period,
		Notice: j.notice, Metadata: j.meta}
	if wanted := filepath.Join(out.dir, out.name); wanted != path {
		res.Taken = wanted
	}
	return res, nil
}

// count sets the metadata's row count: a typed dataset's rows are read here, once; the others
// are counted by the store.
func (j *exportJob) count(ctx context.Context, sn *store.Snapshot) error {
	var err error
	if j.ds.typed {
		if j.typed, err = j.readTyped(ctx, sn); err != nil {
			return err
		}
		j.meta.Count = j.typed.len()
		return nil
	}
	j.meta.Count, err = sn.ExportCount(ctx, j.ds.name, j.filter)
	return err
}

// longestText is the longest value of each measured column, for the XLSX widths.
func (j *exportJob) longestText(ctx context.Context, sn *store.Snapshot) (map[string]int, error) {
	if j.typed != nil {
		return j.typed.longest(j.ds.columns), nil
	}
	return sn.LongestText(ctx, j.ds.name)
}

func (j *exportJob) newEncoder(ctx context.Context, sn *store.Snapshot, w io.Writer, flusher interface{ Flush() error }) (encoder, error) {
	cols := j.ds.columns
	switch j.req.Format {
	case FormatJSON:
		return newJSONEncoder(w, flusher, cols, j.meta, j.loc), nil
	case FormatXLSX:
		longest, err := j.longestText(ctx, sn)
		if err != nil {
			return nil, err
		}
		return newXLSXEncoder(ctx, w, flusher, cols, j.meta, j.ds, j.loc, j.req.sheetRows, columnWidths(longest, cols)), nil
	default:
		return newCSVEncoder(w, flusher, cols, j.loc, j.req.Excel), nil
	}
}

// encoder writes one format: begin once, a row per record, end with the row count; close
// releases what it holds either way.
type encoder interface {
	begin() error
	row(cells []cell) error
	end(rows int64) error
	close() error
}

// cell holds one value of a row, as the store's export rows give it.
type cell = store.Cell

// dataExtensions are file extensions that name a data format; an --out ending in one that is
// not the export's format would give a file that its program cannot open.
var dataExtensions = []string{".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".xlsx", ".xlsm", ".xls", ".ods"}

// CheckOutName refuses an output file name whose extension names another format than f
// ("services.json" for a CSV export), wrapping ErrUsage. A folder, a name without an extension
// and one with an unrelated extension are fine.
func CheckOutName(out string, f Format) error {
	ext := strings.ToLower(filepath.Ext(out))
	if ext == "" || ext == "."+string(f) || !containsString(dataExtensions, ext) {
		return nil
	}
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return nil // a folder that happens to be called "x.json"
	}
	return usageError(data.FieldOut, out, fmt.Sprintf("ends in %s but {format} is %s", ext, f), fmt.Sprintf("name the file .%s or choose {format} %s", f, strings.TrimPrefix(ext, ".")))
}

// DefaultFileName is {dataset}_{YYYYMMDD}_{HHMMSS}.{ext}, with now in the tenant's zone.
func DefaultFileName(dataset string, f Format, now time.Time) string {
	return fmt.Sprintf("%s_%s.%s", dataset, now.Format("20060102_150405"), f)
}
