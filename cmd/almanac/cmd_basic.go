package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

func runVersion(env *Env, args []string) error {
	fs := newFlags("version", "")
	if done, err := parseFlags(env, fs, "Usage: almanac version\n\nPrints the version and whether this is a development build.", args); done || err != nil {
		return err
	}
	kind := "release build"
	if license.DevelopmentBuild() {
		kind = "development build (trusts the insecure development license key)"
	}
	fmt.Fprintf(env.Stdout, "almanac %s, %s, schema v%d\n", Version, kind, data.LatestSchemaVersion())
	return nil
}

const demoUsage = `Usage: almanac demo [--appointments N] [--seed S] [--today YYYY-MM-DD] [--timezone ZONE]

Builds the deterministic demo tenant (same flags, same rows) and makes it active. It is built
into a new file and replaces the previous demo store only when complete.`

func runDemo(env *Env, args []string) error {
	fs := newFlags("demo", demoUsage)
	n := fs.Int("appointments", 50_000, "number of appointments over the two years before --today and the four weeks after")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same rows")
	today := fs.String("today", "", "the demo's today, YYYY-MM-DD (default: today)")
	tz := fs.String("timezone", "America/New_York", "the tenant's IANA time zone")
	if done, err := parseFlags(env, fs, demoUsage, args); done || err != nil {
		return err
	}
	o := data.DemoOptions{Appointments: *n, Seed: *seed, TimeZone: *tz}
	if *n <= 0 {
		return usageErr("demo: --appointments %d: use a number from 1 to 20000000", *n)
	}
	if *today != "" {
		d, err := time.Parse(data.DateLayout, *today)
		if err != nil {
			return usageErr("demo: --today %q is not a date: use YYYY-MM-DD", *today)
		}
		o.Today = d
	}
	if _, err := time.LoadLocation(*tz); err != nil || *tz == "" {
		return usageErr("demo: --timezone %q is not a time zone: use an IANA name such as America/New_York", *tz)
	}
	start := time.Now()
	o.Progress = func(done, total int) {
		fmt.Fprintf(env.Stderr, "\rdemo: %d of %d appointments", done, total)
	}
	t, err := data.BuildDemo(env.ctx(), env.home(), o)
	fmt.Fprintln(env.Stderr)
	if errors.Is(err, data.ErrActiveChanged) {
		return fmt.Errorf("demo: %w", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Built demo tenant %q (%s) with %d appointments in %.1fs: %s\n",
		t.Name, t.ID, *n, time.Since(start).Seconds(), env.home().TenantPath(t.ID))
	return nil
}

const tenantUsage = `Usage: almanac tenant [--json]

Shows the active tenant: id, name, time zone, currency, whether it accepts payments, the last
sync, the store's path and its row counts.`

// tenantJSON is the contract shape of 'almanac tenant --json'.
type tenantJSON struct {
	ID                string      `json:"id"`
	Name              string      `json:"name"`
	TimeZone          string      `json:"timezone"`
	Currency          string      `json:"currency"`
	CanAcceptPayments bool        `json:"can_accept_payments"`
	LastSyncAt        *string     `json:"last_sync_at"`
	DBPath            string      `json:"db_path"`
	Counts            data.Counts `json:"counts"`
}

func runTenant(env *Env, args []string) error {
	fs := newFlags("tenant", tenantUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	if done, err := parseFlags(env, fs, tenantUsage, args); done || err != nil {
		return err
	}
	st, t, err := env.OpenStore()
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := st.Counts(env.ctx())
	if err != nil {
		return err
	}
	out := tenantJSON{ID: t.ID, Name: t.Name, TimeZone: t.TimeZone, Currency: t.Currency,
		CanAcceptPayments: t.CanAcceptPayments, DBPath: st.Path(), Counts: c}
	if t.LastSyncAt != nil {
		s := t.LastSyncAt.In(t.Location()).Format(time.RFC3339)
		out.LastSyncAt = &s
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	printTenant(env, out, t.IsDemo)
	return nil
}

func printTenant(env *Env, t tenantJSON, demo bool) {
	last := "never (demo data)"
	if t.LastSyncAt != nil {
		last = *t.LastSyncAt
	} else if !demo {
		last = "never"
	}
	rows := [][2]string{{"Tenant", fmt.Sprintf("%s (%s)", t.Name, t.ID)}, {"Time zone", t.TimeZone}, {"Currency", t.Currency},
		{"Accepts payments", yesNo(t.CanAcceptPayments)}, {"Last sync", last}, {"Store", t.DBPath}}
	for _, r := range rows {
		fmt.Fprintf(env.Stdout, "%-17s %s\n", r[0]+":", r[1])
	}
	c := t.Counts
	fmt.Fprintf(env.Stdout, "%-17s %s\n", "Rows:", strings.Join([]string{
		fmt.Sprintf("%d appointments", c.Appointments), fmt.Sprintf("%d customers", c.Customers),
		fmt.Sprintf("%d resources", c.Resources), fmt.Sprintf("%d services", c.Services),
		fmt.Sprintf("%d payments", c.Payments), fmt.Sprintf("%d subscriptions", c.Subscriptions)}, ", "))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
