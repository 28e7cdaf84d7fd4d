package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// comingScreen says what a screen will hold until its capability lands.
func comingScreen(title, what string) fyne.CanvasObject {
	body := widget.NewLabel(what)
	body.Wrapping = fyne.TextWrapWord
	return container.NewVBox(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), body)
}

func buildAnalytics(*Shell) fyne.CanvasObject {
	return comingScreen("Analytics", "Appointment and revenue analytics with charts: by status, service and resource, daily trends, cancellation and no-show rates, for the periods your plan's history window allows.")
}

func buildExports(*Shell) fyne.CanvasObject {
	return comingScreen("Exports", "Export appointments, customers, resources, services, payments and subscriptions to CSV, JSON or XLSX, filtered by date, status, service and resource.")
}

func buildSync(*Shell) fyne.CanvasObject {
	return comingScreen("Sync", "Connect to your booking system's server with its URL and token, then pull your data incrementally, with progress and Cancel.")
}

func buildLicense(s *Shell) fyne.CanvasObject {
	return comingScreen("License", "Your plan: "+s.Entitlements().Plan().String()+". Activate a license file to unlock more exports, analytics and history.")
}
