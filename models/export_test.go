package models

import (
	"context"

	"gorm.io/gorm"
)

// TxBatched lets the external tests drive the group commit directly.
func (s *Store) TxBatched(ctx context.Context, fn func(tx *Tx) error) error {
	return s.txBatched(ctx, fn)
}

// HoldBatches makes the group commit queue its calls without running them until release, so
// that a test can put known calls in one batch; queued says how many wait.
func (s *Store) HoldBatches() (queued func() int, release func()) {
	b := &s.batch
	b.mu.Lock()
	b.held = true
	b.mu.Unlock()
	queued = func() int {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.queue)
	}
	release = func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.held = false
		if len(b.queue) > 0 && !b.running {
			b.running = true
			go s.runBatches()
		}
	}
	return queued, release
}

// BeforeHeldFlush sets a function run in a batch of ballots cast together just before it writes
// their rows.
func (s *Store) BeforeHeldFlush(fn func(tx *Tx)) { s.beforeHeldFlush = fn }

// AddReceipt makes a voter's receipt in tx, as another transaction would have.
func AddReceipt(tx *Tx, pollID, key uint64) error {
	return tx.Create(&pollReceipt{PollID: pollID, VoterKey: key, UserID: key}).Error
}

// ChangeNamedBallot counts one more change on a voter's named ballot in tx, as a change made
// meanwhile by another transaction (another server's batch) would have.
func ChangeNamedBallot(tx *Tx, pollID, key uint64) error {
	return tx.Model(&namedBallot{}).Where("poll_id = ? AND voter_key = ?", pollID, key).
		Update("changes", gorm.Expr("changes + 1")).Error
}

// AppendAsAnotherServer chains an event in the community as another server on the same
// database would: the chain's head moves, and this store's note of the head stays where it was.
func (s *Store) AppendAsAnotherServer(ctx context.Context, cid uint64) error {
	before, had := s.knownHead(cid)
	err := s.tx(ctx, func(tx *Tx) error {
		_, err := tx.appendEvent(EventInput{CommunityID: cid, Type: "test.elsewhere", SubjectType: "community", SubjectID: cid})
		return err
	})
	s.heads.mu.Lock()
	defer s.heads.mu.Unlock()
	if had {
		s.heads.m[cid] = before
	} else {
		delete(s.heads.m, cid)
	}
	return err
}
