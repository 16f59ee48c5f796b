package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// noticeRows are the access matrix rows of the public meeting notice (docs/paper.md "The public
// notice"): anyone reads a scheduled meeting's notice, with no login and from any community; a
// meeting whose notice is not public (here: its cycle was cancelled) is the plain 404 for everyone.
func (ta *testApp) noticeRows() []accessRow {
	ctx := context.Background()
	s, f := ta.store, ta.fx
	sa := f.Super.Actor()
	p := fmt.Sprintf
	none := func(int) any { return nil }
	cycle := func(month string) *models.Cycle {
		cy := must(s.CreateCycle(ctx, sa, f.A.ID, models.CycleInput{Month: month, CompoundID: f.CompoundA.ID, Reason: "公告"}))
		must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseTopicCollection, ""))
		tp := must(s.ProposeTopic(ctx, f.Resident.Actor(), cy.ID, models.TopicInput{Title: "楼道照明"}))
		must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseTopicSelection, ""))
		must(s.SelectTopic(ctx, sa, cy.ID, tp.ID, "附议最多"))
		must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseCardCollection, ""))
		return cy
	}
	in := models.MeetingInput{Title: "楼道照明圆桌会", StartsAt: time.Date(2041, 5, 20, 11, 30, 0, 0, time.UTC), Location: "活动室"}
	public := must(s.ScheduleMeeting(ctx, sa, cycle("2041-05").ID, in))
	gone := cycle("2041-06")
	hidden := must(s.ScheduleMeeting(ctx, sa, gone.ID, in))
	must(s.AdvanceCycle(ctx, sa, gone.ID, models.PhaseCancelled, "改期"))
	const w404 = "404 404 404 404 404 404 404 404 404 404 404"
	return []accessRow{
		{route: "GET /api/v1/public/meetings/:id/notice", path: p("/api/v1/public/meetings/%d/notice", public.ID), body: none, want: wAll},
		{route: "GET /api/v1/public/meetings/:id/notice", path: p("/api/v1/public/meetings/%d/notice", hidden.ID), body: none, want: w404},
		{route: "GET /api/v1/public/meetings/:id/notice", path: "/api/v1/public/meetings/999999/notice", body: none, want: w404},
	}
}
