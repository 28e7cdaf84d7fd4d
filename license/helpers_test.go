package license

import (
	"crypto/ed25519"
	"sync"
	"testing"
	"time"
)

// testNow is a fixed "now" for every test clock.
var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

const testKID = "test-2026"

// testKey derives a key pair from one byte so tests are repeatable.
func testKey(kid string, b byte) (PublicKey, ed25519.PrivateKey) {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = b
	}
	priv := ed25519.NewKeyFromSeed(seed)
	return PublicKey{KID: kid, Key: priv.Public().(ed25519.PublicKey)}, priv
}

func testKeys(t testing.TB, keys ...PublicKey) KeySet {
	t.Helper()
	s, err := NewKeySet(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testPayload is a PROFESSIONAL license for tenant "demo", issued yesterday,
// expiring in 100 days with 14 days of grace.
func testPayload() Payload {
	return Payload{
		LicenseID: "LIC-1", TenantID: "demo", Licensee: "Acme Ltd", Plan: Professional,
		IssuedAt:  testNow.Add(-24 * time.Hour),
		ExpiresAt: testNow.Add(100 * 24 * time.Hour),
		GraceDays: 14,
	}
}

func mustSign(t testing.TB, p Payload, kid string, priv ed25519.PrivateKey) []byte {
	t.Helper()
	text, err := Sign(p, kid, priv)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func mustParse(t testing.TB, text []byte) *License {
	t.Helper()
	l, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// fakeClock is a settable clock for managers under test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *fakeClock) add(d time.Duration) { c.set(c.now().Add(d)) }

func wantCode(t testing.TB, err error, code Code) {
	t.Helper()
	if got := CodeOf(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}
