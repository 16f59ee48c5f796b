package tally

import (
	"math"
	"sort"
)

// Pass rules of a motion (an approval poll). No rule ("") decides nothing: the poll ranks its
// options.
//
//   - simple_majority: yes > no; abstentions are not counted (Robert's rules as used in Chinese
//     community councils). A tie fails; all abstaining fails.
//   - majority_of_attendees: yes > half of the meeting's attendees (everyone signed in, walk-ins
//     included), i.e. 2·yes > attendees; abstaining and not voting count against.
//   - two_thirds: yes ≥ 2/3 of the votes cast for or against, i.e. 3·yes ≥ 2·(yes + no), with
//     at least one such vote; abstentions are not counted; exactly 2/3 passes.
//   - civil_code_278_ordinary, civil_code_278_major (民法典第278条): the owners taking part
//     (voting yes, no or abstain) hold ≥ 2/3 of the exclusive area and are ≥ 2/3 of the owners
//     by head (3·part ≥ 2·eligible, for both); then an ordinary matter passes with more than half
//     of the participating area and of the participating owners (2·yes > part, both), a major
//     one (raising the maintenance fund, rebuilding, changing the use of common parts) with at
//     least three quarters of both (4·yes ≥ 3·part). Areas are in hundredths of a square metre
//     and every comparison is in integers, so the thresholds are exact.
const (
	SimpleMajority       = "simple_majority"
	MajorityOfAttendees  = "majority_of_attendees"
	TwoThirds            = "two_thirds"
	CivilCode278Ordinary = "civil_code_278_ordinary"
	CivilCode278Major    = "civil_code_278_major"
)

// Rules lists every pass rule.
var Rules = []string{SimpleMajority, MajorityOfAttendees, TwoThirds, CivilCode278Ordinary, CivilCode278Major}

// Why a result is not quorate (Result.QuorumReason).
const (
	QuorumMeeting = "meeting_quorum" // fewer signed in at the meeting than its quorum
	QuorumPoll    = "poll_quorum"    // fewer voters than the poll's own quorum
	QuorumOwners  = "owners_participation"
)

// Is278 reports a Civil Code art. 278 rule, which counts owners by head and by area.
func Is278(rule string) bool { return rule == CivilCode278Ordinary || rule == CivilCode278Major }

// OptionInput is one option's running tallies.
type OptionInput struct {
	ID      uint64 `json:"id"`
	Key     string `json:"key,omitempty"`
	Label   string `json:"label"`
	Online  Line   `json:"online"`
	Offline Line   `json:"offline"`
}

// Input is everything a result is computed from. It is the same live (from the running totals)
// and at close, and for a recount (from the ballot rows).
type Input struct {
	Method string `json:"method"`
	Rule   string `json:"rule"`
	// Quorum is the least number of voters (online and offline); 0 needs none.
	Quorum        int64         `json:"quorum"`
	Options       []OptionInput `json:"options"`
	OnlineVoters  int64         `json:"online_voters"`
	OfflineVoters int64         `json:"offline_voters"`
	// Eligible is how many may vote (persons or households); 0 when unknown.
	Eligible int64 `json:"eligible"`
	// Attendees is the meeting's sign-in count, for majority_of_attendees and the meeting's
	// quorum: the count when the result was computed (at the close, for a closed poll).
	Attendees int64 `json:"attendees"`
	// MeetingQuorum is how many must be signed in at the meeting for its formal votes to count
	// (0: the meeting needs none). A motion with a rule taken below it does not pass.
	MeetingQuorum int64 `json:"meeting_quorum,omitempty"`
	// EligibleOwners and EligibleArea (hundredths of m²) are the owners' register's figures,
	// for the 278 rules.
	EligibleOwners int64 `json:"eligible_owners"`
	EligibleArea   int64 `json:"eligible_area"`
}

// OptionResult is one option of a result: the one definition of an option's figures, stored
// with the result and the poll.closed event, and shown by the results API and the projector wall
// through models.ResultOption (which nulls them while hidden).
type OptionResult struct {
	ID         uint64  `json:"id"`
	Key        string  `json:"key,omitempty"`
	Label      string  `json:"label"`
	Online     int64   `json:"online"`
	Offline    int64   `json:"offline"`
	Total      int64   `json:"total"`
	Share      float64 `json:"share"`
	Supporters int64   `json:"supporters"`
	Rank       int     `json:"rank"`
	// Area figures of owners' polls, in m².
	OnlineArea  *float64 `json:"online_area,omitempty"`
	OfflineArea *float64 `json:"offline_area,omitempty"`
	TotalArea   *float64 `json:"total_area,omitempty"`
}

// Decision is how a motion's rule was applied, with every figure it used, so that the committee
// can check it by hand.
type Decision struct {
	Rule string `json:"rule"`
	// Threshold states the rule as the comparison made.
	Threshold string `json:"threshold"`
	Yes       int64  `json:"yes"`
	No        int64  `json:"no"`
	Abstain   int64  `json:"abstain"`
	// Attendees is set for majority_of_attendees and when the meeting has a quorum.
	Attendees *int64 `json:"attendees,omitempty"`
	// MeetingQuorum is the meeting's quorum the attendance was held against, when it has one.
	MeetingQuorum *int64 `json:"meeting_quorum,omitempty"`
	// MajorityMet is whether the votes meet the rule, quorum aside; Passed needs both.
	MajorityMet bool `json:"majority_met"`
	QuorumMet   bool `json:"quorum_met"`
	Passed      bool `json:"passed"`
	// Owners holds the 278 figures.
	Owners *OwnerFigures `json:"owners,omitempty"`
}

// OwnerFigures are the Civil Code art. 278 figures: owners by head and exclusive area (m²),
// eligible, taking part and approving, with each threshold's outcome.
type OwnerFigures struct {
	EligibleOwners       int64   `json:"eligible_owners"`
	EligibleArea         float64 `json:"eligible_area"`
	ParticipatingOwners  int64   `json:"participating_owners"`
	ParticipatingArea    float64 `json:"participating_area"`
	ApprovingOwners      int64   `json:"approving_owners"`
	ApprovingArea        float64 `json:"approving_area"`
	ParticipationByHead  bool    `json:"participation_by_head_met"`
	ParticipationByArea  bool    `json:"participation_by_area_met"`
	ApprovalByHead       bool    `json:"approval_by_head_met"`
	ApprovalByArea       bool    `json:"approval_by_area_met"`
	ParticipationRequire string  `json:"participation_threshold"`
	ApprovalRequire      string  `json:"approval_threshold"`
}

// Result is a poll's outcome: per option the online, offline and total counts and the share of
// all points; voters, turnout and quorum; and, for a motion with a rule, the decision.
type Result struct {
	Voters        int64    `json:"voters"`
	OnlineVoters  int64    `json:"online_voters"`
	OfflineVoters int64    `json:"offline_voters"`
	Eligible      int64    `json:"eligible"`
	Turnout       *float64 `json:"turnout"`
	Quorum        int64    `json:"quorum"`
	QuorumMet     bool     `json:"quorum_met"`
	// QuorumReason says which quorum was missed (QuorumMeeting, QuorumPoll, QuorumOwners); empty
	// when the result is quorate.
	QuorumReason string         `json:"quorum_reason,omitempty"`
	Passed       *bool          `json:"passed"`
	Options      []OptionResult `json:"options"`
	Decision     *Decision      `json:"decision"`
}

// M2 converts hundredths of a square metre to square metres.
func M2(centi int64) float64 { return float64(centi) / 100 }

// ratio is a/b rounded to 4 decimals, 0 when b is 0.
func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(float64(a)/float64(b)*10000) / 10000
}

// Compute makes a poll's result from its tallies. It costs O(options): it never looks at a
// ballot.
func Compute(in Input) Result {
	r := Result{OnlineVoters: in.OnlineVoters, OfflineVoters: in.OfflineVoters, Eligible: in.Eligible,
		Quorum: in.Quorum, Options: make([]OptionResult, 0, len(in.Options))}
	r.Voters = in.OnlineVoters + in.OfflineVoters
	if in.Eligible > 0 {
		t := ratio(r.Voters, in.Eligible)
		r.Turnout = &t
	}
	var sum int64
	owners := Is278(in.Rule)
	for _, o := range in.Options {
		or := OptionResult{ID: o.ID, Key: o.Key, Label: o.Label, Online: o.Online.Points, Offline: o.Offline.Points,
			Total: o.Online.Points + o.Offline.Points, Supporters: o.Online.Supporters + o.Offline.Supporters}
		if owners {
			on, off, tot := M2(o.Online.Area), M2(o.Offline.Area), M2(o.Online.Area+o.Offline.Area)
			or.OnlineArea, or.OfflineArea, or.TotalArea = &on, &off, &tot
		}
		sum += or.Total
		r.Options = append(r.Options, or)
	}
	for i := range r.Options {
		r.Options[i].Share = ratio(r.Options[i].Total, sum)
	}
	rank(r.Options)
	r.QuorumMet = in.Quorum == 0 || r.Voters >= in.Quorum
	if !r.QuorumMet {
		r.QuorumReason = QuorumPoll
	}
	if in.Method == Approval && in.Rule != "" {
		d := decide(in)
		switch {
		case !d.QuorumMet:
			r.QuorumReason = QuorumOwners
		case in.MeetingQuorum > 0:
			// A motion is judged against the meeting's quorum with the attendance of the moment
			// the result is computed: the close, for the result that is kept.
			att, q := in.Attendees, in.MeetingQuorum
			d.Attendees, d.MeetingQuorum = &att, &q
			if att < q {
				d.QuorumMet = false
				r.QuorumReason = QuorumMeeting
			}
		}
		d.QuorumMet = d.QuorumMet && r.QuorumMet
		d.Passed = d.MajorityMet && d.QuorumMet
		r.QuorumMet = d.QuorumMet
		r.Decision = &d
		r.Passed = &d.Passed
	}
	return r
}

// rank gives competition ranks ("1224") by total, highest first; ties share a rank.
func rank(opts []OptionResult) {
	idx := make([]int, len(opts))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return opts[idx[a]].Total > opts[idx[b]].Total })
	for pos, i := range idx {
		if pos > 0 && opts[i].Total == opts[idx[pos-1]].Total {
			opts[i].Rank = opts[idx[pos-1]].Rank
		} else {
			opts[i].Rank = pos + 1
		}
	}
}

// keyLine finds the tallies of the approval option with the key.
func keyLine(in Input, key string) (Line, Line) {
	for _, o := range in.Options {
		if o.Key == key {
			return o.Online, o.Offline
		}
	}
	return Line{}, Line{}
}

// decide applies a motion's rule. QuorumMet is set for the 278 participation rule and true
// otherwise; Compute adds the poll's minimum number of voters.
func decide(in Input) Decision {
	total := func(key string) (heads, area int64) {
		on, off := keyLine(in, key)
		return on.Points + off.Points, on.Area + off.Area
	}
	yes, yesArea := total(Yes)
	no, noArea := total(No)
	abstain, abstainArea := total(Abstain)
	d := Decision{Rule: in.Rule, Yes: yes, No: no, Abstain: abstain, QuorumMet: true}
	switch in.Rule {
	case SimpleMajority:
		d.Threshold = "yes > no"
		d.MajorityMet = yes > no
	case MajorityOfAttendees:
		att := in.Attendees
		d.Attendees = &att
		d.Threshold = "2 × yes > attendees"
		d.MajorityMet = 2*yes > att
	case TwoThirds:
		d.Threshold = "3 × yes ≥ 2 × (yes + no), yes + no > 0"
		d.MajorityMet = yes+no > 0 && 3*yes >= 2*(yes+no)
	case CivilCode278Ordinary, CivilCode278Major:
		partHeads := yes + no + abstain
		partArea := yesArea + noArea + abstainArea
		f := OwnerFigures{EligibleOwners: in.EligibleOwners, EligibleArea: M2(in.EligibleArea),
			ParticipatingOwners: partHeads, ParticipatingArea: M2(partArea),
			ApprovingOwners: yes, ApprovingArea: M2(yesArea),
			ParticipationRequire: "3 × participating ≥ 2 × eligible, by head and by area"}
		f.ParticipationByHead = in.EligibleOwners > 0 && 3*partHeads >= 2*in.EligibleOwners
		f.ParticipationByArea = in.EligibleArea > 0 && 3*partArea >= 2*in.EligibleArea
		if in.Rule == CivilCode278Ordinary {
			f.ApprovalRequire = "2 × approving > participating, by head and by area"
			f.ApprovalByHead = 2*yes > partHeads
			f.ApprovalByArea = 2*yesArea > partArea
			d.Threshold = "participation ≥ 2/3 of owners and of area; yes > 1/2 of participating owners and of participating area"
		} else {
			f.ApprovalRequire = "4 × approving ≥ 3 × participating, by head and by area"
			f.ApprovalByHead = partHeads > 0 && 4*yes >= 3*partHeads
			f.ApprovalByArea = partArea > 0 && 4*yesArea >= 3*partArea
			d.Threshold = "participation ≥ 2/3 of owners and of area; yes ≥ 3/4 of participating owners and of participating area"
		}
		d.QuorumMet = f.ParticipationByHead && f.ParticipationByArea
		d.MajorityMet = f.ApprovalByHead && f.ApprovalByArea
		d.Owners = &f
	}
	return d
}
