package handlers

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// resolutionPhases are the phases in which resolutions are drafted, decided and signed: at the
// round table, where the vote is taken and the attendees sign, and after it while the cycle forms
// its resolutions (an owners' ballot takes weeks).
var resolutionPhases = []string{models.PhaseRoundTable, models.PhaseResolved}

// resolutionPhase is what TestPhase_Gating asks of resolutions in each phase: a closed vote to
// draft from and a 278 draft to decide per call (only the allowed phases use theirs up), and an
// adopted resolution the resident — signed in at its meeting — signs again and again.
type resolutionPhase struct {
	ta      *testApp
	cycleID uint64
	votes   []uint64
	drafts  []uint64
	signed  uint64
	notice  uint64
	calls   map[string]int
}

// resolutionPhaseFixture takes the cycle, collecting cards, to the round table to take its votes
// and draft, then back (an admin, with a reason) to where it was.
func (ta *testApp) resolutionPhaseFixture(t *testing.T, cycleID uint64) *resolutionPhase {
	t.Helper()
	ctx := context.Background()
	f := ta.fx
	rp := &resolutionPhase{ta: ta, cycleID: cycleID, calls: map[string]int{}}
	ta.advance(t, cycleID, models.PhaseRoundTable)
	m := must(ta.store.ScheduleMeeting(ctx, f.Facilitator.Actor(), cycleID, models.MeetingInput{Title: "决议圆桌会",
		StartsAt: time.Date(2026, 12, 20, 11, 30, 0, 0, time.UTC), Location: "会议室"}))
	must(first(ta.store.CheckIn(ctx, f.Facilitator.Actor(), m.ID, models.CheckInInput{UserID: &f.Resident.ID})))
	for i := range models.PhaseOrder {
		rp.votes = append(rp.votes, ta.formalVote(m.ID, fmt.Sprintf("阶段表决%d", i), 1, 0).ID)
		rp.drafts = append(rp.drafts, ta.draftFrom(cycleID, ta.formalVote(m.ID, fmt.Sprintf("阶段278表决%d", i), 1, 0).ID,
			models.MatterOwnersCommittee).ID)
	}
	rp.signed = ta.draftFrom(cycleID, ta.formalVote(m.ID, "阶段签字表决", 1, 0).ID, "").ID
	rp.notice = must(ta.store.SaveUpload(ctx, f.Facilitator.Actor(), f.A.ID, bytes.NewReader(tinyJPEG()))).ID
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", cycleID), as: f.AdminA,
		body: map[string]any{"to": models.PhaseCardCollection, "reason": "回到前一阶段检查"}}), http.StatusOK)
	return rp
}

// next gives each call of an action the next object of its own.
func (rp *resolutionPhase) next(action string, ids []uint64) uint64 {
	i := rp.calls[action]
	rp.calls[action]++
	return ids[i%len(ids)]
}

func (rp *resolutionPhase) draft() req {
	return req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/resolutions", rp.cycleID), as: rp.ta.fx.Facilitator,
		body: map[string]any{"poll_id": rp.next("draft", rp.votes), "title": "决议", "text": "决议内容"}}
}

func (rp *resolutionPhase) decide() req {
	return req{method: "POST", path: resolutionPath(rp.next("decide", rp.drafts)) + "/owners-decision", as: rp.ta.fx.Facilitator,
		body: official{10, 10, 6, 4, 1000, 1000, 600, 400}.body(rp.notice)}
}

// settle records the owners' decision on every 278 draft still awaiting it and adopts the other
// drafts, as a cycle needs before it closes.
func (rp *resolutionPhase) settle(t *testing.T) {
	t.Helper()
	for _, id := range rp.drafts {
		rec := rp.ta.do(req{method: "POST", path: resolutionPath(id) + "/owners-decision", as: rp.ta.fx.Facilitator,
			body: official{10, 10, 6, 4, 1000, 1000, 600, 400}.body(rp.notice)})
		if rec.Code != http.StatusOK && !bytes.Contains(rec.Body.Bytes(), []byte(`"code":"resolution_decided"`)) {
			t.Fatalf("settling resolution %d: status=%d body=%s", id, rec.Code, rec.Body.String())
		}
	}
	// The drafts the gating drafted are read out and adopted (their votes passed).
	var drafts []uint64
	if err := rp.ta.store.Gorm().Table("resolutions").Where("cycle_id = ? AND status = ?", rp.cycleID, models.ResolutionDraft).
		Pluck("id", &drafts).Error; err != nil {
		t.Fatal(err)
	}
	for _, id := range drafts {
		wantStatus(t, rp.ta.do(req{method: "POST", path: resolutionPath(id) + "/adopt", as: rp.ta.fx.Facilitator}), http.StatusOK)
	}
	rp.ta.signOffAll(t, rp.cycleID)
}

func (rp *resolutionPhase) sign() req {
	return req{method: "POST", path: resolutionPath(rp.signed) + "/signatures", as: rp.ta.fx.Resident, body: map[string]any{}}
}
