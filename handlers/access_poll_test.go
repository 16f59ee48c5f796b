package handlers

import (
	"context"
	"fmt"

	"github.com/yueyuetan/yueyuetan/models"
)

// Columns of the poll rows (anon super adminA facil grid committee party resident unverified
// adminB residentB).
const (
	// wPollAuditA: facilitators, admins and the committee — the recount and the offline counts.
	wPollAuditA = "401 2xx 2xx 2xx 403 2xx 403 403 403 404 404"
	// wVoteA: every verified member of A may vote in a members' poll; a superadmin is no member
	// (403 not_eligible), an unverified member is not verified (403).
	wVoteA = "401 403 2xx 2xx 2xx 2xx 2xx 2xx 403 404 404"
)

// pollAccessFixture is what the poll rows need: a round table under way with a draft poll and an
// open named approval poll, and another cycle selecting its topic, for cycle polls.
type pollAccessFixture struct {
	meeting     *models.Meeting
	selecting   *models.Cycle
	draft, open *models.Poll
}

func (ta *testApp) buildPollAccessFixture() pollAccessFixture {
	ctx := context.Background()
	s, f := ta.store, ta.fx
	sa := f.Super.Actor()
	cf := ta.buildClusterFixture("2027-11")
	pf := pollAccessFixture{meeting: cf.meeting}
	in := models.PollInput{Title: "是否试行", Method: "approval", Eligibility: models.EligibleMembers, Weight: models.WeightPerson,
		Secrecy: models.SecrecyNamed, ResultsVisibility: models.ResultsLive}
	pf.draft = must(s.CreateMeetingPoll(ctx, f.Facilitator.Actor(), cf.meeting.ID, in))
	in.Title = "分单元表决"
	pf.open = must(s.CreateMeetingPoll(ctx, f.Facilitator.Actor(), cf.meeting.ID, in))
	must(s.OpenPoll(ctx, f.Facilitator.Actor(), pf.open.ID))
	pf.selecting = must(s.CreateCycle(ctx, sa, f.A.ID, models.CycleInput{Month: "2027-12", CompoundID: f.CompoundA.ID, Reason: "居民反映最集中"}))
	must(s.AdvanceCycle(ctx, sa, pf.selecting.ID, models.PhaseTopicCollection, ""))
	must(s.AdvanceCycle(ctx, sa, pf.selecting.ID, models.PhaseTopicSelection, ""))
	return pf
}

// pollRows are the access matrix rows of the poll engine. Opening an open poll, closing a closed
// one, voting the same named ballot again and setting the same offline counts change nothing,
// so every allowed caller gets a 2xx.
func (ta *testApp) pollRows() []accessRow {
	pf := ta.buildPollAccessFixture()
	closing := must(ta.store.CreateMeetingPoll(context.Background(), ta.fx.Facilitator.Actor(), pf.meeting.ID, models.PollInput{
		Title: "待结束", Method: "approval", Eligibility: models.EligibleMembers, Weight: models.WeightPerson,
		Secrecy: models.SecrecyNamed, ResultsVisibility: models.ResultsLive}))
	must(ta.store.OpenPoll(context.Background(), ta.fx.Facilitator.Actor(), closing.ID))
	p := fmt.Sprintf
	body := func(v any) func(int) any { return func(int) any { return v } }
	none := func(int) any { return nil }
	poll := func(n int) map[string]any {
		return map[string]any{"title": p("表决%d", n), "method": "approval", "eligibility": "members", "weight": "person",
			"secrecy": "named", "results_visibility": "live"}
	}
	open := pf.open.ID
	// An owners' poll of the cycle (a draft: its roll is the register of the compound now).
	owners := must(ta.store.CreateCyclePoll(context.Background(), ta.fx.Facilitator.Actor(), pf.meeting.CycleID, models.PollInput{
		Title: "业主表决", Method: "approval", Eligibility: models.EligibleOwners, Weight: models.WeightOwnerArea,
		Secrecy: models.SecrecyNamed, ResultsVisibility: models.ResultsAfterClose, Rule: ptrTo("civil_code_278_major")}))
	// An open owners' poll of the cycle with four units of its own, for paper ballots: each
	// allowed caller enters another unit; the entry voided is the first one.
	ctx, facil := context.Background(), ta.fx.Facilitator.Actor()
	var units []uint64
	for i := range 4 {
		h := must(ta.store.CreateHousehold(ctx, ta.fx.Super.Actor(), ta.fx.CompoundA.ID, models.HouseholdInput{BuildingID: ta.fx.BuildingA.ID,
			Room: p("90%d", i), Area: 50}))
		units = append(units, h.ID)
	}
	paperPoll := must(ta.store.CreateCyclePoll(ctx, facil, pf.meeting.CycleID, models.PollInput{Title: "纸质票表决", Method: "approval",
		Eligibility: models.EligibleOwners, Weight: models.WeightOwnerArea, Secrecy: models.SecrecyNamed,
		ResultsVisibility: models.ResultsAfterClose, Rule: ptrTo("civil_code_278_major")}))
	must(ta.store.OpenPoll(ctx, facil, paperPoll.ID))
	paperCalls := 0
	voided := must(ta.store.AddPaperBallot(ctx, facil, paperPoll.ID, models.PaperBallotInput{HouseholdID: ta.fx.HouseholdA.ID,
		Choice: "yes", BallotNo: "0"}))
	return []accessRow{
		{route: "GET /api/v1/polls/:id/paper-ballots", path: p("/api/v1/polls/%d/paper-ballots", paperPoll.ID), body: none, want: wPollAuditA},
		{route: "POST /api/v1/polls/:id/paper-ballots", path: p("/api/v1/polls/%d/paper-ballots", paperPoll.ID),
			body: func(n int) any {
				// The row's own count of calls, not n (shared by every row), so that the callers,
				// asked in order, get different units however many rows come before.
				unit := units[paperCalls%len(units)]
				paperCalls++
				return map[string]any{"household_id": unit, "choice": "no", "ballot_no": p("%d", n+1)}
			}, want: wFacilA},
		{route: "DELETE /api/v1/paper-ballots/:id", path: p("/api/v1/paper-ballots/%d", voided.ID),
			body: body(map[string]any{"reason": "录错了"}), want: wFacilA},
		{route: "GET /api/v1/meetings/:id/polls", path: p("/api/v1/meetings/%d/polls", pf.meeting.ID), body: none, want: wMemberA},
		{route: "POST /api/v1/meetings/:id/polls", path: p("/api/v1/meetings/%d/polls", pf.meeting.ID),
			body: func(n int) any { return poll(n) }, want: wFacilA},
		{route: "GET /api/v1/cycles/:id/polls", path: p("/api/v1/cycles/%d/polls", pf.selecting.ID), body: none, want: wMemberA},
		{route: "POST /api/v1/cycles/:id/polls", path: p("/api/v1/cycles/%d/polls", pf.selecting.ID),
			body: func(n int) any { return poll(n) }, want: wFacilA},
		{route: "GET /api/v1/polls/:id", path: p("/api/v1/polls/%d", open), body: none, want: wMemberA},
		{route: "POST /api/v1/polls/:id/open", path: p("/api/v1/polls/%d/open", pf.draft.ID), body: none, want: wFacilA},
		{route: "POST /api/v1/polls/:id/close", path: p("/api/v1/polls/%d/close", closing.ID), body: none, want: wFacilA},
		{route: "POST /api/v1/polls/:id/ballots", path: p("/api/v1/polls/%d/ballots", open), body: body(map[string]any{"choice": "yes"}), want: wVoteA},
		{route: "GET /api/v1/polls/:id/my-ballot", path: p("/api/v1/polls/%d/my-ballot", open), body: none, want: wMemberA},
		{route: "GET /api/v1/polls/:id/results", path: p("/api/v1/polls/%d/results", open), body: none, want: wMemberA},
		{route: "GET /api/v1/polls/:id/results", path: p("/api/v1/polls/%d/results?recount=1", open), body: none, want: wPollAuditA},
		{route: "GET /api/v1/polls/:id/owner-roll", path: p("/api/v1/polls/%d/owner-roll", owners.ID), body: none, want: wMemberA},
		{route: "GET /api/v1/polls/:id/offline-tallies", path: p("/api/v1/polls/%d/offline-tallies", open), body: none, want: wPollAuditA},
		{route: "PUT /api/v1/polls/:id/offline-tallies", path: p("/api/v1/polls/%d/offline-tallies", open),
			body: body(map[string]any{"source": "举手", "counts": map[string]int{"yes": 3, "no": 1}}), want: wFacilA},
	}
}
