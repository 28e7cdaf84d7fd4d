package license

import (
	"fmt"
	"strings"
	"unicode"
)

// Code names a license failure so callers and support can tell them apart.
type Code string

// The failure codes.
const (
	CodeMalformed          Code = "MALFORMED"           // not a readable license text
	CodeUnsupportedVersion Code = "UNSUPPORTED_VERSION" // a newer file format
	CodeUnknownPlan        Code = "UNKNOWN_PLAN"        // a plan this version does not know
	CodeNoTrustedKeys      Code = "NO_TRUSTED_KEYS"     // the build trusts no key at all
	CodeUnknownKey         Code = "UNKNOWN_KEY"         // signed by a key this build does not trust
	CodeRetiredKey         Code = "RETIRED_KEY"         // signed by a key that was retired
	CodeBadSignature       Code = "BAD_SIGNATURE"       // changed or damaged after signing
	CodeWrongTenant        Code = "WRONG_TENANT"        // issued for another tenant
	CodeNotYetValid        Code = "NOT_YET_VALID"       // before its not_before
	CodeExpired            Code = "EXPIRED"             // past expiry (and grace, once active)
	CodeClockRollback      Code = "CLOCK_ROLLBACK"      // the clock is far behind the latest time seen
	CodeStorage            Code = "STORAGE"             // the license folder could not be read or written
)

// Error is a license failure: a code, a sentence saying what is wrong and one
// saying how to fix it.
type Error struct {
	Code Code
	Msg  string
	Fix  string
}

// Error returns one line: "CODE: what is wrong. How to fix it."
func (e *Error) Error() string {
	return oneLine(string(e.Code) + ": " + e.Msg + " " + e.Fix)
}

// Is matches another *Error with the same code, so
// errors.Is(err, &license.Error{Code: license.CodeExpired}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func newError(code Code, fix, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Fix: fix}
}

func malformed(format string, args ...any) *Error {
	return newError(CodeMalformed,
		"Paste the whole block from -----BEGIN ALMANAC LICENSE----- to -----END ALMANAC LICENSE----- again, or ask your vendor for a new copy.",
		format, args...)
}

// quote shows a value from a license or the user inside a message: quoted,
// so control characters cannot break the line, and short.
func quote(s string) string {
	const max = 64
	r := []rune(s)
	if len(r) > max {
		s = string(r[:max]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// oneLine folds any line break a caller let through into a space; error
// messages are shown in one-line places (status bars, exit messages).
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
