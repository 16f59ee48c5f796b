package handlers

import (
	"bytes"
	"context"
	"fmt"

	"github.com/yueyuetan/yueyuetan/models"
)

// resolutionRows are the access matrix rows of resolutions and the owners' register. Drafting is
// one-way, so each call drafts from a vote of its own. Signing again answers the first signature,
// and everyone of community A signed in at the meeting, so every member of A may sign.
func (ta *testApp) resolutionRows() []accessRow {
	rf := ta.buildResolutionFixture("2029-05")
	ctx := context.Background()
	p := fmt.Sprintf
	body := func(v any) func(int) any { return func(int) any { return v } }
	none := func(int) any { return nil }
	var votes []uint64
	for i := range ta.callers() {
		votes = append(votes, ta.formalVote(rf.meeting.ID, p("矩阵表决%d", i), 0, 0).ID)
	}
	calls := -1 // the callers of a row ask one after the other
	nextVote := func(int) any {
		calls++
		return map[string]any{"poll_id": votes[calls%len(votes)], "title": "暂缓加装电梯", "text": "本次表决未通过，下月再议。"}
	}
	signed := ta.draftFrom(rf.cycle.ID, ta.formalVote(rf.meeting.ID, "签字表决", 1, 0).ID, "")
	decided := ta.draftFrom(rf.cycle.ID, ta.formalVote(rf.meeting.ID, "维修资金表决", 1, 0).ID, models.MatterFundUse)
	// A draft's review decides once: the first caller allowed (the superadmin) adopts or rejects
	// it, and the admin and the facilitator, past the role check, find it decided (409).
	toAdopt := ta.draftOnly(rf.cycle.ID, ta.formalVote(rf.meeting.ID, "通过待宣读", 1, 0).ID, "")
	toReject := ta.draftOnly(rf.cycle.ID, ta.formalVote(rf.meeting.ID, "未通过待记录", 0, 1).ID, "")
	notice := must(ta.store.SaveUpload(ctx, ta.fx.Facilitator.Actor(), ta.fx.A.ID, bytes.NewReader(tinyJPEG())))
	official := map[string]any{"official": map[string]any{"source": "武汉市住宅专项维修资金业主决策平台",
		"decided_on": "2026-10-30", "eligible_units": 3, "eligible_area": 300, "participating_units": 3,
		"participating_area": 300, "units_for": 2, "area_for": 200, "units_against": 1, "area_against": 100,
		"notice_upload_id": notice.ID}}
	return []accessRow{
		{route: "GET /api/v1/cycles/:id/resolutions", path: p("/api/v1/cycles/%d/resolutions", rf.cycle.ID), body: none, want: wMemberA},
		{route: "POST /api/v1/cycles/:id/resolutions", path: p("/api/v1/cycles/%d/resolutions", rf.cycle.ID), body: nextVote, want: wFacilA},
		{route: "GET /api/v1/resolutions/:id", path: p("/api/v1/resolutions/%d", signed.ID), body: none, want: wMemberA},
		{route: "POST /api/v1/resolutions/:id/signatures", path: p("/api/v1/resolutions/%d/signatures", signed.ID),
			body: body(map[string]any{}), want: "401 403 2xx 2xx 2xx 2xx 2xx 2xx 2xx 404 404"},
		// The owners decide once: the first caller allowed (the superadmin) records the decision,
		// and the admin and the facilitator, past the role check, find it decided (409).
		{route: "POST /api/v1/resolutions/:id/owners-decision", path: p("/api/v1/resolutions/%d/owners-decision", decided.ID),
			body: body(official), want: "401 2xx 409 409 403 403 403 403 403 404 404"},

		{route: "GET /api/v1/meetings/:id/minutes", path: p("/api/v1/meetings/%d/minutes", rf.meeting.ID), body: none, want: wMemberA},
		{route: "POST /api/v1/resolutions/:id/adopt", path: p("/api/v1/resolutions/%d/adopt", toAdopt.ID),
			body: none, want: "401 2xx 409 409 403 403 403 403 403 404 404"},
		{route: "POST /api/v1/resolutions/:id/reject", path: p("/api/v1/resolutions/%d/reject", toReject.ID),
			body: none, want: "401 2xx 409 409 403 403 403 403 403 404 404"},

		{route: "GET /api/v1/compounds/:id/owners", path: p("/api/v1/compounds/%d/owners", ta.fx.CompoundA.ID), body: none, want: wMemberA},
		{route: "GET /api/v1/compounds/:id/owners", path: p("/api/v1/compounds/%d/owners", ta.fx.CompoundB.ID), body: none, want: wMemberB},
		// Recording the same owner again changes nothing, so every allowed caller gets 200.
		{route: "PUT /api/v1/households/:id/owner", path: p("/api/v1/households/%d/owner", ta.fx.HouseholdA.ID),
			body: body(map[string]any{"name": "王建国"}), want: wFacilA},
		{route: "PUT /api/v1/households/:id/owner", path: p("/api/v1/households/%d/owner", ta.fx.HouseholdB.ID),
			body: body(map[string]any{"name": "李卫东"}), want: "401 2xx 404 404 404 404 404 404 404 2xx 403"},
		// Clearing a cleared unit changes nothing.
		{route: "DELETE /api/v1/households/:id/owner", path: p("/api/v1/households/%d/owner", ta.fx.HouseholdB.ID),
			body: none, want: "401 2xx 404 404 404 404 404 404 404 2xx 403"},
	}
}
