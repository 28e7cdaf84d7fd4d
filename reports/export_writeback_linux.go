package reports

import (
	"os"

	"golang.org/x/sys/unix"
)

// writebackEvery is how many bytes pass between requests that the kernel start writing the file
// out: the disk then works while the export runs, and commit's fsync waits only for the tail.
const writebackEvery = 8 << 20

// writebackFile is the export's temporary file, asking the kernel to start writing out each
// writebackEvery bytes as they are written (sync_file_range without waiting). The data reach the
// disk for certain only at commit's Sync; this only moves the work earlier.
type writebackFile struct {
	f          *os.File
	done, sent int64 // bytes written; bytes whose writeout was requested
}

func newWritebackFile(f *os.File) *writebackFile { return &writebackFile{f: f} }

func (w *writebackFile) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.done += int64(n)
	if w.done-w.sent >= writebackEvery {
		// Only a hint: a file system without it (or an error) leaves everything to the Sync.
		_ = unix.SyncFileRange(int(w.f.Fd()), w.sent, w.done-w.sent, unix.SYNC_FILE_RANGE_WRITE)
		w.sent = w.done
	}
	return n, err
}
