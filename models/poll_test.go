package models_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/models/tally"
)

// pollWorld is a cycle at the round table with a meeting under way, a facilitator and verified
// residents.
type pollWorld struct {
	*world
	facilitator models.Actor
	residents   []models.Actor
	cycle       *models.Cycle
	meeting     *models.Meeting
}

var pollHash = sync.OnceValue(func() string {
	h, err := models.HashPassword("poll-pass-1")
	if err != nil {
		panic(err)
	}
	return h
})

// addMembers adds n verified members with the role; accounts share one password hash.
func addMembers(t testing.TB, s *models.Store, super models.Actor, cid uint64, first, n int, role string) []models.Actor {
	t.Helper()
	ctx := context.Background()
	out := make([]models.Actor, 0, n)
	for i := range n {
		phone := fmt.Sprintf("139%08d", first+i)
		u := &models.User{Phone: phone, Name: fmt.Sprintf("成员%d", first+i), PasswordHash: pollHash(), Locale: "zh-CN"}
		if err := s.Gorm().Create(u).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddMember(ctx, super, cid, models.AddMemberInput{Phone: phone, Roles: []string{role}}); err != nil {
			t.Fatal(err)
		}
		out = append(out, u.Actor())
	}
	return out
}

func mustPollWorld(t testing.TB, residents int) *pollWorld {
	t.Helper()
	w := openWorldTB(t)
	ctx := context.Background()
	pw := &pollWorld{world: w}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	cp, err := w.s.CreateCompound(ctx, w.super, w.c.ID, models.CompoundInput{Name: "安友花园"})
	must(err)
	pw.facilitator = addMembers(t, w.s, w.super, w.c.ID, 0, 1, models.RoleFacilitator)[0]
	pw.residents = addMembers(t, w.s, w.super, w.c.ID, 1000, residents, models.RoleResident)
	pw.cycle, err = w.s.CreateCycle(ctx, w.super, w.c.ID, models.CycleInput{Month: "2026-12", CompoundID: cp.ID, Reason: "居民反映最集中"})
	must(err)
	_, err = w.s.AdvanceCycle(ctx, w.super, pw.cycle.ID, models.PhaseTopicCollection, "")
	must(err)
	tp, err := w.s.ProposeTopic(ctx, w.super, pw.cycle.ID, models.TopicInput{Title: "加装电梯"})
	must(err)
	_, err = w.s.AdvanceCycle(ctx, w.super, pw.cycle.ID, models.PhaseTopicSelection, "")
	must(err)
	_, err = w.s.SelectTopic(ctx, w.super, pw.cycle.ID, tp.ID, "附议最多")
	must(err)
	_, err = w.s.AdvanceCycle(ctx, w.super, pw.cycle.ID, models.PhaseCardCollection, "")
	must(err)
	pw.meeting, err = w.s.ScheduleMeeting(ctx, w.super, pw.cycle.ID, models.MeetingInput{Title: "圆桌会",
		StartsAt: time.Date(2026, 12, 20, 11, 30, 0, 0, time.UTC), Location: "活动室"})
	must(err)
	_, err = w.s.StartMeeting(ctx, w.super, pw.meeting.ID)
	must(err)
	return pw
}

// openWorldTB is mustOpenWorld for tests and benchmarks alike.
func openWorldTB(tb testing.TB) *world {
	tb.Helper()
	s := testenv.Open(tb)
	ctx := context.Background()
	u, err := s.AddUser(ctx, models.AddUserInput{Phone: "13800000000", Name: "超管", Password: "super-pass-1", Role: "superadmin"})
	if err != nil {
		tb.Fatal(err)
	}
	c, err := s.CreateCommunity(ctx, u.Actor(), models.CommunityInput{Name: "西桥社区", Street: "唐家墩街道", District: "江汉区", City: "武汉市"})
	if err != nil {
		tb.Fatal(err)
	}
	return &world{s: s, super: u.Actor(), c: c}
}

func labels(n int) []models.PollOptionInput {
	out := make([]models.PollOptionInput, n)
	for i := range out {
		out[i] = models.PollOptionInput{Label: fmt.Sprintf("方案%d", i+1)}
	}
	return out
}

func intp(v int) *int { return &v }

// randomBallot draws a valid ballot for a poll.
func randomBallot(rng *rand.Rand, p *models.Poll) tally.Ballot {
	ids := make([]uint64, len(p.Options))
	for i, o := range p.Options {
		ids[i] = o.ID
	}
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	switch p.Method {
	case tally.Approval:
		return tally.Ballot{Choice: tally.ApprovalKeys[rng.IntN(3)]}
	case tally.Single:
		return tally.Ballot{OptionID: &ids[0]}
	case tally.Multi:
		return tally.Ballot{OptionIDs: ids[:1+rng.IntN(p.MaxChoices)]}
	case tally.Dot:
		return tally.Ballot{Dots: map[uint64]int64{ids[0]: int64(1 + rng.IntN(p.MaxDotsPerOption))}}
	case tally.Ranked:
		return tally.Ballot{Ranking: ids[:1+rng.IntN(len(ids))]}
	}
	return tally.Ballot{Scores: map[uint64]int64{ids[0]: int64(rng.IntN(p.ScoreMax + 1)), ids[1]: int64(rng.IntN(p.ScoreMax + 1))}}
}

// TestPoll_RunningTotalsEqualRecount casts random ballots of every method, named and secret,
// changes some named ones, sets offline counts, and checks after each step of the way that the
// live result (running totals) equals a recount from the ballot rows, and at close that the
// stored result does.
func TestPoll_RunningTotalsEqualRecount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pw := mustPollWorld(t, 12)
	s := pw.s
	rng := rand.New(rand.NewPCG(7, 2026))
	inputs := []models.PollInput{
		{Title: "是否试行", Method: tally.Approval},
		{Title: "选一个", Method: tally.Single, Options: labels(3)},
		{Title: "选两个", Method: tally.Multi, Options: labels(4), MaxChoices: intp(2)},
		{Title: "贴点", Method: tally.Dot, Options: labels(4), DotsPerVoter: intp(5), MaxDotsPerOption: intp(3)},
		{Title: "排序", Method: tally.Ranked, Options: labels(4)},
		{Title: "打分", Method: tally.Score, Options: labels(3)},
	}
	for i, in := range inputs {
		for _, secrecy := range []string{models.SecrecyNamed, models.SecrecySecret} {
			in := in
			in.Title = fmt.Sprintf("%s%d%s", in.Title, i, secrecy)
			in.Eligibility, in.Weight, in.Secrecy, in.ResultsVisibility = models.EligibleMembers, models.WeightPerson, secrecy, models.ResultsLive
			if secrecy == models.SecrecySecret {
				in.ResultsVisibility = models.ResultsAfterClose // a secret poll counts only after the close
			}
			p, err := s.CreateMeetingPoll(ctx, pw.facilitator, pw.meeting.ID, in)
			if err != nil {
				t.Fatalf("create %s: %v", in.Title, err)
			}
			if _, err := s.OpenPoll(ctx, pw.facilitator, p.ID); err != nil {
				t.Fatal(err)
			}
			// check recounts the poll; a secret one has no ballots, and is hidden until the close.
			check := func(step string) *models.PollResult {
				t.Helper()
				if secrecy == models.SecrecySecret && step != "after close" {
					r, err := s.PollResults(ctx, pw.facilitator, p.ID, false)
					if err != nil || r.CountsVisible {
						t.Fatalf("%s %s: results %+v, err %v, want hidden", in.Title, step, r, err)
					}
					return r
				}
				r, err := s.PollResults(ctx, pw.facilitator, p.ID, true)
				if err != nil {
					t.Fatalf("%s %s: results: %v", in.Title, step, err)
				}
				ballots := r.Recount.Ballots
				if secrecy == models.SecrecySecret {
					ballots = r.Recount.CountedVoters
				}
				if !r.Recount.Matches || ballots != r.Recount.Receipts || r.Recount.Receipts != r.OnlineVoters {
					t.Fatalf("%s %s: recount %+v, live voters %d", in.Title, step, r.Recount, r.OnlineVoters)
				}
				return r
			}
			for _, v := range pw.residents {
				if _, err := s.CastBallot(ctx, v, p.ID, randomBallot(rng, p)); err != nil {
					t.Fatalf("%s: ballot: %v", in.Title, err)
				}
				if secrecy == models.SecrecyNamed && rng.IntN(3) == 0 {
					if _, err := s.CastBallot(ctx, v, p.ID, randomBallot(rng, p)); err != nil {
						t.Fatalf("%s: change: %v", in.Title, err)
					}
				}
			}
			check("after ballots")
			counts := map[string]int64{strconv.FormatUint(p.Options[0].ID, 10): 2}
			if _, err := s.SetOfflineTally(ctx, pw.facilitator, p.ID, models.OfflineTallyInput{Source: "纸质票", Counts: counts,
				Voters: ptr(int64(2))}); err != nil {
				t.Fatalf("%s: offline: %v", in.Title, err)
			}
			r := check("after offline")
			closed, err := s.ClosePoll(ctx, pw.facilitator, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			after := check("after close")
			if after.Options[0].Offline != 2 || after.OfflineVoters != 2 || after.Voters != int64(len(pw.residents))+2 {
				t.Fatalf("%s: offline figures %+v", in.Title, after)
			}
			if closed.Source != models.ResultSourceClosed || closed.ClosedEventID == nil || after.Voters != r.Voters {
				t.Fatalf("%s: closed %+v", in.Title, closed)
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestPoll_ZeroScoreBallotCounts: a score ballot of all zeros gives no points but is a voter.
func TestPoll_ZeroScoreBallotCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pw := mustPollWorld(t, 2)
	p, err := pw.s.CreateMeetingPoll(ctx, pw.facilitator, pw.meeting.ID, models.PollInput{Title: "打分", Method: tally.Score,
		Options: labels(2), Eligibility: models.EligibleMembers, Weight: models.WeightPerson, Secrecy: models.SecrecySecret,
		ResultsVisibility: models.ResultsAfterClose})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = pw.s.OpenPoll(ctx, pw.facilitator, p.ID); err != nil {
		t.Fatal(err)
	}
	zero := tally.Ballot{Scores: map[uint64]int64{p.Options[0].ID: 0, p.Options[1].ID: 0}}
	if _, err := pw.s.CastBallot(ctx, pw.residents[0], p.ID, zero); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.s.CastBallot(ctx, pw.residents[1], p.ID, tally.Ballot{Scores: map[uint64]int64{p.Options[1].ID: 4}}); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.s.ClosePoll(ctx, pw.facilitator, p.ID); err != nil {
		t.Fatal(err)
	}
	r, err := pw.s.PollResults(ctx, pw.facilitator, p.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if r.OnlineVoters != 2 || r.Options[0].Total != 0 || r.Options[1].Total != 4 || r.Options[1].Supporters != 1 || !r.Recount.Matches {
		t.Fatalf("result %+v, recount %+v", r, r.Recount)
	}
}
