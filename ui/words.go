package ui

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	datasync "github.com/almanac-app/almanac/data/sync"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
)

// fieldLabels names each field of a *data.InputError as the screens show it.
var fieldLabels = map[string]string{
	data.FieldDays:         "the number of days",
	data.FieldFrom:         "the From date",
	data.FieldTo:           "the To date",
	data.FieldPeriod:       "the Period",
	data.FieldCompare:      "Compare with",
	data.FieldStatus:       "the Status filter",
	data.FieldService:      "the Service filter",
	data.FieldResource:     "the Resource filter",
	data.FieldActive:       "the Active filter",
	data.FieldFormat:       "the format",
	data.FieldOut:          "the file",
	data.FieldDataset:      "the Dataset",
	data.FieldAppointments: "the number of appointments",
	data.FieldTimeZone:     "the time zone",
	data.FieldCurrency:     "the currency",
	data.FieldServer:       "the Server URL",
	data.FieldToken:        "the Token field",
	data.FieldHome:         "the home folder",
	data.FieldTimeout:      "the time limit",
	data.FieldPaper:        "the paper size",
	data.FieldPDF:          "the file",
	data.FieldXLSX:         "the file",
	data.FieldOverwrite:    "choose Replace",
	data.FieldLapsedDays:   lapsedDaysLabel,
}

// labelOf is the screens' name for a field.
func labelOf(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	return field
}

// errorWords is err's message in the screens' words: bad values name their controls and the
// way out of a condition names the control that gets past it. It starts with a capital.
func errorWords(err error) string {
	return capitalize(data.RewordError(err, func(e error) (string, bool) {
		if ie, ok := e.(*data.InputError); ok {
			return ie.Words(labelOf), true
		}
		switch e {
		case data.ErrNeedFullSync:
			return fmt.Sprintf("tick %q and sync again", fullSyncLabel), true
		case datasync.ErrNoToken:
			return "enter the access token your booking system gave you", true
		}
		return "", false
	}))
}

// daysNoticeText words days that were shortened.
func daysNoticeText(n *reports.DaysNotice) string {
	return fmt.Sprintf("%d days is more than %s; using %d days.", n.Asked, n.Limit, n.Used)
}

func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// inputField is the field a *data.InputError in err names, or "".
func inputField(err error) string {
	var ie *data.InputError
	if !errors.As(err, &ie) {
		return ""
	}
	return ie.Field
}
