package models

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// Ballots cast together. A batch of the group commit (batch.go) that holds only ballots is run
// as one: every ballot is checked against its poll (which writes nothing), the receipts and
// named ballots its voters have already are read in one query a poll, each ballot is then
// decided in the order it came exactly as it would be alone — against the rows held by the
// batch, so that a voter's copies sent at once make one receipt — and the batch's new receipts
// and named ballots are written in one multi-row statement each. Per ballot that is no
// statement and no savepoint; a ballot refused (not eligible, poll closed, invalid, already
// voted) has written nothing and fails alone. When the rows in the database turn out other than
// read — a receipt made meanwhile by another transaction (a household member's ballot cast
// through another server) — or a statement fails, castHeld gives up (errHeldFallback) and the batch
// is run again one savepoint a ballot, which decides each ballot against the database itself.

// errHeldFallback: the batch cannot be cast together; run it one ballot at a time.
var errHeldFallback = errors.New("ballots cannot be cast together")

// castHeld is the batchBody of a batch of ballots.
func (s *Store) castHeld(t *Tx, db *gorm.DB, race *lockRace, jobs []*batchJob, errs []error) error {
	if err := preloadVoters(t, jobs); err != nil {
		return err
	}
	if err := t.beginNow(); err != nil { // a batch whose polls were not read (batch_pinned.go)
		return err
	}
	plans := make([]*ballotPlan, len(jobs))
	for i, j := range jobs {
		if err := j.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		plan, err := j.ballot.check(t)
		if err != nil {
			if !refusal(err) {
				return err
			}
			errs[i] = err
			continue
		}
		plans[i] = plan
	}
	rows := &heldBallotRows{}
	if err := rows.load(t, plans); err != nil {
		return err
	}
	for i, j := range jobs {
		if plans[i] == nil {
			continue
		}
		mark, tallyMark, writes := len(t.pending), len(t.tallies), rows.writes
		err := j.ballot.apply(t, rows, plans[i])
		if err == nil {
			continue
		}
		if !refusal(err) || rows.writes != writes {
			return err
		}
		t.pending, t.tallies = t.pending[:mark], t.tallies[:tallyMark]
		errs[i] = err
	}
	if s.beforeHeldFlush != nil {
		s.beforeHeldFlush(t)
	}
	return rows.flush(t)
}

// preloadVoters reads, for each poll of the batch, the poll (share-locked), its place and the
// standing of all the batch's voters in it, so that checking each ballot reads nothing more. A
// poll that cannot be read is left to each ballot's check to answer.
func preloadVoters(t *Tx, jobs []*batchJob) error {
	users := map[uint64][]uint64{}
	var polls []uint64
	for _, j := range jobs {
		id := j.ballot.pollID
		if _, ok := users[id]; !ok {
			polls = append(polls, id)
		}
		if !slices.Contains(users[id], j.ballot.a.UserID) {
			users[id] = append(users[id], j.ballot.a.UserID)
		}
	}
	for _, id := range polls {
		if t.together {
			if err := sharePollVoters(t, id, users[id]); err != nil {
				return err
			}
			continue
		}
		p, err := t.sharePoll(id)
		if err != nil {
			if refusal(err) {
				continue
			}
			return err
		}
		if err := preloadPoll(t, p, users[id]); err != nil {
			return err
		}
	}
	return nil
}

// preloadPoll reads, in one query, the state of a poll's cycle and meeting, the standing of the
// users in its community (as loadVoterFacts), whether each one's voter key — the user, or their
// household for household weight — has a receipt (as heldBallotRows.load would) and, in a named
// poll, the key's named ballot, and keeps them in t. Nothing is locked but the poll (by
// sharePoll): a named ballot sent again unchanged is answered from this read, which is a
// committed state of the poll while it is open; a change is written only if the row is still as
// read (heldBallotRows.flush).
func preloadPoll(t *Tx, p *Poll, userIDs []uint64) error {
	var rows []voterFactRow
	if err := t.Raw(votersSQL, votersArgs(p.ID, userIDs)...).Scan(&rows).Error; err != nil {
		return fmt.Errorf("read voters of poll %d: %w", p.ID, err)
	}
	keepVoterFacts(t, p, userIDs, rows)
	return readOwnersOf(t, p, rows)
}

// votersSQL reads the standing of some users in a poll (votersArgs): its cycle's phase and
// compound and its meeting's status, and each user's membership, verification, home, sign-in to
// the meeting, whether their voter key — the user, or their household in a poll weighted by
// household — has a receipt and, in a named poll, the key's named ballot. The poll's place,
// community, voter key and secrecy come from the poll row itself, so the read can go in one query
// with the poll's share-locked read (sharePollVoters). Its columns are voterFactRow's, in order.
const votersSQL = `SELECT c.phase, c.compound_id AS cycle_compound_id, mt.status AS meeting_status,
	m.user_id, m.id AS membership_id, m.verified_at, m.household_id, m.compound_id,
	(SELECT COUNT(*) FROM attendances a WHERE a.meeting_id = p.meeting_id AND a.user_id = m.user_id) AS attended,
	(SELECT COUNT(*) FROM poll_receipts r WHERE r.poll_id = p.id AND r.voter_key =
		CASE WHEN p.weight = ? AND p.eligibility <> ? THEN m.household_id ELSE m.user_id END) AS voted,
	nb.id AS nb_id, nb.user_id AS nb_user_id, nb.choice AS nb_choice, nb.area AS nb_area,
	nb.changes AS nb_changes, nb.created_at AS nb_created_at, nb.updated_at AS nb_updated_at
	FROM polls p
	JOIN cycles c ON c.id = p.cycle_id
	LEFT JOIN meetings mt ON mt.id = p.meeting_id
	LEFT JOIN memberships m ON m.community_id = p.community_id AND m.user_id IN ?
	LEFT JOIN poll_named_ballots nb ON p.secrecy = ? AND nb.poll_id = p.id AND nb.voter_key =
		CASE WHEN p.weight = ? AND p.eligibility <> ? THEN m.household_id ELSE m.user_id END
	WHERE p.id = ?`

// votersArgs are votersSQL's values for a poll and its users.
func votersArgs(pollID uint64, userIDs []uint64) []any {
	return []any{WeightHousehold, EligibleOwners, userIDs, SecrecyNamed, WeightHousehold, EligibleOwners, pollID}
}

// byHousehold: the poll's voter key is the household (one ballot a household), not the user.
func byHousehold(p *Poll) bool { return p.Weight == WeightHousehold && p.Eligibility != EligibleOwners }

// sharePollVoters is sharePoll and preloadPoll in one round trip, on MySQL's batch handle
// (Tx.together): the poll's share-locked read and the read of its voters (votersSQL, which reads
// the poll row the first has just locked) go in one query.
func sharePollVoters(t *Tx, id uint64, userIDs []uint64) error {
	args := append([]any{id}, votersArgs(id, userIDs)...)
	rows, err := t.Raw(t.begin()+sharedPollSQL(t.store.dialect)+"; "+votersSQL, args...).Rows()
	if err != nil {
		return fmt.Errorf("read poll %d and its voters: %w", id, err)
	}
	defer rows.Close()
	var polls []sharedPollRow
	for rows.Next() {
		var r sharedPollRow
		if err := rows.Scan(r.scanDest()...); err != nil {
			return fmt.Errorf("read poll %d: %w", id, err)
		}
		polls = append(polls, r)
	}
	var facts []voterFactRow
	if rows.NextResultSet() {
		for rows.Next() {
			var r voterFactRow
			if err := rows.Scan(r.scanDest()...); err != nil {
				return fmt.Errorf("read voters of poll %d: %w", id, err)
			}
			facts = append(facts, r)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read poll %d and its voters: %w", id, err)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("read poll %d and its voters: %w", id, err)
	}
	if len(polls) == 0 {
		return nil // no poll: each ballot's check answers
	}
	p := pollOfRows(polls)
	if t.polls == nil {
		t.polls = map[uint64]*Poll{}
	}
	t.polls[id] = p
	keepVoterFacts(t, p, userIDs, facts)
	return readOwnersOf(t, p, facts)
}

// voterFactRow is a row of the read of a poll's voters: its cycle and meeting, and one user's
// membership, sign-in, receipt and named ballot.
type voterFactRow struct {
	Phase           string
	CycleCompoundID uint64
	MeetingStatus   *string
	UserID          *uint64
	MembershipID    *uint64
	VerifiedAt      *time.Time
	HouseholdID     *uint64
	CompoundID      *uint64
	Attended        int64
	Voted           int64
	NbID            *uint64
	NbUserID        *uint64
	NbChoice        *string
	NbArea          *int64
	NbChanges       *int
	NbCreatedAt     *time.Time
	NbUpdatedAt     *time.Time
}

func (r *voterFactRow) scanDest() []any {
	return []any{&r.Phase, &r.CycleCompoundID, &r.MeetingStatus, &r.UserID, &r.MembershipID, &r.VerifiedAt, &r.HouseholdID,
		&r.CompoundID, &r.Attended, &r.Voted, &r.NbID, &r.NbUserID, &r.NbChoice, &r.NbArea, &r.NbChanges, &r.NbCreatedAt, &r.NbUpdatedAt}
}

// keepVoterFacts keeps in t what the read of a poll's voters says: the poll's place, each user's
// standing, whether their voter key has a receipt and, in a named poll, its ballot.
func keepVoterFacts(t *Tx, p *Poll, userIDs []uint64, rows []voterFactRow) {
	if len(rows) == 0 {
		return // no cycle: each ballot's check answers
	}
	pl := &pollPlace{Phase: rows[0].Phase, CompoundID: rows[0].CycleCompoundID, MeetingStatus: rows[0].MeetingStatus}
	if t.places == nil {
		t.places = map[uint64]*pollPlace{}
	}
	t.places[p.ID] = pl
	if t.facts == nil {
		t.facts = map[heldKey]*ballotFacts{}
	}
	if t.voted == nil {
		t.voted = map[heldKey]bool{}
	}
	for _, id := range userIDs {
		t.facts[heldKey{p.ID, id}] = &ballotFacts{Phase: pl.Phase, CycleCompoundID: pl.CompoundID, MeetingStatus: pl.MeetingStatus}
	}
	named, household := p.Secrecy == SecrecyNamed, byHousehold(p)
	for _, r := range rows {
		if r.UserID == nil {
			continue
		}
		f := t.facts[heldKey{p.ID, *r.UserID}]
		if f == nil {
			continue
		}
		f.MembershipID, f.VerifiedAt, f.HouseholdID, f.CompoundID, f.Attended = r.MembershipID, r.VerifiedAt, r.HouseholdID, r.CompoundID, r.Attended
		key := r.UserID
		if household {
			key = r.HouseholdID
		}
		if key == nil {
			continue
		}
		k := heldKey{p.ID, *key}
		t.voted[k] = r.Voted > 0
		if named && r.Voted > 0 && r.NbID != nil {
			if t.named == nil {
				t.named = map[heldKey]*namedBallot{}
			}
			t.named[k] = &namedBallot{ID: *r.NbID, PollID: p.ID, VoterKey: *key, UserID: *r.NbUserID, Choice: *r.NbChoice,
				Area: *r.NbArea, Changes: *r.NbChanges, CreatedAt: *r.NbCreatedAt, UpdatedAt: *r.NbUpdatedAt}
		}
	}
}

// readOwnersOf reads, for an owners' poll, the units in its roll of each user the read of its
// voters found (a query a user).
func readOwnersOf(t *Tx, p *Poll, rows []voterFactRow) error {
	if p.Eligibility != EligibleOwners {
		return nil
	}
	for _, r := range rows {
		if r.UserID == nil {
			continue
		}
		if f := t.facts[heldKey{p.ID, *r.UserID}]; f != nil {
			if err := readOwnerFacts(t.DB, p, *r.UserID, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// refusal reports an error that is the ballot's own answer (a domain error), not the database's.
func refusal(err error) bool {
	var e *Error
	return errors.As(err, &e) && !retryable(err)
}

type heldKey struct{ poll, key uint64 }

// heldVoter is what a batch knows of one voter key of a poll.
type heldVoter struct {
	voted    bool         // the key has a receipt, stored or held
	nb       *namedBallot // its named ballot, stored or held
	unlocked bool         // nb is stored and was read without a lock (preloadPoll)
	fresh    bool         // nb is held, to be inserted
	moved    bool         // nb is stored and was changed
}

// heldChange is a stored named ballot changed by the batch, with the count of changes it had when
// read: a ballot read without a lock is written only if it still has that count.
type heldChange struct {
	nb          *namedBallot
	unlocked    bool
	readChanges int
}

// heldBallotRows are the receipts and named ballots of a batch of ballots, read at its start and
// written at its end (flush).
type heldBallotRows struct {
	voters   map[heldKey]*heldVoter
	receipts []pollReceipt
	ballots  []*namedBallot
	changed  []heldChange
	writes   int // every change to what is held, so a failing ballot can be told to have written
}

// load reads which of the batch's voter keys have a receipt, poll by poll, and takes the named
// ballots of those that do (they exist: a named ballot is made with its receipt) from the
// preload, or reads them under a lock when the preload did not. The receipts
// are read without a lock: a lock on keys that have none would lock the gaps around them, where
// other batches insert; one that appears meanwhile makes the batch's insert fail as a duplicate,
// and the batch is cast one ballot at a time instead.
func (r *heldBallotRows) load(t *Tx, plans []*ballotPlan) error {
	r.voters = map[heldKey]*heldVoter{}
	keys := map[uint64][]uint64{}
	polls := map[uint64]*Poll{}
	for _, pl := range plans {
		if pl == nil {
			continue
		}
		k := heldKey{pl.p.ID, pl.v.Key}
		if r.voters[k] == nil {
			r.voters[k] = &heldVoter{}
			keys[pl.p.ID] = append(keys[pl.p.ID], pl.v.Key)
			polls[pl.p.ID] = pl.p
		}
	}
	for pid, all := range keys {
		// Keys whose receipt the preload read need no second look.
		var voted, ks []uint64
		for _, k := range all {
			known, ok := t.voted[heldKey{pid, k}]
			switch {
			case !ok:
				ks = append(ks, k)
			case known:
				voted = append(voted, k)
			}
		}
		if len(ks) > 0 {
			slices.Sort(ks)
			var more []uint64
			if err := t.Model(&pollReceipt{}).Where("poll_id = ? AND voter_key IN ?", pid, ks).
				Pluck("voter_key", &more).Error; err != nil {
				return fmt.Errorf("read receipts: %w", err)
			}
			voted = append(voted, more...)
		}
		for _, k := range voted {
			r.voters[heldKey{pid, k}].voted = true
		}
		if len(voted) == 0 || polls[pid].Secrecy != SecrecyNamed {
			continue
		}
		// Named ballots the preload read need no second look; they were read without a lock, so
		// a change to one is written only if the row is still as read (flush).
		var lock []uint64
		for _, k := range voted {
			if nb, ok := t.named[heldKey{pid, k}]; ok {
				v := r.voters[heldKey{pid, k}]
				v.nb, v.unlocked = nb, true
			} else {
				lock = append(lock, k)
			}
		}
		if len(lock) == 0 {
			continue
		}
		slices.Sort(lock)
		var nbs []*namedBallot
		if err := t.forUpdate().Where("poll_id = ? AND voter_key IN ?", pid, lock).Find(&nbs).Error; err != nil {
			return fmt.Errorf("read ballots: %w", err)
		}
		for _, nb := range nbs {
			if v := r.voters[heldKey{pid, nb.VoterKey}]; v != nil {
				v.nb = nb
			}
		}
	}
	return nil
}

func (r *heldBallotRows) voter(p *Poll, key uint64) *heldVoter {
	k := heldKey{p.ID, key}
	v := r.voters[k]
	if v == nil {
		v = &heldVoter{}
		r.voters[k] = v
	}
	return v
}

func (r *heldBallotRows) addReceipt(_ *Tx, p *Poll, v *voter) (bool, error) {
	hv := r.voter(p, v.Key)
	if hv.voted {
		return false, nil
	}
	hv.voted = true
	r.receipts = append(r.receipts, pollReceipt{PollID: p.ID, VoterKey: v.Key, UserID: v.UserID})
	r.writes++
	return true, nil
}

func (r *heldBallotRows) addBallot(_ *Tx, p *Poll, v *voter, choice string, now time.Time) error {
	hv := r.voter(p, v.Key)
	hv.nb = &namedBallot{PollID: p.ID, VoterKey: v.Key, UserID: v.UserID, Choice: choice, Area: v.Area, CreatedAt: now, UpdatedAt: now}
	hv.fresh = true
	r.ballots = append(r.ballots, hv.nb)
	r.writes++
	return nil
}

func (r *heldBallotRows) ballotOf(_ *Tx, p *Poll, key uint64) (*namedBallot, error) {
	hv := r.voter(p, key)
	if hv.nb == nil {
		// A receipt without a named ballot: let the database answer, one ballot at a time.
		return nil, errHeldFallback
	}
	return hv.nb, nil
}

func (r *heldBallotRows) changeBallot(_ *Tx, nb *namedBallot, choice string, area int64, now time.Time) error {
	hv := r.voters[heldKey{nb.PollID, nb.VoterKey}]
	if !hv.fresh && !hv.moved {
		hv.moved = true
		r.changed = append(r.changed, heldChange{nb: nb, unlocked: hv.unlocked, readChanges: nb.Changes})
	}
	nb.Choice, nb.Area, nb.Changes, nb.UpdatedAt = choice, area, nb.Changes+1, now
	r.writes++
	return nil
}

// flush writes the held rows: receipts and new named ballots in one statement each, in key
// order (so concurrent batches lock in one order), and each changed named ballot. On the batch
// handle of MySQL the two inserts are kept for the end of the batch, to go in one query with its
// tallies and events (finishBatch); a duplicate there also means the batch is cast again one
// ballot at a time.
func (r *heldBallotRows) flush(t *Tx) error {
	if len(r.receipts) > 0 {
		slices.SortFunc(r.receipts, func(a, b pollReceipt) int {
			return cmp.Or(cmp.Compare(a.PollID, b.PollID), cmp.Compare(a.VoterKey, b.VoterKey))
		})
		if t.together {
			// Sent with the batch's tallies and events (finishBatch).
			st := heldStmt{sql: "INSERT INTO poll_receipts (poll_id, voter_key, user_id) VALUES " + placeholders(3, len(r.receipts))}
			for _, rc := range r.receipts {
				st.args = append(st.args, rc.PollID, rc.VoterKey, rc.UserID)
			}
			t.held = append(t.held, st)
		} else if err := t.Create(&r.receipts).Error; err != nil {
			if isDuplicate(err) {
				return errHeldFallback
			}
			return fmt.Errorf("record receipts: %w", err)
		}
	}
	if len(r.ballots) > 0 {
		slices.SortFunc(r.ballots, func(a, b *namedBallot) int {
			return cmp.Or(cmp.Compare(a.PollID, b.PollID), cmp.Compare(a.VoterKey, b.VoterKey))
		})
		if t.together {
			// Their ids are not read back: nothing after the batch needs them.
			st := heldStmt{sql: "INSERT INTO poll_named_ballots (poll_id, voter_key, user_id, choice, area, changes, created_at, updated_at) VALUES " +
				placeholders(8, len(r.ballots))}
			for _, nb := range r.ballots {
				st.args = append(st.args, nb.PollID, nb.VoterKey, nb.UserID, nb.Choice, nb.Area, nb.Changes, nb.CreatedAt, nb.UpdatedAt)
			}
			t.held = append(t.held, st)
		} else if err := t.Create(&r.ballots).Error; err != nil {
			if isDuplicate(err) {
				return errHeldFallback
			}
			return fmt.Errorf("store ballots: %w", err)
		}
	}
	for _, c := range r.changed {
		nb := c.nb
		q := t.Model(&namedBallot{}).Where("id = ?", nb.ID)
		if c.unlocked {
			// Read without a lock: write only over the row as read (every change counts up).
			q = q.Where("changes = ?", c.readChanges)
		}
		res := q.Updates(map[string]any{"choice": nb.Choice, "area": nb.Area, "changes": nb.Changes, "updated_at": nb.UpdatedAt})
		if res.Error != nil {
			return fmt.Errorf("change ballot: %w", res.Error)
		}
		if c.unlocked && res.RowsAffected != 1 {
			return errHeldFallback
		}
	}
	return nil
}
