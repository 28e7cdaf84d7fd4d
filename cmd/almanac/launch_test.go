package main

import (
	"path/filepath"
	"testing"
)

// TestDesktopAppPath: the console program in <install>\bin finds the desktop app in <install>.
func TestDesktopAppPath(t *testing.T) {
	exe := filepath.Join("install", "Almanac", "bin", "almanac.exe")
	if got, want := desktopAppPath(exe), filepath.Join("install", "Almanac", "Almanac.exe"); got != want {
		t.Errorf("desktopAppPath(%s) = %s, want %s", exe, got, want)
	}
}
