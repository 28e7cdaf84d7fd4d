package license

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// signRaw signs arbitrary payload bytes, for payloads Sign would not write.
func signRaw(raw []byte, kid string, priv ed25519.PrivateKey) []byte {
	l := &License{V: FormatVersion, KID: kid, Raw: raw}
	l.Sig = ed25519.Sign(priv, signedMessage(l.V, l.KID, l.Raw))
	return l.Text()
}

// armorEnvelope wraps any envelope JSON in armor, valid or not.
func armorEnvelope(env string) []byte {
	return []byte("-----BEGIN ALMANAC LICENSE-----\n" +
		base64.StdEncoding.EncodeToString([]byte(env)) +
		"\n-----END ALMANAC LICENSE-----\n")
}

func envelopeJSON(v int, kid string, payload []byte, sig []byte) string {
	b, _ := json.Marshal(envelope{V: v, KID: kid,
		Payload: base64.StdEncoding.EncodeToString(payload),
		Sig:     base64.StdEncoding.EncodeToString(sig)})
	return string(b)
}

func TestSignParseVerifyRoundTrip(t *testing.T) {
	pub, priv := testKey(testKID, 1)
	p := testPayload()
	p.NotBefore = testNow.Add(-time.Hour)
	p.Features = map[string]bool{FeatureExportXLSX: false, FeatureRevenueAnalytics: true}
	p.Limits = map[string]int{LimitHistoryDays: 180}
	p.UpgradeURL = "https://example.com/up"
	l := mustParse(t, mustSign(t, p, testKID, priv))
	if err := Verify(l, testKeys(t, pub)); err != nil {
		t.Fatal(err)
	}
	if got, want := l.KID, testKID; got != want {
		t.Errorf("KID = %q, want %q", got, want)
	}
	a, _ := json.Marshal(l.Payload)
	b, _ := json.Marshal(withDefaults(p))
	if !bytes.Equal(a, b) {
		t.Errorf("payload round trip:\n got %s\nwant %s", a, b)
	}
	again := mustParse(t, l.Text())
	if !bytes.Equal(again.Raw, l.Raw) || !bytes.Equal(again.Sig, l.Sig) {
		t.Error("Text() does not parse back to the same license")
	}
}

func TestSignDefaults(t *testing.T) {
	_, priv := testKey(testKID, 1)
	p := testPayload()
	p.LicenseID, p.IssuedAt = "", time.Time{}
	l := mustParse(t, mustSign(t, p, testKID, priv))
	if !strings.HasPrefix(l.Payload.LicenseID, "ALM-") {
		t.Errorf("LicenseID = %q, want a generated ALM-…", l.Payload.LicenseID)
	}
	if l.Payload.IssuedAt.IsZero() || l.Payload.IssuedAt.Location() != time.UTC {
		t.Errorf("IssuedAt = %v, want now in UTC", l.Payload.IssuedAt)
	}
}

func TestSignRefuses(t *testing.T) {
	_, priv := testKey(testKID, 1)
	tests := []struct {
		name   string
		edit   func(*Payload)
		kid    string
		priv   ed25519.PrivateKey
		substr string
	}{
		{"bad plan", func(p *Payload) { p.Plan = 9 }, testKID, priv, "plan"},
		{"negative grace", func(p *Payload) { p.GraceDays = -1 }, testKID, priv, "grace_days"},
		{"expires before start", func(p *Payload) { p.NotBefore = p.ExpiresAt }, testKID, priv, "not_before"},
		{"bad kid", func(*Payload) {}, "a b", priv, "key id"},
		{"short key", func(*Payload) {}, testKID, priv[:10], "private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPayload()
			tt.edit(&p)
			_, err := Sign(p, tt.kid, tt.priv)
			if err == nil || !strings.Contains(err.Error(), tt.substr) {
				t.Fatalf("Sign error = %v, want one mentioning %q", err, tt.substr)
			}
		})
	}
}

// tolerantCases are what mail and copy-paste do to a license text; every one
// must still parse to the same license.
var tolerantCases = []struct {
	name string
	mod  func(string) string
}{
	{"as signed", func(s string) string { return s }},
	{"CRLF", func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }},
	{"CR only", func(s string) string { return strings.ReplaceAll(s, "\n", "\r") }},
	{"BOM", func(s string) string { return "\uFEFF" + s }},
	{"indented", func(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n\t  ") }},
	{"NBSP indented", func(s string) string { return strings.ReplaceAll(s, "\n", "\n\u00A0\u00A0") }},
	{"trailing spaces", func(s string) string { return strings.ReplaceAll(s, "\n", "   \t\n") }},
	{"rewrapped 40", func(s string) string { return rewrap(s, 40) }},
	{"rewrapped 76", func(s string) string { return rewrap(s, 76) }},
	{"one line", func(s string) string { return rewrap(s, 10000) }},
	{"blank lines inside", func(s string) string { return rewrapWith(s, 30, "\n\n") }},
	{"zero-width spaces", func(s string) string { return rewrapWith(s, 17, "\u200B") }},
	{"em dashes", func(s string) string { return strings.ReplaceAll(s, "-----", "\u2014\u2014") }},
	{"en dashes", func(s string) string { return strings.ReplaceAll(s, "-----", "\u2013\u2013\u2013") }},
	{"no dashes", func(s string) string { return strings.ReplaceAll(s, "-----", "") }},
	{"quoted reply", func(s string) string { return "> " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n> ") }},
	{"double quoted", func(s string) string { return ">> " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n>> ") }},
	{"text around", func(s string) string { return "Hi,\n\nhere is your license:\n\n" + s + "\nRegards,\nSales\n" }},
	{"line breaks became spaces", func(s string) string { return strings.ReplaceAll(s, "\n", " ") }},
	{"line breaks lost", func(s string) string { return strings.ReplaceAll(s, "\n", "") }},
	{"CRLF breaks became spaces", func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "\n", "\r\n"), "\r\n", "  ") }},
	{"markers inside sentences", func(s string) string {
		s = strings.Replace(s, "-----BEGIN", "Your license: -----BEGIN", 1)
		return strings.Replace(s, "END ALMANAC LICENSE-----\n", "END ALMANAC LICENSE----- Keep it safe.\n", 1)
	}},
	{"bare base64", func(s string) string { return bodyOf(s) }},
	{"bare base64 wrapped", func(s string) string { return wrapAt(strings.Join(strings.Fields(bodyOf(s)), ""), 50, "\n") }},
}

// rewrap re-wraps the base64 body at width columns.
func rewrap(s string, width int) string { return rewrapWith(s, width, "\n") }

func rewrapWith(s string, width int, sep string) string {
	begin := strings.Index(s, "-----BEGIN")
	startBody := begin + strings.Index(s[begin:], "\n") + 1
	end := strings.Index(s, "-----END")
	body := strings.Join(strings.Fields(s[startBody:end]), "")
	return s[:startBody] + wrapAt(body, width, sep) + s[end:]
}

func wrapAt(body string, width int, sep string) string {
	var b strings.Builder
	for len(body) > width {
		b.WriteString(body[:width] + sep)
		body = body[width:]
	}
	b.WriteString(body + "\n")
	return b.String()
}

func bodyOf(s string) string {
	begin := strings.Index(s, "-----BEGIN")
	startBody := begin + strings.Index(s[begin:], "\n") + 1
	return s[startBody:strings.Index(s, "-----END")]
}

func TestParseTolerates(t *testing.T) {
	pub, priv := testKey(testKID, 1)
	keys := testKeys(t, pub)
	text := string(mustSign(t, testPayload(), testKID, priv))
	want := mustParse(t, []byte(text))
	for _, tt := range tolerantCases {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Parse([]byte(tt.mod(text)))
			if err != nil {
				t.Fatalf("Parse: %v\ntext:\n%s", err, tt.mod(text))
			}
			if !bytes.Equal(l.Raw, want.Raw) || !bytes.Equal(l.Sig, want.Sig) {
				t.Fatal("parsed to a different license")
			}
			if err := Verify(l, keys); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	pub, priv := testKey(testKID, 1)
	_ = pub
	good := mustSign(t, testPayload(), testKID, priv)
	l := mustParse(t, good)
	sig := l.Sig
	raw := l.Raw
	tests := []struct {
		name string
		text []byte
		code Code
	}{
		{"empty", nil, CodeMalformed},
		{"spaces", []byte(" \n\t\r\n"), CodeMalformed},
		{"prose", []byte("Dear customer, thank you for your order."), CodeMalformed},
		{"begin only", []byte("-----BEGIN ALMANAC LICENSE-----\nAAAA\n"), CodeMalformed},
		{"end only", []byte("AAAA\n-----END ALMANAC LICENSE-----\n"), CodeMalformed},
		{"end before begin", []byte("-----END ALMANAC LICENSE-----\n-----BEGIN ALMANAC LICENSE-----\n"), CodeMalformed},
		{"empty block", []byte("-----BEGIN ALMANAC LICENSE-----\n-----END ALMANAC LICENSE-----\n"), CodeMalformed},
		{"two blocks", append(append([]byte{}, good...), good...), CodeMalformed},
		{"cut off", good[:len(good)-60], CodeMalformed},
		{"not base64", []byte("-----BEGIN ALMANAC LICENSE-----\n!!!!\n-----END ALMANAC LICENSE-----\n"), CodeMalformed},
		{"lost padding", []byte(strings.Replace(string(armorEnvelope("{}x")), "=", "", -1)), CodeMalformed},
		{"not json", armorEnvelope("hello"), CodeMalformed},
		{"json array", armorEnvelope("[1,2]"), CodeMalformed},
		{"no version", armorEnvelope(`{"kid":"k","payload":"","sig":""}`), CodeMalformed},
		{"version zero", armorEnvelope(`{"v":0,"kid":"k","payload":"","sig":""}`), CodeMalformed},
		{"version string", armorEnvelope(`{"v":"1","kid":"k","payload":"","sig":""}`), CodeMalformed},
		{"version 2", armorEnvelope(`{"v":2,"kid":"k","payload":"","sig":"","alg":"x"}`), CodeUnsupportedVersion},
		{"extra field", armorEnvelope(strings.Replace(envelopeJSON(1, testKID, raw, sig), "{", `{"alg":"none",`, 1)), CodeMalformed},
		{"field case", armorEnvelope(strings.Replace(envelopeJSON(1, testKID, raw, sig), `"kid"`, `"KID"`, 1)), CodeMalformed},
		{"bad kid", armorEnvelope(envelopeJSON(1, "a b", raw, sig)), CodeMalformed},
		{"empty kid", armorEnvelope(envelopeJSON(1, "", raw, sig)), CodeMalformed},
		{"short sig", armorEnvelope(envelopeJSON(1, testKID, raw, sig[:63])), CodeMalformed},
		{"sig not base64", armorEnvelope(strings.Replace(envelopeJSON(1, testKID, raw, sig), `"sig":"`, `"sig":"*`, 1)), CodeMalformed},
		{"payload not base64", armorEnvelope(strings.Replace(envelopeJSON(1, testKID, raw, sig), `"payload":"`, `"payload":"*`, 1)), CodeMalformed},
		{"too large", bytes.Repeat([]byte("A"), MaxLicenseSize+1), CodeMalformed},
		{"binary", []byte{0x00, 0xff, 0xfe, 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x00, 0x01}, CodeMalformed},
		{"one line cut off", []byte(strings.ReplaceAll(string(good[:len(good)-60]), "\n", " ")), CodeMalformed},
		{"one line two blocks", []byte(strings.ReplaceAll(string(good)+string(good), "\n", " ")), CodeMalformed},
		{"one line not base64", []byte("-----BEGIN ALMANAC LICENSE----- !!!! -----END ALMANAC LICENSE-----"), CodeMalformed},
		{"one line empty", []byte("-----BEGIN ALMANAC LICENSE----------END ALMANAC LICENSE-----"), CodeMalformed},
		{"binary in armor", append(append([]byte("-----BEGIN ALMANAC LICENSE-----\n"), 0x00, 0xff, 0x80, '\n'), []byte("-----END ALMANAC LICENSE-----\n")...), CodeMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Parse(tt.text)
			if l != nil {
				t.Errorf("Parse returned a license with error %v", err)
			}
			wantCode(t, err, tt.code)
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") {
				t.Errorf("error is not one line: %q", msg)
			}
		})
	}
}

// TestPayloadErrorsAfterSignature: what is wrong inside a payload is reported
// only for a genuine signature; the same bytes under a signature that does not
// cover them are BAD_SIGNATURE, so damage is never explained as something else.
func TestPayloadErrorsAfterSignature(t *testing.T) {
	pub, priv := testKey(testKID, 1)
	keys := testKeys(t, pub)
	orig := mustParse(t, mustSign(t, testPayload(), testKID, priv))
	rawWith := func(edit func(map[string]any)) []byte {
		var m map[string]any
		_ = json.Unmarshal(orig.Raw, &m)
		edit(m)
		b, _ := json.Marshal(m)
		return b
	}
	tests := []struct {
		name string
		raw  []byte
		code Code
	}{
		{"payload not json", []byte("nope"), CodeMalformed},
		{"payload null", []byte("null"), CodeMalformed},
		{"no plan", rawWith(func(m map[string]any) { delete(m, "plan") }), CodeMalformed},
		{"unknown plan", rawWith(func(m map[string]any) { m["plan"] = "TEAM" }), CodeUnknownPlan},
		{"no tenant", rawWith(func(m map[string]any) { delete(m, "tenant_id") }), CodeMalformed},
		{"no license id", rawWith(func(m map[string]any) { m["license_id"] = "" }), CodeMalformed},
		{"bad date", rawWith(func(m map[string]any) { m["expires_at"] = "2026-13-01" }), CodeMalformed},
		{"huge grace", rawWith(func(m map[string]any) { m["grace_days"] = 100000 }), CodeMalformed},
		{"unknown key", rawWith(func(m map[string]any) { m["seats"] = 5 }), CodeUnsupportedVersion},
		{"plan twice", []byte(`{"license_id":"L","tenant_id":"demo","plan":"STARTER","plan":"INTERNAL"}`), CodeMalformed},
		{"plan case variant", []byte(`{"license_id":"L","tenant_id":"demo","plan":"STARTER","PLAN":"INTERNAL"}`), CodeUnsupportedVersion},
		{"long s key", []byte(`{"license_id":"L","tenant_id":"demo","plan":"STARTER","expires_at":"2026-04-01T00:00:00Z","expireſ_at":"2099-01-01T00:00:00Z"}`), CodeMalformed},
		{"kelvin key", []byte(`{"license_id":"L","tenant_id":"demo","plan":"STARTER","upgrade_url":"https://a.example","Key":1}`), CodeMalformed},
		{"escaped key", []byte(`{"license_id":"L","tenant_id":"demo","\u0070lan":"STARTER"}`), CodeMalformed},
		{"dotless i plan", []byte(`{"license_id":"L","tenant_id":"demo","plan":"ınternal"}`), CodeUnknownPlan},
		{"long s plan", []byte(`{"license_id":"L","tenant_id":"demo","plan":"ſtarter"}`), CodeUnknownPlan},
		{"feature twice", []byte(`{"license_id":"L","tenant_id":"demo","plan":"STARTER","features":{"export_xlsx":false,"export_xlsx":true}}`), CodeMalformed},
		{"feature case variant", []byte(`{"license_id":"L","tenant_id":"demo","plan":"STARTER","features":{"EXPORT_XLSX":true}}`), CodeMalformed},
		{"unknown limit", []byte(`{"license_id":"L","tenant_id":"demo","plan":"STARTER","limits":{"seats":5}}`), CodeMalformed},
		{"null field", []byte(`{"license_id":"L","tenant_id":"demo","plan":"STARTER","licensee":null}`), CodeMalformed},
		{"zero expiry", []byte(`{"license_id":"L","tenant_id":"demo","plan":"STARTER","expires_at":"0001-01-01T00:00:00Z"}`), CodeMalformed},
		{"trailing data", []byte(`{"license_id":"L","tenant_id":"demo","plan":"STARTER"} {}`), CodeMalformed},
		{"invalid utf-8", []byte("{\"license_id\":\"L\xff\",\"tenant_id\":\"demo\",\"plan\":\"STARTER\"}"), CodeMalformed},
		{"file url", []byte(`{"license_id":"L","tenant_id":"demo","plan":"STARTER","upgrade_url":"file:///etc/passwd"}`), CodeMalformed},
		{"http url", []byte(`{"license_id":"L","tenant_id":"demo","plan":"STARTER","upgrade_url":"http://almanac.app/upgrade"}`), CodeMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Parse(signRaw(tt.raw, testKID, priv))
			if err != nil {
				t.Fatalf("Parse refused the envelope: %v", err)
			}
			err = Verify(l, keys)
			wantCode(t, err, tt.code)
			checkCoded(t, err)
			forged, err := Parse(armorEnvelope(envelopeJSON(1, testKID, tt.raw, orig.Sig)))
			if err != nil {
				t.Fatalf("Parse refused the envelope: %v", err)
			}
			wantCode(t, Verify(forged, keys), CodeBadSignature)
		})
	}
}

// TestEnvelopeStrict: the envelope's four keys each appear once, spelled exactly.
func TestEnvelopeStrict(t *testing.T) {
	_, priv := testKey(testKID, 1)
	l := mustParse(t, mustSign(t, testPayload(), testKID, priv))
	good := envelopeJSON(1, testKID, l.Raw, l.Sig)
	other := base64.StdEncoding.EncodeToString([]byte(`{"license_id":"L","tenant_id":"demo","plan":"INTERNAL"}`))
	for name, env := range map[string]string{
		"payload twice":               strings.Replace(good, `"payload":`, `"payload":"`+other+`","payload":`, 1),
		"payload twice, dropping sig": strings.Replace(strings.Replace(good, `"sig":`, `"payload":`, 1), `"payload":`, `"sig":"`+base64.StdEncoding.EncodeToString(l.Sig)+`","payload":`, 1),
		"kid long s":                  strings.Replace(good, `"kid"`, `"Kid"`, 1),
		"escaped key":                 strings.Replace(good, `"sig"`, `"\u0073ig"`, 1),
		"trailing":                    good + `{}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(armorEnvelope(env))
			wantCode(t, err, CodeMalformed)
		})
	}
	if _, err := Parse(armorEnvelope(good)); err != nil {
		t.Fatalf("the untouched envelope: %v", err)
	}
}

// TestBitFlipsReportBadSignature: every single-bit flip of a signed payload
// is BAD_SIGNATURE, never a complaint about what the flip decodes to.
func TestBitFlipsReportBadSignature(t *testing.T) {
	pub, priv := testKey(testKID, 1)
	keys := testKeys(t, pub)
	orig := mustParse(t, mustSign(t, testPayload(), testKID, priv))
	other := map[Code]int{}
	flipEach(orig.Raw, func(i int, raw []byte) {
		l := *orig
		l.Raw = raw
		got, err := Parse(l.Text())
		if err == nil {
			err = Verify(got, keys)
		}
		if c := CodeOf(err); c != CodeBadSignature {
			other[c]++
		}
	})
	if len(other) > 0 {
		t.Errorf("of %d payload bit flips, these were not BAD_SIGNATURE: %v", len(orig.Raw)*8, other)
	}
}

func TestVerify(t *testing.T) {
	pub, priv := testKey(testKID, 1)
	otherPub, otherPriv := testKey("other", 2)
	text := mustSign(t, testPayload(), testKID, priv)
	retired := pub
	retired.Retired = true
	edited := mustParse(t, text)
	edited.Payload.Plan = Internal // terms changed next to a valid signature
	tests := []struct {
		name string
		l    *License
		keys KeySet
		code Code
	}{
		{"trusted", mustParse(t, text), testKeys(t, pub, otherPub), ""},
		{"nil license", nil, testKeys(t, pub), CodeMalformed},
		{"empty key set", mustParse(t, text), KeySet{}, CodeNoTrustedKeys},
		{"unreadable key set", mustParse(t, text), KeySet{err: errors.New("boom")}, CodeNoTrustedKeys},
		{"unknown key", mustParse(t, text), testKeys(t, otherPub), CodeUnknownKey},
		{"retired key", mustParse(t, text), testKeys(t, retired), CodeRetiredKey},
		{"other key, same kid", mustParse(t, mustSign(t, testPayload(), testKID, otherPriv)), testKeys(t, pub), CodeBadSignature},
		{"edited payload", edited, testKeys(t, pub), CodeBadSignature},
		{"version changed", &License{V: 2, KID: testKID}, testKeys(t, pub), CodeUnsupportedVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.l, tt.keys)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, tt.code)
		})
	}
}

// TestDomainSeparation: the signature covers version and key id, so moving
// a signature to another key id (even one with the same public key) fails.
func TestDomainSeparation(t *testing.T) {
	pub, priv := testKey(testKID, 1)
	alias := pub
	alias.KID = "alias"
	l := mustParse(t, mustSign(t, testPayload(), testKID, priv))
	l.KID = "alias"
	wantCode(t, Verify(l, testKeys(t, pub, alias)), CodeBadSignature)
	if raw := ed25519.Sign(priv, l.Raw); ed25519.Verify(pub.Key, signedMessage(1, testKID, l.Raw), raw) {
		t.Error("a signature over the bare payload verifies as a license signature")
	}
}

// TestOtherProductSignature: a key we trust may also sign another product's licenses; a valid
// signature over another product's message for the very same payload bytes must not verify.
func TestOtherProductSignature(t *testing.T) {
	pub, priv := testKey(testKID, 1)
	l := mustParse(t, mustSign(t, testPayload(), testKID, priv))
	for _, prefix := range []string{"license/", "other-product\x00v1\x00" + testKID + "\x00", ""} {
		forged := *l
		forged.Sig = ed25519.Sign(priv, append([]byte(prefix), l.Raw...))
		wantCode(t, Verify(&forged, testKeys(t, pub)), CodeBadSignature)
	}
}

// flipEach calls fn with a copy of b for every single-bit flip.
func flipEach(b []byte, fn func(i int, flipped []byte)) {
	for i := 0; i < len(b)*8; i++ {
		c := bytes.Clone(b)
		c[i/8] ^= 1 << (i % 8)
		fn(i, c)
	}
}

// accepted reports whether text parses and verifies.
func accepted(text []byte, keys KeySet) (*License, bool) {
	l, err := Parse(text)
	if err != nil {
		return nil, false
	}
	return l, Verify(l, keys) == nil
}

func TestBitFlipsNeverAccepted(t *testing.T) {
	pub, priv := testKey(testKID, 1)
	keys := testKeys(t, pub)
	p := testPayload()
	p.Features = map[string]bool{FeatureExportXLSX: true}
	orig := mustParse(t, mustSign(t, p, testKID, priv))
	rebuild := func(l License) []byte { return l.Text() }

	t.Run("payload", func(t *testing.T) {
		flipEach(orig.Raw, func(i int, raw []byte) {
			l := *orig
			l.Raw = raw
			if _, ok := accepted(rebuild(l), keys); ok {
				t.Fatalf("payload bit %d flipped: accepted", i)
			}
		})
	})
	t.Run("signature", func(t *testing.T) {
		flipEach(orig.Sig, func(i int, sig []byte) {
			l := *orig
			l.Sig = sig
			if _, ok := accepted(rebuild(l), keys); ok {
				t.Fatalf("signature bit %d flipped: accepted", i)
			}
		})
	})
	t.Run("key id", func(t *testing.T) {
		flipEach([]byte(orig.KID), func(i int, kid []byte) {
			env := envelopeJSON(1, string(kid), orig.Raw, orig.Sig)
			if _, ok := accepted(armorEnvelope(env), keys); ok {
				t.Fatalf("key id bit %d flipped: accepted", i)
			}
		})
	})
	t.Run("envelope", func(t *testing.T) {
		env := []byte(envelopeJSON(1, orig.KID, orig.Raw, orig.Sig))
		flipEach(env, func(i int, e []byte) {
			if _, ok := accepted(armorEnvelope(string(e)), keys); ok {
				t.Fatalf("envelope bit %d flipped (%q): accepted", i, e)
			}
		})
	})
	// A flip in the armored text may land in ignored decoration (the human
	// lines, a dash); then it must still yield the very same license.
	t.Run("armored text", func(t *testing.T) {
		flipEach(orig.Text(), func(i int, text []byte) {
			if l, ok := accepted(text, keys); ok && !sameLicense(l, orig) {
				t.Fatalf("text bit %d flipped: accepted a different license", i)
			}
		})
	})
}

func sameLicense(a, b *License) bool {
	return a.V == b.V && a.KID == b.KID && bytes.Equal(a.Raw, b.Raw) && bytes.Equal(a.Sig, b.Sig)
}

// FuzzParse: no input panics, every error is a coded *Error on one line, and
// nothing verifies unless it is byte for byte a license we signed.
func FuzzParse(f *testing.F) {
	pub, priv := testKey(testKID, 1)
	keys, _ := NewKeySet(pub)
	p := testPayload()
	p.Features = map[string]bool{FeatureExportJSON: false}
	p.Limits = map[string]int{LimitHistoryDays: -1}
	signed := map[string]bool{}
	for _, q := range []Payload{testPayload(), p} {
		text := mustSign(f, q, testKID, priv)
		l := mustParse(f, text)
		signed[fmt.Sprintf("%x|%x|%s", l.Raw, l.Sig, l.KID)] = true
		for _, tc := range tolerantCases {
			f.Add([]byte(tc.mod(string(text))))
		}
	}
	for _, s := range []string{"", "-----BEGIN ALMANAC LICENSE-----", "-----BEGIN ALMANAC LICENSE-----\n====\n-----END ALMANAC LICENSE-----",
		string(armorEnvelope(`{"v":1,"kid":"x","payload":"","sig":""}`)), string(armorEnvelope(`{"v":99}`))} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(data)
		if err != nil {
			checkCoded(t, err)
			if l != nil {
				t.Fatal("Parse returned both a license and an error")
			}
			return
		}
		if err := Verify(l, keys); err != nil {
			checkCoded(t, err)
			return
		}
		if !signed[fmt.Sprintf("%x|%x|%s", l.Raw, l.Sig, l.KID)] {
			t.Fatalf("accepted a license nobody signed: %q", data)
		}
		if again, err := Parse(l.Text()); err != nil || !sameLicense(again, l) {
			t.Fatalf("Text() does not round-trip: %v", err)
		}
	})
}

func checkCoded(t *testing.T, err error) {
	t.Helper()
	var le *Error
	if !errors.As(err, &le) || le.Code == "" {
		t.Fatalf("error %v (%T) is not a coded *license.Error", err, err)
	}
	if strings.ContainsAny(err.Error(), "\n\r") {
		t.Fatalf("error is not one line: %q", err.Error())
	}
}

// FuzzEnvelope fuzzes what sits inside the armor, so the fuzzer reaches
// envelope and payload decoding without first having to learn base64.
func FuzzEnvelope(f *testing.F) {
	pub, priv := testKey(testKID, 1)
	keys, _ := NewKeySet(pub)
	l := mustParse(f, mustSign(f, testPayload(), testKID, priv))
	f.Add([]byte(envelopeJSON(1, l.KID, l.Raw, l.Sig)), l.Raw)
	f.Add([]byte(`{"v":2}`), []byte(`{"plan":"x"}`))
	f.Add([]byte(`{"v":1,"kid":"k","payload":"e30=","payload":"e30=","sig":""}`), []byte(`{"plan":"STARTER","PLAN":"INTERNAL"}`))
	f.Fuzz(func(t *testing.T, env, payload []byte) {
		for _, text := range [][]byte{armorEnvelope(string(env)), armorEnvelope(envelopeJSON(1, l.KID, payload, l.Sig))} {
			got, err := Parse(text)
			if err != nil {
				checkCoded(t, err)
				continue
			}
			if err := Verify(got, keys); err != nil {
				checkCoded(t, err)
				continue
			}
			if !sameLicense(got, l) {
				t.Fatalf("accepted a license nobody signed: %q", text)
			}
		}
	})
}

// FuzzStrictPayload fuzzes the strict payload reader on its own: it never
// panics, fails only with a coded one-line *Error, and whatever it accepts
// reads the same to encoding/json (so to any person or tool reading the
// JSON): only known keys, spelled exactly, each once.
func FuzzStrictPayload(f *testing.F) {
	_, priv := testKey(testKID, 1)
	f.Add(mustParse(f, mustSign(f, testPayload(), testKID, priv)).Raw)
	for _, s := range []string{
		`{"license_id":"L","tenant_id":"demo","plan":"STARTER","PLAN":"INTERNAL"}`,
		`{"license_id":"L","tenant_id":"demo","plan":"starter","expires_at":"2030-01-01T00:00:00Z","expire` + "\u017f" + `_at":"2099-01-01T00:00:00Z"}`,
		`{"license_id":"L","tenant_id":"demo","plan":"` + "\u0131" + `nternal","features":{"export_xlsx":true},"limits":{"history_days":-1}}`,
		`{"license_id":"L","tenant_id":"demo","plan":"STARTER","grace_days":14,"upgrade_url":"https://x.example/u"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := decodePayload(raw)
		if err != nil {
			checkCoded(t, err)
			return
		}
		var loose map[string]json.RawMessage
		if err := json.Unmarshal(raw, &loose); err != nil {
			t.Fatalf("accepted what encoding/json cannot read: %v", err)
		}
		for k := range loose {
			if _, ok := payloadFields[k]; !ok {
				t.Fatalf("accepted unknown key %q", k)
			}
		}
		var plain Payload
		var w struct {
			*Payload
			Plan string `json:"plan"`
		}
		w.Payload = &plain
		if err := json.Unmarshal(raw, &w); err != nil {
			t.Fatalf("encoding/json cannot read an accepted payload: %v", err)
		}
		plain.Plan = p.Plan
		a, _ := json.Marshal(p)
		b, _ := json.Marshal(plain)
		if !bytes.Equal(a, b) {
			t.Fatalf("strict and plain readings differ:\n%s\n%s", a, b)
		}
		if !strings.EqualFold(w.Plan, p.Plan.String()) || !p.Plan.Valid() {
			t.Fatalf("plan %q read as %v", w.Plan, p.Plan)
		}
		if again, err := decodePayload(a); err != nil || !bytes.Equal(mustJSON(t, again), a) {
			t.Fatalf("re-encoding does not read back: %v", err)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
