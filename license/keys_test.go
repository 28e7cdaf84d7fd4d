package license

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func keyLine(k PublicKey) string {
	return fmt.Sprintf("%s %s", k.KID, base64.StdEncoding.EncodeToString(k.Key))
}

func TestParseKeySet(t *testing.T) {
	a, _ := testKey("prod-2026", 3)
	b, _ := testKey("prod-2025", 4)
	text := "# trusted keys\n\n" + keyLine(a) + "\n  " + keyLine(b) + " retired  \n"
	s, err := ParseKeySet([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	keys := s.Keys()
	if s.Len() != 2 || keys[0].KID != "prod-2025" || !keys[0].Retired || keys[1].KID != "prod-2026" || keys[1].Retired {
		t.Errorf("Keys = %+v", keys)
	}
	if k, ok := s.Lookup("prod-2026"); !ok || !k.Key.Equal(a.Key) {
		t.Error("Lookup failed")
	}
	bad := []struct{ name, text string }{
		{"one field", "prod-2026\n"},
		{"four fields", keyLine(a) + " retired extra\n"},
		{"unknown flag", keyLine(a) + " revoked\n"},
		{"not base64", "prod-2026 %%%\n"},
		{"wrong size", "prod-2026 " + base64.StdEncoding.EncodeToString([]byte("short")) + "\n"},
		{"duplicate", keyLine(a) + "\n" + keyLine(a) + "\n"},
		{"bad kid", "pro/d " + base64.StdEncoding.EncodeToString(a.Key) + "\n"},
		{"a private key file", string(FormatPrivateKey("prod2026", mustPriv(t)))},
	}
	for _, tt := range bad {
		if _, err := ParseKeySet([]byte(tt.text)); err == nil {
			t.Errorf("%s: ParseKeySet accepted %q", tt.name, tt.text)
		}
	}
}

func mustPriv(t *testing.T) []byte {
	_, priv := testKey("x", 5)
	return priv
}

func TestValidKeyID(t *testing.T) {
	for _, ok := range []string{"a", "prod-2026", "K.1_x", DevKeyID, strings.Repeat("k", 64)} {
		if err := ValidKeyID(ok); err != nil {
			t.Errorf("ValidKeyID(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-a", ".a", "a b", "a\x00b", "a:b", "ä", strings.Repeat("k", 65)} {
		if ValidKeyID(bad) == nil {
			t.Errorf("ValidKeyID(%q) accepted", bad)
		}
	}
}

func TestPrivateKeyFile(t *testing.T) {
	pub, priv := testKey("prod-2026", 6)
	kid, got, err := ParsePrivateKey(FormatPrivateKey("prod-2026", priv))
	if err != nil || kid != "prod-2026" || !got.Equal(priv) {
		t.Fatalf("round trip = %q, %v", kid, err)
	}
	if k, err := ParsePublicKey(FormatPublicKey(pub.Key)); err != nil || !k.Equal(pub.Key) {
		t.Errorf("public round trip: %v", err)
	}
	for _, bad := range []string{"", "kid: a\n", "seed: AAAA\n", "kid: a\nseed: AAAA\n", "hello\n"} {
		if _, _, err := ParsePrivateKey([]byte(bad)); err == nil {
			t.Errorf("ParsePrivateKey(%q) accepted", bad)
		}
	}
}

// devKeyFile reads a file of the committed development key pair from disk,
// so this package's tests import nothing of ours.
func devKeyFile(t testing.TB, ext string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("devkeys", DevKeyID+ext))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDevKeyPair(t *testing.T) {
	kid, priv, err := ParsePrivateKey(devKeyFile(t, ".key"))
	if err != nil || kid != DevKeyID {
		t.Fatalf("dev key: %q, %v", kid, err)
	}
	pub, err := ParsePublicKey(devKeyFile(t, ".pub"))
	if err != nil || !pub.Equal(priv.Public()) {
		t.Fatalf("the committed .pub does not match the .key: %v", err)
	}
}

func TestParseReleaseKeys(t *testing.T) {
	a, _ := testKey("prod-2026", 3)
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	if s, err := parseReleaseKeys(""); err != nil || s.Len() != 0 {
		t.Errorf("empty = %v, %v", s.Len(), err)
	}
	if s, err := parseReleaseKeys(enc(keyLine(a) + "\n")); err != nil || s.Len() != 1 {
		t.Errorf("one key = %v, %v", s.Len(), err)
	}
	dev, _ := testKey(DevKeyID, 7)
	committed, err := ParsePublicKey(devKeyFile(t, ".pub"))
	if err != nil {
		t.Fatal(err)
	}
	renamed := PublicKey{KID: "vendor-2026", Key: committed}
	for name, v := range map[string]string{
		"committed dev key renamed":         enc(keyLine(a) + "\n" + keyLine(renamed) + "\n"),
		"committed dev key renamed retired": enc(keyLine(renamed) + " retired\n"),
		"not base64":                        "prod-2026 AAAA",
		"bad list":                          enc("nonsense\n"),
		"dev key":                           enc(keyLine(dev) + "\n"),
		"insecure kid":                      enc(strings.Replace(keyLine(a), "prod-2026", "insecure-2", 1)),
	} {
		if _, err := parseReleaseKeys(v); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestReleaseTrust exercises the release path in any build: a key set made
// the way release builds make theirs never trusts the development key.
func TestReleaseTrust(t *testing.T) {
	relPub, relPriv := testKey("prod-2026", 3)
	_, devPriv, err := ParsePrivateKey(devKeyFile(t, ".key"))
	if err != nil {
		t.Fatal(err)
	}
	release, err := parseReleaseKeys(base64.StdEncoding.EncodeToString([]byte(keyLine(relPub))))
	if err != nil {
		t.Fatal(err)
	}
	devLicense := mustParse(t, mustSign(t, testPayload(), DevKeyID, devPriv))
	relLicense := mustParse(t, mustSign(t, testPayload(), "prod-2026", relPriv))

	err = Verify(devLicense, release)
	wantCode(t, err, CodeUnknownKey)
	if !strings.Contains(err.Error(), "insecure development key") {
		t.Errorf("dev license in a release build: %v", err)
	}
	if err := Verify(relLicense, release); err != nil {
		t.Errorf("release license: %v", err)
	}
	empty, _ := parseReleaseKeys("")
	wantCode(t, Verify(relLicense, empty), CodeNoTrustedKeys)
	_, err = parseReleaseKeys("***")
	wantCode(t, Verify(relLicense, KeySet{err: err}), CodeNoTrustedKeys)
}
