//go:build !linux

package reports

import "os"

// writebackFile is the export's temporary file; only Linux is asked to start writing out early
// (export_writeback_linux.go), elsewhere commit's Sync does all of it.
type writebackFile struct{ f *os.File }

func newWritebackFile(f *os.File) *writebackFile { return &writebackFile{f: f} }

func (w *writebackFile) Write(p []byte) (int, error) { return w.f.Write(p) }
