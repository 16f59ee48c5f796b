// Package tally counts polls (docs/domain.md "Voting"): it checks a ballot against its poll's
// method, turns it into points per option, and decides a motion under its pass rule with the
// figures the rule used. It is pure — no database, no clock — so that the rules read as code and
// are tested as tables; the models package stores ballots and running totals and calls it.
//
// Counting, per method (n is the number of options):
//   - approval: one of yes, no, abstain; one point to it.
//   - single: one option; one point.
//   - multi: 1..MaxChoices distinct options; one point each.
//   - dot: DotsPerVoter dots spread over the options, at most MaxDotsPerOption on one; each dot
//     is a point. Fewer dots than allowed may be placed; at least one must be.
//   - ranked (Borda): a ranking of 1..n distinct options; the first gets n-1 points, the second
//     n-2, …, the last of a full ranking 0. A partial ranking counts the same way for the options
//     it names, and every option it leaves out gets 0 — as if they all tied at the bottom — so a
//     voter cannot give more points by ranking fewer options.
//   - score: a score 0..ScoreMax for one or more options; an option left out scores 0.
//
// Weights: a ballot carries one head and, for owners' polls, the area of the voter's exclusive
// units in hundredths of a square metre (an owner of several units counts once, areas summed);
// each option adds points × area to its area tally.
package tally

import (
	"slices"
	"sort"
)

// Methods.
const (
	Approval = "approval"
	Single   = "single"
	Multi    = "multi"
	Dot      = "dot"
	Ranked   = "ranked"
	Score    = "score"
)

// Methods lists every method, in the order the API documents them.
var Methods = []string{Approval, Single, Multi, Dot, Ranked, Score}

// The three fixed options of an approval poll, in order.
const (
	Yes     = "yes"
	No      = "no"
	Abstain = "abstain"
)

// ApprovalKeys are the keys of an approval poll's options, in order.
var ApprovalKeys = []string{Yes, No, Abstain}

// Limits of a poll's configuration.
const (
	MaxOptions       = 50
	MaxDots          = 100
	MaxScore         = 10
	DefaultDots      = 3
	DefaultScoreMax  = 5
	MaxOfflineCount  = 1_000_000
	MaxOptionLabel   = 100
	MinChoiceOptions = 2
)

// Invalid is a ballot or configuration that breaks a rule: Field names the input field, Rule the
// stable rule key (the models package turns it into a field error).
type Invalid struct {
	Field, Rule string
}

func (e *Invalid) Error() string { return e.Field + ": " + e.Rule }

func invalid(field, rule string) *Invalid { return &Invalid{Field: field, Rule: rule} }

// Option is one option of a poll as counting sees it: its id and, for approval polls, its key.
type Option struct {
	ID  uint64
	Key string
}

// Spec is what counting needs of a poll: its method, options in order and limits.
type Spec struct {
	Method           string
	Options          []Option
	MaxChoices       int
	DotsPerVoter     int
	MaxDotsPerOption int
	ScoreMax         int
}

// Ballot is a voter's choice in the shape of one method; exactly the method's field is set
// (approval also takes OptionID, the id of its yes, no or abstain option).
type Ballot struct {
	Choice    string
	OptionID  *uint64
	OptionIDs []uint64
	Dots      map[uint64]int64
	Ranking   []uint64
	Scores    map[uint64]int64
}

// Points are a ballot's points per option; options with no points are absent.
type Points map[uint64]int64

func (s Spec) has(id uint64) bool {
	return slices.ContainsFunc(s.Options, func(o Option) bool { return o.ID == id })
}

// keyed returns the option of an approval key.
func (s Spec) keyed(key string) (uint64, bool) {
	for _, o := range s.Options {
		if o.Key == key && key != "" {
			return o.ID, true
		}
	}
	return 0, false
}

// shape names the fields a ballot sets.
func (b Ballot) shape() []string {
	var set []string
	if b.Choice != "" {
		set = append(set, "choice")
	}
	if b.OptionID != nil {
		set = append(set, "option_id")
	}
	if b.OptionIDs != nil {
		set = append(set, "option_ids")
	}
	if b.Dots != nil {
		set = append(set, "dots")
	}
	if b.Ranking != nil {
		set = append(set, "ranking")
	}
	if b.Scores != nil {
		set = append(set, "scores")
	}
	return set
}

// field is the ballot field a method takes.
func field(method string) string {
	switch method {
	case Approval:
		return "choice"
	case Single:
		return "option_id"
	case Multi:
		return "option_ids"
	case Dot:
		return "dots"
	case Ranked:
		return "ranking"
	}
	return "scores"
}

// Count checks a ballot against the poll and returns its points. Errors are *Invalid with the
// field and one of the rules: wrong_shape (a field of another method, or none),
// option_not_in_poll, duplicate_option, too_many_choices, too_many_dots,
// too_many_dots_on_option, no_dots, dots_negative, score_out_of_range, empty_ballot,
// unknown_choice.
func (s Spec) Count(b Ballot) (Points, error) {
	want := field(s.Method)
	set := b.shape()
	if s.Method == Approval && len(set) == 1 && set[0] == "option_id" {
		want = "option_id"
	}
	if len(set) != 1 || set[0] != want {
		return nil, invalid(field(s.Method), "wrong_shape")
	}
	p := Points{}
	switch s.Method {
	case Approval:
		id, ok := s.keyed(b.Choice)
		if b.OptionID != nil {
			id, ok = *b.OptionID, s.has(*b.OptionID)
			if !ok {
				return nil, invalid("option_id", "option_not_in_poll")
			}
		} else if !ok {
			return nil, invalid("choice", "unknown_choice")
		}
		p[id] = 1
	case Single:
		if !s.has(*b.OptionID) {
			return nil, invalid("option_id", "option_not_in_poll")
		}
		p[*b.OptionID] = 1
	case Multi:
		if len(b.OptionIDs) == 0 {
			return nil, invalid("option_ids", "empty_ballot")
		}
		if len(b.OptionIDs) > s.MaxChoices {
			return nil, invalid("option_ids", "too_many_choices")
		}
		for _, id := range b.OptionIDs {
			if !s.has(id) {
				return nil, invalid("option_ids", "option_not_in_poll")
			}
			if p[id] > 0 {
				return nil, invalid("option_ids", "duplicate_option")
			}
			p[id] = 1
		}
	case Dot:
		var sum int64
		for id, n := range b.Dots {
			switch {
			case !s.has(id):
				return nil, invalid("dots", "option_not_in_poll")
			case n < 0:
				return nil, invalid("dots", "dots_negative")
			case n > int64(s.MaxDotsPerOption):
				return nil, invalid("dots", "too_many_dots_on_option")
			}
			sum += n
			if n > 0 {
				p[id] = n
			}
		}
		switch {
		case sum > int64(s.DotsPerVoter):
			return nil, invalid("dots", "too_many_dots")
		case sum == 0:
			return nil, invalid("dots", "no_dots")
		}
	case Ranked:
		if len(b.Ranking) == 0 {
			return nil, invalid("ranking", "empty_ballot")
		}
		n := int64(len(s.Options))
		seen := map[uint64]bool{}
		for i, id := range b.Ranking {
			if !s.has(id) {
				return nil, invalid("ranking", "option_not_in_poll")
			}
			if seen[id] {
				return nil, invalid("ranking", "duplicate_option")
			}
			seen[id] = true
			if pts := n - 1 - int64(i); pts > 0 {
				p[id] = pts
			}
		}
	case Score:
		if len(b.Scores) == 0 {
			return nil, invalid("scores", "empty_ballot")
		}
		for id, n := range b.Scores {
			switch {
			case !s.has(id):
				return nil, invalid("scores", "option_not_in_poll")
			case n < 0 || n > int64(s.ScoreMax):
				return nil, invalid("scores", "score_out_of_range")
			}
			if n > 0 {
				p[id] = n
			}
		}
	default:
		return nil, invalid("method", "unknown_poll_method")
	}
	return p, nil
}

// Ballot turns stored points back into the shape the voter sent, for showing a named ballot to
// its voter. A score ballot comes back with every option, 0 for those left out; a ranking comes
// back without its last option when that got no points (it reads the same).
func (s Spec) Ballot(p Points) Ballot {
	ids := make([]uint64, 0, len(p))
	for id := range p {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return s.position(ids[i]) < s.position(ids[j]) })
	switch s.Method {
	case Approval:
		for _, o := range s.Options {
			if p[o.ID] > 0 {
				return Ballot{Choice: o.Key}
			}
		}
	case Single:
		if len(ids) > 0 {
			return Ballot{OptionID: &ids[0]}
		}
	case Multi:
		return Ballot{OptionIDs: ids}
	case Dot:
		return Ballot{Dots: map[uint64]int64(p)}
	case Ranked:
		sort.SliceStable(ids, func(i, j int) bool { return p[ids[i]] > p[ids[j]] })
		return Ballot{Ranking: ids}
	case Score:
		scores := make(map[uint64]int64, len(s.Options))
		for _, o := range s.Options {
			scores[o.ID] = p[o.ID]
		}
		return Ballot{Scores: scores}
	}
	return Ballot{}
}

func (s Spec) position(id uint64) int {
	return slices.IndexFunc(s.Options, func(o Option) bool { return o.ID == id })
}

// Check validates a poll's configuration before it is stored. Options must already be there
// (an approval poll's three fixed ones included). Errors are *Invalid.
func (s Spec) Check() error {
	n := len(s.Options)
	switch s.Method {
	case Approval:
		if n != 3 {
			return invalid("options", "approval_fixed_options")
		}
	case Single, Multi, Dot, Ranked, Score:
		if n < MinChoiceOptions {
			return invalid("options", "too_few_options")
		}
		if n > MaxOptions {
			return invalid("options", "too_many_options")
		}
	default:
		return invalid("method", "unknown_poll_method")
	}
	if s.Method != Multi && s.MaxChoices != 0 {
		return invalid("max_choices", "not_for_method")
	}
	if s.Method != Dot && (s.DotsPerVoter != 0 || s.MaxDotsPerOption != 0) {
		if s.DotsPerVoter != 0 {
			return invalid("dots_per_voter", "not_for_method")
		}
		return invalid("max_dots_per_option", "not_for_method")
	}
	if s.Method != Score && s.ScoreMax != 0 {
		return invalid("score_max", "not_for_method")
	}
	switch s.Method {
	case Multi:
		if s.MaxChoices < 1 || s.MaxChoices > n {
			return invalid("max_choices", "max_choices_range")
		}
	case Dot:
		if s.DotsPerVoter < 1 || s.DotsPerVoter > MaxDots {
			return invalid("dots_per_voter", "dots_range")
		}
		if s.MaxDotsPerOption < 1 || s.MaxDotsPerOption > s.DotsPerVoter {
			return invalid("max_dots_per_option", "dots_per_option_range")
		}
	case Score:
		if s.ScoreMax < 1 || s.ScoreMax > MaxScore {
			return invalid("score_max", "score_max_range")
		}
	}
	return nil
}

// Line is one option's running tally: points, voters who gave it any (supporters) and the area
// behind its points (owners' polls; hundredths of m²).
type Line struct {
	Points     int64 `json:"points"`
	Supporters int64 `json:"supporters"`
	Area       int64 `json:"area"`
}

// Delta is the change a new, changed or withdrawn ballot makes to the running tallies: per
// option the points, supporters and area to add (negative to take away).
type Delta map[uint64]Line

// Diff is what replacing the ballot old (nil for none) by new (nil for none), each of the given
// area, changes in the tallies.
func Diff(old Points, oldArea int64, new Points, newArea int64) Delta {
	d := Delta{}
	add := func(p Points, area, sign int64) {
		for id, n := range p {
			if n == 0 {
				continue
			}
			l := d[id]
			l.Points += sign * n
			l.Supporters += sign
			l.Area += sign * n * area
			d[id] = l
		}
	}
	add(old, oldArea, -1)
	add(new, newArea, 1)
	for id, l := range d {
		if l == (Line{}) {
			delete(d, id)
		}
	}
	return d
}

// IDs are the delta's options in ascending order: the order rows are locked in.
func (d Delta) IDs() []uint64 {
	ids := make([]uint64, 0, len(d))
	for id := range d {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Totals accumulates ballots into lines, for a recount from stored ballots.
type Totals map[uint64]Line

// Add counts one ballot.
func (t Totals) Add(p Points, area int64) {
	for id, l := range Diff(nil, 0, p, area) {
		cur := t[id]
		cur.Points += l.Points
		cur.Supporters += l.Supporters
		cur.Area += l.Area
		t[id] = cur
	}
}
