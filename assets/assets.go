// Package assets holds Almanac's embedded resources: the app icon.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon.
var Icon fyne.Resource = fyne.NewStaticResource("icon.png", iconPNG)
