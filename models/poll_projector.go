package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/yueyuetan/yueyuetan/models/tally"
)

// WallPoll is the poll mode of the wall: one poll of the meeting as the room may see it. Its
// title, method, status and turnout always; the counts per option and the outcome only when the
// poll's results visibility makes them public — live polls at once, the others once closed (an
// after_vote poll shows nothing before the close: the wall has not voted). It names no voter,
// and carries the figures of the same result GET /polls/:id/results answers.
type WallPoll struct {
	ID                uint64 `json:"id"`
	Title             string `json:"title"`
	Method            string `json:"method"`
	Status            string `json:"status"`
	Rule              string `json:"rule"`
	Secrecy           string `json:"secrecy"`
	ResultsVisibility string `json:"results_visibility"`
	// Consultation marks a motion voted at the round table: its outcome is a consultation
	// (协商) opinion, not an owners' decision (docs/domain.md).
	Consultation     bool `json:"consultation"`
	MaxChoices       int  `json:"max_choices"`
	DotsPerVoter     int  `json:"dots_per_voter"`
	MaxDotsPerOption int  `json:"max_dots_per_option"`
	ScoreMax         int  `json:"score_max"`
	// Voters are online and offline together; Eligible is 0 when unknown.
	Voters        int64    `json:"voters"`
	OfflineVoters int64    `json:"offline_voters"`
	Eligible      int64    `json:"eligible"`
	Turnout       *float64 `json:"turnout"`
	Quorum        int64    `json:"quorum"`
	QuorumMet     bool     `json:"quorum_met"`
	QuorumReason  string   `json:"quorum_reason,omitempty"`
	// CountsVisible says whether the options' counts, passed and decision are filled.
	CountsVisible bool `json:"counts_visible"`
	// Options are the poll's options as the wall shows them: the label always, the counts
	// (online and offline apart, their total and share of all points, the rank) only while they
	// may be shown, and no supporters or areas.
	Options  []ResultOption  `json:"options"`
	Passed   *bool           `json:"passed"`
	Decision *tally.Decision `json:"decision"`
}

// checkWallPoll checks that a poll may go on a meeting's wall: it is a poll of that meeting. A
// poll of another meeting, of a cycle, of another community or none at all is the same field
// error, so the answer tells nothing of other meetings' polls.
func checkWallPoll(db *gorm.DB, m *Meeting, pollID uint64) error {
	var n int64
	if err := db.Model(&Poll{}).Where("id = ? AND meeting_id = ?", pollID, m.ID).Count(&n).Error; err != nil {
		return fmt.Errorf("read poll %d: %w", pollID, err)
	}
	if n == 0 {
		return FieldError("poll_id", "poll_unknown")
	}
	return nil
}

// wallPoll reads a poll of the meeting as the wall shows it. Its result is the engine's: the one
// stored at close, or computed now from the running totals, read in one transaction so that the
// figures agree with each other; the counts show as they would to someone who has not voted.
func wallPoll(db *gorm.DB, m *Meeting, pollID uint64, now time.Time) (*WallPoll, error) {
	var out *WallPoll
	err := db.Transaction(func(db *gorm.DB) error {
		var ps []Poll
		if err := db.Where("id = ? AND meeting_id = ?", pollID, m.ID).Limit(1).Find(&ps).Error; err != nil {
			return fmt.Errorf("read wall poll %d: %w", pollID, err)
		}
		if len(ps) == 0 {
			return nil
		}
		p := &ps[0]
		if err := p.loadOptions(db); err != nil {
			return err
		}
		sr, _, err := currentResult(db, p, now)
		if err != nil {
			return err
		}
		out = wallPollOf(p, newPollResult(p, sr.Result, p.countsVisible(false)))
		return nil
	})
	return out, err
}

// wallPollOf keeps of a poll's result what the wall may show.
func wallPollOf(p *Poll, r *PollResult) *WallPoll {
	w := &WallPoll{ID: p.ID, Title: p.Title, Method: p.Method, Status: p.Status, Rule: p.Rule, Secrecy: p.Secrecy,
		ResultsVisibility: p.ResultsVisibility, Consultation: p.Method == tally.Approval,
		MaxChoices: p.MaxChoices, DotsPerVoter: p.DotsPerVoter, MaxDotsPerOption: p.MaxDotsPerOption, ScoreMax: p.ScoreMax,
		Voters: r.Voters, OfflineVoters: r.OfflineVoters, Eligible: r.Eligible, Turnout: r.Turnout, Quorum: r.Quorum,
		QuorumMet: r.QuorumMet, QuorumReason: r.QuorumReason, CountsVisible: r.CountsVisible, Options: make([]ResultOption, 0, len(r.Options)),
		Passed: r.Passed, Decision: r.Decision}
	for _, o := range r.Options {
		o.wall = true
		w.Options = append(w.Options, o)
	}
	return w
}
