package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// putSynced adds a tenant store to home as a sync leaves it (not demo data).
func putSynced(t *testing.T, home, id, name string) {
	t.Helper()
	h := data.Home{Dir: home}
	st, err := store.Open(context.Background(), h.TenantPath(id))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 15, 4, 0, 0, time.UTC)
	err = st.SetTenant(context.Background(), data.Tenant{ID: id, Name: name, TimeZone: "America/New_York", Currency: "USD",
		CanAcceptPayments: true, LastSyncAt: &at})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

func tenantList(t *testing.T, home string) map[string]tenantListJSON {
	t.Helper()
	code, out, errOut := licRun(t, home, "", "tenant", "list", "--json")
	if code != 0 {
		t.Fatalf("tenant list --json: exit %d: %s", code, errOut)
	}
	var rows []tenantListJSON
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("tenant list --json: %v\n%s", err, out)
	}
	m := map[string]tenantListJSON{}
	for _, r := range rows {
		m[r.ID] = r
	}
	return m
}

// The owner's first week: a license for their own tenant is activated on the demo, tried on
// the demo, and applies to their data once the tenant is there and active.
func TestLicenseForTenantNotSyncedYet(t *testing.T) {
	licNeedsDevKey(t)
	home := licHome(t)
	text := licDevSign(t, func(p *license.Payload) { p.TenantID, p.Plan = "maple-1", license.Enterprise })
	code, out, errOut := licRun(t, home, "", "license", "activate", licWrite(t, text))
	if code != 0 {
		t.Fatalf("activate for a tenant not synced yet: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Saved for tenant maple-1. The demo tenant uses it now") {
		t.Errorf("activate output lacks the notice:\n%s", out)
	}
	if m := licShow(t, home); m["plan"] != "ENTERPRISE" || m["tenant_id"] != "maple-1" {
		t.Errorf("the demo does not try the saved license: %v", m)
	}
	_, out, _ = licRun(t, home, "", "license", "show")
	if !strings.Contains(out, "Demo data: trying the license saved for tenant maple-1") || !strings.Contains(out, "own tenant id") {
		t.Errorf("license show on the demo lacks its notes:\n%s", out)
	}

	putSynced(t, home, "maple-1", "Maple Street Wellness")
	putSynced(t, home, "other-2", "Other Business")
	list := tenantList(t, home)
	if r := list["maple-1"]; r.Plan != "ENTERPRISE" || r.Active || r.Source != "server" || r.LastSyncAt == nil || r.Name != "Maple Street Wellness" {
		t.Errorf("maple-1 row: %+v", r)
	}
	if r := list["other-2"]; r.Plan != "FREE" {
		t.Errorf("other-2 row: %+v (a license for another tenant applied)", r)
	}
	if r := list["demo"]; !r.Active || r.Source != "demo" || r.Plan != "ENTERPRISE" {
		t.Errorf("demo row: %+v", r)
	}

	code, out, errOut = licRun(t, home, "", "tenant", "use", "other-2")
	if code != 0 || !strings.Contains(out, "Tenant other-2 (Other Business) is active now; plan FREE.") {
		t.Fatalf("tenant use other-2: exit %d\n%s%s", code, out, errOut)
	}
	// A license for a tenant that is not active: saved, exit 0, and it says when it applies.
	text2 := licDevSign(t, func(p *license.Payload) { p.LicenseID, p.TenantID, p.Plan = "LIC-2", "maple-1", license.Starter })
	code, out, _ = licRun(t, home, "", "license", "activate", licWrite(t, text2))
	if code != 0 || !strings.Contains(out, "Saved for tenant maple-1; it applies when that tenant is active: almanac tenant use maple-1") {
		t.Errorf("activate for an inactive tenant: exit %d\n%s", code, out)
	}
	if m := licShow(t, home); m["plan"] != "FREE" {
		t.Errorf("other-2 got another tenant's plan: %v", m)
	}
	if code, _, _ := licRun(t, home, "", "tenant", "use", "maple-1"); code != 0 {
		t.Fatal("tenant use maple-1")
	}
	if m := licShow(t, home); m["plan"] != "STARTER" || m["license_id"] != "LIC-2" {
		t.Errorf("maple-1 after switching: %v", m)
	}
}

func TestTenantListAndUseCommands(t *testing.T) {
	home := licHome(t)
	putSynced(t, home, "maple-1", "Maple Street Wellness")
	code, out, _ := licRun(t, home, "", "tenant", "list")
	for _, w := range []string{"demo", "maple-1", "server", "Nov 30, 2026 10:04 AM EST", "FREE", "* active"} {
		if code != 0 || !strings.Contains(out, w) {
			t.Errorf("tenant list: exit %d, lacks %q:\n%s", code, w, out)
		}
	}
	tests := []struct {
		args   []string
		code   int
		substr string
	}{
		{[]string{"tenant", "use"}, 2, "exactly one tenant ID"},
		{[]string{"tenant", "use", "nope"}, 2, "no tenant \"nope\""},
		{[]string{"tenant", "use", "../x"}, 2, "tenant id"},
		{[]string{"tenant", "frob"}, 2, "the commands are list and use ID"},
		{[]string{"tenant", "list", "extra"}, 2, "unexpected argument"},
		{[]string{"tenant", "-h"}, 0, "almanac tenant use ID"},
	}
	for _, tc := range tests {
		code, out, errOut := licRun(t, home, "", tc.args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.substr) {
			t.Errorf("%v: exit %d (want %d): %q lacks %q", tc.args, code, tc.code, out+errOut, tc.substr)
		}
	}
	if list := tenantList(t, home); !list["demo"].Active {
		t.Error("a refused use changed the active tenant")
	}
	_, out, _ = licRun(t, home, "", "tenant")
	if !strings.Contains(out, "A license is issued for your business's own tenant id, which the first sync shows") {
		t.Errorf("tenant on the demo lacks the license note:\n%s", out)
	}
	licRun(t, home, "", "tenant", "use", "maple-1")
	_, out, _ = licRun(t, home, "", "tenant")
	if strings.Contains(out, "own tenant id") || !strings.Contains(out, "Last sync:        Nov 30, 2026 10:04 AM EST") {
		t.Errorf("tenant on a synced tenant:\n%s", out)
	}
}

// License dates: in the tenant's zone whatever the computer's, and a license signed to end on
// a day shows that day.
func TestLicenseDatesInTenantZone(t *testing.T) {
	licNeedsDevKey(t)
	home := licHome(t)           // America/New_York
	now := licStart.In(time.UTC) // the computer's zone: UTC
	show := func(text []byte) string {
		var out bytes.Buffer
		e := newEnv(home)
		e.Stdin, e.Stdout, e.Stderr, e.Now = strings.NewReader(string(text)), &out, &out, func() time.Time { return now }
		if err := runLicense(e, []string{"activate", "-"}); err != nil {
			t.Fatalf("activate: %v\n%s", err, out.String())
		}
		out.Reset()
		if err := runLicense(e, []string{"show"}); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	// Expiring in five days, at an instant: the banner and the Expires line in New York time.
	// Not on the hour: licStart is the current hour, and an expiry at midnight in the first
	// zone (10:00 UTC, from a run in the 07:00 UTC hour) reads as a term signed as a date.
	exp := now.Add(5*24*time.Hour + 3*time.Hour + 17*time.Minute)
	out := show(licDevSign(t, func(p *license.Payload) { p.ExpiresAt = exp }))
	wantAt := license.FormatDateTime(exp, mustZone("America/New_York"))
	if !strings.Contains(out, "expires on "+wantAt) || !strings.Contains(out, "Expires:") || strings.Contains(out, " UTC") {
		t.Errorf("want the expiring banner at %s (tenant's zone):\n%s", wantAt, out)
	}
	// Signed with --expires on a date: shown as that date, not as the next day in New York.
	day := time.Date(now.Year()+1, 12, 31, 0, 0, 0, 0, time.UTC)
	endAnywhere := day.Add(24*time.Hour - time.Second).Add(12 * time.Hour)
	out = show(licDevSign(t, func(p *license.Payload) { p.ExpiresAt = endAnywhere }))
	if want := "Expires:   " + license.FormatDate(day); !strings.Contains(out, want) {
		t.Errorf("want %q:\n%s", want, out)
	}
}
