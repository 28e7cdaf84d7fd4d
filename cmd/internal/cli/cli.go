// Package cli is what Almanac's commands (almanac, almanac-license, tenantd) share about reading
// their command lines: parsing a flag set and printing its help the same way.
package cli

import (
	"errors"
	"flag"
	"io"
)

// ParseFlags parses args into fs, which itself writes nothing. For -h or -help it writes help, a
// newline and the flags with their defaults to w, and reports done. Any other mistake comes back
// as the flag package words it, for the caller to wrap in its own usage error.
func ParseFlags(fs *flag.FlagSet, args []string, w io.Writer, help string) (done bool, err error) {
	fs.SetOutput(io.Discard)
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		_, _ = io.WriteString(w, help+"\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
		return true, nil
	}
	return false, err
}
