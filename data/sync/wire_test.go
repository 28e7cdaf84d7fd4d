package sync

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
)

// TestRemoteTenantWireShape: GET /v1/tenant's body is data.Tenant's JSON plus server_time, with
// exactly the documented fields, and a server cannot set the store's own IsDemo or LastSyncAt.
func TestRemoteTenantWireShape(t *testing.T) {
	at := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	rt := RemoteTenant{Tenant: data.Tenant{ID: "maple", Name: "Maple", TimeZone: "UTC", Currency: "USD",
		CanAcceptPayments: true, IsDemo: true, LastSyncAt: &at}, ServerTime: at}
	b, err := json.Marshal(rt)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"maple","name":"Maple","timezone":"UTC","currency":"USD","can_accept_payments":true,"server_time":"2026-11-01T12:00:00Z"}`
	if string(b) != want {
		t.Errorf("wire body\n got %s\nwant %s", b, want)
	}
	var got RemoteTenant
	if err := json.Unmarshal([]byte(`{"id":"maple","name":"Maple","timezone":"UTC","currency":"USD","is_demo":true,"last_sync_at":"2026-11-01T12:00:00Z","server_time":"2026-11-01T12:00:00Z"}`), &got); err != nil {
		t.Fatal(err)
	}
	if got.Tenant.IsDemo || got.Tenant.LastSyncAt != nil || got.ID != "maple" || !got.ServerTime.Equal(at) {
		t.Errorf("decoded %+v: a server must not set is_demo or last_sync_at", got)
	}
}
