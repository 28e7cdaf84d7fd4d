package ui

import (
	"errors"
	"image/color"
	"log"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/license"
)

// PromptVariant picks how an upgrade prompt presents itself (seed 001).
type PromptVariant int

// The prompt variants.
const (
	PromptInline  PromptVariant = iota // one line inside a card
	PromptBanner                       // a strip at the top of a screen
	PromptOverlay                      // a panel over a locked section
)

// lockSVG is a padlock; fyne's theme has none. Themed so it follows the foreground colour.
const lockSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="#000000" d="M7 10V7a5 5 0 0 1 10 0v3h-2V7a3 3 0 0 0-6 0v3z"/><rect fill="#000000" x="4" y="10" width="16" height="12" rx="2"/></svg>`

var lockIcon = theme.NewThemedResource(fyne.NewStaticResource("lock.svg", []byte(lockSVG)))

// LockIcon is the padlock drawn on locked buttons, badges and prompts.
func LockIcon() fyne.Resource { return lockIcon }

// gate is one refused feature as a prompt words it.
type gate struct {
	headline string // short: what to do
	detail   string // the full sentence from license.UpgradeError
	err      *license.UpgradeError
	url      string
}

// gateFor evaluates feature against the shell's entitlements now. ok is true when allowed.
func gateFor(s *Shell, feature string) (g gate, ok bool) {
	ents := s.Entitlements()
	d := ents.Can(feature)
	if d.Allowed {
		return gate{}, true
	}
	g = gate{url: ents.UpgradeURL(), detail: d.Reason}
	if !errors.As(d.Err, &g.err) {
		// An unknown code is a programming error; say so rather than pretend it is a plan matter.
		g.headline = feature + " is not available"
		return g, false
	}
	g.headline = headline(g.err)
	return g, false
}

// headline says in a few words what unlocks the feature.
func headline(e *license.UpgradeError) string {
	switch {
	case e.MissingPlan && e.Revoked:
		return e.FeatureName + " is turned off by your license"
	case e.MissingPlan && e.MissingPayments:
		return e.FeatureName + " needs " + e.Required.String() + " and payments"
	case e.MissingPlan:
		return e.FeatureName + " needs the " + e.Required.String() + " plan"
	default:
		return e.FeatureName + " needs a tenant that accepts payments"
	}
}

// planFixes reports whether a license would fix the refusal: only then do Upgrade and
// Activate license make sense (a tenant without payments is fixed in the booking system).
func (g gate) planFixes() bool { return g.err != nil && g.err.MissingPlan }

// NewUpgradePrompt names feature and the plan that unlocks it (or the missing payments
// condition), with "Upgrade" and "Activate license". It is empty when the feature is allowed,
// so screens can place it unconditionally.
func NewUpgradePrompt(s *Shell, v PromptVariant, feature string) fyne.CanvasObject {
	g, ok := gateFor(s, feature)
	if ok {
		return container.NewVBox()
	}
	switch v {
	case PromptBanner:
		return NewBanner(BannerWarning, g.detail, centred(promptActions(s, g, nil)))
	case PromptOverlay:
		return overlayPanel(s, g, nil)
	default:
		return inlinePrompt(g.detail, promptActions(s, g, nil))
	}
}

// NewHistoryPrompt is the inline prompt for a date range past the history window.
func NewHistoryPrompt(s *Shell, err *license.HistoryError) fyne.CanvasObject {
	if err == nil {
		return container.NewVBox()
	}
	return inlinePrompt(err.Error(), []fyne.CanvasObject{upgradeButton(s, err.UpgradeURL, nil), activateButton(s, nil)})
}

// inlinePrompt is a lock, a wrapped sentence and the actions, sized to sit inside a card.
func inlinePrompt(text string, actions []fyne.CanvasObject) fyne.CanvasObject {
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	icon := widget.NewIcon(lockIcon)
	// Everything is centred vertically: a wrapped sentence, the icon and the buttons line up
	// whichever is tallest.
	body := container.NewVBox(layout.NewSpacer(), msg, layout.NewSpacer())
	return container.NewBorder(nil, nil, container.NewCenter(icon), centred(actions), body)
}

// centred groups buttons in a row at their natural height; a Border side would stretch them
// to the full height of a two-line banner.
func centred(objs []fyne.CanvasObject) fyne.CanvasObject {
	return container.NewCenter(container.NewHBox(objs...))
}

// promptActions are Upgrade and Activate license; before runs first when set (a pop-up
// closes itself so the dialog is not stacked under it).
func promptActions(s *Shell, g gate, before func()) []fyne.CanvasObject {
	if !g.planFixes() {
		return nil
	}
	return []fyne.CanvasObject{upgradeButton(s, g.url, before), activateButton(s, before)}
}

func upgradeButton(s *Shell, link string, before func()) *widget.Button {
	return &widget.Button{Text: "Upgrade", Icon: theme.MailForwardIcon(), Importance: widget.HighImportance, OnTapped: func() {
		runBefore(before)
		openUpgrade(s, link)
	}}
}

func activateButton(s *Shell, before func()) *widget.Button {
	return &widget.Button{Text: "Activate license", Icon: lockIcon, OnTapped: func() {
		runBefore(before)
		ShowActivationDialog(s)
	}}
}

func runBefore(f func()) {
	if f != nil {
		f()
	}
}

// openUpgrade opens the upgrade page in the browser, or shows it to copy; a bad URL in a
// license is logged, not fatal.
func openUpgrade(s *Shell, link string) {
	if link == "" {
		link = license.DefaultUpgradeURL
	}
	if !license.SafeUpgradeURL(link) { // never hand file:, custom schemes and the like to the opener
		log.Printf("upgrade url %q is not an https:// address; not opened", link)
		return
	}
	u, err := url.Parse(link)
	if err != nil {
		log.Printf("upgrade url %q: %v", link, err)
		return
	}
	openLink(s, u, "the upgrade page", link)
}

// overlayPanel is the boxed prompt drawn over locked content: lock, headline, the full
// sentence, the conditions for features with two of them, and the actions. popup, when set,
// is the modal the panel sits in: the actions close it and a Close button is added.
func overlayPanel(s *Shell, g gate, popup *widget.PopUp) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(g.headline, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	msg := widget.NewLabel(g.detail)
	msg.Wrapping = fyne.TextWrapWord
	msg.Alignment = fyne.TextAlignCenter
	icon := widget.NewIcon(lockIcon)
	rows := []fyne.CanvasObject{container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(40), icon)), title, msg}
	if g.err != nil {
		if f, ok := license.FeatureByCode(g.err.Feature); ok && f.NeedsPayments {
			rows = append(rows, conditions(g.err))
		}
	}
	var hide func()
	if popup != nil {
		hide = popup.Hide
	}
	actions := promptActions(s, g, hide)
	if popup != nil {
		actions = append(actions, &widget.Button{Text: "Close", OnTapped: popup.Hide})
	}
	if len(actions) > 0 {
		rows = append(rows, container.NewCenter(container.NewHBox(actions...)))
	}
	bg := newThemedRect(theme.ColorNameOverlayBackground, 0xFF, true)
	body := container.NewPadded(container.NewVBox(rows...))
	return container.New(fixedWidth{overlayWidth}, container.NewStack(bg, body))
}

const overlayWidth = 480

// fixedWidth lays its objects out at a fixed width and the height they need at that width.
// Wrapped labels only know their height once they know their width, so MinSize sizes them
// first; a GridWrap sized up front cuts the last lines off.
type fixedWidth struct{ width float32 }

func (l fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		if o.Size().Width != l.width {
			o.Resize(fyne.NewSize(l.width, o.MinSize().Height))
		}
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(l.width, h)
}

func (l fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(fyne.NewSize(l.width, size.Height))
	}
}

// conditions lists both conditions of a two-condition feature with a tick or a cross each, so
// the user sees which one is missing.
func conditions(e *license.UpgradeError) fyne.CanvasObject {
	row := func(met bool, text string) fyne.CanvasObject {
		var icon fyne.Resource = theme.NewSuccessThemedResource(theme.ConfirmIcon())
		if !met {
			icon = theme.NewErrorThemedResource(theme.CancelIcon())
		}
		return container.NewHBox(widget.NewIcon(icon), widget.NewLabel(text))
	}
	plan := e.Required.String() + " plan or higher (you have " + e.Current.String() + ")"
	if e.Revoked {
		plan = "A license that includes " + e.FeatureName
	}
	return container.NewCenter(container.NewVBox(
		row(!e.MissingPlan, plan),
		row(!e.MissingPayments, "A tenant that accepts payments"),
	))
}

// NewLockedSection is content when feature is allowed; otherwise content stays in place,
// dimmed and inert, with the overlay prompt over it, so the user sees what they would get.
func NewLockedSection(s *Shell, feature string, content fyne.CanvasObject) fyne.CanvasObject {
	g, ok := gateFor(s, feature)
	if ok {
		return content
	}
	return container.NewStack(content, newBlocker(), container.New(overlayLayout{}, overlayPanel(s, g, nil)))
}

// overlayLayout centres the prompt horizontally and, vertically, within the section's first
// overlayBand pixels: a tall section sits in a scroller, and a prompt centred on all of it
// would be off screen.
type overlayLayout struct{}

const overlayBand = 560

func (overlayLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

func (overlayLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	band := min(size.Height, overlayBand)
	for _, o := range objs {
		ms := o.MinSize()
		o.Resize(ms)
		o.Move(fyne.NewPos(max(0, (size.Width-ms.Width)/2), max(0, (band-ms.Height)/2)))
	}
}

// blocker dims what lies under it and swallows taps, so locked content cannot be used.
type blocker struct {
	themedRect
}

func newBlocker() *blocker {
	// The theme's background at ~80% hides the content's detail in both themes while its shape
	// still shows through.
	b := &blocker{themedRect{name: theme.ColorNameBackground, alpha: 0xC8}}
	b.ExtendBaseWidget(b)
	return b
}

// Tapped swallows the tap: the content underneath is locked.
func (b *blocker) Tapped(*fyne.PointEvent) {}

// TappedSecondary swallows context-menu taps too.
func (b *blocker) TappedSecondary(*fyne.PointEvent) {}

// DoubleTapped swallows double taps.
func (b *blocker) DoubleTapped(*fyne.PointEvent) {}

// themedRect is a rectangle in a theme colour that follows theme changes (a bare
// canvas.Rectangle keeps the colour it was made with).
type themedRect struct {
	widget.BaseWidget
	name    fyne.ThemeColorName
	alpha   uint8
	outline bool // rounded, with a border: a panel rather than a veil
}

func newThemedRect(name fyne.ThemeColorName, alpha uint8, outline bool) *themedRect {
	r := &themedRect{name: name, alpha: alpha, outline: outline}
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer draws the rectangle.
func (r *themedRect) CreateRenderer() fyne.WidgetRenderer {
	rr := &themedRectRenderer{owner: r, rect: canvas.NewRectangle(color.Transparent)}
	rr.Refresh()
	return rr
}

type themedRectRenderer struct {
	owner *themedRect
	rect  *canvas.Rectangle
}

func (r *themedRectRenderer) Layout(size fyne.Size)        { r.rect.Resize(size) }
func (r *themedRectRenderer) MinSize() fyne.Size           { return fyne.Size{} }
func (r *themedRectRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.rect} }
func (r *themedRectRenderer) Destroy()                     {}

// Refresh re-reads the theme, so a theme switch recolours the rectangle.
func (r *themedRectRenderer) Refresh() {
	th := r.owner.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	cr, cg, cb, _ := th.Color(r.owner.name, v).RGBA()
	r.rect.FillColor = color.NRGBA{R: uint8(cr >> 8), G: uint8(cg >> 8), B: uint8(cb >> 8), A: r.owner.alpha}
	r.rect.CornerRadius = th.Size(theme.SizeNameInputRadius)
	if r.owner.outline {
		r.rect.CornerRadius *= 2
		r.rect.StrokeColor = th.Color(theme.ColorNameInputBorder, v)
		r.rect.StrokeWidth = 1
	}
	r.rect.Refresh()
}

// NewLockedButton is a normal button when feature is allowed; otherwise a button showing a lock
// and the plan that unlocks it, which, tapped, shows the overlay prompt naming that plan.
func NewLockedButton(s *Shell, feature, label string, icon fyne.Resource, onTap func()) fyne.CanvasObject {
	g, ok := gateFor(s, feature)
	if ok {
		return &widget.Button{Text: label, Icon: icon, OnTapped: onTap}
	}
	text := label
	if g.err != nil && g.err.MissingPlan && !g.err.Revoked {
		text += " · " + g.err.Required.String()
	}
	return &widget.Button{Text: text, Icon: lockIcon, Importance: widget.LowImportance, OnTapped: func() { showLockedOverlay(s, g) }}
}

// showLockedOverlay shows the overlay prompt as a modal over the window.
func showLockedOverlay(s *Shell, g gate) {
	pop := widget.NewModalPopUp(widget.NewLabel(""), s.Win.Canvas())
	pop.Content = overlayPanel(s, g, pop) // set before Show, which builds the renderer
	pop.Show()
}
