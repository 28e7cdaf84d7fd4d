package license

import (
	"strings"
	"testing"
	"time"
)

func TestEvaluateTimeline(t *testing.T) {
	p := testPayload() // expires testNow+100d, 14 grace days
	exp, graceEnd := p.ExpiresAt, p.GraceUntil()
	perpetual := testPayload()
	perpetual.ExpiresAt = time.Time{}
	noGrace := testPayload()
	noGrace.GraceDays = 0
	future := testPayload()
	future.NotBefore = testNow.Add(24 * time.Hour)
	tests := []struct {
		name     string
		p        Payload
		tenant   string
		now      time.Time
		state    State
		plan     Plan
		daysLeft int
		code     Code
		banner   string
	}{
		{"valid", p, "demo", testNow, StateValid, Professional, 100, "", ""},
		{"15 days left", p, "demo", exp.Add(-15 * day), StateValid, Professional, 15, "", ""},
		{"14 days left", p, "demo", exp.Add(-14 * day), StateExpiring, Professional, 14, "", "expires on Jun 18, 2026 12:00 PM UTC (14 days left)"},
		{"last second", p, "demo", exp.Add(-time.Second), StateExpiring, Professional, 1, "", "1 day left"},
		{"at expiry", p, "demo", exp, StateGrace, Professional, 14, "", "Everything keeps working until Jul 2, 2026 12:00 PM UTC"},
		{"end of grace", p, "demo", graceEnd.Add(-time.Second), StateGrace, Professional, 1, "", "expired on"},
		{"past grace", p, "demo", graceEnd, StateExpired, Free, 0, CodeExpired, "back on FREE. Nothing was deleted"},
		{"no grace", noGrace, "demo", exp, StateExpired, Free, 0, CodeExpired, ""},
		{"perpetual", perpetual, "demo", testNow.Add(10000 * day), StateValid, Professional, 0, "", ""},
		{"not yet valid", future, "demo", testNow, StateNone, Free, 0, CodeNotYetValid, "starts on"},
		{"from not_before", future, "demo", future.NotBefore, StateValid, Professional, 99, "", ""},
		{"wrong tenant", p, "other", testNow, StateNone, Free, 0, CodeWrongTenant, `for tenant "demo", not for the active tenant "other"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &License{V: 1, KID: testKID, Payload: tt.p}
			s := Evaluate(l, tt.tenant, tt.now, time.Time{})
			if s.State != tt.state || s.Plan != tt.plan || s.DaysLeft != tt.daysLeft || CodeOf(s.Err) != tt.code {
				t.Errorf("state=%s plan=%v daysLeft=%d err=%v; want %s %v %d %q",
					s.State, s.Plan, s.DaysLeft, s.Err, tt.state, tt.plan, tt.daysLeft, tt.code)
			}
			if !strings.Contains(s.Banner, tt.banner) || (tt.banner == "" && tt.state == StateValid && s.Banner != "") {
				t.Errorf("banner %q does not contain %q", s.Banner, tt.banner)
			}
			if s.ClockRollback {
				t.Error("ClockRollback set without a rollback")
			}
			if s.License != l || !s.ExpiresAt.Equal(tt.p.ExpiresAt) {
				t.Errorf("License/ExpiresAt not carried: %+v", s)
			}
		})
	}
}

func TestEvaluateClock(t *testing.T) {
	p := testPayload()
	exp, graceEnd := p.ExpiresAt, p.GraceUntil()
	perpetual := testPayload()
	perpetual.ExpiresAt = time.Time{}
	issuedAhead := testPayload()
	issuedAhead.IssuedAt = testNow.Add(5 * day)
	tests := []struct {
		name     string
		p        Payload
		now      time.Time
		seen     time.Time
		state    State
		rollback bool
		plan     Plan
	}{
		{"clock 10 days back", p, testNow, testNow.Add(10 * day), StateGrace, true, Professional},
		{"47 hours back is tolerated", p, testNow, testNow.Add(47 * time.Hour), StateValid, false, Professional},
		{"small rollback cannot leave grace", p, exp.Add(-time.Hour), exp.Add(time.Hour), StateGrace, false, Professional},
		{"small rollback cannot revive", p, graceEnd.Add(-time.Hour), graceEnd.Add(time.Hour), StateExpired, false, Free},
		{"far back but past grace anyway", p, graceEnd.Add(day), graceEnd.Add(10 * day), StateExpired, true, Free},
		// Almanac cannot tell a clock once set ahead by mistake from one set
		// back now: a license seen past its grace stays expired (issue 11).
		{"clock once set years ahead", p, testNow, time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), StateExpired, true, Free},
		{"far back, seen in grace", p, exp.Add(-300 * day), exp.Add(2 * day), StateGrace, true, Professional},
		{"issued in the future", issuedAhead, testNow, time.Time{}, StateGrace, true, Professional},
		{"perpetual ignores rollback", perpetual, testNow, testNow.Add(100 * day), StateValid, true, Professional},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Evaluate(&License{V: 1, KID: testKID, Payload: tt.p}, "demo", tt.now, tt.seen)
			if s.State != tt.state || s.ClockRollback != tt.rollback || s.Plan != tt.plan {
				t.Fatalf("state=%s rollback=%v plan=%v; want %s %v %v (err %v)", s.State, s.ClockRollback, s.Plan, tt.state, tt.rollback, tt.plan, s.Err)
			}
			if tt.rollback && tt.state == StateGrace {
				wantCode(t, s.Err, CodeClockRollback)
				if !strings.Contains(s.Banner, "more than 48 hours behind") || !s.Active() {
					t.Errorf("rollback banner %q / active %v", s.Banner, s.Active())
				}
			}
		})
	}
}

func TestStatusEntitlements(t *testing.T) {
	p := testPayload()
	p.UpgradeURL = "https://example.com/up"
	p.Features = map[string]bool{FeatureExportJSON: false}
	l := &License{V: 1, KID: testKID, Payload: p}
	active := Evaluate(l, "demo", testNow, time.Time{})
	e := active.Entitlements(true)
	if e.Plan() != Professional || e.Can(FeatureExportJSON).Allowed || !e.Can(FeatureRevenueAnalytics).Allowed {
		t.Errorf("active license entitlements wrong: plan %v", e.Plan())
	}
	expired := Evaluate(l, "demo", p.GraceUntil(), time.Time{})
	e = expired.Entitlements(true)
	if e.Plan() != Free || e.Can(FeatureExportXLSX).Allowed {
		t.Errorf("expired license still grants: plan %v", e.Plan())
	}
	if !e.Can(FeatureExportCSV).Allowed || !e.Can(FeatureDashboard).Allowed {
		t.Error("expired license lost what FREE allows")
	}
	if e.UpgradeURL() != "https://example.com/up" {
		t.Errorf("expired license lost its upgrade URL: %q", e.UpgradeURL())
	}
}

// TestFarExpiry: an expiry in year 9999 counts a positive number of days
// (time.Duration stops at about 292 years) and reads in years.
func TestFarExpiry(t *testing.T) {
	p := testPayload()
	p.ExpiresAt = time.Date(9999, 12, 1, 0, 0, 0, 0, time.UTC)
	s := Evaluate(&License{V: 1, KID: testKID, Payload: p}, "demo", testNow, time.Time{})
	if s.State != StateValid || s.DaysLeft < 365*7000 || s.DaysLeft > 365*8000 {
		t.Fatalf("state %s, %d days left", s.State, s.DaysLeft)
	}
	if got := DaysText(s.DaysLeft); got != "over 7973 years" {
		t.Errorf("DaysText(%d) = %q", s.DaysLeft, got)
	}
	for n, want := range map[int]string{0: "0 days", 1: "1 day", 14: "14 days", 730: "730 days", 731: "over 2 years", 3653: "over 10 years"} {
		if got := DaysText(n); got != want {
			t.Errorf("DaysText(%d) = %q, want %q", n, got, want)
		}
	}
	for _, tt := range []struct {
		from, to time.Time
		want     int
	}{
		{testNow, testNow, 0},
		{testNow, testNow.Add(time.Nanosecond), 1},
		{testNow, testNow.Add(day), 1},
		{testNow, testNow.Add(day + time.Second), 2},
		{testNow.Add(time.Second / 2), testNow.Add(day), 1},
		{testNow, testNow.Add(-day), 0},
	} {
		if got := daysUntil(tt.from, tt.to); got != tt.want {
			t.Errorf("daysUntil(%v, %v) = %d, want %d", tt.from, tt.to, got, tt.want)
		}
	}
	_, priv := testKey(testKID, 1)
	p.ExpiresAt = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC) // plus 14 days of grace: year 10000
	if _, err := Sign(p, testKID, priv); err == nil {
		t.Error("signed a license whose grace ends after year 9999")
	}
}

// TestUpgradeURLOnlyHTTPS: a payload's upgrade_url is used only when it is https://.
func TestUpgradeURLOnlyHTTPS(t *testing.T) {
	for link, want := range map[string]string{
		"https://vendor.example/up":    "https://vendor.example/up",
		"http://vendor.example/up":     DefaultUpgradeURL,
		"file:///etc/passwd":           DefaultUpgradeURL,
		"javascript:alert(1)":          DefaultUpgradeURL,
		"https://user@vendor.example/": DefaultUpgradeURL,
		"https:vendor.example":         DefaultUpgradeURL,
		"":                             DefaultUpgradeURL,
	} {
		p := testPayload()
		p.UpgradeURL = link
		if got := EntitlementsFor(p, true).UpgradeURL(); got != want {
			t.Errorf("upgrade_url %q: UpgradeURL() = %q, want %q", link, got, want)
		}
	}
	_, priv := testKey(testKID, 1)
	p := testPayload()
	p.UpgradeURL = "file:///etc/passwd"
	if _, err := Sign(p, testKID, priv); err == nil {
		t.Error("signed a license with a file: upgrade_url")
	}
}
