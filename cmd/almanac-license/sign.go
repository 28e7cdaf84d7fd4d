package main

import (
	"crypto/ed25519"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/license/devkeys"
)

const signSynopsis = "sign (--key FILE | --dev) --tenant ID --plan PLAN --expires YYYY-MM-DD [--not-before YYYY-MM-DD] [--grace-days N] [--feature +code|-code]... [--limit name=value]... [--licensee NAME] [--upgrade-url URL] [--license-id ID] [--issued-at YYYY-MM-DD] [--out FILE]"

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type signFlags struct {
	key, tenant, plan, expires, notBefore, licensee, upgradeURL, licenseID, issuedAt, out string
	dev                                                                                   bool
	graceDays                                                                             int
	features, limits                                                                      listFlag
}

func (f *signFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.key, "key", "", "private key file (KID.key from keygen)")
	fs.BoolVar(&f.dev, "dev", false, "sign with the committed INSECURE development key (trusted only by development builds)")
	fs.StringVar(&f.tenant, "tenant", "", "tenant id the license is for")
	fs.StringVar(&f.plan, "plan", "", "FREE, STARTER, PROFESSIONAL, ENTERPRISE or INTERNAL")
	fs.StringVar(&f.expires, "expires", "", "last day of the license, YYYY-MM-DD (it runs to the end of that day everywhere on Earth), or an RFC 3339 instant")
	fs.StringVar(&f.notBefore, "not-before", "", "first day of the license, YYYY-MM-DD (from the start of that day everywhere), or an RFC 3339 instant")
	fs.IntVar(&f.graceDays, "grace-days", 14, "days everything keeps working after expiry")
	fs.Var(&f.features, "feature", "+code grants a feature, -code withholds it; repeatable")
	fs.Var(&f.limits, "limit", "name=value overrides a limit, e.g. history_days=180 or history_days=unlimited; repeatable")
	fs.StringVar(&f.licensee, "licensee", "", "customer name shown with the license")
	fs.StringVar(&f.upgradeURL, "upgrade-url", "", "where upgrade prompts link to")
	fs.StringVar(&f.licenseID, "license-id", "", "license id (default: a random ALM-…)")
	fs.StringVar(&f.issuedAt, "issued-at", "", "issue time, YYYY-MM-DD (midnight UTC) or RFC 3339 (default: now); for fixtures, since Almanac treats a clock far before the issue time as set back")
	fs.StringVar(&f.out, "out", "", "write the license to FILE instead of stdout")
}

func (t *tool) sign(args []string) error {
	var f signFlags
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	f.register(fs)
	if done, err := t.parseFlags(fs, args, signSynopsis); done || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("sign: unexpected argument %q", fs.Arg(0))
	}
	kid, priv, err := f.signingKey()
	if err != nil {
		return err
	}
	p, err := f.payload(t.now())
	if err != nil {
		return err
	}
	text, err := license.Sign(p, kid, priv)
	if err != nil {
		return err
	}
	if !p.ExpiresAt.After(t.now()) {
		fmt.Fprintf(t.stderr, "almanac-license: warning: this license expired on %s; Almanac will refuse it\n", p.ExpiresAt.Format(time.RFC3339))
	}
	if f.out == "" {
		_, err = t.stdout.Write(text)
		return err
	}
	if err := os.WriteFile(f.out, text, 0o644); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	fmt.Fprintf(t.stdout, "wrote %s: %s license for tenant %s, expires %s, signed with key %s\n",
		f.out, p.Plan, p.TenantID, p.ExpiresAt.Format(time.RFC3339), kid)
	return nil
}

func (f *signFlags) signingKey() (string, ed25519.PrivateKey, error) {
	var text []byte
	switch {
	case f.dev == (f.key != ""):
		return "", nil, usagef("sign: give exactly one of --key FILE and --dev")
	case f.dev:
		text = devkeys.PrivateKeyFile() // embedded: works from any directory
	default:
		b, err := os.ReadFile(f.key)
		if err != nil {
			return "", nil, fmt.Errorf("sign: %w", err)
		}
		text = b
	}
	kid, priv, err := license.ParsePrivateKey(text)
	if err != nil {
		return "", nil, fmt.Errorf("sign: %w", err)
	}
	return kid, priv, nil
}

func (f *signFlags) payload(now time.Time) (license.Payload, error) {
	p := license.Payload{
		LicenseID: f.licenseID, TenantID: f.tenant, Licensee: f.licensee,
		GraceDays: f.graceDays, UpgradeURL: f.upgradeURL, IssuedAt: now,
	}
	if f.tenant == "" || f.plan == "" || f.expires == "" {
		return p, usagef("sign: --tenant, --plan and --expires are required")
	}
	var err error
	if p.Plan, err = license.ParsePlan(f.plan); err != nil {
		return p, usagef("sign: --plan: %v", err)
	}
	if p.ExpiresAt, err = parseDay(f.expires, endOfDayAnywhere); err != nil {
		return p, usagef("sign: --expires: %v", err)
	}
	if f.issuedAt != "" {
		if p.IssuedAt, err = parseDay(f.issuedAt, func(d time.Time) time.Time { return d }); err != nil {
			return p, usagef("sign: --issued-at: %v", err)
		}
	}
	if f.notBefore != "" {
		if p.NotBefore, err = parseDay(f.notBefore, startOfDayAnywhere); err != nil {
			return p, usagef("sign: --not-before: %v", err)
		}
	}
	if p.Features, err = parseFeatures(f.features); err != nil {
		return p, err
	}
	p.Limits, err = parseLimits(f.limits)
	return p, err
}

// A date names a whole day, and customers live in every time zone, so a
// date-only expiry lasts until the day has ended everywhere (UTC-12) and a
// date-only start applies once it has begun anywhere (UTC+14). No customer
// loses access before the end of the named day on their own clock.
var (
	endOfDayAnywhere   = func(d time.Time) time.Time { return d.Add(24*time.Hour - time.Second).Add(12 * time.Hour) }
	startOfDayAnywhere = func(d time.Time) time.Time { return d.Add(-14 * time.Hour) }
)

// parseDay reads a date or an RFC 3339 instant. The zero instant is
// refused: a payload cannot hold it (for an expiry it means "never").
func parseDay(s string, day func(time.Time) time.Time) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if d, derr := time.Parse(time.DateOnly, s); derr == nil {
		t, err = day(d), nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither YYYY-MM-DD nor an RFC 3339 time", s)
	}
	if t.IsZero() {
		return time.Time{}, fmt.Errorf("%s is the zero instant, which a license cannot hold (as an expiry Almanac would read it as never expiring); give a real date", s)
	}
	return t.UTC(), nil
}

func parseFeatures(list []string) (map[string]bool, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := map[string]bool{}
	for _, v := range list {
		if len(v) < 2 || (v[0] != '+' && v[0] != '-') {
			return nil, usagef("sign: --feature %q: write +code to grant or -code to withhold", v)
		}
		code := v[1:]
		if _, ok := license.FeatureByCode(code); !ok {
			return nil, usagef("sign: --feature %q: unknown feature; known: %s", v, featureCodes())
		}
		out[code] = v[0] == '+'
	}
	return out, nil
}

func featureCodes() string {
	var codes []string
	for _, f := range license.Features() {
		codes = append(codes, f.Code)
	}
	return strings.Join(codes, ", ")
}

func parseLimits(list []string) (map[string]int, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := map[string]int{}
	for _, v := range list {
		name, value, ok := strings.Cut(v, "=")
		if !ok || !license.KnownLimit(name) {
			return nil, usagef("sign: --limit %q: write name=value with a known name (%s)", v, license.LimitHistoryDays)
		}
		if value == "unlimited" {
			out[name] = license.Unlimited
			continue
		}
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return nil, usagef("sign: --limit %q: the value must be a whole number >= 0 or \"unlimited\"", v)
		}
		out[name] = n
	}
	return out, nil
}
