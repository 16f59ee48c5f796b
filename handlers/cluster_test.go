package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

func clusterPath(id uint64) string { return fmt.Sprintf("/api/v1/clusters/%d", id) }
func cardWallPath(meetingID uint64) string {
	return fmt.Sprintf("/api/v1/meetings/%d/clusters", meetingID)
}
func placePath(cardID uint64) string { return fmt.Sprintf("/api/v1/cards/%d/cluster", cardID) }

// cardWall reads a meeting's card wall as the resident.
func (ta *testApp) cardWall(t *testing.T, meetingID uint64) models.ClusterBoard {
	t.Helper()
	rec := ta.do(req{method: "GET", path: cardWallPath(meetingID), as: ta.fx.Resident})
	wantStatus(t, rec, http.StatusOK)
	return decode[models.ClusterBoard](t, rec)
}

// wallLayout writes a wall as "label:card,card|label:|loose:card" with the fixture's card numbers.
func wallLayout(b models.ClusterBoard, cards []*models.Card) string {
	num := func(id uint64) string {
		for i, c := range cards {
			if c.ID == id {
				return fmt.Sprint(i)
			}
		}
		return fmt.Sprintf("#%d", id)
	}
	var parts []string
	for i, c := range b.Items {
		if c.Position != i+1 {
			return fmt.Sprintf("positions broken at %d: %+v", i, b.Items)
		}
		var ids []string
		for _, id := range c.CardIDs {
			ids = append(ids, num(id))
		}
		parts = append(parts, c.Label+":"+strings.Join(ids, ","))
	}
	var loose []string
	for _, id := range b.Loose {
		loose = append(loose, num(id))
	}
	return strings.Join(append(parts, "loose:"+strings.Join(loose, ",")), "|")
}

func (ta *testApp) placeCard(as *models.User, cardID uint64, clusterID *uint64, position *int) *httpRec {
	body := map[string]any{"cluster_id": clusterID}
	if position != nil {
		body["position"] = *position
	}
	return ta.do(req{method: "PUT", path: placePath(cardID), as: as, body: body})
}

func clusterRef[T any](v T) *T { return &v }

func TestCluster_Groups(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	cf := ta.buildClusterFixture("2027-10")
	if got, want := wallLayout(ta.cardWall(t, cf.meeting.ID), cf.cards), "补偿:0|备用:|loose:1,2"; got != want {
		t.Fatalf("wall=%s, want %s", got, want)
	}
	var third models.Cluster
	t.Run("Create", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		rec := ta.do(req{method: "POST", path: cardWallPath(cf.meeting.ID), as: f.Facilitator, body: map[string]any{"label": " 施工安排 "}})
		wantStatus(t, rec, http.StatusCreated)
		third = decode[models.Cluster](t, rec)
		if third.Label != "施工安排" || third.Position != 3 || third.MeetingID != cf.meeting.ID || third.CardIDs == nil {
			t.Fatalf("cluster=%+v, want 施工安排 at 3 with no cards", third)
		}
		if got := ta.eventTypes(f.A.ID, before); !slices.Equal(got, []models.EventType{models.EvClusterCreated}) {
			t.Fatalf("events=%v, want cluster.created", got)
		}
	})
	t.Run("ErrLabel", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: cardWallPath(cf.meeting.ID), as: f.Facilitator,
			body: map[string]any{"label": strings.Repeat("长", 31)}})
		wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		rec = ta.do(req{method: "PATCH", path: clusterPath(third.ID), as: f.Facilitator, body: map[string]any{"label": "  "}})
		wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
	})
	t.Run("RenameAndReorder", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		rec := ta.do(req{method: "PATCH", path: clusterPath(third.ID), as: f.AdminA, body: map[string]any{"label": "施工期间", "position": 1}})
		wantStatus(t, rec, http.StatusOK)
		if c := decode[models.Cluster](t, rec); c.Label != "施工期间" || c.Position != 1 {
			t.Fatalf("cluster=%+v, want 施工期间 at 1", c)
		}
		if got := ta.eventTypes(f.A.ID, before); !slices.Equal(got, []models.EventType{models.EvClusterRenamed, models.EvClusterReordered}) {
			t.Fatalf("events=%v", got)
		}
		if got, want := wallLayout(ta.cardWall(t, cf.meeting.ID), cf.cards), "施工期间:|补偿:0|备用:|loose:1,2"; got != want {
			t.Fatalf("wall=%s, want %s", got, want)
		}
		wantStatus(t, ta.do(req{method: "PATCH", path: clusterPath(third.ID), as: f.Facilitator, body: map[string]any{"position": 3}}), http.StatusOK)
		if got, want := wallLayout(ta.cardWall(t, cf.meeting.ID), cf.cards), "补偿:0|备用:|施工期间:|loose:1,2"; got != want {
			t.Fatalf("wall=%s, want %s", got, want)
		}
		// The same values again change nothing.
		before = lastSeq(ta.events(f.A.ID))
		wantStatus(t, ta.do(req{method: "PATCH", path: clusterPath(third.ID), as: f.Facilitator,
			body: map[string]any{"label": "施工期间", "position": 3}}), http.StatusOK)
		if got := ta.eventTypes(f.A.ID, before); len(got) != 0 {
			t.Fatalf("events=%v, want none", got)
		}
	})
	t.Run("ErrPositionOutOfRange", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: clusterPath(third.ID), as: f.Facilitator, body: map[string]any{"position": 4}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		if _, ok := p.Errors["position"]; !ok {
			t.Fatalf("errors=%v, want position", p.Errors)
		}
	})
	t.Run("Dissolve", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		wantStatus(t, ta.do(req{method: "DELETE", path: clusterPath(cf.group.ID), as: f.Facilitator}), http.StatusNoContent)
		if got := ta.eventTypes(f.A.ID, before); !slices.Equal(got, []models.EventType{models.EvCardUngrouped, models.EvClusterDissolved}) {
			t.Fatalf("events=%v", got)
		}
		if got, want := wallLayout(ta.cardWall(t, cf.meeting.ID), cf.cards), "备用:|施工期间:|loose:0,1,2"; got != want {
			t.Fatalf("wall=%s, want %s", got, want)
		}
		// The row stays for the record, and the card is untouched.
		var n int64
		if err := ta.store.Gorm().Table("clusters").Where("id = ? AND dissolved_at IS NOT NULL", cf.group.ID).Count(&n).Error; err != nil || n != 1 {
			t.Fatalf("dissolved rows=%d err=%v, want 1", n, err)
		}
		c := must(ta.store.GetCard(context.Background(), f.Facilitator.Actor(), cf.cards[0].ID))
		if c.Body != cf.cards[0].Body || c.Status != models.CardVisible {
			t.Fatalf("card=%+v, want unchanged", c)
		}
		before = lastSeq(ta.events(f.A.ID))
		wantStatus(t, ta.do(req{method: "DELETE", path: clusterPath(cf.group.ID), as: f.AdminA}), http.StatusNoContent)
		if got := ta.eventTypes(f.A.ID, before); len(got) != 0 {
			t.Fatalf("dissolving again: events=%v, want none", got)
		}
		wantProblem(t, ta.do(req{method: "PATCH", path: clusterPath(cf.group.ID), as: f.Facilitator,
			body: map[string]any{"label": "再来"}}), http.StatusConflict, "cluster_dissolved")
		wantProblem(t, ta.placeCard(f.Facilitator, cf.cards[1].ID, &cf.group.ID, nil), http.StatusConflict, "cluster_dissolved")
	})
	t.Run("ErrOtherCommunity", func(t *testing.T) {
		for _, r := range []req{
			{method: "GET", path: cardWallPath(cf.meeting.ID), as: f.ResidentB},
			{method: "POST", path: cardWallPath(cf.meeting.ID), as: f.AdminB, body: map[string]any{"label": "x"}},
			{method: "PATCH", path: clusterPath(third.ID), as: f.AdminB, body: map[string]any{"label": "x"}},
			{method: "DELETE", path: clusterPath(third.ID), as: f.AdminB},
			{method: "PUT", path: placePath(cf.cards[1].ID), as: f.AdminB, body: map[string]any{"cluster_id": third.ID}},
		} {
			wantProblem(t, ta.do(r), http.StatusNotFound, "not_found")
		}
	})
}

func TestCluster_MoveCard(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	cf := ta.buildClusterFixture("2027-10")
	cards := cf.cards
	g, s := cf.group.ID, cf.spare.ID
	t.Run("IntoGroupAtPosition", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		rec := ta.placeCard(f.Facilitator, cards[1].ID, &g, clusterRef(1))
		wantStatus(t, rec, http.StatusOK)
		if p := decode[models.CardPlacement](t, rec); p.ClusterID == nil || *p.ClusterID != g || p.Position == nil || *p.Position != 1 {
			t.Fatalf("placement=%s, want group at 1", rec.Body)
		}
		if got, want := wallLayout(ta.cardWall(t, cf.meeting.ID), cards), "补偿:1,0|备用:|loose:2"; got != want {
			t.Fatalf("wall=%s, want %s", got, want)
		}
		evs := ta.events(f.A.ID)
		e := evs[len(evs)-1]
		if e.Seq != before+1 || e.Type != models.EvCardGrouped || e.SubjectType != "card" || e.SubjectID != cards[1].ID {
			t.Fatalf("event=%+v, want card.grouped of card %d", e, cards[1].ID)
		}
		var p map[string]any
		if err := json.Unmarshal([]byte(e.Payload), &p); err != nil || p["meeting_id"] != float64(cf.meeting.ID) ||
			p["cluster_id"] != float64(g) || p["label"] != "补偿" {
			t.Fatalf("payload=%s, want meeting_id, cluster_id and label", e.Payload)
		}
	})
	t.Run("BetweenGroupsInOneAtATime", func(t *testing.T) {
		wantStatus(t, ta.placeCard(f.AdminA, cards[1].ID, &s, nil), http.StatusOK)
		if got, want := wallLayout(ta.cardWall(t, cf.meeting.ID), cards), "补偿:0|备用:1|loose:2"; got != want {
			t.Fatalf("wall=%s, want %s", got, want)
		}
	})
	t.Run("WhereItIsChangesNothing", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		wantStatus(t, ta.placeCard(f.Facilitator, cards[1].ID, &s, nil), http.StatusOK)
		wantStatus(t, ta.placeCard(f.Facilitator, cards[2].ID, nil, nil), http.StatusOK)
		if got := ta.eventTypes(f.A.ID, before); len(got) != 0 {
			t.Fatalf("events=%v, want none", got)
		}
	})
	t.Run("BackToLoosePile", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		rec := ta.placeCard(f.Facilitator, cards[1].ID, nil, nil)
		wantStatus(t, rec, http.StatusOK)
		if p := decode[models.CardPlacement](t, rec); p.ClusterID != nil || p.Position != nil || p.MeetingID != cf.meeting.ID {
			t.Fatalf("placement=%s, want the loose pile", rec.Body)
		}
		if got := ta.eventTypes(f.A.ID, before); !slices.Equal(got, []models.EventType{models.EvCardUngrouped}) {
			t.Fatalf("events=%v", got)
		}
		if got, want := wallLayout(ta.cardWall(t, cf.meeting.ID), cards), "补偿:0|备用:|loose:1,2"; got != want {
			t.Fatalf("wall=%s, want %s", got, want)
		}
	})
	t.Run("ErrPosition", func(t *testing.T) {
		wantProblem(t, ta.placeCard(f.Facilitator, cards[1].ID, &g, clusterRef(3)), http.StatusUnprocessableEntity, "invalid_input")
		wantProblem(t, ta.placeCard(f.Facilitator, cards[1].ID, nil, clusterRef(1)), http.StatusUnprocessableEntity, "invalid_input")
	})
	t.Run("ErrRoles", func(t *testing.T) {
		for _, u := range []*models.User{f.Committee, f.GridWorker, f.Resident} {
			wantProblem(t, ta.placeCard(u, cards[1].ID, &g, nil), http.StatusForbidden, "forbidden")
		}
	})
	t.Run("ErrCardOfAnotherCycle", func(t *testing.T) {
		other := ta.buildClusterFixture("2027-11")
		rec := ta.placeCard(f.Facilitator, other.cards[1].ID, &g, nil)
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		if _, ok := p.Errors["cluster_id"]; !ok {
			t.Fatalf("errors=%v, want cluster_id", p.Errors)
		}
		wantProblem(t, ta.placeCard(f.Facilitator, cards[1].ID, &other.group.ID, nil), http.StatusUnprocessableEntity, "invalid_input")
	})
	t.Run("ErrHiddenCard", func(t *testing.T) {
		wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", cards[2].ID), as: f.Facilitator,
			body: map[string]any{"status": "hidden", "reason": "广告"}}), http.StatusOK)
		wantProblem(t, ta.placeCard(f.Facilitator, cards[2].ID, &g, nil), http.StatusConflict, "card_not_visible")
		if got, want := wallLayout(ta.cardWall(t, cf.meeting.ID), cards), "补偿:0|备用:|loose:1"; got != want {
			t.Fatalf("wall=%s, want %s (hidden cards are not on the wall)", got, want)
		}
	})
	t.Run("ErrMissing", func(t *testing.T) {
		wantProblem(t, ta.placeCard(f.Facilitator, cards[1].ID, clusterRef(uint64(1<<40)), nil), http.StatusNotFound, "not_found")
		wantProblem(t, ta.placeCard(f.Facilitator, 1<<40, &g, nil), http.StatusNotFound, "not_found")
	})
}

// TestCluster_Timeline: grouping shows in the card's story, and an anonymous card's events name
// no author.
func TestCluster_Timeline(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	cf := ta.buildClusterFixture("2027-10")
	rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/cards", cf.cycle.ID), as: f.Resident,
		body: map[string]any{"body": "电梯费用按楼层分摊", "anonymous": true}})
	wantStatus(t, rec, http.StatusCreated)
	anon := decode[models.Card](t, rec)
	wantStatus(t, ta.placeCard(f.Facilitator, anon.ID, &cf.group.ID, nil), http.StatusOK)
	wantStatus(t, ta.placeCard(f.Facilitator, anon.ID, &cf.spare.ID, nil), http.StatusOK)
	wantStatus(t, ta.placeCard(f.Facilitator, anon.ID, nil, nil), http.StatusOK)
	rec = ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cards/%d/timeline", anon.ID), as: f.Resident})
	wantStatus(t, rec, http.StatusOK)
	var types []models.EventType
	for _, it := range decode[itemsPage[models.TimelineItem]](t, rec).Items {
		types = append(types, it.Type)
	}
	if want := []models.EventType{models.EvCardCreated, models.EvCardGrouped, models.EvCardGrouped, models.EvCardUngrouped}; !slices.Equal(types, want) {
		t.Fatalf("timeline=%v, want %v", types, want)
	}
	resident := fmt.Sprint(f.Resident.ID)
	for _, e := range ta.events(f.A.ID) {
		if e.SubjectType == "card" && e.SubjectID == anon.ID && e.Type != models.EvCardCreated {
			if e.ActorID == nil || *e.ActorID != f.Facilitator.ID || strings.Contains(e.Payload, resident) {
				t.Fatalf("event %s actor=%v payload=%s: want the facilitator as actor and no author", e.Type, e.ActorID, e.Payload)
			}
		}
	}
}

func TestCluster_MeetingState(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	ctx := context.Background()
	cf := ta.buildClusterFixture("2027-10")
	t.Run("ErrNotStarted", func(t *testing.T) {
		m := must(ta.store.ScheduleMeeting(ctx, f.Super.Actor(), cf.cycle.ID, models.MeetingInput{Title: "第二次圆桌会",
			StartsAt: cf.meeting.StartsAt, Location: "小区活动室"}))
		wantProblem(t, ta.do(req{method: "POST", path: cardWallPath(m.ID), as: f.Facilitator, body: map[string]any{"label": "x"}}),
			http.StatusConflict, "meeting_not_started")
	})
	t.Run("ErrEnded", func(t *testing.T) {
		wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/end", cf.meeting.ID), as: f.Facilitator,
			body: map[string]any{"minutes": map[string]any{"summary": "分组完成"}}}), http.StatusOK)
		for _, r := range []req{
			{method: "POST", path: cardWallPath(cf.meeting.ID), as: f.Facilitator, body: map[string]any{"label": "x"}},
			{method: "PATCH", path: clusterPath(cf.group.ID), as: f.Facilitator, body: map[string]any{"label": "x"}},
			{method: "DELETE", path: clusterPath(cf.group.ID), as: f.Facilitator},
			{method: "PUT", path: placePath(cf.cards[1].ID), as: f.Facilitator, body: map[string]any{"cluster_id": cf.group.ID}},
		} {
			wantProblem(t, ta.do(r), http.StatusConflict, "meeting_ended")
		}
		// The wall of an ended meeting stays readable.
		if got, want := wallLayout(ta.cardWall(t, cf.meeting.ID), cf.cards), "补偿:0|备用:|loose:1,2"; got != want {
			t.Fatalf("wall=%s, want %s", got, want)
		}
	})
	t.Run("ErrPhase", func(t *testing.T) {
		// The cycle cannot leave the round table while the meeting groups its cards.
		other := ta.buildClusterFixture("2027-11")
		wantProblem(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", other.cycle.ID), as: f.Facilitator,
			body: map[string]any{"to": models.PhaseResolved}}), http.StatusConflict, "meeting_running")
		wantStatus(t, ta.do(req{method: "POST", path: cardWallPath(other.meeting.ID), as: f.Facilitator, body: map[string]any{"label": "x"}}),
			http.StatusCreated)
	})
}

// TestCluster_Suggestions: cards already in a group are not suggested again.
func TestCluster_Suggestions(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	ctx := context.Background()
	cf := ta.buildClusterFixture("2027-10")
	var dups []uint64
	for _, body := range []string{"施工期间临时停车位怎么安排", "施工时临时停车位要提前安排好", "临时停车位在施工期间安排到哪里"} {
		c := must(first(ta.store.SubmitCard(ctx, cf.facilitatorAct, cf.cycle.ID, models.CardInput{Body: body, Origin: models.OriginTable})))
		dups = append(dups, c.ID)
	}
	suggested := func() map[uint64]bool {
		rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/meetings/%d/cluster-suggestions", cf.meeting.ID), as: f.Facilitator})
		wantStatus(t, rec, http.StatusOK)
		out := map[uint64]bool{}
		for _, s := range decode[itemsPage[models.Suggestion]](t, rec).Items {
			for _, id := range s.CardIDs {
				out[id] = true
			}
		}
		return out
	}
	if got := suggested(); !got[dups[0]] || !got[dups[1]] {
		t.Fatalf("suggested=%v, want the parking cards %v", got, dups)
	}
	for _, id := range dups {
		wantStatus(t, ta.placeCard(f.Facilitator, id, &cf.spare.ID, nil), http.StatusOK)
	}
	for id := range suggested() {
		if slices.Contains(dups, id) || id == cf.cards[0].ID {
			t.Fatalf("card %d is in a group but still suggested", id)
		}
	}
}

// TestCluster_ConcurrentMoves: parallel moves of one card leave it in exactly one place, with
// the groups' positions still 1..n.
func TestCluster_ConcurrentMoves(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	cf := ta.buildClusterFixture("2027-10")
	card := cf.cards[1].ID
	targets := []*uint64{&cf.group.ID, &cf.spare.ID, nil}
	var wg sync.WaitGroup
	codes := make([]int, 20)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = ta.placeCard(f.Facilitator, card, targets[i%len(targets)], nil).Code
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Fatalf("move %d: status=%d, want 200", i, c)
		}
	}
	var rows int64
	if err := ta.store.Gorm().Table("cluster_cards").Where("card_id = ?", card).Count(&rows).Error; err != nil || rows > 1 {
		t.Fatalf("cluster_cards rows of the card=%d err=%v, want at most 1", rows, err)
	}
	b := ta.cardWall(t, cf.meeting.ID)
	places := 0
	if slices.Contains(b.Loose, card) {
		places++
	}
	for _, c := range b.Items {
		for i, id := range c.CardIDs {
			if id == card {
				places++
			}
			var pos int
			if err := ta.store.Gorm().Table("cluster_cards").Where("card_id = ?", id).Pluck("position", &pos).Error; err != nil || pos != i+1 {
				t.Fatalf("card %d of group %s at position %d, want %d", id, c.Label, pos, i+1)
			}
		}
	}
	if places != 1 {
		t.Fatalf("the card is in %d places on the wall %+v, want 1", places, b)
	}
	if (rows == 1) == slices.Contains(b.Loose, card) {
		t.Fatalf("rows=%d but loose=%v", rows, b.Loose)
	}
}

// TestCluster_Stream: the meeting's stream carries the wall's changes to every member.
func TestCluster_Stream(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	cf := ta.buildClusterFixture("2027-10")
	srv := httptest.NewServer(ta.e)
	t.Cleanup(srv.Close)
	c := openStream(t, fmt.Sprintf("%s/api/v1/meetings/%d/stream", srv.URL, cf.meeting.ID),
		map[string]string{"Authorization": "Bearer " + ta.token(f.Resident)})
	c.next(t, "connected", 5*time.Second)
	wantStatus(t, ta.placeCard(f.Facilitator, cf.cards[2].ID, &cf.spare.ID, nil), http.StatusOK)
	ev := c.next(t, models.EvCardGrouped, 5*time.Second)
	if !strings.Contains(ev.data, fmt.Sprintf(`"subject_id":%d`, cf.cards[2].ID)) {
		t.Fatalf("event=%+v, want card %d", ev, cf.cards[2].ID)
	}
	wantStatus(t, ta.do(req{method: "PATCH", path: clusterPath(cf.spare.ID), as: f.Facilitator, body: map[string]any{"label": "停车"}}),
		http.StatusOK)
	c.next(t, models.EvClusterRenamed, 5*time.Second)
}

// wallEvents writes the events after seq as "type subject payload" lines, with the fixture's ids
// (the subject and the payload's meeting and group ids) replaced by names, so that two walls
// built the same way compare equal.
func (ta *testApp) wallEvents(t *testing.T, after uint64, names wallNames) []string {
	t.Helper()
	name := func(kind string, v any) any {
		if f, ok := v.(float64); ok {
			if n, ok := names[kind][uint64(f)]; ok {
				return n
			}
		}
		return v
	}
	kinds := map[string]string{"meeting_id": "meeting", "cluster_id": "cluster", "from_cluster_id": "cluster"}
	var out []string
	for _, e := range ta.events(ta.fx.A.ID) {
		if e.Seq <= after {
			continue
		}
		var p map[string]any
		if err := json.Unmarshal([]byte(e.Payload), &p); err != nil {
			t.Fatalf("payload of %s: %v", e.Type, err)
		}
		for k, v := range p {
			if kind, ok := kinds[k]; ok {
				p[k] = name(kind, v)
			}
		}
		actor := "-"
		if e.ActorID != nil {
			actor = fmt.Sprint(*e.ActorID)
		}
		pj, _ := json.Marshal(p)
		out = append(out, fmt.Sprintf("%s %s:%v actor=%s vis=%s %s", e.Type, e.SubjectType,
			name(e.SubjectType, float64(e.SubjectID)), actor, e.Visibility, pj))
	}
	return out
}

// wallNames names a fixture's ids by kind (meeting, cluster, card).
type wallNames map[string]map[uint64]string

func (ta *testApp) cardTimeline(t *testing.T, cardID uint64) []models.EventType {
	t.Helper()
	rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cards/%d/timeline", cardID), as: ta.fx.Resident})
	wantStatus(t, rec, http.StatusOK)
	var types []models.EventType
	for _, it := range decode[itemsPage[models.TimelineItem]](t, rec).Items {
		types = append(types, it.Type)
	}
	return types
}

func fixtureNames(cf clusterFixture, made uint64) wallNames {
	names := wallNames{"meeting": {cf.meeting.ID: "meeting"},
		"cluster": {cf.group.ID: "group", cf.spare.ID: "spare", made: "new"}, "card": {}}
	for i, c := range cf.cards {
		names["card"][c.ID] = fmt.Sprintf("card%d", i)
	}
	return names
}

// TestCluster_CreateWithCards: a group made with its cards in one request is the group made and
// filled by separate requests: the same wall, the same events, the same card timelines.
func TestCluster_CreateWithCards(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	apart, together := ta.buildClusterFixture("2027-10"), ta.buildClusterFixture("2027-11")
	// Card 1 from the loose pile, then card 0 out of the group 补偿.
	before := lastSeq(ta.events(f.A.ID))
	rec := ta.do(req{method: "POST", path: cardWallPath(apart.meeting.ID), as: f.Facilitator, body: map[string]any{"label": "费用"}})
	wantStatus(t, rec, http.StatusCreated)
	made := decode[models.Cluster](t, rec)
	for _, c := range []*models.Card{apart.cards[1], apart.cards[0]} {
		wantStatus(t, ta.placeCard(f.Facilitator, c.ID, &made.ID, nil), http.StatusOK)
	}
	wantEvents := ta.wallEvents(t, before, fixtureNames(apart, made.ID))

	before = lastSeq(ta.events(f.A.ID))
	rec = ta.do(req{method: "POST", path: cardWallPath(together.meeting.ID), as: f.Facilitator,
		body: map[string]any{"label": "费用", "card_ids": []uint64{together.cards[1].ID, together.cards[0].ID}}})
	wantStatus(t, rec, http.StatusCreated)
	one := decode[models.Cluster](t, rec)
	if one.Label != "费用" || one.Position != 3 || !slices.Equal(one.CardIDs, []uint64{together.cards[1].ID, together.cards[0].ID}) {
		t.Fatalf("cluster=%s, want 费用 at 3 with cards 1,0", rec.Body)
	}
	gotEvents := ta.wallEvents(t, before, fixtureNames(together, one.ID))
	if len(gotEvents) != 3 || !slices.Equal(gotEvents, wantEvents) {
		t.Fatalf("events in one request:\n%s\nwant, as in separate requests:\n%s", strings.Join(gotEvents, "\n"), strings.Join(wantEvents, "\n"))
	}
	if !strings.Contains(gotEvents[2], `"from_cluster_id":"group"`) {
		t.Fatalf("event=%s, want from_cluster_id of the group the card left", gotEvents[2])
	}
	for _, layout := range []string{wallLayout(ta.cardWall(t, apart.meeting.ID), apart.cards), wallLayout(ta.cardWall(t, together.meeting.ID), together.cards)} {
		if want := "补偿:|备用:|费用:1,0|loose:2"; layout != want {
			t.Fatalf("wall=%s, want %s", layout, want)
		}
	}
	for i := range 2 {
		want := []models.EventType{models.EvCardCreated, models.EvCardGrouped}
		if i == 0 {
			want = append(want, models.EvCardGrouped) // into 补偿 by the fixture, then into 费用
		}
		if a, b := ta.cardTimeline(t, apart.cards[i].ID), ta.cardTimeline(t, together.cards[i].ID); !slices.Equal(a, want) || !slices.Equal(b, want) {
			t.Fatalf("timeline of card %d: apart %v, together %v, want %v", i, a, b, want)
		}
	}
}

// TestCluster_CreateWithCardsRefused: any bad card in the list refuses the whole request with a
// clear 4xx, and leaves no group and no events behind.
func TestCluster_CreateWithCardsRefused(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	ctx := context.Background()
	cf := ta.buildClusterFixture("2027-10")
	other := ta.buildClusterFixture("2027-11")
	// A card of community B.
	sa := f.Super.Actor()
	cyB := must(ta.store.CreateCycle(ctx, sa, f.B.ID, models.CycleInput{Month: "2027-10", CompoundID: f.CompoundB.ID, Reason: "居民反映最集中"}))
	must(ta.store.AdvanceCycle(ctx, sa, cyB.ID, models.PhaseTopicCollection, ""))
	tB := must(ta.store.ProposeTopic(ctx, f.ResidentB.Actor(), cyB.ID, models.TopicInput{Title: "停车"}))
	must(ta.store.AdvanceCycle(ctx, sa, cyB.ID, models.PhaseTopicSelection, ""))
	must(ta.store.SelectTopic(ctx, sa, cyB.ID, tB.ID, "附议最多"))
	must(ta.store.AdvanceCycle(ctx, sa, cyB.ID, models.PhaseCardCollection, ""))
	cardB := must(first(ta.store.SubmitCard(ctx, f.ResidentB.Actor(), cyB.ID, models.CardInput{Body: "车位不够", Origin: models.OriginOnline})))
	hidden := must(first(ta.store.SubmitCard(ctx, cf.facilitatorAct, cf.cycle.ID, models.CardInput{Body: "广告", Origin: models.OriginPaper})))
	wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", hidden.ID), as: f.Facilitator,
		body: map[string]any{"status": "hidden", "reason": "广告"}}), http.StatusOK)

	c1, c0 := cf.cards[1].ID, cf.cards[0].ID
	many := make([]uint64, models.MaxNewClusterCards+1)
	for i := range many {
		many[i] = c1 + uint64(i)
	}
	wall := wallLayout(ta.cardWall(t, cf.meeting.ID), cf.cards)
	for _, tc := range []struct {
		name   string
		as     *models.User
		ids    []uint64
		status int
		code   string
		field  string
		msg    string
	}{
		{"OtherCycle", f.Facilitator, []uint64{c1, other.cards[2].ID}, 422, "invalid_input", "card_ids[1]", "有卡片不属于本期月月谈"},
		{"OtherCommunity", f.Facilitator, []uint64{cardB.ID, c1}, 422, "invalid_input", "card_ids[0]", "有卡片不属于本期月月谈"},
		{"Unknown", f.Facilitator, []uint64{c1, c0, 1 << 40}, 422, "invalid_input", "card_ids[2]", "有卡片不属于本期月月谈"},
		{"Zero", f.Facilitator, []uint64{c1, 0}, 422, "invalid_input", "card_ids[1]", ""},
		{"Duplicate", f.Facilitator, []uint64{c1, c0, c1}, 422, "invalid_input", "card_ids[2]", "同一张卡片列了两次"},
		{"TooMany", f.Facilitator, many, 422, "invalid_input", "card_ids", ""},
		{"Hidden", f.Facilitator, []uint64{c0, hidden.ID}, 409, "card_not_visible", "", ""},
		{"Resident", f.Resident, []uint64{c1}, 403, "forbidden", "", ""},
		{"AdminOfB", f.AdminB, []uint64{cardB.ID}, 404, "not_found", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := lastSeq(ta.events(f.A.ID))
			beforeB := lastSeq(ta.events(f.B.ID))
			var n0 int64
			ta.store.Gorm().Table("clusters").Count(&n0)
			rec := ta.do(req{method: "POST", path: cardWallPath(cf.meeting.ID), as: tc.as,
				body: map[string]any{"label": "新分组", "card_ids": tc.ids}})
			p := wantProblem(t, rec, tc.status, tc.code)
			if tc.field != "" {
				if msg, ok := p.Errors[tc.field]; !ok || (tc.msg != "" && msg != tc.msg) {
					t.Fatalf("errors=%v, want %s: %q", p.Errors, tc.field, tc.msg)
				}
			}
			var n int64
			ta.store.Gorm().Table("clusters").Count(&n)
			if got := ta.eventTypes(f.A.ID, before); len(got) != 0 || n != n0 || lastSeq(ta.events(f.B.ID)) != beforeB {
				t.Fatalf("events=%v clusters %d→%d, want nothing changed", got, n0, n)
			}
			if got := wallLayout(ta.cardWall(t, cf.meeting.ID), cf.cards); got != wall {
				t.Fatalf("wall=%s, want %s", got, wall)
			}
		})
	}
	t.Run("English", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: cardWallPath(cf.meeting.ID), as: f.Facilitator, header: map[string]string{"Accept-Language": "en"},
			body: map[string]any{"label": "x", "card_ids": []uint64{c1, c1}}})
		p := wantProblem(t, rec, 422, "invalid_input")
		if p.Errors["card_ids[1]"] != "The same card is listed twice" {
			t.Fatalf("errors=%v", p.Errors)
		}
	})
}

// TestCluster_CreateWithCardsConcurrent: groups made from the same cards at the same time as
// those cards are moved one by one all succeed (no deadlock on MariaDB), and each card ends in
// exactly one place with the positions 1..n.
func TestCluster_CreateWithCardsConcurrent(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	cf := ta.buildClusterFixture("2027-10")
	ids := []uint64{cf.cards[0].ID, cf.cards[1].ID, cf.cards[2].ID}
	var wg sync.WaitGroup
	codes := make([]int, 12)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i % 3 {
			case 0:
				codes[i] = ta.do(req{method: "POST", path: cardWallPath(cf.meeting.ID), as: f.Facilitator,
					body: map[string]any{"label": fmt.Sprintf("组%d", i), "card_ids": []uint64{ids[2], ids[0], ids[1]}}}).Code
			case 1:
				codes[i] = ta.do(req{method: "POST", path: cardWallPath(cf.meeting.ID), as: f.Facilitator,
					body: map[string]any{"label": fmt.Sprintf("组%d", i), "card_ids": []uint64{ids[1], ids[2]}}}).Code
			default:
				codes[i] = ta.placeCard(f.Facilitator, ids[i%2], &cf.spare.ID, nil).Code
			}
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if want := map[bool]int{true: http.StatusOK, false: http.StatusCreated}[i%3 == 2]; c != want {
			t.Fatalf("request %d: status=%d, want %d", i, c, want)
		}
	}
	b := ta.cardWall(t, cf.meeting.ID)
	seen := map[uint64]int{}
	for i, c := range b.Items {
		if c.Position != i+1 {
			t.Fatalf("group %s at %d, want %d", c.Label, c.Position, i+1)
		}
		for j, id := range c.CardIDs {
			seen[id]++
			var pos int
			if err := ta.store.Gorm().Table("cluster_cards").Where("card_id = ?", id).Pluck("position", &pos).Error; err != nil || pos != j+1 {
				t.Fatalf("card %d of group %s at position %d, want %d", id, c.Label, pos, j+1)
			}
		}
	}
	for _, id := range b.Loose {
		seen[id]++
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Fatalf("card %d is in %d places on the wall %+v, want 1", id, seen[id], b)
		}
	}
}
