package cli

import (
	"flag"
	"strings"
	"testing"
)

func TestParseFlagsHelpPrintsUsageThenDefaults(t *testing.T) {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	n := fs.Int("n", 7, "how many")
	var out strings.Builder
	done, err := ParseFlags(fs, []string{"-h"}, &out, "Usage: demo [-n N]")
	if !done || err != nil {
		t.Fatalf("-h: done %v, err %v", done, err)
	}
	got := out.String()
	if !strings.HasPrefix(got, "Usage: demo [-n N]\n") || !strings.Contains(got, "how many (default 7)") {
		t.Errorf("help is %q", got)
	}
	if *n != 7 {
		t.Errorf("n = %d after -h", *n)
	}
}

func TestParseFlagsReturnsMistakesAndWritesNothing(t *testing.T) {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	n := fs.Int("n", 7, "how many")
	var out strings.Builder
	if done, err := ParseFlags(fs, []string{"-x"}, &out, "Usage: demo"); done || err == nil || !strings.Contains(err.Error(), "-x") {
		t.Errorf("-x: done %v, err %v", done, err)
	}
	if done, err := ParseFlags(fs, []string{"-n", "3", "rest"}, &out, "Usage: demo"); done || err != nil || *n != 3 || fs.Arg(0) != "rest" {
		t.Errorf("-n 3 rest: done %v, err %v, n %d, args %v", done, err, *n, fs.Args())
	}
	if out.Len() != 0 {
		t.Errorf("wrote %q outside -h", out.String())
	}
}
