package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// usage is what one whole process cost: wall time from start to exit, CPU (user + system) and
// peak resident set, the last two from the kernel's rusage of the exited process (wait4), with
// microsecond CPU resolution where /usr/bin/time prints hundredths.
type usage struct {
	wall, cpu time.Duration
	rss       int64 // bytes
}

// job is one command to run and measure.
type job struct {
	name  string   // what the log calls it
	args  []string // program and arguments
	env   []string // added to the harness's environment
	stdin string
}

// run starts j, waits for it and returns its usage and standard output; a failure carries the
// last line of its standard error.
func run(ctx context.Context, j job) (usage, []byte, error) {
	cmd := exec.CommandContext(ctx, j.args[0], j.args[1:]...)
	cmd.Env = append(os.Environ(), j.env...)
	if j.stdin != "" {
		cmd.Stdin = strings.NewReader(j.stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return usage{}, out.Bytes(), fmt.Errorf("%s: %v: %s", j.name, err, lastLine(errb.String()))
	}
	u := usage{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		u.rss = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return u, out.Bytes(), nil
}

// lastLine is the last non-empty line of s, for one-line error reports.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// sample is the rounds of one contender.
type sample struct {
	runs []usage
	err  error
}

func (s *sample) add(u usage, err error) {
	if err != nil {
		s.err = errors.Join(s.err, err)
		return
	}
	s.runs = append(s.runs, u)
}

// median is the median of each figure on its own (for an even count, the lower middle).
func (s *sample) median() usage {
	if len(s.runs) == 0 {
		return usage{}
	}
	pick := func(f func(usage) int64) int64 {
		v := make([]int64, len(s.runs))
		for i, u := range s.runs {
			v[i] = f(u)
		}
		slices.Sort(v)
		return v[(len(v)-1)/2]
	}
	return usage{
		wall: time.Duration(pick(func(u usage) int64 { return int64(u.wall) })),
		cpu:  time.Duration(pick(func(u usage) int64 { return int64(u.cpu) })),
		rss:  pick(func(u usage) int64 { return u.rss }),
	}
}

// ok says the sample has at least one run and no failure.
func (s *sample) ok() bool { return s.err == nil && len(s.runs) > 0 }

// paired runs a and ref in rounds side by side, alternating which goes first so that a burst of
// load on a shared machine falls on both alike; each callback measures one run.
func paired(rounds int, log io.Writer, name string, a, ref func() (usage, error)) (sa, sr sample) {
	for i := range rounds {
		first, second := a, ref
		fs, ss := &sa, &sr
		if i%2 == 1 && ref != nil {
			first, second, fs, ss = ref, a, &sr, &sa
		}
		fs.add(callOrSkip(first))
		if second != nil {
			ss.add(callOrSkip(second))
		}
		fmt.Fprintf(log, "bench-table: %s round %d/%d: %s | %s\n", name, i+1, rounds, brief(sa), brief(sr))
	}
	return sa, sr
}

func callOrSkip(f func() (usage, error)) (usage, error) {
	if f == nil {
		return usage{}, nil
	}
	return f()
}

// brief is the last run of s for the progress log.
func brief(s sample) string {
	if len(s.runs) == 0 {
		if s.err != nil {
			return "failed"
		}
		return "-"
	}
	u := s.runs[len(s.runs)-1]
	return fmt.Sprintf("%s wall %s CPU %s", seconds(u.wall), seconds(u.cpu), megabytes(u.rss))
}
