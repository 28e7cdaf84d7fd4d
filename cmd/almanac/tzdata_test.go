package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestEveryProgramEmbedsZoneDatabase: each program links time/tzdata, so zone names work on
// Windows (no zone files) and in -trimpath builds; the wine test (.ci/windows) runs the demo
// from such a build.
func TestEveryProgramEmbedsZoneDatabase(t *testing.T) {
	for _, pkg := range []string{".", "../almanac-license", "../tenantd"} {
		cmd := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, pkg)
		cmd.Env = append(cmd.Environ(), "GOOS=windows", "GOARCH=amd64")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		if !strings.Contains(" "+strings.TrimSpace(string(out))+" ", " time/tzdata ") {
			t.Errorf("%s does not import time/tzdata: zone names fail on Windows", pkg)
		}
	}
}
