package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// variantTheme forces the default theme's light or dark variant.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// ThemeFor returns the theme for "light", "dark" or "" (follow the system).
func ThemeFor(name string) fyne.Theme {
	switch name {
	case "light":
		return variantTheme{theme.DefaultTheme(), theme.VariantLight}
	case "dark":
		return variantTheme{theme.DefaultTheme(), theme.VariantDark}
	default:
		return theme.DefaultTheme()
	}
}

const prefTheme = "theme"

// ApplyThemePreference applies the saved theme choice.
func ApplyThemePreference(app fyne.App) {
	if name := app.Preferences().String(prefTheme); name != "" {
		app.Settings().SetTheme(ThemeFor(name))
	}
}

func buildSettings(s *Shell) fyne.CanvasObject {
	choice := widget.NewRadioGroup([]string{"System", "Light", "Dark"}, nil)
	switch s.App.Preferences().String(prefTheme) {
	case "light":
		choice.Selected = "Light"
	case "dark":
		choice.Selected = "Dark"
	default:
		choice.Selected = "System"
	}
	choice.Horizontal = true
	choice.OnChanged = func(v string) {
		name := map[string]string{"Light": "light", "Dark": "dark"}[v]
		s.App.Preferences().SetString(prefTheme, name)
		s.App.Settings().SetTheme(ThemeFor(name))
	}
	t := s.Tenant()
	form := widget.NewForm(
		widget.NewFormItem("Theme", choice),
		widget.NewFormItem("Data folder", widget.NewLabel(s.cfg.Home)),
		widget.NewFormItem("Tenant", widget.NewLabel(t.Name+" ("+t.ID+"), "+t.TimeZone+", "+t.Currency)),
		widget.NewFormItem("Version", widget.NewLabel(s.cfg.Version)),
	)
	return container.NewVBox(widget.NewLabelWithStyle("Settings", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), form)
}
