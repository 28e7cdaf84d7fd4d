//go:build release

package license

import "testing"

// Run with: go test -tags release ./license/... (optionally with
// -ldflags "-X github.com/almanac-app/almanac/license.releaseKeys=...").
func TestReleaseBuildTrustsNoDevKey(t *testing.T) {
	if DevelopmentBuild() {
		t.Fatal("a release build claims to be a development build")
	}
	keys := TrustedKeys()
	if _, ok := keys.Lookup(DevKeyID); ok {
		t.Fatal("a release build trusts the development key")
	}
	want, err := parseReleaseKeys(releaseKeys)
	if err != nil {
		t.Fatalf("linked key list: %v", err)
	}
	if keys.Len() != want.Len() {
		t.Errorf("TrustedKeys has %d keys, the linked list %d", keys.Len(), want.Len())
	}
	if keys.Len() == 0 {
		wantCode(t, Verify(&License{V: 1, KID: "any"}, keys), CodeNoTrustedKeys)
	}
}
