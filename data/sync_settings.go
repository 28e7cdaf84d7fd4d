package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// syncSettingsFile holds the server URL, its token and the last sync's outcome. It is written
// with mode 0600 because of the token, and lives in the home rather than a tenant's store so
// the first sync of a new tenant can find it.
const syncSettingsFile = "sync.json"

// SyncSettings is what the home remembers about syncing.
type SyncSettings struct {
	Server     string     `json:"server"`
	Token      Secret     `json:"token"`
	LastAt     *time.Time `json:"last_at,omitempty"`
	LastResult string     `json:"last_result,omitempty"` // one line: a summary or the error
	LastOK     bool       `json:"last_ok,omitempty"`
}

// LoadSyncSettings reads the saved sync settings; a home without them gives zero settings.
func (h Home) LoadSyncSettings() (SyncSettings, error) {
	var s SyncSettings
	b, err := os.ReadFile(filepath.Join(h.Dir, syncSettingsFile))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read sync settings: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return SyncSettings{}, fmt.Errorf("sync settings %s are damaged: %v: save them again on the Sync screen", filepath.Join(h.Dir, syncSettingsFile), err)
	}
	return s, nil
}

// SaveSyncSettings writes the sync settings atomically with mode 0600.
func (h Home) SaveSyncSettings(s SyncSettings) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(h.Dir, syncSettingsFile), b, 0o600); err != nil {
		return fmt.Errorf("save sync settings: %w", err)
	}
	return nil
}
