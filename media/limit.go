package media

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// limiter hands out decode memory (bytes) and decode slots (pictures being cleaned at once) in
// the order they were asked for: a large picture waiting at the head is not overtaken forever by
// small ones. A picture that needs more than the whole budget never asks; Clean refuses it first.
type limiter struct {
	mu            sync.Mutex
	budget, used  int64
	slots, active int
	waiters       list.List // of *waiter
}

type waiter struct {
	n     int64
	ready chan struct{} // closed when the memory and a slot are granted
}

// acquire waits up to wait (or until ctx ends) for n bytes and a slot; false when it got neither.
func (l *limiter) acquire(ctx context.Context, n int64, wait time.Duration) bool {
	l.mu.Lock()
	if l.waiters.Len() == 0 && l.fits(n) {
		l.grant(n)
		l.mu.Unlock()
		return true
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	el := l.waiters.PushBack(w)
	l.mu.Unlock()

	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-w.ready:
		return true
	case <-timer.C:
	case <-ctx.Done():
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-w.ready:
		// Granted while giving up: keep it, the caller goes ahead.
		return true
	default:
	}
	front := l.waiters.Front() == el
	l.waiters.Remove(el)
	if front {
		l.wake() // those behind may fit now that the head has left
	}
	return false
}

// release returns n bytes and a slot and lets waiters in.
func (l *limiter) release(n int64) {
	l.mu.Lock()
	l.used -= n
	l.active--
	l.wake()
	l.mu.Unlock()
}

func (l *limiter) fits(n int64) bool { return l.active < l.slots && l.used+n <= l.budget }

func (l *limiter) grant(n int64) {
	l.used += n
	l.active++
}

// wake grants waiters from the head while they fit; l.mu is held.
func (l *limiter) wake() {
	for {
		el := l.waiters.Front()
		if el == nil {
			return
		}
		w := el.Value.(*waiter)
		if !l.fits(w.n) {
			return
		}
		l.grant(w.n)
		l.waiters.Remove(el)
		close(w.ready)
	}
}
