package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/models/tally"
)

// resolutionFixture is the card wall's fixture (a cycle of community A at the round table: a
// meeting under way with three paper cards, the first in a group) with everyone of community A
// but the superadmin signed in, and the walk-in 王奶奶.
type resolutionFixture struct {
	clusterFixture
}

// buildResolutionFixture makes the cycle of the given month; each test app may build one per
// month.
func (ta *testApp) buildResolutionFixture(month string) resolutionFixture {
	ctx := context.Background()
	s, f := ta.store, ta.fx
	fa := f.Facilitator.Actor()
	rf := resolutionFixture{clusterFixture: ta.buildClusterFixture(month)}
	for _, u := range []*models.User{f.AdminA, f.Facilitator, f.GridWorker, f.Committee, f.Party, f.Resident, f.Unverified} {
		must(first(s.CheckIn(ctx, fa, rf.meeting.ID, models.CheckInInput{UserID: &u.ID})))
	}
	must(first(s.CheckIn(ctx, fa, rf.meeting.ID, models.CheckInInput{Name: "王奶奶"})))
	return rf
}

// formalVote takes a closed formal vote (yes/no/abstain, simple majority) at the meeting: the
// first yes of the verified members vote yes, the next no vote no.
func (ta *testApp) formalVote(meetingID uint64, title string, yes, no int) *models.Poll {
	ctx := context.Background()
	f := ta.fx
	fa := f.Facilitator.Actor()
	p := must(ta.store.CreateMeetingPoll(ctx, fa, meetingID, models.PollInput{Title: title, Method: tally.Approval,
		Eligibility: models.EligibleMembers, Weight: models.WeightPerson, Secrecy: models.SecrecyNamed,
		ResultsVisibility: models.ResultsLive}))
	must(ta.store.OpenPoll(ctx, fa, p.ID))
	voters := []*models.User{f.Resident, f.Party, f.GridWorker, f.Committee, f.AdminA, f.Facilitator}
	if yes+no > len(voters) {
		panic("formalVote: too few voters")
	}
	for i, u := range voters[:yes+no] {
		choice := tally.Yes
		if i >= yes {
			choice = tally.No
		}
		must(ta.store.CastBallot(ctx, u.Actor(), p.ID, tally.Ballot{Choice: choice}))
	}
	must(ta.store.ClosePoll(ctx, fa, p.ID))
	return must(ta.store.GetPoll(ctx, fa, p.ID))
}

// draftOnly drafts a resolution from a vote through the store and leaves it a draft, as the
// facilitator has it before reading it out on the wall.
func (ta *testApp) draftOnly(cycleID, pollID uint64, matter string) *models.Resolution {
	return must(ta.store.DraftResolution(context.Background(), ta.fx.Facilitator.Actor(), cycleID,
		models.ResolutionInput{PollID: pollID, Title: "加装电梯决议", Text: "同意加装电梯，费用按楼层分摊。", Matter: matter}))
}

// draftFrom drafts a resolution from a vote through the store and decides it as the facilitator
// does after reading it out (docs/paper.md "Draft, then adopt"): adopted when the vote passed,
// recorded rejected when it failed. A Civil Code 278 matter stays a draft until the owners decide.
func (ta *testApp) draftFrom(cycleID, pollID uint64, matter string) *models.Resolution {
	r := ta.draftOnly(cycleID, pollID, matter)
	if tally.Is278(r.Category) {
		return r
	}
	fa := ta.fx.Facilitator.Actor()
	if r.PollPassed {
		return must(ta.store.AdoptResolution(context.Background(), fa, r.ID))
	}
	return must(ta.store.RejectResolution(context.Background(), fa, r.ID))
}

// ownersPollSeq names the buildings ownersPoll makes, one per call.
var ownersPollSeq atomic.Int64

// ownersPoll runs a closed owners' poll of the cycle through the API, as the owners and the
// facilitator would, with the given figures (owners by head, areas in hundredths of m²): a new
// building of compound A with eligible units holding eligibleArea in all; its owners registered
// in the owners' register — the first yes units to members who vote yes on their phones, the next
// no units to members who vote no, the rest without a recorded owner (each its own head) — the
// areas shared out so that those voting yes and no hold exactly yesArea and noArea; the poll
// scoped to that building, opened, voted in and closed. The cycle must be at the round table or
// forming its resolutions.
func (ta *testApp) ownersPoll(cycleID uint64, rule string, eligible, eligibleArea, yes, yesArea, no, noArea int64) *models.Poll {
	ctx := context.Background()
	f := ta.fx
	rest := eligible - yes - no
	if rest < 0 || (rest == 0 && eligibleArea != yesArea+noArea) {
		panic("ownersPoll: the figures do not add up")
	}
	n := ownersPollSeq.Add(1)
	b := must(ta.store.CreateBuilding(ctx, f.Super.Actor(), f.CompoundA.ID, fmt.Sprintf("表决楼%d", n)))
	areas := append(append(splitCenti(yesArea, yes), splitCenti(noArea, no)...), splitCenti(eligibleArea-yesArea-noArea, rest)...)
	voters := ta.ownerVoters(int(yes + no))
	call := func(r req, want int) *httptest.ResponseRecorder {
		rec := ta.do(r)
		if rec.Code != want {
			panic(fmt.Sprintf("ownersPoll: %s %s: status=%d, want %d; body=%s", r.method, r.path, rec.Code, want, rec.Body))
		}
		return rec
	}
	for i, area := range areas {
		h := must(ta.store.CreateHousehold(ctx, f.Super.Actor(), f.CompoundA.ID,
			models.HouseholdInput{BuildingID: b.ID, Room: fmt.Sprintf("%d", 101+i), Area: float64(area) / 100}))
		if i < len(voters) {
			call(req{method: "PUT", path: ownerPath(h.ID), as: f.Facilitator, body: map[string]any{"user_id": voters[i].ID}}, http.StatusOK)
		}
	}
	rec := call(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/polls", cycleID), as: f.Facilitator,
		body: map[string]any{"title": fmt.Sprintf("业主表决%d", n), "method": "approval", "eligibility": "owners",
			"weight": "owner_area", "secrecy": "secret", "results_visibility": "after_close", "rule": rule,
			"building_ids": []uint64{b.ID}}}, http.StatusCreated)
	id := decode[models.Poll](ta.t, rec).ID
	call(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/open", id), as: f.Facilitator}, http.StatusOK)
	for i, u := range voters {
		choice := tally.Yes
		if int64(i) >= yes {
			choice = tally.No
		}
		call(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/ballots", id), as: u, body: map[string]any{"choice": choice}},
			http.StatusCreated)
	}
	call(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/close", id), as: f.Facilitator}, http.StatusOK)
	return must(ta.store.GetPoll(ctx, f.Facilitator.Actor(), id))
}

// splitCenti shares total out over n parts that add up to it exactly.
func splitCenti(total, n int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = total / n
	}
	if n > 0 {
		out[0] += total % n
	}
	return out
}

// ownerVoters are n members of community A (the first of them made on first use), for owners'
// polls whose owners vote on their phones.
func (ta *testApp) ownerVoters(n int) []*models.User {
	out := make([]*models.User, 0, n)
	for i := range n {
		phone := fmt.Sprintf("1391000%04d", i)
		var u models.User
		if err := ta.store.Gorm().Where("phone = ?", phone).Limit(1).Find(&u).Error; err != nil {
			panic(err)
		}
		if u.ID == 0 {
			u = *must(ta.store.Register(context.Background(), models.RegisterInput{Phone: phone, Name: fmt.Sprintf("业主%d", i),
				Password: fixturePassword, CommunityID: ta.fx.A.ID, PrivacyConsent: true}))
		}
		out = append(out, &u)
	}
	return out
}
