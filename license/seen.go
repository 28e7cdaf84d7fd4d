package license

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// TimeRecord is one place that keeps what Almanac has seen of time: the
// latest instant and, per license, how much grace a clock in doubt has used.
// The Manager keeps the same record in every TimeRecord it has (its own
// license/last-seen.txt plus those given to SetTimeRecords) and trusts the
// newest of them, so deleting or editing any one record changes nothing.
type TimeRecord interface {
	// LoadSeen returns what SaveSeen last stored; nil (or an error) when
	// there is none. A record that cannot be read only weakens the check.
	LoadSeen() ([]byte, error)
	// SaveSeen replaces the record. Read-only sources return nil.
	SaveSeen(b []byte) error
}

// InstantRecord is a read-only TimeRecord for an instant the computer
// cannot have been before, such as the newest time a sync server sent. now
// returns zero when there is none.
func InstantRecord(now func() (time.Time, error)) TimeRecord { return instantRecord(now) }

type instantRecord func() (time.Time, error)

func (r instantRecord) LoadSeen() ([]byte, error) {
	t, err := r()
	if err != nil || t.IsZero() {
		return nil, err
	}
	return seenState{Latest: t}.encode(), nil
}

func (instantRecord) SaveSeen([]byte) error { return nil }

// seenState is the content of a TimeRecord.
type seenState struct {
	Latest time.Time
	// Doubt holds, by license id, the grace used while the clock was far
	// behind Latest.
	Doubt map[string]doubtUse
}

// doubtUse counts the days Almanac was used under a clock in doubt.
type doubtUse struct {
	Days int       `json:"days"`
	Last time.Time `json:"last"` // the clock's reading when last used in doubt
}

// maxDoubtEntries bounds a record; the oldest entries go first.
const maxDoubtEntries = 32

// use counts one more day of use at now when now is on another calendar day
// than the last use, or before it: a clock set back again each morning
// counts each morning, so the allowance cannot be stretched by repeating the
// same day.
func (u doubtUse) use(now time.Time) doubtUse {
	y1, m1, d1 := now.Date()
	y2, m2, d2 := u.Last.In(now.Location()).Date()
	if u.Days == 0 || now.Before(u.Last) || y1 != y2 || m1 != m2 || d1 != d2 {
		u.Days++
	}
	u.Last = now.UTC()
	return u
}

// encode writes the record: the latest instant on the first line (what
// last-seen.txt always held), then the grace used in doubt as JSON.
func (s seenState) encode() []byte {
	var b bytes.Buffer
	if !s.Latest.IsZero() {
		b.WriteString(s.Latest.UTC().Format(time.RFC3339Nano))
	}
	b.WriteByte('\n')
	if len(s.Doubt) > 0 {
		j, _ := json.Marshal(s.Doubt) // strings, ints and times: cannot fail
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// decodeSeen reads a record leniently: what cannot be read counts as not
// recorded, never as an error, since a damaged record must not lock anyone out.
func decodeSeen(b []byte) seenState {
	var s seenState
	first, rest, _ := strings.Cut(string(b), "\n")
	if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(first)); err == nil {
		s.Latest = t
	}
	if rest = strings.TrimSpace(rest); rest != "" {
		_ = json.Unmarshal([]byte(rest), &s.Doubt)
	}
	for id, u := range s.Doubt {
		if u.Days < 0 {
			delete(s.Doubt, id)
		}
	}
	return s
}

// mergeSeen keeps the newest of everything: the latest instant and, per
// license, the most days used and the latest use.
func mergeSeen(states ...seenState) seenState {
	var out seenState
	for _, s := range states {
		out.Latest = later(out.Latest, s.Latest)
		for id, u := range s.Doubt {
			if out.Doubt == nil {
				out.Doubt = map[string]doubtUse{}
			}
			have := out.Doubt[id]
			out.Doubt[id] = doubtUse{Days: max(have.Days, u.Days), Last: later(have.Last, u.Last)}
		}
	}
	return out.trimmed()
}

// trimmed drops the oldest doubt entries beyond maxDoubtEntries.
func (s seenState) trimmed() seenState {
	for len(s.Doubt) > maxDoubtEntries {
		oldest := ""
		for id, u := range s.Doubt {
			if oldest == "" || u.Last.Before(s.Doubt[oldest].Last) {
				oldest = id
			}
		}
		delete(s.Doubt, oldest)
	}
	return s
}

// observed is s having seen now.
func (s seenState) observed(now time.Time) seenState {
	s.Latest = later(s.Latest, now)
	return s
}

// behind reports whether record r lacks something s knows: a latest instant
// older by seenResolution or more (finer changes are not worth a write), or
// less grace used.
func (r seenState) behind(s seenState) bool {
	if s.Latest.Sub(r.Latest) >= seenResolution {
		return true
	}
	for id, u := range s.Doubt {
		have, ok := r.Doubt[id]
		if !ok || have.Days < u.Days || have.Last.Before(u.Last) {
			return true
		}
	}
	return false
}

// homeRecord is the Manager's own record, <dir>/last-seen.txt.
type homeRecord struct{ m *Manager }

func (r homeRecord) LoadSeen() ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(r.m.dir, seenFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

func (r homeRecord) SaveSeen(b []byte) error {
	return r.m.writeFile(filepath.Join(r.m.dir, seenFile), b)
}

// SetTimeRecords adds places that keep the latest time seen, besides the
// manager's own last-seen.txt (cmd/almanac adds one inside the tenant store
// and the newest instant the sync server sent). Call it before first use.
func (m *Manager) SetTimeRecords(records ...TimeRecord) *Manager {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records = append([]TimeRecord(nil), records...)
	return m
}

// loadedSeen is what every record held, and their merge.
type loadedSeen struct {
	records []TimeRecord
	each    []seenState
	merged  seenState
}

// loadSeen reads every record and merges them.
func (m *Manager) loadSeen() loadedSeen {
	ls := loadedSeen{records: append([]TimeRecord{homeRecord{m}}, m.records...)}
	for _, r := range ls.records {
		var s seenState
		if b, err := r.LoadSeen(); err == nil {
			s = decodeSeen(b)
		}
		ls.each = append(ls.each, s)
	}
	ls.merged = mergeSeen(ls.each...)
	return ls
}

// saveSeen writes s to every record that is behind it. Failed writes are
// ignored: a read-only home must not cost the user their license, and the
// other records still hold it.
func (m *Manager) saveSeen(ls loadedSeen, s seenState) {
	s = s.trimmed()
	b := s.encode()
	for i, r := range ls.records {
		if ls.each[i].behind(s) {
			_ = r.SaveSeen(b)
		}
	}
}
