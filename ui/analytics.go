package ui

import (
	"fyne.io/fyne/v2"
)

// buildAnalytics is a placeholder until its issue lands.
func buildAnalytics(*Shell) fyne.CanvasObject {
	return comingScreen("Analytics", "Appointment and revenue analytics with charts: by status, service and resource, daily trends, cancellation and no-show rates, for the periods your plan's history window allows.")
}
