package data

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestHomeDirName: the default home is %AppData%\Almanac on Windows and ~/.config/almanac on
// Linux (unchanged).
func TestHomeDirName(t *testing.T) {
	for goos, want := range map[string]string{"windows": "Almanac", "darwin": "Almanac", "linux": "almanac"} {
		if got := HomeDirName(goos); got != want {
			t.Errorf("HomeDirName(%s) = %q, want %q", goos, got, want)
		}
	}
	t.Setenv("ALMANAC_HOME", "")
	cfg, err := os.UserConfigDir()
	if err != nil {
		t.Skip("no user config dir here:", err)
	}
	h, err := ResolveHome("")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cfg, HomeDirName(runtime.GOOS)); h.Dir != want {
		t.Errorf("default home %s, want %s", h.Dir, want)
	}
}
