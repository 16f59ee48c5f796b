package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/yueyuetan/yueyuetan/models/tally"
)

// Poll lifecycle, eligibility, weights, secrecy and results visibility (docs/domain.md "Voting").
const (
	PollDraft  = "draft"
	PollOpen   = "open"
	PollClosed = "closed"

	EligibleAttendees         = "attendees"          // signed in at the poll's meeting
	EligibleVerifiedResidents = "verified_residents" // verified members living in the cycle's compound
	EligibleMembers           = "members"            // verified members of the community
	EligibleOwners            = "owners"             // owners of exclusive units, by the poll's roll (poll_owners.go)

	WeightPerson    = "person"
	WeightHousehold = "household"  // one ballot a household
	WeightOwnerArea = "owner_area" // owners' polls: by head and by area

	SecrecyNamed  = "named"
	SecrecySecret = "secret"

	ResultsLive       = "live"
	ResultsAfterVote  = "after_vote"
	ResultsAfterClose = "after_close"

	// MaxPollTitleRunes is the longest poll title, in characters.
	MaxPollTitleRunes = 100
	// MaxPollQuorum bounds a poll's minimum number of voters.
	MaxPollQuorum = 100000
)

// Enumerations of a poll's settings, in the order the API documents them.
var (
	Eligibilities = []string{EligibleAttendees, EligibleVerifiedResidents, EligibleMembers, EligibleOwners}
	Weights       = []string{WeightPerson, WeightHousehold, WeightOwnerArea}
	Secrecies     = []string{SecrecyNamed, SecrecySecret}
	Visibilities  = []string{ResultsLive, ResultsAfterVote, ResultsAfterClose}
)

// approvalLabels name an approval poll's three fixed options.
var approvalLabels = map[string]string{tally.Yes: "赞成", tally.No: "反对", tally.Abstain: "弃权"}

// pollManagers create, open and close polls and enter offline counts.
var pollManagers = []string{RoleFacilitator, RoleAdmin}

// pollAuditors may compare a poll's running totals with a recount of its ballots and read the
// offline counts with their history.
var pollAuditors = []string{RoleFacilitator, RoleAdmin, RoleCommittee}

// Poll is one vote: topic selection on a cycle, or a dot vote or formal vote at a meeting.
// Options and rules are fixed once it opens.
type Poll struct {
	ID                uint64     `gorm:"primaryKey" json:"id"`
	CommunityID       uint64     `json:"community_id"`
	CycleID           uint64     `json:"cycle_id"`
	MeetingID         *uint64    `json:"meeting_id"`
	Title             string     `json:"title"`
	Method            string     `json:"method"`
	MaxChoices        int        `json:"max_choices"`
	DotsPerVoter      int        `json:"dots_per_voter"`
	MaxDotsPerOption  int        `json:"max_dots_per_option"`
	ScoreMax          int        `json:"score_max"`
	Eligibility       string     `json:"eligibility"`
	Weight            string     `json:"weight"`
	Secrecy           string     `json:"secrecy"`
	ResultsVisibility string     `json:"results_visibility"`
	Rule              string     `json:"rule"`
	Quorum            int        `json:"quorum"`
	Status            string     `json:"status"`
	OfflineVoters     int64      `json:"-"`
	CreatedBy         uint64     `json:"created_by"`
	OpenedAt          *time.Time `json:"opened_at"`
	OpenedBy          *uint64    `json:"-"`
	ClosedAt          *time.Time `json:"closed_at"`
	ClosedBy          *uint64    `json:"-"`
	Result            *string    `json:"-"`
	ClosedEventID     *uint64    `json:"closed_event_id"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	// Filled for responses.
	Options []PollOption `gorm:"-" json:"options"`
	Voters  int64        `gorm:"-" json:"voters"`
	Me      *PollViewer  `gorm:"-" json:"me"`
	// OwnerBase is an owners' poll's scope and base; null for other polls.
	OwnerBase *OwnerPollBase `gorm:"-" json:"owner_base"`
}

// TableName pins the table.
func (Poll) TableName() string { return "polls" }

// PollOption is one option of a poll, optionally standing for a card group, a card or a topic
// of the same meeting or cycle. Its tallies are not shown here: results show them, as the
// poll's visibility allows.
type PollOption struct {
	ID            uint64  `gorm:"primaryKey" json:"id"`
	PollID        uint64  `json:"-"`
	Position      int     `json:"position"`
	Label         string  `json:"label"`
	OptionKey     string  `json:"key"`
	ClusterID     *uint64 `json:"cluster_id"`
	CardID        *uint64 `json:"card_id"`
	TopicID       *uint64 `json:"topic_id"`
	OfflinePoints int64   `json:"-"`
	OfflineArea   int64   `json:"-"`
}

// TableName pins the table.
func (PollOption) TableName() string { return "poll_options" }

// tallyShards is how many rows each option's running tally is spread over: a ballot adds to one
// of them at random, so that concurrent ballots seldom wait for each other's rows, and a result
// sums them.
const tallyShards = 16

// pollOptionTally is one shard of an option's running online tally. OnlineVoters counts the
// ballots first counted on this row: each new ballot adds 1 to one row of the poll (its first
// option with points, or the poll's first option), so the poll's voters are the sum. The offline
// columns hold an owners' poll's paper ballots entered unit by unit (poll_paper.go): heads, the
// area behind them and, on the chosen option's row, the owner.
type pollOptionTally struct {
	OptionID         uint64 `gorm:"primaryKey;autoIncrement:false"`
	Shard            int    `gorm:"primaryKey;autoIncrement:false"`
	PollID           uint64
	OnlinePoints     int64
	OnlineSupporters int64
	OnlineArea       int64
	OnlineVoters     int64
	OfflinePoints    int64
	OfflineArea      int64
	OfflineVoters    int64
}

func (pollOptionTally) TableName() string { return "poll_option_tallies" }

// PollViewer is what a poll means for the one asking.
type PollViewer struct {
	// Eligible: the caller may take part (their own ballot or their household's).
	Eligible bool `json:"eligible"`
	// Voted: the caller (or, for household weight, their household) has voted.
	Voted bool `json:"voted"`
	// VotedOnPaper: in an owners' poll, the caller's paper ballot was entered (they vote no more).
	VotedOnPaper bool `json:"voted_on_paper"`
	// CanVote: the poll is open and the caller may cast a ballot now, or change their named one.
	CanVote bool `json:"can_vote"`
	// ResultsVisible: the counts may be shown to the caller now.
	ResultsVisible bool `json:"results_visible"`
	// CanManage: the caller may open and close the poll and enter offline counts.
	CanManage bool `json:"can_manage"`
	// Stake: in an owners' poll, the caller's units in its roll and the area their ballot weighs.
	Stake *OwnerPollStake `json:"stake,omitempty"`
}

// spec is what counting needs of the poll.
func (p *Poll) spec() tally.Spec {
	s := tally.Spec{Method: p.Method, MaxChoices: p.MaxChoices, DotsPerVoter: p.DotsPerVoter,
		MaxDotsPerOption: p.MaxDotsPerOption, ScoreMax: p.ScoreMax}
	for _, o := range p.Options {
		s.Options = append(s.Options, tally.Option{ID: o.ID, Key: o.OptionKey})
	}
	return s
}

// refs are the references every poll event carries, so that the meeting's stream (by meeting,
// or by cycle for a cycle's poll) and a card's timeline find it.
func (p *Poll) refs() PollPayload {
	return PollPayload{CycleID: p.CycleID, MeetingID: p.MeetingID, PollID: p.ID}
}

// countsVisible says whether the counts may be shown to a viewer who has (or has not) voted.
func (p *Poll) countsVisible(voted bool) bool {
	switch {
	case p.Status == PollClosed:
		return true
	case p.Status != PollOpen:
		return false
	case p.Secrecy == SecrecySecret:
		// Never before the close, whatever a poll made before that rule says
		// (docs/ballot-secrecy.md).
		return false
	case p.ResultsVisibility == ResultsLive:
		return true
	case p.ResultsVisibility == ResultsAfterVote:
		return voted
	}
	return false
}

// pollPlace is the state of a poll's cycle and meeting that gates it.
type pollPlace struct {
	Phase         string
	CompoundID    uint64
	MeetingStatus *string
}

func readPollPlace(db *gorm.DB, p *Poll) (*pollPlace, error) {
	var pl pollPlace
	var meetingID uint64
	if p.MeetingID != nil {
		meetingID = *p.MeetingID
	}
	err := db.Table("cycles").Select("cycles.phase, cycles.compound_id, meetings.status AS meeting_status").
		Joins("LEFT JOIN meetings ON meetings.id = ?", meetingID).Where("cycles.id = ?", p.CycleID).Take(&pl).Error
	if err != nil {
		return nil, fmt.Errorf("read cycle of poll %d: %w", p.ID, err)
	}
	return &pl, nil
}

// requireActive checks the phase a poll runs in (stepRules): a meeting's poll while its cycle
// holds the round table and the meeting has not ended; an owners' poll (on the cycle) at the round
// table and while the cycle forms its resolutions — an owners' ballot can take weeks after the
// meeting; any other cycle's poll (topic selection) while the cycle selects its topic.
func (pl *pollPlace) requireActive(p *Poll) error {
	switch {
	case p.Eligibility == EligibleOwners:
		return allowStep(StepOwnersPoll, pl.Phase, "")
	case p.MeetingID == nil:
		return allowStep(StepTopicPoll, pl.Phase, "")
	}
	status := MeetingScheduled
	if pl.MeetingStatus != nil {
		status = *pl.MeetingStatus
	}
	return allowStep(StepMeetingPoll, pl.Phase, status)
}

// pollStateError names why a poll that is not open cannot take a step.
func pollStateError(status string) error {
	if status == PollClosed {
		return Errorf(ECONFLICT, "poll_closed")
	}
	return Errorf(ECONFLICT, "poll_not_open")
}

// loadOptions reads a poll's options in order.
func (p *Poll) loadOptions(db *gorm.DB) error {
	p.Options = []PollOption{}
	if err := db.Where("poll_id = ?", p.ID).Order("position").Find(&p.Options).Error; err != nil {
		return fmt.Errorf("read options of poll %d: %w", p.ID, err)
	}
	return nil
}

// findPoll reads a poll with its options.
func findPoll(db *gorm.DB, id uint64) (*Poll, error) {
	var p Poll
	if err := db.Take(&p, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &p, p.loadOptions(db)
}

// PollInput creates a poll. Nil limits take the method's defaults (3 dots, as many on one
// option; scores 0..5); the rule of an approval poll defaults to simple_majority.
type PollInput struct {
	Title             string
	Method            string
	Options           []PollOptionInput
	MaxChoices        *int
	DotsPerVoter      *int
	MaxDotsPerOption  *int
	ScoreMax          *int
	Eligibility       string
	Weight            string
	Secrecy           string
	ResultsVisibility string
	Rule              *string
	Quorum            int
	// BuildingIDs limit an owners' poll to some buildings of the cycle's compound (an elevator
	// retrofit is voted per stairwell); none means the whole compound.
	BuildingIDs []uint64
}

// PollOptionInput is one option: free text, or a card group of the meeting, a card or a topic
// of the cycle, whose label (or the card's text) it takes when no label is given.
type PollOptionInput struct {
	Label     string
	ClusterID *uint64
	CardID    *uint64
	TopicID   *uint64
}

// check validates what needs no database and fills the defaults.
func (in *PollInput) check(meetingPoll bool) (*Poll, error) {
	p := &Poll{Title: strings.TrimSpace(in.Title), Method: in.Method, Eligibility: in.Eligibility, Weight: in.Weight,
		Secrecy: in.Secrecy, ResultsVisibility: in.ResultsVisibility, Quorum: in.Quorum, Status: PollDraft}
	val := func(v *int) int {
		if v == nil {
			return 0
		}
		return *v
	}
	p.MaxChoices, p.DotsPerVoter, p.MaxDotsPerOption, p.ScoreMax = val(in.MaxChoices), val(in.DotsPerVoter),
		val(in.MaxDotsPerOption), val(in.ScoreMax)
	switch p.Method {
	case tally.Dot:
		if in.DotsPerVoter == nil {
			p.DotsPerVoter = tally.DefaultDots
		}
		if in.MaxDotsPerOption == nil {
			p.MaxDotsPerOption = p.DotsPerVoter
		}
	case tally.Score:
		if in.ScoreMax == nil {
			p.ScoreMax = tally.DefaultScoreMax
		}
	}
	switch {
	case p.Title == "":
		return nil, FieldError("title", "required")
	case utf8.RuneCountInString(p.Title) > MaxPollTitleRunes:
		return nil, FieldError("title", "poll_title_too_long")
	case p.Method == "":
		return nil, FieldError("method", "poll_method_required")
	case !slices.Contains(tally.Methods, p.Method):
		return nil, FieldError("method", "unknown_poll_method")
	case !slices.Contains(Eligibilities, p.Eligibility):
		return nil, FieldError("eligibility", "unknown_eligibility")
	case !slices.Contains(Weights, p.Weight):
		return nil, FieldError("weight", "unknown_weight")
	case !slices.Contains(Secrecies, p.Secrecy):
		return nil, FieldError("secrecy", "unknown_secrecy")
	case !slices.Contains(Visibilities, p.ResultsVisibility):
		return nil, FieldError("results_visibility", "unknown_visibility")
	case p.Secrecy == SecrecySecret && p.ResultsVisibility != ResultsAfterClose:
		// Counts that move while a secret poll is open give each ballot away to anyone who sees
		// who voted when (docs/ballot-secrecy.md): only the turnout shows until the close.
		return nil, FieldError("results_visibility", "secret_results_after_close")
	case p.Quorum < 0 || p.Quorum > MaxPollQuorum:
		return nil, FieldError("quorum", "quorum_range")
	case p.Eligibility == EligibleOwners && meetingPoll:
		// An owners' ballot outlasts the meeting and covers owners who were not there.
		return nil, FieldError("eligibility", "owners_poll_on_cycle")
	case p.Eligibility == EligibleOwners && p.Weight != WeightOwnerArea:
		return nil, FieldError("weight", "owners_need_owner_area")
	case p.Eligibility == EligibleOwners && p.Method != tally.Approval:
		return nil, FieldError("method", "owners_need_approval")
	case p.Weight == WeightOwnerArea && p.Eligibility != EligibleOwners:
		return nil, FieldError("weight", "owner_area_needs_owners")
	case len(in.BuildingIDs) > 0 && p.Eligibility != EligibleOwners:
		return nil, FieldError("building_ids", "buildings_need_owners")
	case len(in.BuildingIDs) > MaxPollBuildings:
		return nil, FieldError("building_ids", "too_many_buildings")
	case p.Eligibility == EligibleAttendees && !meetingPoll:
		return nil, FieldError("eligibility", "attendees_need_meeting")
	case p.Method == tally.Approval && len(in.Options) > 0:
		return nil, FieldError("options", "approval_fixed_options")
	case p.Method != tally.Approval && len(in.Options) < tally.MinChoiceOptions:
		return nil, FieldError("options", "too_few_options")
	case len(in.Options) > tally.MaxOptions:
		return nil, FieldError("options", "too_many_options")
	}
	if in.Rule != nil {
		p.Rule = *in.Rule
	} else if p.Method == tally.Approval {
		p.Rule = tally.SimpleMajority
	}
	switch {
	case p.Rule == "":
	case !slices.Contains(tally.Rules, p.Rule):
		return nil, FieldError("rule", "unknown_rule")
	case p.Method != tally.Approval:
		return nil, FieldError("rule", "rule_needs_approval")
	case tally.Is278(p.Rule) && p.Eligibility != EligibleOwners:
		return nil, FieldError("rule", "rule_needs_owners")
	case !tally.Is278(p.Rule) && p.Eligibility == EligibleOwners:
		return nil, FieldError("rule", "owners_need_278_rule")
	case p.Rule == tally.MajorityOfAttendees && !meetingPoll:
		return nil, FieldError("rule", "rule_needs_meeting")
	}
	return p, nil
}

// CreateMeetingPoll drafts a poll at a round table — a dot vote on the card groups, a formal
// vote on a motion; facilitators and admins, while the cycle holds the round table and the
// meeting has not ended.
func (s *Store) CreateMeetingPoll(ctx context.Context, a Actor, meetingID uint64, in PollInput) (*Poll, error) {
	var m Meeting
	if err := s.rdb(ctx).Select("id", "cycle_id", "community_id").Take(&m, meetingID).Error; err != nil {
		return nil, notFound(err)
	}
	return s.createPoll(ctx, a, m.CycleID, &m.ID, in)
}

// CreateCyclePoll drafts a cycle's poll: its topic selection poll while the cycle selects its
// topic, or an owners' poll at the round table and while the cycle forms its resolutions;
// facilitators and admins.
func (s *Store) CreateCyclePoll(ctx context.Context, a Actor, cycleID uint64, in PollInput) (*Poll, error) {
	return s.createPoll(ctx, a, cycleID, nil, in)
}

func (s *Store) createPoll(ctx context.Context, a Actor, cycleID uint64, meetingID *uint64, in PollInput) (*Poll, error) {
	var id uint64
	err := s.tx(ctx, func(tx *Tx) error {
		cy, err := tx.lockCycle(cycleID)
		if err != nil {
			return err
		}
		if _, err := tx.writeAccess(a, cy.CommunityID, pollManagers...); err != nil {
			return err
		}
		p, err := in.check(meetingID != nil)
		if err != nil {
			return err
		}
		p.CommunityID, p.CycleID, p.MeetingID, p.CreatedBy = cy.CommunityID, cy.ID, meetingID, a.UserID
		pl, err := readPollPlace(tx.DB, p)
		if err != nil {
			return err
		}
		if err := pl.requireActive(p); err != nil {
			return err
		}
		var scope OwnerScope
		if p.Eligibility == EligibleOwners {
			if scope, err = checkOwnerPoll(tx, pl, in.BuildingIDs); err != nil {
				return err
			}
		}
		opts, err := resolveOptions(tx, p, in.Options)
		if err != nil {
			return err
		}
		p.Options = opts
		probe := p.spec()
		for i := range probe.Options {
			probe.Options[i].ID = uint64(i + 1) // the check needs distinct ids, not the real ones
		}
		if err := probe.Check(); err != nil {
			return tallyError(err)
		}
		if err := tx.Omit("Options", "Voters", "Me", "OfflineVoters").Create(p).Error; err != nil {
			return fmt.Errorf("create poll: %w", err)
		}
		for i := range p.Options {
			p.Options[i].PollID = p.ID
			if err := tx.Create(&p.Options[i]).Error; err != nil {
				return fmt.Errorf("create poll option: %w", err)
			}
		}
		id = p.ID
		payload := PollCreatedPayload{CycleID: p.CycleID, MeetingID: p.MeetingID, PollID: p.ID, Title: p.Title,
			Method: p.Method, Options: len(p.Options), Eligibility: p.Eligibility, Weight: p.Weight, Secrecy: p.Secrecy,
			ResultsVisibility: p.ResultsVisibility, Rule: p.Rule, Quorum: p.Quorum}
		if p.Eligibility == EligibleOwners {
			if err := createOwnerScope(tx, p.ID, scope); err != nil {
				return err
			}
			payload.CompoundID, payload.BuildingIDs = ptr(scope.CompoundID), ptr(scope.BuildingIDs)
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: p.CommunityID, Type: EvPollCreated, SubjectType: "poll",
			SubjectID: p.ID, Actor: a.ref(), Visibility: VisMembers, Payload: payload})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.pollView(s.write.WithContext(ctx), a, id)
}

// tallyError turns a counting rule broken into a field error.
func tallyError(err error) error {
	var inv *tally.Invalid
	if errors.As(err, &inv) {
		return &Error{Code: EINVALID, Reason: "invalid_input", Fields: map[string]string{inv.Field: inv.Rule}}
	}
	return err
}

// resolveOptions makes the poll's options: an approval poll's three fixed ones, or the given
// ones, each checked to belong to the poll's meeting (groups) or cycle (cards, topics) and
// labelled from what it links when no label is given. Two options may not be the same.
func resolveOptions(tx *Tx, p *Poll, in []PollOptionInput) ([]PollOption, error) {
	if p.Method == tally.Approval {
		out := make([]PollOption, 0, 3)
		for i, k := range tally.ApprovalKeys {
			out = append(out, PollOption{Position: i + 1, Label: approvalLabels[k], OptionKey: k})
		}
		return out, nil
	}
	out := make([]PollOption, 0, len(in))
	seen := map[string]bool{}
	for i, o := range in {
		field := func(name string) string { return fmt.Sprintf("options[%d].%s", i, name) }
		links := 0
		for _, l := range []*uint64{o.ClusterID, o.CardID, o.TopicID} {
			if l != nil {
				links++
			}
		}
		if links > 1 {
			return nil, &Error{Code: EINVALID, Reason: "invalid_input", Fields: map[string]string{fmt.Sprintf("options[%d]", i): "one_link"}}
		}
		opt := PollOption{Position: i + 1, Label: strings.TrimSpace(o.Label), ClusterID: o.ClusterID, CardID: o.CardID, TopicID: o.TopicID}
		var from, key string
		switch {
		case o.ClusterID != nil:
			var c Cluster
			if p.MeetingID == nil || tx.Where("id = ? AND meeting_id = ? AND dissolved_at IS NULL", *o.ClusterID, *p.MeetingID).
				Take(&c).Error != nil {
				return nil, fieldErr(field("cluster_id"), "cluster_not_in_meeting")
			}
			from, key = c.Label, fmt.Sprintf("cluster:%d", c.ID)
		case o.CardID != nil:
			var c Card
			if tx.Select("id", "body").Where("id = ? AND cycle_id = ? AND status = ?", *o.CardID, p.CycleID, CardVisible).
				Take(&c).Error != nil {
				return nil, fieldErr(field("card_id"), "card_not_in_cycle")
			}
			from, key = c.Body, fmt.Sprintf("card:%d", c.ID)
		case o.TopicID != nil:
			var t Topic
			if tx.Select("id", "title").Where("id = ? AND cycle_id = ? AND status NOT IN ?", *o.TopicID, p.CycleID,
				[]string{TopicMerged, TopicRejected}).Take(&t).Error != nil {
				return nil, fieldErr(field("topic_id"), "topic_not_in_cycle")
			}
			from, key = t.Title, fmt.Sprintf("topic:%d", t.ID)
		}
		if opt.Label == "" {
			opt.Label = truncateRunes(strings.TrimSpace(from), tally.MaxOptionLabel)
		}
		switch {
		case opt.Label == "":
			return nil, fieldErr(field("label"), "required")
		case utf8.RuneCountInString(opt.Label) > tally.MaxOptionLabel:
			return nil, fieldErr(field("label"), "option_label_too_long")
		}
		if key == "" {
			key = "label:" + opt.Label
		}
		if seen[key] || seen["label:"+opt.Label] {
			return nil, fieldErr(fmt.Sprintf("options[%d]", i), "duplicate_option")
		}
		seen[key], seen["label:"+opt.Label] = true, true
		out = append(out, opt)
	}
	return out, nil
}

// fieldErr is FieldError for a computed field path.
func fieldErr(field, rule string) *Error {
	return &Error{Code: EINVALID, Reason: "invalid_input", Fields: map[string]string{field: rule}}
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// pollView reads a poll for a member of its community: options, voter count and what it means
// for them.
func (s *Store) pollView(db *gorm.DB, a Actor, id uint64) (*Poll, error) {
	p, err := findPoll(db, id)
	if err != nil {
		return nil, err
	}
	acc, err := access(db, a, p.CommunityID)
	if err != nil {
		return nil, err
	}
	return p, p.fillView(db, a, acc)
}

// fillView adds the voter count and the viewer's standing.
func (p *Poll) fillView(db *gorm.DB, a Actor, acc *Access) error {
	online, err := onlineVoters(db, p.ID)
	if err != nil {
		return err
	}
	p.Voters = online + p.OfflineVoters
	me := &PollViewer{CanManage: acc.Has(pollManagers...)}
	f, err := readBallotFacts(db, p, a.UserID)
	if err != nil {
		return err
	}
	pl := f.place()
	v, verr := voterOf(p, f, a)
	switch {
	case verr == nil:
		me.Eligible = true
		if me.Voted, err = hasReceipt(db, p.ID, v.Key); err != nil {
			return err
		}
		if !me.Voted && p.Eligibility == EligibleOwners {
			if me.Voted, err = votedOnPaper(db, p.ID, a.UserID); err != nil {
				return err
			}
			me.VotedOnPaper = me.Voted
		}
		me.CanVote = p.Status == PollOpen && pl.requireActive(p) == nil &&
			(!me.Voted || p.Secrecy == SecrecyNamed) && !me.VotedOnPaper
		if p.Eligibility == EligibleOwners {
			if me.Stake, err = pollStakeOf(db, p, a.UserID); err != nil {
				return err
			}
		}
	case ErrorCode(verr) == EINTERNAL:
		return verr
	}
	me.ResultsVisible = p.countsVisible(me.Voted)
	p.Me = me
	if p.Eligibility == EligibleOwners {
		if p.OwnerBase, err = pollOwnerBase(db, p); err != nil {
			return err
		}
	}
	return nil
}

// GetPoll returns a poll to members of its community.
func (s *Store) GetPoll(ctx context.Context, a Actor, id uint64) (*Poll, error) {
	return s.pollView(s.rdb(ctx), a, id)
}

// ListMeetingPolls lists a meeting's polls in the order they were made, to members.
func (s *Store) ListMeetingPolls(ctx context.Context, a Actor, meetingID uint64) ([]Poll, error) {
	var m Meeting
	if err := s.rdb(ctx).Select("id", "community_id").Take(&m, meetingID).Error; err != nil {
		return nil, notFound(err)
	}
	return s.listPolls(ctx, a, m.CommunityID, "meeting_id = ?", meetingID)
}

// ListCyclePolls lists every poll of a cycle — its topic selection and its meetings' polls — to
// members.
func (s *Store) ListCyclePolls(ctx context.Context, a Actor, cycleID uint64) ([]Poll, error) {
	var c Cycle
	if err := s.rdb(ctx).Select("id", "community_id").Take(&c, cycleID).Error; err != nil {
		return nil, notFound(err)
	}
	return s.listPolls(ctx, a, c.CommunityID, "cycle_id = ?", cycleID)
}

func (s *Store) listPolls(ctx context.Context, a Actor, communityID uint64, where string, id uint64) ([]Poll, error) {
	db := s.rdb(ctx)
	acc, err := access(db, a, communityID)
	if err != nil {
		return nil, err
	}
	var out []Poll
	if err := db.Where(where, id).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list polls: %w", err)
	}
	for i := range out {
		if err := out[i].loadOptions(db); err != nil {
			return nil, err
		}
		if err := out[i].fillView(db, a, acc); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// managePoll runs fn in a transaction on a poll read with its row locked, once the actor is
// known to manage polls in its community and its cycle is not archived. The poll's row is locked first: a ballot share-locks
// it, so what fn reads after waiting for the lock includes every ballot committed before.
func (s *Store) managePoll(ctx context.Context, a Actor, id uint64, fn func(tx *Tx, p *Poll) error) error {
	return s.tx(ctx, func(tx *Tx) error {
		var p Poll
		if err := tx.forUpdate().Take(&p, id).Error; err != nil {
			return notFound(err)
		}
		if _, err := tx.writeAccess(a, p.CommunityID, pollManagers...); err != nil {
			return err
		}
		if err := p.loadOptions(tx.forUpdate()); err != nil {
			return err
		}
		pl, err := readPollPlace(tx.DB, &p)
		if err != nil {
			return err
		}
		if err := requireNotArchived(pl.Phase); err != nil {
			return err
		}
		return fn(tx, &p)
	})
}

// OpenPoll opens a draft poll for ballots; from then its options and rules stay as they are, and
// an owners' poll's roll and base are frozen from the register (poll_owners.go). Facilitators and
// admins, in the poll's phase. Opening an open poll changes nothing.
func (s *Store) OpenPoll(ctx context.Context, a Actor, id uint64) (*Poll, error) {
	err := s.managePoll(ctx, a, id, func(tx *Tx, p *Poll) error {
		switch p.Status {
		case PollOpen:
			return nil
		case PollClosed:
			return pollStateError(p.Status)
		}
		pl, err := readPollPlace(tx.DB, p)
		if err != nil {
			return err
		}
		if err := pl.requireActive(p); err != nil {
			return err
		}
		payload := PollOpenedPayload{CycleID: p.CycleID, MeetingID: p.MeetingID, PollID: p.ID}
		if p.Eligibility == EligibleOwners {
			base, err := freezeOwnerRoll(tx, p)
			if err != nil {
				return err
			}
			payload.OwnerBase = base
		}
		now := tx.Now()
		if err := tx.Model(&Poll{}).Where("id = ? AND status = ?", p.ID, PollDraft).
			Updates(map[string]any{"status": PollOpen, "opened_at": now, "opened_by": a.UserID, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("open poll %d: %w", id, err)
		}
		if err := createShards(tx, p); err != nil {
			return err
		}
		if _, err := tx.AppendEvent(EventInput{CommunityID: p.CommunityID, Type: EvPollOpened, SubjectType: "poll",
			SubjectID: p.ID, Actor: a.ref(), Visibility: VisMembers, Payload: payload}); err != nil {
			return err
		}
		if err := cardPollEvents(tx, a, p, EvCardPolled, nil); err != nil {
			return err
		}
		return notifyPolledCards(tx, a, p)
	})
	if err != nil {
		return nil, err
	}
	return s.pollView(s.write.WithContext(ctx), a, id)
}

// createShards makes an opened poll's running tallies, all zero: tallyShards rows for each
// option, in one statement.
func createShards(tx *Tx, p *Poll) error {
	tallies := make([]pollOptionTally, 0, tallyShards*len(p.Options))
	for sh := range tallyShards {
		for _, o := range p.Options {
			tallies = append(tallies, pollOptionTally{OptionID: o.ID, Shard: sh, PollID: p.ID})
		}
	}
	if err := tx.Create(&tallies).Error; err != nil {
		return fmt.Errorf("create tallies of poll %d: %w", p.ID, err)
	}
	return nil
}

// cardPollEvents tells the timeline of every card an option stands for — itself, or the cards of
// its group — that the card was put to a vote, or how the vote came out.
func cardPollEvents(tx *Tx, a Actor, p *Poll, typ EventType, res *tally.Result) error {
	for _, o := range p.Options {
		var cards []uint64
		switch {
		case o.CardID != nil:
			cards = []uint64{*o.CardID}
		case o.ClusterID != nil:
			if err := tx.Table("cluster_cards").Where("cluster_id = ?", *o.ClusterID).Order("card_id").
				Pluck("card_id", &cards).Error; err != nil {
				return fmt.Errorf("read cards of group %d: %w", *o.ClusterID, err)
			}
		}
		for _, c := range cards {
			payload := CardPollPayload{CycleID: p.CycleID, MeetingID: p.MeetingID, PollID: p.ID, OptionID: o.ID, Title: p.Title}
			if res != nil {
				for _, r := range res.Options {
					if r.ID == o.ID {
						payload.Total, payload.Rank = ptr(r.Total), ptr(r.Rank)
					}
				}
			}
			if _, err := tx.AppendEvent(EventInput{CommunityID: p.CommunityID, Type: typ, SubjectType: "card", SubjectID: c,
				Actor: a.ref(), Visibility: VisMembers, Payload: payload}); err != nil {
				return err
			}
		}
	}
	return nil
}

// ClosePoll ends an open poll: it computes the result from the running totals, stores it with the
// poll.closed event that carries it into the log, and tells linked cards; a secret poll's tallies
// and receipts are sealed in the same transaction (poll_secret.go). Facilitators and admins, in
// any phase but closed (a vote can always be ended until the cycle is archived). Closing a closed
// poll changes nothing.
func (s *Store) ClosePoll(ctx context.Context, a Actor, id uint64) (*PollResult, error) {
	sealed := false
	err := s.managePoll(ctx, a, id, func(tx *Tx, p *Poll) error {
		sealed = false
		switch p.Status {
		case PollClosed:
			return nil
		case PollDraft:
			return pollStateError(p.Status)
		}
		pl, err := readPollPlace(tx.DB, p)
		if err != nil {
			return err
		}
		if err := allowStep(StepClosePoll, pl.Phase, ""); err != nil {
			return err
		}
		// The tallies are read with their rows locked: a locking read sees the latest rows, which
		// after the poll's lock include every ballot committed.
		in, err := resultInput(tx.DB, tx.forUpdate().Session(&gorm.Session{}), p)
		if err != nil {
			return err
		}
		res := tally.Compute(*in)
		now := tx.Now()
		stored := storedResult{ComputedAt: now, Input: *in, Result: res}
		payload := PollClosedPayload{CycleID: p.CycleID, MeetingID: p.MeetingID, PollID: p.ID, Result: res, Input: stored.Input}
		if p.Eligibility == EligibleOwners {
			// The base the result was measured against goes with it, into the poll and the log.
			if stored.OwnerBase, err = pollOwnerBase(tx.DB, p); err != nil {
				return err
			}
			payload.OwnerBase = stored.OwnerBase
		}
		ev, err := tx.AppendEvent(EventInput{CommunityID: p.CommunityID, Type: EvPollClosed, SubjectType: "poll",
			SubjectID: p.ID, Actor: a.ref(), Visibility: VisMembers, Payload: payload})
		if err != nil {
			return err
		}
		raw, err := stored.encode()
		if err != nil {
			return err
		}
		if err := tx.Model(&Poll{}).Where("id = ? AND status = ?", p.ID, PollOpen).Updates(map[string]any{
			"status": PollClosed, "closed_at": now, "closed_by": a.UserID, "result": raw, "closed_event_id": ev.ID,
			"updated_at": now}).Error; err != nil {
			return fmt.Errorf("close poll %d: %w", id, err)
		}
		if p.Secrecy == SecrecySecret {
			sealed = true
			if err := sealSecretPoll(tx, p); err != nil {
				return err
			}
		}
		return cardPollEvents(tx, a, p, EvCardPollClosed, &res)
	})
	if err != nil {
		return nil, err
	}
	if sealed {
		s.afterSecretClose(ctx)
	}
	return s.PollResults(ctx, a, id, false)
}
