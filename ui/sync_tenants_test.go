package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	datasync "github.com/almanac-app/almanac/data/sync"

	"fyne.io/fyne/v2/test"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/reports"
)

var errBirch = &datasync.OtherTenantError{Active: data.Tenant{ID: "maple", Name: "Maple Street Wellness"},
	Remote: datasync.RemoteTenant{Tenant: data.Tenant{ID: "birch", Name: "Birch Yoga"}}}

func TestAddTenantQuestion(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string // "" when no question is asked
	}{
		{"other tenant", errBirch, "This server holds Birch Yoga (birch), not Maple Street Wellness. Add it as another business?"},
		{"wrapped", fmt.Errorf("sync: %w", errBirch), "This server holds Birch Yoga (birch), not Maple Street Wellness. Add it as another business?"},
		{"no names", &datasync.OtherTenantError{Active: data.Tenant{ID: "maple"}, Remote: datasync.RemoteTenant{Tenant: data.Tenant{ID: "birch"}}},
			"This server holds birch, not maple. Add it as another business?"},
		{"success", nil, ""},
		{"store of another tenant", data.ErrTenantChanged, ""},
		{"rejected token", datasync.ErrTokenRejected, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := addTenantQuestion(tc.err)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("got %q, %v; want %q", got, ok, tc.want)
			}
		})
	}
}

// addSyncer refuses a sync without Add the way datasync.Sync does when the server holds another
// business, and records every request.
type addSyncer struct {
	fakeSyncer
	mu    sync.Mutex
	reqs  []SyncRequest
	after Reports
}

func (f *addSyncer) Sync(_ context.Context, req SyncRequest, _ func(datasync.Progress)) (SyncDone, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	if !req.Add {
		return SyncDone{Result: datasync.Result{Accepted: true, Remote: errBirch.Remote}}, errBirch
	}
	res := datasync.Result{Tenant: data.Tenant{ID: "birch", Name: "Birch Yoga"}, Added: true, NewTenant: true,
		Entities: []datasync.EntityResult{{Entity: "appointments", Added: 7}}}
	return SyncDone{Result: res, Reports: f.after}, nil
}

func (f *addSyncer) requests() []SyncRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SyncRequest(nil), f.reqs...)
}

// TestSyncScreenAsksBeforeAddingTenant: a server holding another business asks the owner;
// Add runs the same sync again with the add option, Cancel changes nothing.
func TestSyncScreenAsksBeforeAddingTenant(t *testing.T) {
	for _, answer := range []string{"Add", "Cancel"} {
		t.Run(answer, func(t *testing.T) {
			f := &addSyncer{fakeSyncer: fakeSyncer{saved: datasync.Settings{Server: "http://b.example", Token: "tb"}}}
			s := newSyncShell(t, f)
			f.after = syncedReports{Service: s.Reports().(*reports.Service)}
			v := s.syncView
			v.full.SetChecked(true)
			test.Tap(v.run)
			waitFor(t, "the question", func() bool { return s.Win.Canvas().Overlays().Top() != nil })
			if got := exportsTexts(s.Win.Canvas().Overlays().Top()); !strings.Contains(got, "This server holds Birch Yoga (birch), not Maple Street Wellness. Add it as another business?") {
				t.Fatalf("dialog %s", got)
			}
			if !strings.HasPrefix(v.status.Text, "Nothing was changed") || v.run.Disabled() {
				t.Errorf("while asking: status %q, Sync now disabled %v", v.status.Text, v.run.Disabled())
			}
			tapOverlayButton(t, s, answer)
			if answer == "Cancel" {
				testPump.drain()
				if got := f.requests(); len(got) != 1 || got[0].Add || v.cancel != nil {
					t.Errorf("Cancel synced again: %+v", got)
				}
				if !strings.Contains(v.status.Text, "Nothing was changed") {
					t.Errorf("status %q", v.status.Text)
				}
				return
			}
			waitFor(t, "the added sync", func() bool { return len(f.requests()) == 2 && !v.run.Disabled() && current(s)() })
			got := f.requests()
			if want := (SyncRequest{Server: "http://b.example", Token: "tb", Full: true, Add: true}); got[1] != want || got[0].Add {
				t.Errorf("requests %+v, want the same sync with Add", got)
			}
			if !strings.HasPrefix(v.status.Text, "Added Birch Yoga (birch) as another business, now the active one: 7 added") || s.title.Text != "Maple Synced" {
				t.Errorf("status %q, title %q", v.status.Text, s.title.Text)
			}
		})
	}
}

// tenantReports shows the demo reports as another synced tenant, as after a switch.
type tenantReports struct {
	*reports.Service
	id, name string
}

func (r tenantReports) Tenant(ctx context.Context) (data.Tenant, error) {
	t, err := r.Service.Tenant(ctx)
	t.ID, t.Name, t.IsDemo = r.id, r.name, false
	return t, err
}

// TestSyncScreenFollowsActiveTenant: after a switch to another tenant the form shows that
// tenant's own saved server and token, not the previous one's.
func TestSyncScreenFollowsActiveTenant(t *testing.T) {
	f := &fakeSyncer{saved: datasync.Settings{Server: "http://a.example", Token: "ta"}}
	s := newSyncShell(t, f)
	v := s.syncView
	if v.server.Text != "http://a.example" {
		t.Fatalf("form %q", v.server.Text)
	}
	v.server.SetText("http://typed.example") // typed text stays while the tenant does
	s.Refresh()
	waitFor(t, "the refresh", current(s))
	if v.server.Text != "http://typed.example" {
		t.Errorf("a refresh replaced the typed URL: %q", v.server.Text)
	}
	f.mu.Lock()
	f.saved = datasync.Settings{Server: "http://b.example", Token: "tb"}
	f.mu.Unlock()
	s.SetReports(tenantReports{Service: s.Reports().(*reports.Service), id: "birch", name: "Birch Yoga"})
	waitFor(t, "the switch", current(s))
	if v.server.Text != "http://b.example" || v.token.Text != "tb" {
		t.Errorf("after the switch the form shows %q / %q", v.server.Text, v.token.Text)
	}
}
