package models

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"sync"

	"gorm.io/gorm"
)

// maxBatch bounds how many writes share one transaction.
const maxBatch = 128

// batchLanes is how many batches run at once: on MySQL their work before the events runs side
// by side on several connections, and only the chaining of each batch's events takes turns; on
// SQLite there is one writing connection.
func (s *Store) batchLanes() int {
	if s.dialect == DialectMySQL {
		return 4
	}
	return 1
}

// batcher is the group commit of hot, small writes (ballots): calls that arrive while a
// transaction is running wait and then run together in the next one, each in its own savepoint,
// so they share one commit and lock the community's event-chain head once, for the chaining of
// all their events just before the commit, instead of from each one's event to its commit.
// A call that fails rolls back to its savepoint and fails alone; the others commit. Each caller
// still returns only after its write committed (or failed), so a 2xx still means committed.
//
// Calls go to lanes by a key (for a ballot: the poll and the voter), one transaction at a time
// per lane, so that writes of the same key never run in two transactions at once: two batches
// each holding one of two voters' first ballot and waiting for the other's duplicate would be a
// deadlock that rolls back a hundred ballots.
type batcher struct {
	mu    sync.Mutex
	lanes []batchLane
}

type batchLane struct {
	queue   []*batchJob
	running bool // a goroutine is draining the queue
}

type batchJob struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
}

// txBatched runs fn in a transaction shared with the other batched writes waiting at the same
// moment in key's lane. fn must be safe to run again: a batch that loses a lock race is run
// again whole.
func (s *Store) txBatched(ctx context.Context, key uint64, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	job := &batchJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	b := &s.batch
	b.mu.Lock()
	if b.lanes == nil {
		b.lanes = make([]batchLane, s.batchLanes())
	}
	// A multiplicative hash spreads keys that differ in any bits over the lanes.
	i := int((key * 0x9E3779B97F4A7C15 >> 32) % uint64(len(b.lanes)))
	l := &b.lanes[i]
	l.queue = append(l.queue, job)
	if !l.running {
		l.running = true
		go s.runBatches(l)
	}
	b.mu.Unlock()
	// Wait for the outcome even if the caller gives up: the write may already be committing.
	return <-job.done
}

// runBatches drains a lane's queue, one transaction per batch, and stops when it is empty.
func (s *Store) runBatches(l *batchLane) {
	b := &s.batch
	for {
		b.mu.Lock()
		n := min(len(l.queue), maxBatch)
		if n == 0 {
			l.running = false
			b.mu.Unlock()
			return
		}
		jobs := l.queue[:n:n]
		l.queue = l.queue[n:]
		b.mu.Unlock()
		errs := s.runBatch(jobs)
		for i, j := range jobs {
			j.done <- errs[i]
		}
	}
}

// runBatch runs the jobs in one transaction and returns each job's outcome. A job that fails
// rolls back to its savepoint and fails alone. A lost lock race is different: MySQL has then
// rolled back the whole transaction, savepoints and all, so the whole batch is run again, every
// job from its start (each job's fn is safe to re-run, as for tx), and the events of the lost run
// are never delivered; after the last attempt every job that had not failed on its own is busy.
func (s *Store) runBatch(jobs []*batchJob) []error {
	errs := make([]error, len(jobs))
	if len(jobs) == 1 {
		errs[0] = s.tx(jobs[0].ctx, jobs[0].fn)
		return errs
	}
	var err error
	for attempt := 1; attempt <= maxTxAttempts; attempt++ {
		if attempt > 1 {
			// The jobs' callers are waiting for their outcome whatever their contexts say.
			_ = retryPause(context.Background(), attempt)
		}
		clear(errs)
		if err := s.refuseWhileDown(); err != nil { // docs/operations.md "Database outages"
			for i := range errs {
				errs[i] = err
			}
			return errs
		}
		race := &lockRace{}
		t := &Tx{store: s, now: s.now(), deferEvents: true}
		err = s.write.WithContext(race.bind(context.Background())).Transaction(func(db *gorm.DB) error {
			t.DB = db
			for i, j := range jobs {
				if err := j.ctx.Err(); err != nil {
					errs[i] = err
					continue
				}
				t.DB = db.WithContext(race.bind(j.ctx))
				mark, tallyMark := len(t.pending), len(t.tallies)
				sp := fmt.Sprintf("yyt_b%d", i)
				if err := db.SavePoint(sp).Error; err != nil {
					return fmt.Errorf("savepoint: %w", race.outcome(err))
				}
				err := race.outcome(j.fn(t))
				if err == nil {
					continue
				}
				if retryable(err) {
					return err
				}
				if rerr := db.RollbackTo(sp).Error; rerr != nil {
					return fmt.Errorf("rollback to savepoint: %w", race.outcome(rerr))
				}
				t.pending, t.tallies = t.pending[:mark], t.tallies[:tallyMark]
				errs[i] = err
			}
			t.DB = db
			t.deferEvents = false
			if err := applyTallies(t, mrand.IntN(tallyShards), t.tallies); err != nil {
				return err
			}
			if len(t.pending) > 0 {
				if _, err := t.appendEvents(t.pending); err != nil {
					return err
				}
			}
			return race.outcome(nil)
		})
		if err == nil {
			if s.AfterCommit != nil && len(t.events) > 0 {
				s.AfterCommit(t.events)
			}
			return errs
		}
		if !retryable(err) {
			break
		}
		s.lostRaces.Add(1)
		err = busy(err)
	}
	for i := range errs {
		if errs[i] == nil {
			errs[i] = err
		}
	}
	return errs
}
