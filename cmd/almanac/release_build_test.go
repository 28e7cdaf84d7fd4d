package main

import (
	"bytes"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/almanac-app/almanac/license/devkeys"
)

// TestReleaseBuildRefusesDevKeyUnderOtherID builds a real release binary
// whose key list holds the committed development public key under the id
// "vendor-2026" (as `make release` would link it) and checks that it refuses
// to start, so it can never accept licenses signed with the committed
// private key.
func TestReleaseBuildRefusesDevKeyUnderOtherID(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a release binary")
	}
	list := "# release keys\nvendor-2026 " + strings.TrimSpace(string(devkeys.PublicKeyFile())) + "\n"
	bin := filepath.Join(t.TempDir(), "almanac-release")
	ldflags := "-X github.com/almanac-app/almanac/license.releaseKeys=" + base64.StdEncoding.EncodeToString([]byte(list))
	build := exec.Command("go", "build", "-tags", "release", "-ldflags", ldflags, "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the release binary: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"version"}, {"--home", t.TempDir(), "license", "show"}} {
		cmd := exec.Command(bin, args...)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = os.Stdout, &stderr
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != exitLicense {
			t.Fatalf("%v: err %v, want exit %d; stderr: %s", args, err, exitLicense, stderr.String())
		}
		if msg := stderr.String(); !strings.Contains(msg, "refuses to start") || !strings.Contains(msg, "development public key") || !strings.Contains(msg, "vendor-2026") {
			t.Errorf("%v: stderr %q does not name the development key", args, msg)
		}
	}
}
