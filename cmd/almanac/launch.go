package main

import "path/filepath"

// desktopAppName is the Windows desktop app's file, one folder above the command line
// (bin\almanac.exe): Windows file names ignore case, so the two cannot share a folder.
const desktopAppName = "Almanac.exe"

// desktopAppPath is the desktop app beside the folder of the command line exe.
func desktopAppPath(exe string) string {
	return filepath.Join(filepath.Dir(filepath.Dir(exe)), desktopAppName)
}
