package reports

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// exportFile is an export being written: a temporary file beside the final one, renamed into place
// only by commit. Until then the final name does not exist, so no reader sees half a file.
type exportFile struct {
	dir, name string // final directory and wanted file name
	overwrite bool   // replace a file already at the name instead of numbering
	tmp       *os.File
	buf       *bufio.Writer
	done      bool
}

// outputBuffer is large enough that writes reach the disk in big blocks.
const outputBuffer = 256 << 10

// createOutput resolves out (a directory, a file path, or "" for the working directory) and
// opens the temporary file.
func createOutput(out, defaultName string, overwrite bool) (*exportFile, error) {
	dir, name, err := resolveOut(out, defaultName)
	if err != nil {
		return nil, err
	}
	sweepStaleParts(dir)
	tmp, err := createPart(dir, name)
	if err != nil {
		return nil, fmt.Errorf("cannot write in %s: %w (choose a folder you can write to)", dir, unwrapPath(err))
	}
	return &exportFile{dir: dir, name: name, overwrite: overwrite, tmp: tmp, buf: bufio.NewWriterSize(newWritebackFile(tmp), outputBuffer)}, nil
}

// createPart creates ".NAME.almanac-PID-RANDOM.part" in dir with mode 0666 less the umask, as any
// program's new document gets: os.CreateTemp would make it 0600, and a fixed chmod would ignore
// a user's umask 077 for files full of customers' emails and phones.
func createPart(dir, name string) (*os.File, error) {
	var err error
	for range 100 {
		p := filepath.Join(dir, fmt.Sprintf(".%s.almanac-%d-%s.part", name, os.Getpid(), strconv.FormatUint(rand.Uint64(), 36)))
		var f *os.File
		f, err = os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, err
}

func resolveOut(out, defaultName string) (dir, name string, err error) {
	if out == "" {
		out = "."
	}
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return out, defaultName, nil
	}
	if strings.HasSuffix(out, string(os.PathSeparator)) || strings.HasSuffix(out, "/") {
		return "", "", outFolderError(out, "is a folder that does not exist")
	}
	dir, name = filepath.Split(out)
	if dir == "" {
		dir = "."
	}
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return "", "", outFolderError(out, "is in folder "+filepath.Clean(dir)+", which does not exist")
	}
	return filepath.Clean(dir), name, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// commit flushes, syncs and moves the file to its final name. With overwrite it replaces a file
// already there by a rename (atomic: a reader sees the old file or the new one, never a mix);
// otherwise it adds " (2)", " (3)"… rather than replace. It returns the final path.
func (o *exportFile) commit() (string, error) {
	if err := o.buf.Flush(); err != nil {
		return "", fmt.Errorf("write %s: %w", o.tmp.Name(), unwrapPath(err))
	}
	if err := o.tmp.Sync(); err != nil {
		return "", fmt.Errorf("write %s: %w", o.tmp.Name(), unwrapPath(err))
	}
	if err := o.tmp.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", o.tmp.Name(), unwrapPath(err))
	}
	if o.overwrite {
		final := filepath.Join(o.dir, o.name)
		if err := os.Rename(o.tmp.Name(), final); err != nil {
			return "", fmt.Errorf("replace %s: %w", final, unwrapPath(err))
		}
		o.done = true
		return final, nil
	}
	for i := 1; i < 10000; i++ {
		final := filepath.Join(o.dir, numbered(o.name, i))
		err := linkNoReplace(o.tmp.Name(), final)
		if err == nil {
			o.done = true
			os.Remove(o.tmp.Name())
			return final, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("save %s: %w", final, unwrapPath(err))
		}
	}
	return "", fmt.Errorf("save %s: too many files with this name in %s; choose another name", o.name, o.dir)
}

// linkNoReplace gives tmp the name final unless final exists. A hard link fails atomically when
// the name is taken; file systems without links (FAT) fall back to a check and a rename.
func linkNoReplace(tmp, final string) error {
	err := os.Link(tmp, final)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	if _, serr := os.Lstat(final); serr == nil {
		return fs.ErrExist
	}
	return os.Rename(tmp, final)
}

// numbered is name for i == 1, else "base (i).ext".
func numbered(name string, i int) string {
	if i == 1 {
		return name
	}
	ext := filepath.Ext(name)
	return fmt.Sprintf("%s (%d)%s", strings.TrimSuffix(name, ext), i, ext)
}

// discard removes the temporary file of an export that did not commit.
func (o *exportFile) discard() {
	if o.done {
		return
	}
	o.tmp.Close()
	os.Remove(o.tmp.Name())
}

// sweepStaleParts removes temporary export files left in dir by an Almanac process that no
// longer runs (killed outright, so it could not clean up). A live export's file is kept.
func sweepStaleParts(dir string) {
	parts, _ := filepath.Glob(filepath.Join(dir, ".*.almanac-*-*.part"))
	for _, p := range parts {
		if pid, ok := partOwner(filepath.Base(p)); ok && !processAlive(pid) {
			os.Remove(p)
		}
	}
}

// partOwner reads the writer's pid out of ".NAME.almanac-PID-RANDOM.part".
func partOwner(base string) (int, bool) {
	i := strings.LastIndex(base, ".almanac-")
	if i < 0 {
		return 0, false
	}
	rest := base[i+len(".almanac-"):]
	j := strings.IndexByte(rest, '-')
	if j <= 0 {
		return 0, false
	}
	pid, err := strconv.Atoi(rest[:j])
	return pid, err == nil && pid > 0
}

// processAlive reports whether pid is a running process (signal 0 probes without signalling).
func processAlive(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
