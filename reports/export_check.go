package reports

// CheckExportRequest validates a request's dataset, format and filters without reading
// anything: the usage errors Export would return. A front end that saves a request to run
// later (a scheduled job) checks it when it is saved.
func CheckExportRequest(req ExportRequest) error {
	_, err := datasetFor(req)
	return err
}
