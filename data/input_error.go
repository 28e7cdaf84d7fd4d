package data

import (
	"strconv"
	"strings"
	"unicode"
)

// InputError is a value a caller gave that a library cannot use. It names the field in the
// library's own words ("from", "days", "status"), never a command-line flag or a screen label:
// the command line words it with its flags and the UI with its labels (see FieldFrom...).
type InputError struct {
	Field   string // which input: one of the Field constants
	Value   string // what was given, as given ("" when it was missing)
	Problem string // what is wrong with it, e.g. "is before the start date"
	Fix     string // what to do instead, e.g. "swap the dates"; may be ""
}

// Field names used in InputError.Field.
const (
	FieldDays         = "days"
	FieldFrom         = "from"
	FieldTo           = "to"
	FieldPeriod       = "period"  // the period as a whole (days and dates given together)
	FieldCompare      = "compare" // what a period is compared with
	FieldStatus       = "status"
	FieldService      = "service"
	FieldResource     = "resource"
	FieldActive       = "active"
	FieldFormat       = "format"
	FieldOut          = "out"
	FieldDataset      = "dataset"
	FieldAppointments = "appointments"
	FieldTimeZone     = "timezone"
	FieldCurrency     = "currency"
	FieldServer       = "server"
	FieldToken        = "token"
	FieldHome         = "home"
	FieldTimeout      = "timeout"
	FieldPaper        = "paper"     // a PDF report's paper size
	FieldPDF          = "pdf"       // the file a report is saved to as a PDF
	FieldXLSX         = "xlsx"      // the file a report is saved to as an Excel workbook
	FieldOverwrite    = "overwrite" // the choice to replace a file already there
	FieldTenant       = "tenant"    // the tenant a command acts on
)

// FieldLapsedDays is the days without a visit that make a customer lapsed (the lapsed
// customers' parameter).
const FieldLapsedDays = "lapsed_days"

// Error words the problem without naming any front end's controls.
func (e *InputError) Error() string {
	return e.Words(func(field string) string { return field })
}

// Words is the error worded by a front end: name gives its words for a field (the command
// line a flag, the UI a label). The message is the field's name, the value as given, the
// problem and the fix; a "{field}" in Problem or Fix (e.g. "is before {from} 2026-01-05") is
// another field, named the same way.
func (e *InputError) Words(name func(field string) string) string {
	s := name(e.Field)
	if e.Value != "" {
		s += " " + quoteValue(e.Value)
	}
	s += " " + fillFields(e.Problem, name)
	if e.Fix != "" {
		s += ": " + fillFields(e.Fix, name)
	}
	return s
}

// fillFields replaces every "{field}" in s by name(field); a brace without a closing one stays.
func fillFields(s string, name func(field string) string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		j := strings.IndexByte(s[i+1:], '}')
		if i < 0 || j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(name(s[i+1 : i+1+j]))
		s = s[i+2+j:]
	}
}

// quoteValue shows a value bare when it is one plain word (a date, a number, a name, a path
// without spaces) and quoted otherwise, so spaces, quotes and control characters stay visible.
func quoteValue(v string) string {
	for _, r := range v {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_.:/+@#~", r) {
			return strconv.Quote(v)
		}
	}
	return v
}

// Is makes errors.Is(err, ErrInvalid) true for every InputError.
func (e *InputError) Is(target error) bool { return target == ErrInvalid }
