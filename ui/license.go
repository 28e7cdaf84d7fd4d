package ui

import (
	"fyne.io/fyne/v2"
)

// buildLicense is a placeholder until its issue lands.
func buildLicense(s *Shell) fyne.CanvasObject {
	return comingScreen("License", "Your plan: "+s.Entitlements().Plan().String()+". Activate a license file to unlock more exports, analytics and history.")
}
