//go:build release

package license

import "sync"

// DevelopmentBuild reports whether this build trusts the development key;
// release builds never do.
func DevelopmentBuild() bool { return false }

// TrustedKeys is the key set linked in through releaseKeys. An empty or
// unreadable list trusts nothing, so every license fails closed.
func TrustedKeys() KeySet { return trustedKeys() }

var trustedKeys = sync.OnceValue(func() KeySet {
	s, err := parseReleaseKeys(releaseKeys)
	if err != nil {
		return KeySet{err: err}
	}
	return s
})
