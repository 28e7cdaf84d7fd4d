package license

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	_ "embed"
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// devPublicKey is the public half of the committed development key pair.
// Every build embeds it: development builds trust it, release builds use it
// to refuse a key list that contains it under any id.
//
//go:embed devkeys/INSECURE-DEV-ONLY.pub
var devPublicKey string

// DevKeyID is the key id of the development key. Its private half is
// committed to the repository (license/devkeys), so only development builds
// trust it; release key lists may not contain it.
const DevKeyID = "INSECURE-DEV-ONLY"

// releaseKeys is the base64 of a trusted key list ("KID BASE64" lines), set
// at link time:
//
//	go build -tags release -ldflags "-X github.com/almanac-app/almanac/license.releaseKeys=$(base64 -w0 < FILE)"
//
// It is build information, not state: nothing writes it at run time.
var releaseKeys string

// PublicKey is one key a build trusts to sign licenses.
type PublicKey struct {
	KID string
	Key ed25519.PublicKey
	// Retired keys stay listed so their licenses fail with RETIRED_KEY, which
	// tells the user to ask for a reissue, instead of UNKNOWN_KEY.
	Retired bool
}

// KeySet is the set of public keys a build trusts, by key id. The zero value
// trusts nothing, and Verify fails closed on it.
type KeySet struct {
	keys map[string]PublicKey
	err  error // why the build's key list could not be read; Verify reports it
}

// NewKeySet builds a key set, refusing invalid key ids, wrong key sizes and
// duplicate ids.
func NewKeySet(keys ...PublicKey) (KeySet, error) {
	s := KeySet{keys: make(map[string]PublicKey, len(keys))}
	for _, k := range keys {
		if err := ValidKeyID(k.KID); err != nil {
			return KeySet{}, err
		}
		if len(k.Key) != ed25519.PublicKeySize {
			return KeySet{}, fmt.Errorf("key %q is %d bytes; an Ed25519 public key is %d", k.KID, len(k.Key), ed25519.PublicKeySize)
		}
		if _, dup := s.keys[k.KID]; dup {
			return KeySet{}, fmt.Errorf("key id %q is listed twice; give every key its own id", k.KID)
		}
		k.Key = slices.Clone(k.Key)
		s.keys[k.KID] = k
	}
	return s, nil
}

// ParseKeySet reads a key list: one "KID BASE64" line per key, optionally
// followed by the word "retired"; blank lines and lines starting with # are
// skipped.
func ParseKeySet(text []byte) (KeySet, error) {
	var keys []PublicKey
	sc := bufio.NewScanner(bytes.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := parseKeyLine(line)
		if err != nil {
			return KeySet{}, fmt.Errorf("key list line %d: %w", n, err)
		}
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		return KeySet{}, fmt.Errorf("key list: %w", err)
	}
	return NewKeySet(keys...)
}

func parseKeyLine(line string) (PublicKey, error) {
	f := strings.Fields(line)
	if len(f) < 2 || len(f) > 3 || (len(f) == 3 && f[2] != "retired") {
		return PublicKey{}, fmt.Errorf("want \"KID BASE64\" or \"KID BASE64 retired\", got %d fields", len(f))
	}
	key, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil {
		return PublicKey{}, fmt.Errorf("key %q is not base64: %v", f[0], err)
	}
	return PublicKey{KID: f[0], Key: key, Retired: len(f) == 3}, nil
}

// Keys lists the set's keys sorted by id.
func (s KeySet) Keys() []PublicKey {
	out := make([]PublicKey, 0, len(s.keys))
	for _, kid := range slices.Sorted(maps.Keys(s.keys)) {
		out = append(out, s.keys[kid])
	}
	return out
}

// Lookup returns the key with the given id.
func (s KeySet) Lookup(kid string) (PublicKey, bool) {
	k, ok := s.keys[kid]
	return k, ok
}

// Len counts the keys, retired ones included.
func (s KeySet) Len() int { return len(s.keys) }

// Err says why the set is unusable (a build's key list that could not be
// read), or nil.
func (s KeySet) Err() error { return s.err }

// ValidKeyID checks a key id: 1 to 64 letters, digits, '.', '_' or '-',
// starting with a letter or digit. Key ids name files and sit inside the
// signed message, so they stay plain.
func ValidKeyID(kid string) error {
	if kid == "" || len(kid) > 64 {
		return fmt.Errorf("key id %s must be 1 to 64 characters", quote(kid))
	}
	for i, r := range kid {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || (r != '.' && r != '_' && r != '-')) {
			return fmt.Errorf("key id %s may hold only letters, digits, '.', '_' and '-', starting with a letter or digit", quote(kid))
		}
	}
	return nil
}

// parseReleaseKeys decodes the link-time key list. Release lists must not
// trust a development key: its private half is public. The key bytes are
// compared, not only the id, so the committed development key listed as
// "vendor-2026" is refused too.
func parseReleaseKeys(encoded string) (KeySet, error) {
	if strings.TrimSpace(encoded) == "" {
		return KeySet{}, nil
	}
	text, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(encoded), ""))
	if err != nil {
		return KeySet{}, fmt.Errorf("releaseKeys is not base64 (%v); link with -X ...license.releaseKeys=$(base64 -w0 < FILE)", err)
	}
	s, err := ParseKeySet(text)
	if err != nil {
		return KeySet{}, err
	}
	dev, err := ParsePublicKey([]byte(devPublicKey))
	if err != nil {
		return KeySet{}, fmt.Errorf("development key: %w", err)
	}
	for _, k := range s.Keys() {
		if bytes.Equal(k.Key, dev) {
			return KeySet{}, fmt.Errorf("key list trusts the committed development public key (as %q), whose private half is in license/devkeys, so anyone could sign licenses; remove that line from the release key list", k.KID)
		}
		if strings.HasPrefix(strings.ToUpper(k.KID), "INSECURE") {
			return KeySet{}, fmt.Errorf("key list trusts %q, a development key; remove it from the release key list", k.KID)
		}
	}
	return s, nil
}

// FormatPublicKey is the content of a KID.pub file: the key as one line of base64.
func FormatPublicKey(pub ed25519.PublicKey) []byte {
	return []byte(base64.StdEncoding.EncodeToString(pub) + "\n")
}

// ParsePublicKey reads a KID.pub file.
func ParsePublicKey(text []byte) (ed25519.PublicKey, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text)))
	if err != nil || len(key) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public key file does not hold one line of base64 of a %d-byte Ed25519 key", ed25519.PublicKeySize)
	}
	return key, nil
}

// FormatPrivateKey is the content of a KID.key file. It names its key id and
// is deliberately not "KID BASE64", so it can never be mistaken for a public
// key list.
func FormatPrivateKey(kid string, priv ed25519.PrivateKey) []byte {
	return fmt.Appendf(nil,
		"# Almanac license signing key %q. SECRET: whoever holds this file can issue licenses.\nkid: %s\nseed: %s\n",
		kid, kid, base64.StdEncoding.EncodeToString(priv.Seed()))
}

// ParsePrivateKey reads a KID.key file.
func ParsePrivateKey(text []byte) (kid string, priv ed25519.PrivateKey, err error) {
	var seed string
	for line := range strings.Lines(string(text)) {
		line = strings.TrimSpace(line)
		name, value, ok := strings.Cut(line, ":")
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case ok && name == "kid":
			kid = strings.TrimSpace(value)
		case ok && name == "seed":
			seed = strings.TrimSpace(value)
		default:
			return "", nil, fmt.Errorf("private key file: unexpected line %s; want \"kid: KID\" and \"seed: BASE64\"", quote(line))
		}
	}
	if err := ValidKeyID(kid); err != nil {
		return "", nil, fmt.Errorf("private key file: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(seed)
	if err != nil || len(raw) != ed25519.SeedSize {
		return "", nil, fmt.Errorf("private key file: seed is not base64 of %d bytes", ed25519.SeedSize)
	}
	return kid, ed25519.NewKeyFromSeed(raw), nil
}
