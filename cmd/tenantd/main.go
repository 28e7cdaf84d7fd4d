// Command tenantd is the reference server of Almanac's sync protocol (docs/sync-protocol.md): it
// serves a tenant built by the demo generator, optionally changing it over time and injecting
// faults for tests.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/almanac-app/almanac/cmd/internal/cli"
	"github.com/almanac-app/almanac/data/demo"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/data/sync/tenantserver"

	"github.com/almanac-app/almanac/data"
)

const usage = `Usage: tenantd --token TOKEN [--addr 127.0.0.1:8417] [--appointments N] [--seed S]
       [--today YYYY-MM-DD] [--timezone ZONE] [--tenant-id ID] [--mutate-every DURATION]
       [--fail-rate P] [--latency D] [--truncate-rate P]

Serves a tenant built by the same generator as 'almanac demo' (same flags, same rows) over the
sync protocol. Binds to loopback unless --addr says otherwise.`

// config is the parsed command line.
type config struct {
	addr        string
	token       string
	tenantID    string
	demo        demo.Options
	mutateEvery time.Duration
	faults      tenantserver.Faults
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr, nil)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tenantd: "+flagWords(err))
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

// flagWords is err's message with the demo options' fields named as tenantd's flags, which
// share their names (--appointments, --timezone).
func flagWords(err error) string {
	return data.RewordError(err, func(e error) (string, bool) {
		if ie, ok := e.(*data.InputError); ok {
			return ie.Words(func(field string) string { return "--" + field }), true
		}
		return "", false
	})
}

func parse(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("tenantd", flag.ContinueOnError)
	var c config
	var today string
	var seed uint64
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8417", "listen address")
	fs.StringVar(&c.token, "token", os.Getenv("TENANTD_TOKEN"), "bearer token clients must send (default $TENANTD_TOKEN)")
	fs.StringVar(&c.tenantID, "tenant-id", "maple-street", "the tenant's id")
	fs.IntVar(&c.demo.Appointments, "appointments", 50_000, "number of appointments")
	fs.Uint64Var(&seed, "seed", 1, "random seed; the same seed gives the same rows")
	fs.StringVar(&today, "today", "", "the tenant's today, YYYY-MM-DD (default: today)")
	fs.StringVar(&c.demo.TimeZone, "timezone", "America/New_York", "the tenant's IANA time zone")
	fs.DurationVar(&c.mutateEvery, "mutate-every", 0, "change, add and delete some appointments this often (0: never)")
	fs.Float64Var(&c.faults.FailRate, "fail-rate", 0, "share of requests answered with HTTP 500")
	fs.DurationVar(&c.faults.Latency, "latency", 0, "delay before every answer")
	fs.Float64Var(&c.faults.TruncateRate, "truncate-rate", 0, "share of answers cut short")
	if done, err := cli.ParseFlags(fs, args, stderr, usage); done {
		return c, flag.ErrHelp
	} else if err != nil {
		return c, usageError{fmt.Errorf("%v (see tenantd -h)", err)}
	}
	c.demo.Seed = seed
	if today != "" {
		d, err := time.Parse(data.DateLayout, today)
		if err != nil {
			return c, usageError{fmt.Errorf("--today %q is not a date: use YYYY-MM-DD", today)}
		}
		c.demo.Today = d
	}
	switch {
	case c.token == "":
		return c, usageError{errors.New("--token is required: clients must present it as a bearer token")}
	case c.demo.Appointments <= 0:
		return c, usageError{fmt.Errorf("--appointments %d: use 1 to 20000000", c.demo.Appointments)}
	case c.faults.FailRate < 0 || c.faults.FailRate > 1 || c.faults.TruncateRate < 0 || c.faults.TruncateRate > 1:
		return c, usageError{errors.New("--fail-rate and --truncate-rate are shares from 0 to 1")}
	case !data.ValidTenantID(c.tenantID):
		return c, usageError{fmt.Errorf("--tenant-id %q: use letters, digits, '.', '_' or '-'", c.tenantID)}
	}
	return c, nil
}

// run serves until ctx is cancelled. ready, when set, receives the bound address (tests).
func run(ctx context.Context, args []string, stderr io.Writer, ready func(addr string)) error {
	c, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	o, err := c.demo.Normalize()
	if err != nil {
		return usageError{err}
	}
	start := time.Now()
	t := datasync.RemoteTenant{Tenant: data.Tenant{ID: c.tenantID, Name: demo.Tenant(o).Name, TimeZone: o.TimeZone, Currency: o.Currency, CanAcceptPayments: true}}
	srv, err := tenantserver.New(ctx, t, c.token, o)
	if err != nil {
		return err
	}
	srv.SetFaults(c.faults)
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %v: pick another --addr", c.addr, err)
	}
	n := srv.Counts()
	fmt.Fprintf(stderr, "tenantd: tenant %q with %d appointments, %d payments, %d customers built in %.1fs; serving on http://%s\n",
		t.ID, n.Appointments, n.Payments, n.Customers, time.Since(start).Seconds(), ln.Addr())
	if ready != nil {
		ready(ln.Addr().String())
	}
	if c.mutateEvery > 0 {
		go mutate(ctx, srv, c.mutateEvery, max(c.demo.Appointments/2000, 5), stderr)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// mutate changes n appointments every d, like a business going about its day.
func mutate(ctx context.Context, srv *tenantserver.Server, d time.Duration, n int, stderr io.Writer) {
	tick := time.NewTicker(d)
	defer tick.Stop()
	for seed := uint64(1); ; seed++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			srv.Mutate(n, seed)
			c := srv.Counts()
			fmt.Fprintf(stderr, "tenantd: changed about %d appointments; now %d appointments, %d payments\n", n, c.Appointments, c.Payments)
		}
	}
}
