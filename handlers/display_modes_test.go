package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// The wall's grouped card wall, its one-group (cluster) and speaker modes, the console's preview
// of a mode, and the signals the wall's stream carries for them.

// wallCardsOf writes cards as "body,body".
func wallCardsOf(cards []models.WallCard) string {
	var out []string
	for _, c := range cards {
		out = append(out, c.Body)
	}
	return strings.Join(out, ",")
}

// wallGroupsOf writes a card wall as "label:body,body|label:|loose:body".
func wallGroupsOf(w wallState) string {
	var parts []string
	for i, g := range w.Groups {
		if g.Position != i+1 {
			return fmt.Sprintf("positions broken at %d: %+v", i, w.Groups)
		}
		parts = append(parts, g.Label+":"+wallCardsOf(g.Cards))
	}
	return strings.Join(append(parts, "loose:"+wallCardsOf(w.Cards)), "|")
}

func (ta *testApp) wallOK(t *testing.T, token string) (wallState, string) {
	t.Helper()
	rec := ta.wall(token)
	wantStatus(t, rec, http.StatusOK)
	return decode[wallState](t, rec), rec.Body.String()
}

// TestDisplay_CardWallGrouped: the card wall shows the meeting's groups in order, each with the
// text of its visible cards, then the loose cards; a hidden card leaves its group on the wall,
// and nothing shows who wrote what.
func TestDisplay_CardWallGrouped(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cf := ta.buildClusterFixture("2027-11")
	m := cf.meeting
	named := ta.submit(t, cf.cycle.ID, f.Resident, map[string]any{"body": "高层多出一点费用"})
	anon := ta.submit(t, cf.cycle.ID, f.Party, map[string]any{"body": "先做一个单元试点", "anonymous": true})
	wantStatus(t, ta.placeCard(f.Facilitator, named.ID, &cf.spare.ID, nil), http.StatusOK)
	wantStatus(t, ta.placeCard(f.Facilitator, cf.cards[2].ID, &cf.group.ID, nil), http.StatusOK)
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "cards"}), http.StatusOK)

	w, body := ta.wallOK(t, m.DisplayToken)
	if got, want := wallGroupsOf(w), "补偿:一楼住户给予适当补偿,施工期间安排临时停车位|备用:高层多出一点费用|loose:按楼层分摊加装电梯费用,先做一个单元试点"; got != want {
		t.Fatalf("wall=%s\nwant %s", got, want)
	}
	if w.Groups[0].ID != cf.group.ID || w.Groups[1].ID != cf.spare.ID || w.Cluster != nil || w.Speaker != nil || w.Topic != nil {
		t.Fatalf("wall=%s", body)
	}
	secrets := []string{f.Resident.Name, f.Party.Name, f.Facilitator.Name, m.DisplayToken}
	wantNoPersonalData(t, "the card wall", body, secrets...)

	// Reordered groups follow; a hidden card leaves the wall, withdrawn too; a dissolved group's
	// cards go back to the loose pile.
	wantStatus(t, ta.do(req{method: "PATCH", path: clusterPath(cf.spare.ID), as: f.Facilitator,
		body: map[string]any{"position": 1, "label": "费用"}}), http.StatusOK)
	wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", cf.cards[0].ID), as: f.Facilitator,
		body: map[string]any{"status": "hidden", "reason": "重复"}}), http.StatusOK)
	wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", anon.ID), as: f.Party,
		body: map[string]any{"status": "withdrawn"}}), http.StatusOK)
	w, body = ta.wallOK(t, m.DisplayToken)
	if got, want := wallGroupsOf(w), "费用:高层多出一点费用|补偿:施工期间安排临时停车位|loose:按楼层分摊加装电梯费用"; got != want {
		t.Fatalf("wall=%s\nwant %s", got, want)
	}
	if strings.Contains(body, "重复") || strings.Contains(body, cf.cards[0].Body) {
		t.Fatalf("the wall shows a hidden card or its reason: %s", body)
	}
	wantStatus(t, ta.do(req{method: "DELETE", path: clusterPath(cf.group.ID), as: f.Facilitator}), http.StatusNoContent)
	w, _ = ta.wallOK(t, m.DisplayToken)
	if got, want := wallGroupsOf(w), "费用:高层多出一点费用|loose:按楼层分摊加装电梯费用,施工期间安排临时停车位"; got != want {
		t.Fatalf("wall=%s\nwant %s", got, want)
	}

	// Another meeting's groups are not this wall's: its cards are loose here.
	other := must(ta.store.ScheduleMeeting(context.Background(), f.Super.Actor(), cf.cycle.ID, models.MeetingInput{
		Title: "第二次圆桌会", StartsAt: time.Date(2027, 5, 20, 11, 30, 0, 0, time.UTC), Location: "小区活动室"}))
	wantStatus(t, ta.setProjector(f.Facilitator, other.ID, map[string]any{"mode": "cards"}), http.StatusOK)
	w, _ = ta.wallOK(t, other.DisplayToken)
	if got, want := wallGroupsOf(w), "loose:按楼层分摊加装电梯费用,施工期间安排临时停车位,高层多出一点费用"; got != want {
		t.Fatalf("other meeting's wall=%s\nwant %s", got, want)
	}
}

// TestDisplay_ClusterMode puts one group on the wall: cluster_id is required for this mode only,
// must name a live group of this very meeting, and a refusal changes nothing.
func TestDisplay_ClusterMode(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cf := ta.buildClusterFixture("2027-11")
	otherMeeting := ta.buildClusterFixture("2027-12")
	m := cf.meeting
	wantStatus(t, ta.placeCard(f.Facilitator, cf.cards[1].ID, &cf.group.ID, nil), http.StatusOK)
	named := ta.submit(t, cf.cycle.ID, f.Resident, map[string]any{"body": "补偿资金从维修基金出"})
	wantStatus(t, ta.placeCard(f.Facilitator, named.ID, &cf.group.ID, nil), http.StatusOK)

	// A group of community B.
	ctx, sa := context.Background(), f.Super.Actor()
	mB := ta.startMeetingB("2027-11", "天门小区议事会", time.Date(2027, 11, 20, 11, 30, 0, 0, time.UTC))
	groupB := must(ta.store.CreateCluster(ctx, sa, mB.ID, "停车"))

	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "topic"}), http.StatusOK)
	t.Run("ErrInvalid", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		cases := []struct {
			name   string
			body   map[string]any
			status int
			code   string
			msg    string
			en     string
		}{
			{"NoGroup", map[string]any{"mode": "cluster"}, 422, "invalid_input", "请选择要投到大屏的分组", "Please choose the group to show on the wall"},
			{"GroupWithOtherMode", map[string]any{"mode": "cards", "cluster_id": cf.group.ID}, 422, "invalid_input",
				"只有投屏「一组卡片」时才需要选择分组", "A group is only needed when the wall shows one group"},
			{"OtherMeeting", map[string]any{"mode": "cluster", "cluster_id": otherMeeting.group.ID}, 422, "invalid_input",
				"这个分组不在本次会议的卡片墙上", "This group is not on this meeting's card wall"},
			{"OtherCommunity", map[string]any{"mode": "cluster", "cluster_id": groupB.ID}, 422, "invalid_input",
				"这个分组不在本次会议的卡片墙上", ""},
			{"Unknown", map[string]any{"mode": "cluster", "cluster_id": 987654321}, 422, "invalid_input", "这个分组不在本次会议的卡片墙上", ""},
			{"NotAnID", map[string]any{"mode": "cluster", "cluster_id": -1}, 422, "invalid_input", "", ""},
			{"Chart", map[string]any{"mode": "chart"}, 422, "invalid_input", "", ""},
			{"PollWithOtherMode", map[string]any{"mode": "cards", "poll_id": 1}, 422, "invalid_input",
				"只有投屏「投票」时才需要选择投票", "A poll is only needed when the wall shows a poll"},
		}
		for _, c := range cases {
			rec := ta.setProjector(f.Facilitator, m.ID, c.body)
			if c.code == "" {
				wantStatus(t, rec, c.status)
				continue
			}
			p := wantProblem(t, rec, c.status, c.code)
			field := "cluster_id"
			switch {
			case c.name == "Chart":
				field = "mode"
			case strings.HasPrefix(c.name, "Poll"):
				field = "poll_id"
			}
			if _, ok := p.Errors[field]; !ok {
				t.Fatalf("%s: errors=%v, want %s", c.name, p.Errors, field)
			}
			if c.msg != "" {
				wantField(t, p, field, c.msg)
			}
			if c.en != "" {
				rec := ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/meetings/%d/projector", m.ID), as: f.Facilitator,
					body: c.body, header: map[string]string{"Accept-Language": "en"}})
				wantField(t, wantProblem(t, rec, c.status, c.code), field, c.en)
			}
		}
		if got := ta.eventTypes(f.A.ID, before); len(got) != 0 {
			t.Fatalf("refused changes appended %v", got)
		}
		if w, _ := ta.wallOK(t, m.DisplayToken); w.Mode != models.ProjectorTopic {
			t.Fatalf("a refusal changed the wall to %q", w.Mode)
		}
	})
	t.Run("OK", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		rec := ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "cluster", "cluster_id": cf.group.ID})
		wantStatus(t, rec, http.StatusOK)
		evs := ta.events(f.A.ID)
		e := evs[len(evs)-1]
		if e.Seq != before+1 || e.Type != models.EvProjectorChanged ||
			e.Payload != fmt.Sprintf(`{"cluster_id":%d,"meeting_id":%d,"mode":"cluster"}`, cf.group.ID, m.ID) {
			t.Fatalf("event=%+v", e)
		}
		w, body := ta.wallOK(t, m.DisplayToken)
		if !sameWall(body, rec.Body.String()) {
			t.Fatalf("put=%s\nwall=%s", rec.Body, body)
		}
		if w.Mode != models.ProjectorCluster || w.Cluster == nil || w.Cluster.ID != cf.group.ID || w.Cluster.Label != "补偿" ||
			wallCardsOf(w.Cluster.Cards) != "一楼住户给予适当补偿,按楼层分摊加装电梯费用,补偿资金从维修基金出" ||
			w.Cards != nil || w.Groups != nil || w.Speaker != nil {
			t.Fatalf("wall=%s", body)
		}
		wantNoPersonalData(t, "the group on the wall", body, f.Resident.Name, f.Facilitator.Name)
	})
	t.Run("FollowsTheGroup", func(t *testing.T) {
		wantStatus(t, ta.do(req{method: "PATCH", path: clusterPath(cf.group.ID), as: f.Facilitator,
			body: map[string]any{"label": "低层补偿"}}), http.StatusOK)
		wantStatus(t, ta.placeCard(f.Facilitator, cf.cards[0].ID, nil, nil), http.StatusOK)
		w, body := ta.wallOK(t, m.DisplayToken)
		if w.Cluster == nil || w.Cluster.Label != "低层补偿" || wallCardsOf(w.Cluster.Cards) != "按楼层分摊加装电梯费用,补偿资金从维修基金出" {
			t.Fatalf("wall=%s", body)
		}
		// Dissolved: the wall stays in the mode and shows no group; it cannot be put up again.
		wantStatus(t, ta.do(req{method: "DELETE", path: clusterPath(cf.group.ID), as: f.Facilitator}), http.StatusNoContent)
		w, body = ta.wallOK(t, m.DisplayToken)
		if w.Mode != models.ProjectorCluster || w.Cluster != nil {
			t.Fatalf("wall of a dissolved group=%s", body)
		}
		wantProblem(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "cluster", "cluster_id": cf.group.ID}),
			http.StatusConflict, "cluster_dissolved")
	})
}

// TestDisplay_Preview: the console previews a mode without putting it on the wall, with the
// same checks as putting it there.
func TestDisplay_Preview(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cf := ta.buildClusterFixture("2027-11")
	m := cf.meeting
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "blank"}), http.StatusOK)
	path := func(q string) string { return fmt.Sprintf("/api/v1/meetings/%d/projector%s", m.ID, q) }
	before := lastSeq(ta.events(f.A.ID))

	rec := ta.do(req{method: "GET", path: path(fmt.Sprintf("?mode=cluster&cluster_id=%d", cf.group.ID)), as: f.Committee})
	wantStatus(t, rec, http.StatusOK)
	if w := decode[wallState](t, rec); w.Mode != models.ProjectorCluster || w.Cluster == nil || w.Cluster.Label != "补偿" ||
		wallCardsOf(w.Cluster.Cards) != cf.cards[0].Body {
		t.Fatalf("preview=%s", rec.Body)
	}
	rec = ta.do(req{method: "GET", path: path("?mode=message&message=" + "%E4%BC%91%E6%81%AF"), as: f.Facilitator})
	wantStatus(t, rec, http.StatusOK)
	if w := decode[wallState](t, rec); w.Message == nil || *w.Message != "休息" {
		t.Fatalf("preview=%s", rec.Body)
	}
	rec = ta.do(req{method: "GET", path: path("?mode=cards"), as: f.Facilitator})
	wantStatus(t, rec, http.StatusOK)
	if w := decode[wallState](t, rec); wallGroupsOf(w) != "补偿:一楼住户给予适当补偿|备用:|loose:按楼层分摊加装电梯费用,施工期间安排临时停车位" {
		t.Fatalf("preview=%s", rec.Body)
	}
	for q, field := range map[string]string{"?mode=cluster": "cluster_id", "?mode=cards&cluster_id=1": "cluster_id",
		"?mode=cluster&cluster_id=x": "cluster_id", "?mode=chart": "mode", "?mode=poll": "poll_id", "?mode=cards&poll_id=1": "poll_id",
		"?mode=poll&poll_id=x": "poll_id", "?mode=message": "message", "?message=hi": "mode"} {
		p := wantProblem(t, ta.do(req{method: "GET", path: path(q), as: f.Facilitator}), http.StatusUnprocessableEntity, "invalid_input")
		if _, ok := p.Errors[field]; !ok {
			t.Fatalf("%s: errors=%v, want %s", q, p.Errors, field)
		}
	}
	wantProblem(t, ta.do(req{method: "GET", path: path("?mode=cards"), as: f.Resident}), http.StatusForbidden, "forbidden")
	wantProblem(t, ta.do(req{method: "GET", path: path("?mode=cards"), as: f.AdminB}), http.StatusNotFound, "not_found")
	if got := ta.eventTypes(f.A.ID, before); len(got) != 0 {
		t.Fatalf("previews appended %v", got)
	}
	if w, _ := ta.wallOK(t, m.DisplayToken); w.Mode != models.ProjectorBlank {
		t.Fatalf("a preview changed the wall to %q", w.Mode)
	}
}

// TestDisplay_SpeakerMode: the speaker's turn on the wall — masked name, stance, start, limit and
// warning, the server's clock to count down with, the next few waiting and the agenda item —
// and never a user id.
func TestDisplay_SpeakerMode(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	sm := ta.speakerMeeting(t)
	m := sm.m
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "speaker"}), http.StatusOK)
	w, body := ta.wallOK(t, m.DisplayToken)
	if sp := w.Speaker; sp == nil || sp.Current != nil || len(sp.Next) != 0 || sp.Waiting != 0 || sp.LimitSeconds != 120 ||
		sp.WarningSeconds != 30 || sp.Item == nil || sp.Item.Position != 1 || sp.Item.Title != "介绍方案" || sp.Item.Minutes != 10 {
		t.Fatalf("empty speaker wall=%s", body)
	}

	pro := sm.askOK(t, f.Resident, models.StancePro)
	sm.clock.advance(time.Second)
	sm.askOK(t, f.Party, models.StancePro)
	sm.clock.advance(time.Second)
	con := sm.askOK(t, f.GridWorker, models.StanceCon)
	sm.clock.advance(time.Second)
	wantStatus(t, sm.ask(f.Facilitator, map[string]any{"stance": "neutral", "name": "王秀英"}), http.StatusCreated)
	sm.clock.advance(time.Second)
	wantStatus(t, sm.slotCall(f.Facilitator, "POST", pro.ID, "/start"), http.StatusOK)
	startedAt := sm.clock.now()
	sm.clock.advance(95 * time.Second)

	w, body = ta.wallOK(t, m.DisplayToken)
	sp := w.Speaker
	if sp == nil || sp.Current == nil || sp.Current.Name != "居*" || sp.Current.Stance != models.StancePro ||
		!sp.Current.StartedAt.Equal(startedAt) || !w.Now.Equal(startedAt.Add(95*time.Second)) {
		t.Fatalf("speaker wall=%s", body)
	}
	// Next: the suggested order (con before the second pro), the walk-in masked like anyone.
	var next []string
	for _, n := range sp.Next {
		next = append(next, n.Name+" "+n.Stance)
	}
	if got, want := strings.Join(next, ","), "网** con,党* pro,王** neutral"; got != want || sp.Waiting != 3 {
		t.Fatalf("next=%s (waiting %d), want %s", got, sp.Waiting, want)
	}
	wantNoPersonalData(t, "the speaker wall", body, f.Resident.Name, f.Party.Name, f.GridWorker.Name, "王秀英", "秀英")

	// The preview and the wall agree; finishing clears the turn.
	preview := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/meetings/%d/projector", m.ID), as: f.Facilitator})
	wantStatus(t, preview, http.StatusOK)
	if !sameWall(preview.Body.String(), body) {
		t.Fatalf("preview=%s\nwall=%s", preview.Body, body)
	}
	wantStatus(t, sm.slotCall(f.Facilitator, "POST", pro.ID, "/finish"), http.StatusOK)
	wantStatus(t, sm.slotCall(f.Facilitator, "POST", con.ID, "/start"), http.StatusOK)
	w, body = ta.wallOK(t, m.DisplayToken)
	if sp := w.Speaker; sp.Current == nil || sp.Current.Name != "网**" || sp.Current.Stance != models.StanceCon || sp.Waiting != 2 {
		t.Fatalf("speaker wall=%s", body)
	}
	// The next agenda item shows once the speech is over, and its signal reaches the wall.
	srv := httptest.NewServer(ta.e)
	t.Cleanup(srv.Close)
	c := openStream(t, srv.URL+"/api/v1/display/"+m.DisplayToken+"/stream", nil)
	c.next(t, "connected", 5*time.Second)
	wantStatus(t, sm.slotCall(f.Facilitator, "POST", con.ID, "/finish"), http.StatusOK)
	c.next(t, models.EvSpeakerFinished, time.Second)
	wantStatus(t, ta.do(req{method: "PUT", path: sm.path("/agenda-item"), as: f.Facilitator, body: map[string]any{"position": 2}}),
		http.StatusOK)
	ev := c.next(t, models.EvMeetingItemChanged, time.Second)
	wantNoPersonalData(t, string(models.EvMeetingItemChanged), ev.data)
	w, body = ta.wallOK(t, m.DisplayToken)
	if sp := w.Speaker; sp.Current != nil || sp.Item == nil || sp.Item.Position != 2 || sp.Item.Title != "费用分摊" {
		t.Fatalf("speaker wall=%s", body)
	}
}

// TestDisplay_StreamModes follows the wall's stream through the card wall, one group and the
// speaker: each change of what the wall shows arrives within a second as a content-free signal,
// and what the current mode does not show is not sent.
func TestDisplay_StreamModes(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cf := ta.buildClusterFixture("2027-11")
	m := cf.meeting
	ctx, fa := context.Background(), f.Facilitator.Actor()
	srv := httptest.NewServer(ta.e)
	t.Cleanup(srv.Close)
	c := openStream(t, srv.URL+"/api/v1/display/"+m.DisplayToken+"/stream", nil)
	c.next(t, "connected", 5*time.Second)
	secrets := []string{f.Resident.Name, f.Party.Name, f.Facilitator.Name, "施工安排", "补偿", "stance", "label"}
	expect := func(typ models.EventType) sseEvent {
		t.Helper()
		select {
		case ev, ok := <-c.events:
			if !ok {
				t.Fatalf("stream ended while waiting for %s", typ)
			}
			if ev.typ != typ {
				t.Fatalf("got %s (%s), want %s", ev.typ, ev.data, typ)
			}
			if !strings.Contains(ev.data, fmt.Sprintf(`"payload":{"meeting_id":%d`, m.ID)) {
				t.Fatalf("%s payload=%s", typ, ev.data)
			}
			wantNoPersonalData(t, "wall event "+string(ev.typ), ev.data, secrets...)
			return ev
		case <-time.After(time.Second):
			t.Fatalf("no %s within a second", typ)
		}
		return sseEvent{}
	}

	// The card wall: grouping moves reach it.
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "cards"}), http.StatusOK)
	expect(models.EvProjectorChanged)
	g := must(ta.store.CreateCluster(ctx, fa, m.ID, "施工安排"))
	expect(models.EvClusterCreated)
	must(ta.store.MoveCard(ctx, fa, cf.cards[2].ID, models.CardMove{ClusterID: &g.ID}))
	expect(models.EvCardGrouped)
	label := "施工期间"
	must(ta.store.UpdateCluster(ctx, fa, g.ID, models.ClusterChange{Label: &label}))
	expect(models.EvClusterRenamed)
	pos := 1
	must(ta.store.UpdateCluster(ctx, fa, g.ID, models.ClusterChange{Position: &pos}))
	expect(models.EvClusterReordered)
	must(ta.store.MoveCard(ctx, fa, cf.cards[2].ID, models.CardMove{}))
	expect(models.EvCardUngrouped)
	ta.submit(t, cf.cycle.ID, f.Resident, map[string]any{"body": "会上新写的卡片"})
	expect(models.EvCardCreated)

	// One group: its changes and hidden cards reach it; a new loose card does not.
	if ev := func() sseEvent {
		wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "cluster", "cluster_id": cf.group.ID}), http.StatusOK)
		return expect(models.EvProjectorChanged)
	}(); !strings.Contains(ev.data, `"mode":"cluster"}`) || strings.Contains(ev.data, "cluster_id") {
		t.Fatalf("projector.changed=%s", ev.data)
	}
	ta.submit(t, cf.cycle.ID, f.Resident, map[string]any{"body": "不在这一组的卡片"})
	wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", cf.cards[0].ID), as: f.Facilitator,
		body: map[string]any{"status": "hidden", "reason": "重复"}}), http.StatusOK)
	expect(models.EvCardHidden)
	must(0, ta.store.DissolveCluster(ctx, fa, cf.group.ID))
	expect(models.EvCardUngrouped)
	expect(models.EvClusterDissolved)

	// The speaker: the queue, turns and the agenda item reach it; grouping no longer does.
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "speaker"}), http.StatusOK)
	expect(models.EvProjectorChanged)
	must(ta.store.CreateCluster(ctx, fa, m.ID, "不投屏的分组"))
	ta.submit(t, cf.cycle.ID, f.Resident, map[string]any{"body": "讲话时写的卡片"})
	wantStatus(t, ta.join(f.Resident, m.JoinCode), http.StatusCreated)
	expect(models.EvAttendanceChanged)
	rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/speakers", m.ID), as: f.Resident,
		body: map[string]any{"stance": "pro"}})
	wantStatus(t, rec, http.StatusCreated)
	slot := decode[models.SpeakerSlot](t, rec)
	expect(models.EvSpeakerAsked)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/speakers/%d/start", slot.ID), as: f.Facilitator}), http.StatusOK)
	if ev := expect(models.EvSpeakerStarted); !strings.Contains(ev.data, `"subject_type":"speaker_slot"`) {
		t.Fatalf("speaker.started=%s", ev.data)
	}
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/speakers/%d/finish", slot.ID), as: f.Resident}), http.StatusOK)
	expect(models.EvSpeakerFinished)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/speakers", m.ID), as: f.Resident,
		body: map[string]any{"stance": "con"}}), http.StatusCreated)
	expect(models.EvSpeakerAsked)

	// Away from the speaker, turns are not sent.
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "blank"}), http.StatusOK)
	expect(models.EvProjectorChanged)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/speakers", m.ID), as: f.Party,
		body: map[string]any{"stance": "pro"}}), http.StatusConflict) // not signed in: nothing appended
	wantStatus(t, ta.join(f.Party, m.JoinCode), http.StatusCreated)
	expect(models.EvAttendanceChanged)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/speakers", m.ID), as: f.Party,
		body: map[string]any{"stance": "pro"}}), http.StatusCreated)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/end", m.ID), as: f.Facilitator,
		body: map[string]any{"minutes": map[string]any{"summary": "下次再议"}}}), http.StatusOK)
	expect(models.EvMeetingEnded)
	select {
	case ev := <-c.events:
		t.Fatalf("unexpected %s (%s)", ev.typ, ev.data)
	case <-time.After(300 * time.Millisecond):
	}
}
