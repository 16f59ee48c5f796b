package models

import (
	"context"
	"fmt"
	"sync"
)

// Every authenticated request checks that its access token's session is still live and its
// account open (SessionUser). Under a burst — a whole room voting at once — that check was one
// query per request and the largest cost of a ballot on MySQL/MariaDB. The checks are therefore
// looked up together: a request that finds a lookup lane free runs its query at once (a lone
// request waits for nothing); requests that arrive while both lanes are busy queue, and the next
// free lane reads all of them in one query. Each query starts after every request it answers
// arrived, so a session revoked before a request came is seen as revoked, exactly as with one
// query per request (docs/architecture.md "Sessions").

const (
	// sessionLanes is how many lookups run at once.
	sessionLanes = 2
	// sessionBatchMax bounds the sessions one query reads.
	sessionBatchMax = 256
)

// sessionLookups queues the session checks of concurrent requests; its zero value is ready.
type sessionLookups struct {
	mu    sync.Mutex
	queue []*sessionWait
	busy  int
}

// sessionWait is one request's check: what it asks and, once done is closed, the answer.
type sessionWait struct {
	userID uint64
	sid    string
	user   *User
	err    error
	done   chan struct{}
}

// SessionUser loads the open account behind an access token whose session is still live. It
// answers errSessionEnded for a revoked, unknown or other user's session and for a closed account.
func (s *Store) SessionUser(ctx context.Context, userID uint64, sessionID string) (*User, error) {
	l := &s.sessionLookups
	w := &sessionWait{userID: userID, sid: sessionID, done: make(chan struct{})}
	l.mu.Lock()
	l.queue = append(l.queue, w)
	if l.busy < sessionLanes {
		l.busy++
		batch := l.takeLocked()
		l.mu.Unlock()
		s.lookupSessions(batch)
		s.nextSessionBatch()
	} else {
		l.mu.Unlock()
	}
	select {
	case <-w.done:
		return w.user, w.err
	case <-ctx.Done():
		return nil, fmt.Errorf("find session user: %w", ctx.Err())
	}
}

// takeLocked removes up to sessionBatchMax waiting checks from the queue.
func (l *sessionLookups) takeLocked() []*sessionWait {
	n := min(len(l.queue), sessionBatchMax)
	batch := l.queue[:n:n]
	l.queue = l.queue[n:]
	if len(l.queue) == 0 {
		l.queue = nil
	}
	return batch
}

// nextSessionBatch is called by a lane that finished a lookup: it reads the checks that queued
// meanwhile on a goroutine of its own (their requests are waiting), or frees the lane.
func (s *Store) nextSessionBatch() {
	l := &s.sessionLookups
	l.mu.Lock()
	if len(l.queue) == 0 {
		l.busy--
		l.mu.Unlock()
		return
	}
	batch := l.takeLocked()
	l.mu.Unlock()
	go func() {
		s.lookupSessions(batch)
		s.nextSessionBatch()
	}()
}

// lookupSessions answers a batch of checks with one query: the live sessions named, joined to
// their open accounts. It runs without the requests' contexts (one giving up must not fail the
// others); the driver's timeouts bound it.
func (s *Store) lookupSessions(batch []*sessionWait) {
	sids := make([]string, 0, len(batch))
	seen := make(map[string]bool, len(batch))
	for _, w := range batch {
		if !seen[w.sid] {
			seen[w.sid] = true
			sids = append(sids, w.sid)
		}
	}
	var rows []struct {
		User      `gorm:"embedded"`
		SessionID string
	}
	err := s.rdb(context.Background()).Raw(`SELECT users.*, sessions.id AS session_id FROM sessions
		JOIN users ON users.id = sessions.user_id
		WHERE sessions.id IN ? AND sessions.revoked_at IS NULL AND users.closed_at IS NULL`, sids).Scan(&rows).Error
	live := make(map[string]*User, len(rows))
	for i := range rows {
		live[rows[i].SessionID] = &rows[i].User
	}
	for _, w := range batch {
		switch u := live[w.sid]; {
		case err != nil:
			w.err = fmt.Errorf("find session user: %w", err)
		case u == nil || u.ID != w.userID:
			w.err = errSessionEnded
		default:
			own := *u
			w.user = &own
		}
		close(w.done)
	}
}
