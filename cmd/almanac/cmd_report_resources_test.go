package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// report resources: gated by staff performance (exit 3 naming PROFESSIONAL), no filters (exit
// 2), and its JSON agrees with the appointments report over the same days; the appointments
// report's busy_hours is 7 × 24 and sums to its total.
func TestReportResources(t *testing.T) {
	free, pro := demoHome(t), proHome(t)
	if code, _, stderr := runCLI(t, "--home", free, "report", "resources"); code != 3 || !strings.Contains(stderr, "PROFESSIONAL") {
		t.Errorf("FREE: exit %d, stderr %q; want 3 naming PROFESSIONAL", code, stderr)
	}
	if code, _, stderr := runCLI(t, "--home", pro, "report", "resources", "--resource", "1"); code != 2 || !strings.Contains(stderr, "filters") {
		t.Errorf("--resource: exit %d, stderr %q; want 2", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "--home", pro, "report", "resources", "--days", "30", "--json")
	if code != 0 {
		t.Fatalf("resources --json: exit %d: %s", code, stderr)
	}
	var staff struct {
		Resources []struct {
			ID           int64   `json:"id"`
			Appointments int64   `json:"appointments"`
			Visits       int64   `json:"visits"`
			BookedHours  float64 `json:"booked_hours"`
			SharePercent float64 `json:"share_percent"`
		} `json:"resources"`
		Total      int64  `json:"total_appointments"`
		Currency   string `json:"currency"`
		PeriodDays int    `json:"period_days"`
	}
	if err := json.Unmarshal([]byte(stdout), &staff); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	code, stdout, stderr = runCLI(t, "--home", pro, "report", "appointments", "--days", "30", "--json")
	if code != 0 {
		t.Fatalf("appointments --json: exit %d: %s", code, stderr)
	}
	var appts struct {
		Total      int64 `json:"total"`
		ByResource []struct {
			ID    int64 `json:"id"`
			Count int64 `json:"count"`
		} `json:"by_resource"`
		BusyHours [][]int64 `json:"busy_hours"`
	}
	if err := json.Unmarshal([]byte(stdout), &appts); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if staff.Total != appts.Total || staff.Total == 0 || staff.PeriodDays != 30 || staff.Currency == "" {
		t.Errorf("staff total %d, period %d, currency %q; appointments total %d", staff.Total, staff.PeriodDays, staff.Currency, appts.Total)
	}
	byRes := map[int64]int64{}
	for _, r := range appts.ByResource {
		byRes[r.ID] = r.Count
	}
	for i, r := range staff.Resources {
		if r.Appointments != byRes[r.ID] {
			t.Errorf("resource %d: %d appointments, the appointments report says %d", r.ID, r.Appointments, byRes[r.ID])
		}
		if i > 0 && (r.Appointments > staff.Resources[i-1].Appointments ||
			r.Appointments == staff.Resources[i-1].Appointments && r.ID < staff.Resources[i-1].ID) {
			t.Errorf("resource %d is out of order", r.ID)
		}
	}
	var busy int64
	if len(appts.BusyHours) != 7 {
		t.Fatalf("busy_hours has %d rows, want 7", len(appts.BusyHours))
	}
	for _, row := range appts.BusyHours {
		if len(row) != 24 {
			t.Fatalf("a busy_hours row has %d hours, want 24", len(row))
		}
		for _, n := range row {
			busy += n
		}
	}
	if busy != appts.Total {
		t.Errorf("busy_hours sums to %d, total is %d", busy, appts.Total)
	}
	if code, stdout, _ := runCLI(t, "--home", pro, "report", "resources", "--days", "30"); code != 0 || !strings.Contains(stdout, "Booked hours") {
		t.Errorf("text: exit %d\n%s", code, stdout)
	}
}
