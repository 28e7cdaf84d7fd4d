//go:build unix

package reports

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/almanac-app/almanac/license"
)

// The new file gets 0666 less the umask, as the dataset exports do.
func TestSaveDocumentUmask(t *testing.T) {
	fakeRenderers(t, nil)
	svc := openFixture(t)
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "d.pdf")
	_, err := svc.SaveDocument(context.Background(), ents(license.Starter), DocumentRequest{Report: ReportDashboard}, DocPDF, path, false)
	must(t, err)
	st, err := os.Stat(path)
	must(t, err)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v under umask 077, want 0600", st.Mode().Perm())
	}
}
