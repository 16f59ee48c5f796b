package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// meetingFixture is what the access matrix needs of round tables: in community A a cycle
// collecting cards with a scheduled meeting, a started one and one open for sign-in.
type meetingFixture struct {
	cycle                    *models.Cycle
	scheduled, started, open *models.Meeting
}

func (ta *testApp) buildMeetingFixture() meetingFixture {
	ctx := context.Background()
	s, f := ta.store, ta.fx
	sa := f.Super.Actor()
	var mf meetingFixture
	mf.cycle = must(s.CreateCycle(ctx, sa, f.A.ID, models.CycleInput{Month: "2026-07", CompoundID: f.CompoundA.ID, Reason: "居民反映最集中"}))
	must(s.AdvanceCycle(ctx, sa, mf.cycle.ID, models.PhaseTopicCollection, ""))
	t := must(s.ProposeTopic(ctx, f.Resident.Actor(), mf.cycle.ID, models.TopicInput{Title: "电动车充电"}))
	must(s.AdvanceCycle(ctx, sa, mf.cycle.ID, models.PhaseTopicSelection, ""))
	must(s.SelectTopic(ctx, sa, mf.cycle.ID, t.ID, "附议最多"))
	must(s.AdvanceCycle(ctx, sa, mf.cycle.ID, models.PhaseCardCollection, ""))
	in := func(title string) models.MeetingInput {
		return models.MeetingInput{Title: title, StartsAt: time.Date(2026, 7, 20, 11, 30, 0, 0, time.UTC), Location: "会议室", Quorum: 3}
	}
	mf.scheduled = must(s.ScheduleMeeting(ctx, sa, mf.cycle.ID, in("待开始的会")))
	mf.started = must(s.ScheduleMeeting(ctx, sa, mf.cycle.ID, in("进行中的会")))
	must(s.StartMeeting(ctx, sa, mf.started.ID))
	mf.open = must(s.ScheduleMeeting(ctx, sa, mf.cycle.ID, in("签到中的会")))
	must(s.StartMeeting(ctx, sa, mf.open.ID))
	return mf
}

// meetingRows are the access matrix rows of meetings and sign-in.
func (ta *testApp) meetingRows() []accessRow {
	mf := ta.buildMeetingFixture()
	p := fmt.Sprintf
	body := func(v any) func(int) any { return func(int) any { return v } }
	none := func(int) any { return nil }
	meeting := func(m *models.Meeting, rest string) string { return p("/api/v1/meetings/%d%s", m.ID, rest) }
	return []accessRow{
		{route: "GET /api/v1/cycles/:id/meetings", path: p("/api/v1/cycles/%d/meetings", mf.cycle.ID), body: none, want: wMemberA},
		{route: "POST /api/v1/cycles/:id/meetings", path: p("/api/v1/cycles/%d/meetings", mf.cycle.ID),
			body: body(map[string]any{"title": "圆桌会", "starts_at": "2026-07-20T19:30:00+08:00", "location": "会议室"}), want: wFacilA},
		{route: "GET /api/v1/meetings/:id", path: meeting(mf.open, ""), body: none, want: wMemberA},
		{route: "GET /api/v1/meetings/:id/stream", path: meeting(mf.open, "/stream"), body: none, want: wMemberA},
		{route: "GET /api/v1/meetings/:id/cluster-suggestions", path: meeting(mf.open, "/cluster-suggestions"), body: none,
			want: "401 2xx 2xx 2xx 403 2xx 403 403 403 404 404"},
		// The first allowed caller starts (or ends) the meeting; later ones find it already done.
		{route: "POST /api/v1/meetings/:id/start", path: meeting(mf.scheduled, "/start"), body: none,
			want: "401 2xx 409 409 403 403 403 403 403 404 404"},
		{route: "POST /api/v1/meetings/:id/end", path: meeting(mf.started, "/end"),
			body: body(map[string]any{"minutes": map[string]any{"summary": "同意试行"}}), want: "401 2xx 409 409 403 403 403 403 403 404 404"},
		{route: "POST /api/v1/meetings/:id/display-token", path: meeting(mf.open, "/display-token"), body: none, want: wFacilA},
		{route: "GET /api/v1/meetings/:id/wall-link", path: meeting(mf.open, "/wall-link"), body: none, want: wFacilA},
		// A verified member of the meeting's community signs in; to anyone else the code is just wrong.
		{route: "POST /api/v1/meetings/join", path: "/api/v1/meetings/join", body: body(map[string]any{"code": mf.open.JoinCode}),
			want: "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx 403 422 422"},
		{route: "GET /api/v1/meetings/:id/attendance", path: meeting(mf.open, "/attendance"), body: none, want: wMemberA},
		{route: "POST /api/v1/meetings/:id/attendance", path: meeting(mf.open, "/attendance"),
			body: body(map[string]any{"name": "王奶奶"}), want: wFacilA},
	}
}
