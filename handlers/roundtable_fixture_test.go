package handlers

import (
	"context"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// startMeetingB makes a cycle of community B for the month with the topic 停车难 selected and
// starts a meeting of it: a round table of another tenant, for the tests that must not reach it.
func (ta *testApp) startMeetingB(month, title string, startsAt time.Time) *models.Meeting {
	ctx := context.Background()
	s, f := ta.store, ta.fx
	sa := f.Super.Actor()
	cy := must(s.CreateCycle(ctx, sa, f.B.ID, models.CycleInput{Month: month, CompoundID: f.CompoundB.ID, Reason: "居民反映最集中"}))
	must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseTopicCollection, ""))
	tp := must(s.ProposeTopic(ctx, f.ResidentB.Actor(), cy.ID, models.TopicInput{Title: "停车难"}))
	must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseTopicSelection, ""))
	must(s.SelectTopic(ctx, sa, cy.ID, tp.ID, "附议最多"))
	must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseCardCollection, ""))
	m := must(s.ScheduleMeeting(ctx, sa, cy.ID, models.MeetingInput{Title: title, StartsAt: startsAt, Location: "活动室"}))
	must(s.StartMeeting(ctx, sa, m.ID))
	return m
}
