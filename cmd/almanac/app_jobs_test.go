package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/license"
	"github.com/almanac-app/almanac/reports"
	"github.com/almanac-app/almanac/reports/jobs"
)

// TestAppSchedulerJobs: the Schedules screen's service adds, lists (with the tenant's zone
// and next run), runs now through the real runner into the folder, pauses, resumes, marks
// seen and removes, on the same files as almanac jobs.
func TestAppSchedulerJobs(t *testing.T) {
	home := demoHome(t)
	activatePlan(t, home, license.Professional)   // Scheduled jobs
	now := time.Now().UTC().Truncate(time.Minute) // the license was issued an hour ago
	env := &Env{Home: home, Now: func() time.Time { return now }, Stdout: os.Stdout, Stderr: os.Stderr, Ctx: context.Background()}
	a := newAppScheduler(env)
	ctx := context.Background()
	dir := t.TempDir()
	j, err := a.Add(ctx, jobs.Job{Tenant: "demo", Kind: jobs.KindExport, Dataset: reports.DatasetAppointments, Format: reports.FormatCSV,
		Period: "last-week", Folder: dir, Schedule: jobs.Schedule{Every: jobs.Weekly, Weekday: time.Monday, Hour: 7}})
	if err != nil || j.ID != "1" {
		t.Fatalf("Add: %+v, %v", j, err)
	}
	list, err := a.List(ctx)
	if err != nil || len(list) != 1 || list[0].Location == nil || list[0].Next.IsZero() {
		t.Fatalf("List: %+v, %v", list, err)
	}
	if want := j.Schedule.Next(now, list[0].Location); !list[0].Next.Equal(want) {
		t.Errorf("next %v, want %v", list[0].Next, want)
	}
	run, err := a.RunNow(ctx, "1")
	if err != nil || run.Result != jobs.ResultOK || filepath.Dir(run.File) != dir {
		t.Fatalf("RunNow: %+v, %v", run, err)
	}
	if _, err := os.Stat(run.File); err != nil {
		t.Errorf("the file is not there: %v", err)
	}
	if err := a.Pause(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if list, _ := a.List(ctx); !list[0].Paused || !list[0].Next.IsZero() || list[0].Last == nil {
		t.Errorf("after Pause: %+v", list[0])
	}
	if err := a.Resume(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if err := a.MarkSeen(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	j.Schedule = jobs.Schedule{Every: jobs.Daily, Hour: 6, Minute: 30}
	if err := a.Update(ctx, j); err != nil {
		t.Fatal(err)
	}
	if got, _ := jobs.Open(env.home()).Get("1"); got.Schedule != j.Schedule || got.Paused {
		t.Errorf("after Update: %+v", got)
	}
	if runs, err := a.RunDue(ctx); err != nil || len(runs) != 0 {
		t.Errorf("RunDue right after the edit: %+v, %v", runs, err)
	}
	if err := a.Remove(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if list, _ := a.List(ctx); len(list) != 0 {
		t.Errorf("after Remove: %+v", list)
	}
}

// TestAppSchedulerGatesByTheJobsTenant: the Schedules screen's Add and Update hold a job to its
// own business's license, not the active one's: with the demo on PROFESSIONAL active, a job of
// a FREE business is refused naming PROFESSIONAL, and saved once that business has the plan.
func TestAppSchedulerGatesByTheJobsTenant(t *testing.T) {
	_, url := syncServer(t)
	home := demoHome(t)
	if code, _, stderr := runCLI(t, "--home", home, "sync", "--server", url, "--token", "s3cret", "--add"); code != 0 {
		t.Fatalf("sync: %d %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "--home", home, "tenant", "use", "demo"); code != 0 {
		t.Fatalf("tenant use: %d %s", code, stderr)
	}
	activatePlan(t, home, license.Professional)
	env := &Env{Home: home, Now: time.Now, Stdout: os.Stdout, Stderr: os.Stderr, Ctx: context.Background()}
	a := newAppScheduler(env)
	ctx := context.Background()
	j := jobs.Job{Tenant: "maple", Kind: jobs.KindExport, Dataset: reports.DatasetCustomers, Format: reports.FormatCSV,
		Folder: t.TempDir(), Schedule: jobs.Schedule{Every: jobs.Daily, Hour: 6}}
	var ue *license.UpgradeError
	if _, err := a.Add(ctx, j); !errors.As(err, &ue) || !strings.Contains(err.Error(), "PROFESSIONAL") {
		t.Fatalf("a FREE business's job added under the active demo's plan: %v", err)
	}
	activatePlanFor(t, home, "maple", license.Professional)
	saved, err := a.Add(ctx, j)
	if err != nil {
		t.Fatalf("Add with maple on PROFESSIONAL: %v", err)
	}
	activatePlanFor(t, home, "maple", license.Starter)
	saved.Schedule.Hour = 7
	if err := a.Update(ctx, saved); !errors.As(err, &ue) {
		t.Errorf("an edit of a STARTER business's job was saved: %v", err)
	}
}
