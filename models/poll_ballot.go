package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/yueyuetan/yueyuetan/models/tally"
)

// pollReceipt proves that a voter — a user, or a household for household weight — voted. Its
// primary key is the one-ballot-per-voter rule; it has no time.
type pollReceipt struct {
	PollID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	VoterKey uint64 `gorm:"primaryKey;autoIncrement:false"`
	UserID   uint64
}

func (pollReceipt) TableName() string { return "poll_receipts" }

// namedBallot is a named ballot: who cast it and its points per option (JSON).
type namedBallot struct {
	ID        uint64 `gorm:"primaryKey"`
	PollID    uint64
	VoterKey  uint64
	UserID    uint64
	Choice    string
	Area      int64
	Changes   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (namedBallot) TableName() string { return "poll_named_ballots" }

// voter is who a ballot is counted for: the user casting it and the key of the receipt (the
// user, or their household), with the area weight of owners' polls.
type voter struct {
	UserID uint64
	Key    uint64
	Area   int64
}

// ballotFacts are what a ballot's checks read besides the poll, in one query: the cycle's phase
// and compound, the meeting's status, and the voter's membership and sign-in; for an owners'
// poll also, in a second lookup, the voter's units in its roll and their area.
type ballotFacts struct {
	Phase           string
	CycleCompoundID uint64
	MeetingStatus   *string
	MembershipID    *uint64
	VerifiedAt      *time.Time
	HouseholdID     *uint64
	CompoundID      *uint64
	Attended        int64
	OwnerUnits      int64
	OwnerArea       int64
}

func (f *ballotFacts) place() *pollPlace {
	return &pollPlace{Phase: f.Phase, CompoundID: f.CycleCompoundID, MeetingStatus: f.MeetingStatus}
}

// readBallotFacts reads the facts about a poll and one user.
func readBallotFacts(db *gorm.DB, p *Poll, userID uint64) (*ballotFacts, error) {
	var meetingID uint64
	if p.MeetingID != nil {
		meetingID = *p.MeetingID
	}
	var f ballotFacts
	err := db.Raw(`SELECT c.phase, c.compound_id AS cycle_compound_id, mt.status AS meeting_status,
		m.id AS membership_id, m.verified_at, m.household_id, m.compound_id,
		(SELECT COUNT(*) FROM attendances a WHERE a.meeting_id = ? AND a.user_id = ?) AS attended
		FROM cycles c
		LEFT JOIN meetings mt ON mt.id = ?
		LEFT JOIN memberships m ON m.user_id = ? AND m.community_id = ?
		WHERE c.id = ?`, meetingID, userID, meetingID, userID, p.CommunityID, p.CycleID).Scan(&f).Error
	if err != nil {
		return nil, fmt.Errorf("read ballot facts of poll %d: %w", p.ID, err)
	}
	if f.Phase == "" {
		return nil, fmt.Errorf("read ballot facts of poll %d: no cycle %d", p.ID, p.CycleID)
	}
	if p.Eligibility == EligibleOwners && f.MembershipID != nil {
		if err := readOwnerFacts(db, p, userID, &f); err != nil {
			return nil, err
		}
	}
	return &f, nil
}

// voterOf checks that the actor may vote in the poll and says under which key. Not being
// eligible is EFORBIDDEN with the reason why; a superadmin who is no member of the community
// is not eligible.
func voterOf(p *Poll, f *ballotFacts, a Actor) (*voter, error) {
	if f.MembershipID == nil {
		return nil, Errorf(EFORBIDDEN, "not_eligible")
	}
	switch p.Eligibility {
	case EligibleMembers:
		if f.VerifiedAt == nil {
			return nil, Errorf(EFORBIDDEN, "not_verified")
		}
	case EligibleVerifiedResidents:
		if f.VerifiedAt == nil {
			return nil, Errorf(EFORBIDDEN, "not_verified")
		}
		if f.CompoundID == nil || *f.CompoundID != f.CycleCompoundID {
			return nil, Errorf(EFORBIDDEN, "not_resident_of_compound")
		}
	case EligibleAttendees:
		if f.Attended == 0 {
			return nil, Errorf(EFORBIDDEN, "not_signed_in_to_vote")
		}
	case EligibleOwners:
		// One ballot an owner, for all their units in the roll: counted once by head, weighing
		// the units' areas summed.
		if f.OwnerUnits == 0 {
			return nil, Errorf(EFORBIDDEN, "not_owner_in_scope")
		}
		return &voter{UserID: a.UserID, Key: a.UserID, Area: f.OwnerArea}, nil
	default:
		return nil, Errorf(EFORBIDDEN, "not_eligible")
	}
	v := &voter{UserID: a.UserID, Key: a.UserID}
	if p.Weight == WeightHousehold {
		if f.HouseholdID == nil {
			return nil, Errorf(EFORBIDDEN, "no_household")
		}
		v.Key = *f.HouseholdID
	}
	return v, nil
}

// eligibleCount is how many may vote in the poll now: persons, or households for household
// weight (walk-ins signed in by name count as attendees; they vote on paper or by hand).
func eligibleCount(db *gorm.DB, p *Poll, pl *pollPlace) (int64, error) {
	var n int64
	households := p.Weight == WeightHousehold
	var q *gorm.DB
	switch p.Eligibility {
	case EligibleAttendees:
		if !households {
			q = db.Model(&Attendance{}).Where("meeting_id = ?", *p.MeetingID)
			break
		}
		q = db.Table("attendances").Joins("JOIN memberships ON memberships.user_id = attendances.user_id AND memberships.community_id = ?",
			p.CommunityID).Where("attendances.meeting_id = ?", *p.MeetingID)
	case EligibleVerifiedResidents:
		q = db.Table("memberships").Where("memberships.community_id = ? AND memberships.verified_at IS NOT NULL AND memberships.compound_id = ?",
			p.CommunityID, pl.CompoundID)
	case EligibleMembers:
		q = db.Table("memberships").Where("memberships.community_id = ? AND memberships.verified_at IS NOT NULL", p.CommunityID)
	default:
		return 0, nil
	}
	if households {
		q = q.Where("memberships.household_id IS NOT NULL").Distinct("memberships.household_id")
	}
	if err := q.Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count eligible of poll %d: %w", p.ID, err)
	}
	return n, nil
}

func hasReceipt(db *gorm.DB, pollID, key uint64) (bool, error) {
	var n int64
	if err := db.Model(&pollReceipt{}).Where("poll_id = ? AND voter_key = ?", pollID, key).Count(&n).Error; err != nil {
		return false, fmt.Errorf("read receipt: %w", err)
	}
	return n > 0, nil
}

func encodePoints(p tally.Points) string {
	b, _ := json.Marshal(map[uint64]int64(p)) // integer keys and values cannot fail
	return string(b)
}

func decodePoints(s string) (tally.Points, error) {
	p := tally.Points{}
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, fmt.Errorf("decode ballot: %w", err)
	}
	return p, nil
}

// sharePoll reads a poll and its options for a ballot, in one query. On MySQL it share-locks
// the rows until the transaction ends: ballots run side by side, and a close or an offline edit
// (which lock the poll's row for update) waits for those under way and is waited for by those
// that come after, so no ballot slips in after a result was computed. SQLite needs nothing:
// BEGIN IMMEDIATE holds the only write lock.
//
// A batched transaction reads each poll once: the share lock it took holds until the commit (a
// rollback to a savepoint keeps it), so the poll cannot change under the batch's later ballots.
func (tx *Tx) sharePoll(id uint64) (*Poll, error) {
	if p, ok := tx.polls[id]; ok {
		return p, nil
	}
	p, err := tx.readSharedPoll(id)
	if err != nil {
		return nil, err
	}
	if tx.deferEvents {
		if tx.polls == nil {
			tx.polls = map[uint64]*Poll{}
		}
		tx.polls[id] = p
	}
	return p, nil
}

// pollPlace reads the state of a poll's cycle and meeting, once per poll in a batched
// transaction.
func (tx *Tx) pollPlace(p *Poll) (*pollPlace, error) {
	if pl, ok := tx.places[p.ID]; ok {
		return pl, nil
	}
	pl, err := readPollPlace(tx.DB, p)
	if err != nil {
		return nil, err
	}
	if tx.deferEvents {
		if tx.places == nil {
			tx.places = map[uint64]*pollPlace{}
		}
		tx.places[p.ID] = pl
	}
	return pl, nil
}

func (tx *Tx) readSharedPoll(id uint64) (*Poll, error) {
	var rows []sharedPollRow
	if err := tx.Raw(sharedPollSQL(tx.store.dialect), id).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read poll %d: %w", id, err)
	}
	if len(rows) == 0 {
		return nil, errNotFound
	}
	return pollOfRows(rows), nil
}

// sharedPollSQL reads a poll and its options, a row an option, share-locked on MySQL
// (sharePoll); its one value is the poll's id.
func sharedPollSQL(dialect string) string {
	q := `SELECT p.id, p.community_id, p.cycle_id, p.meeting_id, p.method, p.max_choices, p.dots_per_voter,
		p.max_dots_per_option, p.score_max, p.eligibility, p.weight, p.secrecy, p.status,
		o.id AS option_id, o.option_key
		FROM polls p JOIN poll_options o ON o.poll_id = p.id WHERE p.id = ? ORDER BY o.position`
	if dialect == DialectMySQL {
		q += " LOCK IN SHARE MODE"
	}
	return q
}

// sharedPollRow is a row of sharedPollSQL.
type sharedPollRow struct {
	ID, CommunityID, CycleID                             uint64
	MeetingID                                            *uint64
	Method, Eligibility, Weight, Secrecy, Status         string
	MaxChoices, DotsPerVoter, MaxDotsPerOption, ScoreMax int
	OptionID                                             uint64
	OptionKey                                            string
}

// scanDest is where the columns of sharedPollSQL go, in their order.
func (r *sharedPollRow) scanDest() []any {
	return []any{&r.ID, &r.CommunityID, &r.CycleID, &r.MeetingID, &r.Method, &r.MaxChoices, &r.DotsPerVoter,
		&r.MaxDotsPerOption, &r.ScoreMax, &r.Eligibility, &r.Weight, &r.Secrecy, &r.Status, &r.OptionID, &r.OptionKey}
}

// pollOfRows is the poll the rows of sharedPollSQL (at least one) describe.
func pollOfRows(rows []sharedPollRow) *Poll {
	r0 := rows[0]
	p := Poll{ID: r0.ID, CommunityID: r0.CommunityID, CycleID: r0.CycleID, MeetingID: r0.MeetingID, Method: r0.Method,
		Eligibility: r0.Eligibility, Weight: r0.Weight, Secrecy: r0.Secrecy, Status: r0.Status, MaxChoices: r0.MaxChoices,
		DotsPerVoter: r0.DotsPerVoter, MaxDotsPerOption: r0.MaxDotsPerOption, ScoreMax: r0.ScoreMax}
	p.Options = make([]PollOption, len(rows))
	for i, r := range rows {
		p.Options[i] = PollOption{ID: r.OptionID, PollID: p.ID, OptionKey: r.OptionKey}
	}
	return &p
}

// tallyCols are one option's changes to its running online tally.
type tallyCols struct {
	Points, Supporters, Area, Voters int64
}

// tallyChange is one option's tally change held by a batched transaction until it is applied.
type tallyChange struct {
	OptionID uint64
	tallyCols
}

// addOnline adds a ballot's change to the options' running tallies; a new ballot also adds its
// voter, on the row of its first option with points (or of the poll's first option, for a
// ballot without any). In a batched transaction (batch.go) the change is held and the batch's
// changes are summed and applied in one statement just before its events, on one shard, so
// that the ballots of a batch update each option's row once and concurrent batches lock rows in
// one order; otherwise it is applied now, on a random shard.
func addOnline(tx *Tx, p *Poll, d tally.Delta, newVoter bool) error {
	ids := d.IDs()
	voterRow := uint64(0)
	if newVoter {
		if len(ids) == 0 {
			ids = []uint64{p.Options[0].ID}
		}
		voterRow = ids[0]
	}
	changes := make([]tallyChange, 0, len(ids))
	for _, id := range ids {
		c := tallyChange{OptionID: id, tallyCols: tallyCols{Points: d[id].Points, Supporters: d[id].Supporters, Area: d[id].Area}}
		if id == voterRow {
			c.Voters = 1
		}
		if c.tallyCols != (tallyCols{}) {
			changes = append(changes, c)
		}
	}
	if tx.deferEvents {
		tx.tallies = append(tx.tallies, changes...)
		return nil
	}
	if err := applyTallies(tx, mrand.IntN(tallyShards), changes); err != nil {
		return fmt.Errorf("update tallies of poll %d: %w", p.ID, err)
	}
	return nil
}

// applyTallies sums the changes by option and adds them to one shard of the options' tallies in
// one statement, which locks the rows in the order of the options' ids.
func applyTallies(tx *Tx, shard int, changes []tallyChange) error {
	st, ok := tallyStmt(shard, changes)
	if !ok {
		return nil
	}
	if err := tx.Exec(st.sql, st.args...).Error; err != nil {
		return fmt.Errorf("update tallies: %w", err)
	}
	return nil
}

// tallyStmt is the one statement that adds the summed changes to their options' tallies in one
// shard; false when nothing changes.
func tallyStmt(shard int, changes []tallyChange) (heldStmt, bool) {
	sum := map[uint64]*tallyCols{}
	for _, c := range changes {
		t := sum[c.OptionID]
		if t == nil {
			t = &tallyCols{}
			sum[c.OptionID] = t
		}
		t.Points += c.Points
		t.Supporters += c.Supporters
		t.Area += c.Area
		t.Voters += c.Voters
	}
	ids := make([]uint64, 0, len(sum))
	for id := range sum {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return heldStmt{}, false
	}
	slices.Sort(ids)
	var sets []string
	var args []any
	for _, col := range []struct {
		name string
		get  func(t *tallyCols) int64
	}{{"online_points", func(t *tallyCols) int64 { return t.Points }},
		{"online_supporters", func(t *tallyCols) int64 { return t.Supporters }},
		{"online_area", func(t *tallyCols) int64 { return t.Area }},
		{"online_voters", func(t *tallyCols) int64 { return t.Voters }}} {
		var b strings.Builder
		b.WriteString(col.name + " = " + col.name + " + CASE option_id")
		changed := false
		for _, id := range ids {
			if v := col.get(sum[id]); v != 0 {
				b.WriteString(" WHEN ? THEN ?")
				args = append(args, id, v)
				changed = true
			}
		}
		if changed {
			b.WriteString(" ELSE 0 END")
			sets = append(sets, b.String())
		}
	}
	if len(sets) == 0 {
		return heldStmt{}, false
	}
	args = append(args, ids, shard)
	return heldStmt{sql: "UPDATE poll_option_tallies SET " + strings.Join(sets, ", ") + " WHERE option_id IN ? AND shard = ?", args: args}, true
}

// BallotChoice is a ballot in the shape its method takes (docs/architecture.md "The HTTP API"): one of choice,
// option_id, option_ids, dots, ranking or scores.
type BallotChoice struct {
	Choice    string           `json:"choice,omitempty"`
	OptionID  *uint64          `json:"option_id,omitempty"`
	OptionIDs []uint64         `json:"option_ids,omitempty"`
	Dots      map[string]int64 `json:"dots,omitempty"`
	Ranking   []uint64         `json:"ranking,omitempty"`
	Scores    map[string]int64 `json:"scores,omitempty"`
}

func choiceOf(b tally.Ballot) *BallotChoice {
	keyed := func(m map[uint64]int64) map[string]int64 {
		if m == nil {
			return nil
		}
		out := make(map[string]int64, len(m))
		for k, v := range m {
			out[strconv.FormatUint(k, 10)] = v
		}
		return out
	}
	return &BallotChoice{Choice: b.Choice, OptionID: b.OptionID, OptionIDs: b.OptionIDs, Dots: keyed(b.Dots),
		Ranking: b.Ranking, Scores: keyed(b.Scores)}
}

// MyBallot is a voter's standing in a poll: whether they (or their household) voted and, for a
// named ballot, what it says. A secret ballot is never shown again, not even to its voter.
type MyBallot struct {
	PollID   uint64 `json:"poll_id"`
	Eligible bool   `json:"eligible"`
	// Reason says why the caller may not vote (a problem code such as not_signed_in_to_vote).
	Reason    string        `json:"reason,omitempty"`
	Voted     bool          `json:"voted"`
	CastByMe  bool          `json:"cast_by_me"`
	CanChange bool          `json:"can_change"`
	Ballot    *BallotChoice `json:"ballot"`
	CastAt    *time.Time    `json:"cast_at"`
	ChangedAt *time.Time    `json:"changed_at"`
	Changes   int           `json:"changes"`
	// Stake: in an owners' poll, the caller's units in its roll and the area their ballot weighs.
	Stake *OwnerPollStake `json:"stake,omitempty"`
	// Created says that this call cast the voter's first ballot.
	Created bool `json:"-"`
}

// CastBallot counts a member's ballot. One ballot a voter (or household): the receipt's primary
// key decides inside the same transaction as the running tallies and the event (and, for a named
// ballot, its row), so concurrent ballots of one voter make one receipt. A named ballot sent
// again replaces the voter's earlier one while the poll is open (the tallies move by the
// difference); a secret ballot cannot be changed (409 already_voted). A secret ballot is stored
// nowhere but in the tallies, and its event names no one and carries nothing but the poll; no
// ballot event carries a choice or a count (docs/ballot-secrecy.md).
func (s *Store) CastBallot(ctx context.Context, a Actor, pollID uint64, b tally.Ballot) (*MyBallot, error) {
	if a.UserID == 0 {
		return nil, Errorf(EUNAUTHORIZED, "login_required")
	}
	// Everything the ballot is checked against — the poll, its cycle's and meeting's state under
	// the poll's share lock, and the voter's membership, verification, home, sign-in and owned
	// units — is read inside the group commit's transaction: once for a whole batch of ballots
	// cast together (poll_ballot_batch.go), so a ballot costs no query of its own.
	j := &ballotJob{a: a, pollID: pollID, b: b}
	err := s.txBatchedJob(ctx, j, func(tx *Tx) error {
		j.out = nil
		plan, err := j.check(tx)
		if err != nil {
			return err
		}
		return j.apply(tx, dbBallotRows{}, plan)
	})
	if err != nil {
		return nil, err
	}
	return j.out, nil
}

// voterFacts are the facts about a poll's place and the user a ballot is checked against: read
// for the batch beforehand (loadVoterFacts), or now.
func (tx *Tx) voterFacts(p *Poll, pl *pollPlace, userID uint64) (*ballotFacts, error) {
	if f, ok := tx.facts[heldKey{p.ID, userID}]; ok {
		return f, nil
	}
	if err := tx.loadVoterFacts(p, pl, []uint64{userID}); err != nil {
		return nil, err
	}
	return tx.facts[heldKey{p.ID, userID}], nil
}

// loadVoterFacts reads the standing of users in a poll's community — membership, verification,
// home, sign-in to its meeting, and for an owners' poll their units in its roll — in one query
// (and one a user for owners), and keeps them in tx for check.
func (tx *Tx) loadVoterFacts(p *Poll, pl *pollPlace, userIDs []uint64) error {
	var meetingID uint64
	if p.MeetingID != nil {
		meetingID = *p.MeetingID
	}
	var rows []struct {
		UserID       uint64
		MembershipID *uint64
		VerifiedAt   *time.Time
		HouseholdID  *uint64
		CompoundID   *uint64
		Attended     int64
	}
	if err := tx.Raw(`SELECT m.user_id, m.id AS membership_id, m.verified_at, m.household_id, m.compound_id,
		(SELECT COUNT(*) FROM attendances a WHERE a.meeting_id = ? AND a.user_id = m.user_id) AS attended
		FROM memberships m WHERE m.community_id = ? AND m.user_id IN ?`, meetingID, p.CommunityID, userIDs).Scan(&rows).Error; err != nil {
		return fmt.Errorf("read voters of poll %d: %w", p.ID, err)
	}
	if tx.facts == nil {
		tx.facts = map[heldKey]*ballotFacts{}
	}
	for _, id := range userIDs {
		tx.facts[heldKey{p.ID, id}] = &ballotFacts{Phase: pl.Phase, CycleCompoundID: pl.CompoundID, MeetingStatus: pl.MeetingStatus}
	}
	for _, r := range rows {
		f := tx.facts[heldKey{p.ID, r.UserID}]
		f.MembershipID, f.VerifiedAt, f.HouseholdID, f.CompoundID, f.Attended = r.MembershipID, r.VerifiedAt, r.HouseholdID, r.CompoundID, r.Attended
		if p.Eligibility == EligibleOwners {
			if err := readOwnerFacts(tx.DB, p, r.UserID, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// ballotJob is one ballot in the group commit: what was read about its voter before it, and,
// once its transaction committed, its outcome.
type ballotJob struct {
	a      Actor
	pollID uint64
	b      tally.Ballot
	out    *MyBallot
}

// ballotPlan is a ballot checked against its poll inside the transaction, ready to be counted.
type ballotPlan struct {
	p      *Poll
	v      *voter
	spec   tally.Spec
	points tally.Points
	choice string
}

// check reads the poll under its share lock and checks that the ballot may count: the poll is
// open, its cycle and meeting allow voting, the actor may vote, and the ballot is valid for the
// method. It writes nothing. A non-member (but a superadmin) learns nothing of the poll.
func (j *ballotJob) check(tx *Tx) (*ballotPlan, error) {
	p, err := tx.sharePoll(j.pollID)
	if err != nil {
		return nil, err
	}
	pl, err := tx.pollPlace(p)
	if err != nil {
		return nil, err
	}
	f, err := tx.voterFacts(p, pl, j.a.UserID)
	if err != nil {
		return nil, err
	}
	if f.MembershipID == nil && !j.a.Superadmin {
		return nil, errNotFound
	}
	if err := requireNotArchived(pl.Phase); err != nil {
		return nil, err
	}
	if p.Status != PollOpen {
		return nil, pollStateError(p.Status)
	}
	if err := pl.requireActive(p); err != nil {
		return nil, err
	}
	v, err := voterOf(p, f, j.a)
	if err != nil {
		return nil, err
	}
	if p.Eligibility == EligibleOwners {
		// An owner entered on paper was counted already (poll_paper.go).
		paper, err := votedOnPaper(tx.DB, p.ID, j.a.UserID)
		if err != nil {
			return nil, err
		}
		if paper {
			return nil, Errorf(ECONFLICT, "voted_on_paper")
		}
	}
	spec := p.spec()
	points, err := spec.Count(j.b)
	if err != nil {
		return nil, tallyError(err)
	}
	return &ballotPlan{p: p, v: v, spec: spec, points: points, choice: encodePoints(points)}, nil
}

// ballotRows is where apply makes and reads receipts and named ballots: straight in the
// database (dbBallotRows), or held by a batch and written by it in a few multi-row statements
// (heldBallotRows, poll_ballot_batch.go).
type ballotRows interface {
	// addReceipt makes the voter's receipt; false when the voter (or household) has one.
	addReceipt(tx *Tx, p *Poll, v *voter) (bool, error)
	// addBallot stores a new named ballot.
	addBallot(tx *Tx, p *Poll, v *voter, choice string, now time.Time) error
	// ballotOf reads the named ballot of a voter key that has a receipt, locked for a change.
	ballotOf(tx *Tx, p *Poll, key uint64) (*namedBallot, error)
	// changeBallot replaces a named ballot's choice and area and counts the change.
	changeBallot(tx *Tx, nb *namedBallot, choice string, area int64, now time.Time) error
}

// apply counts a checked ballot: a receipt and (named) its row for a first ballot, or a change
// of the named ballot; the running tallies; the event. It sets j.out.
func (j *ballotJob) apply(tx *Tx, rows ballotRows, plan *ballotPlan) error {
	p, v, spec, points, choice := plan.p, plan.v, plan.spec, plan.points, plan.choice
	now := tx.Now()
	my := &MyBallot{PollID: p.ID, Eligible: true, Voted: true, CastByMe: true, CanChange: p.Secrecy == SecrecyNamed}
	var delta tally.Delta
	typ := EvPollBallotCast
	created, err := rows.addReceipt(tx, p, v)
	switch {
	case err != nil:
		return err
	case created:
		if p.Secrecy == SecrecyNamed {
			if err := rows.addBallot(tx, p, v, choice, now); err != nil {
				return err
			}
		}
		delta = tally.Diff(nil, 0, points, v.Area)
		my.CastAt, my.Created = &now, true
	case p.Secrecy == SecrecySecret:
		return Errorf(ECONFLICT, "already_voted")
	default:
		nb, err := rows.ballotOf(tx, p, v.Key)
		if err != nil {
			return err
		}
		if nb.UserID != v.UserID {
			return Errorf(ECONFLICT, "household_voted")
		}
		old, err := decodePoints(nb.Choice)
		if err != nil {
			return err
		}
		castAt := nb.CreatedAt
		my.CastAt, my.Changes = &castAt, nb.Changes
		if delta = tally.Diff(old, nb.Area, points, v.Area); len(delta) == 0 {
			// The same ballot again: nothing changes, and nothing is logged.
			my.Ballot = choiceOf(spec.Ballot(points))
			j.out = my
			return nil
		}
		if err := rows.changeBallot(tx, nb, choice, v.Area, now); err != nil {
			return err
		}
		my.ChangedAt, my.Changes = &now, my.Changes+1
		typ = EvPollBallotChanged
	}
	if err := addOnline(tx, p, delta, my.Created); err != nil {
		return err
	}
	var who *uint64
	if p.Secrecy == SecrecyNamed {
		who = j.a.ref()
		my.Ballot = choiceOf(spec.Ballot(points))
	}
	if _, err := tx.AppendEvent(EventInput{CommunityID: p.CommunityID, Type: typ, SubjectType: "poll", SubjectID: p.ID,
		Actor: who, Visibility: VisMembers, Payload: p.refs()}); err != nil {
		return err
	}
	j.out = my
	return nil
}

// dbBallotRows makes and reads receipts and named ballots straight in the database.
type dbBallotRows struct{}

func (dbBallotRows) addReceipt(tx *Tx, p *Poll, v *voter) (bool, error) {
	err := tx.Create(&pollReceipt{PollID: p.ID, VoterKey: v.Key, UserID: v.UserID}).Error
	switch {
	case err == nil:
		return true, nil
	case isDuplicate(err):
		return false, nil
	}
	return false, fmt.Errorf("record receipt: %w", err)
}

// addBallot stores a new named ballot with its voter. A secret ballot has no row of its own: it
// lives only in the running tallies (docs/ballot-secrecy.md).
func (dbBallotRows) addBallot(tx *Tx, p *Poll, v *voter, choice string, now time.Time) error {
	nb := namedBallot{PollID: p.ID, VoterKey: v.Key, UserID: v.UserID, Choice: choice, Area: v.Area, CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(&nb).Error; err != nil {
		return fmt.Errorf("store ballot: %w", err)
	}
	return nil
}

func (dbBallotRows) ballotOf(tx *Tx, p *Poll, key uint64) (*namedBallot, error) {
	var nb namedBallot
	if err := tx.forUpdate().Where("poll_id = ? AND voter_key = ?", p.ID, key).Take(&nb).Error; err != nil {
		return nil, fmt.Errorf("read ballot: %w", err)
	}
	return &nb, nil
}

func (dbBallotRows) changeBallot(tx *Tx, nb *namedBallot, choice string, area int64, now time.Time) error {
	if err := tx.Model(&namedBallot{}).Where("id = ?", nb.ID).Updates(map[string]any{"choice": choice,
		"area": area, "changes": gorm.Expr("changes + 1"), "updated_at": now}).Error; err != nil {
		return fmt.Errorf("change ballot: %w", err)
	}
	return nil
}

// MyPollBallot tells a member whether they (or their household) voted in a poll and shows their
// named ballot.
func (s *Store) MyPollBallot(ctx context.Context, a Actor, pollID uint64) (*MyBallot, error) {
	db := s.rdb(ctx)
	p, err := findPoll(db, pollID)
	if err != nil {
		return nil, err
	}
	if _, err := access(db, a, p.CommunityID); err != nil {
		return nil, err
	}
	out := &MyBallot{PollID: p.ID}
	f, err := readBallotFacts(db, p, a.UserID)
	if err != nil {
		return nil, err
	}
	pl := f.place()
	v, err := voterOf(p, f, a)
	if err != nil {
		var de *Error
		if !errors.As(err, &de) {
			return nil, err
		}
		out.Reason = de.Reason
		return out, nil
	}
	out.Eligible = true
	if p.Eligibility == EligibleOwners {
		if out.Stake, err = pollStakeOf(db, p, a.UserID); err != nil {
			return nil, err
		}
	}
	var r pollReceipt
	err = db.Where("poll_id = ? AND voter_key = ?", p.ID, v.Key).Limit(1).Find(&r).Error
	if err != nil {
		return nil, fmt.Errorf("read receipt: %w", err)
	}
	if r.PollID == 0 {
		return out, nil
	}
	out.Voted, out.CastByMe = true, r.UserID == a.UserID
	if p.Secrecy == SecrecySecret {
		return out, nil
	}
	var nb namedBallot
	if err := db.Where("poll_id = ? AND voter_key = ?", p.ID, v.Key).Take(&nb).Error; err != nil {
		return nil, fmt.Errorf("read ballot: %w", err)
	}
	pts, err := decodePoints(nb.Choice)
	if err != nil {
		return nil, err
	}
	out.Ballot = choiceOf(p.spec().Ballot(pts))
	out.CastAt, out.Changes = &nb.CreatedAt, nb.Changes
	if nb.Changes > 0 {
		out.ChangedAt = &nb.UpdatedAt
	}
	out.CanChange = out.CastByMe && p.Status == PollOpen && pl.requireActive(p) == nil
	return out, nil
}
