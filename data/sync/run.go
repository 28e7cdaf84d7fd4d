package sync

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/store"
)

// syncer runs one sync: every entity in dependency order, fetching the next page while the
// previous one is being applied.
type syncer struct {
	st      *store.Store
	c       *syncClient
	loc     *time.Location
	results map[string]*EntityResult
	newest  time.Time // the newest instant the server sent (server_time, applied updated_at)
}

// maxRounds bounds how often the entity loop restarts because a page referenced a parent row
// created on the server after that parent entity was synced.
const maxRounds = 3

func (s *syncer) run(ctx context.Context) error {
	var err error
	for range maxRounds {
		err = nil
		for _, e := range data.Entities() {
			if err = s.entity(ctx, e); err != nil {
				break
			}
		}
		if !errors.Is(err, store.ErrMissingParent) {
			return err
		}
	}
	return fmt.Errorf("%w: the server's data still references rows it has not sent after %d rounds; try again later", err, maxRounds)
}

// fetched is a page or the error that ended fetching.
type fetched struct {
	pg  *syncPage
	err error
}

// entity brings one entity up to date from its stored cursor.
func (s *syncer) entity(ctx context.Context, e string) error {
	cursor, err := s.st.SyncCursor(ctx, e)
	if err != nil {
		return fmt.Errorf("read %s cursor: %w", e, err)
	}
	fctx, cancel := context.WithCancel(ctx)
	pages := make(chan fetched, 2)
	go s.fetchAll(fctx, e, cursor, pages)
	defer func() {
		cancel()
		for range pages { // wait for the fetcher so nothing outlives the sync
		}
	}()
	start, done := time.Now(), int64(0)
	for f := range pages {
		if f.err != nil {
			return f.err
		}
		if err := s.apply(ctx, f.pg); err != nil {
			return err
		}
		done += f.pg.size()
		s.progress(Progress{Entity: e, Done: done, Total: done + f.pg.remaining,
			RowsPerSec: float64(done) / max(time.Since(start).Seconds(), 1e-3), Finished: !f.pg.more})
	}
	return ctx.Err()
}

func (s *syncer) progress(p Progress) {
	if s.c.o.Progress != nil {
		s.c.o.Progress(p)
	}
}

// fetchAll fetches pages of e from cursor on until the server has no more, an error, or
// cancellation; it closes pages when it stops.
func (s *syncer) fetchAll(ctx context.Context, e, cursor string, pages chan<- fetched) {
	defer close(pages)
	// Cursors handed out in this run: a server that leads back to one of them would serve the
	// same pages forever. Cursors are at most 256 bytes and a run has few pages per entity.
	seen := map[string]bool{cursor: true}
	var bound rowBound
	for {
		body, err := s.c.changes(ctx, e, cursor)
		var pg *syncPage
		if err == nil {
			pg, err = decodePage(e, cursor, body, s.c.o.PageSize)
		} else if !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("sync %s after cursor %s: %w", e, cursorName(cursor), err)
		}
		if err == nil && pg.more && seen[pg.Next] {
			err = fmt.Errorf("sync %s: the server's cursor went from %s back to %s, which it already served: it would repeat pages forever; the sync stopped, report this to the server's operator",
				e, cursorName(cursor), cursorName(pg.Next))
		}
		if err == nil {
			seen[pg.Next] = true
		}
		err = s.c.redact(err)
		select {
		case pages <- fetched{pg, err}:
		case <-ctx.Done():
			return
		}
		if err != nil || !pg.more {
			return
		}
		if err := bound.add(e, pg, s.c.lim); err != nil {
			select {
			case pages <- fetched{nil, err}:
			case <-ctx.Done():
			}
			return
		}
		cursor = pg.Next
	}
}

// rowBound caps one entity's changes in a run against what its first page announced, with
// room for rows created while the run goes on.
type rowBound struct {
	announced, limit, got int64
}

// add counts pg, which says more follow; it fails once the run has reached its bound.
func (b *rowBound) add(entity string, pg *syncPage, l Limits) error {
	if b.limit == 0 {
		b.announced = pg.size() + pg.remaining
		b.limit = int64(float64(b.announced)*(1+l.Growth)) + l.GrowthRows
		if pg.remaining == 0 {
			b.limit = l.UnannouncedRows
		}
	}
	b.got += pg.size()
	if b.got < b.limit {
		return nil
	}
	return &limitError{kind: limitRows, msg: fmt.Sprintf(
		"sync %s: the server has sent %s changes in this run after announcing %s (the bound is %s, room for rows added meanwhile included) and still says there are more; the sync stopped, what was applied is kept: run the sync again to continue, and report it to the server's operator if it repeats",
		entity, data.Thousands(b.got), data.Thousands(b.announced), data.Thousands(b.limit))}
}

// Kinds of limitError, for the plain words of Outcome.
const (
	limitTime = iota
	limitRows
	limitDisk
)

// limitError is a run stopped at one of its bounds; it is ErrSyncLimit.
type limitError struct {
	kind int
	msg  string
}

func (e *limitError) Error() string        { return e.msg }
func (e *limitError) Is(target error) bool { return target == ErrSyncLimit }

// checkDisk stops the run before free space in the store's folder falls under the margin.
func (s *syncer) checkDisk() error {
	l := s.c.lim
	if l.MinFreeBytes < 0 {
		return nil
	}
	dir := filepath.Dir(s.st.Path())
	free, ok, err := l.FreeSpace(dir)
	if err != nil || !ok || free >= l.MinFreeBytes {
		return nil // an unknown figure does not stop a sync
	}
	return &limitError{kind: limitDisk, msg: fmt.Sprintf(
		"free disk space in %s is %s, under the safety margin of %s; the sync stopped before the next page, what was applied is kept: free some space, then run the sync again",
		dir, mib(free), mib(l.MinFreeBytes))}
}

// mib shows a byte count in MiB.
func mib(n int64) string { return fmt.Sprintf("%s MiB", data.Thousands(n>>20)) }

// cursorName shows a cursor in an error; the first page has none.
func cursorName(c string) string {
	if c == "" {
		return "(start)"
	}
	return strconv.Quote(c)
}

func (s *syncer) apply(ctx context.Context, pg *syncPage) error {
	if err := s.checkDisk(); err != nil {
		return err
	}
	added, updated, deleted, err := s.st.ApplyPage(ctx, s.loc, &pg.Page)
	if err != nil {
		if errors.Is(err, store.ErrMissingParent) || errors.Is(err, store.ErrConcurrentSync) || ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("apply %s page after cursor %q: %w", pg.Entity, pg.From, err)
	}
	if pg.newest.After(s.newest) {
		s.newest = pg.newest
	}
	r := s.results[pg.Entity]
	r.Added += added
	r.Updated += updated
	for ent, n := range deleted {
		s.results[ent].Deleted += n
	}
	return nil
}
