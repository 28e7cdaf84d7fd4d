package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// maxLicenseFile caps what "Open file…" reads: a license is a few kilobytes, and a wrong pick
// (a video, a disk image) must not be read into memory.
const maxLicenseFile = license.MaxLicenseSize

// activationDialog verifies the pasted or opened text as it changes and shows what the license
// unlocks; Activate is enabled only for a text that passed the check.
type activationDialog struct {
	s        *Shell
	lic      Licenses
	dlg      *dialog.CustomDialog
	entry    *widget.Entry
	result   *fyne.Container
	activate *widget.Button

	seq    int                // the latest check; older results are dropped
	cancel context.CancelFunc // cancels the check in flight
	ok     bool               // the entry's current text passed Check
	busy   bool               // activation in flight
}

// ShowActivationDialog opens the activation dialog: paste the license text or open the file;
// it is verified as it changes and its plan, tenant, expiry and features are shown before the
// user confirms.
func ShowActivationDialog(s *Shell) { showActivationDialog(s) }

func showActivationDialog(s *Shell) *activationDialog {
	a := &activationDialog{s: s, lic: s.cfg.Licenses}
	if a.lic == nil {
		dialog.ShowError(errors.New("this window has no license manager; restart Almanac and try again"), s.Win)
		return nil
	}
	a.entry = widget.NewMultiLineEntry()
	a.entry.TextStyle = fyne.TextStyle{Monospace: true}
	a.entry.Wrapping = fyne.TextWrapBreak
	a.entry.SetMinRowsVisible(5)
	a.entry.SetPlaceHolder("-----BEGIN ALMANAC LICENSE-----\n…\n-----END ALMANAC LICENSE-----")
	a.entry.OnChanged = a.check
	a.result = container.NewVBox()
	a.activate = &widget.Button{Text: "Activate", Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: a.confirm}
	a.activate.Disable()
	cancel := &widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: a.close}

	intro := widget.NewLabel("Paste the license text you received from your vendor, or open the license file. " +
		"It is checked as you paste; nothing changes until you press Activate.")
	intro.Wrapping = fyne.TextWrapWord
	tools := container.NewHBox(
		&widget.Button{Text: "Open file…", Icon: theme.FolderOpenIcon(), OnTapped: a.openFile},
		&widget.Button{Text: "Paste", Icon: theme.ContentPasteIcon(), OnTapped: a.paste},
		&widget.Button{Text: "Clear", Icon: theme.ContentClearIcon(), OnTapped: func() { a.entry.SetText("") }},
	)
	top := container.NewVBox(intro, tools)
	split := container.NewVSplit(a.entry, container.NewVScroll(a.result))
	split.Offset = 0.3 // the verdict matters more than the pasted text once it is in
	body := container.NewBorder(top, nil, nil, nil, split)
	a.dlg = dialog.NewCustomWithoutButtons("Activate license", body, s.Win)
	a.dlg.SetButtons([]fyne.CanvasObject{cancel, a.activate})
	a.showHint()
	a.dlg.Show()
	a.dlg.Resize(fitWindow(s.Win, fyne.NewSize(820, 740)))
	s.Win.Canvas().Focus(a.entry)
	return a
}

func (a *activationDialog) close() {
	if a.cancel != nil {
		a.cancel()
	}
	a.dlg.Hide()
}

func (a *activationDialog) showHint() {
	a.setResult(widget.NewLabelWithStyle("The license's plan, tenant, expiry and features appear here.",
		fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
}

func (a *activationDialog) setResult(objs ...fyne.CanvasObject) {
	a.result.Objects = objs
	a.result.Refresh()
}

// check verifies text off the UI goroutine; a newer text makes an older result stale.
func (a *activationDialog) check(text string) {
	a.seq++
	seq := a.seq
	a.ok = false
	a.updateButton()
	if a.cancel != nil {
		a.cancel()
	}
	if strings.TrimSpace(text) == "" {
		a.cancel = nil
		a.showHint()
		return
	}
	t, now := a.s.Tenant(), a.s.Entitlements()
	a.cancel = Run(a.s.Ctx(), func(context.Context) (checkedLicense, error) {
		return checkLicense(a.lic, []byte(text), t, now)
	}, func(c checkedLicense, err error) {
		if seq != a.seq {
			return
		}
		if err != nil {
			a.setResult(errorView(err))
			return
		}
		a.ok = true
		a.updateButton()
		a.setResult(a.preview(c)...)
	})
}

// checkedLicense is a verified license text and the features it is compared with.
type checkedLicense struct {
	st     *license.Status
	before license.Entitlements // what is in force now for the license's tenant
}

// checkLicense verifies text off the UI goroutine (the manager reads the store's records of
// time). A license that applies only to another tenant changes that tenant's features, not
// the active one's (now), so it is compared with that tenant's.
func checkLicense(lic Licenses, text []byte, t data.Tenant, now license.Entitlements) (checkedLicense, error) {
	st, err := lic.Check(text)
	if err != nil {
		return checkedLicense{}, err
	}
	c := checkedLicense{st: st, before: now}
	if owner := st.License.Payload.TenantID; !lic.Applies(owner, t.ID) {
		c.before = lic.Entitlements(owner, t.CanAcceptPayments)
	}
	return c, nil
}

func (a *activationDialog) updateButton() {
	if a.ok && !a.busy {
		a.activate.Enable()
	} else {
		a.activate.Disable()
	}
}

// confirm activates the checked text. The manager tells the shell, which re-gates every screen.
func (a *activationDialog) confirm() {
	if !a.ok || a.busy {
		return
	}
	text, tenant := a.entry.Text, a.s.Tenant()
	a.busy = true
	a.updateButton()
	// The outcome is worded off the UI goroutine too: it reads the status now in force.
	Run(a.s.Ctx(), func(context.Context) (string, error) {
		st, err := a.lic.Activate([]byte(text))
		if err != nil {
			return "", err
		}
		return activatedText(a.lic, st, tenant), nil
	}, func(msg string, err error) {
		a.busy = false
		if err != nil {
			a.ok = false
			a.updateButton()
			a.setResult(errorView(err))
			return
		}
		a.dlg.Hide()
		dialog.ShowInformation("License activated", msg, a.s.Win)
	})
}

// activatedText words the outcome: in force now, or saved until its tenant is active.
func activatedText(lic Licenses, st *license.Status, active data.Tenant) string {
	owner := st.License.Payload.TenantID
	switch {
	case owner == active.ID:
		return fmt.Sprintf("Almanac is now on the %s plan. Every screen has been updated.", st.Plan)
	case lic.Applies(owner, active.ID) && licenseOwner(lic.Status(active.ID)) == owner:
		return fmt.Sprintf("The license is saved for tenant %s. The demo tenant uses it now (%s plan), so you can try it; "+
			"it applies to your own data when that tenant is active (after its first sync).", owner, st.Plan)
	default:
		return fmt.Sprintf("The %s license is saved for tenant %s. It applies when that tenant is active: "+
			"sync it, or pick it in the tenant list at the top of the window.", st.Plan, owner)
	}
}

// licenseOwner is the tenant whose license is in force in st; "" for none.
func licenseOwner(st license.Status) string {
	if st.Active() && st.License != nil {
		return st.License.Payload.TenantID
	}
	return ""
}

// pendingNote says when a license for another tenant than the active one would apply.
func pendingNote(lic Licenses, p license.Payload, active data.Tenant) fyne.CanvasObject {
	if p.TenantID == active.ID {
		return nil
	}
	text := fmt.Sprintf("This license is for tenant %s, not the active tenant %s. Activating saves it for %s; it applies when that tenant is active.",
		p.TenantID, active.ID, p.TenantID)
	if lic.Applies(p.TenantID, active.ID) {
		text = fmt.Sprintf("This license is for tenant %s. Activating saves it for %s, and the demo tenant can use it meanwhile so you can try it before your first sync.",
			p.TenantID, p.TenantID)
	}
	return note(theme.InfoIcon(), text)
}

// openFile reads a license file the user picks; reading happens off the UI goroutine.
func (a *activationDialog) openFile() {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("open the license file: %w", err), a.s.Win)
			return
		}
		if rc == nil {
			return // cancelled
		}
		Run(a.s.Ctx(), func(context.Context) (string, error) {
			return readLicenseFile(rc)
		}, func(text string, err error) {
			if err != nil {
				a.setResult(errorView(err))
				return
			}
			a.entry.SetText(text)
		})
	}, a.s.Win)
	// Show first: a FileDialog builds its window in Show, and Resize before that dereferences
	// the missing window (a nil pointer in FileDialog.MinSize that killed the app).
	d.Show()
	d.Resize(fitWindow(a.s.Win, fyne.NewSize(720, 520)))
}

func readLicenseFile(rc fyne.URIReadCloser) (string, error) {
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxLicenseFile+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w; check the file is readable and try again", rc.URI().Name(), err)
	}
	if len(b) > maxLicenseFile {
		return "", fmt.Errorf("%s is larger than %d KB, too big to be a license; pick the .lic file your vendor sent", rc.URI().Name(), maxLicenseFile>>10)
	}
	return string(b), nil
}

func (a *activationDialog) paste() {
	cb := a.s.App.Clipboard()
	if cb == nil {
		return
	}
	a.entry.SetText(cb.Content())
}

// preview shows what the checked license unlocks, against what is in force now.
func (a *activationDialog) preview(c checkedLicense) []fyne.CanvasObject {
	st, t := c.st, a.s.Tenant()
	p := st.License.Payload
	ents := st.Entitlements(t.CanAcceptPayments)
	head := widget.NewLabelWithStyle("Valid license: "+p.Plan.String()+" plan", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	items := []fyne.CanvasObject{
		container.NewHBox(widget.NewIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon())), head),
		detailsForm(st, t.Location()),
	}
	if n := pendingNote(a.lic, p, t); n != nil {
		items = append(items, n)
	} else if cur := a.s.licenseStatus(); cur.Active() && cur.License != nil && cur.License.Payload.TenantID == t.ID {
		items = append(items, note(theme.InfoIcon(), fmt.Sprintf("It replaces the active %s license %s.", cur.Plan, cur.License.Payload.LicenseID)))
	}
	if st.Err != nil || st.Banner != "" { // e.g. expiring soon, or a clock in doubt
		msg := st.Banner
		if msg == "" {
			msg = st.Err.Error()
		}
		items = append(items, note(theme.WarningIcon(), msg))
	}
	items = append(items, widget.NewLabelWithStyle("Features with this license", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		featureChanges(c.before, ents))
	return items
}

func note(icon fyne.Resource, text string) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, widget.NewIcon(icon), nil, l)
}

// detailsForm lists the license's terms in two columns so the features fit below without
// scrolling; instants are shown in the tenant's zone. The plan is in the heading above.
func detailsForm(st *license.Status, loc *time.Location) fyne.CanvasObject {
	p := st.License.Payload
	left := widget.NewForm(
		widget.NewFormItem("Tenant", widget.NewLabel(p.TenantID)),
		widget.NewFormItem("Licensee", widget.NewLabel(orDash(p.Licensee))),
		widget.NewFormItem("License ID", widget.NewLabel(p.LicenseID)),
	)
	expires := widget.NewLabel(expiryText(*st, loc))
	expires.Wrapping = fyne.TextWrapWord
	right := widget.NewForm(
		widget.NewFormItem("Expires", expires),
		widget.NewFormItem("History", widget.NewLabel(historyText(st.Entitlements(false)))),
	)
	return container.NewGridWithColumns(2, left, right)
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// expiryText is the expiry date with the days left and the grace period.
func expiryText(st license.Status, loc *time.Location) string {
	p := st.License.Payload
	if p.ExpiresAt.IsZero() {
		return "Never"
	}
	s := license.FormatLicenseTime(p.ExpiresAt, loc)
	if st.Active() && st.State != license.StateGrace {
		s += fmt.Sprintf(" (%s left)", days(st.DaysLeft))
	}
	if p.GraceDays > 0 {
		s += fmt.Sprintf(", then %s of grace", days(p.GraceDays))
	}
	return s
}

// days words a count of days; far-off expiries read in years (license.DaysText).
func days(n int) string { return license.DaysText(n) }

func historyText(e license.Entitlements) string {
	n, unlimited := e.HistoryDays()
	if unlimited {
		return "Unlimited"
	}
	return "Last " + days(n)
}

// featureChanges lists every feature with what the license does to it: newly unlocked, still
// included, or still locked (with the reason, e.g. a tenant without payments).
func featureChanges(now, with license.Entitlements) fyne.CanvasObject {
	var rows []fyne.CanvasObject
	for _, f := range license.Features() {
		before, after := now.Can(f.Code), with.Can(f.Code)
		var icon fyne.Resource
		var status string
		switch {
		case after.Allowed && !before.Allowed:
			icon, status = theme.NewSuccessThemedResource(theme.ConfirmIcon()), "unlocked by this license"
		case after.Allowed:
			icon, status = theme.ConfirmIcon(), "included"
		case before.Allowed:
			icon, status = theme.NewErrorThemedResource(theme.CancelIcon()), "not included: you would lose it"
		default:
			icon, status = lockIcon, lockedReason(after)
		}
		name := widget.NewLabelWithStyle(f.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		rows = append(rows, container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(icon), name), nil, widget.NewLabel(status)))
	}
	return container.NewGridWithColumns(2, rows...)
}

// lockedReason words a refusal briefly for a list row.
func lockedReason(d license.Decision) string {
	var ue *license.UpgradeError
	if !errors.As(d.Err, &ue) {
		return "locked"
	}
	switch {
	case ue.MissingPlan && ue.MissingPayments:
		return "locked: needs " + ue.Required.String() + " and a tenant that accepts payments"
	case ue.MissingPayments:
		return "locked: needs a tenant that accepts payments"
	case ue.Revoked:
		return "locked: turned off by the license"
	default:
		return "locked: needs " + ue.Required.String()
	}
}

// errorView words a license failure in plain language, then its sentence, fix and code.
func errorView(err error) fyne.CanvasObject {
	var le *license.Error
	if !errors.As(err, &le) {
		return note(theme.NewErrorThemedResource(theme.ErrorIcon()), err.Error())
	}
	title := widget.NewLabelWithStyle(plainWords(le.Code), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	msg := widget.NewLabel(le.Msg)
	msg.Wrapping = fyne.TextWrapWord
	fix := widget.NewLabel(le.Fix)
	fix.Wrapping = fyne.TextWrapWord
	code := widget.NewLabel("Error code " + string(le.Code))
	code.SizeName = theme.SizeNameCaptionText
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.NewErrorThemedResource(theme.ErrorIcon()))), nil,
		container.NewVBox(title, msg, fix, code))
}

// plainWords is the headline for each failure code, for people who never saw a license file.
func plainWords(c license.Code) string {
	switch c {
	case license.CodeMalformed:
		return "This is not a complete license text."
	case license.CodeUnsupportedVersion:
		return "This license needs a newer version of Almanac."
	case license.CodeUnknownPlan:
		return "This license names a plan this version of Almanac does not know."
	case license.CodeNoTrustedKeys, license.CodeUnknownKey:
		return "This copy of Almanac does not recognise who signed this license."
	case license.CodeRetiredKey:
		return "This license was signed with a key that is no longer used."
	case license.CodeBadSignature:
		return "This license was changed or damaged after it was issued."
	case license.CodeWrongTenant:
		return "This license is for a different business."
	case license.CodeNotYetValid:
		return "This license has not started yet."
	case license.CodeExpired:
		return "This license has expired."
	case license.CodeClockRollback:
		return "This computer's clock looks wrong."
	case license.CodeStorage:
		return "The license could not be saved."
	default:
		return "This license cannot be used."
	}
}
