//go:build !windows && !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package data

import "os"

// Almanac ships for Linux, macOS and Windows. Elsewhere (plan9, wasm, illumos, aix) there is no
// portable advisory lock in the standard library, so writers are not kept apart: one writer at a
// time is up to the user there.
func tryLock(*os.File, bool) (bool, error) { return false, nil }

func unlock(*os.File) error { return nil }
