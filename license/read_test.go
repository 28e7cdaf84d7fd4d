package license

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadTextReadsFileOrStdin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.license")
	if err := os.WriteFile(path, []byte("from the file"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadText(path, strings.NewReader("from stdin")); err != nil || string(got) != "from the file" {
		t.Errorf("file: %q, %v", got, err)
	}
	if got, err := ReadText("-", strings.NewReader("from stdin")); err != nil || string(got) != "from stdin" {
		t.Errorf("stdin: %q, %v", got, err)
	}
	if _, err := ReadText("-", nil); err == nil || !strings.Contains(err.Error(), "give a FILE") {
		t.Errorf("no stdin: %v", err)
	}
	if _, err := ReadText(filepath.Join(t.TempDir(), "missing"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
}

// TestReadTextStopsPastTheCap feeds more than a license can be and checks that ReadText stops one
// byte past the cap, so Parse still refuses it as too large.
func TestReadTextStopsPastTheCap(t *testing.T) {
	got, err := ReadText("-", bytes.NewReader(bytes.Repeat([]byte("A"), 4*MaxLicenseSize)))
	if err != nil || len(got) != MaxLicenseSize+1 {
		t.Fatalf("read %d bytes, %v; want %d", len(got), err, MaxLicenseSize+1)
	}
	if _, err := Parse(got); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("Parse of the capped text: %v, want a too-large refusal", err)
	}
}
