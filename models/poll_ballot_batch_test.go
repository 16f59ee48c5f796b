package models_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/models/tally"
)

// castCall is one CastBallot of a batch and the outcome it must have.
type castCall struct {
	name     string
	voter    models.Actor
	choice   string
	wantCode string // "" for success
	wantWhy  string
	created  bool
	changes  int
}

// castTogether puts the calls in one group-commit batch (held until all are queued),
// in their order, and checks each one's outcome.
func castTogether(t *testing.T, s *models.Store, pollID uint64, calls []castCall) {
	t.Helper()
	queued, release := s.HoldBatches()
	ctx := context.Background()
	outs := make([]*models.MyBallot, len(calls))
	errs := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = s.CastBallot(ctx, c.voter, pollID, tally.Ballot{Choice: c.choice})
		}()
		for deadline := time.Now().Add(20 * time.Second); queued() < i+1; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				release()
				wg.Wait()
				t.Fatalf("call %d did not reach the batch: %v", i, errs[i])
			}
		}
	}
	release()
	wg.Wait()
	for i, c := range calls {
		if c.wantCode == "" {
			if errs[i] != nil {
				t.Errorf("%s: %v", c.name, errs[i])
				continue
			}
			if outs[i].Created != c.created || outs[i].Changes != c.changes {
				t.Errorf("%s: created=%v changes=%d, want %v, %d", c.name, outs[i].Created, outs[i].Changes, c.created, c.changes)
			}
			continue
		}
		if gotCode, gotWhy := code(errs[i]); gotCode != c.wantCode || gotWhy != c.wantWhy {
			t.Errorf("%s: %v (%s %s), want %s %s", c.name, errs[i], gotCode, gotWhy, c.wantCode, c.wantWhy)
		}
	}
}

// countEvents counts a poll's events of a type.
func countEvents(t *testing.T, s *models.Store, pollID uint64, typ string) int64 {
	t.Helper()
	var n int64
	if err := s.Gorm().Model(&models.Event{}).Where("subject_type = 'poll' AND subject_id = ? AND type = ?", pollID, typ).
		Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBallotBatch_RefusedFailAlone: ballots in one batch of the group commit are each decided as
// if alone — a voter's copies make one receipt, a change and a repeat of a ballot in the same
// batch and of one cast earlier count as such, an invalid ballot (422) and a caller who may not
// vote (403) fail alone and write nothing — and the others commit, in the batch cast together
// (no batch run again one ballot at a time). Then a receipt that appears after the batch read
// the receipts (as one made meanwhile by another transaction would) sends the batch back to one
// savepoint a ballot, with the same outcomes. Named and secret polls, on SQLite and MariaDB.
func TestBallotBatch_RefusedFailAlone(t *testing.T) {
	t.Parallel()
	pw := mustPollWorld(t, 10)
	s, ctx, r := pw.s, context.Background(), pw.residents
	for _, secrecy := range []string{models.SecrecyNamed, models.SecrecySecret} {
		t.Run(secrecy, func(t *testing.T) {
			p, err := s.CreateMeetingPoll(ctx, pw.facilitator, pw.meeting.ID, models.PollInput{Title: "加装电梯" + secrecy, Method: "approval",
				Eligibility: models.EligibleMembers, Weight: models.WeightPerson, Secrecy: secrecy, ResultsVisibility: models.ResultsAfterClose})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.OpenPoll(ctx, pw.facilitator, p.ID); err != nil {
				t.Fatal(err)
			}
			// r[9] voted before the batch.
			if _, err := s.CastBallot(ctx, r[9], p.ID, tally.Ballot{Choice: "no"}); err != nil {
				t.Fatal(err)
			}
			named := secrecy == models.SecrecyNamed
			again := func(name string, v models.Actor, choice string, changes int) castCall {
				if named {
					return castCall{name: name, voter: v, choice: choice, changes: changes}
				}
				return castCall{name: name, voter: v, choice: choice, wantCode: models.ECONFLICT, wantWhy: "already_voted"}
			}
			fallbacks := s.HeldFallbacks()
			castTogether(t, s, p.ID, []castCall{
				{name: "r0", voter: r[0], choice: "yes", created: true},
				{name: "r1", voter: r[1], choice: "no", created: true},
				{name: "r2 invalid", voter: r[2], choice: "maybe", wantCode: models.EINVALID, wantWhy: "invalid_input"},
				{name: "superadmin, no member", voter: pw.super, choice: "yes", wantCode: models.EFORBIDDEN, wantWhy: "not_eligible"},
				again("r0 changes", r[0], "no", 1),
				again("r1 repeats", r[1], "no", 0),
				again("r9 changes its earlier ballot", r[9], "abstain", 1),
				{name: "r3", voter: r[3], choice: "abstain", created: true},
			})
			if got := s.HeldFallbacks() - fallbacks; got != 0 {
				t.Fatalf("%d batches run again one ballot at a time, want the batch cast together", got)
			}
			// A receipt of r5 appears just before the batch writes its rows: it is cast again one
			// savepoint a ballot, which sees r5 as a voter who had voted.
			s.BeforeHeldFlush(func(tx *models.Tx) {
				if err := models.AddReceipt(tx, p.ID, r[5].UserID); err != nil {
					t.Error(err)
				}
			})
			castTogether(t, s, p.ID, []castCall{
				{name: "r4", voter: r[4], choice: "yes", created: true},
				{name: "r5", voter: r[5], choice: "yes", created: true},
				{name: "r6 invalid", voter: r[6], choice: "", wantCode: models.EINVALID, wantWhy: "invalid_input"},
				again("r4 repeats", r[4], "yes", 0),
			})
			s.BeforeHeldFlush(nil)
			if got := s.HeldFallbacks() - fallbacks; got != 1 {
				t.Fatalf("%d batches run again one ballot at a time, want 1", got)
			}
			wantChanged := int64(0)
			if named {
				wantChanged = 4
				// The batch reads r9's named ballot without a lock; when another transaction changes
				// it before the batch writes, the batch must not write over that change: it is cast
				// again one savepoint a ballot, which reads the row under a lock.
				s.BeforeHeldFlush(func(tx *models.Tx) {
					if err := models.ChangeNamedBallot(tx, p.ID, r[9].UserID); err != nil {
						t.Error(err)
					}
				})
				castTogether(t, s, p.ID, []castCall{
					again("r9 changes back", r[9], "no", 2),
					again("r1 repeats once more", r[1], "no", 0),
				})
				s.BeforeHeldFlush(nil)
				if got := s.HeldFallbacks() - fallbacks; got != 2 {
					t.Fatalf("%d batches run again one ballot at a time, want 2", got)
				}
				castTogether(t, s, p.ID, []castCall{
					again("r9 changes to abstain again", r[9], "abstain", 3),
					again("r0 repeats", r[0], "no", 1),
				})
				if got := s.HeldFallbacks() - fallbacks; got != 2 {
					t.Fatalf("%d batches run again one ballot at a time, want 2 (no change meanwhile)", got)
				}
			}
			if n := countEvents(t, s, p.ID, "poll.ballot_cast"); n != 6 {
				t.Errorf("%d ballot_cast events, want 6 (r9, r0, r1, r3, r4, r5 and no other)", n)
			}
			if n := countEvents(t, s, p.ID, "poll.ballot_changed"); n != wantChanged {
				t.Errorf("%d ballot_changed events, want %d", n, wantChanged)
			}
			if _, err := s.ClosePoll(ctx, pw.facilitator, p.ID); err != nil {
				t.Fatal(err)
			}
			res, err := s.PollResults(ctx, pw.facilitator, p.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			if res.Voters != 6 || res.Recount == nil || !res.Recount.Matches || res.Recount.Receipts != 6 {
				t.Fatalf("voters=%d recount=%+v, want 6 voters and a recount that matches", res.Voters, res.Recount)
			}
			if named {
				// r0 changed to no, r1 no, r3 abstain, r4 yes, r5 yes, r9 changed to abstain.
				want := map[string]int64{"yes": 2, "no": 2, "abstain": 2}
				for _, o := range res.Recount.Result.Options {
					if o.Supporters != want[o.Key] {
						t.Errorf("option %s: %d supporters, want %d", o.Key, o.Supporters, want[o.Key])
					}
				}
			}
			v, err := s.VerifyChain(ctx, pw.c.ID)
			if err != nil || !v.OK {
				t.Fatalf("chain: %+v, %v", v, err)
			}
		})
	}
}

// TestBallotBatch_HeadMovedElsewhere: another server chains an event in the community between
// two batches, so the head this store noted is stale when its next batch chains its events. On
// MySQL a batch sends its rows, tallies and events in one query after the noted head; there the
// stale head makes the events' insert a duplicate, and the batch is cast again one ballot at a
// time (a batch of ballots) or run again (any other batch), reading the head under its lock.
// Every ballot counts once, and the chain stays whole.
func TestBallotBatch_HeadMovedElsewhere(t *testing.T) {
	t.Parallel()
	pw := mustPollWorld(t, 8)
	s, ctx, r := pw.s, context.Background(), pw.residents
	mysql := s.Dialect() == models.DialectMySQL
	p, err := s.CreateMeetingPoll(ctx, pw.facilitator, pw.meeting.ID, models.PollInput{Title: "加装电梯", Method: "approval",
		Eligibility: models.EligibleMembers, Weight: models.WeightPerson, Secrecy: models.SecrecyNamed, ResultsVisibility: models.ResultsAfterClose})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenPoll(ctx, pw.facilitator, p.ID); err != nil {
		t.Fatal(err)
	}
	cast := func(a, b int) {
		t.Helper()
		castTogether(t, s, p.ID, []castCall{
			{name: fmt.Sprintf("r%d", a), voter: r[a], choice: "yes", created: true},
			{name: fmt.Sprintf("r%d", b), voter: r[b], choice: "no", created: true},
		})
	}
	// Every event handed on after a commit carries the id its row got.
	var mu sync.Mutex
	delivered := map[uint64]uint64{} // seq → id
	s.AfterCommit = func(evs []models.Event) {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range evs {
			if e.CommunityID == pw.c.ID {
				delivered[e.Seq] = e.ID
			}
		}
	}
	fallbacks, lost := s.HeldFallbacks(), s.LostLockRaces()
	cast(0, 1)
	if err := s.AppendAsAnotherServer(ctx, pw.c.ID); err != nil {
		t.Fatal(err)
	}
	cast(2, 3)
	want := int64(0)
	if mysql {
		want = 1
	}
	if got := s.HeldFallbacks() - fallbacks; got != want {
		t.Fatalf("%d batches of ballots cast again one at a time after the head moved, want %d", got, want)
	}
	cast(4, 5) // the head is known again
	if got := s.HeldFallbacks() - fallbacks; got != want {
		t.Fatalf("%d batches of ballots cast again one at a time, want %d (the head was read again)", got, want)
	}
	// Any other batch is run again.
	if err := s.AppendAsAnotherServer(ctx, pw.c.ID); err != nil {
		t.Fatal(err)
	}
	queued, release := s.HoldBatches()
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.TxBatched(ctx, func(tx *models.Tx) error {
				_, err := tx.AppendEvent(models.EventInput{CommunityID: pw.c.ID, Type: "test.batched", SubjectType: "community", SubjectID: uint64(i)})
				return err
			})
		}()
	}
	for deadline := time.Now().Add(20 * time.Second); queued() < len(errs) && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
	}
	release()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("batched append %d: %v", i, err)
		}
	}
	if got := s.LostLockRaces() - lost; got != want {
		t.Fatalf("%d batch runs run again after the head moved, want %d", got, want)
	}
	if n := countEvents(t, s, p.ID, "poll.ballot_cast"); n != 6 {
		t.Errorf("%d ballot_cast events, want 6", n)
	}
	if _, err := s.ClosePoll(ctx, pw.facilitator, p.ID); err != nil {
		t.Fatal(err)
	}
	res, err := s.PollResults(ctx, pw.facilitator, p.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Voters != 6 || res.Recount == nil || !res.Recount.Matches {
		t.Fatalf("voters=%d recount=%+v, want 6 voters and a recount that matches", res.Voters, res.Recount)
	}
	v, err := s.VerifyChain(ctx, pw.c.ID)
	if err != nil || !v.OK {
		t.Fatalf("chain: %+v, %v", v, err)
	}
	var rows []struct{ ID, Seq uint64 }
	if err := s.Gorm().Table("events").Where("community_id = ?", pw.c.ID).Select("id, seq").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(delivered) < 8 {
		t.Fatalf("%d events handed on after their commits, want the 6 ballots', the 2 batched ones and the close's", len(delivered))
	}
	for _, r := range rows {
		if id, ok := delivered[r.Seq]; ok && id != r.ID {
			t.Errorf("event %d handed on with id %d, stored with id %d", r.Seq, id, r.ID)
		}
	}
}
