package handlers

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

// openCycle creates a cycle in community A's compound as the facilitator and returns it.
func (ta *testApp) openCycle(t *testing.T, month string) models.Cycle {
	t.Helper()
	rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/cycles", ta.fx.A.ID), as: ta.fx.Facilitator,
		body: map[string]any{"month": month, "compound_id": ta.fx.CompoundA.ID, "reason": "电梯加装呼声最高"}})
	wantStatus(t, rec, http.StatusCreated)
	return decode[models.Cycle](t, rec)
}

func (ta *testApp) advance(t *testing.T, id uint64, to string) models.Cycle {
	t.Helper()
	rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", id), as: ta.fx.Facilitator,
		body: map[string]any{"to": to}})
	wantStatus(t, rec, http.StatusOK)
	cy := decode[models.Cycle](t, rec)
	if cy.Phase != to {
		t.Fatalf("phase=%q, want %q", cy.Phase, to)
	}
	return cy
}

func (ta *testApp) propose(t *testing.T, cycleID uint64, as *models.User, title string) models.Topic {
	t.Helper()
	rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/topics", cycleID), as: as,
		body: map[string]any{"title": title}})
	wantStatus(t, rec, http.StatusCreated)
	return decode[models.Topic](t, rec)
}

func TestCycle_Create(t *testing.T) {
	ta := newTestApp(t)
	t.Run("OK", func(t *testing.T) {
		cy := ta.openCycle(t, "2026-12")
		if cy.Phase != models.PhasePlanning || cy.CompoundName != "安友花园" || cy.Month != "2026-12" {
			t.Fatalf("cycle=%+v", cy)
		}
		if cy.FacilitatorID == nil || *cy.FacilitatorID != ta.fx.Facilitator.ID {
			t.Fatalf("facilitator=%v, want the creator", cy.FacilitatorID)
		}
	})
	t.Run("ErrSameMonth", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/cycles", ta.fx.A.ID), as: ta.fx.AdminA,
			body: map[string]any{"month": "2026-12", "compound_id": ta.fx.CompoundA.ID, "reason": "再开一期"}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		if p.Errors["month"] != "这个月已经有一期月月谈了" {
			t.Fatalf("errors=%v", p.Errors)
		}
	})
	t.Run("ErrBadMonth", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/cycles", ta.fx.A.ID), as: ta.fx.AdminA,
			body: map[string]any{"month": "2026-13", "compound_id": ta.fx.CompoundA.ID, "reason": "x"}})
		wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
	})
	t.Run("ErrOtherCommunitysCompound", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/cycles", ta.fx.A.ID), as: ta.fx.AdminA,
			body: map[string]any{"month": "2027-01", "compound_id": ta.fx.CompoundB.ID, "reason": "x"}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		if _, ok := p.Errors["compound_id"]; !ok {
			t.Fatalf("errors=%v, want compound_id", p.Errors)
		}
	})
	t.Run("ErrResidentCannotOpen", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/cycles", ta.fx.A.ID), as: ta.fx.Resident,
			body: map[string]any{"month": "2027-02", "compound_id": ta.fx.CompoundA.ID, "reason": "x"}})
		wantProblem(t, rec, http.StatusForbidden, "forbidden")
	})
	t.Run("ErrOtherTenant", func(t *testing.T) {
		cy := ta.openCycle(t, "2027-03")
		rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cycles/%d", cy.ID), as: ta.fx.AdminB})
		wantProblem(t, rec, http.StatusNotFound, "not_found")
	})
}

func TestCycle_Advance(t *testing.T) {
	ta := newTestApp(t)
	cy := ta.openCycle(t, "2026-12")
	t.Run("ErrSkip", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", cy.ID), as: ta.fx.Facilitator,
			body: map[string]any{"to": "card_collection"}})
		p := wantProblem(t, rec, http.StatusConflict, "phase_skip")
		if p.Detail != "阶段只能一步一步往前走：现在是「确定小区」，不能直接到「广征解法」。" {
			t.Fatalf("detail=%q", p.Detail)
		}
	})
	ta.advance(t, cy.ID, models.PhaseTopicCollection)
	t.Run("ErrBackNeedsAdmin", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", cy.ID), as: ta.fx.Facilitator,
			body: map[string]any{"to": "planning", "reason": "选错了小区"}})
		wantProblem(t, rec, http.StatusForbidden, "forbidden")
	})
	t.Run("ErrBackNeedsReason", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", cy.ID), as: ta.fx.AdminA,
			body: map[string]any{"to": "planning"}})
		wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
	})
	t.Run("BackByAdmin", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", cy.ID), as: ta.fx.AdminA,
			body: map[string]any{"to": "planning", "reason": "选错了小区"}})
		wantStatus(t, rec, http.StatusOK)
		ta.advance(t, cy.ID, models.PhaseTopicCollection)
	})
	ta.advance(t, cy.ID, models.PhaseTopicSelection)
	t.Run("ErrNoTopicSelected", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", cy.ID), as: ta.fx.Facilitator,
			body: map[string]any{"to": "card_collection"}})
		wantProblem(t, rec, http.StatusConflict, "topic_not_selected")
	})
	t.Run("Cancel", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", cy.ID), as: ta.fx.Facilitator,
			body: map[string]any{"to": "cancelled", "reason": "疫情，暂停一个月"}})
		wantStatus(t, rec, http.StatusOK)
		rec = ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", cy.ID), as: ta.fx.AdminA,
			body: map[string]any{"to": "topic_selection", "reason": "恢复"}})
		p := wantProblem(t, rec, http.StatusConflict, "phase_closed")
		if p.Detail != "本期月月谈现在处于「已取消」阶段，不能进行这个操作。" {
			t.Fatalf("detail=%q", p.Detail)
		}
	})
	t.Run("EventsLogged", func(t *testing.T) {
		rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/events?limit=200", ta.fx.A.ID), as: ta.fx.Committee})
		wantStatus(t, rec, http.StatusOK)
		evs := decode[itemsPage[models.Event]](t, rec).Items
		counts := map[models.EventType]int{}
		for _, e := range evs {
			if e.SubjectType == "cycle" && e.SubjectID == cy.ID {
				counts[e.Type]++
			}
		}
		// created; forward ×4 (collection, back to planning counts as advanced, collection, selection); cancelled.
		if counts[models.EvCycleCreated] != 1 || counts[models.EvCycleAdvanced] != 4 || counts[models.EvCycleCancelled] != 1 {
			t.Fatalf("events=%v", counts)
		}
	})
}

func TestTopic_Lifecycle(t *testing.T) {
	ta := newTestApp(t)
	cy := ta.openCycle(t, "2026-12")
	t.Run("ErrProposeInPlanning", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/topics", cy.ID), as: ta.fx.Resident,
			body: map[string]any{"title": "加装电梯"}})
		p := wantProblem(t, rec, http.StatusConflict, "phase_closed")
		rec = ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/topics", cy.ID), as: ta.fx.Resident,
			header: map[string]string{"Accept-Language": "en"}, body: map[string]any{"title": "加装电梯"}})
		pe := wantProblem(t, rec, http.StatusConflict, "phase_closed")
		if p.Detail == pe.Detail || pe.Detail != `This month's talk is in the "Choosing the compound" phase, which does not allow this.` {
			t.Fatalf("zh=%q en=%q", p.Detail, pe.Detail)
		}
	})
	ta.advance(t, cy.ID, models.PhaseTopicCollection)
	elevator := ta.propose(t, cy.ID, ta.fx.Resident, "加装电梯")
	dup := ta.propose(t, cy.ID, ta.fx.Party, "希望装电梯")
	parking := ta.propose(t, cy.ID, ta.fx.Party, "停车难")
	t.Run("ErrUnverifiedCannotPropose", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/topics", cy.ID), as: ta.fx.Unverified,
			body: map[string]any{"title": "垃圾分类"}})
		wantProblem(t, rec, http.StatusForbidden, "not_verified")
	})
	t.Run("OfflineByGridWorker", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/topics", cy.ID), as: ta.fx.GridWorker,
			body: map[string]any{"title": "楼道堆物", "source": "home_visit", "proposer_id": ta.fx.Resident.ID}})
		wantStatus(t, rec, http.StatusCreated)
		tp := decode[models.Topic](t, rec)
		if tp.Source != "home_visit" || tp.ProposerID == nil || *tp.ProposerID != ta.fx.Resident.ID || tp.EnteredBy != ta.fx.GridWorker.ID {
			t.Fatalf("topic=%+v", tp)
		}
		rec = ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/topics", cy.ID), as: ta.fx.Resident,
			body: map[string]any{"title": "楼道堆物", "source": "hotline"}})
		wantProblem(t, rec, http.StatusForbidden, "forbidden")
	})
	t.Run("EndorseConcurrently", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec := ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/topics/%d/endorsement", elevator.ID), as: ta.fx.Committee})
				if rec.Code != http.StatusOK {
					t.Errorf("status=%d body=%s", rec.Code, rec.Body.String())
				}
			}()
		}
		wg.Wait()
		rec := ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/topics/%d/endorsement", elevator.ID), as: ta.fx.Resident})
		wantStatus(t, rec, http.StatusOK)
		tp := decode[models.Topic](t, rec)
		if tp.EndorsementCount != 2 || !tp.EndorsedByMe {
			t.Fatalf("count=%d endorsed_by_me=%v, want 2 and true", tp.EndorsementCount, tp.EndorsedByMe)
		}
		rec = ta.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/topics/%d/endorsement", elevator.ID), as: ta.fx.Resident})
		tp = decode[models.Topic](t, rec)
		if tp.EndorsementCount != 1 || tp.EndorsedByMe {
			t.Fatalf("after withdraw count=%d endorsed_by_me=%v", tp.EndorsementCount, tp.EndorsedByMe)
		}
	})
	t.Run("MergeCarriesEndorsements", func(t *testing.T) {
		for _, u := range []*models.User{ta.fx.Resident, ta.fx.Party} {
			wantStatus(t, ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/topics/%d/endorsement", dup.ID), as: u}), http.StatusOK)
		}
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/topics/%d/merge", dup.ID), as: ta.fx.Facilitator,
			body: map[string]any{"into_topic_id": elevator.ID}})
		wantStatus(t, rec, http.StatusOK)
		if got := decode[models.Topic](t, rec); got.Status != models.TopicMerged || got.MergedIntoID == nil || *got.MergedIntoID != elevator.ID {
			t.Fatalf("merged=%+v", got)
		}
		rec = ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cycles/%d/topics", cy.ID), as: ta.fx.Resident})
		items := decode[itemsPage[models.Topic]](t, rec).Items
		if items[0].ID != elevator.ID || items[0].EndorsementCount != 3 {
			t.Fatalf("first topic=%+v, want the elevator with 3 endorsements (committee, resident, party)", items[0])
		}
		for _, it := range items {
			if it.ID == dup.ID && it.EndorsementCount != 2 {
				t.Fatalf("merged topic lost its endorsements: %+v", it)
			}
		}
	})
	t.Run("ErrRejectNeedsReason", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/topics/%d", parking.ID), as: ta.fx.Facilitator,
			body: map[string]any{"status": "rejected"}})
		wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		rec = ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/topics/%d", parking.ID), as: ta.fx.Resident,
			body: map[string]any{"status": "rejected", "reason": "x"}})
		wantProblem(t, rec, http.StatusForbidden, "forbidden")
	})
	t.Run("Shortlist", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/topics/%d", elevator.ID), as: ta.fx.Facilitator,
			body: map[string]any{"status": "shortlisted"}})
		wantStatus(t, rec, http.StatusOK)
	})
	t.Run("ErrSelectInCollection", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/select-topic", cy.ID), as: ta.fx.Facilitator,
			body: map[string]any{"topic_id": elevator.ID, "reason": "附议最多"}})
		wantProblem(t, rec, http.StatusConflict, "phase_closed")
	})
	ta.advance(t, cy.ID, models.PhaseTopicSelection)
	t.Run("ErrEndorseAfterCollection", func(t *testing.T) {
		rec := ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/topics/%d/endorsement", parking.ID), as: ta.fx.Resident})
		wantProblem(t, rec, http.StatusConflict, "phase_closed")
	})
	t.Run("Select", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/select-topic", cy.ID), as: ta.fx.Facilitator,
			body: map[string]any{"topic_id": elevator.ID, "reason": "附议最多，涉及164户"}})
		wantStatus(t, rec, http.StatusOK)
		got := decode[models.Cycle](t, rec)
		if got.SelectedTopicID == nil || *got.SelectedTopicID != elevator.ID || got.SelectionReason != "附议最多，涉及164户" ||
			got.SelectedTopicTitle != "加装电梯" {
			t.Fatalf("cycle=%+v", got)
		}
		// elevator, parking and the grid worker's topic; the merged duplicate does not count.
		if got.TopicCount != 3 || got.CardCount != 0 || got.FacilitatorName != "主持人" {
			t.Fatalf("topic_count=%d card_count=%d facilitator=%q, want 3, 0, 主持人", got.TopicCount, got.CardCount, got.FacilitatorName)
		}
		rec = ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cycles/%d", cy.ID), as: ta.fx.Unverified})
		wantStatus(t, rec, http.StatusOK)
		if seen := decode[models.Cycle](t, rec); seen.SelectionReason == "" || seen.SelectedTopicID == nil {
			t.Fatalf("a member does not see the selected topic: %+v", seen)
		}
		ta.advance(t, cy.ID, models.PhaseCardCollection)
	})
}
