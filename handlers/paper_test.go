package handlers

import (
	"context"
	"encoding/json"
	"fmt"
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

// TestPaper_Minutes: the minutes are read from the record — attendance, speeches by stance, the
// groups and their cards, the polls with their rule and result, the resolution with the
// minority's view and its signatures, the summary once the meeting ended — with names for the
// staff and the committee only.
func TestPaper_Minutes(t *testing.T) {
	t.Parallel()
	rt := newResTest(t, "2027-09")
	f, rf := rt.fx, rt.rf
	ctx := context.Background()
	sa := f.Super.Actor()
	sl, _, err := rt.store.AskToSpeak(ctx, sa, rf.meeting.ID, models.AskInput{Stance: models.StanceNeutral, Name: "王奶奶"})
	must(sl, err)
	must(rt.store.StartSpeaker(ctx, sa, sl.ID))
	must(rt.store.FinishSpeaker(ctx, sa, sl.ID))
	vote := rt.formalVote(rf.meeting.ID, "同意加装电梯", 4, 1)
	r := rt.draftFrom(rf.cycle.ID, vote.ID, "")
	view := "一楼住户要求记录：应先给出采光补偿方案。"
	rt.call(t, req{method: "PATCH", path: resolutionPath(r.ID), as: f.Facilitator, body: map[string]any{"minority_opinion": view}}, http.StatusOK)
	rt.call(t, req{method: "POST", path: resolutionPath(r.ID) + "/signatures", as: f.Resident, body: map[string]any{}}, http.StatusCreated)

	path := fmt.Sprintf("/api/v1/meetings/%d/minutes", rf.meeting.ID)
	read := func(as *models.User) minutesResponse {
		t.Helper()
		return decode[minutesResponse](t, rt.call(t, req{method: "GET", path: path, as: as}, http.StatusOK))
	}
	m := read(f.Facilitator)
	if m.Final || m.Summary != "" {
		t.Fatalf("before the end: final=%v summary=%q", m.Final, m.Summary)
	}
	rt.endMeeting(t, rf.meeting.ID)
	m = read(f.Facilitator)
	if !m.Final || m.Summary != "会议结束" || m.AttendeeCount != 8 || !m.NamesVisible || len(m.Attendees) != 8 {
		t.Fatalf("minutes=%+v", m.Minutes)
	}
	if !slices.ContainsFunc(m.Attendees, func(a models.MinutesAttendee) bool { return a.Name == "王奶奶" }) {
		t.Fatalf("attendees=%+v, want the walk-in", m.Attendees)
	}
	if len(m.Speeches) != 1 || m.Speeches[0].Name != "王奶奶" || m.Speeches[0].Stance != models.StanceNeutral || m.Speeches[0].EndedAt == nil {
		t.Fatalf("speeches=%+v", m.Speeches)
	}
	if len(m.Groups) != 2 || m.Groups[0].ID != rf.group.ID || len(m.Groups[0].Cards) != 1 || m.Groups[0].Cards[0].ID != rf.cards[0].ID {
		t.Fatalf("groups=%+v", m.Groups)
	}
	var poll *models.MinutesPoll
	for i := range m.Polls {
		if m.Polls[i].ID == vote.ID {
			poll = &m.Polls[i]
		}
	}
	if poll == nil || poll.Result == nil || poll.Result.Passed == nil || !*poll.Result.Passed || poll.Rule == "" {
		t.Fatalf("polls=%+v", m.Polls)
	}
	if len(m.Resolutions) != 1 || m.Resolutions[0].ID != r.ID || m.Resolutions[0].MinorityOpinion != view ||
		m.Resolutions[0].Status != models.ResolutionAdopted || len(m.Resolutions[0].Signatures) != 1 {
		t.Fatalf("resolutions=%+v", m.Resolutions)
	}
	// A resident reads the same record without names: counted attendees, masked speakers.
	m = read(f.Resident)
	if m.NamesVisible || len(m.Attendees) != 0 || m.AttendeeCount != 8 || m.Speeches[0].Name != "王**" ||
		len(m.Resolutions) != 1 || m.Resolutions[0].MinorityOpinion != view {
		t.Fatalf("as resident=%+v", m.Minutes)
	}
	// Another community's member finds nothing.
	rt.problem(t, req{method: "GET", path: path, as: f.ResidentB}, http.StatusNotFound, "not_found")
}
