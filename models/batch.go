package models

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync"

	mysqldrv "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// maxBatch bounds how many writes share one transaction.
const maxBatch = 128

// batcher is the group commit of hot, small writes (ballots): calls that arrive while a
// transaction is running wait and then run together in the next one, each in its own savepoint,
// so they share one commit and lock the community's event-chain head once, for the chaining of
// all their events just before the commit, instead of from each one's event to its commit.
// A call that fails rolls back to its savepoint and fails alone; the others commit. Each caller
// still returns only after its write committed (or failed), so a 2xx still means committed.
//
// One batch runs at a time per process, on MySQL as on SQLite (one writing connection there), so
// a voter's copies of a ballot never sit in two of its open transactions waiting for each other.
// MySQL ran two queues side by side (by poll and voter), so that one batch's work before its
// events would overlap the other's chaining and commit; since a batch of ballots reads everything
// in a few statements and locks only its polls (poll_ballot_batch.go), one queue makes batches
// twice as large, each with the same statements and one commit, and nothing waits at the
// event-chain head. Measured with BenchmarkBallotFloors on MariaDB, one queue and two run one
// after the other at the same load, three rounds each (docs/architecture.md "Group commit"):
// named 3,749–3,919 against 2,918–3,760 ballots/s, secret 2,972–3,826 against 2,883–3,175;
// earlier, 4 or 8 queues were slower than 2.
type batcher struct {
	mu      sync.Mutex
	queue   []*batchJob
	running bool // a goroutine is draining the queue
	// held queues calls without running them, until a test lets them go (export_test.go).
	held bool
}

type batchJob struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
	// ballot, when set, is the ballot fn casts: a batch of ballots only is first run as one
	// (castHeld, poll_ballot_batch.go), with fn as the way back for each.
	ballot *ballotJob
}

// txBatched runs fn in a transaction shared with the other batched writes waiting at the same
// moment. fn must be safe to run again: a batch that loses a lock race is run again whole.
func (s *Store) txBatched(ctx context.Context, fn func(tx *Tx) error) error {
	return s.txBatchedJob(ctx, nil, fn)
}

// txBatchedJob is txBatched for a ballot (bj, cast by fn).
func (s *Store) txBatchedJob(ctx context.Context, bj *ballotJob, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	job := &batchJob{ctx: ctx, fn: fn, done: make(chan error, 1), ballot: bj}
	b := &s.batch
	b.mu.Lock()
	b.queue = append(b.queue, job)
	if !b.running && !b.held {
		b.running = true
		go s.runBatches()
	}
	b.mu.Unlock()
	// Wait for the outcome even if the caller gives up: the write may already be committing.
	return <-job.done
}

// runBatches drains the queue, one transaction per batch, and stops when it is empty.
func (s *Store) runBatches() {
	b := &s.batch
	for {
		b.mu.Lock()
		n := min(len(b.queue), maxBatch)
		if n == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		jobs := b.queue[:n:n]
		b.queue = b.queue[n:]
		b.mu.Unlock()
		errs := s.runBatch(jobs)
		for i, j := range jobs {
			j.done <- errs[i]
		}
	}
}

// runBatch runs the jobs in one transaction and returns each job's outcome. A job that fails
// fails alone; the others commit. A batch of ballots only is first run as one (castHeld): every
// ballot checked, then their receipts and named ballots written in a few multi-row statements,
// no savepoints. When that cannot decide a ballot the way a ballot alone would — a receipt made
// meanwhile by another transaction, a database error — the run is rolled back and the batch is
// run the general way: each job in its own savepoint, where a job that fails rolls back to it.
func (s *Store) runBatch(jobs []*batchJob) []error {
	errs := make([]error, len(jobs))
	if len(jobs) == 1 {
		errs[0] = s.tx(jobs[0].ctx, jobs[0].fn)
		return errs
	}
	if allBallots(jobs) {
		err := s.runBatchTx(jobs, errs, s.castHeld, true)
		if err == nil || isBusy(err) {
			return fillErrs(errs, err)
		}
		s.heldFallbacks.Add(1)
	}
	return fillErrs(errs, s.runBatchTx(jobs, errs, runEachSaved, false))
}

func allBallots(jobs []*batchJob) bool {
	for _, j := range jobs {
		if j.ballot == nil {
			return false
		}
	}
	return true
}

// fillErrs gives err to every job that had not failed on its own.
func fillErrs(errs []error, err error) []error {
	if err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	return errs
}

func isBusy(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == EUNAVAILABLE
}

// batchBody runs a batch's jobs in t (deferring their events and tallies), setting errs[i] for
// each job that fails alone; an error it returns fails the run.
type batchBody func(t *Tx, db *gorm.DB, race *lockRace, jobs []*batchJob, errs []error) error

// runBatchTx runs body in one transaction, then the batch's tallies and events, and commits. A
// lost lock race is different from a failing job: MySQL has then rolled back the whole
// transaction, savepoints and all, so the whole batch is run again, every job from its start
// (each job's fn is safe to re-run, as for tx), and the events of the lost run are never
// delivered; after the last attempt the answer is busy.
//
// pinned (a batch of ballots cast together): on MySQL the batch begins and commits its
// transaction itself, with its first and last queries (batch_pinned.go).
func (s *Store) runBatchTx(jobs []*batchJob, errs []error, body batchBody, pinned bool) error {
	var err error
	for attempt := 1; attempt <= maxTxAttempts; attempt++ {
		if attempt > 1 {
			// The jobs' callers are waiting for their outcome whatever their contexts say.
			_ = retryPause(context.Background(), attempt)
		}
		clear(errs)
		if err := s.refuseWhileDown(); err != nil { // docs/operations.md "Database outages"
			return err
		}
		race := &lockRace{}
		t := &Tx{store: s, now: s.now(), deferEvents: true, together: s.batchW != nil}
		run := func(db *gorm.DB) error {
			t.DB = db
			if err := body(t, db, race, jobs, errs); err != nil {
				return race.outcome(err)
			}
			t.DB = db
			t.deferEvents = false
			if err := t.finishBatch(mrand.IntN(tallyShards)); err != nil {
				return race.outcome(err)
			}
			if t.committed {
				return nil
			}
			return race.outcome(nil)
		}
		ctx := race.bind(context.Background())
		if pinned && s.batchW != nil && s.consecutiveIDs {
			err = s.inPinnedTx(ctx, t, run)
		} else {
			err = s.batchHandle().WithContext(ctx).Transaction(run)
		}
		if err == nil {
			if s.AfterCommit != nil && len(t.events) > 0 {
				s.AfterCommit(t.events)
			}
			return nil
		}
		s.forgetHeads(t.events)
		if !retryable(err) {
			return err
		}
		s.lostRaces.Add(1)
		err = busy(err)
	}
	return err
}

// runEachSaved runs each job in its own savepoint: a job that fails rolls back to it and fails
// alone.
func runEachSaved(t *Tx, db *gorm.DB, race *lockRace, jobs []*batchJob, errs []error) error {
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
	return nil
}

// heldStmt is a statement with its values, kept to be sent later.
type heldStmt struct {
	sql  string
	args []any
}

// placeholders is "(?, …), (?, …)": n rows of cols values.
func placeholders(cols, n int) string {
	row := "(" + strings.Repeat("?, ", cols-1) + "?)"
	return strings.Repeat(row+", ", n-1) + row
}

// finishBatch writes what a batch kept for its end: the rows its ballots held (flush), the
// summed tally changes, and its events chained after the community's head. On MySQL's batch
// handle (Tx.together) these go in one query, several statements in one round trip — a batch is
// latency-bound, one batch at a time, and each round trip also waits for the server's and this
// process's schedulers under load — with the events chained after the head the store's last
// commit left: the head row is moved only if it is still there and the events inserted after
// it, so the query's insert id for that statement is theirs. A head moved meanwhile by another
// server leaves the update without a row and makes the events' insert a duplicate of that
// server's; a duplicate among the held rows is a receipt or ballot written meanwhile. Either way
// the run is rolled back: with held rows the batch is cast again one ballot at a time
// (errHeldFallback), without them it is run again (a lost race); the head is then read under its
// lock. Without a known head, or with events of several communities, the events are chained the
// usual way, after the query, or before it when the query commits the batch's own transaction
// (Tx.closing, batch_pinned.go), which then ends with COMMIT. Elsewhere (SQLite) each statement is
// sent on its own.
func (t *Tx) finishBatch(shard int) error {
	if !t.together {
		if err := applyTallies(t, shard, t.tallies); err != nil {
			return err
		}
		return t.appendPending()
	}
	q, heldRows := t.held, len(t.held) > 0
	t.held = nil
	if st, ok := tallyStmt(shard, t.tallies); ok {
		q = append(q, st)
	}
	var evs []Event
	if len(t.pending) > 0 && oneCommunity(t.pending) {
		cid := t.pending[0].CommunityID
		if h, ok := t.store.knownHead(cid); ok {
			var err error
			if evs, err = t.chain(cid, h, t.pending); err != nil {
				return err
			}
			last := evs[len(evs)-1]
			q = append(q, heldStmt{sql: "UPDATE event_heads SET seq = ?, hash = ? WHERE community_id = ? AND seq = ?",
				args: []any{last.Seq, last.Hash, cid, h.Seq}}, eventsStmt(evs))
		}
	}
	if evs == nil && t.closing {
		// Events the query cannot chain are chained now, before the query that commits.
		if err := t.appendPending(); err != nil {
			return err
		}
	}
	evIdx := len(q) - 1 // the events' insert, when evs
	if t.closing {
		q = append(q, heldStmt{sql: "COMMIT"})
	}
	if len(q) == 0 {
		return t.appendPending()
	}
	sqls := make([]string, len(q))
	var args []any
	for i, st := range q {
		sqls[i] = st.sql
		args = append(args, st.args...)
	}
	var first int64
	var err error
	if t.closing {
		var res mysqldrv.Result
		if res, err = execPinned(t.DB, strings.Join(sqls, "; "), args); err == nil {
			t.committed = true
			if ids := res.AllLastInsertIds(); evs != nil && evIdx < len(ids) {
				first = ids[evIdx]
			}
		}
	} else {
		res := gorm.WithResult()
		if err = t.Clauses(res).Exec(strings.Join(sqls, "; "), args...).Error; err == nil && evs != nil {
			first, err = res.Result.LastInsertId()
		}
	}
	if err != nil {
		switch {
		case !isDuplicate(err):
			return fmt.Errorf("finish batch: %w", err)
		case evs != nil:
			t.store.forgetHead(evs[0].CommunityID)
		}
		if heldRows {
			return errHeldFallback
		}
		return fmt.Errorf("chain events after a head moved meanwhile: %w", errLockRaceLost)
	}
	if evs == nil {
		if t.closing {
			return nil // chained before the query
		}
		return t.appendPending()
	}
	if err := eventIDs(t, evs, uint64(first)); err != nil {
		return err
	}
	t.store.noteHeads(evs)
	t.events = append(t.events, evs...)
	return nil
}

// appendPending chains the held events the usual way.
func (t *Tx) appendPending() error {
	if len(t.pending) == 0 {
		return nil
	}
	_, err := t.appendEvents(t.pending)
	return err
}

// oneCommunity reports whether the events are all of one community.
func oneCommunity(ins []EventInput) bool {
	for _, in := range ins[1:] {
		if in.CommunityID != ins[0].CommunityID {
			return false
		}
	}
	return true
}
