package handlers

import (
	"context"
	"fmt"

	"github.com/yueyuetan/yueyuetan/models"
)

// notifyRows are the access matrix rows of the inbox, the survey and the sign-off
// (docs/notifications.md): three resolutions under evaluation — one to answer, one to sign off,
// one whose survey fell below the threshold. One-way calls succeed for the first caller allowed,
// the superadmin, and answer 409 to the others who pass the role check.
func (ta *testApp) notifyRows() []accessRow {
	rf := ta.buildResolutionFixture("2029-12")
	ctx := context.Background()
	f := ta.fx
	p := fmt.Sprintf
	body := func(v any) func(int) any { return func(int) any { return v } }
	none := func(int) any { return nil }
	evaluating := func(title string) *models.Resolution {
		r := ta.draftFrom(rf.cycle.ID, ta.formalVote(rf.meeting.ID, title, 3, 0).ID, "")
		if err := ta.store.Gorm().Table("resolutions").Where("id = ?", r.ID).Update("status", models.ResolutionEvaluating).Error; err != nil {
			panic(err)
		}
		return r
	}
	answered, toSign, low := evaluating("测评表决"), evaluating("验收表决"), evaluating("重开表决")
	visited := must(ta.store.CreateHousehold(ctx, f.Super.Actor(), f.CompoundA.ID, models.HouseholdInput{BuildingID: f.BuildingA.ID,
		Room: "矩阵1", Area: 60}))
	must(ta.store.AnswerSurvey(ctx, f.GridWorker.Actor(), low.ID, models.SurveyInput{Level: models.SurveyDissatisfied,
		Via: models.SurveyViaVisit, HouseholdID: &visited.ID}))
	return []accessRow{
		{route: "GET /api/v1/me/notifications", path: "/api/v1/me/notifications", body: none, want: wUser},
		{route: "POST /api/v1/me/notifications/read", path: "/api/v1/me/notifications/read", body: body(map[string]any{"all": true}), want: wUser},
		{route: "GET /api/v1/me/notifications/stream", path: "/api/v1/me/notifications/stream", body: none, want: wUser},
		{route: "GET /api/v1/me/notification-preferences", path: "/api/v1/me/notification-preferences", body: none, want: wUser},
		{route: "PUT /api/v1/me/notification-preferences", path: "/api/v1/me/notification-preferences",
			body: body(map[string]any{"off": []string{models.NoteCyclePhase}}), want: wUser},
		{route: "GET /api/v1/resolutions/:id/survey", path: p("/api/v1/resolutions/%d/survey", answered.ID), body: none, want: wMemberA},
		// Visits: grid workers and admins (and the superadmin, first); the household answers once.
		{route: "POST /api/v1/resolutions/:id/survey-answers", path: p("/api/v1/resolutions/%d/survey-answers", answered.ID),
			body: body(map[string]any{"level": "satisfied", "via": "visit", "household_id": visited.ID}),
			want: "401 2xx 409 403 409 403 403 403 403 404 404"},
		// The committee only; the superadmin's refusal sends it back, so the committee's comes too late.
		{route: "POST /api/v1/resolutions/:id/acceptance", path: p("/api/v1/resolutions/%d/acceptance", toSign.ID),
			body: body(map[string]any{"decision": "refuse", "remarks": "需要整改"}), want: "401 2xx 403 403 403 409 403 403 403 404 404"},
		{route: "POST /api/v1/resolutions/:id/reopen", path: p("/api/v1/resolutions/%d/reopen", low.ID),
			body: body(map[string]any{"reason": "满意率低"}), want: "401 2xx 409 409 403 409 403 403 403 404 404"},
	}
}
