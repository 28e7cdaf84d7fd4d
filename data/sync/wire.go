package sync

import (
	"fmt"
	"time"

	"github.com/almanac-app/almanac/data"
)

// The sync protocol's wire shapes, shared by the client (sync.go) and the reference server
// (sync_server.go). docs/sync-protocol.md is the contract; keep the two in step.

// MaxPageLimit is the largest page a client may ask for.
const MaxPageLimit = 5000

// RemoteTenant is the body of GET /v1/tenant: the tenant as the server describes it (data.Tenant's
// JSON, which leaves out the store's own IsDemo and LastSyncAt) plus the server's clock.
type RemoteTenant struct {
	data.Tenant
	ServerTime time.Time `json:"server_time"`
}

// Tombstone says a row was deleted; UpdatedAt is when, and orders it among the changes.
type Tombstone struct {
	ID        int64     `json:"id"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ChangesPage is the body of GET /v1/changes/{entity}. Records holds the entity's own type.
type ChangesPage[T any] struct {
	Entity     string      `json:"entity"`
	Records    []T         `json:"records"`
	Deleted    []Tombstone `json:"deleted"`
	NextCursor string      `json:"next_cursor"`
	HasMore    bool        `json:"has_more"`
	Remaining  int64       `json:"remaining"` // changes after this page (an estimate)
}

// APIError is the body of every non-200 response.
type APIError struct {
	Error string `json:"error"`
}

// Validate checks the tenant description before anything is written.
func (t RemoteTenant) Validate() error {
	switch {
	case !data.ValidTenantID(t.ID):
		return fmt.Errorf("tenant id %q is not a safe identifier", t.ID)
	case t.Name == "" || len(t.Name) > 200:
		return fmt.Errorf("tenant name must be 1 to 200 bytes")
	case !data.ValidCurrency(t.Currency):
		return fmt.Errorf("tenant currency %q is not a code of three capital letters such as USD", t.Currency)
	}
	if _, err := time.LoadLocation(t.TimeZone); err != nil || t.TimeZone == "" {
		return fmt.Errorf("tenant time zone %q is not an IANA name", t.TimeZone)
	}
	return nil
}
