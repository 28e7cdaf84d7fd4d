package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestJobsRunDueThroughBinary is the acceptance test: a home with the demo tenant and
// a PROFESSIONAL license, "every Monday at 7:00, sync, then last week's appointments as Excel
// and the dashboard as PDF into a folder", and `jobs run --due` through the real binary, built
// with the testclock tag so $ALMANAC_TEST_JOBS_NOW moves the jobs' clock (never the license's).
func TestJobsRunDueThroughBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	dir := t.TempDir()
	bin, signer := filepath.Join(dir, "almanac"), filepath.Join(dir, "almanac-license")
	for out, build := range map[string][]string{
		bin:    {"build", "-tags", "testclock", "-o", bin, "."},
		signer: {"build", "-o", signer, "../almanac-license"},
	} {
		if msg, err := exec.Command("go", build...).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", out, err, msg)
		}
	}
	home, folder := t.TempDir(), t.TempDir()
	ny, err := time.LoadLocation("America/New_York") // the demo tenant's zone
	if err != nil {
		t.Fatal(err)
	}
	// The next Monday at least a day away, so the license (on the real clock) is valid and the
	// periods stay inside its history window whenever the test runs.
	monday := time.Now().In(ny).AddDate(0, 0, 1)
	for monday.Weekday() != time.Monday {
		monday = monday.AddDate(0, 0, 1)
	}
	at := func(days, hour, minute int) time.Time {
		y, m, d := monday.Date()
		return time.Date(y, m, d+days, hour, minute, 0, 0, ny)
	}
	cli := func(now time.Time, args ...string) (int, string, string) {
		cmd := exec.Command(bin, append([]string{"--home", home}, args...)...)
		cmd.Env = append(os.Environ(), "ALMANAC_HOME=", "ALMANAC_TEST_JOBS_NOW="+now.Format(time.RFC3339))
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			code = -1
			errb.WriteString(err.Error())
		}
		return code, out.String(), errb.String()
	}
	sunday := at(-1, 22, 0)
	if code, _, stderr := cli(sunday, "demo", "--appointments", "3000", "--seed", "5"); code != 0 {
		t.Fatalf("demo: %d %s", code, stderr)
	}
	lic := filepath.Join(dir, "license.txt")
	expires := time.Now().AddDate(1, 0, 0).Format("2006-01-02")
	if msg, err := exec.Command(signer, "sign", "--dev", "--tenant", "demo", "--plan", "PROFESSIONAL", "--expires", expires, "--out", lic).CombinedOutput(); err != nil {
		t.Fatalf("sign: %v\n%s", err, msg)
	}
	if code, _, stderr := cli(sunday, "license", "activate", lic); code != 0 {
		t.Fatalf("activate: %d %s", code, stderr)
	}
	for _, add := range [][]string{
		{"jobs", "add", "--export", "appointments", "--format", "xlsx", "--period", "last-week", "--weekly", "mon", "7:00", "--sync", "--folder", folder},
		{"jobs", "add", "--report", "dashboard", "--pdf", "--weekly", "monday", "07:00", "--sync", "--folder", folder},
	} {
		if code, out, stderr := cli(sunday, add...); code != 0 {
			t.Fatalf("%v: %d %s %s", add, code, out, stderr)
		}
	}
	files := func() []string {
		es, _ := os.ReadDir(folder)
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		slices.Sort(names)
		return names
	}
	// runDue starts `jobs run --due` in procs processes at once (the scheduler and a user);
	// between them they must run each due job exactly once.
	runDue := func(now time.Time, wantLines, procs int) string {
		t.Helper()
		outs := make([]string, procs)
		var wg sync.WaitGroup
		for i := range procs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, out, stderr := cli(now, "jobs", "run", "--due")
				if code != 0 {
					t.Errorf("run --due at %v: exit %d: %s%s", now, code, out, stderr)
				}
				outs[i] = out
			}()
		}
		wg.Wait()
		out := strings.Join(outs, "")
		if lines := strings.Count("\n"+out, "\njob "); lines != wantLines {
			t.Fatalf("run --due at %v: %d job lines, want %d:\n%s", now, lines, wantLines, out)
		}
		return out
	}
	runDue(at(-1, 23, 0), 0, 1)
	if f := files(); len(f) != 0 {
		t.Fatalf("files before Monday 07:00: %v", f)
	}
	out := runDue(at(0, 7, 5), 2, 2)
	day := monday.Format("20060102")
	want := []string{"appointments_last-week_" + day + ".xlsx", "dashboard_this-month_" + day + ".pdf"}
	if got := files(); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v\n%s", got, want, out)
	}
	for _, f := range want {
		if fi, err := os.Stat(filepath.Join(folder, f)); err != nil || fi.Size() < 1000 {
			t.Errorf("%s: %v (%d bytes)", f, err, fi.Size())
		}
	}
	if !strings.Contains(out, "rows)") || !strings.Contains(out, ": ok: ") {
		t.Errorf("run lines: %q", out)
	}
	runDue(at(0, 7, 20), 0, 1)
	// Off for a week: the next Monday is missed; two weeks on, each job runs once.
	runDue(at(14, 9, 30), 2, 3)
	runDue(at(14, 9, 45), 0, 1)
	later := at(14, 0, 0).Format("20060102")
	want = append(want, "appointments_last-week_"+later+".xlsx", "dashboard_this-month_"+later+".pdf")
	slices.Sort(want)
	if got := files(); !slices.Equal(got, want) {
		t.Errorf("files after a week off %v, want %v", got, want)
	}
	_, list, _ := cli(at(14, 10, 0), "jobs", "list")
	if !strings.Contains(list, at(21, 7, 0).Format("2006-01-02 07:00")) {
		t.Errorf("list does not show the next Monday:\n%s", list)
	}
}
