// Command almanac-license is the vendor's tool for Almanac plan licenses: it makes signing keys, signs licenses and inspects them.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/almanac-app/almanac/cmd/internal/cli"
)

const usage = `usage: almanac-license COMMAND [flags]

Commands:
  keygen --kid KID --out DIR    make a signing key pair: DIR/KID.key (secret) and DIR/KID.pub
  sign (--key FILE | --dev) --tenant ID --plan PLAN --expires YYYY-MM-DD [flags]
                                sign a license; the text goes to stdout unless --out
  inspect FILE|-                decode a license, verify it and print every field and the verdict

Run almanac-license COMMAND -h for a command's flags.
`

// Exit codes: 2 for usage mistakes, 4 when inspect rejects a license (as
// almanac does), 1 for anything else.
const (
	exitOK      = 0
	exitError   = 1
	exitUsage   = 2
	exitInvalid = 4
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, time.Now))
}

// tool carries the streams and clock, so tests run commands in-process.
type tool struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// rejectedError is inspect's verdict that a license would be refused.
type rejectedError struct{ err error }

func (e rejectedError) Error() string { return e.err.Error() }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, now func() time.Time) int {
	t := &tool{stdin: stdin, stdout: stdout, stderr: stderr, now: now}
	err := t.dispatch(args)
	var ue usageError
	var re rejectedError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &re):
		return exitInvalid // the verdict is already printed
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "almanac-license: %v\n", err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "almanac-license: %v\n", err)
		return exitError
	}
}

func (t *tool) dispatch(args []string) error {
	if len(args) == 0 {
		return usagef("missing command; run almanac-license -h for the list")
	}
	switch args[0] {
	case "keygen":
		return t.keygen(args[1:])
	case "sign":
		return t.sign(args[1:])
	case "inspect":
		return t.inspect(args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(t.stdout, usage)
		return nil
	}
	return usagef("unknown command %q; use keygen, sign or inspect", args[0])
}

// parseFlags parses a command's flags. -h prints the command's help to
// stdout and reports done; other mistakes are usage errors.
func (t *tool) parseFlags(fs *flag.FlagSet, args []string, synopsis string) (done bool, err error) {
	done, err = cli.ParseFlags(fs, args, t.stdout, "usage: almanac-license "+synopsis+"\n\nFlags:")
	if err != nil {
		return false, usagef("%s: %v (run almanac-license %s -h)", fs.Name(), err, fs.Name())
	}
	return done, nil
}
