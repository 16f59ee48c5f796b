package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// speakerFixture is what the access matrix needs of the speaker queue: in community A started
// meetings with a two-item agenda, each for rows that must not disturb one another — one where
// every caller who may sign in has, one to move along its agenda, one with a waiting slot to
// start, and one with a running speech and a waiting slot of someone without a phone.
type speakerFixture struct {
	cycle                         *models.Cycle
	queue, agenda, start, running *models.Meeting
	waiting, speaking, withdraw   *models.SpeakerSlot
}

func (ta *testApp) buildSpeakerFixture() speakerFixture {
	ctx := context.Background()
	s, f := ta.store, ta.fx
	sa := f.Super.Actor()
	cy := must(s.CreateCycle(ctx, sa, f.A.ID, models.CycleInput{Month: "2028-08", CompoundID: f.CompoundA.ID, Reason: "居民反映最集中"}))
	must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseTopicCollection, ""))
	t := must(s.ProposeTopic(ctx, f.Resident.Actor(), cy.ID, models.TopicInput{Title: "楼道照明"}))
	must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseTopicSelection, ""))
	must(s.SelectTopic(ctx, sa, cy.ID, t.ID, "附议最多"))
	must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseCardCollection, ""))
	sf := speakerFixture{cycle: cy}
	started := func(title string) *models.Meeting { return ta.startedMeeting(sf, title) }
	ask := func(m *models.Meeting, name string) *models.SpeakerSlot { return ta.askByName(m, name) }
	sf.queue, sf.agenda, sf.start, sf.running = started("排队的会"), started("换议程的会"), started("开讲的会"), started("正在发言的会")
	for _, u := range []*models.User{f.Super, f.AdminA, f.Facilitator, f.GridWorker, f.Committee, f.Party, f.Resident} {
		_, _, _, err := s.JoinMeeting(ctx, u.Actor(), sf.queue.JoinCode, models.CheckInCode)
		must(0, err)
	}
	// Someone not yet verified is signed in by the facilitator, who sees them at the door.
	must(first(s.CheckIn(ctx, sa, sf.queue.ID, models.CheckInInput{UserID: &f.Unverified.ID})))
	sf.waiting = ask(sf.start, "王奶奶")
	sf.speaking = ask(sf.running, "李爷爷")
	must(s.StartSpeaker(ctx, sa, sf.speaking.ID))
	sf.withdraw = ask(sf.running, "张阿姨")
	return sf
}

// startedMeeting starts a meeting with a two-item agenda in the fixture's cycle.
func (ta *testApp) startedMeeting(sf speakerFixture, title string) *models.Meeting {
	ctx, sa := context.Background(), ta.fx.Super.Actor()
	m := must(ta.store.ScheduleMeeting(ctx, sa, sf.cycle.ID, models.MeetingInput{Title: title,
		StartsAt: time.Date(2028, 8, 20, 11, 30, 0, 0, time.UTC), Location: "会议室",
		Agenda: []models.AgendaItem{{Title: "介绍方案", Minutes: 10}, {Title: "自由发言", Minutes: 30}}}))
	return must(ta.store.StartMeeting(ctx, sa, m.ID))
}

// askByName queues someone without a phone, as the superadmin.
func (ta *testApp) askByName(m *models.Meeting, name string) *models.SpeakerSlot {
	sl, _, err := ta.store.AskToSpeak(context.Background(), ta.fx.Super.Actor(), m.ID,
		models.AskInput{Stance: models.StanceNeutral, Name: name})
	return must(sl, err)
}

// freshSlot is a slot of its own started meeting: waiting, or speaking when speaking is set.
func (ta *testApp) freshSlot(sf speakerFixture, speaking bool) *models.SpeakerSlot {
	sl := ta.askByName(ta.startedMeeting(sf, "单独的会"), "王奶奶")
	if speaking {
		return must(ta.store.StartSpeaker(context.Background(), ta.fx.Super.Actor(), sl.ID))
	}
	return sl
}

// speakerRows are the access matrix rows of the speaker queue and the agenda item.
func (ta *testApp) speakerRows() []accessRow {
	sf := ta.buildSpeakerFixture()
	p := fmt.Sprintf
	body := func(v any) func(int) any { return func(int) any { return v } }
	none := func(int) any { return nil }
	meeting := func(m *models.Meeting, rest string) string { return p("/api/v1/meetings/%d%s", m.ID, rest) }
	slot := func(sl *models.SpeakerSlot, rest string) string { return p("/api/v1/speakers/%d%s", sl.ID, rest) }
	// The first allowed caller moves the slot along; later ones find it moved (409); only
	// facilitators and admins may move another person's slot.
	const once = "401 2xx 409 409 403 403 403 403 403 404 404"
	return []accessRow{
		{route: "GET /api/v1/meetings/:id/speakers", path: meeting(sf.queue, "/speakers"), body: none, want: wMemberA},
		// Every member of A signed in at this meeting, so each may ask for themself.
		{route: "POST /api/v1/meetings/:id/speakers", path: meeting(sf.queue, "/speakers"),
			body: body(map[string]any{"stance": "pro"}), want: wMemberA},
		{route: "POST /api/v1/meetings/:id/speakers", path: meeting(sf.queue, "/speakers"),
			body: func(n int) any { return map[string]any{"stance": "con", "name": p("来宾%d", n)} }, want: wFacilA},
		{route: "PUT /api/v1/meetings/:id/agenda-item", path: meeting(sf.agenda, "/agenda-item"),
			body: body(map[string]any{"position": 2}), want: wFacilA},
		{route: "POST /api/v1/speakers/:id/start", path: slot(sf.waiting, "/start"), body: none, want: once},
		{route: "POST /api/v1/speakers/:id/finish", path: slot(sf.speaking, "/finish"), body: none, want: once},
		{route: "DELETE /api/v1/speakers/:id", path: slot(sf.withdraw, ""), body: none, want: once},
	}
}
