package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

const licenseUsageText = `usage: almanac license COMMAND [flags]

Commands:
  activate FILE|-   verify a license (from FILE, or stdin with -) and save it for the tenant it was issued to
  show [--json]     print the plan in force for the active tenant, the license state and what every feature needs
  remove [--tenant ID]  remove a tenant's license: back to FREE; nothing local is deleted

Licenses are kept per tenant: a license for a tenant that is not active, or not synced yet,
is saved and applies when that tenant is active. The demo tenant uses any license in force
saved in this home, so you can try what you bought before the first sync.

Run almanac license COMMAND -h for details.
`

// runLicense runs `almanac license ...`. Refused licenses exit 4 with the
// coded message; the previously active license then stays active.
func runLicense(env *Env, args []string) error {
	if len(args) == 0 {
		return usageErr("license: missing command; use activate, show or remove (see almanac license -h)")
	}
	switch args[0] {
	case "activate":
		return licenseActivate(env, args[1:])
	case "show":
		return licenseShow(env, args[1:])
	case "remove":
		return licenseRemove(env, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(env.Stdout, licenseUsageText)
		return nil
	}
	return usageErr("license: unknown command %q; use activate, show or remove", args[0])
}

// licenseFlags parses a subcommand's flags. -h prints help to stdout and
// reports done; other mistakes are usage errors.
func licenseFlags(env *Env, fs *flag.FlagSet, args []string, help string) (done bool, err error) {
	fs.SetOutput(io.Discard)
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(env.Stdout, help)
		fs.SetOutput(env.Stdout)
		fs.PrintDefaults()
		return true, nil
	}
	if err != nil {
		return false, usageErr("%s: %v (see almanac %s -h)", fs.Name(), err, fs.Name())
	}
	return false, nil
}

func licenseActivate(env *Env, args []string) error {
	fs := flag.NewFlagSet("license activate", flag.ContinueOnError)
	const help = "usage: almanac license activate FILE|-\n\n" +
		"Verifies the license in FILE (- reads stdin), checks it is in force, saves it for the tenant it\n" +
		"was issued to and prints what it unlocks. A license for a tenant that is not active, or not\n" +
		"synced yet, is saved and applies when that tenant is active. On failure it exits 4 and the\n" +
		"saved license stays.\n"
	if done, err := licenseFlags(env, fs, args, help); done || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("license activate: give exactly one FILE, or - to read the license from stdin")
	}
	text, err := licenseReadInput(env, fs.Arg(0))
	if err != nil {
		return err
	}
	active, ok, err := env.ActiveTenant()
	if err != nil {
		return fmt.Errorf("license activate: %w", err)
	}
	loc := time.Local
	if ok {
		loc = active.Location()
	}
	m := env.Licenses(loc)
	st, err := m.Activate(text)
	if err != nil {
		return licenseErr(err)
	}
	licensePrintActivated(env.Stdout, *st, licensePayments(env, st.License.Payload.TenantID, active), loc)
	licensePrintWhere(env, m, st.License.Payload.TenantID, active, ok)
	return nil
}

// licensePayments is whether the license's tenant accepts payments, as far as this home
// knows; a tenant not synced yet is assumed to, so nothing is shown locked that may not be.
func licensePayments(env *Env, tenantID string, active data.Tenant) bool {
	if tenantID == active.ID {
		return active.CanAcceptPayments
	}
	list, _ := store.Tenants(env.ctx(), env.home())
	for _, e := range list {
		if e.ID == tenantID {
			return e.CanAcceptPayments
		}
	}
	return true
}

// licensePrintWhere says which tenant the saved license applies to and when.
func licensePrintWhere(env *Env, m *license.Manager, tenantID string, active data.Tenant, hasActive bool) {
	w := env.Stdout
	kept := licenseKnownTenant(env, tenantID)
	switch {
	case hasActive && tenantID == active.ID:
		return
	case hasActive && active.IsDemo && licenseUsedBy(m, active.ID) == tenantID:
		fmt.Fprintf(w, "Saved for tenant %s. The demo tenant uses it now, so you can try it; it applies to your own data once tenant %s is active.\n", tenantID, tenantID)
	case kept:
		fmt.Fprintf(w, "Saved for tenant %s; it applies when that tenant is active: almanac tenant use %s\n", tenantID, tenantID)
	default:
		fmt.Fprintf(w, "Saved for tenant %s, which this home has not synced yet; it applies once its first sync makes it active: almanac sync --server URL --token-file FILE\n", tenantID)
	}
}

// licenseUsedBy is the tenant whose license is in force for id ("" for none).
func licenseUsedBy(m *license.Manager, id string) string {
	if st := m.Status(id); st.Active() && st.License != nil {
		return st.License.Payload.TenantID
	}
	return ""
}

func licenseKnownTenant(env *Env, id string) bool {
	list, _ := store.Tenants(env.ctx(), env.home())
	for _, e := range list {
		if e.ID == id {
			return true
		}
	}
	return false
}

func licenseReadInput(env *Env, name string) ([]byte, error) {
	text, err := license.ReadText(name, env.Stdin)
	if err != nil {
		return nil, fmt.Errorf("license activate: %w", err)
	}
	return text, nil
}

func licensePrintActivated(w io.Writer, st license.Status, payments bool, loc *time.Location) {
	p := st.License.Payload
	who := "tenant " + p.TenantID
	if p.Licensee != "" {
		who += " (" + p.Licensee + ")"
	}
	fmt.Fprintf(w, "Activated %s license %s for %s.\n", p.Plan, termSafe(p.LicenseID), termSafe(who))
	fmt.Fprintf(w, "Expires: %s.\n", licenseExpiry(st, loc))
	e := st.Entitlements(payments)
	fmt.Fprintf(w, "History: %s.\n", licenseHistory(e))
	var unlocked, locked []string
	for _, f := range license.Features() {
		d := e.Can(f.Code)
		if d.Allowed {
			unlocked = append(unlocked, f.Name)
		} else {
			locked = append(locked, f.Name+" ("+licenseLockReason(d)+")")
		}
	}
	fmt.Fprintf(w, "Unlocked: %s\n", licenseList(unlocked))
	if len(locked) > 0 {
		fmt.Fprintf(w, "Locked: %s\n", strings.Join(locked, ", "))
	}
	licensePrintNotes(w, st)
}

func licenseShow(env *Env, args []string) error {
	fs := flag.NewFlagSet("license show", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON: plan, state, license fields, history_days (null when unlimited), development_build and features")
	const help = "usage: almanac license show [--json]\n\nPrints the plan in force for the active tenant, the license state and what every feature needs.\n\nFlags:\n"
	if done, err := licenseFlags(env, fs, args, help); done || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("license show: unexpected argument %q", fs.Arg(0))
	}
	_, t, err := env.OpenStore()
	if err != nil {
		return fmt.Errorf("license show: %w", err)
	}
	st := env.Licenses(t.Location()).Status(t.ID)
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(license.Summarize(st, st.Entitlements(t.CanAcceptPayments)))
	}
	licensePrintStatus(env.Stdout, st, t.CanAcceptPayments, t.Location())
	if t.IsDemo {
		licensePrintDemoNote(env.Stdout, st)
	}
	return nil
}

// licensePrintDemoNote explains licenses on the demo tenant, whose id no license is issued for.
func licensePrintDemoNote(w io.Writer, st license.Status) {
	if st.Active() && st.License != nil && st.License.Payload.TenantID != data.DemoTenantID {
		fmt.Fprintf(w, "\nDemo data: trying the license saved for tenant %s. It applies to your own data when that tenant is active (after its first sync).\n",
			st.License.Payload.TenantID)
	}
	fmt.Fprintln(w, "\n"+demoLicenseNote)
}

// demoLicenseNote is what the demo tenant says about licenses wherever it shows its id.
const demoLicenseNote = "This is the built-in demo tenant. A license is issued for your business's own tenant id, " +
	"which the first sync shows (almanac sync --server URL --token-file FILE); send that id to your vendor, not \"demo\"."

func licensePrintStatus(out io.Writer, st license.Status, payments bool, loc *time.Location) {
	e := st.Entitlements(payments)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "Plan:\t%s\n", e.Plan())
	fmt.Fprintf(w, "State:\t%s\n", st.State)
	if st.License != nil && st.State != license.StateNone {
		p := st.License.Payload
		fmt.Fprintf(w, "License:\t%s for tenant %s\n", termSafe(p.LicenseID), termSafe(p.TenantID))
		if p.Licensee != "" {
			fmt.Fprintf(w, "Licensee:\t%s\n", termSafe(p.Licensee))
		}
		fmt.Fprintf(w, "Expires:\t%s\n", licenseExpiry(st, loc))
	}
	fmt.Fprintf(w, "History:\t%s\n", licenseHistory(e))
	fmt.Fprintf(w, "Build:\t%s\n", licenseBuild())
	fmt.Fprintln(w, "Features:")
	for _, f := range license.Features() {
		d := e.Can(f.Code)
		state := "unlocked"
		if !d.Allowed {
			state = "locked: " + licenseLockReason(d)
		}
		fmt.Fprintf(w, "  %s\t%s\n", f.Name, state)
	}
	w.Flush()
	licensePrintNotes(out, st)
}

func licenseRemove(env *Env, args []string) error {
	fs := flag.NewFlagSet("license remove", flag.ContinueOnError)
	tenantFlag := fs.String("tenant", "", "the tenant whose license to remove (default: the active tenant)")
	const help = "usage: almanac license remove [--tenant ID]\n\nRemoves the license saved for a tenant (default: the active one). That tenant goes back to FREE;\nreports, exports and data are kept.\n\nFlags:\n"
	if done, err := licenseFlags(env, fs, args, help); done || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("license remove: unexpected argument %q", fs.Arg(0))
	}
	id, loc, err := licenseRemoveTarget(env, *tenantFlag)
	if err != nil {
		return err
	}
	m := env.Licenses(loc)
	l, readErr := m.Stored(id) // an unreadable file is removed all the same
	if l == nil && readErr == nil {
		licenseNothingToRemove(env, m, id)
		return nil
	}
	if err := m.Remove(id); err != nil {
		return fmt.Errorf("license remove: %w", err)
	}
	what := "the saved license file"
	if l != nil {
		what = fmt.Sprintf("%s license %s", l.Payload.Plan, termSafe(l.Payload.LicenseID))
	}
	fmt.Fprintf(env.Stdout, "Removed %s of tenant %s. That tenant is on FREE now; nothing else was deleted.\n", what, id)
	return nil
}

func licenseRemoveTarget(env *Env, flagTenant string) (string, *time.Location, error) {
	if flagTenant != "" {
		if !data.ValidTenantID(flagTenant) {
			return "", nil, usageErr("license remove: --tenant %q is not a tenant id: use one that 'almanac tenant list' or 'almanac license show' names", flagTenant)
		}
		return flagTenant, time.Local, nil
	}
	_, t, err := env.OpenStore()
	if err != nil {
		return "", nil, fmt.Errorf("license remove: %w", err)
	}
	return t.ID, t.Location(), nil
}

// licenseNothingToRemove also says where the demo's borrowed license lives.
func licenseNothingToRemove(env *Env, m *license.Manager, id string) {
	if st := m.Status(id); st.License != nil && st.License.Payload.TenantID != id {
		lt := st.License.Payload.TenantID
		fmt.Fprintf(env.Stdout, "Tenant %s has no license of its own; it uses the one saved for tenant %s. Remove that with: almanac license remove --tenant %s\n", id, lt, lt)
		return
	}
	fmt.Fprintf(env.Stdout, "No license is saved for tenant %s; nothing to remove.\n", id)
}

// licenseExpiry words the expiry in the tenant's zone (see license.FormatLicenseTime).
func licenseExpiry(st license.Status, loc *time.Location) string {
	if st.ExpiresAt.IsZero() {
		return "never"
	}
	at := license.FormatLicenseTime(st.ExpiresAt, loc)
	switch st.State {
	case license.StateGrace:
		return fmt.Sprintf("%s (grace until %s, %s left)", at, license.FormatLicenseTime(st.GraceUntil, loc), license.DaysText(st.DaysLeft))
	case license.StateExpired:
		return at + " (expired)"
	}
	return fmt.Sprintf("%s (%s left)", at, license.DaysText(st.DaysLeft))
}

func licenseHistory(e license.Entitlements) string {
	if days, unlimited := e.HistoryDays(); !unlimited {
		return fmt.Sprintf("last %d days", days)
	}
	return "unlimited"
}

func licenseBuild() string {
	if license.DevelopmentBuild() {
		return "development build (trusts the insecure development key)"
	}
	return "release build"
}

// licenseLockReason says in a few words what would unlock a feature.
func licenseLockReason(d license.Decision) string {
	var ue *license.UpgradeError
	if !errors.As(d.Err, &ue) {
		return d.Reason
	}
	var why []string
	switch {
	case ue.Revoked:
		why = append(why, "turned off by the license")
	case ue.MissingPlan:
		why = append(why, "needs "+ue.Required.String())
	}
	if ue.MissingPayments {
		why = append(why, "needs a tenant that accepts payments")
	}
	return strings.Join(why, "; ")
}

func licenseList(names []string) string {
	if len(names) == 0 {
		return "-"
	}
	return strings.Join(names, ", ")
}

// licensePrintNotes adds the banner and, for a development license, says so.
func licensePrintNotes(w io.Writer, st license.Status) {
	if st.Banner != "" {
		fmt.Fprintf(w, "\n%s\n", termSafe(st.Banner))
	}
	if st.License != nil && st.License.KID == license.DevKeyID {
		fmt.Fprintln(w, "Note: this license is signed with the insecure development key; release builds refuse it.")
	}
}
