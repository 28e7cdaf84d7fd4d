//go:build !release

package license

import "sync"

// DevelopmentBuild reports whether this build trusts the development key. It
// is true for every build without the "release" tag; the UI says so.
func DevelopmentBuild() bool { return true }

// TrustedKeys is the key set this build trusts: the development key plus any
// release keys linked in (so a development build can also read real licenses).
func TrustedKeys() KeySet { return trustedKeys() }

var trustedKeys = sync.OnceValue(func() KeySet {
	s, err := parseReleaseKeys(releaseKeys)
	if err != nil {
		return KeySet{err: err}
	}
	dev, err := ParsePublicKey([]byte(devPublicKey))
	if err != nil {
		return KeySet{err: err}
	}
	keys := append(s.Keys(), PublicKey{KID: DevKeyID, Key: dev})
	s, err = NewKeySet(keys...)
	if err != nil {
		return KeySet{err: err}
	}
	return s
})
