package main

import (
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/almanac-app/almanac/license"
)

func (t *tool) inspect(args []string) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	keysFile := fs.String("keys", "", "verify against this key list (\"KID BASE64\" lines) or KID.pub file instead of the keys this build trusts")
	if done, err := t.parseFlags(fs, args, "inspect [--keys FILE] FILE|-"); done || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("inspect: give exactly one license FILE, or - for stdin")
	}
	keys, keysName, err := t.inspectKeys(*keysFile)
	if err != nil {
		return err
	}
	text, err := t.readInput(fs.Arg(0))
	if err != nil {
		return err
	}
	return t.report(text, keys, keysName)
}

// report prints every field and the verdict: the error activating the
// license now would give, ignoring only the tenant (which inspect cannot know).
func (t *tool) report(text []byte, keys license.KeySet, keysName string) error {
	w := tabwriter.NewWriter(t.stdout, 0, 0, 2, ' ', 0)
	defer w.Flush()
	fmt.Fprintf(w, "Trusted keys:\t%s\n", keysName)
	l, err := license.Parse(text)
	if err != nil {
		return t.verdict(w, err)
	}
	printLicense(w, l, t.now())
	if err := license.Verify(l, keys); err != nil {
		return t.verdict(w, err)
	}
	st := license.Evaluate(l, l.Payload.TenantID, t.now(), time.Time{})
	fmt.Fprintf(w, "State now:\t%s\n", describeState(st))
	if !st.Active() && st.Err != nil {
		return t.verdict(w, st.Err)
	}
	if st.State == license.StateGrace {
		return t.verdict(w, fmt.Errorf("EXPIRED: past its expiry; Almanac keeps an active license working in grace but refuses to activate it"))
	}
	fmt.Fprintf(w, "Verdict:\tOK: genuine (signed by trusted key %s) and in force now\n", l.KID)
	return nil
}

func (t *tool) verdict(w *tabwriter.Writer, err error) error {
	fmt.Fprintf(w, "Verdict:\tREJECTED: %v\n", err)
	return rejectedError{err}
}

func printLicense(w io.Writer, l *license.License, now time.Time) {
	p := l.Payload
	if p.LicenseID == "" { // a decoded payload always has one: this one did not decode
		fmt.Fprintf(w, "Format:\tv%d\nKey ID:\t%s\nPayload:\tnot readable (the verdict says why)\n", l.V, l.KID)
		return
	}
	rows := [][2]string{
		{"Format", fmt.Sprintf("v%d", l.V)},
		{"Key ID", l.KID},
		{"License ID", p.LicenseID},
		{"Tenant", p.TenantID},
		{"Licensee", orDash(p.Licensee)},
		{"Plan", p.Plan.String()},
		{"Issued", stamp(p.IssuedAt, now)},
		{"Not before", stamp(p.NotBefore, now)},
		{"Expires", stamp(p.ExpiresAt, now)},
		{"Grace", fmt.Sprintf("%d days (until %s)", p.GraceDays, stamp(p.GraceUntil(), now))},
		{"Features", formatFeatures(p.Features)},
		{"Limits", formatLimits(p.Limits)},
		{"Upgrade URL", orDash(p.UpgradeURL)},
	}
	for _, r := range rows {
		fmt.Fprintf(w, "%s:\t%s\n", r[0], r[1])
	}
}

func stamp(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	rel := "ago"
	// Whole seconds, not time.Duration, which stops at about 292 years.
	days := float64(now.Unix()-t.Unix()) / (24 * 60 * 60)
	if days < 0 {
		rel, days = "from now", -days
	}
	return fmt.Sprintf("%s (%s; %.1f days %s)", t.UTC().Format(time.RFC3339), license.FormatDateTime(t, now.Location()), days, rel)
}

func formatFeatures(m map[string]bool) string {
	if len(m) == 0 {
		return "plan defaults"
	}
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(m)) {
		sign := "-"
		if m[code] {
			sign = "+"
		}
		parts = append(parts, sign+code)
	}
	return strings.Join(parts, " ")
}

func formatLimits(m map[string]int) string {
	if len(m) == 0 {
		return "plan defaults"
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(m)) {
		v := fmt.Sprint(m[name])
		if m[name] < 0 {
			v = "unlimited"
		}
		parts = append(parts, name+"="+v)
	}
	return strings.Join(parts, " ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// inspectKeys picks the keys to verify against and names them for the report.
func (t *tool) inspectKeys(file string) (license.KeySet, string, error) {
	if file == "" {
		keys := license.TrustedKeys()
		name := "this build's (release build)"
		if license.DevelopmentBuild() {
			name = "this build's (development build: trusts " + license.DevKeyID + ")"
		}
		return keys, name, nil
	}
	text, err := os.ReadFile(file)
	if err != nil {
		return license.KeySet{}, "", fmt.Errorf("inspect: %w", err)
	}
	if pub, err := license.ParsePublicKey(text); err == nil { // a KID.pub file
		kid := strings.TrimSuffix(filepath.Base(file), ".pub")
		keys, err := license.NewKeySet(license.PublicKey{KID: kid, Key: pub})
		if err != nil {
			return license.KeySet{}, "", fmt.Errorf("inspect: --keys %s: %w", file, err)
		}
		return keys, file, nil
	}
	keys, err := license.ParseKeySet(text)
	if err != nil {
		return license.KeySet{}, "", fmt.Errorf("inspect: --keys %s: %w", file, err)
	}
	return keys, file, nil
}

func (t *tool) readInput(name string) ([]byte, error) {
	text, err := license.ReadText(name, t.stdin)
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	return text, nil
}

// describeState words a state for the report, as of now and ignoring tenant.
func describeState(st license.Status) string {
	s := string(st.State)
	switch {
	case st.State == license.StateValid && st.ExpiresAt.IsZero():
		s += " (never expires)"
	case st.DaysLeft > 0:
		s += " (" + license.DaysText(st.DaysLeft) + " left)"
	}
	if st.Banner != "" {
		s += ": " + st.Banner
	}
	return s
}
