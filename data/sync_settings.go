package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
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

// TokenFor returns the saved token when server has the origin (scheme, host, port) it was saved
// with, and "" otherwise: a token belongs to one server and is never sent to another.
func (s SyncSettings) TokenFor(server string) Secret {
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
		return "", fmt.Errorf("the token is longer than %d bytes: %w: is it the right file?", MaxTokenLen, ErrInvalid)
	}
	s := strings.TrimRight(string(b), "\r\n")
	s = strings.Trim(s, " \t")
	switch {
	case s == "":
		return "", fmt.Errorf("the token is empty: %w: put the token on the first line", ErrInvalid)
	case strings.ContainsAny(s, "\r\n"):
		return "", fmt.Errorf("the token spans more than one line: %w: put only the token in the file", ErrInvalid)
	case len(s) > MaxTokenLen:
		return "", fmt.Errorf("the token is longer than %d bytes: %w: is it the right file?", MaxTokenLen, ErrInvalid)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r != '\t' && (r < 0x20 || r == 0x7f) }):
		return "", fmt.Errorf("the token holds control characters or invalid UTF-8: %w: is it the right file?", ErrInvalid)
	}
	return Secret(s), nil
}
