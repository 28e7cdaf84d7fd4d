package ui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// luminance is WCAG 2's relative luminance of c.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is WCAG 2's contrast ratio of two opaque colours, 1 to 21.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a)+0.05, luminance(b)+0.05
	return max(la, lb) / min(la, lb)
}

func TestContrastRatio(t *testing.T) {
	black, white := color.Black, color.White
	if got := contrast(black, white); math.Abs(got-21) > 0.01 {
		t.Errorf("black on white %.2f, want 21", got)
	}
	if got := contrast(white, white); got != 1 {
		t.Errorf("white on white %.2f, want 1", got)
	}
}

// themeCases are every theme choice under each system variant it can meet.
func themeCases() []struct {
	name    string
	th      fyne.Theme
	variant fyne.ThemeVariant
} {
	return []struct {
		name    string
		th      fyne.Theme
		variant fyne.ThemeVariant
	}{
		{"light", ThemeFor("light"), theme.VariantDark}, // forced: the system variant is ignored
		{"dark", ThemeFor("dark"), theme.VariantLight},
		{"system light", ThemeFor(""), theme.VariantLight},
		{"system dark", ThemeFor(""), theme.VariantDark},
	}
}

// Status text (label importances Success, Warning, Danger: "Connected", "Synced",
// "Cancelled", failures) reaches WCAG AA, 4.5:1, on the window background and on the card and
// panel background, in both themes.
func TestStatusTextContrast(t *testing.T) {
	status := []fyne.ThemeColorName{theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNameError, theme.ColorNameForeground}
	for _, tc := range themeCases() {
		for _, bgName := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground} {
			bg := tc.th.Color(bgName, tc.variant)
			for _, n := range status {
				if got := contrast(tc.th.Color(n, tc.variant), bg); got < 4.5 {
					t.Errorf("%s: %s text on %s is %.2f:1, want at least 4.5:1", tc.name, n, bgName, got)
				}
			}
		}
	}
}

// An enabled radio button's ring is the input border; it must stand out from the background
// (WCAG's 3:1 for controls) and differ from the disabled colour, or every unselected choice
// looks disabled.
func TestInputBorderLooksEnabled(t *testing.T) {
	for _, tc := range themeCases() {
		border := tc.th.Color(theme.ColorNameInputBorder, tc.variant)
		if got := contrast(border, tc.th.Color(theme.ColorNameBackground, tc.variant)); got < 3 {
			t.Errorf("%s: input border on the background is %.2f:1, want at least 3:1", tc.name, got)
		}
		if got := contrast(border, tc.th.Color(theme.ColorNameDisabled, tc.variant)); got < 1.5 {
			t.Errorf("%s: input border is %.2f:1 against the disabled colour: enabled controls look disabled", tc.name, got)
		}
	}
}
