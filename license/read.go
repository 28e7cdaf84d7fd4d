package license

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ReadText reads the text of a license from the file name, or from stdin when name is "-". It
// reads at most one byte past MaxLicenseSize, so a huge file costs nothing and Parse still
// reports it as too large. Every front end that takes a license file reads it here.
func ReadText(name string, stdin io.Reader) ([]byte, error) {
	r := stdin
	if name == "-" && r == nil {
		return nil, errors.New("no standard input to read the license from; give a FILE")
	}
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	text, err := io.ReadAll(io.LimitReader(r, MaxLicenseSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return text, nil
}
