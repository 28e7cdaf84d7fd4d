package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/store"
)

// Sync settings are kept per tenant in <home>/sync/<tenant id>.json, written with mode 0600
// because of the token: a home that syncs two businesses from two servers keeps both pairs.
// They live in the home rather than in a tenant's store so the first sync of a new tenant can
// find them. The demo's slot (sync/demo.json; the id is reserved, no server tenant has it) holds
// the pair of a sync started while the demo (or no tenant) was active and not finished yet, so
// a bare sync resumes it. <home>/sync.json is the single file of earlier versions; it is moved
// to the tenant it belongs to the first time settings are read.
const (
	syncSettingsDir   = "sync"
	legacySyncSetting = "sync.json"
)

// Settings is what the home remembers about syncing one tenant.
type Settings struct {
	Server     string     `json:"server"`
	Token      Secret     `json:"token"`
	LastAt     *time.Time `json:"last_at,omitempty"`
	LastResult string     `json:"last_result,omitempty"` // one line: a summary or the error
	LastOK     bool       `json:"last_ok,omitempty"`
	// LastCause is the plain-words reason a failed last sync stopped ("the server could not
	// be reached", FailureCause); empty after a success and in files of earlier versions.
	LastCause string `json:"last_cause,omitempty"`
	// AutoOnOpen syncs the tenant when the app opens; AutoEveryHours, when above zero, every
	// that many hours while it is open. Both are off in files of earlier versions.
	AutoOnOpen     bool `json:"auto_on_open,omitempty"`
	AutoEveryHours int  `json:"auto_every_hours,omitempty"`
}

// MaxAutoEveryHours bounds the automatic sync's interval: once a week.
const MaxAutoEveryHours = 7 * 24

// SaveAutoSyncOf sets tenant id's automatic sync (on open; every n hours, 0 for never) in its
// saved settings, keeping the server, the token and the last outcome. The demo has no server
// of its own to sync from, so its slot takes none.
func SaveAutoSyncOf(ctx context.Context, h data.Home, id string, onOpen bool, everyHours int) error {
	if syncSlot(id) == data.DemoTenantID {
		return fmt.Errorf("automatic sync of the demo: %w: the demo has no server to sync from", data.ErrInvalid)
	}
	if everyHours < 0 || everyHours > MaxAutoEveryHours {
		return fmt.Errorf("automatic sync every %d hours: %w: give 0 (never) to %d hours", everyHours, data.ErrInvalid, MaxAutoEveryHours)
	}
	if _, err := SettingsOf(ctx, h, id); err != nil {
		return err // an unreadable file keeps the server and token it may hold: not overwritten
	}
	return UpdateSettingsOf(ctx, h, id, func(s *Settings) { s.AutoOnOpen, s.AutoEveryHours = onOpen, everyHours })
}

// UpdateSettingsOf changes tenant id's saved settings with change, holding the settings' lock
// from the read to the write, so a sync saving its outcome and the owner flipping a switch at
// the same moment (two goroutines or two processes) both land. A missing or unreadable file
// starts from empty settings.
func UpdateSettingsOf(ctx context.Context, h data.Home, id string, change func(*Settings)) error {
	if id != "" && !data.ValidTenantID(id) {
		return fmt.Errorf("save sync settings: tenant id %q: %w", id, data.ErrInvalid)
	}
	ctx = context.WithoutCancel(ctx) // a cancelled sync still records that it was cancelled
	path := syncSettingsPath(h, id)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save sync settings: %w", err)
	}
	l, err := data.LockFile(strings.TrimSuffix(path, ".json")+".lock", "almanac sync settings", true)
	if err != nil {
		return fmt.Errorf("save sync settings: %w", err)
	}
	defer l.Unlock() //nolint:errcheck // closing drops the lock anyway
	s, err := SettingsOf(ctx, h, id)
	if err != nil {
		s = Settings{}
	}
	change(&s)
	return SaveSettingsOf(h, id, s)
}

// syncSlot is the settings slot of tenant id: its own, or the demo's for the demo and for none.
func syncSlot(id string) string {
	if id == "" || id == data.DemoTenantID {
		return data.DemoTenantID
	}
	return id
}

func syncSettingsPath(h data.Home, id string) string {
	return filepath.Join(h.Dir, syncSettingsDir, syncSlot(id)+".json")
}

// LoadSettings reads the active tenant's sync settings (the demo's slot when the demo or
// no tenant is active).
func LoadSettings(ctx context.Context, h data.Home) (Settings, error) {
	active, err := h.ActiveTenant()
	if err != nil && !errors.Is(err, data.ErrNoTenant) {
		return Settings{}, err
	}
	return SettingsOf(ctx, h, active)
}

// SettingsOf reads tenant id's saved sync settings; a tenant without them gives zero
// settings.
func SettingsOf(ctx context.Context, h data.Home, id string) (Settings, error) {
	if id != "" && !data.ValidTenantID(id) {
		return Settings{}, fmt.Errorf("tenant id %q: %w", id, data.ErrInvalid)
	}
	if err := migrateSyncSettings(ctx, h); err != nil {
		return Settings{}, err
	}
	return readSyncSettings(syncSettingsPath(h, id))
}

func readSyncSettings(path string) (Settings, error) {
	var s Settings
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read sync settings: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return Settings{}, fmt.Errorf("sync settings %s are damaged: %v: delete the file, then sync again giving the server and the token", path, err)
	}
	return s, nil
}

// SaveSettingsOf writes tenant id's sync settings atomically with mode 0600.
func SaveSettingsOf(h data.Home, id string, s Settings) error {
	if id != "" && !data.ValidTenantID(id) {
		return fmt.Errorf("save sync settings: tenant id %q: %w", id, data.ErrInvalid)
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := data.WriteFileAtomic(syncSettingsPath(h, id), b, 0o600); err != nil {
		return fmt.Errorf("save sync settings: %w", err)
	}
	return nil
}

// ForgetSettingsOf removes tenant id's sync settings, if any.
func ForgetSettingsOf(h data.Home, id string) error {
	if err := os.Remove(syncSettingsPath(h, id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("forget sync settings: %w", err)
	}
	return nil
}

// migrateSyncSettings moves the single sync.json of earlier versions to the tenant it belongs
// to (legacySyncOwner), unless that tenant already has its own settings, then removes it.
func migrateSyncSettings(ctx context.Context, h data.Home) error {
	legacy := filepath.Join(h.Dir, legacySyncSetting)
	s, err := readSyncSettings(legacy)
	if err != nil || (s == Settings{}) {
		if _, serr := os.Stat(legacy); serr != nil {
			return nil // no legacy file
		}
		if err != nil {
			return err
		}
		return removeLegacy(legacy) // an empty legacy file carries nothing
	}
	owner, err := legacySyncOwner(ctx, h)
	if err != nil {
		return err
	}
	if _, err := os.Stat(syncSettingsPath(h, owner)); errors.Is(err, os.ErrNotExist) {
		if err := SaveSettingsOf(h, owner, s); err != nil {
			return fmt.Errorf("move %s: %w", legacy, err)
		}
	}
	return removeLegacy(legacy)
}

func removeLegacy(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("move %s: %w", path, err)
	}
	return nil
}

// legacySyncOwner is the tenant the single sync.json was last written for: the one of the
// synced tenants whose last sync is newest (an earlier version saved the pair after each
// sync), the active one on a tie; the demo's slot when the home keeps no synced tenant.
func legacySyncOwner(ctx context.Context, h data.Home) (string, error) {
	entries, err := store.Tenants(ctx, h)
	if err != nil {
		return "", err
	}
	owner, best, bestActive := data.DemoTenantID, time.Time{}, false
	for _, e := range entries {
		if e.IsDemo || e.Err != nil {
			continue
		}
		var at time.Time
		if e.LastSyncAt != nil {
			at = *e.LastSyncAt
		}
		if owner == data.DemoTenantID || at.After(best) || (at.Equal(best) && e.Active && !bestActive) {
			owner, best, bestActive = e.ID, at, e.Active
		}
	}
	return owner, nil
}

// TokenFor returns the saved token when server has the origin (scheme, host, port) it was saved
// with, and "" otherwise: a token belongs to one server and is never sent to another.
func (s Settings) TokenFor(server string) Secret {
	if s.Token == "" || Origin(server) == "" || Origin(server) != Origin(s.Server) {
		return ""
	}
	return s.Token
}

// MaxTokenLen bounds a token read from a file or standard input.
const MaxTokenLen = 4096

// ParseToken reads a token from a file's or standard input's bytes: the first line, without
// its line ending and surrounding white space. It must be printable (tabs and spaces allowed
// inside), non-empty, at most MaxTokenLen bytes, and alone: text after it is refused, since a
// second line means the wrong file.
func ParseToken(b []byte) (Secret, error) {
	if len(b) > MaxTokenLen+2 {
		return "", fmt.Errorf("the token is longer than %d bytes: %w: is it the right file?", MaxTokenLen, data.ErrInvalid)
	}
	s := strings.TrimRight(string(b), "\r\n")
	s = strings.Trim(s, " \t")
	switch {
	case s == "":
		return "", fmt.Errorf("the token is empty: %w: put the token on the first line", data.ErrInvalid)
	case strings.ContainsAny(s, "\r\n"):
		return "", fmt.Errorf("the token spans more than one line: %w: put only the token in the file", data.ErrInvalid)
	case len(s) > MaxTokenLen:
		return "", fmt.Errorf("the token is longer than %d bytes: %w: is it the right file?", MaxTokenLen, data.ErrInvalid)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r != '\t' && (r < 0x20 || r == 0x7f) }):
		return "", fmt.Errorf("the token holds control characters or invalid UTF-8: %w: is it the right file?", data.ErrInvalid)
	}
	return Secret(s), nil
}
