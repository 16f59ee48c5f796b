package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// seatFixture is what the access matrix needs of stakeholder seats: in community A a cycle
// collecting cards with a scheduled meeting, a seat of a member to change and an open seat to
// remove.
type seatFixture struct {
	cycle          *models.Cycle
	meeting        *models.Meeting
	member, spare  *models.Seat
	facilitatorAct models.Actor
}

// buildSeatFixture makes the cycle of the given month; each test app may build one per month.
func (ta *testApp) buildSeatFixture(month string) seatFixture {
	ctx := context.Background()
	s, f := ta.store, ta.fx
	sa := f.Super.Actor()
	sf := seatFixture{facilitatorAct: f.Facilitator.Actor()}
	sf.cycle = must(s.CreateCycle(ctx, sa, f.A.ID, models.CycleInput{Month: month, CompoundID: f.CompoundA.ID, Reason: "居民反映最集中"}))
	must(s.AdvanceCycle(ctx, sa, sf.cycle.ID, models.PhaseTopicCollection, ""))
	t := must(s.ProposeTopic(ctx, f.Resident.Actor(), sf.cycle.ID, models.TopicInput{Title: "加装电梯"}))
	must(s.AdvanceCycle(ctx, sa, sf.cycle.ID, models.PhaseTopicSelection, ""))
	must(s.SelectTopic(ctx, sa, sf.cycle.ID, t.ID, "附议最多"))
	must(s.AdvanceCycle(ctx, sa, sf.cycle.ID, models.PhaseCardCollection, ""))
	sf.meeting = must(s.ScheduleMeeting(ctx, sa, sf.cycle.ID, models.MeetingInput{Title: "加装电梯圆桌会",
		StartsAt: time.Date(2027, 5, 20, 11, 30, 0, 0, time.UTC), Location: "2号楼架空层"}))
	sf.member = must(s.InviteSeat(ctx, sf.facilitatorAct, sf.meeting.ID, models.SeatInput{Kind: models.SeatResidentCon,
		Label: "一楼住户代表", Invitee: models.Invitee{UserID: &f.Resident.ID}}))
	sf.spare = must(s.InviteSeat(ctx, sf.facilitatorAct, sf.meeting.ID, models.SeatInput{Kind: models.SeatExpert, Label: "专家"}))
	return sf
}

// seatRows are the access matrix rows of stakeholder seats.
func (ta *testApp) seatRows() []accessRow {
	sf := ta.buildSeatFixture("2029-03")
	p := fmt.Sprintf
	body := func(v any) func(int) any { return func(int) any { return v } }
	none := func(int) any { return nil }
	seats := p("/api/v1/meetings/%d/seats", sf.meeting.ID)
	return []accessRow{
		{route: "GET /api/v1/meetings/:id/seats", path: seats, body: none, want: wMemberA},
		{route: "POST /api/v1/meetings/:id/seats", path: seats,
			body: func(n int) any { return map[string]any{"kind": "resident_pro", "label": p("居民代表%d", n)} }, want: wFacilA},
		{route: "PATCH /api/v1/seats/:id", path: p("/api/v1/seats/%d", sf.member.ID),
			body: body(map[string]any{"label": "一楼住户代表（反对）", "position": 1}), want: wFacilA},
		// Removing a removed seat changes nothing, so every allowed caller gets a 2xx.
		{route: "DELETE /api/v1/seats/:id", path: p("/api/v1/seats/%d", sf.spare.ID), body: none, want: wFacilA},
	}
}
