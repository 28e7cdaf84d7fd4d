package ui

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// buildLicense is the License screen: the plan in force and its state, the license's terms,
// every feature with whether it is unlocked and which plan unlocks it, and Activate / Remove.
// It is rebuilt by Shell.Refresh whenever the license changes.
func buildLicense(s *Shell) fyne.CanvasObject {
	t, st, ents := s.Tenant(), s.licenseStatus(), s.Entitlements() // as the last load read them
	title := widget.NewLabelWithStyle("License", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	items := []fyne.CanvasObject{title, licenseSummary(st, ents, t)}
	if t.IsDemo {
		items = append(items, demoLicenseNote(st))
	}
	items = append(items, licenseActions(s, st, t), widget.NewSeparator(),
		widget.NewLabelWithStyle("What your plan includes", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	top := container.NewVBox(items...)
	return container.NewBorder(top, nil, nil, nil, newFeatureTable(featureRows(ents)))
}

// licenseSummary is the plan card: plan and state side by side, then the license's terms.
func licenseSummary(st license.Status, ents license.Entitlements, t data.Tenant) fyne.CanvasObject {
	plan := widget.NewLabelWithStyle(ents.Plan().String(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	plan.SizeName = theme.SizeNameHeadingText
	state := widget.NewLabel(stateText(st))
	state.Wrapping = fyne.TextWrapWord
	// Two columns keep the card short, so the whole feature table fits below it.
	left := []*widget.FormItem{widget.NewFormItem("History", widget.NewLabel(historyText(ents)))}
	var right []*widget.FormItem
	if l := st.License; l != nil && st.State != license.StateNone {
		p := l.Payload
		expires := widget.NewLabel(expiryText(st, t.Location()))
		expires.Wrapping = fyne.TextWrapWord
		left = append(left,
			widget.NewFormItem("Expires", expires),
			widget.NewFormItem("Licensee", widget.NewLabel(orDash(p.Licensee))))
		right = append(right,
			widget.NewFormItem("Tenant", widget.NewLabel(p.TenantID)),
			widget.NewFormItem("License ID", widget.NewLabel(p.LicenseID)))
	}
	if license.DevelopmentBuild() {
		right = append(right, widget.NewFormItem("Build", widget.NewLabel("Development build")))
	}
	rows := []fyne.CanvasObject{container.NewBorder(nil, nil, plan, nil, state),
		container.NewGridWithColumns(2, widget.NewForm(left...), widget.NewForm(right...))}
	if st.Err != nil && st.State == license.StateNone {
		// A stored license that does not apply (another tenant, damaged, not yet valid).
		rows = append(rows, errorView(st.Err))
	}
	return newPanel(container.NewVBox(rows...))
}

// DemoLicenseText is what the demo tenant says about licenses: none is issued for "demo".
const DemoLicenseText = "This is the built-in demo tenant. A license is issued for your business's own tenant id, " +
	"which the first sync shows (Sync screen); send that id to your vendor, not \"demo\"."

// demoLicenseNote explains licenses on the demo tenant, and which saved license it is trying.
func demoLicenseNote(st license.Status) fyne.CanvasObject {
	text := DemoLicenseText
	if owner := licenseOwner(st); owner != "" && owner != data.DemoTenantID {
		text = fmt.Sprintf("Demo data: trying the license saved for tenant %s; it applies to your own data when that tenant is active (after its first sync). ", owner) + text
	}
	return note(theme.InfoIcon(), text)
}

// stateText words the license state for the plan card.
func stateText(st license.Status) string {
	switch st.State {
	case license.StateValid:
		return "Valid license"
	case license.StateExpiring:
		return fmt.Sprintf("Valid license, expiring in %s", days(st.DaysLeft))
	case license.StateGrace:
		if st.ClockRollback {
			return fmt.Sprintf("Grace period: the computer's clock is in doubt (%s left)", days(st.DaysLeft))
		}
		return fmt.Sprintf("Expired, grace period: everything keeps working for %s", days(st.DaysLeft))
	case license.StateExpired:
		return "Expired: back on FREE; nothing was deleted"
	default:
		if st.License != nil {
			return "The saved license does not apply: FREE plan"
		}
		return "No license: FREE plan"
	}
}

// licenseActions are Activate license and, when the tenant has a license of its own, Remove.
// The demo's borrowed license belongs to another tenant, so the demo cannot remove it.
func licenseActions(s *Shell, st license.Status, t data.Tenant) fyne.CanvasObject {
	activate := &widget.Button{Text: "Activate license", Icon: lockIcon, Importance: widget.HighImportance, OnTapped: func() { ShowActivationDialog(s) }}
	remove := &widget.Button{Text: "Remove", Icon: theme.DeleteIcon(), Importance: widget.DangerImportance, OnTapped: func() { confirmRemove(s, st, t.ID) }}
	if owner := licenseOwner(st); st.License == nil || (owner != "" && owner != t.ID) {
		remove.Disable()
	}
	return container.NewHBox(activate, remove)
}

// confirmRemove asks first: removing locks every paid feature at once.
func confirmRemove(s *Shell, st license.Status, tenantID string) {
	what := "the saved license"
	if st.License != nil {
		what = fmt.Sprintf("the %s license %s", st.License.Payload.Plan, st.License.Payload.LicenseID)
	}
	free, _ := license.DefaultLimit(license.Free, license.LimitHistoryDays)
	msg := widget.NewLabel(fmt.Sprintf("Remove %s? Almanac goes back to FREE at once: paid features lock and history "+
		"is limited to the last %s. Nothing local is deleted, and you can activate the license again later.", what, days(free)))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Remove license", "Remove", "Keep", container.NewGridWrap(fyne.NewSize(440, 110), msg), func(ok bool) {
		if ok {
			removeLicense(s, tenantID)
		}
	}, s.Win)
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

// removeLicense removes off the UI goroutine; the manager's notification re-gates the shell.
func removeLicense(s *Shell, tenantID string) {
	Run(s.Ctx(), func(context.Context) (struct{}, error) {
		return struct{}{}, s.cfg.Licenses.Remove(tenantID)
	}, func(_ struct{}, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("remove the license: %w", err), s.Win)
		}
	})
}

// featureRow is one line of the License screen's feature table.
type featureRow struct {
	Name    string
	Allowed bool
	Unlocks string // the plan that unlocks it, with the payments condition when it has one
	// Details says what the feature does, or why it is locked when the plan alone is not the
	// reason (a tenant without payments, a license that turns it off).
	Details string
}

// featureRows lists every registry feature as ents sees it.
func featureRows(ents license.Entitlements) []featureRow {
	var rows []featureRow
	for _, f := range license.Features() {
		d := ents.Can(f.Code)
		r := featureRow{Name: f.Name, Allowed: d.Allowed, Unlocks: d.RequiredPlan.String(), Details: f.Description}
		if f.NeedsPayments {
			r.Unlocks += " + payments"
		}
		var ue *license.UpgradeError
		if errors.As(d.Err, &ue) {
			switch {
			case ue.Revoked:
				r.Unlocks, r.Details = "A license that includes it", "Turned off by your license"
			case ue.MissingPayments && ue.MissingPlan:
				r.Details = "Needs the plan and a tenant that accepts payments"
			case ue.MissingPayments:
				r.Details = "Needs a tenant that accepts payments"
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// featureColumns are the feature table's columns and their shares of its width; every cell
// wraps, so a narrow window gets taller rows instead of cut-off text.
var featureColumns = []struct {
	title string
	share float32
	min   float32 // the same in every row, so the columns line up under the header
}{{"Feature", 0.2, 0}, {"Status", 0.14, 115}, {"Unlocked by", 0.22, 0}, {"Details", 0.44, 0}}

// featureTableMinWidth is the narrowest the table gets before the screen scrolls sideways.
const featureTableMinWidth = 420

// newFeatureTable lists rows under a header row, in a vertical scroller.
func newFeatureTable(rows []featureRow) fyne.CanvasObject {
	head := make([]fyne.CanvasObject, len(featureColumns))
	for i, c := range featureColumns {
		l := widget.NewLabelWithStyle(c.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Wrapping = fyne.TextWrapWord
		head[i] = l
	}
	list := container.NewVBox(container.New(shareColumns{}, head...))
	for _, r := range rows {
		list.Add(widget.NewSeparator())
		list.Add(featureTableRow(r))
	}
	return container.NewVScroll(list)
}

// featureTableRow is one feature: name, status with its icon, the plan that unlocks it, details.
func featureTableRow(r featureRow) fyne.CanvasObject {
	cell := func(text string, bold bool) *widget.Label {
		l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: bold})
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	icon, status := lockIcon, "Locked"
	if r.Allowed {
		icon, status = theme.NewSuccessThemedResource(theme.ConfirmIcon()), "Unlocked"
	}
	// One word beside its icon, never wrapped: the Status column's minimum fits "Unlocked".
	state := container.NewVBox(container.NewHBox(widget.NewIcon(icon), widget.NewLabel(status))) // top-aligned
	return container.New(shareColumns{}, cell(r.Name, true), state, cell(r.Unlocks, false), cell(r.Details, false))
}

// shareColumns lays its objects side by side, each taking its featureColumns share of the
// width (or its column's minimum, when wider) and the full row height; the last column
// takes what is left.
type shareColumns struct{}

func (shareColumns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(featureTableMinWidth, h)
}

func (shareColumns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	free := size.Width - pad*float32(len(objs)-1)
	x := float32(0)
	for i, o := range objs {
		c := featureColumns[i%len(featureColumns)]
		w := max(free*c.share, c.min)
		if i == len(objs)-1 {
			w = max(size.Width-x, 0)
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + pad
	}
}

// newPanel draws content on the input-background tint the dashboard cards use.
func newPanel(content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewStack(newThemedRect(theme.ColorNameInputBackground, 0xFF, false), container.NewPadded(content))
}
