// Command almanac is the Almanac desktop app (no command) and its headless command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/almanac-app/almanac/cmd/internal/cli"
	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/license"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "0.1.0-dev"

// command is one headless subcommand.
type command struct {
	summary string
	run     func(env *Env, args []string) error
}

// commands is the command table; `almanac help` lists it.
var commands = map[string]command{
	"version": {"print the version and build kind", runVersion},
	"demo":    {"build the demo tenant and make it active", runDemo},
	"tenant":  {"show the active tenant, list this home's tenants (list), switch (use ID)", runTenant},
	"check":   {"verify the store's integrity and print table fingerprints", runCheck},
	"license": {"activate, show or remove the plan license", runLicense},
	"sync":    {"pull the tenant's data from its server", runSync},
	"export":  {"export a dataset to CSV, JSON or XLSX", runExport},
	"report":  {"print the dashboard, appointment or revenue analytics", runReport},
	"repair":  {"move a damaged store aside (kept, dated) and rebuild it", runRepair},
	"jobs":    {"scheduled exports and reports: list, add, remove, run ID, run --due", runJobs},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses global flags, dispatches the command and maps its error to an exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if err := checkBuildKeys(); err != nil {
		return report(stderr, err)
	}
	g, rest, err := parseGlobal(args)
	if err == nil && len(rest) > 0 && (rest[0] == "help" || rest[0] == "-h" || rest[0] == "--help") {
		printHelp(stdout, rest[1:])
		return exitOK
	}
	var home data.Home
	if err == nil {
		home, err = data.ResolveHome(g.home)
		home.Tenant = g.tenant
	}
	if err != nil {
		return report(stderr, err)
	}
	env := newEnv(home.Dir)
	env.Tenant = g.tenant
	env.Stdin, env.Stdout, env.Stderr, env.Ctx = stdin, stdout, stderr, ctx
	env.StderrTTY = isTerminal(stderr)
	if len(rest) == 0 && g.tenant != "" {
		return report(stderr, usageErr("--tenant applies to the commands (report, export, sync, jobs…): the app opens the business chosen in its header"))
	}
	if len(rest) == 0 {
		return report(stderr, openApp(env, args))
	}
	cmd, ok := commands[rest[0]]
	if !ok {
		return report(stderr, usageErr("unknown command %q: run 'almanac help' for the list", rest[0]))
	}
	if err := checkPinnedTenant(home, rest[0]); err != nil {
		return report(stderr, err)
	}
	return report(stderr, explainStore(home, cmd.run(env, rest[1:])))
}

// checkPinnedTenant refuses a global --tenant the home does not keep (exit 2), before a
// command would word it as a missing store; demo builds its own tenant.
func checkPinnedTenant(h data.Home, command string) error {
	if h.Tenant == "" || command == "demo" || command == "version" {
		return nil
	}
	_, err := h.ActiveTenant()
	var ie *data.InputError
	if errors.As(err, &ie) {
		return usageErr("%s", cliWords(err))
	}
	return nil
}

// checkBuildKeys refuses to start a build whose linked license key list is
// unusable, above all one that trusts the committed development key under
// some other id: such a build would accept licenses anyone can sign.
func checkBuildKeys() error {
	if err := license.TrustedKeys().Err(); err != nil {
		return licenseErr(fmt.Errorf("this build of Almanac refuses to start: its license key list is unusable (%v); rebuild with a correct LICENSE_PUBKEYS", err))
	}
	return nil
}

func report(stderr io.Writer, err error) int {
	if err != nil {
		fmt.Fprintln(stderr, "almanac: "+termSafe(oneLine(cliWords(err))))
	}
	return exitCode(err)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// globals are the flags before the command.
type globals struct {
	home   string // --home DIR
	tenant string // --tenant ID: the tenant the command acts on, whatever <home>/active names
}

// parseGlobal reads the flags before the command: --home DIR and --tenant ID (or =VALUE).
func parseGlobal(args []string) (g globals, rest []string, err error) {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help" {
		a := args[0]
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case a == "--version" || a == "-version":
			return g, append([]string{"version"}, args[1:]...), nil
		case name != "home" && name != "tenant":
			return globals{}, nil, usageErr("unknown global flag %q: they are --home DIR and --tenant ID (see almanac help)", a)
		case !hasValue && (len(args) < 2 || args[1] == "") && name == "home":
			return globals{}, nil, usageErr("--home needs a directory: almanac --home DIR COMMAND")
		case !hasValue && (len(args) < 2 || args[1] == ""):
			return globals{}, nil, usageErr("--tenant needs a tenant id: almanac --tenant ID COMMAND ('almanac tenant list' shows the ids)")
		case !hasValue:
			value, args = args[1], args[2:]
		default:
			args = args[1:]
		}
		switch name {
		case "home":
			g.home = value
		case "tenant":
			if !data.ValidTenantID(value) {
				return globals{}, nil, usageErr("--tenant %q is not a tenant id: give an id that 'almanac tenant list' shows", value)
			}
			g.tenant = value
		}
	}
	return g, args, nil
}

func printHelp(w io.Writer, topic []string) {
	if len(topic) > 0 {
		if c, ok := commands[topic[0]]; ok {
			_ = c.run(&Env{Stdout: w, Stderr: w}, []string{"-h"})
			return
		}
	}
	fmt.Fprintln(w, `Almanac: offline reports and exports for your booking business.

Usage:
  almanac [--home DIR] [--tenant ID] [COMMAND [flags]]

With no command, opens the desktop app (building the demo tenant on first run).
--home DIR: where data lives (default $ALMANAC_HOME, else your config dir + /almanac;
  on Windows %AppData%\Almanac).
--tenant ID: the business a command acts on (report, export, sync, check, tenant, jobs…),
  whatever the app has open; 'almanac tenant list' shows the ids.
--version: the same as 'almanac version'.

Commands:`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, `
Run 'almanac COMMAND -h' for a command's flags.
Exit codes: 0 ok, 1 failure, 2 usage error, 3 the plan does not include it, 4 license problem.`)
}

// newFlags makes a command's flag set; errors and -h are handled by parseFlags.
func newFlags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	_ = usage
	return fs
}

// parseFlags parses args; for -h it prints usage and the flags to env.Stdout and returns done.
func parseFlags(env *Env, fs *flag.FlagSet, usage string, args []string) (done bool, err error) {
	if done, err := cli.ParseFlags(fs, args, env.Stdout, usage); done || err != nil {
		if err != nil {
			return false, usageErr("%s: %v (see almanac %s -h)", fs.Name(), err, fs.Name())
		}
		return true, nil
	}
	if fs.NArg() > 0 {
		return false, usageErr("%s: unexpected argument %q (see almanac %s -h)", fs.Name(), fs.Arg(0), fs.Name())
	}
	return false, nil
}
