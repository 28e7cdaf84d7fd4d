package ui

import (
	"fyne.io/fyne/v2"
)

// buildSync is a placeholder until its issue lands.
func buildSync(*Shell) fyne.CanvasObject {
	return comingScreen("Sync", "Connect to your booking system's server with its URL and token, then pull your data incrementally, with progress and Cancel.")
}
