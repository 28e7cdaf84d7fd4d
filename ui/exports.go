package ui

import (
	"fyne.io/fyne/v2"
)

// buildExports is a placeholder until its issue lands.
func buildExports(*Shell) fyne.CanvasObject {
	return comingScreen("Exports", "Export appointments, customers, resources, services, payments and subscriptions to CSV, JSON or XLSX, filtered by date, status, service and resource.")
}
