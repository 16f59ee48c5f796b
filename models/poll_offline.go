package models

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/yueyuetan/yueyuetan/models/tally"
)

// MaxOfflineSourceRunes is the longest label of an offline source (纸质票, 举手 …).
const MaxOfflineSourceRunes = 20

// pollOfflineTally is the current count of one offline source of a poll.
type pollOfflineTally struct {
	ID        uint64 `gorm:"primaryKey"`
	PollID    uint64
	Source    string
	Voters    int64
	Counts    string
	Areas     *string
	UpdatedBy uint64
	CreatedAt time.Time
	UpdatedAt time.Time
	UserName  string `gorm:"->;-:migration"`
}

func (pollOfflineTally) TableName() string { return "poll_offline_tallies" }

// pollOfflineTallyEdit is one edit of an offline tally, with the value before it.
type pollOfflineTallyEdit struct {
	ID             uint64 `gorm:"primaryKey"`
	TallyID        uint64
	PollID         uint64
	PreviousVoters *int64
	PreviousCounts *string
	PreviousAreas  *string
	Voters         int64
	Counts         string
	Areas          *string
	ChangedBy      uint64
	ChangedAt      time.Time
	UserName       string `gorm:"->;-:migration"`
}

func (pollOfflineTallyEdit) TableName() string { return "poll_offline_tally_edits" }

// OfflineTally is one offline source's current counts (points per option id, in the poll's
// method: votes, dots, Borda points or score points) with every edit that led to them. For an
// owners' poll the counts are owners by head and Areas the exclusive area (m²) behind them.
type OfflineTally struct {
	Source        string             `json:"source"`
	Voters        int64              `json:"voters"`
	Counts        map[string]int64   `json:"counts"`
	Areas         map[string]float64 `json:"areas,omitempty"`
	UpdatedBy     uint64             `json:"updated_by"`
	UpdatedByName string             `json:"updated_by_name"`
	UpdatedAt     time.Time          `json:"updated_at"`
	History       []OfflineTallyEdit `json:"history"`
}

// OfflineTallyEdit is one edit: the counts and voters before (null for the first entry) and
// after, who made it and when.
type OfflineTallyEdit struct {
	PreviousVoters *int64             `json:"previous_voters"`
	PreviousCounts map[string]int64   `json:"previous_counts"`
	PreviousAreas  map[string]float64 `json:"previous_areas,omitempty"`
	Voters         int64              `json:"voters"`
	Counts         map[string]int64   `json:"counts"`
	Areas          map[string]float64 `json:"areas,omitempty"`
	ChangedBy      uint64             `json:"changed_by"`
	ChangedByName  string             `json:"changed_by_name"`
	ChangedAt      time.Time          `json:"changed_at"`
}

// OfflineTallies are a poll's offline counts: the sum over its sources per option and in voters,
// and each source with its history.
type OfflineTallies struct {
	PollID uint64             `json:"poll_id"`
	Voters int64              `json:"voters"`
	Counts map[string]int64   `json:"counts"`
	Areas  map[string]float64 `json:"areas,omitempty"`
	Items  []OfflineTally     `json:"items"`
}

// OfflineTallyInput sets one source's counts: keys are option ids or, for an approval poll,
// yes, no and abstain. Voters defaults to the sum of the counts for approval and single choice
// polls, where each count is one person, and to 0 for the other methods. An owners' poll's
// paper ballots give per option the owners by head (Counts) and their exclusive area in m²
// (Areas, with the same keys); other polls take no areas.
type OfflineTallyInput struct {
	Source string
	Counts map[string]int64
	Areas  map[string]float64
	Voters *int64
}

// parseCounts turns the input's keys into option ids of the poll.
func parseCounts(p *Poll, in map[string]int64) (map[uint64]int64, error) {
	out := make(map[uint64]int64, len(in))
	for k, n := range in {
		id := optionOfKey(p, k)
		if id == 0 {
			return nil, FieldError("counts", "option_not_in_poll")
		}
		if _, dup := out[id]; dup {
			return nil, FieldError("counts", "duplicate_option")
		}
		if n < 0 || n > tally.MaxOfflineCount {
			return nil, FieldError("counts", "count_out_of_range")
		}
		out[id] = n
	}
	return out, nil
}

// optionOfKey finds the option an input key names — its id, or an approval option's key; 0 for
// none of the poll's.
func optionOfKey(p *Poll, k string) uint64 {
	id, err := strconv.ParseUint(k, 10, 63)
	if err != nil {
		id = 0
		for _, o := range p.Options {
			if o.OptionKey != "" && o.OptionKey == k {
				id = o.ID
			}
		}
	}
	if id == 0 || !slices.ContainsFunc(p.Options, func(o PollOption) bool { return o.ID == id }) {
		return 0
	}
	return id
}

// maxPointsPerVoter is the most points one voter can give in the poll, to check that offline
// counts fit the voters they stand for.
func maxPointsPerVoter(p *Poll) int64 {
	n := int64(len(p.Options))
	switch p.Method {
	case tally.Multi:
		return int64(p.MaxChoices)
	case tally.Dot:
		return int64(p.DotsPerVoter)
	case tally.Ranked:
		return n * (n - 1) / 2
	case tally.Score:
		return n * int64(p.ScoreMax)
	}
	return 1
}

func encodeCounts(c map[uint64]int64) string {
	b, _ := json.Marshal(c) // integer keys and values cannot fail
	return string(b)
}

func decodeCounts(s string) (map[uint64]int64, error) {
	out := map[uint64]int64{}
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("decode offline counts: %w", err)
	}
	return out, nil
}

func keyedCounts(c map[uint64]int64) map[string]int64 {
	out := make(map[string]int64, len(c))
	for id, n := range c {
		out[strconv.FormatUint(id, 10)] = n
	}
	return out
}

// SetOfflineTally records the counts of one offline source — paper ballots, a show of hands —
// replacing that source's earlier counts; they are kept apart from the online ballots and added
// to the totals. Every edit keeps the earlier value, who made it and when; setting the same
// counts again changes nothing. Facilitators and admins, while the poll is open in its phase.
func (s *Store) SetOfflineTally(ctx context.Context, a Actor, pollID uint64, in OfflineTallyInput) (*OfflineTallies, error) {
	source := strings.TrimSpace(in.Source)
	switch {
	case source == "":
		return nil, FieldError("source", "required")
	case utf8.RuneCountInString(source) > MaxOfflineSourceRunes:
		return nil, FieldError("source", "offline_source_too_long")
	case in.Voters != nil && (*in.Voters < 0 || *in.Voters > tally.MaxOfflineCount):
		return nil, FieldError("voters", "count_out_of_range")
	}
	err := s.managePoll(ctx, a, pollID, func(tx *Tx, p *Poll) error {
		if p.Eligibility == EligibleOwners {
			// Owners' paper ballots are entered unit by unit, so no owner is counted twice
			// (poll_paper.go).
			return Errorf(ECONFLICT, "owners_paper_per_unit")
		}
		if p.Status != PollOpen {
			return pollStateError(p.Status)
		}
		pl, err := readPollPlace(tx.DB, p)
		if err != nil {
			return err
		}
		if err := pl.requireActive(p); err != nil {
			return err
		}
		counts, err := parseCounts(p, in.Counts)
		if err != nil {
			return err
		}
		if err := parseAreas(in.Areas); err != nil {
			return err
		}
		var sum int64
		for _, n := range counts {
			sum += n
		}
		var voters int64
		switch {
		case in.Voters != nil:
			voters = *in.Voters
		case p.Method == tally.Approval || p.Method == tally.Single:
			voters = sum
		}
		if (in.Voters != nil || voters > 0) && sum > voters*maxPointsPerVoter(p) {
			return FieldError("counts", "counts_exceed_voters")
		}
		var cur pollOfflineTally
		err = tx.Where("poll_id = ? AND source = ?", p.ID, source).Limit(1).Find(&cur).Error
		if err != nil {
			return fmt.Errorf("read offline tally: %w", err)
		}
		old := map[uint64]int64{}
		if cur.ID != 0 {
			if old, err = decodeCounts(cur.Counts); err != nil {
				return err
			}
			if cur.Voters == voters && maps.Equal(dropZeros(old), dropZeros(counts)) {
				return nil
			}
		}
		now := tx.Now()
		edit := pollOfflineTallyEdit{PollID: p.ID, Voters: voters, Counts: encodeCounts(counts),
			ChangedBy: a.UserID, ChangedAt: now}
		if cur.ID == 0 {
			cur = pollOfflineTally{PollID: p.ID, Source: source, Voters: voters, Counts: edit.Counts,
				UpdatedBy: a.UserID, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&cur).Error; err != nil {
				return fmt.Errorf("create offline tally: %w", err)
			}
		} else {
			prevVoters, prevCounts := cur.Voters, cur.Counts
			edit.PreviousVoters, edit.PreviousCounts = &prevVoters, &prevCounts
			if err := tx.Model(&pollOfflineTally{}).Where("id = ?", cur.ID).Updates(map[string]any{
				"voters": voters, "counts": edit.Counts, "updated_by": a.UserID, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("update offline tally: %w", err)
			}
		}
		edit.TallyID = cur.ID
		if err := tx.Create(&edit).Error; err != nil {
			return fmt.Errorf("record offline tally edit: %w", err)
		}
		for _, o := range p.Options {
			d := counts[o.ID] - old[o.ID]
			if d == 0 {
				continue
			}
			if err := tx.Model(&PollOption{}).Where("id = ?", o.ID).Updates(map[string]any{
				"offline_points": gorm.Expr("offline_points + ?", d)}).Error; err != nil {
				return fmt.Errorf("update offline tally of option %d: %w", o.ID, err)
			}
		}
		if err := tx.Exec("UPDATE polls SET offline_voters = offline_voters + ? WHERE id = ?",
			voters-edit.previousVoters(), p.ID).Error; err != nil {
			return fmt.Errorf("count offline voters of poll %d: %w", p.ID, err)
		}
		payload := OfflineTallyPayload{CycleID: p.CycleID, MeetingID: p.MeetingID, PollID: p.ID, Source: source,
			Voters: voters, Counts: keyedCounts(counts), PreviousVoters: edit.PreviousVoters}
		if edit.PreviousCounts != nil {
			payload.PreviousCounts = keyedCounts(old)
		}
		// The counts go to the committee's log, which facilitators and the committee read; the
		// members' stream carries no count before the poll's visibility allows it.
		_, err = tx.AppendEvent(EventInput{CommunityID: p.CommunityID, Type: EvPollOfflineTallySet, SubjectType: "poll",
			SubjectID: p.ID, Actor: a.ref(), Visibility: VisCommittee, Payload: payload})
		return err
	})
	if err != nil {
		return nil, err
	}
	return offlineTallies(s.write.WithContext(ctx), pollID)
}

func (e *pollOfflineTallyEdit) previousVoters() int64 {
	if e.PreviousVoters == nil {
		return 0
	}
	return *e.PreviousVoters
}

func dropZeros(c map[uint64]int64) map[uint64]int64 {
	out := map[uint64]int64{}
	for k, v := range c {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// offlineSums adds up a poll's offline tallies per option (points and area) and in voters, from
// the tally rows.
func offlineSums(db *gorm.DB, pollID uint64) (map[uint64]int64, map[uint64]int64, int64, error) {
	var rows []pollOfflineTally
	if err := db.Where("poll_id = ?", pollID).Find(&rows).Error; err != nil {
		return nil, nil, 0, fmt.Errorf("read offline tallies of poll %d: %w", pollID, err)
	}
	sums, areas := map[uint64]int64{}, map[uint64]int64{}
	var voters int64
	for _, r := range rows {
		c, err := decodeCounts(r.Counts)
		if err != nil {
			return nil, nil, 0, err
		}
		for id, n := range c {
			sums[id] += n
		}
		ar, err := decodeAreas(r.Areas)
		if err != nil {
			return nil, nil, 0, err
		}
		for id, n := range ar {
			areas[id] += n
		}
		voters += r.Voters
	}
	return sums, areas, voters, nil
}

// OfflineTallies returns a poll's offline counts with their history to facilitators, admins and
// the committee. They are not hidden by the poll's visibility: they were counted in the room, and
// these are the people who enter and audit them.
func (s *Store) OfflineTallies(ctx context.Context, a Actor, pollID uint64) (*OfflineTallies, error) {
	var p Poll
	if err := s.rdb(ctx).Select("id", "community_id").Take(&p, pollID).Error; err != nil {
		return nil, notFound(err)
	}
	if _, err := s.readAccess(ctx, a, p.CommunityID, pollAuditors...); err != nil {
		return nil, err
	}
	return offlineTallies(s.rdb(ctx), pollID)
}

func offlineTallies(db *gorm.DB, pollID uint64) (*OfflineTallies, error) {
	out := &OfflineTallies{PollID: pollID, Items: []OfflineTally{}}
	var rows []pollOfflineTally
	if err := db.Table("poll_offline_tallies").Select("poll_offline_tallies.*, COALESCE(users.name, '') AS user_name").
		Joins("LEFT JOIN users ON users.id = poll_offline_tallies.updated_by").
		Where("poll_offline_tallies.poll_id = ?", pollID).Order("poll_offline_tallies.id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read offline tallies of poll %d: %w", pollID, err)
	}
	var edits []pollOfflineTallyEdit
	if err := db.Table("poll_offline_tally_edits").Select("poll_offline_tally_edits.*, COALESCE(users.name, '') AS user_name").
		Joins("LEFT JOIN users ON users.id = poll_offline_tally_edits.changed_by").
		Where("poll_offline_tally_edits.poll_id = ?", pollID).Order("poll_offline_tally_edits.id").Find(&edits).Error; err != nil {
		return nil, fmt.Errorf("read offline tally history of poll %d: %w", pollID, err)
	}
	sums, areaSums := map[uint64]int64{}, map[uint64]int64{}
	owners := false
	for _, r := range rows {
		c, err := decodeCounts(r.Counts)
		if err != nil {
			return nil, err
		}
		for id, n := range c {
			sums[id] += n
		}
		ar, err := decodeAreas(r.Areas)
		if err != nil {
			return nil, err
		}
		for id, n := range ar {
			areaSums[id] += n
		}
		owners = owners || r.Areas != nil
		out.Voters += r.Voters
		t := OfflineTally{Source: r.Source, Voters: r.Voters, Counts: keyedCounts(c), UpdatedBy: r.UpdatedBy,
			UpdatedByName: r.UserName, UpdatedAt: r.UpdatedAt, History: []OfflineTallyEdit{}}
		if r.Areas != nil {
			t.Areas = keyedAreas(ar)
		}
		for _, e := range edits {
			if e.TallyID != r.ID {
				continue
			}
			ec, err := decodeCounts(e.Counts)
			if err != nil {
				return nil, err
			}
			h := OfflineTallyEdit{PreviousVoters: e.PreviousVoters, Voters: e.Voters, Counts: keyedCounts(ec),
				ChangedBy: e.ChangedBy, ChangedByName: e.UserName, ChangedAt: e.ChangedAt}
			if h.Areas, h.PreviousAreas, err = editAreas(e); err != nil {
				return nil, err
			}
			if e.PreviousCounts != nil {
				pc, err := decodeCounts(*e.PreviousCounts)
				if err != nil {
					return nil, err
				}
				h.PreviousCounts = keyedCounts(pc)
			}
			t.History = append(t.History, h)
		}
		out.Items = append(out.Items, t)
	}
	out.Counts = keyedCounts(sums)
	if owners {
		out.Areas = keyedAreas(areaSums)
	}
	return out, nil
}
