//go:build !release

package license

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDevelopmentBuildTrustsDevKey(t *testing.T) {
	if !DevelopmentBuild() {
		t.Fatal("a build without the release tag is not a development build")
	}
	if k, ok := TrustedKeys().Lookup(DevKeyID); !ok || string(FormatPublicKey(k.Key)) != string(devKeyFile(t, ".pub")) {
		t.Fatal("development build does not trust the committed development key")
	}
	_, priv, err := ParsePrivateKey(devKeyFile(t, ".key"))
	if err != nil {
		t.Fatal(err)
	}
	m := NewManager(filepath.Join(t.TempDir(), "license"), func() time.Time { return testNow })
	st, err := m.Activate(mustSign(t, testPayload(), DevKeyID, priv))
	if err != nil || st.Plan != Professional {
		t.Fatalf("dev-signed license in a dev build: %v", err)
	}
	_, otherPriv := testKey("prod-2026", 3)
	_, err = m.Activate(mustSign(t, testPayload(), "prod-2026", otherPriv))
	wantCode(t, err, CodeUnknownKey)
}

// TestTestdataLicenses keeps the committed development licenses (handy for
// trying every plan by hand) valid for this build.
func TestTestdataLicenses(t *testing.T) {
	tests := []struct {
		file string
		plan Plan // for the demo tenant
		code Code
	}{
		{"dev-demo-professional.lic", Professional, ""},
		{"dev-demo-enterprise-custom.lic", Enterprise, ""},
		{"dev-demo-expired.lic", Free, CodeExpired},
		{"dev-other-tenant.lic", Free, ""}, // saved for its own tenant
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			m := NewManager(filepath.Join(t.TempDir(), "license"), func() time.Time { return testNow })
			st, err := m.Activate(text)
			if CodeOf(err) != tt.code {
				t.Fatalf("Activate = %v, want code %q", err, tt.code)
			}
			if e := m.Entitlements("demo", true); e.Plan() != tt.plan {
				t.Errorf("plan %v, want %v", e.Plan(), tt.plan)
			}
			if st != nil && st.ClockRollback {
				t.Error("fixture issued after the test clock")
			}
		})
	}
	text, _ := os.ReadFile(filepath.Join("testdata", "dev-demo-enterprise-custom.lic"))
	l := mustParse(t, text)
	e := EntitlementsFor(l.Payload, true)
	if _, unl := e.HistoryDays(); !unl || e.Can(FeatureExportXLSX).Allowed {
		t.Error("custom fixture lost its overrides")
	}
}
