package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

// TestPhase_Gating asks every phase-gated action in every phase of a cycle: the phases that
// allow it answer 2xx, every other phase answers 409 phase_closed naming the phase.
func TestPhase_Gating(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cy := ta.openCycle(t, "2026-12")
	ta.advance(t, cy.ID, models.PhaseTopicCollection)
	selected := ta.propose(t, cy.ID, f.Resident, "加装电梯")
	open := ta.propose(t, cy.ID, f.Resident, "停车难")
	var spare []models.Topic // merged away one by one
	for i := 0; i < 4; i++ {
		spare = append(spare, ta.propose(t, cy.ID, f.Party, fmt.Sprintf("重复议题%d", i)))
	}
	ta.advance(t, cy.ID, models.PhaseTopicSelection)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/select-topic", cy.ID), as: f.Facilitator,
		body: map[string]any{"topic_id": selected.ID, "reason": "附议最多"}}), http.StatusOK)
	ta.advance(t, cy.ID, models.PhaseCardCollection)
	var cards []models.Card // withdrawn one by one
	for i := 0; i < 4; i++ {
		cards = append(cards, ta.submit(t, cy.ID, f.Resident, map[string]any{"body": fmt.Sprintf("建议%d", i)}))
	}
	seatMeeting := ta.schedule(t, cy.ID, nil) // its seats are planned in each phase
	seatToChange := ta.invite(t, seatMeeting.ID, map[string]any{"kind": "property", "label": "物业"})
	seatToRemove := ta.invite(t, seatMeeting.ID, map[string]any{"kind": "expert", "label": "专家"})
	pollMeeting := ta.schedule(t, cy.ID, nil) // polls are drafted on it in each phase
	// Votes taken and resolutions drafted at the round table, for the resolution rows.
	resolutions := ta.resolutionPhaseFixture(t, cy.ID)
	// Back to planning (admin, with reasons), then walk forward asking everything in each phase.
	for _, to := range []string{models.PhaseTopicSelection, models.PhaseTopicCollection, models.PhasePlanning} {
		wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", cy.ID), as: f.AdminA,
			body: map[string]any{"to": to, "reason": "回到前一阶段检查"}}), http.StatusOK)
	}

	n := 0
	actions := []struct {
		name    string
		allowed []string
		do      func() req
	}{
		{"propose topic", []string{models.PhaseTopicCollection}, func() req {
			n++
			return req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/topics", cy.ID), as: f.Resident, body: map[string]any{"title": fmt.Sprintf("新议题%d", n)}}
		}},
		{"offline topic", []string{models.PhaseTopicCollection}, func() req {
			n++
			return req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/topics", cy.ID), as: f.GridWorker,
				body: map[string]any{"title": fmt.Sprintf("走访议题%d", n), "source": "home_visit"}}
		}},
		{"endorse", []string{models.PhaseTopicCollection}, func() req {
			return req{method: "PUT", path: fmt.Sprintf("/api/v1/topics/%d/endorsement", open.ID), as: f.Resident}
		}},
		{"withdraw endorsement", []string{models.PhaseTopicCollection}, func() req {
			return req{method: "DELETE", path: fmt.Sprintf("/api/v1/topics/%d/endorsement", open.ID), as: f.Party}
		}},
		{"shortlist", []string{models.PhaseTopicCollection, models.PhaseTopicSelection}, func() req {
			return req{method: "PATCH", path: fmt.Sprintf("/api/v1/topics/%d", open.ID), as: f.Facilitator, body: map[string]any{"status": "shortlisted"}}
		}},
		{"merge", []string{models.PhaseTopicCollection, models.PhaseTopicSelection}, func() req {
			from := spare[0]
			return req{method: "POST", path: fmt.Sprintf("/api/v1/topics/%d/merge", from.ID), as: f.Facilitator, body: map[string]any{"into_topic_id": open.ID}}
		}},
		{"select topic", []string{models.PhaseTopicSelection}, func() req {
			return req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/select-topic", cy.ID), as: f.Facilitator,
				body: map[string]any{"topic_id": selected.ID, "reason": "附议最多"}}
		}},
		{"online card", []string{models.PhaseCardCollection, models.PhaseRoundTable}, func() req {
			n++
			return req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/cards", cy.ID), as: f.Resident, body: map[string]any{"body": fmt.Sprintf("线上卡片%d", n)}}
		}},
		{"paper card", []string{models.PhaseCardCollection, models.PhaseRoundTable}, func() req {
			n++
			return req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/cards", cy.ID), as: f.Facilitator,
				body: map[string]any{"body": fmt.Sprintf("纸质卡片%d", n), "origin": "paper", "author_name": "王奶奶"}}
		}},
		{"table card", []string{models.PhaseRoundTable}, func() req {
			n++
			return req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/cards", cy.ID), as: f.Facilitator,
				body: map[string]any{"body": fmt.Sprintf("会上卡片%d", n), "origin": "table"}}
		}},
		{"withdraw card", []string{models.PhaseCardCollection, models.PhaseRoundTable}, func() req {
			return req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", cards[0].ID), as: f.Resident, body: map[string]any{"status": "withdrawn"}}
		}},
		{"schedule meeting", []string{models.PhaseCardCollection, models.PhaseRoundTable}, func() req {
			return req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/meetings", cy.ID), as: f.Facilitator,
				body: map[string]any{"title": "圆桌会", "starts_at": "2026-12-20T19:30:00+08:00", "location": "会议室"}}
		}},
		{"plan seat", []string{models.PhaseCardCollection, models.PhaseRoundTable}, func() req {
			n++
			return req{method: "POST", path: seatsPath(seatMeeting.ID), as: f.Facilitator,
				body: map[string]any{"kind": "resident_con", "label": fmt.Sprintf("一楼住户代表%d", n)}}
		}},
		{"change seat", []string{models.PhaseCardCollection, models.PhaseRoundTable}, func() req {
			n++
			return req{method: "PATCH", path: seatPath(seatToChange.ID), as: f.Facilitator,
				body: map[string]any{"label": fmt.Sprintf("物业%d", n)}}
		}},
		// Removing a removed seat answers 204 where removing is allowed at all.
		{"remove seat", []string{models.PhaseCardCollection, models.PhaseRoundTable}, func() req {
			return req{method: "DELETE", path: seatPath(seatToRemove.ID), as: f.Facilitator}
		}},
		{"meeting poll", []string{models.PhaseRoundTable}, func() req {
			n++
			return req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/polls", pollMeeting.ID), as: f.Facilitator,
				body: map[string]any{"title": fmt.Sprintf("表决%d", n), "method": "approval", "eligibility": "attendees",
					"weight": "person", "secrecy": "secret", "results_visibility": "after_close"}}
		}},
		{"cycle poll", []string{models.PhaseTopicSelection}, func() req {
			n++
			return req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/polls", cy.ID), as: f.Facilitator,
				body: map[string]any{"title": fmt.Sprintf("选议题%d", n), "method": "single", "eligibility": "members",
					"weight": "person", "secrecy": "named", "results_visibility": "after_vote",
					"options": []map[string]any{{"label": "加装电梯"}, {"label": "停车难"}}}}
		}},
		// An owners' ballot can take weeks after the meeting: owners' polls run on into resolved.
		{"owners' poll", []string{models.PhaseRoundTable, models.PhaseResolved}, func() req {
			n++
			return req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/polls", cy.ID), as: f.Facilitator,
				body: map[string]any{"title": fmt.Sprintf("业主表决%d", n), "method": "approval", "eligibility": "owners",
					"weight": "owner_area", "secrecy": "secret", "results_visibility": "after_close", "rule": "civil_code_278_major"}}
		}},
		{"draft resolution", resolutionPhases, resolutions.draft},
		{"owners' decision", resolutionPhases, resolutions.decide},
		{"sign resolution", resolutionPhases, resolutions.sign},
	}
	for _, phase := range models.PhaseOrder {
		if phase == models.PhaseClosed {
			resolutions.settle(t) // a cycle closes once every resolution is decided
		}
		if phase != models.PhasePlanning {
			ta.advance(t, cy.ID, phase)
		}
		for _, act := range actions {
			rec := ta.do(act.do())
			if slices.Contains(act.allowed, phase) {
				if rec.Code < 200 || rec.Code > 299 {
					t.Errorf("%s in %s: status=%d, want 2xx; body=%s", act.name, phase, rec.Code, rec.Body.String())
				}
				switch act.name {
				case "merge":
					spare = spare[1:]
				case "withdraw card":
					cards = cards[1:]
				}
				continue
			}
			if phase == models.PhaseClosed {
				// A closed cycle is an archive: everything is refused the same way.
				if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), `"code":"cycle_archived"`) {
					t.Errorf("%s in %s: status=%d body=%s, want 409 cycle_archived", act.name, phase, rec.Code, rec.Body.String())
				}
				continue
			}
			if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), `"code":"phase_closed"`) ||
				!strings.Contains(rec.Body.String(), T(LocaleZH, "phase."+phase, nil)) {
				t.Errorf("%s in %s: status=%d body=%s, want 409 phase_closed naming the phase", act.name, phase, rec.Code, rec.Body.String())
			}
		}
	}

	t.Run("Cancelled", func(t *testing.T) {
		other := ta.openCycle(t, "2027-01")
		ta.advance(t, other.ID, models.PhaseTopicCollection)
		wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", other.ID), as: f.Facilitator,
			body: map[string]any{"to": "cancelled", "reason": "改期"}}), http.StatusOK)
		for _, r := range []req{
			{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/topics", other.ID), as: f.Resident, body: map[string]any{"title": "x"}},
			{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/cards", other.ID), as: f.Resident, body: map[string]any{"body": "x"}},
			{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/meetings", other.ID), as: f.Facilitator,
				body: map[string]any{"title": "圆桌会", "starts_at": "2026-12-20T19:30:00+08:00", "location": "会议室"}},
			{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", other.ID), as: f.AdminA, body: map[string]any{"to": "topic_collection", "reason": "恢复"}},
		} {
			wantProblem(t, ta.do(r), http.StatusConflict, "phase_closed")
		}
	})
}
