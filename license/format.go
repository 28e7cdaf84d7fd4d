package license

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// FormatVersion is the license file format this package reads and writes.
const FormatVersion = 1

// MaxLicenseSize caps the text Parse accepts; real licenses are under 2 KiB.
const MaxLicenseSize = 64 << 10

// maxGraceDays bounds grace_days so a typo cannot make a license eternal.
const maxGraceDays = 366

const (
	armorBegin = "BEGIN ALMANAC LICENSE"
	armorEnd   = "END ALMANAC LICENSE"
	armorWidth = 64
)

// b64 is strict so a changed padding bit cannot decode to the same bytes.
var b64 = base64.StdEncoding.Strict()

// License is a parsed license file. Payload is decoded from Raw, the exact
// bytes that were signed; Verify checks Raw, never a re-encoding.
type License struct {
	V       int
	KID     string // key id: picks the public key that verifies Sig
	Payload Payload
	Raw     []byte // the signed payload JSON, byte for byte
	Sig     []byte // Ed25519 over signedMessage(V, KID, Raw)
	// payloadErr is why Raw is not a valid payload. Verify reports it only
	// once the signature holds, so damage always reads as BAD_SIGNATURE and
	// nothing unsigned is ever interpreted for the user.
	payloadErr error
}

// Payload is what a license grants. It is read strictly (see decodePayload):
// a key this version does not know is refused, never silently ignored.
type Payload struct {
	LicenseID string    `json:"license_id"`
	TenantID  string    `json:"tenant_id"`
	Licensee  string    `json:"licensee,omitempty"`
	Plan      Plan      `json:"plan"`
	IssuedAt  time.Time `json:"issued_at,omitzero"`
	NotBefore time.Time `json:"not_before,omitzero"` // zero: valid from issue
	ExpiresAt time.Time `json:"expires_at,omitzero"` // an instant; zero: never expires
	GraceDays int       `json:"grace_days,omitempty"`
	// Features switches single features on or off, beating the plan default.
	Features map[string]bool `json:"features,omitempty"`
	// Limits overrides plan limits such as history_days (negative: unlimited).
	Limits     map[string]int `json:"limits,omitempty"`
	UpgradeURL string         `json:"upgrade_url,omitempty"`
}

// GraceUntil is when a time-limited license stops working; zero if it never expires.
func (p Payload) GraceUntil() time.Time {
	if p.ExpiresAt.IsZero() {
		return time.Time{}
	}
	return p.ExpiresAt.Add(time.Duration(p.GraceDays) * 24 * time.Hour)
}

// envelope is the JSON inside the armor.
type envelope struct {
	V       int    `json:"v"`
	KID     string `json:"kid"`
	Payload string `json:"payload"`
	Sig     string `json:"sig"`
}

// signedMessage is what the signature covers. The prefix separates these
// signatures from any other use of a key, and binds the format version and
// key id, so neither can be swapped without breaking the signature. A key id
// never contains NUL, so the fields cannot run into each other.
func signedMessage(v int, kid string, payload []byte) []byte {
	msg := fmt.Appendf(nil, "almanac-license\x00v%d\x00%s\x00", v, kid)
	return append(msg, payload...)
}

// Parse reads a license text: an armored block, optionally after
// human-readable lines. It tolerates what e-mail and copy-paste do to text
// (CRLF, a BOM, indentation, trailing spaces, re-wrapped lines, "> " quoting,
// typographic dashes in the armor lines). Every error is an *Error. Parse
// does not check the signature; call Verify, which also reports a payload
// that does not decode, after the signature check. Until Verify succeeds,
// Payload is unchecked and may be empty.
func Parse(text []byte) (*License, error) {
	if len(text) > MaxLicenseSize {
		return nil, malformed("The license text is %d bytes, more than the %d a license can be.", len(text), MaxLicenseSize)
	}
	body, armored, err := armorBody(string(text))
	if err != nil {
		return nil, err
	}
	raw, err := b64.DecodeString(body)
	if err != nil && !armored {
		return nil, noBlock()
	}
	if err != nil {
		return nil, malformed("The license block is not valid base64 (%v); it was damaged or cut off.", err)
	}
	l, err := decodeEnvelope(raw)
	if err != nil {
		return nil, err
	}
	l.Payload, l.payloadErr = decodePayload(l.Raw)
	return l, nil
}

// armorBody returns the base64 between the armor lines with every space,
// line break and quote marker removed. Text without armor lines is taken as
// bare base64 (armored false), for pastes that lost them.
func armorBody(text string) (body string, armored bool, err error) {
	lines := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' })
	begin, end, err := findArmor(lines)
	if err != nil {
		return "", false, err
	}
	if armored = begin >= 0; armored {
		lines = lines[begin+1 : end]
	} else if inner, ok, err := inlineArmor(text); err != nil {
		return "", false, err
	} else if ok {
		armored, lines = true, strings.FieldsFunc(inner, func(r rune) bool { return r == '\n' || r == '\r' })
	}
	body = cleanBody(lines)
	switch {
	case armored && body == "":
		return "", false, malformed("The license block is empty.")
	case body == "" || (!armored && strings.IndexFunc(body, notBase64) >= 0):
		return "", false, noBlock()
	}
	return body, armored, nil
}

// findArmor returns the indexes of the BEGIN and END lines, -1 and -1 when
// there are none.
func findArmor(lines []string) (begin, end int, err error) {
	begin, end = -1, -1
	for i, line := range lines {
		switch armorMarker(line) {
		case armorBegin:
			if begin >= 0 {
				return 0, 0, malformed("The text holds more than one license block.")
			}
			begin = i
		case armorEnd:
			if begin < 0 || end >= 0 {
				return 0, 0, malformed("The text has an END ALMANAC LICENSE line without its BEGIN line.")
			}
			end = i
		}
	}
	if begin >= 0 && end < 0 {
		return 0, 0, malformed("The license block has no END ALMANAC LICENSE line; the text was cut off.")
	}
	return begin, end, nil
}

var (
	inlineBegin = regexp.MustCompile(`BEGIN\s+ALMANAC\s+LICENSE`)
	inlineEnd   = regexp.MustCompile(`END\s+ALMANAC\s+LICENSE`)
)

// inlineArmor finds armor markers that are not on lines of their own: a paste that lost its
// line breaks (one long line), or markers run into other text. It returns what lies between
// them without the dashes and spaces next to the markers; ok is false when there are none.
func inlineArmor(text string) (inner string, ok bool, err error) {
	begins := inlineBegin.FindAllStringIndex(text, -1)
	if len(begins) == 0 {
		return "", false, nil
	}
	if len(begins) > 1 {
		return "", false, malformed("The text holds more than one license block.")
	}
	rest := text[begins[0][1]:]
	end := inlineEnd.FindStringIndex(rest)
	if end == nil {
		return "", false, malformed("The license block has no END ALMANAC LICENSE line; the text was cut off.")
	}
	return strings.TrimFunc(rest[:end[0]], func(r rune) bool { return isDash(r) || isSpace(r) || r == '>' }), true, nil
}

func noBlock() *Error {
	return malformed("The text holds no license block (no BEGIN ALMANAC LICENSE line).")
}

func notBase64(r rune) bool {
	return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '=')
}

// armorMarker normalises a line that may be an armor line: dashes of any
// kind, spaces and quote markers at either end are dropped and inner runs of
// space collapse, since mail clients change all of these.
func armorMarker(line string) string {
	t := strings.TrimFunc(line, func(r rune) bool { return isDash(r) || isSpace(r) || r == '>' })
	return strings.Join(strings.Fields(t), " ")
}

func cleanBody(lines []string) string {
	var b strings.Builder
	for _, line := range lines {
		line = strings.TrimLeftFunc(line, func(r rune) bool { return isSpace(r) || r == '>' })
		for _, r := range line {
			if !isSpace(r) {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

func isDash(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\uFE63', '\uFF0D':
		return true
	}
	return false
}

// isSpace also covers the zero-width characters editors and mail clients insert.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200B' || r == '\u200C' || r == '\u200D' || r == '\u2060' || r == '\uFEFF'
}

// decodeEnvelope reads the envelope strictly: exactly the four keys, spelled
// exactly and each once, because encoding/json would otherwise accept "KID"
// for "kid", or a second "payload" in place of the first, and let a changed
// byte through unnoticed.
func decodeEnvelope(raw []byte) (*License, error) {
	fields := map[string]json.RawMessage{}
	err := strictObject(raw, func(key string, value json.RawMessage) error {
		fields[key] = value
		return nil
	})
	if err != nil {
		return nil, malformed("The license block does not hold a license (%v).", err)
	}
	var env envelope
	if err := json.Unmarshal(fields["v"], &env.V); err != nil || env.V < 1 {
		return nil, malformed("The license block has no valid format version.")
	}
	if env.V != FormatVersion {
		return nil, newError(CodeUnsupportedVersion, "Update Almanac, or ask your vendor for a version 1 license.",
			"This license uses file format version %d; this Almanac reads version %d.", env.V, FormatVersion)
	}
	if len(fields) != 4 {
		return nil, malformed("The license block has unexpected fields.")
	}
	for key, dst := range map[string]*string{"kid": &env.KID, "payload": &env.Payload, "sig": &env.Sig} {
		if err := json.Unmarshal(fields[key], dst); err != nil {
			return nil, malformed("The license block has no valid %q field.", key)
		}
	}
	return envelopeLicense(env)
}

func envelopeLicense(env envelope) (*License, error) {
	if err := ValidKeyID(env.KID); err != nil {
		return nil, malformed("The license names an invalid key id (%v).", err)
	}
	payload, err := b64.DecodeString(env.Payload)
	if err != nil {
		return nil, malformed("The license payload is not valid base64.")
	}
	sig, err := b64.DecodeString(env.Sig)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, malformed("The license signature is not a valid Ed25519 signature.")
	}
	return &License{V: env.V, KID: env.KID, Raw: payload, Sig: sig}, nil
}

// payloadFields are the keys a version 1 payload may hold, each decoded
// into its field of p. Any other key is refused.
var payloadFields = map[string]func(v json.RawMessage, p *Payload, plan *string) error{
	"license_id":  func(v json.RawMessage, p *Payload, _ *string) error { return json.Unmarshal(v, &p.LicenseID) },
	"tenant_id":   func(v json.RawMessage, p *Payload, _ *string) error { return json.Unmarshal(v, &p.TenantID) },
	"licensee":    func(v json.RawMessage, p *Payload, _ *string) error { return json.Unmarshal(v, &p.Licensee) },
	"plan":        func(v json.RawMessage, _ *Payload, plan *string) error { return json.Unmarshal(v, plan) },
	"issued_at":   func(v json.RawMessage, p *Payload, _ *string) error { return decodeInstant(v, &p.IssuedAt) },
	"not_before":  func(v json.RawMessage, p *Payload, _ *string) error { return decodeInstant(v, &p.NotBefore) },
	"expires_at":  func(v json.RawMessage, p *Payload, _ *string) error { return decodeInstant(v, &p.ExpiresAt) },
	"grace_days":  func(v json.RawMessage, p *Payload, _ *string) error { return json.Unmarshal(v, &p.GraceDays) },
	"upgrade_url": func(v json.RawMessage, p *Payload, _ *string) error { return json.Unmarshal(v, &p.UpgradeURL) },
	"features": func(v json.RawMessage, p *Payload, _ *string) (err error) {
		p.Features, err = strictMap[bool](v, func(code string) bool { _, ok := FeatureByCode(code); return ok })
		return err
	},
	"limits": func(v json.RawMessage, p *Payload, _ *string) (err error) {
		p.Limits, err = strictMap[int](v, KnownLimit)
		return err
	},
}

// decodeInstant reads an RFC 3339 instant. The zero instant is refused: in
// the Go value it means "not set" (for expires_at: never expires), so a
// license that writes it would mean something other than what it says.
func decodeInstant(v json.RawMessage, t *time.Time) error {
	if err := json.Unmarshal(v, t); err != nil {
		return err
	}
	if t.IsZero() {
		return fmt.Errorf("%s is not a date Almanac accepts; leave the key out instead", v)
	}
	return nil
}

// decodePayload decodes and checks the signed JSON strictly (see
// strictObject): known keys only, each once, each of its own type. Plan is
// read as a string first so an unknown plan gets its own code rather than a
// JSON error.
func decodePayload(raw []byte) (Payload, error) {
	var p Payload
	var planName string
	var unknown string
	err := strictObject(raw, func(key string, value json.RawMessage) error {
		decode, ok := payloadFields[key]
		if !ok {
			unknown = key
			return fmt.Errorf("unknown key %q", key)
		}
		if err := decode(value, &p, &planName); err != nil {
			return fmt.Errorf("%s: %v", key, err)
		}
		return nil
	})
	switch {
	case unknown != "":
		return Payload{}, newError(CodeUnsupportedVersion, "Update Almanac to a version that reads it, or ask your vendor for a license without it.",
			"The license sets %s, which this version of Almanac does not know.", quote(unknown))
	case err != nil:
		return Payload{}, malformed("The license payload is not valid JSON (%v).", err)
	case planName == "":
		return Payload{}, malformed("The license names no plan.")
	}
	plan, ok := planByName(planName)
	if !ok {
		return Payload{}, newError(CodeUnknownPlan, "Update Almanac to a version that knows this plan.",
			"The license is for plan %s, which this version of Almanac does not know.", quote(planName))
	}
	p.Plan = plan
	if err := checkPayload(p); err != nil {
		return Payload{}, malformed("The license payload is incomplete: %v.", err)
	}
	return p, nil
}

// checkPayload holds the rules both Sign and Parse enforce.
func checkPayload(p Payload) error {
	switch {
	case strings.TrimSpace(p.LicenseID) == "":
		return fmt.Errorf("no license_id")
	case strings.TrimSpace(p.TenantID) == "":
		return fmt.Errorf("no tenant_id")
	case !p.Plan.Valid():
		return fmt.Errorf("plan %v is not a plan", p.Plan)
	case p.GraceDays < 0 || p.GraceDays > maxGraceDays:
		return fmt.Errorf("grace_days %d is outside 0..%d", p.GraceDays, maxGraceDays)
	case p.UpgradeURL != "" && !SafeUpgradeURL(p.UpgradeURL):
		return fmt.Errorf("upgrade_url %s is not an https:// address", quote(p.UpgradeURL))
	case !p.ExpiresAt.IsZero() && p.GraceUntil().Year() > 9999:
		return fmt.Errorf("expires_at %s plus %d grace days is past year 9999; omit expires_at for a license that never expires", p.ExpiresAt.Format(time.RFC3339), p.GraceDays)
	case !p.ExpiresAt.IsZero() && !p.NotBefore.IsZero() && !p.ExpiresAt.After(p.NotBefore):
		return fmt.Errorf("expires_at %s is not after not_before %s", p.ExpiresAt.Format(time.RFC3339), p.NotBefore.Format(time.RFC3339))
	}
	return nil
}

// Sign signs p with the private key kid names and returns the armored
// license text. An empty LicenseID gets a random one and a zero IssuedAt the
// current time.
func Sign(p Payload, kid string, priv ed25519.PrivateKey) ([]byte, error) {
	if err := ValidKeyID(kid); err != nil {
		return nil, fmt.Errorf("sign license: %w", err)
	}
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("sign license: private key is %d bytes, want %d; load it with ParsePrivateKey", len(priv), ed25519.PrivateKeySize)
	}
	p = withDefaults(p)
	if err := checkPayload(p); err != nil {
		return nil, fmt.Errorf("sign license: %v; fill it in and sign again", err)
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("sign license: %w", err)
	}
	l := &License{V: FormatVersion, KID: kid, Payload: p, Raw: raw}
	l.Sig = ed25519.Sign(priv, signedMessage(l.V, l.KID, l.Raw))
	return l.Text(), nil
}

// withDefaults fills the fields a signer may leave out and stores every
// instant in UTC, so the signed text does not depend on the signer's zone.
func withDefaults(p Payload) Payload {
	if p.LicenseID == "" {
		var id [6]byte
		_, _ = rand.Read(id[:]) // crypto/rand.Read never fails (Go 1.24+)
		p.LicenseID = "ALM-" + strings.ToUpper(hex.EncodeToString(id[:]))
	}
	if p.IssuedAt.IsZero() {
		p.IssuedAt = time.Now()
	}
	for _, t := range []*time.Time{&p.IssuedAt, &p.NotBefore, &p.ExpiresAt} {
		if !t.IsZero() {
			*t = t.UTC().Truncate(time.Second)
		}
	}
	return p
}

// Text returns the armored license: a few human-readable lines (ignored by
// Parse, so never trusted) and the signed block.
func (l *License) Text() []byte {
	env, _ := json.Marshal(envelope{ // four plain fields: cannot fail
		V: l.V, KID: l.KID,
		Payload: b64.EncodeToString(l.Raw),
		Sig:     b64.EncodeToString(l.Sig),
	})
	var b bytes.Buffer
	writeHeader(&b, l.Payload)
	b.WriteString("-----" + armorBegin + "-----\n")
	s := b64.EncodeToString(env)
	for len(s) > armorWidth {
		b.WriteString(s[:armorWidth] + "\n")
		s = s[armorWidth:]
	}
	b.WriteString(s + "\n")
	b.WriteString("-----" + armorEnd + "-----\n")
	return b.Bytes()
}

func writeHeader(b *bytes.Buffer, p Payload) {
	b.WriteString("Almanac plan license\n")
	fmt.Fprintf(b, "License ID: %s\n", printable(p.LicenseID))
	if p.Licensee != "" {
		fmt.Fprintf(b, "Licensee:   %s\n", printable(p.Licensee))
	}
	fmt.Fprintf(b, "Tenant:     %s\n", printable(p.TenantID))
	fmt.Fprintf(b, "Plan:       %s\n", p.Plan)
	if !p.ExpiresAt.IsZero() {
		fmt.Fprintf(b, "Expires:    %s\n", p.ExpiresAt.UTC().Format("2006-01-02 15:04 MST"))
	}
	b.WriteString("To activate: Almanac > License > Activate license, or `almanac license activate FILE`.\n\n")
}

// printable keeps header lines single lines whatever a licensee is called.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return '?'
		}
		return r
	}, s)
}
