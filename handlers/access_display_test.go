package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// displayMeeting schedules a meeting in community A of its own cycle (month 2028-05), for the
// projector's access rows: the answer carries the display token, once.
func (ta *testApp) displayMeeting() *models.Meeting {
	ctx := context.Background()
	s, f := ta.store, ta.fx
	sa := f.Super.Actor()
	cy := must(s.CreateCycle(ctx, sa, f.A.ID, models.CycleInput{Month: "2028-05", CompoundID: f.CompoundA.ID, Reason: "居民反映最集中"}))
	must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseTopicCollection, ""))
	t := must(s.ProposeTopic(ctx, f.Resident.Actor(), cy.ID, models.TopicInput{Title: "楼道照明"}))
	must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseTopicSelection, ""))
	must(s.SelectTopic(ctx, sa, cy.ID, t.ID, "附议最多"))
	must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseCardCollection, ""))
	return must(s.ScheduleMeeting(ctx, sa, cy.ID, models.MeetingInput{Title: "投屏的会",
		StartsAt: time.Date(2028, 5, 20, 11, 30, 0, 0, time.UTC), Location: "会议室"}))
}

// displayRows are the access matrix rows of the projector. The wall's routes have no login: the
// display token in the path is the capability, so every caller — anonymous or logged in as
// anyone, of any community — gets the wall with a valid token, and the plain not-found with any
// other token. A bearer token sent along is ignored, never checked.
func (ta *testApp) displayRows() []accessRow {
	m := ta.displayMeeting()
	p := fmt.Sprintf
	body := func(v any) func(int) any { return func(int) any { return v } }
	none := func(int) any { return nil }
	const all404 = "404 404 404 404 404 404 404 404 404 404 404"
	return []accessRow{
		{route: "GET /api/v1/meetings/:id/projector", path: p("/api/v1/meetings/%d/projector", m.ID), body: none,
			want: "401 2xx 2xx 2xx 403 2xx 403 403 403 404 404"},
		{route: "GET /api/v1/meetings/:id/projector", path: p("/api/v1/meetings/%d/projector?mode=speaker", m.ID), body: none,
			want: "401 2xx 2xx 2xx 403 2xx 403 403 403 404 404"},
		{route: "PUT /api/v1/meetings/:id/projector", path: p("/api/v1/meetings/%d/projector", m.ID),
			body: body(map[string]any{"mode": "join"}), want: wFacilA},
		{route: "GET /api/v1/display/:token", path: "/api/v1/display/" + m.DisplayToken, body: none, want: wAll},
		{route: "GET /api/v1/display/:token", path: "/api/v1/display/not-a-display-token", body: none, want: all404},
		{route: "GET /api/v1/display/:token/stream", path: "/api/v1/display/" + m.DisplayToken + "/stream", body: none, want: wAll},
		{route: "GET /api/v1/display/:token/stream", path: "/api/v1/display/not-a-display-token/stream", body: none, want: all404},
	}
}
