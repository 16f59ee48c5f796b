package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"sync"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

// Topics a compound's cycle did not choose come back into its next cycle with their
// endorsements (docs/phases.md "Topics carried into the next cycle").

// openCycleIn opens a cycle of community A for a compound as the facilitator.
func (ta *testApp) openCycleIn(t *testing.T, compoundID uint64, month string) models.Cycle {
	t.Helper()
	rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/cycles", ta.fx.A.ID), as: ta.fx.Facilitator,
		body: map[string]any{"month": month, "compound_id": compoundID, "reason": "轮到这个小区"}})
	wantStatus(t, rec, http.StatusCreated)
	return decode[models.Cycle](t, rec)
}

// topicsOf lists a cycle's topics as a member sees them.
func (ta *testApp) topicsOf(t *testing.T, cycleID uint64, as *models.User) []models.Topic {
	t.Helper()
	rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cycles/%d/topics", cycleID), as: as})
	wantStatus(t, rec, http.StatusOK)
	return decode[itemsPage[models.Topic]](t, rec).Items
}

func (ta *testApp) endorseAs(t *testing.T, topicID uint64, as *models.User) models.Topic {
	t.Helper()
	rec := ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/topics/%d/endorsement", topicID), as: as})
	wantStatus(t, rec, http.StatusOK)
	return decode[models.Topic](t, rec)
}

func (ta *testApp) setTopic(t *testing.T, topicID uint64, body map[string]any) {
	t.Helper()
	wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/topics/%d", topicID), as: ta.fx.Facilitator, body: body}),
		http.StatusOK)
}

func (ta *testApp) selectTopicOf(t *testing.T, cycleID, topicID uint64) {
	t.Helper()
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/select-topic", cycleID), as: ta.fx.Facilitator,
		body: map[string]any{"topic_id": topicID, "reason": "附议最多"}}), http.StatusOK)
}

// topicRows is everything stored of a cycle's topics: the rows of topics and endorsements.
type topicRows struct {
	Topics       []map[string]any
	Endorsements []map[string]any
}

func (ta *testApp) topicRowsOf(t *testing.T, cycleID uint64) topicRows {
	t.Helper()
	var r topicRows
	db := ta.store.Gorm()
	if err := db.Table("topics").Where("cycle_id = ?", cycleID).Order("id").Find(&r.Topics).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Table("endorsements").Where("topic_id IN (?)", db.Table("topics").Select("id").Where("cycle_id = ?", cycleID)).
		Order("topic_id, user_id").Find(&r.Endorsements).Error; err != nil {
		t.Fatal(err)
	}
	return r
}

// carriedEvents are the topic.carried events after a sequence number, with their payloads.
func (ta *testApp) carriedEvents(t *testing.T, after uint64) []models.TopicCarriedPayload {
	t.Helper()
	var out []models.TopicCarriedPayload
	for _, e := range ta.events(ta.fx.A.ID) {
		if e.Seq <= after || e.Type != models.EvTopicCarried {
			continue
		}
		var p models.TopicCarriedPayload
		if err := json.Unmarshal([]byte(e.Payload), &p); err != nil {
			t.Fatal(err)
		}
		if e.ActorID == nil || *e.ActorID != ta.fx.Facilitator.ID || e.Visibility != models.VisMembers || e.SubjectType != "topic" {
			t.Fatalf("topic.carried event %+v: want the facilitator who opened the cycle as actor, members' visibility", e)
		}
		out = append(out, p)
	}
	return out
}

func TestTopicCarry_NextCycleOfTheCompound(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	ctx := context.Background()
	other := must(ta.store.CreateCompound(ctx, f.Super.Actor(), f.A.ID, models.CompoundInput{Name: "西桥小区"}))

	// Cycle 1 of 安友花园: one topic chosen, one rejected, one merged into the chosen one, one
	// standing on the shortlist with the endorsements of two members.
	c1 := ta.openCycleIn(t, f.CompoundA.ID, "2027-01")
	ta.advance(t, c1.ID, models.PhaseTopicCollection)
	chosen := ta.propose(t, c1.ID, f.Party, "加装电梯")
	rejected := ta.propose(t, c1.ID, f.Party, "小区里养鸡")
	merged := ta.propose(t, c1.ID, f.Resident, "希望装电梯")
	standing := ta.propose(t, c1.ID, f.Resident, "楼道灯不亮")
	ta.endorseAs(t, standing.ID, f.Resident)
	ta.endorseAs(t, standing.ID, f.Party)
	// A third endorser moves away and closes their account before the next cycle: their
	// endorsement stays in the archive and does not come along.
	moved := &models.User{Phone: "13800000021", Name: "搬走的居民", PasswordHash: fixtureHash(), Locale: "zh-CN"}
	if err := ta.store.Gorm().Create(moved).Error; err != nil {
		t.Fatal(err)
	}
	must(ta.store.AddMember(ctx, f.Super.Actor(), f.A.ID, models.AddMemberInput{Phone: moved.Phone, Roles: []string{models.RoleResident}}))
	ta.endorseAs(t, standing.ID, moved)
	if err := ta.store.CloseAccount(ctx, moved.Actor(), fixturePassword); err != nil {
		t.Fatal(err)
	}
	ta.endorseAs(t, merged.ID, f.Committee)
	ta.setTopic(t, rejected.ID, map[string]any{"status": "rejected", "reason": "不属于公共事务"})
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/topics/%d/merge", merged.ID), as: f.Facilitator,
		body: map[string]any{"into_topic_id": chosen.ID}}), http.StatusOK)
	ta.setTopic(t, standing.ID, map[string]any{"status": "shortlisted"})
	ta.advance(t, c1.ID, models.PhaseTopicSelection)
	ta.selectTopicOf(t, c1.ID, chosen.ID)
	for _, to := range []string{models.PhaseCardCollection, models.PhaseRoundTable, models.PhaseResolved, models.PhaseClosed} {
		ta.advance(t, c1.ID, to)
	}
	archive := ta.topicRowsOf(t, c1.ID)
	if len(archive.Topics) != 4 || len(archive.Endorsements) != 5 {
		t.Fatalf("cycle 1 holds %d topics and %d endorsements, want 4 and 5 (3 of the standing topic, the merged one's and its copy in the chosen one)", len(archive.Topics), len(archive.Endorsements))
	}

	// A cycle of another compound gets nothing of 安友花园's.
	before := lastSeq(ta.events(f.A.ID))
	y := ta.openCycleIn(t, other.ID, "2027-02")
	if got := ta.topicsOf(t, y.ID, f.Resident); len(got) != 0 || y.TopicCount != 0 {
		t.Fatalf("西桥小区's cycle has topics %+v (count %d), want none", got, y.TopicCount)
	}
	if evs := ta.carriedEvents(t, before); len(evs) != 0 {
		t.Fatalf("carried events %+v for another compound", evs)
	}

	// Cycle 2 of 安友花园: exactly the standing topic, open, with its two endorsements.
	before = lastSeq(ta.events(f.A.ID))
	c2 := ta.openCycleIn(t, f.CompoundA.ID, "2027-03")
	if c2.TopicCount != 1 {
		t.Fatalf("cycle 2 topic_count=%d, want 1", c2.TopicCount)
	}
	got := ta.topicsOf(t, c2.ID, f.Resident)
	if len(got) != 1 {
		t.Fatalf("cycle 2 topics %+v, want the standing one alone", got)
	}
	carried := got[0]
	if carried.ID == standing.ID || carried.CycleID != c2.ID || carried.Title != "楼道灯不亮" || carried.Status != models.TopicOpen ||
		carried.CarriedFromTopicID == nil || *carried.CarriedFromTopicID != standing.ID || carried.CarriedEndorsements != 2 ||
		carried.EndorsementCount != 2 || !carried.EndorsedByMe || carried.ProposerID == nil || *carried.ProposerID != f.Resident.ID ||
		carried.ProposerName != "居民" {
		t.Fatalf("carried topic %+v", carried)
	}
	if evs := ta.carriedEvents(t, before); len(evs) != 1 || evs[0] != (models.TopicCarriedPayload{CycleID: c2.ID, Endorsements: 2,
		FromCycleID: c1.ID, FromTopicID: standing.ID, Title: "楼道灯不亮"}) {
		t.Fatalf("carried events %+v", evs)
	}
	if after := ta.topicRowsOf(t, c1.ID); !reflect.DeepEqual(after, archive) {
		t.Fatalf("the closed cycle changed:\nbefore %v\nafter  %v", archive, after)
	}

	// Endorsing again in cycle 2 counts once; someone new adds one.
	ta.advance(t, c2.ID, models.PhaseTopicCollection)
	before = lastSeq(ta.events(f.A.ID))
	for _, u := range []*models.User{f.Resident, f.Party} {
		if tp := ta.endorseAs(t, carried.ID, u); tp.EndorsementCount != 2 || !tp.EndorsedByMe {
			t.Fatalf("endorsing again: count=%d endorsed_by_me=%v, want 2 and true", tp.EndorsementCount, tp.EndorsedByMe)
		}
	}
	if evs := ta.eventTypes(f.A.ID, before); len(evs) != 0 {
		t.Fatalf("endorsing again wrote %v", evs)
	}
	if tp := ta.endorseAs(t, carried.ID, f.Committee); tp.EndorsementCount != 3 || tp.CarriedEndorsements != 2 {
		t.Fatalf("a new endorsement: count=%d carried=%d, want 3 and 2", tp.EndorsementCount, tp.CarriedEndorsements)
	}

	// A cycle opened while cycle 2 runs gets nothing: the standing topic is carried already,
	// and cycle 2's topics are still in play.
	c3 := ta.openCycleIn(t, f.CompoundA.ID, "2027-04")
	if got := ta.topicsOf(t, c3.ID, f.Resident); len(got) != 0 {
		t.Fatalf("cycle 3 topics %+v, want none", got)
	}

	// Cycle 2 chooses a new topic and is cancelled; a topic typed in without a name stays without
	// one. Everything of cycle 2 comes back into the next cycle once, the carried topic from
	// cycle 2 (one level deep), never again from cycle 1.
	fresh := ta.propose(t, c2.ID, f.Party, "停车难")
	rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/topics", c2.ID), as: f.GridWorker,
		body: map[string]any{"title": "垃圾站太臭", "source": "hotline"}})
	wantStatus(t, rec, http.StatusCreated)
	unnamed := decode[models.Topic](t, rec)
	ta.advance(t, c2.ID, models.PhaseTopicSelection)
	ta.selectTopicOf(t, c2.ID, fresh.ID)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", c2.ID), as: f.Facilitator,
		body: map[string]any{"to": models.PhaseCancelled, "reason": "物业换届，推迟"}}), http.StatusOK)
	before = lastSeq(ta.events(f.A.ID))
	c4 := ta.openCycleIn(t, f.CompoundA.ID, "2027-05")
	got = ta.topicsOf(t, c4.ID, f.Committee)
	from := map[uint64]models.Topic{}
	for _, tp := range got {
		if tp.CarriedFromTopicID == nil {
			t.Fatalf("cycle 4 has a topic carried from nowhere: %+v", tp)
		}
		from[*tp.CarriedFromTopicID] = tp
	}
	if len(got) != 3 || len(from) != 3 {
		t.Fatalf("cycle 4 topics %+v, want cycle 2's three", got)
	}
	if tp := from[carried.ID]; tp.EndorsementCount != 3 || tp.CarriedEndorsements != 3 || !tp.EndorsedByMe {
		t.Fatalf("the topic carried twice: %+v, want cycle 2's three endorsements", tp)
	}
	if tp := from[fresh.ID]; tp.Status != models.TopicOpen || tp.Title != "停车难" || tp.EndorsementCount != 0 {
		t.Fatalf("the cancelled month's choice: %+v, want it open again", tp)
	}
	if tp := from[unnamed.ID]; tp.ProposerID != nil || tp.ProposerName != "" || tp.Source != "hotline" {
		t.Fatalf("the unnamed topic: %+v, want no proposer", tp)
	}
	if evs := ta.carriedEvents(t, before); len(evs) != 3 {
		t.Fatalf("carried events %+v, want 3", evs)
	}

	// No topic is ever carried twice: every copy points at a different topic.
	var origins []uint64
	if err := ta.store.Gorm().Table("topics").Where("carried_from_topic_id IS NOT NULL").Pluck("carried_from_topic_id", &origins).Error; err != nil {
		t.Fatal(err)
	}
	want := []uint64{standing.ID, carried.ID, fresh.ID, unnamed.ID}
	for _, s := range [][]uint64{origins, want} {
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	}
	if !reflect.DeepEqual(origins, want) {
		t.Fatalf("carried from %v, want %v", origins, want)
	}
	c5 := ta.openCycleIn(t, f.CompoundA.ID, "2027-06")
	if got := ta.topicsOf(t, c5.ID, f.Resident); len(got) != 0 {
		t.Fatalf("cycle 5 topics %+v, want none: everything standing is carried already", got)
	}
}

// TestTopicCarry_OpenedAtOnce: two cycles of one compound opened at the same moment carry each
// earlier topic once between them, and both open.
func TestTopicCarry_OpenedAtOnce(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	c1 := ta.openCycleIn(t, f.CompoundA.ID, "2027-01")
	ta.advance(t, c1.ID, models.PhaseTopicCollection)
	a := ta.propose(t, c1.ID, f.Resident, "楼道灯不亮")
	b := ta.propose(t, c1.ID, f.Party, "停车难")
	ta.endorseAs(t, a.ID, f.Party)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", c1.ID), as: f.Facilitator,
		body: map[string]any{"to": models.PhaseCancelled, "reason": "推迟"}}), http.StatusOK)

	months := []string{"2027-02", "2027-03", "2027-04", "2027-05"}
	ids := make([]uint64, len(months))
	var wg sync.WaitGroup
	for i, m := range months {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/cycles", f.A.ID), as: f.Facilitator,
				body: map[string]any{"month": m, "compound_id": f.CompoundA.ID, "reason": "轮到安友花园"}})
			if rec.Code != http.StatusCreated {
				t.Errorf("%s: status=%d body=%s", m, rec.Code, rec.Body.String())
				return
			}
			ids[i] = decode[models.Cycle](t, rec).ID
		}()
	}
	wg.Wait()
	seen := map[uint64]int{}
	for _, id := range ids {
		if id == 0 {
			t.FailNow()
		}
		for _, tp := range ta.topicsOf(t, id, f.Resident) {
			seen[*tp.CarriedFromTopicID]++
			if *tp.CarriedFromTopicID == a.ID && tp.EndorsementCount != 1 {
				t.Fatalf("%+v, want its endorsement", tp)
			}
		}
	}
	if len(seen) != 2 || seen[a.ID] != 1 || seen[b.ID] != 1 {
		t.Fatalf("carried %v, want each of %d and %d once", seen, a.ID, b.ID)
	}
}
