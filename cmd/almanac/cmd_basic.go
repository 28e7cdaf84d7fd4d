package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"

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
	fmt.Fprintf(env.Stdout, "almanac %s, %s, schema v%d\n", Version, kind, store.LatestSchemaVersion())
	return nil
}

const demoUsage = `Usage: almanac demo [--appointments N] [--seed S] [--today YYYY-MM-DD] [--timezone ZONE]

Builds the deterministic demo tenant (same flags, same rows) and makes it active. It is built
into a new file and replaces the previous demo store only when complete; a store that came from
a sync is never replaced. Other tenants are kept: 'almanac tenant use ID' switches back.`

func runDemo(env *Env, args []string) error {
	fs := newFlags("demo", demoUsage)
	n := fs.Int("appointments", 50_000, "number of appointments over the two years before --today and the four weeks after")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same rows")
	today := fs.String("today", "", "the demo's today, YYYY-MM-DD (default: today in --timezone)")
	tz := fs.String("timezone", "America/New_York", "the tenant's IANA time zone")
	if done, err := parseFlags(env, fs, demoUsage, args); done || err != nil {
		return err
	}
	o := demo.Options{Appointments: *n, Seed: *seed, TimeZone: *tz, Now: env.Now()}
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
	if stop := startCPUProfile(env); stop != nil {
		defer stop()
	}
	t, err := buildDemo(env, o)
	if errors.Is(err, demo.ErrActiveChanged) {
		return fmt.Errorf("demo: %w", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Built demo tenant %q (%s) with %d appointments in %.1fs: %s\n",
		t.Name, t.ID, *n, time.Since(start).Seconds(), env.home().TenantPath(t.ID))
	if list, _ := store.Tenants(env.ctx(), env.home()); len(list) > 1 {
		fmt.Fprintln(env.Stdout, "The demo is the active tenant now; your other tenants are kept. Switch back with: almanac tenant use ID (see almanac tenant list)")
	}
	return nil
}

// buildDemo builds the demo tenant with its progress on stderr (demo and repair).
func buildDemo(env *Env, o demo.Options) (data.Tenant, error) {
	line := newProgress(env)
	o.Progress = func(done, total int) {
		line.show("appointments", fmt.Sprintf("demo: %d of %d appointments", done, total), done == total)
	}
	t, err := demo.Build(env.ctx(), env.home(), o)
	line.finish()
	return t, err
}

const tenantUsage = `Usage: almanac tenant [--json]
       almanac tenant list [--json]
       almanac tenant use ID

Shows the active tenant: id, name, time zone, currency, whether it accepts payments, the last
sync, the store's path and its row counts. 'list' shows every tenant kept in this home (id,
name, source demo or server, last sync, plan, active); 'use ID' makes one the active tenant,
for the app and every command. A license is issued for a tenant id: the one a sync shows, never
the built-in "demo".`

// tenantJSON is the contract shape of 'almanac tenant --json': the tenant's own JSON, its last
// sync in its time zone, the store's path and its row counts.
type tenantJSON struct {
	data.Tenant
	LastSyncAt *string     `json:"last_sync_at"`
	DBPath     string      `json:"db_path"`
	Counts     data.Counts `json:"counts"`
}

func runTenant(env *Env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "list":
			return runTenantList(env, args[1:])
		case "use":
			return runTenantUse(env, args[1:])
		}
	}
	fs := newFlags("tenant", tenantUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	if done, err := parseFlags(env, fs, tenantUsage, args); done || err != nil {
		if err != nil && fs.NArg() > 0 {
			return usageErr("tenant: unexpected argument %q: the commands are list and use ID (see almanac tenant -h)", fs.Arg(0))
		}
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
	out := tenantJSON{Tenant: t, DBPath: st.Path(), Counts: c}
	if t.LastSyncAt != nil {
		s := t.LastSyncAt.In(t.Location()).Format(time.RFC3339)
		out.LastSyncAt = &s
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	printTenant(env, out)
	return nil
}

func printTenant(env *Env, out tenantJSON) {
	t := out.Tenant
	last := "never (demo data)"
	if t.LastSyncAt != nil {
		last = license.FormatDateTime(*t.LastSyncAt, t.Location())
	} else if !t.IsDemo {
		last = "never"
	}
	rows := [][2]string{{"Tenant", fmt.Sprintf("%s (%s)", out.Name, out.ID)}, {"Source", data.TenantEntry{Tenant: t}.Source()}, {"Time zone", out.TimeZone},
		{"Currency", out.Currency}, {"Accepts payments", yesNo(out.CanAcceptPayments)}, {"Last sync", last}, {"Store", out.DBPath}}
	for _, r := range rows {
		fmt.Fprintf(env.Stdout, "%-17s %s\n", r[0]+":", termSafe(r[1]))
	}
	c := out.Counts
	fmt.Fprintf(env.Stdout, "%-17s %s\n", "Rows:", strings.Join([]string{
		fmt.Sprintf("%d appointments", c.Appointments), fmt.Sprintf("%d customers", c.Customers),
		fmt.Sprintf("%d resources", c.Resources), fmt.Sprintf("%d services", c.Services),
		fmt.Sprintf("%d payments", c.Payments), fmt.Sprintf("%d subscriptions", c.Subscriptions)}, ", "))
	if t.IsDemo {
		fmt.Fprintln(env.Stdout, "\n"+demoLicenseNote)
	}
}

// tenantListJSON is one element of 'almanac tenant list --json'.
type tenantListJSON struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Source     string  `json:"source"` // demo or server
	LastSyncAt *string `json:"last_sync_at"`
	Plan       string  `json:"plan"` // the plan in force for the tenant now
	Active     bool    `json:"active"`
	Error      string  `json:"error,omitempty"` // why the store could not be read
}

func runTenantList(env *Env, args []string) error {
	const usage = "Usage: almanac tenant list [--json]\n\nLists the tenants kept in this home: id, name, source (demo or server), last sync, plan, active."
	fs := newFlags("tenant list", usage)
	asJSON := fs.Bool("json", false, "print JSON")
	if done, err := parseFlags(env, fs, usage, args); done || err != nil {
		return err
	}
	list, err := store.Tenants(env.ctx(), env.home())
	if err != nil {
		return err
	}
	rows := make([]tenantListJSON, 0, len(list))
	for _, e := range list {
		rows = append(rows, tenantListRow(env, e))
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(env.Stdout, "No tenants in this home: run 'almanac demo' for the demo tenant or 'almanac sync' to pull yours.")
		return nil
	}
	printTenantList(env, list, rows)
	return nil
}

func tenantListRow(env *Env, e data.TenantEntry) tenantListJSON {
	r := tenantListJSON{ID: e.ID, Name: e.Name, Source: e.Source(), Active: e.Active,
		Plan: env.Entitlements(e.Tenant).Plan().String()}
	if e.LastSyncAt != nil {
		s := e.LastSyncAt.In(e.Location()).Format(time.RFC3339)
		r.LastSyncAt = &s
	}
	if e.Err != nil {
		r.Error = oneLine(e.Err.Error())
	}
	return r
}

func printTenantList(env *Env, list []data.TenantEntry, rows []tenantListJSON) {
	w := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "\tID\tNAME\tSOURCE\tLAST SYNC\tPLAN")
	for i, r := range rows {
		mark, last := "", "-"
		if r.Active {
			mark = "*"
		}
		if e := list[i]; e.LastSyncAt != nil {
			last = license.FormatDateTime(*e.LastSyncAt, e.Location())
		}
		name := r.Name
		if r.Error != "" {
			name = "(unreadable: " + r.Error + ")"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", mark, termSafe(r.ID), termSafe(name), r.Source, last, r.Plan)
	}
	w.Flush()
	fmt.Fprintln(env.Stdout, "\n* active. Switch with: almanac tenant use ID")
}

func runTenantUse(env *Env, args []string) error {
	const usage = "Usage: almanac tenant use ID\n\nMakes tenant ID (one that 'almanac tenant list' shows) the active tenant for the app and every command."
	fs := newFlags("tenant use", usage)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprintln(env.Stdout, usage)
			return nil
		}
		return usageErr("tenant use: %v (see almanac tenant use -h)", err)
	}
	if fs.NArg() != 1 {
		return usageErr("tenant use: give exactly one tenant ID; 'almanac tenant list' shows them")
	}
	t, err := store.UseTenant(env.ctx(), env.home(), fs.Arg(0))
	if errors.Is(err, data.ErrInvalid) || errors.Is(err, data.ErrNotFound) {
		return usageErr("tenant use: %w", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Tenant %s (%s) is active now; plan %s.\n", termSafe(t.ID), termSafe(t.Name), env.Entitlements(t).Plan())
	if t.IsDemo {
		fmt.Fprintln(env.Stdout, demoLicenseNote)
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
