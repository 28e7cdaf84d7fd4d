package data

import "fmt"

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
	FieldPeriod       = "period" // the period as a whole (days and dates given together)
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
)

// Error words the problem without naming any front end's controls.
func (e *InputError) Error() string {
	s := e.Field
	if e.Value != "" {
		s += " " + fmt.Sprintf("%q", e.Value)
	}
	s += " " + e.Problem
	if e.Fix != "" {
		s += ": " + e.Fix
	}
	return s
}

// Is makes errors.Is(err, ErrInvalid) true for every InputError.
func (e *InputError) Is(target error) bool { return target == ErrInvalid }
