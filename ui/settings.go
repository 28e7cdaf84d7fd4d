package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// almanacTheme is Fyne's default theme with status colours that reach WCAG AA contrast (4.5:1)
// as text on the background, and input borders that read as enabled, in both variants. A
// forced variant ignores the system's.
type almanacTheme struct {
	fyne.Theme
	forced  bool
	variant fyne.ThemeVariant
}

// themeOverrides replaces the default colours that fail on their background: the default
// light success green is 1.5:1 on white, warning orange 2.2:1 and error red 3.7:1; the light
// input border is the disabled grey, so an unselected radio button looks disabled.
var themeOverrides = map[fyne.ThemeVariant]map[fyne.ThemeColorName]color.Color{
	theme.VariantLight: {
		theme.ColorNameSuccess:     color.NRGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff},
		theme.ColorNameWarning:     color.NRGBA{R: 0xa8, G: 0x54, B: 0x00, A: 0xff},
		theme.ColorNameError:       color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff},
		theme.ColorNameInputBorder: color.NRGBA{R: 0x8a, G: 0x8a, B: 0x8a, A: 0xff},
	},
	theme.VariantDark: {
		theme.ColorNameError:       color.NRGBA{R: 0xff, G: 0x5f, B: 0x52, A: 0xff},
		theme.ColorNameInputBorder: color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff},
	},
}

// Color is the default colour unless themeOverrides has a better one for the variant.
func (t almanacTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.forced {
		v = t.variant
	}
	if c, ok := themeOverrides[v][n]; ok {
		return c
	}
	return t.Theme.Color(n, v)
}

// ThemeFor returns the theme for "light", "dark" or "" (follow the system).
func ThemeFor(name string) fyne.Theme {
	switch name {
	case "light":
		return almanacTheme{Theme: theme.DefaultTheme(), forced: true, variant: theme.VariantLight}
	case "dark":
		return almanacTheme{Theme: theme.DefaultTheme(), forced: true, variant: theme.VariantDark}
	default:
		return almanacTheme{Theme: theme.DefaultTheme()}
	}
}

const prefTheme = "theme"

// ApplyThemePreference applies the saved theme choice; with none, the theme follows the system.
func ApplyThemePreference(app fyne.App) {
	app.Settings().SetTheme(ThemeFor(app.Preferences().String(prefTheme)))
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
		widget.NewFormItem("Paper size for PDF reports", paperSetting(s)),
		widget.NewFormItem("Data folder", widget.NewLabel(s.cfg.Home)),
		widget.NewFormItem("Tenant", widget.NewLabel(t.Name+" ("+t.ID+"), "+t.TimeZone+", "+t.Currency)),
		widget.NewFormItem("Version", widget.NewLabel(s.cfg.Version)),
	)
	return container.NewVBox(widget.NewLabelWithStyle("Settings", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), form)
}
