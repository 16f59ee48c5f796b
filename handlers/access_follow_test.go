package handlers

import (
	"context"
	"fmt"

	"github.com/yueyuetan/yueyuetan/models"
)

// followRows are the access matrix rows of the follow-through (docs/follow-through.md): an
// adopted resolution to publish, one in publicity with an objection, and one being carried out
// with an item of the resident's, items open for claims and claims waiting for a decision.
// One-way calls (publishing, answering, confirming) succeed for the first caller allowed, the
// superadmin, and answer 409 to the others who pass the role check.
func (ta *testApp) followRows() []accessRow {
	rf := ta.buildResolutionFixture("2029-11")
	ctx := context.Background()
	f := ta.fx
	fa := f.Facilitator.Actor()
	p := fmt.Sprintf
	body := func(v any) func(int) any { return func(int) any { return v } }
	none := func(int) any { return nil }
	draft := func(title string) *models.Resolution {
		return ta.draftFrom(rf.cycle.ID, ta.formalVote(rf.meeting.ID, title, 3, 0).ID, "")
	}
	adopted := draft("公示表决")
	inPublicity := draft("异议表决")
	thirty, zero := 30, 0
	must(ta.store.StartPublicity(ctx, fa, inPublicity.ID, &thirty))
	objection := must(ta.store.LodgeObjection(ctx, f.Resident.Actor(), inPublicity.ID, "希望说明费用分摊"))
	working := draft("落实表决")
	must(ta.store.StartPublicity(ctx, fa, working.ID, &zero))
	item := func(title string, in models.ItemInput) *models.ItemView {
		in.Title, in.DueDate = title, "2030-12-31"
		return must(ta.store.CreateItem(ctx, fa, working.ID, in))
	}
	residents := item("征求意见", models.ItemInput{AssigneeUserID: &f.Resident.ID})
	open := item("开放认领", models.ItemInput{OpenForClaims: true})
	toConfirm := item("待确认", models.ItemInput{OpenForClaims: true})
	toDecline := item("待婉拒", models.ItemInput{OpenForClaims: true})
	toEscalate := item("待上报", models.ItemInput{})
	escIn := models.EscalationInput{Channel: models.EscalationHotline, Department: "区城管局", Reason: "超出社区职权"}
	toCorrect := must(ta.store.RaiseEscalation(ctx, fa, item("上报待改", models.ItemInput{}).ID, escIn))
	toAnswer := must(ta.store.RaiseEscalation(ctx, fa, item("上报待复", models.ItemInput{}).ID, escIn))
	confirm := must(ta.store.ClaimItem(ctx, f.Party.Actor(), toConfirm.ID))
	decline := must(ta.store.ClaimItem(ctx, f.Party.Actor(), toDecline.ID))
	const (
		wOnceFacil = "401 2xx 409 409 403 403 403 403 403 404 404"
		wWorker    = "401 2xx 2xx 2xx 403 403 403 2xx 403 404 404"
	)
	return []accessRow{
		{route: "POST /api/v1/resolutions/:id/publicity", path: p("/api/v1/resolutions/%d/publicity", adopted.ID), body: body(map[string]any{}), want: wOnceFacil},
		// Objectors: members but the committee-only member and the unverified resident.
		{route: "POST /api/v1/resolutions/:id/objections", path: p("/api/v1/resolutions/%d/objections", inPublicity.ID),
			body: body(map[string]any{"text": "噪音问题"}), want: "401 2xx 2xx 2xx 2xx 403 2xx 2xx 403 404 404"},
		{route: "POST /api/v1/objections/:id/answer", path: p("/api/v1/objections/%d/answer", objection.ID),
			body: body(map[string]any{"text": "会选用低噪音机型"}), want: wOnceFacil},
		{route: "PATCH /api/v1/resolutions/:id", path: p("/api/v1/resolutions/%d", working.ID), body: body(map[string]any{"budget_fen": 1000}), want: wFacilA},
		{route: "GET /api/v1/resolutions/:id/items", path: p("/api/v1/resolutions/%d/items", working.ID), body: none, want: wMemberA},
		{route: "POST /api/v1/resolutions/:id/items", path: p("/api/v1/resolutions/%d/items", working.ID),
			body: body(map[string]any{"title": "矩阵事项", "due_date": "2030-12-01"}), want: wFacilA},
		{route: "GET /api/v1/items/:id", path: p("/api/v1/items/%d", residents.ID), body: none, want: wMemberA},
		// The assignee and facilitators; the committee and other members change nothing.
		{route: "PATCH /api/v1/items/:id", path: p("/api/v1/items/%d", residents.ID), body: body(map[string]any{"progress": 10}), want: wWorker},
		{route: "POST /api/v1/items/:id/updates", path: p("/api/v1/items/%d/updates", residents.ID), body: body(map[string]any{"note": "已上门"}), want: wWorker},
		{route: "POST /api/v1/items/:id/claims", path: p("/api/v1/items/%d/claims", open.ID), body: none, want: "401 2xx 403 403 403 403 2xx 403 403 404 404"},
		{route: "POST /api/v1/claims/:id/confirm", path: p("/api/v1/claims/%d/confirm", confirm.ID), body: none, want: wOnceFacil},
		{route: "POST /api/v1/claims/:id/decline", path: p("/api/v1/claims/%d/decline", decline.ID), body: none, want: wOnceFacil},
		{route: "GET /api/v1/communities/:cid/claimable-items", path: p("/api/v1/communities/%d/claimable-items", f.A.ID), body: none,
			want: "401 2xx 2xx 2xx 403 2xx 2xx 403 403 404 404"},
		{route: "GET /api/v1/communities/:cid/claimable-items", path: p("/api/v1/communities/%d/claimable-items", f.B.ID), body: none, want: wAdminB},
		{route: "GET /api/v1/me/items", path: "/api/v1/me/items", body: none, want: wUser},
		// Escalations (docs/follow-through.md "Escalation"): facilitators and admins act, members read.
		{route: "POST /api/v1/items/:id/escalations", path: p("/api/v1/items/%d/escalations", toEscalate.ID),
			body: body(map[string]any{"channel": "whistle", "department": "街道城建办", "reason": "需要街道协调"}), want: wOnceFacil},
		{route: "GET /api/v1/escalations/:id", path: p("/api/v1/escalations/%d", toCorrect.ID), body: none, want: wMemberA},
		{route: "PATCH /api/v1/escalations/:id", path: p("/api/v1/escalations/%d", toCorrect.ID),
			body: body(map[string]any{"ticket_no": "WH-001"}), want: wFacilA},
		{route: "POST /api/v1/escalations/:id/response", path: p("/api/v1/escalations/%d/response", toAnswer.ID),
			body: body(map[string]any{"response": "已处理"}), want: wOnceFacil},
		{route: "GET /api/v1/communities/:cid/escalations", path: p("/api/v1/communities/%d/escalations", f.A.ID), body: none, want: wMemberA},
		{route: "GET /api/v1/communities/:cid/escalations", path: p("/api/v1/communities/%d/escalations", f.B.ID), body: none, want: wMemberB},
		// A resolution's story: its records to members, its events only to the committee and admins.
		{route: "GET /api/v1/resolutions/:id/story", path: p("/api/v1/resolutions/%d/story", working.ID), body: none, want: wMemberA},
	}
}
