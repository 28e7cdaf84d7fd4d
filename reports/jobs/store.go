package jobs

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/almanac-app/almanac/data"
)

// Result is how a run ended.
type Result string

// The results of a run.
const (
	ResultOK     Result = "ok"
	ResultFailed Result = "failed"
	ResultPaused Result = "paused" // the plan no longer allows the output: the job is now paused
)

// Run is one run of a job, as the run log keeps it.
type Run struct {
	Job       string    `json:"job"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Scheduled time.Time `json:"scheduled,omitzero"` // the scheduled time it ran for; zero for Run now
	File      string    `json:"file,omitempty"`     // the file written
	Rows      int64     `json:"rows"`               // rows exported (0 for a report document)
	Result    Result    `json:"result"`
	Error     string    `json:"error,omitempty"` // why it failed or was paused
}

// Last is a job's last result; Seen is false for a failure or pause until MarkSeen.
type Last struct {
	Run
	Seen bool `json:"seen"`
}

// Status is a job with what the Schedules screen lists beside it.
type Status struct {
	Job
	Next time.Time `json:"next,omitzero"`  // the next scheduled time; zero while paused
	Last *Last     `json:"last,omitempty"` // nil before the first run
}

// jobState is what the home keeps about a job's runs.
type jobState struct {
	LastDue time.Time `json:"last_due,omitempty"` // the scheduled time the last due run handled
	Last    *Last     `json:"last,omitempty"`
}

type jobsFile struct {
	Version int   `json:"version"`
	Jobs    []Job `json:"jobs"`
}

type stateFile struct {
	Version int                  `json:"version"`
	Jobs    map[string]*jobState `json:"jobs"`
}

// MaxLogBytes bounds the run log: past it, the oldest half of the runs is dropped.
const MaxLogBytes = 1 << 20

// ErrNotFound is returned for a job id the jobs file does not hold.
var ErrNotFound = errors.New("no such job")

// Store keeps the jobs of a home in <home>/jobs/: jobs.json (the jobs), state.json (the last
// result per job and the scheduled time each last handled) and runs.log (one JSON line per
// run, bounded by MaxLogBytes). Every change is a read-modify-write under a lock file, written
// to a temporary file and renamed, so readers see the old file or the new one.
type Store struct {
	dir string
}

// Open returns the jobs store of home h; nothing is created until the first write.
func Open(h data.Home) *Store { return &Store{dir: filepath.Join(h.Dir, "jobs")} }

// Dir is the folder the store keeps its files in.
func (s *Store) Dir() string { return s.dir }

func (s *Store) path(name string) string { return filepath.Join(s.dir, name) }

// locked runs fn holding the store's short lock (it waits for another holder).
func (s *Store) locked(fn func() error) error {
	l, err := data.LockFile(s.path("jobs.lock"), "almanac jobs", true)
	if err != nil {
		return err
	}
	defer l.Unlock() //nolint:errcheck // closing drops it anyway
	return fn()
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w (move it aside to start again)", path, err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return data.WriteFileAtomic(path, append(b, '\n'), 0o600)
}

func (s *Store) readJobs() ([]Job, error) {
	var f jobsFile
	err := readJSON(s.path("jobs.json"), &f)
	return f.Jobs, err
}

func (s *Store) writeJobs(jobs []Job) error {
	return writeJSON(s.path("jobs.json"), jobsFile{Version: 1, Jobs: jobs})
}

func (s *Store) readState() (stateFile, error) {
	f := stateFile{Version: 1}
	err := readJSON(s.path("state.json"), &f)
	if f.Jobs == nil {
		f.Jobs = map[string]*jobState{}
	}
	return f, err
}

// List returns every job in the order they were added.
func (s *Store) List() ([]Job, error) { return s.readJobs() }

// Get returns job id, or an error wrapping ErrNotFound.
func (s *Store) Get(id string) (Job, error) {
	jobs, err := s.readJobs()
	if err != nil {
		return Job{}, err
	}
	i := slices.IndexFunc(jobs, func(j Job) bool { return j.ID == id })
	if i < 0 {
		return Job{}, notFound(id)
	}
	return jobs[i], nil
}

func notFound(id string) error {
	return fmt.Errorf("%w: %w", &data.InputError{Field: FieldJob, Value: id, Problem: "is not a job", Fix: "list them with 'almanac jobs list'"}, ErrNotFound)
}

// Add validates j, gives it the next free id ("1", "2"…), sets Created and Since to now and
// saves it; it returns the job as saved.
func (s *Store) Add(j Job, now time.Time) (Job, error) {
	if err := j.Validate(); err != nil {
		return Job{}, err
	}
	j.Created, j.Since = now.UTC(), now.UTC()
	err := s.locked(func() error {
		jobs, err := s.readJobs()
		if err != nil {
			return err
		}
		n := 0
		for _, o := range jobs {
			if k, err := strconv.Atoi(o.ID); err == nil && k > n {
				n = k
			}
		}
		j.ID = strconv.Itoa(n + 1)
		return s.writeJobs(append(jobs, j))
	})
	return j, err
}

// Update replaces the job with j's id (an edit). A changed schedule restarts Since at now, so
// an edit never makes the job catch up on the times of its old schedule.
func (s *Store) Update(j Job, now time.Time) error {
	if err := j.Validate(); err != nil {
		return err
	}
	return s.edit(j.ID, func(old *Job) {
		created, since := old.Created, old.Since
		if old.Schedule != j.Schedule || old.Tenant != j.Tenant {
			since = now.UTC()
		}
		*old = j
		old.Created, old.Since = created, since
	})
}

// Pause stops job id running on schedule; reason says why ("" when the owner paused it).
func (s *Store) Pause(id, reason string) error {
	return s.edit(id, func(j *Job) { j.Paused, j.PausedReason = true, reason })
}

// Resume lets job id run on schedule again from now: the times it missed while paused are
// not caught up.
func (s *Store) Resume(id string, now time.Time) error {
	return s.edit(id, func(j *Job) { j.Paused, j.PausedReason, j.Since = false, "", now.UTC() })
}

func (s *Store) edit(id string, fn func(*Job)) error {
	return s.locked(func() error {
		jobs, err := s.readJobs()
		if err != nil {
			return err
		}
		i := slices.IndexFunc(jobs, func(j Job) bool { return j.ID == id })
		if i < 0 {
			return notFound(id)
		}
		fn(&jobs[i])
		return s.writeJobs(jobs)
	})
}

// Remove deletes job id and its last result (the run log keeps its runs).
func (s *Store) Remove(id string) error {
	return s.locked(func() error {
		jobs, err := s.readJobs()
		if err != nil {
			return err
		}
		i := slices.IndexFunc(jobs, func(j Job) bool { return j.ID == id })
		if i < 0 {
			return notFound(id)
		}
		if err := s.writeJobs(slices.Delete(jobs, i, i+1)); err != nil {
			return err
		}
		st, err := s.readState()
		if err != nil || st.Jobs[id] == nil {
			return err
		}
		delete(st.Jobs, id)
		return writeJSON(s.path("state.json"), st)
	})
}

// Statuses lists every job with its next scheduled time after now (in the tenant's zone, from
// zone; a zone it cannot give is UTC) and its last result.
func (s *Store) Statuses(now time.Time, zone func(tenant string) *time.Location) ([]Status, error) {
	jobs, err := s.readJobs()
	if err != nil {
		return nil, err
	}
	st, err := s.readState()
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(jobs))
	for _, j := range jobs {
		x := Status{Job: j}
		if js := st.Jobs[j.ID]; js != nil {
			x.Last = js.Last
		}
		if !j.Paused {
			x.Next = j.Schedule.Next(now, zoneOf(zone, j.Tenant))
		}
		out = append(out, x)
	}
	return out, nil
}

func zoneOf(zone func(string) *time.Location, tenant string) *time.Location {
	if zone == nil {
		return time.UTC
	}
	if loc := zone(tenant); loc != nil {
		return loc
	}
	return time.UTC
}

// MarkSeen records that the owner saw job id's last result (a failure stops showing).
func (s *Store) MarkSeen(id string) error {
	return s.locked(func() error {
		st, err := s.readState()
		if err != nil {
			return err
		}
		js := st.Jobs[id]
		if js == nil || js.Last == nil || js.Last.Seen {
			return nil
		}
		js.Last.Seen = true
		return writeJSON(s.path("state.json"), st)
	})
}

// lastDue is the scheduled time job id's last due run handled.
func (s *Store) lastDue(id string) (time.Time, error) {
	st, err := s.readState()
	if err != nil {
		return time.Time{}, err
	}
	if js := st.Jobs[id]; js != nil {
		return js.LastDue, nil
	}
	return time.Time{}, nil
}

// record saves run r as job's last result (and, for a scheduled run, its scheduled time as
// handled) and appends it to the run log.
func (s *Store) record(r Run) error {
	return s.locked(func() error {
		st, err := s.readState()
		if err != nil {
			return err
		}
		js := st.Jobs[r.Job]
		if js == nil {
			js = &jobState{}
			st.Jobs[r.Job] = js
		}
		if !r.Scheduled.IsZero() && r.Scheduled.After(js.LastDue) {
			js.LastDue = r.Scheduled
		}
		js.Last = &Last{Run: r, Seen: r.Result == ResultOK}
		if err := writeJSON(s.path("state.json"), st); err != nil {
			return err
		}
		return s.appendLog(r)
	})
}

// appendLog adds r to runs.log, first dropping the oldest half when the log is past MaxLogBytes.
func (s *Store) appendLog(r Run) error {
	p := s.path("runs.log")
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(p); err == nil && fi.Size()+int64(len(line)) >= MaxLogBytes {
		if err := s.trimLog(p); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	return errors.Join(err, f.Close())
}

// trimLog keeps the newer half of the log, replacing it atomically.
func (s *Store) trimLog(p string) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	cut := bytes.IndexByte(b[len(b)/2:], '\n')
	if cut < 0 {
		b = nil
	} else {
		b = b[len(b)/2+cut+1:]
	}
	return data.WriteFileAtomic(p, b, 0o600)
}

// Log returns the runs the log holds, oldest first; a line it cannot read is skipped.
func (s *Store) Log() ([]Run, error) {
	f, err := os.Open(s.path("runs.log"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Run
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), MaxLogBytes)
	for sc.Scan() {
		var r Run
		if json.Unmarshal(sc.Bytes(), &r) == nil && strings.TrimSpace(r.Job) != "" {
			out = append(out, r)
		}
	}
	return out, sc.Err()
}
