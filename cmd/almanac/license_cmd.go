package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/almanac-app/almanac/license"
)

const licenseUsageText = `usage: almanac license COMMAND [flags]

Commands:
  activate FILE|-   verify a license (from FILE, or stdin with -) for the active tenant and make it active
  show [--json]     print the plan in force, the license state and what every feature needs
  remove            deactivate the license: back to FREE; nothing local is deleted

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

func licenseManager(env *Env) *license.Manager {
	return license.NewManager(filepath.Join(env.Home, "license"), env.Now)
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
		"Verifies the license in FILE (- reads stdin), checks it is for the active tenant and in force,\n" +
		"saves it and prints what it unlocks. On failure it exits 4 and the active license stays.\n"
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
	tenant, payments, err := env.TenantInfo()
	if err != nil {
		return fmt.Errorf("license activate: %w", err)
	}
	st, err := licenseManager(env).Activate(text, tenant)
	if err != nil {
		return licenseErr(err)
	}
	licensePrintActivated(env.Stdout, *st, payments, licenseZone(env))
	return nil
}

func licenseReadInput(env *Env, name string) ([]byte, error) {
	r := env.Stdin
	if name == "-" && r == nil {
		return nil, errors.New("license activate: no standard input to read the license from; give a FILE")
	}
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("license activate: %w", err)
		}
		defer f.Close()
		r = f
	}
	// One byte past the cap lets the parser report an oversized file.
	text, err := io.ReadAll(io.LimitReader(r, license.MaxLicenseSize+1))
	if err != nil {
		return nil, fmt.Errorf("license activate: read %s: %w", name, err)
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
	tenant, payments, err := env.TenantInfo()
	if err != nil {
		return fmt.Errorf("license show: %w", err)
	}
	st := licenseManager(env).Status(tenant)
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(license.Summarize(st, st.Entitlements(payments)))
	}
	licensePrintStatus(env.Stdout, st, payments, licenseZone(env))
	return nil
}

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
	const help = "usage: almanac license remove\n\nDeactivates the license. Almanac goes back to FREE; reports, exports and data are kept.\n"
	if done, err := licenseFlags(env, fs, args, help); done || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("license remove: unexpected argument %q", fs.Arg(0))
	}
	m := licenseManager(env)
	l, readErr := m.Stored() // an unreadable file is removed all the same
	if l == nil && readErr == nil {
		fmt.Fprintln(env.Stdout, "No license is active; nothing to remove.")
		return nil
	}
	if err := m.Remove(); err != nil {
		return fmt.Errorf("license remove: %w", err)
	}
	what := "the saved license file"
	if l != nil {
		what = fmt.Sprintf("%s license %s", l.Payload.Plan, termSafe(l.Payload.LicenseID))
	}
	fmt.Fprintf(env.Stdout, "Removed %s. Almanac is on FREE now; nothing else was deleted.\n", what)
	return nil
}

// licenseZone is where expiry times are shown: the zone of env.Now, the
// user's local zone in normal runs.
func licenseZone(env *Env) *time.Location {
	if env.Now == nil {
		return time.Local
	}
	return env.Now().Location()
}

// licenseExpiry words the expiry in the user's zone.
func licenseExpiry(st license.Status, loc *time.Location) string {
	if st.ExpiresAt.IsZero() {
		return "never"
	}
	at := st.ExpiresAt.In(loc).Format("2 Jan 2006 15:04 MST")
	switch st.State {
	case license.StateGrace:
		return fmt.Sprintf("%s (grace until %s, %d days left)", at, st.GraceUntil.In(loc).Format("2 Jan 2006 15:04 MST"), st.DaysLeft)
	case license.StateExpired:
		return at + " (expired)"
	}
	return fmt.Sprintf("%s (%d days left)", at, st.DaysLeft)
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
