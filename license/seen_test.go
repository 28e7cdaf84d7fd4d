package license

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// memRecord is a TimeRecord in memory, standing in for the tenant store's.
type memRecord struct {
	mu sync.Mutex
	b  []byte
}

func (r *memRecord) LoadSeen() ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.b, nil
}

func (r *memRecord) SaveSeen(b []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.b = append([]byte(nil), b...)
	return nil
}

func (r *memRecord) clear() { _ = r.SaveSeen(nil) }

// seenFixture is a manager with three records of time: its own
// last-seen.txt, a store record and the newest instant a sync server sent.
type seenFixture struct {
	*managerFixture
	store  *memRecord
	server time.Time
}

func newSeenFixture(t *testing.T) *seenFixture {
	f := &seenFixture{managerFixture: newFixture(t), store: &memRecord{}}
	f.m = f.restart()
	return f
}

// restart is a new Manager on the same records, as after an app restart.
func (f *seenFixture) restart() *Manager {
	return f.managerFixture.restart().SetTimeRecords(f.store,
		InstantRecord(func() (time.Time, error) { return f.server, nil }))
}

func (f *seenFixture) deleteHomeRecord(t *testing.T) {
	t.Helper()
	if err := os.Remove(filepath.Join(f.dir, seenFile)); err != nil {
		t.Fatal(err)
	}
}

func (f *seenFixture) want(t *testing.T, when string, state State, plan Plan) Status {
	t.Helper()
	st := f.restart().Status("demo")
	if st.State != state || st.Plan != plan {
		t.Fatalf("%s: %s / %v, want %s / %v (%s)", when, st.State, st.Plan, state, plan, st.Banner)
	}
	return st
}

// TestClockBackNeverRevivesExpired: a license Almanac has seen past its grace
// stays expired with the clock a year behind, whichever single record of the
// time is deleted, and after a remove and re-activate.
func TestClockBackNeverRevivesExpired(t *testing.T) {
	f := newSeenFixture(t)
	text := signedText(t, nil) // expires testNow+100d, 14 days of grace
	if _, err := f.m.Activate(text); err != nil {
		t.Fatal(err)
	}
	f.clock.set(testNow.Add(120 * day))
	f.want(t, "past grace", StateExpired, Free)

	f.clock.set(testNow.Add(120*day - 365*day))
	f.want(t, "clock a year back", StateExpired, Free)
	f.deleteHomeRecord(t)
	f.want(t, "clock a year back, last-seen.txt deleted", StateExpired, Free)
	f.store.clear()
	f.want(t, "clock a year back, store record deleted", StateExpired, Free)
	f.deleteHomeRecord(t) // the store record was written back by the last Status
	f.want(t, "clock a year back, last-seen.txt deleted again", StateExpired, Free)

	if err := f.m.Remove("demo"); err != nil {
		t.Fatal(err)
	}
	_, err := f.restart().Activate(text)
	wantCode(t, err, CodeExpired)

	// A home that knows only the time the sync server sent.
	g := newSeenFixture(t)
	g.server = testNow.Add(120 * day)
	if _, err := g.m.Activate(text); CodeOf(err) != CodeExpired {
		t.Fatalf("activation with only the server's time: %v", err)
	}
}

// TestClockInDoubtGraceCountsDaysOfUse: under a clock in doubt a license runs
// in grace for at most its grace days of use in total, even when the clock is
// set back to the same morning every day, and deleting a record does not
// give days back.
func TestClockInDoubtGraceCountsDaysOfUse(t *testing.T) {
	f := newSeenFixture(t)
	if _, err := f.m.Activate(signedText(t, nil)); err != nil { // 14 days of grace
		t.Fatal(err)
	}
	f.clock.set(testNow.Add(10 * day))
	f.want(t, "day 10", StateValid, Professional)

	morning := testNow.Add(10*day - 365*day)
	for use := 1; use <= 14; use++ {
		f.clock.set(morning) // set back to the very same instant every day
		st := f.want(t, "in doubt", StateGrace, Professional)
		if !st.ClockRollback || st.DaysLeft != 15-use {
			t.Fatalf("use %d: rollback %v, %d days left, want %d", use, st.ClockRollback, st.DaysLeft, 15-use)
		}
		f.clock.add(8 * time.Hour) // a working day: the same day, no new count
		if st := f.want(t, "later that day", StateGrace, Professional); st.DaysLeft != 15-use {
			t.Fatalf("use %d, later: %d days left, want %d", use, st.DaysLeft, 15-use)
		}
		switch use {
		case 5:
			f.deleteHomeRecord(t)
		case 9:
			f.store.clear()
		}
	}
	f.clock.set(morning)
	st := f.want(t, "15th day in doubt", StateExpired, Free)
	wantCode(t, st.Err, CodeClockRollback)
	f.clock.set(morning.Add(30 * day)) // new calendar days do not help either
	f.want(t, "later in doubt", StateExpired, Free)

	f.clock.set(testNow.Add(11 * day)) // the clock is right again
	if st := f.want(t, "clock fixed", StateValid, Professional); st.ClockRollback {
		t.Error("clock fixed, still in doubt")
	}
	f.clock.set(morning) // in doubt again: the grace used is still used
	f.want(t, "in doubt again", StateExpired, Free)
}

// TestClockInDoubtGraceCountsCalendarDays: days of use are calendar days of
// the slow clock too, and the grace left after expiry bounds it.
func TestClockInDoubtGraceCountsCalendarDays(t *testing.T) {
	f := newSeenFixture(t)
	if _, err := f.m.Activate(signedText(t, nil)); err != nil {
		t.Fatal(err)
	}
	f.clock.set(testNow.Add(110 * day)) // 10 days into grace: 4 left
	f.want(t, "in grace", StateGrace, Professional)
	f.clock.set(testNow.Add(110*day - 365*day))
	for use := 1; use <= 4; use++ {
		if st := f.want(t, "in doubt", StateGrace, Professional); st.DaysLeft != 5-use {
			t.Fatalf("use %d: %d days left, want %d", use, st.DaysLeft, 5-use)
		}
		f.clock.add(day)
	}
	f.want(t, "5th day in doubt", StateExpired, Free)
}

// TestActivateExpiredUnderClockInDoubt: with the clock in doubt, a license
// already expired by the latest time seen is refused and the working one stays.
func TestActivateExpiredUnderClockInDoubt(t *testing.T) {
	f := newSeenFixture(t)
	if _, err := f.m.Activate(signedText(t, nil)); err != nil {
		t.Fatal(err)
	}
	f.clock.set(testNow.Add(50 * day))
	f.want(t, "day 50", StateValid, Professional)
	f.clock.set(testNow.Add(50*day - 365*day))
	old := signedText(t, func(p *Payload) {
		p.LicenseID, p.Plan = "LIC-OLD", Enterprise
		p.IssuedAt, p.ExpiresAt = testNow.Add(-400*day), testNow.Add(20*day)
	})
	m := f.restart()
	_, err := m.Activate(old)
	wantCode(t, err, CodeExpired)
	if _, err := m.Check(old); CodeOf(err) != CodeExpired {
		t.Errorf("Check: %v, want EXPIRED", err)
	}
	if l, _ := m.Stored("demo"); l == nil || l.Payload.LicenseID != "LIC-1" {
		t.Fatalf("the working license was replaced: %+v", l)
	}
	renewed := signedText(t, func(p *Payload) { p.LicenseID, p.ExpiresAt = "LIC-2", testNow.Add(400*day) })
	st, err := m.Activate(renewed)
	if err != nil || !st.ClockRollback || st.State != StateGrace {
		t.Fatalf("a license valid at the latest time seen: %v %+v", err, st)
	}
}

func TestSeenRecordEncoding(t *testing.T) {
	s := seenState{Latest: testNow, Doubt: map[string]doubtUse{"LIC 1\n\"x\"": {Days: 3, Last: testNow.Add(-day)}}}
	got := decodeSeen(s.encode())
	if !got.Latest.Equal(s.Latest) || got.Doubt["LIC 1\n\"x\""].Days != 3 || got.behind(s) || s.behind(got) {
		t.Fatalf("round trip: %+v", got)
	}
	// last-seen.txt as older versions wrote it: one line.
	if old := decodeSeen([]byte(testNow.Format(time.RFC3339Nano) + "\n")); !old.Latest.Equal(testNow) {
		t.Errorf("old record: %+v", old)
	}
	for _, junk := range []string{"", "garbage", "\n{", "2026-01-01T00:00:00Z\n[1]"} {
		_ = decodeSeen([]byte(junk)) // must not panic; reads as little as it can
	}
	many := seenState{Doubt: map[string]doubtUse{}}
	for i := range 2 * maxDoubtEntries {
		many.Doubt[string(rune('A'+i))] = doubtUse{Days: 1, Last: testNow.Add(time.Duration(i) * time.Hour)}
	}
	if n := len(mergeSeen(many).Doubt); n != maxDoubtEntries {
		t.Errorf("kept %d doubt entries, want %d", n, maxDoubtEntries)
	}
}
