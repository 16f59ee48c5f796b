package models

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The tallies of closed cycles (docs/desk.md "The dashboard"). A closed cycle is an
// archive (docs/phases.md): no topic, endorsement, card, meeting, sign-in, vote, ballot or survey
// answer of it can be added, changed or removed any more. Its counts of those are therefore
// counted once, in the transaction that closes it, and kept in cycle_tallies; the dashboard
// reads them there instead of counting the rows again. Everything else — the cycles themselves,
// the resolutions, items, updates, claims and escalations, which still move or depend on the
// day — is counted live, and so is every figure of a cycle that is not closed or has no tally.
//
// A closed cycle's items are final too (every change to an item, its updates included, needs its
// resolution implementing or being planned, and a cycle closes only with every resolution
// accepted or rejected), but an open item's place in the figures moves with the day (overdue,
// judged). So the tally keeps the settled leaf items — cancelled, or done with a date or an
// update to show for it — whose place no day changes, and the open ones are read live.

// cycleTally is the counts of one cycle that its close makes final. The origins of cards and the
// levels of survey answers are columns: a cycle with a count the columns cannot hold (an origin
// or a level added later) is not tallied, and stays counted live.
type cycleTally struct {
	CycleID                  uint64 `gorm:"primaryKey;autoIncrement:false"`
	Topics                   int64
	Endorsements             int64
	CardsOnline              int64
	CardsPaper               int64
	CardsTable               int64
	Meetings                 int64
	Attendance               int64
	Polls                    int64
	Ballots                  int64
	TurnoutVoters            int64
	TurnoutSigned            int64
	SurveySatisfied          int64
	SurveyBasicallySatisfied int64
	SurveyDissatisfied       int64
	SurveyVeryDissatisfied   int64
	// The settled leaf items (settledItem) by their place in the figures.
	ItemsTotal     int64
	ItemsCancelled int64
	ItemsOnTime    int64
	ItemsDoneLate  int64
	ItemsResponded int64
	ItemsJudged    int64
	unknown        bool // a key without a column
}

func (cycleTally) TableName() string { return "cycle_tallies" }

// cardCols and answerCols are the columns that hold a cycle's cards by origin and its survey
// answers by level.
func (t *cycleTally) cardCols() map[string]*int64 {
	return map[string]*int64{OriginOnline: &t.CardsOnline, OriginPaper: &t.CardsPaper, OriginTable: &t.CardsTable}
}

func (t *cycleTally) answerCols() map[string]*int64 {
	return map[string]*int64{SurveySatisfied: &t.SurveySatisfied, SurveyBasicallySatisfied: &t.SurveyBasicallySatisfied,
		SurveyDissatisfied: &t.SurveyDissatisfied, SurveyVeryDissatisfied: &t.SurveyVeryDissatisfied}
}

// count adds n to the column of key among cols; a key without a column leaves the cycle untallied.
func (t *cycleTally) count(cols map[string]*int64, key string, n int64) {
	if c, ok := cols[key]; ok {
		*c += n
	} else {
		t.unknown = true
	}
}

// tallyColumns are the counts of cycle_tallies.
var tallyColumns = []string{"topics", "endorsements", "cards_online", "cards_paper", "cards_table", "meetings", "attendance",
	"polls", "ballots", "turnout_voters", "turnout_signed", "survey_satisfied", "survey_basically_satisfied",
	"survey_dissatisfied", "survey_very_dissatisfied", "items_total", "items_cancelled", "items_on_time", "items_done_late",
	"items_responded", "items_judged"}

// communityTally is the tallies of some cycles summed for their community.
type communityTally struct {
	CommunityID uint64
	Tally       cycleTally `gorm:"embedded"`
}

// sumTallies reads the tallies of the given cycles summed by community: a row a community
// whatever the number of months.
func sumTallies(db *gorm.DB, cycleIDs []uint64) ([]communityTally, error) {
	cols := make([]string, 0, len(tallyColumns)+1)
	cols = append(cols, "cycles.community_id")
	for _, c := range tallyColumns {
		cols = append(cols, "COALESCE(SUM(t."+c+"), 0) AS "+c)
	}
	var out []communityTally
	if err := db.Table("cycle_tallies t").Select(strings.Join(cols, ", ")).Joins("JOIN cycles ON cycles.id = t.cycle_id").
		Where("t.cycle_id IN ?", cycleIDs).Group("cycles.community_id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("dashboard tallies: %w", err)
	}
	return out, nil
}

// addTo adds the cycle's counts to the dashboard of its community.
func (t *cycleTally) addTo(d *Dashboard) {
	p := &d.Participation
	p.Topics += t.Topics
	p.Endorsements += t.Endorsements
	for o, n := range t.cardCols() {
		p.CardsByOrigin[o] += *n
		p.Cards += *n
	}
	p.Meetings += t.Meetings
	p.Attendance += t.Attendance
	p.Polls += t.Polls
	p.Ballots += t.Ballots
	p.turnoutVoters += t.TurnoutVoters
	p.turnoutSigned += t.TurnoutSigned
	for l, n := range t.answerCols() {
		d.Satisfaction.ByLevel[l] += *n
		d.Satisfaction.Answers += *n
	}
	i := &d.Items
	i.Total += t.ItemsTotal
	i.Cancelled += t.ItemsCancelled
	i.Done += t.ItemsOnTime + t.ItemsDoneLate
	i.OnTime += t.ItemsOnTime
	i.DoneLate += t.ItemsDoneLate
	i.Responded += t.ItemsResponded
	i.Judged += t.ItemsJudged
}

// settledItem: a leaf item whose place in the figures no day changes — cancelled, or done with
// its completion time or an update to date its response. unsettledItemSQL says the opposite of a
// row of action_items i, in a form the index on (resolution_id, status, done_at) answers for the
// settled ones; the two must agree, or a closed cycle's item would count twice or never.
func settledItem(it *dashItem) bool {
	return it.Status == ItemCancelled || it.Status == ItemDone && (it.DoneAt != nil || it.FirstUpdate != nil)
}

const unsettledItemSQL = "(i.status NOT IN ('done', 'cancelled') OR i.status = 'done' AND i.done_at IS NULL AND " +
	"NOT EXISTS (SELECT 1 FROM item_updates su WHERE su.item_id = i.id))"

// countArchived counts, for the cycles of scope (a subquery of cycle ids), the counts a closed
// cycle keeps: what the dashboard reads from a tally, or counts live for a cycle without one.
// Meetings' sign-ins are counted once per meeting, for the attendance and for the turnout of each
// poll of the meeting; polls of meetings without sign-ins are left out of the turnout.
func countArchived(db *gorm.DB, scope func() *gorm.DB) (map[uint64]*cycleTally, error) {
	out := map[uint64]*cycleTally{}
	at := func(id uint64) *cycleTally {
		if out[id] == nil {
			out[id] = &cycleTally{CycleID: id}
		}
		return out[id]
	}
	grouped := func(what string, q *gorm.DB, add func(t *cycleTally, r cycleCount)) error {
		var rows []cycleCount
		if err := q.Scan(&rows).Error; err != nil {
			return fmt.Errorf("dashboard %s: %w", what, err)
		}
		for _, r := range rows {
			add(at(r.CycleID), r)
		}
		return nil
	}
	if err := grouped("topics", db.Table("topics").Select("cycle_id, COUNT(*) AS n").Where("cycle_id IN (?)", scope()).Group("cycle_id"),
		func(t *cycleTally, r cycleCount) { t.Topics += r.N }); err != nil {
		return nil, err
	}
	if err := grouped("endorsements", db.Table("endorsements").Select("topics.cycle_id, COUNT(*) AS n").
		Joins("JOIN topics ON topics.id = endorsements.topic_id").Where("topics.cycle_id IN (?)", scope()).Group("topics.cycle_id"),
		func(t *cycleTally, r cycleCount) { t.Endorsements += r.N }); err != nil {
		return nil, err
	}
	if err := grouped("cards", db.Table("cards").Select("cycle_id, origin AS k, COUNT(*) AS n").
		Where("cycle_id IN (?)", scope()).Group("cycle_id, origin"),
		func(t *cycleTally, r cycleCount) { t.count(t.cardCols(), r.K, r.N) }); err != nil {
		return nil, err
	}
	if err := grouped("survey", db.Table("survey_answers").Select("resolutions.cycle_id, survey_answers.level AS k, COUNT(*) AS n").
		Joins("JOIN resolutions ON resolutions.id = survey_answers.resolution_id").
		Where("resolutions.cycle_id IN (?)", scope()).Group("resolutions.cycle_id, survey_answers.level"),
		func(t *cycleTally, r cycleCount) { t.count(t.answerCols(), r.K, r.N) }); err != nil {
		return nil, err
	}

	var meetings []struct{ ID, CycleID uint64 }
	if err := db.Table("meetings").Select("id, cycle_id").Where("cycle_id IN (?)", scope()).Scan(&meetings).Error; err != nil {
		return nil, fmt.Errorf("dashboard meetings: %w", err)
	}
	var signed []struct {
		MeetingID uint64
		N         int64
	}
	if err := db.Table("attendances").Select("meeting_id, COUNT(*) AS n").
		Where("meeting_id IN (?)", db.Table("meetings").Select("id").Where("cycle_id IN (?)", scope())).
		Group("meeting_id").Scan(&signed).Error; err != nil {
		return nil, fmt.Errorf("dashboard attendance: %w", err)
	}
	var polls []struct {
		CycleID   uint64
		MeetingID *uint64
		Voters    int64
	}
	if err := db.Table("polls").Select("polls.cycle_id, polls.meeting_id, (SELECT COUNT(*) FROM poll_receipts r WHERE r.poll_id = polls.id) AS voters").
		Where("polls.cycle_id IN (?)", scope()).Scan(&polls).Error; err != nil {
		return nil, fmt.Errorf("dashboard polls: %w", err)
	}
	meetingCycle := map[uint64]uint64{}
	for _, m := range meetings {
		meetingCycle[m.ID] = m.CycleID
		at(m.CycleID).Meetings++
	}
	signedAt := map[uint64]int64{}
	for _, a := range signed {
		signedAt[a.MeetingID] = a.N
		if c, ok := meetingCycle[a.MeetingID]; ok {
			at(c).Attendance += a.N
		}
	}
	for _, pl := range polls {
		t := at(pl.CycleID)
		t.Polls++
		t.Ballots += pl.Voters
		if pl.MeetingID != nil && signedAt[*pl.MeetingID] > 0 {
			t.TurnoutVoters += pl.Voters
			t.TurnoutSigned += signedAt[*pl.MeetingID]
		}
	}
	return out, nil
}

// tallyCycles counts the given cycles, which must be closed, and keeps their tallies. A cycle
// already tallied is left as it is: a tally is written once, never updated or deleted.
func tallyCycles(db *gorm.DB, ids []uint64) error {
	if len(ids) == 0 {
		return nil
	}
	counts, err := countArchived(db, func() *gorm.DB { return db.Table("cycles").Select("id").Where("id IN ?", ids) })
	if err != nil {
		return err
	}
	var resolutions []struct{ ID, CycleID uint64 }
	if err := db.Table("resolutions").Select("id, cycle_id").Where("cycle_id IN ?", ids).Scan(&resolutions).Error; err != nil {
		return fmt.Errorf("tally resolutions: %w", err)
	}
	resolutionCycle := map[uint64]uint64{}
	for _, r := range resolutions {
		resolutionCycle[r.ID] = r.CycleID
	}
	items, err := dashItems(db, db.Table("resolutions").Select("id").Where("cycle_id IN ?", ids), false, false)
	if err != nil {
		return err
	}
	for _, it := range items {
		c, ok := resolutionCycle[it.ResolutionID]
		if !ok || !settledItem(&it) {
			continue
		}
		if counts[c] == nil {
			counts[c] = &cycleTally{CycleID: c}
		}
		t := counts[c]
		var d DashItems
		it.classify(&d, "") // a settled item's place does not depend on the day
		t.ItemsTotal += d.Total
		t.ItemsCancelled += d.Cancelled
		t.ItemsOnTime += d.OnTime
		t.ItemsDoneLate += d.DoneLate
		t.ItemsResponded += d.Responded
		t.ItemsJudged += d.Judged
	}
	rows := make([]cycleTally, 0, len(ids))
	for _, id := range ids {
		t := counts[id]
		if t == nil {
			t = &cycleTally{CycleID: id} // a cycle with nothing to count
		}
		if !t.unknown {
			rows = append(rows, *t)
		}
	}
	for len(rows) > 0 {
		n := min(len(rows), 200)
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(rows[:n]).Error; err != nil {
			return fmt.Errorf("keep cycle tallies: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}

// TallyClosedCycles keeps the tally of every closed cycle that has none: those closed before
// tallies existed, or written into the tables directly (internal/deskseed). The server runs it
// after migrating; it is cheap when there is nothing to do, and safe to run from several
// instances at once.
func (s *Store) TallyClosedCycles(ctx context.Context) (int, error) {
	total := 0
	var after uint64
	for {
		var ids []uint64
		if err := s.write.WithContext(ctx).Table("cycles").Select("id").Where("phase = ? AND id > ?", PhaseClosed, after).
			Where("NOT EXISTS (SELECT 1 FROM cycle_tallies t WHERE t.cycle_id = cycles.id)").
			Order("id").Limit(200).Pluck("id", &ids).Error; err != nil {
			return total, fmt.Errorf("find untallied cycles: %w", err)
		}
		if len(ids) == 0 {
			return total, nil
		}
		if err := s.tx(ctx, func(tx *Tx) error { return tallyCycles(tx.DB, ids) }); err != nil {
			return total, err
		}
		total += len(ids)
		after = ids[len(ids)-1]
	}
}
