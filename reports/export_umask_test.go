//go:build unix

package reports

import (
	"context"
	"os"
	"syscall"
	"testing"

	"github.com/almanac-app/almanac/license"
)

// TestExportFollowsUmask: an export is created with the mode the umask gives (0666 less it), as
// any program's new document is, so umask 077 keeps customers' emails and phones private.
// Not parallel: the umask is the process's.
func TestExportFollowsUmask(t *testing.T) {
	_, svc := demoStore(t, 300)
	for _, c := range []struct {
		umask int
		want  os.FileMode
	}{{0o077, 0o600}, {0o022, 0o644}, {0o002, 0o664}} {
		old := syscall.Umask(c.umask)
		for _, overwrite := range []bool{false, true} {
			res, err := svc.Export(context.Background(), planEnts(license.Free), ExportRequest{Dataset: DatasetCustomers, Format: FormatCSV,
				Out: t.TempDir() + "/customers.csv", Overwrite: overwrite})
			if err != nil {
				syscall.Umask(old)
				t.Fatal(err)
			}
			if st, err := os.Stat(res.Path); err != nil || st.Mode().Perm() != c.want {
				t.Errorf("umask %03o (overwrite %v): mode %v, %v; want %v", c.umask, overwrite, st.Mode().Perm(), err, c.want)
			}
		}
		syscall.Umask(old)
	}
}
