package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// The sync test binary's server (TestSyncServerProcess) serves datatest's tenant: this token,
// seed 5, today 2026-06-15. tenantd is started with the same rows so that the floor, the full
// sync and the incremental sync move the same tenant.
const (
	syncToken  = "s3cret"
	syncSeed   = "5"
	syncToday  = "2026-06-15"
	syncTenant = "maple"
)

// server is a sync server process on loopback.
type server struct {
	url  string
	cmd  *exec.Cmd
	stop func() // ends the process (the test binary when its stdin closes, tenantd on SIGTERM)
}

// startServer runs args (with env added) and waits until its output names its address.
func startServer(ctx context.Context, args, env []string, viaStdin bool) (*server, error) {
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var stdin io.WriteCloser
	if viaStdin {
		var err error
		if stdin, err = cmd.StdinPipe(); err != nil {
			return nil, err
		}
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); pw.Close(); close(exited) }()
	s.stop = func() {
		if stdin != nil {
			stdin.Close()
		} else {
			_ = cmd.Process.Signal(syscall.SIGTERM)
		}
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sent, last := false, ""
		for sc.Scan() {
			if url, ok := parseAddress(sc.Text()); ok && !sent {
				found <- url
				sent = true
			}
			last = sc.Text()
		}
		if !sent {
			found <- "exited: " + last
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case url := <-found:
		if len(url) > 7 && url[:7] == "exited:" {
			return nil, fmt.Errorf("%s did not start: %s", args[0], url[8:])
		}
		s.url = url
		return s, nil
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
}

// tenantd starts the built tenantd with n appointments on a free loopback port.
func (b *bench) tenantd(ctx context.Context, n int) (*server, error) {
	return startServer(ctx, []string{b.bin + "/tenantd", "--addr", "127.0.0.1:0", "--token", syncToken, "--tenant-id", syncTenant,
		"--appointments", strconv.Itoa(n), "--seed", syncSeed, "--today", syncToday, "--timezone", demoZone}, nil, false)
}

// mutatingServer starts BenchmarkSync's server process (TestSyncServerProcess), which changes
// 1% of the appointments on GET /bench/mutate.
func (b *bench) mutatingServer(ctx context.Context, n int) (*server, error) {
	return startServer(ctx, []string{b.bin + "/sync.test", "-test.run=^TestSyncServerProcess$", "-test.v"},
		[]string{"ALMANAC_SYNC_SERVER_PROCESS=" + strconv.Itoa(n)}, true)
}

// mutate asks the server to change 1% of its appointments.
func (s *server) mutate(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/bench/mutate", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("mutate: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("mutate: %s", resp.Status)
	}
	return nil
}
