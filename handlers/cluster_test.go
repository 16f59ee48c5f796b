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
		if got := ta.eventTypes(f.A.ID, before); !slices.Equal(got, []string{"cluster.created"}) {
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
		if got := ta.eventTypes(f.A.ID, before); !slices.Equal(got, []string{"cluster.renamed", "cluster.reordered"}) {
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
		if got := ta.eventTypes(f.A.ID, before); !slices.Equal(got, []string{"card.ungrouped", "cluster.dissolved"}) {
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
		if e.Seq != before+1 || e.Type != "card.grouped" || e.SubjectType != "card" || e.SubjectID != cards[1].ID {
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
		if got := ta.eventTypes(f.A.ID, before); !slices.Equal(got, []string{"card.ungrouped"}) {
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
	var types []string
	for _, it := range decode[itemsPage[models.TimelineItem]](t, rec).Items {
		types = append(types, it.Type)
	}
	if want := []string{"card.created", "card.grouped", "card.grouped", "card.ungrouped"}; !slices.Equal(types, want) {
		t.Fatalf("timeline=%v, want %v", types, want)
	}
	resident := fmt.Sprint(f.Resident.ID)
	for _, e := range ta.events(f.A.ID) {
		if e.SubjectType == "card" && e.SubjectID == anon.ID && e.Type != "card.created" {
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
		other := ta.buildClusterFixture("2027-11")
		ta.advance(t, other.cycle.ID, models.PhaseResolved)
		wantProblem(t, ta.do(req{method: "POST", path: cardWallPath(other.meeting.ID), as: f.Facilitator, body: map[string]any{"label": "x"}}),
			http.StatusConflict, "phase_closed")
		wantProblem(t, ta.placeCard(f.Facilitator, other.cards[1].ID, &other.group.ID, nil), http.StatusConflict, "phase_closed")
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
	ev := c.next(t, "card.grouped", 5*time.Second)
	if !strings.Contains(ev.data, fmt.Sprintf(`"subject_id":%d`, cf.cards[2].ID)) {
		t.Fatalf("event=%+v, want card %d", ev, cf.cards[2].ID)
	}
	wantStatus(t, ta.do(req{method: "PATCH", path: clusterPath(cf.spare.ID), as: f.Facilitator, body: map[string]any{"label": "停车"}}),
		http.StatusOK)
	c.next(t, "cluster.renamed", 5*time.Second)
}
