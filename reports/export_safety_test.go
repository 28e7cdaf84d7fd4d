package reports

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/almanac-app/almanac/data/store"

	"github.com/xuri/excelize/v2"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

var neutralizeCases = []struct {
	in   string
	want bool // gets an apostrophe
}{
	{"", false},
	{"Ava", false},
	{"+1 555-123-4567", false},
	{"+44 (20) 7946.0000", false},
	{"-5", false},
	{"-1,250.00", false},
	{"  +1 555 0100", false},
	{"555-0100", false},
	{"=1+1", true},
	{"=HYPERLINK(\"http://x\",\"y\")", true},
	{"+1 555 0100 ext. 2", true}, // letters: no longer only digits and signs
	{"-Room", true},
	{"@SUM(A1)", true},
	{"@mail", true},
	{"\tTab", true},
	{"\rCR", true},
	{"\t5", true}, // a tab is not one of the safe characters
	{"  =cmd|' /C calc'!A0", true},
	{"\u00a0=1+1", true},
	{"\u200b=1+1", true},
	{"\ufeff@SUM(A1)", true},
	{"\u200b+1 555", true}, // an invisible character is not a safe one
	{"＝1+1", true},
	{"＋cmd", true},
	{"－1", true},
	{"＠SUM(A1)", true},
	{"a=1", false},
	{"'=1", false},
	{"+", false},
	{"\xff=1", false}, // invalid UTF-8 is not skipped as invisible
}

func TestNeutralize(t *testing.T) {
	for _, c := range neutralizeCases {
		want := c.in
		if c.want {
			want = "'" + c.in
		}
		if got := neutralize(c.in); got != want {
			t.Errorf("neutralize(%q) = %q, want %q", c.in, got, want)
		}
	}
}

// FuzzNeutralize checks neutralize against the rule written independently (runsAsFormula):
// the output is the input, or the input with one leading apostrophe, exactly when the rule says
// a spreadsheet could run it; and a neutralised cell is never neutralised again.
func FuzzNeutralize(f *testing.F) {
	for _, c := range neutralizeCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := neutralize(s)
		switch {
		case runsAsFormula(s) && got != "'"+s:
			t.Fatalf("neutralize(%q) = %q: a formula got through", s, got)
		case !runsAsFormula(s) && got != s:
			t.Fatalf("neutralize(%q) = %q: a harmless cell was changed", s, got)
		case neutralize(got) != got:
			t.Fatalf("neutralize is not idempotent on %q", s)
		}
	})
}

var cleanCases = []struct{ in, want string }{
	{"", ""},
	{"Zoë Müller", "Zoë Müller"},
	{"tab\tand\nline\r\nbreaks", "tab\tand\nline\r\nbreaks"},
	{"nul\x00here", "nulhere"},
	{"\x1b[2J\x1b[HMaple", "[2J[HMaple"},
	{"bell\x07 del\x7f", "bell del"},
	{"c1\u009b31m csi\u0085nel", "c131m csinel"},
	{"bad\xffbyte", "bad\ufffdbyte"},
	{"\u00a0nbsp kept", "\u00a0nbsp kept"},
}

func TestCleanText(t *testing.T) {
	for _, c := range cleanCases {
		if got := cleanText(c.in); got != c.want {
			t.Errorf("cleanText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzCleanText: the output is valid UTF-8 without controls other than tab and line breaks,
// cleaning twice changes nothing, and text that needs no cleaning comes back as it was.
func FuzzCleanText(f *testing.F) {
	for _, c := range cleanCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := cleanText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("cleanText(%q) = %q: invalid UTF-8", s, got)
		}
		for _, r := range got {
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r >= 0x7f && r <= 0x9f {
				t.Fatalf("cleanText(%q) = %q keeps %U", s, got, r)
			}
		}
		if cleanText(got) != got {
			t.Fatalf("cleanText is not idempotent on %q", s)
		}
		if utf8.ValidString(s) && len(got) == len(s) && got != s {
			t.Fatalf("cleanText(%q) = %q changed text of the same length", s, got)
		}
	})
}

func TestExportCSVLinesEndInCRLF(t *testing.T) {
	_, svc := craftedStore(t)
	res, err := svc.Export(context.Background(), planEnts(license.Internal), ExportRequest{Dataset: DatasetCustomers, Format: FormatCSV, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("id,name,email,phone,status,created_at,last_visit_date,active_memberships\r\n")) || !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Fatalf("header or last line does not end in CRLF: %q", b)
	}
	// Every record ends in CRLF; a line break inside a quoted field stays as it was (the
	// crafted names hold a bare LF and a bare CR, which csv.Writer's CRLF mode would drop).
	if got := bytes.Count(b, []byte("\r\n")); got != 8 {
		t.Errorf("%d CRLF line ends, want 8 (header and 7 customers): %q", got, b)
	}
	for _, want := range []string{"\"Zoë \"\"Quote\"\", Jr.\nLine\"", "\"'\rCR\""} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("CSV lacks the field %q as written: %q", want, b)
		}
	}
}

func TestExportOverwrite(t *testing.T) {
	_, svc := demoStore(t, 300)
	ents := planEnts(license.Free)
	dir := t.TempDir()
	target := filepath.Join(dir, "services.csv")
	if err := os.WriteFile(target, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Without Overwrite the result says which name was taken.
	res, err := svc.Export(context.Background(), ents, ExportRequest{Dataset: DatasetServices, Format: FormatCSV, Out: target})
	if err != nil {
		t.Fatal(err)
	}
	if res.Taken != target || res.Path != filepath.Join(dir, "services (2).csv") {
		t.Fatalf("path %s taken %q; want services (2).csv and taken %s", res.Path, res.Taken, target)
	}
	// A failing export with Overwrite leaves the old file as it was.
	_, err = svc.Export(context.Background(), ents, ExportRequest{Dataset: DatasetServices, Format: FormatCSV, Out: target, Overwrite: true,
		wrap: func(w io.Writer) io.Writer { return &failingWriter{w: w, after: 10} }})
	if err == nil {
		t.Fatal("the injected failure did not fail the export")
	}
	if b, _ := os.ReadFile(target); string(b) != "precious" {
		t.Fatalf("a failed overwrite changed the file: %q", b)
	}
	res, err = svc.Export(context.Background(), ents, ExportRequest{Dataset: DatasetServices, Format: FormatCSV, Out: target, Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != target || res.Taken != "" {
		t.Fatalf("path %s taken %q; want %s replaced", res.Path, res.Taken, target)
	}
	if b, _ := os.ReadFile(target); !bytes.HasPrefix(b, []byte("id,name,")) {
		t.Fatalf("the file was not replaced: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("folder holds %d files, want services.csv and services (2).csv", len(entries))
	}
}

func TestCheckOutName(t *testing.T) {
	dir := t.TempDir()
	folderJSON := filepath.Join(dir, "x.json")
	if err := os.Mkdir(folderJSON, 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		out string
		f   Format
		ok  bool
	}{
		{"", FormatCSV, true}, {"services.csv", FormatCSV, true}, {"SERVICES.CSV", FormatCSV, true},
		{"services", FormatCSV, true}, {"services.txt", FormatCSV, true}, {"report.2026-11", FormatJSON, true},
		{folderJSON, FormatCSV, true},
		{"services.json", FormatCSV, false}, {"services.xlsx", FormatJSON, false}, {"dir/services.csv", FormatXLSX, false},
		{"services.xls", FormatXLSX, false}, {"services.tsv", FormatCSV, false},
	}
	for _, c := range cases {
		err := CheckOutName(c.out, c.f)
		var ie *data.InputError
		if c.ok != (err == nil) || err != nil && (!errors.Is(err, ErrUsage) || !errors.As(err, &ie) || ie.Field != data.FieldOut) {
			t.Errorf("CheckOutName(%q, %s) = %v, want ok %v (a usage error naming the out field)", c.out, c.f, err, c.ok)
		}
	}
	_, svc := demoStore(t, 300)
	_, err := svc.Export(context.Background(), planEnts(license.Free), ExportRequest{Dataset: DatasetServices, Format: FormatCSV, Out: filepath.Join(dir, "services.json")})
	if !errors.Is(err, ErrUsage) {
		t.Fatalf("export to services.json as CSV: %v, want a usage error", err)
	}
	assertEmpty(t, folderJSON)
}

// TestExportEmptyXLSX: a dataset with no rows gives a sheet with only its header row. Its table
// spans the header and the one empty row below, which is how Excel itself makes an empty table:
// a table of the header row alone makes Excel repair the workbook and drop the table.
func TestExportEmptyXLSX(t *testing.T) {
	_, svc := craftedStore(t) // no subscriptions
	res, err := svc.Export(context.Background(), planEnts(license.Internal), ExportRequest{Dataset: DatasetSubscriptions, Format: FormatXLSX, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 0 {
		t.Fatalf("%d rows, want 0", res.Rows)
	}
	f, err := excelize.OpenFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Subscriptions")
	if err != nil || len(rows) != 1 || rows[0][0] != "ID" {
		t.Fatalf("rows %q, %v; want the header row alone", rows, err)
	}
	tables, err := f.GetTables("Subscriptions")
	if err != nil || len(tables) != 1 || tables[0].Range != "A1:J2" {
		t.Fatalf("tables %+v, %v; want one over the header and Excel's empty insert row", tables, err)
	}
	about, _ := f.GetRows("About")
	if len(about) < 2 || about[1][0] != "count" || about[1][1] != "0" {
		t.Errorf("About sheet count: %q", about)
	}
}

func TestExportXLSXDocumentProperties(t *testing.T) {
	_, svc := craftedStore(t) // its clock: 2026-11-20 12:00 in New York
	res, err := svc.Export(context.Background(), planEnts(license.Internal), ExportRequest{Dataset: DatasetServices, Format: FormatXLSX, Out: t.TempDir(), AppVersion: "1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if p.Creator != "Almanac" || p.LastModifiedBy != "Almanac" || p.Version != "1.2.3" ||
		p.Created != "2026-11-20T17:00:00Z" || p.Modified != p.Created || !strings.Contains(p.Description, "Almanac 1.2.3") ||
		p.Title != "Services of Crafted" {
		t.Errorf("document properties %+v", p)
	}
	app, err := f.GetAppProps()
	if err != nil || app.Application != "Almanac" {
		t.Errorf("application %+v, %v", app, err)
	}
}

// hostileTextStore is a tenant whose name and rows carry control characters, and whose
// payments carry a currency with a quote (as a store synced before the client checked codes).
func hostileTextStore(t *testing.T) *Service {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	loc, _ := time.LoadLocation("America/New_York")
	stamp := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	err = st.Write(ctx, func(tx *sql.Tx) error {
		if err := store.PutTenant(ctx, tx, data.Tenant{ID: "t", Name: "Evil\x1b[2J\x1b]0;pwned\x07 Spa", TimeZone: "America/New_York", Currency: "USD"}); err != nil {
			return err
		}
		w, err := store.NewWriter(ctx, tx, loc)
		if err != nil {
			return err
		}
		defer w.Close()
		names := []string{"Nul\x00Byte", "Esc\x1b[31mRed", "C1\u009b31mCsi", "Del\x7fete", "Keeps\ttab\nand line"}
		for i, n := range names {
			if err := w.PutCustomer(data.Customer{ID: int64(i + 1), Name: n, Email: "x@example.com", Phone: "+1 555\x00-0100",
				Status: data.CustomerActive, CreatedAt: stamp, UpdatedAt: stamp}); err != nil {
				return err
			}
			paid := stamp
			if err := w.PutPayment(data.Payment{ID: int64(i + 1), CustomerID: int64(i + 1), AmountCents: 1000, Currency: `a"b`,
				Status: data.PaymentSucceeded, CreatedAt: paid, PaidAt: &paid, UpdatedAt: paid}); err != nil {
				return err
			}
		}
		return w.Flush()
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, loc)
	return New(st, func() time.Time { return now })
}

// hasControl reports a C0 control other than tab, LF and CR, DEL or a C1 control in b.
func hasControl(b []byte) bool {
	for _, r := range string(b) {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r >= 0x7f && r <= 0x9f {
			return true
		}
	}
	return false
}

func TestExportDropsControlCharacters(t *testing.T) {
	svc := hostileTextStore(t)
	ents := planEnts(license.Internal)
	for _, format := range []Format{FormatCSV, FormatJSON} {
		res, err := svc.Export(context.Background(), ents, ExportRequest{Dataset: DatasetCustomers, Format: format, Out: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(res.Path)
		// JSON would escape a control character as \u00XX; the text must not hold one at all.
		if hasControl(b) || bytes.Contains(b, []byte(`\u00`)) {
			t.Errorf("%s export keeps control characters: %q", format, b)
		}
		for _, want := range []string{"NulByte", "Esc[31mRed", "C131mCsi", "Delete", "+1 555-0100"} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("%s export lacks %q: %q", format, want, b)
			}
		}
		if format == FormatJSON && !bytes.Contains(b, []byte(`"tenant_name":"Evil[2J]0;pwned Spa"`)) {
			t.Errorf("JSON metadata tenant name not cleaned: %q", b)
		}
	}
	res, err := svc.Export(context.Background(), ents, ExportRequest{Dataset: DatasetCustomers, Format: FormatXLSX, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Customers")
	about, _ := f.GetRows("About")
	for _, r := range append(rows, about...) {
		for _, v := range r {
			if hasControl([]byte(v)) {
				t.Errorf("XLSX cell %q keeps a control character", v)
			}
		}
	}
	if len(rows) != 6 || rows[5][1] != "Keeps\ttab\nand line" {
		t.Errorf("XLSX rows %q; want the tab and the line break kept", rows)
	}
}

func TestExportXLSXCurrencyFormatIsSafe(t *testing.T) {
	for _, c := range []struct{ code, symbol string }{{"USD", "$"}, {"NOK", "NOK "}, {`a"b`, ""}, {"€", ""}, {"usd", "$"}} {
		if got, _ := currencyFormat(c.code); got != c.symbol {
			t.Errorf("currencyFormat(%q) symbol %q, want %q", c.code, got, c.symbol)
		}
	}
	svc := hostileTextStore(t)
	res, err := svc.Export(context.Background(), planEnts(license.Internal), ExportRequest{Dataset: DatasetPayments, Format: FormatXLSX, Out: t.TempDir(),
		Period: PeriodRequest{From: "2026-10-01"}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	id, _ := f.GetCellStyle("Payments", "D2")
	st, err := f.GetStyle(id)
	if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "#,##0.00" {
		t.Fatalf("amount format %+v, %v; want #,##0.00 with no pasted code", st, err)
	}
}

// FuzzCSVNeedsQuotes checks the quoting rule's fast byte loop against encoding/csv's rule
// written out as that package writes it (delimiter, quote, CR or LF anywhere, a leading
// space by unicode.IsSpace, or the field `\.`).
func FuzzCSVNeedsQuotes(f *testing.F) {
	for _, s := range []string{"", " lead", "\u00a0nbsp", "\u2003em", "a,b", `say "hi"`, "cr\r", "lf\n", `\.`, "plain", "\x85nel", "\tTab", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, _ := utf8.DecodeRuneInString(s)
		want := s != "" && (s == `\.` || strings.ContainsAny(s, ",\"\r\n") || unicode.IsSpace(r))
		if got := csvNeedsQuotes(s); got != want {
			t.Fatalf("csvNeedsQuotes(%q) = %v, want %v", s, got, want)
		}
	})
}
