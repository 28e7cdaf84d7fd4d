package license

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type managerFixture struct {
	m     *Manager
	clock *fakeClock
	dir   string
	keys  KeySet
}

func newFixture(t *testing.T) *managerFixture {
	t.Helper()
	pub, _ := testKey(testKID, 1)
	keys := testKeys(t, pub)
	dir := filepath.Join(t.TempDir(), "license")
	clock := &fakeClock{t: testNow}
	return &managerFixture{m: NewManagerWithKeys(dir, clock.now, keys), clock: clock, dir: dir, keys: keys}
}

// restart is a new Manager on the same directory, as after an app restart.
func (f *managerFixture) restart() *Manager { return NewManagerWithKeys(f.dir, f.clock.now, f.keys) }

func signedText(t *testing.T, edit func(*Payload)) []byte {
	t.Helper()
	_, priv := testKey(testKID, 1)
	p := testPayload()
	if edit != nil {
		edit(&p)
	}
	return mustSign(t, p, testKID, priv)
}

func TestManagerNoLicense(t *testing.T) {
	f := newFixture(t)
	s := f.m.Status("demo")
	if s.State != StateNone || s.Plan != Free || s.License != nil || s.Err != nil {
		t.Fatalf("Status = %+v", s)
	}
	if e := f.m.Entitlements("demo", true); e.Plan() != Free || !e.AcceptsPayments() {
		t.Errorf("Entitlements = %+v", e)
	}
	if l, err := f.m.Stored("demo"); l != nil || err != nil {
		t.Errorf("Stored = %v, %v", l, err)
	}
	if err := f.m.Remove("demo"); err != nil {
		t.Errorf("Remove with nothing active = %v", err)
	}
}

func TestManagerActivate(t *testing.T) {
	f := newFixture(t)
	var calls atomic.Int32
	cancel := f.m.Subscribe(func() { calls.Add(1) })
	defer cancel()
	st, err := f.m.Activate(signedText(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if st.State != StateValid || st.Plan != Professional {
		t.Errorf("Activate status = %s %v", st.State, st.Plan)
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("subscribers called %d times, want 1", got)
	}
	if s := f.restart().Status("demo"); s.State != StateValid || s.License.Payload.LicenseID != "LIC-1" {
		t.Errorf("after restart: %s %v", s.State, s.Err)
	}
	if runtime.GOOS != "windows" {
		for name, want := range map[string]os.FileMode{f.dir: 0o700 | os.ModeDir, filepath.Join(f.dir, tenantsDir, "demo.txt"): 0o600} {
			if fi, err := os.Stat(name); err != nil || fi.Mode() != want {
				t.Errorf("%s: mode %v, %v; want %v", name, fi.Mode(), err, want)
			}
		}
	}
	if e := f.m.Entitlements("demo", false); e.Plan() != Professional || e.Can(FeatureRevenueAnalytics).Allowed {
		t.Errorf("Entitlements plan %v; revenue must still need payments", e.Plan())
	}
}

func TestManagerFailedActivationKeepsPrevious(t *testing.T) {
	f := newFixture(t)
	if _, err := f.m.Activate(signedText(t, nil)); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	f.m.Subscribe(func() { calls.Add(1) })
	good := signedText(t, func(p *Payload) { p.LicenseID = "LIC-2"; p.Plan = Enterprise })
	l := mustParse(t, good)
	l.Raw = []byte(string(l.Raw[:len(l.Raw)-1]) + " }") // still valid JSON, different bytes
	tampered := l.Text()
	_, foreignPriv := testKey("foreign", 9)
	foreign := mustSign(t, testPayload(), "foreign", foreignPriv)
	otherKID := mustSign(t, testPayload(), testKID, foreignPriv)
	tests := []struct {
		name string
		text []byte
		code Code
	}{
		{"garbage", []byte("hello"), CodeMalformed},
		{"tampered", tampered, CodeBadSignature},
		{"foreign key", foreign, CodeUnknownKey},
		{"forged with known kid", otherKID, CodeBadSignature},
		{"impossible tenant id", signedText(t, func(p *Payload) { p.TenantID = "../demo" }), CodeWrongTenant},
		{"expired", signedText(t, func(p *Payload) { p.ExpiresAt = testNow.Add(-30 * day) }), CodeExpired},
		{"expired, in grace days", signedText(t, func(p *Payload) { p.IssuedAt = testNow.Add(-40 * day); p.ExpiresAt = testNow.Add(-day) }), CodeExpired},
		{"not yet valid", signedText(t, func(p *Payload) { p.NotBefore = testNow.Add(3 * day) }), CodeNotYetValid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := f.m.Activate(tt.text)
			if st != nil {
				t.Error("failed activation returned a status")
			}
			wantCode(t, err, tt.code)
			if s := f.m.Status("demo"); s.State != StateValid || s.License.Payload.LicenseID != "LIC-1" {
				t.Errorf("previous license lost: %s %v", s.State, s.Err)
			}
		})
	}
	if got := calls.Load(); got != 0 {
		t.Errorf("failed activations notified subscribers %d times", got)
	}
	if _, err := f.m.Activate(good); err != nil {
		t.Fatal(err)
	}
	if s := f.m.Status("demo"); s.Plan != Enterprise || calls.Load() != 1 {
		t.Errorf("replacement not active: %v, %d calls", s.Plan, calls.Load())
	}
}

func TestManagerLifecycle(t *testing.T) {
	f := newFixture(t)
	p := testPayload()
	if _, err := f.m.Activate(signedText(t, nil)); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		at    time.Time
		state State
		plan  Plan
	}{
		{testNow, StateValid, Professional},
		{p.ExpiresAt.Add(-10 * day), StateExpiring, Professional},
		{p.ExpiresAt.Add(time.Hour), StateGrace, Professional},
		{p.GraceUntil(), StateExpired, Free},
		{p.GraceUntil().Add(365 * day), StateExpired, Free},
	}
	for _, s := range steps {
		f.clock.set(s.at)
		st := f.m.Status("demo")
		if st.State != s.state || f.m.Entitlements("demo", true).Plan() != s.plan {
			t.Errorf("at %v: %s / %v, want %s / %v", s.at, st.State, st.Plan, s.state, s.plan)
		}
	}
	if err := f.m.Remove("demo"); err != nil {
		t.Fatal(err)
	}
	if st := f.m.Status("demo"); st.State != StateNone || st.License != nil {
		t.Errorf("after Remove: %+v", st)
	}
}

func TestManagerClockRollback(t *testing.T) {
	f := newFixture(t)
	if _, err := f.m.Activate(signedText(t, nil)); err != nil {
		t.Fatal(err)
	}
	f.clock.add(20 * day)
	f.m.Status("demo") // the app sees the 20th day
	f.clock.set(testNow.Add(2 * day))
	m := f.restart()
	s := m.Status("demo")
	if s.State != StateGrace || !s.ClockRollback || s.Plan != Professional {
		t.Fatalf("after rollback: %s rollback=%v plan=%v", s.State, s.ClockRollback, s.Plan)
	}
	wantCode(t, s.Err, CodeClockRollback)
	// Removing and re-activating must not forget the latest time seen.
	if err := m.Remove("demo"); err != nil {
		t.Fatal(err)
	}
	st, err := m.Activate(signedText(t, nil))
	if err != nil {
		t.Fatalf("activation refused under a rolled-back clock: %v", err)
	}
	if !st.ClockRollback || st.State != StateGrace {
		t.Errorf("re-activation hid the rollback: %s %v", st.State, st.ClockRollback)
	}
	f.clock.set(testNow.Add(20 * day))
	if s := m.Status("demo"); s.State != StateValid || s.ClockRollback {
		t.Errorf("clock fixed: %s rollback=%v", s.State, s.ClockRollback)
	}
}

func TestManagerCheckDoesNotStore(t *testing.T) {
	f := newFixture(t)
	st, err := f.m.Check(signedText(t, nil))
	if err != nil || st.Plan != Professional {
		t.Fatalf("Check = %v, %v", st, err)
	}
	if s := f.m.Status("demo"); s.State != StateNone {
		t.Errorf("Check stored the license: %s", s.State)
	}
	if st, err := f.m.Check(signedText(t, func(p *Payload) { p.TenantID = "other" })); err != nil || st.License.Payload.TenantID != "other" || !st.Active() {
		t.Errorf("Check for another tenant = %v, %v; want it accepted for that tenant", st, err)
	}
}

func TestManagerBadStore(t *testing.T) {
	f := newFixture(t)
	if _, err := f.m.Activate(signedText(t, nil)); err != nil {
		t.Fatal(err)
	}
	t.Run("license for another tenant", func(t *testing.T) {
		// A file copied by hand into another tenant's name.
		text, err := os.ReadFile(filepath.Join(f.dir, tenantsDir, "demo.txt"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(f.dir, tenantsDir, "other.txt"), text, 0o600); err != nil {
			t.Fatal(err)
		}
		s := f.m.Status("other")
		if s.State != StateNone || s.Plan != Free || CodeOf(s.Err) != CodeWrongTenant {
			t.Errorf("Status(other) = %+v", s)
		}
		if s.Banner == "" || s.License == nil {
			t.Error("a license for another tenant is not shown with its banner")
		}
	})
	t.Run("key no longer trusted", func(t *testing.T) {
		pub, _ := testKey(testKID, 1)
		pub.Retired = true
		m := NewManagerWithKeys(f.dir, f.clock.now, testKeys(t, pub))
		if s := m.Status("demo"); s.State != StateNone || CodeOf(s.Err) != CodeRetiredKey {
			t.Errorf("Status = %s %v", s.State, s.Err)
		}
	})
}

func TestManagerCorruptStore(t *testing.T) {
	f := newFixture(t)
	if _, err := f.m.Activate(signedText(t, nil)); err != nil {
		t.Fatal(err)
	}
	t.Run("corrupt file", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(f.dir, tenantsDir, "demo.txt"), []byte("garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
		s := f.m.Status("demo")
		if s.State != StateNone || CodeOf(s.Err) != CodeMalformed || f.m.Entitlements("demo", true).Plan() != Free {
			t.Errorf("Status = %s %v", s.State, s.Err)
		}
	})
	t.Run("corrupt last-seen", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(f.dir, seenFile), []byte("yesterday"), 0o600); err != nil {
			t.Fatal(err)
		}
		if s := f.m.Status("demo"); s.ClockRollback {
			t.Error("an unreadable record caused a rollback")
		}
	})
}

func TestManagerStorageError(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	pub, _ := testKey(testKID, 1)
	m := NewManagerWithKeys(filepath.Join(file, "license"), func() time.Time { return testNow }, testKeys(t, pub))
	_, err := m.Activate(signedText(t, nil))
	wantCode(t, err, CodeStorage)
	if s := m.Status("demo"); s.State != StateNone || s.Plan != Free || CodeOf(s.Err) != CodeStorage {
		t.Errorf("Status with an unusable folder = %+v", s)
	}
}

func TestManagerSubscribeCancel(t *testing.T) {
	f := newFixture(t)
	var order []int
	c1 := f.m.Subscribe(func() { order = append(order, 1) })
	f.m.Subscribe(func() { order = append(order, 2); _ = f.m.Status("demo") }) // may call back in
	if _, err := f.m.Activate(signedText(t, nil)); err != nil {
		t.Fatal(err)
	}
	c1()
	c1() // cancelling twice is harmless
	if err := f.m.Remove("demo"); err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 2, 2}; len(order) != 3 || order[0] != 1 || order[1] != 2 || order[2] != 2 {
		t.Errorf("calls = %v, want %v", order, want)
	}
}

// TestManagerConcurrent is for -race: readers gate while writers change the license.
func TestManagerConcurrent(t *testing.T) {
	f := newFixture(t)
	text := signedText(t, nil)
	f.m.Subscribe(func() {})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 20 {
				if i%2 == 0 {
					e := f.m.Entitlements("demo", true)
					_ = e.Can(FeatureExportXLSX)
					_ = e.Window(testNow)
					continue
				}
				if _, err := f.m.Activate(text); err != nil {
					t.Error(err)
				}
				if err := f.m.Remove("demo"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}
