package handlers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// TestDisplay_ResolutionMode: the facilitator puts a draft resolution on the wall to read it out
// before adopting it (docs/paper.md "Draft review"); a correction and the adoption reach the
// wall's stream and show at once; only a resolution of this meeting may be shown, and nobody's
// name is on the wall.
func TestDisplay_ResolutionMode(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	rf := ta.buildResolutionFixture("2027-09")
	m := rf.meeting
	r := ta.draftOnly(rf.cycle.ID, ta.formalVote(m.ID, "同意加装电梯", 3, 1).ID, "")
	srv := httptest.NewServer(ta.e)
	t.Cleanup(srv.Close)
	c := openStream(t, srv.URL+"/api/v1/display/"+m.DisplayToken+"/stream", nil)
	c.next(t, "connected", 5*time.Second)

	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "resolution", "resolution_id": r.ID}), http.StatusOK)
	c.next(t, models.EvProjectorChanged, 2*time.Second)
	w, body := ta.wallOK(t, m.DisplayToken)
	if w.Mode != models.ProjectorResolution || w.Resolution == nil || w.Resolution.ID != r.ID ||
		w.Resolution.Title != r.Title || w.Resolution.Text != r.Text || w.Resolution.Status != models.ResolutionDraft ||
		w.Topic != nil || w.Cards != nil || w.Message != nil {
		t.Fatalf("wall=%s", body)
	}
	wantNoPersonalData(t, "the resolution on the wall", body, f.Facilitator.Name, f.Resident.Name, m.DisplayToken)

	// The draft corrected after reading it out: the wall hears of it and shows the new text.
	path := fmt.Sprintf("/api/v1/resolutions/%d", r.ID)
	wantStatus(t, ta.do(req{method: "PATCH", path: path, as: f.Facilitator,
		body: map[string]any{"text": "同意加装电梯，费用按楼层系数分摊。"}}), http.StatusOK)
	c.next(t, models.EvResolutionAmended, 2*time.Second)
	if w, body = ta.wallOK(t, m.DisplayToken); w.Resolution == nil || w.Resolution.Text != "同意加装电梯，费用按楼层系数分摊。" {
		t.Fatalf("after the correction the wall=%s", body)
	}
	// Adopted: the wall shows it adopted.
	wantStatus(t, ta.do(req{method: "POST", path: path + "/adopt", as: f.Facilitator}), http.StatusOK)
	c.next(t, models.EvResolutionAdopted, 2*time.Second)
	if w, body = ta.wallOK(t, m.DisplayToken); w.Resolution == nil || w.Resolution.Status != models.ResolutionAdopted {
		t.Fatalf("after adoption the wall=%s", body)
	}

	// Refusals, each on its field, and the wall unchanged.
	other := ta.buildResolutionFixture("2027-10")
	elsewhere := ta.draftOnly(other.cycle.ID, ta.formalVote(other.meeting.ID, "另一场的表决", 2, 0).ID, "")
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"mode": "resolution"}, "resolution_id"},
		{map[string]any{"mode": "message", "message": "请入座", "resolution_id": r.ID}, "resolution_id"},
		{map[string]any{"mode": "resolution", "resolution_id": elsewhere.ID}, "resolution_id"},
		{map[string]any{"mode": "resolution", "resolution_id": 999999}, "resolution_id"},
	} {
		p := wantProblem(t, ta.setProjector(f.Facilitator, m.ID, c.body), http.StatusUnprocessableEntity, "invalid_input")
		if len(p.Errors) != 1 || p.Errors[c.field] == "" {
			t.Fatalf("%v: errors=%+v", c.body, p.Errors)
		}
	}
	if w, body = ta.wallOK(t, m.DisplayToken); w.Mode != models.ProjectorResolution || w.Resolution == nil || w.Resolution.ID != r.ID {
		t.Fatalf("after refusals the wall=%s", body)
	}
	// A resident cannot put it on the wall.
	wantStatus(t, ta.setProjector(f.Resident, m.ID, map[string]any{"mode": "resolution", "resolution_id": r.ID}), http.StatusForbidden)
}
