package auth

import (
	"context"
	"sync"
	"time"

	"bdt/bdt/store"
)

// activity records when sessions and API tokens were last used, off the
// request's path. Recording is a write, and on SQLite a write waits for
// the one writer, which a run holds from a file's first record to its
// commit (up to the busy timeout): a signed-in page or an API call that
// wrote its activity before answering waited for the file in hand. Reads
// do not wait (WAL), so with the write moved here a request only reads.
//
// Writes run on one goroutine at a time, started when something is
// pending and ending when nothing is; a session's or token's latest use
// wins (older pending ones are folded into it). Until its write lands, the
// pending use counts for this process's own idle checks (lastSeen), so a
// session in use is never judged idle here; another replica sees it once
// written, at most the file in hand's commit later. A write that fails is
// dropped: the next use writes again, and the session's idle limit can
// only end it early, never late.
type activity struct {
	store Store

	mu       sync.Mutex
	sessions map[string]time.Time // pending, by session hash
	tokens   map[int64]time.Time  // pending, by token id
	writing  map[string]time.Time // the sessions' uses being written
	running  bool
	idle     chan struct{} // closed when nothing is pending or running; nil while running
}

func newActivity(st Store) *activity {
	idle := make(chan struct{})
	close(idle)
	return &activity{store: st, sessions: map[string]time.Time{}, tokens: map[int64]time.Time{}, idle: idle}
}

// session records a use of the session hash at now.
func (a *activity) session(hash []byte, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if t, ok := a.sessions[string(hash)]; !ok || now.After(t) {
		a.sessions[string(hash)] = now
	}
	a.startLocked()
}

// token records a use of token id at now.
func (a *activity) token(id int64, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if t, ok := a.tokens[id]; !ok || now.After(t) {
		a.tokens[id] = now
	}
	a.startLocked()
}

// lastSeen is the later of stored (the session's LastSeen as read) and a
// use of the session hash not yet written.
func (a *activity) lastSeen(hash []byte, stored time.Time) time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, m := range []map[string]time.Time{a.sessions, a.writing} {
		if t, ok := m[string(hash)]; ok && t.After(stored) {
			stored = t
		}
	}
	return stored
}

// startLocked starts the writer unless it runs. a.mu is held.
func (a *activity) startLocked() {
	if a.running {
		return
	}
	a.running = true
	a.idle = make(chan struct{})
	go a.write()
}

// write writes what is pending until nothing is. The sessions' uses count
// for lastSeen until written (a.writing).
func (a *activity) write() {
	ctx := context.Background()
	for {
		a.mu.Lock()
		a.writing = nil
		sessions, tokens := a.sessions, a.tokens
		if len(sessions) == 0 && len(tokens) == 0 {
			a.running = false
			close(a.idle)
			a.mu.Unlock()
			return
		}
		a.writing = sessions
		a.sessions, a.tokens = map[string]time.Time{}, map[int64]time.Time{}
		a.mu.Unlock()
		for h, now := range sessions {
			a.store.SessionTouch(ctx, store.SessionTouchParams{Hash: []byte(h), Now: now}) // a failure is dropped (see activity)
		}
		for id, now := range tokens {
			a.store.TokenTouch(ctx, id, now) // a failure is dropped (see activity)
		}
	}
}

// flush waits until every use recorded before it is written, or ctx ends.
func (a *activity) flush(ctx context.Context) error {
	a.mu.Lock()
	idle := a.idle
	a.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
