package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Progress on stderr. A terminal gets one line redrawn in place with a carriage return; a pipe
// or a log file gets whole lines instead: one when the entity changes or finishes and
// otherwise one every pipeEvery, so a log stays readable and still shows the work moving.
const (
	ttyEvery  = 200 * time.Millisecond
	pipeEvery = 3 * time.Second
)

// progressLine writes progress lines for one command; safe for concurrent use.
type progressLine struct {
	w   io.Writer
	tty bool
	now func() time.Time

	mu   sync.Mutex
	last time.Time
	key  string // the entity of the last line
	open bool   // a terminal line is drawn and not yet ended
}

func newProgress(env *Env) *progressLine {
	now := env.Now
	if now == nil {
		now = time.Now
	}
	return &progressLine{w: env.Stderr, tty: env.StderrTTY, now: now}
}

// show prints text for key (an entity); final marks the last line of that key.
func (p *progressLine) show(key, text string, final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	every := pipeEvery
	if p.tty {
		every = ttyEvery
	}
	if !final && key == p.key && now.Sub(p.last) < every {
		return
	}
	p.last, p.key = now, key
	if !p.tty {
		fmt.Fprintln(p.w, text)
		return
	}
	fmt.Fprint(p.w, "\r"+text)
	p.open = !final
	if final {
		fmt.Fprintln(p.w)
	}
}

// note prints a line of its own, ending a redrawn line first.
func (p *progressLine) note(text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endLocked()
	fmt.Fprintln(p.w, text)
}

// finish ends a redrawn line left open.
func (p *progressLine) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endLocked()
}

func (p *progressLine) endLocked() {
	if p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
}

// isTerminal reports whether w is a terminal (a character device), where a carriage return
// redraws the line instead of piling up in a log.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
