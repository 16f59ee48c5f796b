package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// clusterFixture is what the access matrix and the cluster tests need of the card wall: in
// community A a cycle at the round table with a meeting under way, three paper cards, a group
// holding the first card and a second, empty group.
type clusterFixture struct {
	cycle          *models.Cycle
	meeting        *models.Meeting
	cards          []*models.Card
	group, spare   *models.Cluster
	facilitatorAct models.Actor
}

// buildClusterFixture makes the cycle of the given month; each test app may build one per month.
func (ta *testApp) buildClusterFixture(month string) clusterFixture {
	ctx := context.Background()
	s, f := ta.store, ta.fx
	sa := f.Super.Actor()
	cf := clusterFixture{facilitatorAct: f.Facilitator.Actor()}
	cf.cycle = must(s.CreateCycle(ctx, sa, f.A.ID, models.CycleInput{Month: month, CompoundID: f.CompoundA.ID, Reason: "居民反映最集中"}))
	must(s.AdvanceCycle(ctx, sa, cf.cycle.ID, models.PhaseTopicCollection, ""))
	t := must(s.ProposeTopic(ctx, f.Resident.Actor(), cf.cycle.ID, models.TopicInput{Title: "加装电梯"}))
	must(s.AdvanceCycle(ctx, sa, cf.cycle.ID, models.PhaseTopicSelection, ""))
	must(s.SelectTopic(ctx, sa, cf.cycle.ID, t.ID, "附议最多"))
	must(s.AdvanceCycle(ctx, sa, cf.cycle.ID, models.PhaseCardCollection, ""))
	for _, body := range []string{"一楼住户给予适当补偿", "按楼层分摊加装电梯费用", "施工期间安排临时停车位"} {
		cf.cards = append(cf.cards, must(first(s.SubmitCard(ctx, cf.facilitatorAct, cf.cycle.ID,
			models.CardInput{Body: body, Origin: models.OriginPaper}))))
	}
	cf.meeting = must(s.ScheduleMeeting(ctx, sa, cf.cycle.ID, models.MeetingInput{Title: "加装电梯圆桌会",
		StartsAt: time.Date(2027, 4, 20, 11, 30, 0, 0, time.UTC), Location: "小区活动室"}))
	must(s.StartMeeting(ctx, sa, cf.meeting.ID))
	cf.group = must(s.CreateCluster(ctx, cf.facilitatorAct, cf.meeting.ID, "补偿"))
	cf.spare = must(s.CreateCluster(ctx, cf.facilitatorAct, cf.meeting.ID, "备用"))
	must(s.MoveCard(ctx, cf.facilitatorAct, cf.cards[0].ID, models.CardMove{ClusterID: &cf.group.ID}))
	return cf
}

// clusterRows are the access matrix rows of the card wall.
func (ta *testApp) clusterRows() []accessRow {
	cf := ta.buildClusterFixture("2027-10")
	p := fmt.Sprintf
	body := func(v any) func(int) any { return func(int) any { return v } }
	none := func(int) any { return nil }
	return []accessRow{
		{route: "GET /api/v1/meetings/:id/clusters", path: p("/api/v1/meetings/%d/clusters", cf.meeting.ID), body: none, want: wMemberA},
		{route: "POST /api/v1/meetings/:id/clusters", path: p("/api/v1/meetings/%d/clusters", cf.meeting.ID),
			body: func(n int) any { return map[string]any{"label": p("分组%d", n)} }, want: wFacilA},
		{route: "PATCH /api/v1/clusters/:id", path: p("/api/v1/clusters/%d", cf.group.ID),
			body: body(map[string]any{"label": "补偿方案", "position": 1}), want: wFacilA},
		{route: "PUT /api/v1/cards/:id/cluster", path: p("/api/v1/cards/%d/cluster", cf.cards[1].ID),
			body: body(map[string]any{"cluster_id": cf.group.ID}), want: wFacilA},
		// Dissolving a dissolved group changes nothing, so every allowed caller gets a 2xx.
		{route: "DELETE /api/v1/clusters/:id", path: p("/api/v1/clusters/%d", cf.spare.ID), body: none, want: wFacilA},
	}
}
