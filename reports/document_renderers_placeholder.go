package reports

// PLACEHOLDER (issue 14): the coordinator deletes this file at merge, when the real WritePDF
// (reports/pdf*.go) and WriteReportXLSX (reports/report_xlsx*.go) land. It exists only so the
// front (document_front.go) compiles; no test uses it.

import (
	"errors"
	"io"

	"github.com/xuri/excelize/v2"
)

// WritePDF is not built yet.
func WritePDF(w io.Writer, d Document) error {
	return errors.New("PDF reports are not built yet")
}

// WriteReportXLSX writes a plain workbook: one "About" sheet with the provenance.
func WriteReportXLSX(w io.Writer, d Document) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "About"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	rows := [][2]string{{"Business", d.Business}, {"Report", d.Report}, {"Period", d.Period}, {"Filters", d.Filters},
		{"Time zone", d.TimeZone}, {"Data", d.DataAsOf}, {"Plan", d.Plan}, {"Almanac", d.Version}, {"Generated", d.Generated}}
	for _, def := range d.Definitions {
		rows = append(rows, [2]string{def.Metric, def.Text})
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &[]any{r[0], r[1]}); err != nil {
			return err
		}
	}
	return f.Write(w)
}
