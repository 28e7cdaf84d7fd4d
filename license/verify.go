package license

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
)

// Verify checks that l was signed by a key in keys that is not retired. It
// fails closed: no keys, an unknown or retired key id, or any changed byte
// is an *Error. It checks the signature first and only then whether the
// signed payload is valid, so a damaged license is BAD_SIGNATURE whatever the
// damage decodes to; Evaluate and the Manager check tenant and dates.
func Verify(l *License, keys KeySet) error {
	if l == nil {
		return malformed("There is no license to verify.")
	}
	if l.V != FormatVersion {
		return newError(CodeUnsupportedVersion, "Update Almanac, or ask your vendor for a version 1 license.",
			"This license uses file format version %d; this Almanac reads version %d.", l.V, FormatVersion)
	}
	k, err := lookupKey(l.KID, keys)
	if err != nil {
		return err
	}
	if !ed25519.Verify(k.Key, signedMessage(l.V, l.KID, l.Raw), l.Sig) {
		return badSignature()
	}
	if l.payloadErr != nil {
		return l.payloadErr
	}
	// Payload must be what Raw says; a License put together or edited by hand
	// could otherwise carry a valid signature next to different terms.
	if !samePayload(l) {
		return badSignature()
	}
	return nil
}

func lookupKey(kid string, keys KeySet) (PublicKey, error) {
	const fixKeys = "Use an official Almanac build, or rebuild with LICENSE_PUBKEYS naming the trusted keys."
	if keys.err != nil {
		return PublicKey{}, newError(CodeNoTrustedKeys, fixKeys, "This build's trusted key list cannot be read (%v).", keys.err)
	}
	if len(keys.keys) == 0 {
		return PublicKey{}, newError(CodeNoTrustedKeys, fixKeys, "This build trusts no license keys, so it accepts no license.")
	}
	k, ok := keys.keys[kid]
	switch {
	case !ok && kid == DevKeyID:
		return PublicKey{}, newError(CodeUnknownKey, "Ask your vendor for a real license; development licenses work only in development builds.",
			"This license was signed with the insecure development key, which release builds never trust.")
	case !ok:
		return PublicKey{}, newError(CodeUnknownKey, "Update Almanac, or ask your vendor for a license this version accepts.",
			"This license was signed with key %s, which this build of Almanac does not trust.", quote(kid))
	case k.Retired:
		return PublicKey{}, newError(CodeRetiredKey, "Ask your vendor to reissue the license with a current key.",
			"This license was signed with key %s, which has been retired.", quote(kid))
	}
	return k, nil
}

func badSignature() *Error {
	return newError(CodeBadSignature,
		"Paste or open the original license text again, unedited, or ask your vendor for a new copy.",
		"The license does not match its signature: it was changed or damaged after it was signed.")
}

// samePayload compares the decoded terms with Raw's by encoding both the
// same way; bytes are compared, not Go values, so time zones cannot differ.
func samePayload(l *License) bool {
	p, err := decodePayload(l.Raw)
	if err != nil {
		return false
	}
	a, errA := json.Marshal(p)
	b, errB := json.Marshal(l.Payload)
	return errA == nil && errB == nil && bytes.Equal(a, b)
}
