package tally_test

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/yueyuetan/yueyuetan/models/tally"
)

func opts(ids ...uint64) []tally.Option {
	out := make([]tally.Option, len(ids))
	for i, id := range ids {
		out[i] = tally.Option{ID: id}
	}
	return out
}

var approval = tally.Spec{Method: tally.Approval, Options: []tally.Option{{ID: 1, Key: tally.Yes}, {ID: 2, Key: tally.No}, {ID: 3, Key: tally.Abstain}}}

func u(v uint64) *uint64 { return &v }

func rule(err error) string {
	var inv *tally.Invalid
	if errors.As(err, &inv) {
		return inv.Field + ":" + inv.Rule
	}
	if err != nil {
		return "other:" + err.Error()
	}
	return ""
}

func TestSpec_Count(t *testing.T) {
	t.Parallel()
	single := tally.Spec{Method: tally.Single, Options: opts(10, 11, 12)}
	multi := tally.Spec{Method: tally.Multi, Options: opts(10, 11, 12, 13), MaxChoices: 2}
	dot := tally.Spec{Method: tally.Dot, Options: opts(10, 11, 12), DotsPerVoter: 5, MaxDotsPerOption: 3}
	ranked := tally.Spec{Method: tally.Ranked, Options: opts(10, 11, 12, 13)}
	score := tally.Spec{Method: tally.Score, Options: opts(10, 11, 12), ScoreMax: 5}
	cases := []struct {
		name string
		spec tally.Spec
		b    tally.Ballot
		want tally.Points
		err  string
	}{
		{"approval yes", approval, tally.Ballot{Choice: "yes"}, tally.Points{1: 1}, ""},
		{"approval abstain", approval, tally.Ballot{Choice: "abstain"}, tally.Points{3: 1}, ""},
		{"approval by option id", approval, tally.Ballot{OptionID: u(2)}, tally.Points{2: 1}, ""},
		{"approval unknown choice", approval, tally.Ballot{Choice: "maybe"}, nil, "choice:unknown_choice"},
		{"approval option of another poll", approval, tally.Ballot{OptionID: u(99)}, nil, "option_id:option_not_in_poll"},
		{"approval wrong shape", approval, tally.Ballot{OptionIDs: []uint64{1}}, nil, "choice:wrong_shape"},
		{"approval two fields", approval, tally.Ballot{Choice: "yes", OptionID: u(1)}, nil, "choice:wrong_shape"},
		{"approval empty", approval, tally.Ballot{}, nil, "choice:wrong_shape"},
		{"single", single, tally.Ballot{OptionID: u(11)}, tally.Points{11: 1}, ""},
		{"single other poll", single, tally.Ballot{OptionID: u(1)}, nil, "option_id:option_not_in_poll"},
		{"single choice field", single, tally.Ballot{Choice: "yes"}, nil, "option_id:wrong_shape"},
		{"multi", multi, tally.Ballot{OptionIDs: []uint64{13, 10}}, tally.Points{10: 1, 13: 1}, ""},
		{"multi too many", multi, tally.Ballot{OptionIDs: []uint64{10, 11, 12}}, nil, "option_ids:too_many_choices"},
		{"multi duplicate", multi, tally.Ballot{OptionIDs: []uint64{10, 10}}, nil, "option_ids:duplicate_option"},
		{"multi empty", multi, tally.Ballot{OptionIDs: []uint64{}}, nil, "option_ids:empty_ballot"},
		{"multi other poll", multi, tally.Ballot{OptionIDs: []uint64{10, 5}}, nil, "option_ids:option_not_in_poll"},
		{"dot", dot, tally.Ballot{Dots: map[uint64]int64{10: 3, 12: 2}}, tally.Points{10: 3, 12: 2}, ""},
		{"dot fewer than allowed", dot, tally.Ballot{Dots: map[uint64]int64{11: 1, 12: 0}}, tally.Points{11: 1}, ""},
		{"dot too many", dot, tally.Ballot{Dots: map[uint64]int64{10: 3, 11: 3}}, nil, "dots:too_many_dots"},
		{"dot too many on one", dot, tally.Ballot{Dots: map[uint64]int64{10: 4}}, nil, "dots:too_many_dots_on_option"},
		{"dot negative", dot, tally.Ballot{Dots: map[uint64]int64{10: 3, 11: -1}}, nil, "dots:dots_negative"},
		{"dot none", dot, tally.Ballot{Dots: map[uint64]int64{10: 0}}, nil, "dots:no_dots"},
		{"dot other poll", dot, tally.Ballot{Dots: map[uint64]int64{99: 1}}, nil, "dots:option_not_in_poll"},
		{"ranked full", ranked, tally.Ballot{Ranking: []uint64{12, 10, 13, 11}}, tally.Points{12: 3, 10: 2, 13: 1}, ""},
		{"ranked partial", ranked, tally.Ballot{Ranking: []uint64{11, 13}}, tally.Points{11: 3, 13: 2}, ""},
		{"ranked duplicate", ranked, tally.Ballot{Ranking: []uint64{11, 11}}, nil, "ranking:duplicate_option"},
		{"ranked empty", ranked, tally.Ballot{Ranking: []uint64{}}, nil, "ranking:empty_ballot"},
		{"ranked other poll", ranked, tally.Ballot{Ranking: []uint64{1}}, nil, "ranking:option_not_in_poll"},
		{"score", score, tally.Ballot{Scores: map[uint64]int64{10: 5, 11: 0, 12: 2}}, tally.Points{10: 5, 12: 2}, ""},
		{"score too high", score, tally.Ballot{Scores: map[uint64]int64{10: 6}}, nil, "scores:score_out_of_range"},
		{"score negative", score, tally.Ballot{Scores: map[uint64]int64{10: -1}}, nil, "scores:score_out_of_range"},
		{"score empty", score, tally.Ballot{Scores: map[uint64]int64{}}, nil, "scores:empty_ballot"},
		{"score dots field", score, tally.Ballot{Dots: map[uint64]int64{10: 1}}, nil, "scores:wrong_shape"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.spec.Count(c.b)
			if r := rule(err); r != c.err {
				t.Fatalf("err=%q, want %q", r, c.err)
			}
			if c.err == "" && !reflect.DeepEqual(got, c.want) {
				t.Fatalf("points=%v, want %v", got, c.want)
			}
		})
	}
}

// TestSpec_BallotRoundTrip: a named ballot shown back to its voter counts the same again.
func TestSpec_BallotRoundTrip(t *testing.T) {
	t.Parallel()
	specs := []tally.Spec{approval,
		{Method: tally.Single, Options: opts(10, 11, 12)},
		{Method: tally.Multi, Options: opts(10, 11, 12, 13), MaxChoices: 3},
		{Method: tally.Dot, Options: opts(10, 11, 12), DotsPerVoter: 5, MaxDotsPerOption: 3},
		{Method: tally.Ranked, Options: opts(10, 11, 12, 13)},
		{Method: tally.Score, Options: opts(10, 11, 12), ScoreMax: 5}}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range specs {
		for range 200 {
			b := randomBallot(rng, s)
			p, err := s.Count(b)
			if err != nil {
				t.Fatalf("%s: random ballot %+v refused: %v", s.Method, b, err)
			}
			again, err := s.Count(s.Ballot(p))
			if err != nil || !reflect.DeepEqual(again, p) {
				t.Fatalf("%s: %v shown as %+v counts %v (err %v)", s.Method, p, s.Ballot(p), again, err)
			}
		}
	}
}

func TestSpec_Check(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		spec tally.Spec
		err  string
	}{
		{"approval", approval, ""},
		{"approval with options", tally.Spec{Method: tally.Approval, Options: opts(1, 2)}, "options:approval_fixed_options"},
		{"single", tally.Spec{Method: tally.Single, Options: opts(1, 2)}, ""},
		{"one option", tally.Spec{Method: tally.Single, Options: opts(1)}, "options:too_few_options"},
		{"too many options", tally.Spec{Method: tally.Ranked, Options: opts(make([]uint64, 51)...)}, "options:too_many_options"},
		{"unknown method", tally.Spec{Method: "lottery", Options: opts(1, 2)}, "method:unknown_poll_method"},
		{"multi", tally.Spec{Method: tally.Multi, Options: opts(1, 2, 3), MaxChoices: 3}, ""},
		{"multi no max", tally.Spec{Method: tally.Multi, Options: opts(1, 2, 3)}, "max_choices:max_choices_range"},
		{"multi max too big", tally.Spec{Method: tally.Multi, Options: opts(1, 2, 3), MaxChoices: 4}, "max_choices:max_choices_range"},
		{"max choices on single", tally.Spec{Method: tally.Single, Options: opts(1, 2), MaxChoices: 1}, "max_choices:not_for_method"},
		{"dot", tally.Spec{Method: tally.Dot, Options: opts(1, 2), DotsPerVoter: 5, MaxDotsPerOption: 2}, ""},
		{"dot per option above total", tally.Spec{Method: tally.Dot, Options: opts(1, 2), DotsPerVoter: 2, MaxDotsPerOption: 3}, "max_dots_per_option:dots_per_option_range"},
		{"dot none", tally.Spec{Method: tally.Dot, Options: opts(1, 2), MaxDotsPerOption: 1}, "dots_per_voter:dots_range"},
		{"dots on score", tally.Spec{Method: tally.Score, Options: opts(1, 2), ScoreMax: 5, DotsPerVoter: 1}, "dots_per_voter:not_for_method"},
		{"dots per option on ranked", tally.Spec{Method: tally.Ranked, Options: opts(1, 2), MaxDotsPerOption: 1}, "max_dots_per_option:not_for_method"},
		{"score max too big", tally.Spec{Method: tally.Score, Options: opts(1, 2), ScoreMax: 11}, "score_max:score_max_range"},
		{"score max on dot", tally.Spec{Method: tally.Dot, Options: opts(1, 2), DotsPerVoter: 1, MaxDotsPerOption: 1, ScoreMax: 5}, "score_max:not_for_method"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if r := rule(c.spec.Check()); r != c.err {
				t.Fatalf("err=%q, want %q", r, c.err)
			}
		})
	}
}

// motion builds an approval poll's input from online and offline yes/no/abstain counts.
func motion(ruleName string, yes, no, abstain int64) tally.Input {
	return tally.Input{Method: tally.Approval, Rule: ruleName, OnlineVoters: yes + no + abstain, Options: []tally.OptionInput{
		{ID: 1, Key: tally.Yes, Online: tally.Line{Points: yes, Supporters: yes}},
		{ID: 2, Key: tally.No, Online: tally.Line{Points: no, Supporters: no}},
		{ID: 3, Key: tally.Abstain, Online: tally.Line{Points: abstain, Supporters: abstain}},
	}}
}

func TestCompute_Rules(t *testing.T) {
	t.Parallel()
	with := func(in tally.Input, f func(*tally.Input)) tally.Input { f(&in); return in }
	cases := []struct {
		name                  string
		in                    tally.Input
		majority, quorum, won bool
	}{
		{"simple majority", motion(tally.SimpleMajority, 5, 4, 10), true, true, true},
		{"simple majority tie", motion(tally.SimpleMajority, 4, 4, 0), false, true, false},
		{"simple majority abstentions not counted", motion(tally.SimpleMajority, 2, 1, 50), true, true, true},
		{"simple majority all abstain", motion(tally.SimpleMajority, 0, 0, 7), false, true, false},
		{"simple majority no votes", motion(tally.SimpleMajority, 0, 0, 0), false, true, false},
		{"simple majority quorum missed", with(motion(tally.SimpleMajority, 5, 1, 0), func(in *tally.Input) { in.Quorum = 7 }), true, false, false},
		{"simple majority quorum exactly", with(motion(tally.SimpleMajority, 5, 1, 1), func(in *tally.Input) { in.Quorum = 7 }), true, true, true},
		{"quorum with offline voters", with(motion(tally.SimpleMajority, 5, 1, 0), func(in *tally.Input) { in.Quorum = 7; in.OfflineVoters = 1 }), true, true, true},
		{"attendees over half", with(motion(tally.MajorityOfAttendees, 6, 0, 0), func(in *tally.Input) { in.Attendees = 11 }), true, true, true},
		{"attendees exactly half", with(motion(tally.MajorityOfAttendees, 6, 0, 0), func(in *tally.Input) { in.Attendees = 12 }), false, true, false},
		{"attendees none signed in", motion(tally.MajorityOfAttendees, 0, 0, 0), false, true, false},
		{"two thirds exactly", motion(tally.TwoThirds, 10, 5, 3), true, true, true},
		{"two thirds just below", motion(tally.TwoThirds, 9, 5, 0), false, true, false},
		{"two thirds tie", motion(tally.TwoThirds, 5, 5, 0), false, true, false},
		{"two thirds all abstain", motion(tally.TwoThirds, 0, 0, 9), false, true, false},
		{"two thirds unanimous", motion(tally.TwoThirds, 1, 0, 0), true, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tally.Compute(c.in)
			d := r.Decision
			if d == nil || r.Passed == nil {
				t.Fatalf("no decision: %+v", r)
			}
			if d.MajorityMet != c.majority || r.QuorumMet != c.quorum || *r.Passed != c.won || d.Passed != c.won {
				t.Fatalf("majority=%v quorum=%v passed=%v, want %v %v %v; decision=%+v", d.MajorityMet, r.QuorumMet, *r.Passed,
					c.majority, c.quorum, c.won, d)
			}
			yes, no, abstain := c.in.Options[0].Online.Points, c.in.Options[1].Online.Points, c.in.Options[2].Online.Points
			if d.Yes != yes || d.No != no || d.Abstain != abstain || d.Threshold == "" || d.Rule != c.in.Rule {
				t.Fatalf("decision figures %+v, want yes=%d no=%d abstain=%d with a threshold", d, yes, no, abstain)
			}
			if (d.Attendees != nil) != (c.in.Rule == tally.MajorityOfAttendees) {
				t.Fatalf("attendees=%v for rule %s", d.Attendees, c.in.Rule)
			}
		})
	}
	t.Run("NoRuleNoDecision", func(t *testing.T) {
		r := tally.Compute(tally.Input{Method: tally.Dot, Options: []tally.OptionInput{{ID: 1, Online: tally.Line{Points: 3}}}})
		if r.Decision != nil || r.Passed != nil {
			t.Fatalf("a dot vote decided: %+v", r)
		}
	})
}

// owner is one owner of the register: the areas (hundredths of m²) of their exclusive units.
type owner struct {
	units []int64
	vote  string // "" for not taking part
}

// ownersInput counts owners the way art. 278 does: each owner once by head, with the areas of
// all their units summed, however many units they hold.
func ownersInput(ruleName string, owners []owner) tally.Input {
	in := tally.Input{Method: tally.Approval, Rule: ruleName, Options: []tally.OptionInput{
		{ID: 1, Key: tally.Yes}, {ID: 2, Key: tally.No}, {ID: 3, Key: tally.Abstain}}}
	online := tally.Totals{}
	for _, o := range owners {
		var area int64
		for _, a := range o.units {
			area += a
		}
		in.EligibleOwners++
		in.EligibleArea += area
		if o.vote == "" {
			continue
		}
		id := map[string]uint64{tally.Yes: 1, tally.No: 2, tally.Abstain: 3}[o.vote]
		online.Add(tally.Points{id: 1}, area)
		in.OnlineVoters++
	}
	for i := range in.Options {
		in.Options[i].Online = online[in.Options[i].ID]
	}
	return in
}

func TestCompute_CivilCode278(t *testing.T) {
	t.Parallel()
	const m = 100 // one square metre
	cases := []struct {
		name                    string
		rule                    string
		owners                  []owner
		partHead, partArea      bool
		approveHead, approveAre bool
	}{
		// 3 owners of 100 m² each: 2 taking part is exactly 2/3 by head and by area.
		{"ordinary participation exactly 2/3", tally.CivilCode278Ordinary, []owner{
			{[]int64{100 * m}, "yes"}, {[]int64{100 * m}, "yes"}, {[]int64{100 * m}, ""}}, true, true, true, true},
		{"ordinary participation below 2/3 by head", tally.CivilCode278Ordinary, []owner{
			{[]int64{300 * m}, "yes"}, {[]int64{50 * m}, ""}, {[]int64{50 * m}, ""}}, false, true, true, true},
		{"ordinary participation below 2/3 by area", tally.CivilCode278Ordinary, []owner{
			{[]int64{10 * m}, "yes"}, {[]int64{10 * m}, "yes"}, {[]int64{100 * m}, ""}}, true, false, true, true},
		// Area exactly 2/3 to the hundredth of a m²: 200.02 of 300.03.
		{"ordinary participation exactly 2/3 by area", tally.CivilCode278Ordinary, []owner{
			{[]int64{10001}, "yes"}, {[]int64{10001}, "no"}, {[]int64{10001}, ""}}, true, true, false, false},
		// One hundredth of a m² less and the area threshold fails.
		{"ordinary participation one centi-m² short", tally.CivilCode278Ordinary, []owner{
			{[]int64{10001}, "yes"}, {[]int64{10000}, "no"}, {[]int64{10002}, ""}}, true, false, false, true},
		{"ordinary half is not more than half", tally.CivilCode278Ordinary, []owner{
			{[]int64{100 * m}, "yes"}, {[]int64{100 * m}, "no"}}, true, true, false, false},
		{"ordinary abstention counts as taking part", tally.CivilCode278Ordinary, []owner{
			{[]int64{100 * m}, "yes"}, {[]int64{100 * m}, "abstain"}, {[]int64{100 * m}, "abstain"}}, true, true, false, false},
		{"ordinary majority by head not by area", tally.CivilCode278Ordinary, []owner{
			{[]int64{50 * m}, "yes"}, {[]int64{50 * m}, "yes"}, {[]int64{200 * m}, "no"}}, true, true, true, false},
		// 4 owners, 3 yes: exactly 3/4 by head and by area.
		{"major exactly 3/4", tally.CivilCode278Major, []owner{
			{[]int64{80 * m}, "yes"}, {[]int64{80 * m}, "yes"}, {[]int64{80 * m}, "yes"}, {[]int64{80 * m}, "no"}}, true, true, true, true},
		{"major just below 3/4 by area", tally.CivilCode278Major, []owner{
			{[]int64{80 * m}, "yes"}, {[]int64{80 * m}, "yes"}, {[]int64{80 * m}, "yes"}, {[]int64{80*m + 1}, "no"}}, true, true, true, false},
		{"major below 3/4 by head", tally.CivilCode278Major, []owner{
			{[]int64{300 * m}, "yes"}, {[]int64{300 * m}, "yes"}, {[]int64{10 * m}, "no"}, {[]int64{10 * m}, "no"}}, true, true, false, true},
		// An owner of three units counts once by head with the areas summed: heads 2 of 3 (2/3,
		// met), area 280 of 380 m² (met), yes 1 of 2 heads (not > 1/2), 180 of 280 m² (> 1/2).
		// Counted per unit the same votes would pass: 3 of 4 yes by head.
		{"one owner of several units", tally.CivilCode278Ordinary, []owner{
			{[]int64{60 * m, 60 * m, 60 * m}, "yes"}, {[]int64{100 * m}, "no"}, {[]int64{100 * m}, ""}}, true, true, false, true},
		{"nobody takes part", tally.CivilCode278Major, []owner{
			{[]int64{60 * m}, ""}, {[]int64{60 * m}, ""}}, false, false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tally.Compute(ownersInput(c.rule, c.owners))
			d := r.Decision
			if d == nil || d.Owners == nil {
				t.Fatalf("no owners' decision: %+v", r)
			}
			f := d.Owners
			if f.ParticipationByHead != c.partHead || f.ParticipationByArea != c.partArea ||
				f.ApprovalByHead != c.approveHead || f.ApprovalByArea != c.approveAre {
				t.Fatalf("participation head=%v area=%v approval head=%v area=%v, want %v %v %v %v; figures=%+v",
					f.ParticipationByHead, f.ParticipationByArea, f.ApprovalByHead, f.ApprovalByArea,
					c.partHead, c.partArea, c.approveHead, c.approveAre, f)
			}
			wantQuorum := c.partHead && c.partArea
			wantPassed := wantQuorum && c.approveHead && c.approveAre
			if r.QuorumMet != wantQuorum || *r.Passed != wantPassed {
				t.Fatalf("quorum=%v passed=%v, want %v %v", r.QuorumMet, *r.Passed, wantQuorum, wantPassed)
			}
			var heads, part int64
			for _, o := range c.owners {
				heads++
				if o.vote != "" {
					part++
				}
			}
			if f.EligibleOwners != heads || f.ParticipatingOwners != part || f.ParticipationRequire == "" || f.ApprovalRequire == "" {
				t.Fatalf("figures %+v, want %d eligible and %d participating owners with thresholds", f, heads, part)
			}
			if r.Options[0].TotalArea == nil || *r.Options[0].TotalArea != f.ApprovingArea {
				t.Fatalf("yes option area %v, want %v", r.Options[0].TotalArea, f.ApprovingArea)
			}
		})
	}
}

func TestCompute_SharesAndRanks(t *testing.T) {
	t.Parallel()
	r := tally.Compute(tally.Input{Method: tally.Dot, OnlineVoters: 3, OfflineVoters: 1, Eligible: 8, Options: []tally.OptionInput{
		{ID: 1, Online: tally.Line{Points: 4, Supporters: 2}, Offline: tally.Line{Points: 1, Supporters: 1}},
		{ID: 2, Online: tally.Line{Points: 5, Supporters: 3}},
		{ID: 3, Online: tally.Line{Points: 0}},
		{ID: 4, Offline: tally.Line{Points: 2, Supporters: 1}},
	}})
	want := []struct {
		total int64
		share float64
		rank  int
	}{{5, 0.4167, 1}, {5, 0.4167, 1}, {0, 0, 4}, {2, 0.1667, 3}}
	for i, w := range want {
		o := r.Options[i]
		if o.Total != w.total || o.Share != w.share || o.Rank != w.rank {
			t.Errorf("option %d: total=%d share=%v rank=%d, want %d %v %d", o.ID, o.Total, o.Share, o.Rank, w.total, w.share, w.rank)
		}
	}
	if r.Voters != 4 || r.Turnout == nil || *r.Turnout != 0.5 {
		t.Fatalf("voters=%d turnout=%v, want 4 and 0.5", r.Voters, r.Turnout)
	}
	if none := tally.Compute(tally.Input{Method: tally.Single, Options: []tally.OptionInput{{ID: 1}, {ID: 2}}}); none.Turnout != nil ||
		none.Options[0].Share != 0 || none.Options[1].Rank != 1 {
		t.Fatalf("empty poll: %+v", none)
	}
}

// randomBallot draws a valid ballot of the spec's method.
func randomBallot(rng *rand.Rand, s tally.Spec) tally.Ballot {
	ids := make([]uint64, len(s.Options))
	for i, o := range s.Options {
		ids[i] = o.ID
	}
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	switch s.Method {
	case tally.Approval:
		return tally.Ballot{Choice: tally.ApprovalKeys[rng.IntN(3)]}
	case tally.Single:
		return tally.Ballot{OptionID: &ids[0]}
	case tally.Multi:
		return tally.Ballot{OptionIDs: ids[:1+rng.IntN(s.MaxChoices)]}
	case tally.Dot:
		dots := map[uint64]int64{}
		left := int64(1 + rng.IntN(s.DotsPerVoter))
		for _, id := range ids {
			n := min(left, int64(rng.IntN(s.MaxDotsPerOption+1)))
			if n > 0 {
				dots[id] = n
				left -= n
			}
		}
		if len(dots) == 0 {
			dots[ids[0]] = 1
		}
		return tally.Ballot{Dots: dots}
	case tally.Ranked:
		return tally.Ballot{Ranking: ids[:1+rng.IntN(len(ids))]}
	}
	scores := map[uint64]int64{}
	for _, id := range ids[:1+rng.IntN(len(ids))] {
		scores[id] = int64(rng.IntN(s.ScoreMax + 1))
	}
	return tally.Ballot{Scores: scores}
}

// TestProperty_TotalsAreBallotsPlusOffline casts random ballots, changes and withdraws some
// through Diff (as the running totals are kept), adds random offline counts, and checks every
// option's total against a plain sum of the ballots that stand and the offline counts.
func TestProperty_TotalsAreBallotsPlusOffline(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2026, 11))
	for round := range 300 {
		n := 2 + rng.IntN(8)
		ids := make([]uint64, n)
		for i := range ids {
			ids[i] = uint64(100 + i)
		}
		spec := tally.Spec{Method: tally.Methods[1+rng.IntN(len(tally.Methods)-1)], Options: opts(ids...)}
		switch spec.Method {
		case tally.Multi:
			spec.MaxChoices = 1 + rng.IntN(n)
		case tally.Dot:
			spec.DotsPerVoter = 1 + rng.IntN(6)
			spec.MaxDotsPerOption = 1 + rng.IntN(spec.DotsPerVoter)
		case tally.Score:
			spec.ScoreMax = 1 + rng.IntN(tally.MaxScore)
		}
		if rng.IntN(4) == 0 {
			spec = approval
		}
		if err := spec.Check(); err != nil {
			t.Fatalf("round %d: spec %+v: %v", round, spec, err)
		}
		running := map[uint64]tally.Line{}
		apply := func(d tally.Delta) {
			for id, l := range d {
				r := running[id]
				r.Points += l.Points
				r.Supporters += l.Supporters
				r.Area += l.Area
				running[id] = r
			}
		}
		voters := map[int]tally.Points{}
		areas := map[int]int64{}
		for v := range 1 + rng.IntN(60) {
			p, err := spec.Count(randomBallot(rng, spec))
			if err != nil {
				t.Fatal(err)
			}
			area := int64(rng.IntN(20000))
			apply(tally.Diff(nil, 0, p, area))
			voters[v], areas[v] = p, area
			if rng.IntN(3) == 0 { // a named ballot changed
				q, err := spec.Count(randomBallot(rng, spec))
				if err != nil {
					t.Fatal(err)
				}
				apply(tally.Diff(p, area, q, area))
				voters[v] = q
			}
		}
		offline := map[uint64]int64{}
		for _, o := range spec.Options {
			if rng.IntN(2) == 0 {
				offline[o.ID] = int64(rng.IntN(30))
			}
		}
		in := tally.Input{Method: spec.Method, OnlineVoters: int64(len(voters))}
		recount := tally.Totals{}
		for v, p := range voters {
			recount.Add(p, areas[v])
		}
		for _, o := range spec.Options {
			in.Options = append(in.Options, tally.OptionInput{ID: o.ID, Key: o.Key, Online: running[o.ID],
				Offline: tally.Line{Points: offline[o.ID]}})
		}
		r := tally.Compute(in)
		var shares float64
		for i, o := range r.Options {
			var sum, supporters, area int64
			for v, p := range voters {
				sum += p[o.ID]
				area += p[o.ID] * areas[v]
				if p[o.ID] > 0 {
					supporters++
				}
			}
			if o.Online != sum || o.Offline != offline[o.ID] || o.Total != sum+offline[o.ID] || o.Supporters != supporters {
				t.Fatalf("round %d %s option %d: online=%d offline=%d total=%d supporters=%d, want %d %d %d %d",
					round, spec.Method, o.ID, o.Online, o.Offline, o.Total, o.Supporters, sum, offline[o.ID], sum+offline[o.ID], supporters)
			}
			if running[o.ID].Area != area || recount[o.ID] != running[o.ID] || in.Options[i].Online != recount[o.ID] {
				t.Fatalf("round %d option %d: running %+v, recount %+v, area want %d", round, o.ID, running[o.ID], recount[o.ID], area)
			}
			shares += o.Share
		}
		if total := sumTotals(r); total > 0 && (shares < 0.999 || shares > 1.001) {
			t.Fatalf("round %d: shares add up to %v", round, shares)
		}
	}
}

func sumTotals(r tally.Result) int64 {
	var s int64
	for _, o := range r.Options {
		s += o.Total
	}
	return s
}
