package handlers

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

// TestPaper_DraftCorrectionsAndMinority: a draft's title and text are corrected before it is
// adopted and before anyone signed it, each change recorded before and after; the minority's view
// is recorded at any status and cleared with an empty text; a patch mixing it with the budget is
// refused whole; bad input changes nothing.
func TestPaper_DraftCorrectionsAndMinority(t *testing.T) {
	t.Parallel()
	rt := newResTest(t, "2027-08")
	f, rf := rt.fx, rt.rf
	r := rt.draft(t, map[string]any{"poll_id": rt.formalVote(rf.meeting.ID, "同意加装电梯", 3, 1).ID,
		"title": "加装电悌", "text": "同意加装电梯，费用按楼层分摊。"})
	path := resolutionPath(r.ID)
	patch := func(body map[string]any, as *models.User, want int) resolutionView {
		t.Helper()
		return decode[resolutionView](t, rt.call(t, req{method: "PATCH", path: path, as: as, body: body}, want))
	}

	before := lastSeq(rt.events(f.A.ID))
	got := patch(map[string]any{"title": "加装电梯", "text": "同意加装电梯，费用按楼层分摊。"}, f.Facilitator, http.StatusOK)
	if got.Title != "加装电梯" || got.Status != models.ResolutionDraft {
		t.Fatalf("corrected=%+v", got.Resolution)
	}
	evs := rt.eventsAfter(before)
	if len(evs) != 1 || evs[0].Type != models.EvResolutionAmended {
		t.Fatalf("events=%v, want one resolution.amended", rt.eventTypes(f.A.ID, before))
	}
	var p models.ResolutionAmendedPayload
	if err := json.Unmarshal([]byte(evs[0].Payload), &p); err != nil {
		t.Fatal(err)
	}
	// Only the title changed: the text sent as it was is not a change.
	if !slices.Equal(p.Changes, []models.ResolutionFieldChange{{Field: "title", Before: "加装电悌", After: "加装电梯"}}) {
		t.Fatalf("changes=%+v", p.Changes)
	}
	// The same patch again changes nothing and appends nothing.
	before = lastSeq(rt.events(f.A.ID))
	patch(map[string]any{"title": "加装电梯"}, f.Facilitator, http.StatusOK)
	if got := rt.eventTypes(f.A.ID, before); len(got) != 0 {
		t.Fatalf("a no-op patch appended %v", got)
	}

	// Refusals change nothing.
	rt.problem(t, req{method: "PATCH", path: path, as: f.Resident, body: map[string]any{"minority_opinion": "我反对"}},
		http.StatusForbidden, "forbidden")
	pr := rt.problem(t, req{method: "PATCH", path: path, as: f.Facilitator, body: map[string]any{"title": "  "}},
		http.StatusUnprocessableEntity, "invalid_input")
	if pr.Errors["title"] == "" {
		t.Fatalf("errors=%v, want title", pr.Errors)
	}
	long := make([]rune, models.MaxMinorityOpinionRunes+1)
	for i := range long {
		long[i] = '长'
	}
	rt.problem(t, req{method: "PATCH", path: path, as: f.Facilitator, body: map[string]any{"minority_opinion": string(long)}},
		http.StatusUnprocessableEntity, "invalid_input")
	pr = rt.problem(t, req{method: "PATCH", path: path, as: f.Facilitator,
		body: map[string]any{"minority_opinion": "记录", "budget_fen": 100}}, http.StatusUnprocessableEntity, "invalid_input")
	if pr.Errors["budget_fen"] == "" {
		t.Fatalf("errors=%v, want budget_fen", pr.Errors)
	}

	// Once someone signed, the text is what they signed.
	rt.call(t, req{method: "POST", path: path + "/signatures", as: f.Resident, body: map[string]any{}}, http.StatusCreated)
	rt.problem(t, req{method: "PATCH", path: path, as: f.Facilitator, body: map[string]any{"text": "改过的内容"}},
		http.StatusConflict, "resolution_signed")
	rt.call(t, req{method: "POST", path: path + "/adopt", as: f.Facilitator}, http.StatusOK)
	rt.problem(t, req{method: "PATCH", path: path, as: f.Facilitator, body: map[string]any{"title": "通过后再改"}},
		http.StatusConflict, "resolution_not_draft")

	// The minority's view, after adoption, in English too; then cleared.
	view := "一楼住户代表要求记录：加装电梯影响一楼采光，应先给出补偿方案。"
	got = patch(map[string]any{"minority_opinion": view}, f.AdminA, http.StatusOK)
	if got.MinorityOpinion != view || got.Status != models.ResolutionAdopted {
		t.Fatalf("minority=%q status=%s", got.MinorityOpinion, got.Status)
	}
	if got := rt.get(t, r.ID, f.Resident); got.MinorityOpinion != view {
		t.Fatalf("a member reads minority=%q", got.MinorityOpinion)
	}
	if got := patch(map[string]any{"minority_opinion": ""}, f.Facilitator, http.StatusOK); got.MinorityOpinion != "" {
		t.Fatalf("cleared minority=%q", got.MinorityOpinion)
	}
	rec := rt.do(req{method: "PATCH", path: path, as: f.Facilitator, body: map[string]any{"minority_opinion": "x", "funding_source": "other"},
		header: map[string]string{"Accept-Language": "en"}})
	if p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"); p.Errors["funding_source"] == "" {
		t.Fatalf("errors=%v", p.Errors)
	}
}
