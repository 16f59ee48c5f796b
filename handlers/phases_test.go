package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/models/tally"
)

// TestPhases_CycleReason: a cycle is opened with the reason this compound was chosen.
func TestPhases_CycleReason(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	path := fmt.Sprintf("/api/v1/communities/%d/cycles", ta.fx.A.ID)
	for _, c := range []struct{ lang, reason, want string }{
		{"zh-CN", "", "请填写原因"},
		{"zh-CN", "   ", "请填写原因"},
		{"en", "", "Reason is required"},
	} {
		body := map[string]any{"month": "2027-04", "compound_id": ta.fx.CompoundA.ID}
		if c.reason != "" {
			body["reason"] = c.reason
		}
		rec := ta.do(req{method: "POST", path: path, as: ta.fx.Facilitator, body: body, header: map[string]string{"Accept-Language": c.lang}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "reason", c.want)
	}
	var n int64
	ta.store.Gorm().Model(&models.Cycle{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d cycles made without a reason", n)
	}
	if _, err := ta.store.CreateCycle(context.Background(), ta.fx.Facilitator.Actor(), ta.fx.A.ID,
		models.CycleInput{Month: "2027-04", CompoundID: ta.fx.CompoundA.ID, Reason: " "}); models.ErrorCode(err) != models.EINVALID {
		t.Fatalf("store without a reason: err=%v, want invalid", err)
	}
	if cy := ta.openCycle(t, "2027-04"); cy.Reason != "电梯加装呼声最高" {
		t.Fatalf("reason=%q", cy.Reason)
	}
}

// TestPhases_CancelledMonthIsFree: a cancelled cycle frees its month, which can be opened again;
// the database still keeps one live cycle a month when many ask at once.
func TestPhases_CancelledMonthIsFree(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	path := fmt.Sprintf("/api/v1/communities/%d/cycles", f.A.ID)
	open := func(month string) *httpRec {
		return ta.do(req{method: "POST", path: path, as: f.Facilitator,
			body: map[string]any{"month": month, "compound_id": f.CompoundA.ID, "reason": "停车难"}})
	}
	first := ta.openCycle(t, "2027-05")
	wantField(t, wantProblem(t, open("2027-05"), http.StatusUnprocessableEntity, "invalid_input"), "month", "这个月已经有一期月月谈了")
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", first.ID), as: f.Facilitator,
		body: map[string]any{"to": models.PhaseCancelled, "reason": "小区改造，改到下个月"}}), http.StatusOK)
	rec := open("2027-05")
	wantStatus(t, rec, http.StatusCreated)
	again := decode[models.Cycle](t, rec)
	if again.ID == first.ID || again.Month != "2027-05" || again.Phase != models.PhasePlanning {
		t.Fatalf("reopened=%+v", again)
	}
	wantField(t, wantProblem(t, open("2027-05"), http.StatusUnprocessableEntity, "invalid_input"), "month", "这个月已经有一期月月谈了")

	// Many at once for a fresh month, and for a cancelled one: exactly one each.
	cancelled := ta.openCycle(t, "2027-07")
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", cancelled.ID), as: f.Facilitator,
		body: map[string]any{"to": models.PhaseCancelled, "reason": "改期"}}), http.StatusOK)
	for _, month := range []string{"2027-06", "2027-07"} {
		var wg sync.WaitGroup
		codes := make([]int, 12)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = open(month).Code
			}()
		}
		wg.Wait()
		created := 0
		for _, c := range codes {
			switch c {
			case http.StatusCreated:
				created++
			case http.StatusUnprocessableEntity:
			default:
				t.Fatalf("%s: status %d among %v", month, c, codes)
			}
		}
		var live int64
		ta.store.Gorm().Model(&models.Cycle{}).Where("community_id = ? AND month = ? AND phase <> ?", f.A.ID, month,
			models.PhaseCancelled).Count(&live)
		if created != 1 || live != 1 {
			t.Fatalf("%s: created=%d live=%d of %v, want exactly one", month, created, live, codes)
		}
	}
}

// TestPhases_MeetingRunning: a cycle does not move on — forward, back or cancelled — while its
// meeting runs; once the meeting ends with its minutes it does, and no one joins or speaks.
func TestPhases_MeetingRunning(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cf := ta.buildClusterFixture("2028-06")
	adv := func(as *models.User, to, reason string) *httpRec {
		return ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", cf.cycle.ID), as: as,
			body: map[string]any{"to": to, "reason": reason}})
	}
	for _, r := range []*httpRec{adv(f.Facilitator, models.PhaseResolved, ""), adv(f.Facilitator, models.PhaseCancelled, "下雨"),
		adv(f.AdminA, models.PhaseCardCollection, "回去再收集")} {
		p := wantProblem(t, r, http.StatusConflict, "meeting_running")
		if !strings.Contains(p.Detail, "加装电梯圆桌会") {
			t.Fatalf("detail=%q, want the meeting named", p.Detail)
		}
	}
	rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", cf.cycle.ID), as: f.Facilitator,
		body: map[string]any{"to": models.PhaseResolved}, header: map[string]string{"Accept-Language": "en"}})
	if p := wantProblem(t, rec, http.StatusConflict, "meeting_running"); !strings.Contains(p.Detail, "is still running") {
		t.Fatalf("detail=%q", p.Detail)
	}
	wantStatus(t, ta.join(f.Resident, cf.meeting.JoinCode), http.StatusCreated)
	late := must(ta.store.ScheduleMeeting(context.Background(), f.Facilitator.Actor(), cf.cycle.ID,
		models.MeetingInput{Title: "补开的会", StartsAt: time.Date(2028, 7, 1, 11, 0, 0, 0, time.UTC), Location: "活动室"}))
	ta.endMeeting(t, cf.meeting.ID)
	ta.advance(t, cf.cycle.ID, models.PhaseResolved)
	wantProblem(t, ta.join(f.Party, cf.meeting.JoinCode), http.StatusUnprocessableEntity, "invalid_input")
	wantProblem(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/speakers", cf.meeting.ID), as: f.Resident,
		body: map[string]any{"stance": "pro"}}), http.StatusConflict, "meeting_ended")
	// A meeting scheduled but never started neither starts nor takes sign-ins once the cycle
	// has moved on.
	wantProblem(t, ta.join(f.Party, late.JoinCode), http.StatusConflict, "phase_closed")
	wantProblem(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/start", late.ID), as: f.Facilitator}),
		http.StatusConflict, "phase_closed")
}

// TestPhases_QuorumEnforced: a formal vote taken while fewer are signed in than the meeting's
// quorum does not pass — on the results, on the close, on the wall — and founds no resolution;
// the same vote with the quorum present passes.
func TestPhases_QuorumEnforced(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cf := ta.buildClusterFixture("2028-08")
	m := ta.schedule(t, cf.cycle.ID, map[string]any{"title": "表决会", "starts_at": "2028-08-20T19:30:00+08:00",
		"location": "会议室", "quorum": 5})
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/start", m.ID), as: f.Facilitator}), http.StatusOK)
	for _, u := range []*models.User{f.Resident, f.Party, f.GridWorker} {
		wantStatus(t, ta.checkInMember(m.ID, u), http.StatusCreated)
	}
	p := ta.formalVote(m.ID, "同意加装电梯", 3, 0)
	type result struct {
		QuorumMet    bool            `json:"quorum_met"`
		QuorumReason string          `json:"quorum_reason"`
		Passed       *bool           `json:"passed"`
		Decision     *tally.Decision `json:"decision"`
	}
	check := func(where string, r result) {
		t.Helper()
		if r.QuorumMet || r.Passed == nil || *r.Passed || r.QuorumReason != tally.QuorumMeeting || r.Decision == nil ||
			r.Decision.Attendees == nil || *r.Decision.Attendees != 3 || r.Decision.MeetingQuorum == nil ||
			*r.Decision.MeetingQuorum != 5 || !r.Decision.MajorityMet {
			t.Fatalf("%s: %+v, want not quorate (3 of 5), not passed, the majority met", where, r)
		}
	}
	for _, u := range []*models.User{f.Facilitator, f.Resident, f.Committee} {
		rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/polls/%d/results", p.ID), as: u})
		wantStatus(t, rec, http.StatusOK)
		check("results as "+u.Name, decode[result](t, rec))
	}
	rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/polls/%d/results?recount=1", p.ID), as: f.Committee})
	wantStatus(t, rec, http.StatusOK)
	check("recount", decode[result](t, rec))
	// The attendance of the close is the one that counts: signing in later changes nothing.
	wantStatus(t, ta.checkInMember(m.ID, f.Committee), http.StatusCreated)
	rec = ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/polls/%d/results", p.ID), as: f.Resident})
	check("results after a late sign-in", decode[result](t, rec))
	// The wall.
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "poll", "poll_id": p.ID}), http.StatusOK)
	w, _ := ta.wallOK(t, m.DisplayToken)
	if w.Poll == nil {
		t.Fatal("the wall shows no poll")
	}
	check("wall", result{QuorumMet: w.Poll.QuorumMet, QuorumReason: w.Poll.QuorumReason, Passed: w.Poll.Passed, Decision: w.Poll.Decision})
	// No resolution from it.
	draft := func(pollID uint64, lang string) *httpRec {
		return ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/resolutions", cf.cycle.ID), as: f.Facilitator,
			body: map[string]any{"poll_id": pollID, "title": "加装电梯决议", "text": "同意加装电梯。"}, header: map[string]string{"Accept-Language": lang}})
	}
	pr := wantProblem(t, draft(p.ID, "zh-CN"), http.StatusConflict, "poll_not_quorate")
	if pr.Detail != "这次表决时到会人数没有达到法定人数，表决不能形成决议。" {
		t.Fatalf("detail=%q", pr.Detail)
	}
	wantProblem(t, draft(p.ID, "en"), http.StatusConflict, "poll_not_quorate")
	var n int64
	ta.store.Gorm().Model(&models.Resolution{}).Where("poll_id = ?", p.ID).Count(&n)
	if n != 0 {
		t.Fatal("a resolution was drafted from a vote below the quorum")
	}
	// With five present the same vote passes and is adopted.
	wantStatus(t, ta.checkInMember(m.ID, f.AdminA), http.StatusCreated)
	ok := ta.formalVote(m.ID, "再次表决", 3, 0)
	rec = ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/polls/%d/results", ok.ID), as: f.Resident})
	if r := decode[result](t, rec); !r.QuorumMet || r.Passed == nil || !*r.Passed || r.QuorumReason != "" {
		t.Fatalf("five of five: %+v", r)
	}
	rec = draft(ok.ID, "zh-CN")
	wantStatus(t, rec, http.StatusCreated)
	r := decode[models.Resolution](t, rec)
	if r.Status != models.ResolutionDraft {
		t.Fatalf("resolution=%+v", r)
	}
	// Raising the quorum after the draft makes the same vote not quorate: adoption reads it again.
	ta.store.Gorm().Model(&models.Meeting{}).Where("id = ?", m.ID).Update("quorum", 6)
	wantProblem(t, ta.do(req{method: "POST", path: resolutionPath(r.ID) + "/adopt", as: f.Facilitator}),
		http.StatusConflict, "poll_not_quorate")
	ta.store.Gorm().Model(&models.Meeting{}).Where("id = ?", m.ID).Update("quorum", 5)
	rec = ta.do(req{method: "POST", path: resolutionPath(r.ID) + "/adopt", as: f.Facilitator})
	wantStatus(t, rec, http.StatusOK)
	if r := decode[models.Resolution](t, rec); r.Status != models.ResolutionAdopted {
		t.Fatalf("adopted=%+v", r)
	}
}

// TestPhases_SignOnlyIfPresentAtTheVote: a signature attests presence at the vote, so someone who
// signs in after the vote closed cannot sign, nor be signed in by the facilitator.
func TestPhases_SignOnlyIfPresentAtTheVote(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cf := ta.buildClusterFixture("2028-09")
	wantStatus(t, ta.join(f.Resident, cf.meeting.JoinCode), http.StatusCreated)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/attendance", cf.meeting.ID), as: f.Facilitator,
		body: map[string]any{"name": "王奶奶"}}), http.StatusCreated)
	r := ta.draftFrom(cf.cycle.ID, ta.formalVote(cf.meeting.ID, "同意加装电梯", 3, 0).ID, "")
	time.Sleep(5 * time.Millisecond) // the late sign-ins come strictly after the close
	wantStatus(t, ta.join(f.Party, cf.meeting.JoinCode), http.StatusCreated)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/attendance", cf.meeting.ID), as: f.Facilitator,
		body: map[string]any{"name": "李爷爷"}}), http.StatusCreated)
	path := resolutionPath(r.ID) + "/signatures"
	get := func(u *models.User) models.Resolution {
		rec := ta.do(req{method: "GET", path: resolutionPath(r.ID), as: u})
		wantStatus(t, rec, http.StatusOK)
		return decode[models.Resolution](t, rec)
	}
	if got := get(f.Party); got.CanSign {
		t.Fatal("someone who signed in after the vote is offered signing")
	}
	wantProblem(t, ta.do(req{method: "POST", path: path, as: f.Party, body: map[string]any{}}), http.StatusForbidden, "not_an_attendee")
	wantProblem(t, ta.do(req{method: "POST", path: path, as: f.Facilitator, body: map[string]any{"user_id": f.Party.ID}}),
		http.StatusUnprocessableEntity, "invalid_input")
	wantProblem(t, ta.do(req{method: "POST", path: path, as: f.Facilitator, body: map[string]any{"name": "李爷爷"}}),
		http.StatusUnprocessableEntity, "invalid_input")
	if got := get(f.Resident); !got.CanSign {
		t.Fatal("an attendee of the vote is not offered signing")
	}
	wantStatus(t, ta.do(req{method: "POST", path: path, as: f.Resident, body: map[string]any{}}), http.StatusCreated)
	wantStatus(t, ta.do(req{method: "POST", path: path, as: f.Facilitator, body: map[string]any{"name": "王奶奶"}}), http.StatusCreated)
	if got := get(f.AdminA); got.SignatureCount != 2 {
		t.Fatalf("signatures=%d, want 2", got.SignatureCount)
	}
}

// TestPhases_ArchiveWalk walks every route that changes something of a cycle — topics, cards,
// groups, meetings, sign-in, speakers, the projector, seats, polls, resolutions, the phase —
// on a closed cycle: each answers 409 cycle_archived, in both languages, and nothing changes.
func TestPhases_ArchiveWalk(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	ctx := context.Background()
	f := ta.fx
	fa := f.Facilitator.Actor()
	cf := ta.buildClusterFixture("2028-10")
	s := ta.store
	topics := must(s.ListTopics(ctx, fa, cf.cycle.ID))
	tid := topics[0].ID
	own := ta.submit(t, cf.cycle.ID, f.Resident, map[string]any{"body": "给一楼住户补偿"})
	other := ta.submit(t, cf.cycle.ID, f.Party, map[string]any{"body": "分单元表决"})
	wantStatus(t, ta.join(f.Resident, cf.meeting.JoinCode), http.StatusCreated)
	slot := ta.askByName(cf.meeting, "王奶奶")
	seat := must(s.InviteSeat(ctx, fa, cf.meeting.ID, models.SeatInput{Kind: models.SeatExpert, Label: "专家"}))
	later := must(s.ScheduleMeeting(ctx, fa, cf.cycle.ID, models.MeetingInput{Title: "第二次圆桌会",
		StartsAt: time.Date(2028, 10, 30, 11, 0, 0, 0, time.UTC), Location: "活动室"}))
	draftPoll := must(s.CreateMeetingPoll(ctx, fa, cf.meeting.ID, models.PollInput{Title: "备用表决", Method: tally.Approval,
		Eligibility: models.EligibleMembers, Weight: models.WeightPerson, Secrecy: models.SecrecyNamed, ResultsVisibility: models.ResultsLive}))
	vote := ta.formalVote(cf.meeting.ID, "同意加装电梯", 3, 0)
	res := must(s.DraftResolution(ctx, fa, cf.cycle.ID, models.ResolutionInput{PollID: vote.ID, Title: "加装电梯决议",
		Text: "同意加装电梯。", CardIDs: []uint64{cf.cards[0].ID}}))
	res = must(s.AdoptResolution(ctx, fa, res.ID))
	ta.endMeeting(t, cf.meeting.ID)
	ta.advance(t, cf.cycle.ID, models.PhaseResolved)
	ta.signOffAll(t, cf.cycle.ID)
	ta.advance(t, cf.cycle.ID, models.PhaseClosed)

	cy := fmt.Sprintf("/api/v1/cycles/%d", cf.cycle.ID)
	mt := fmt.Sprintf("/api/v1/meetings/%d", cf.meeting.ID)
	poll := func(id uint64, rest string) string { return fmt.Sprintf("/api/v1/polls/%d%s", id, rest) }
	card := func(id uint64, rest string) string { return fmt.Sprintf("/api/v1/cards/%d%s", id, rest) }
	routes := []req{
		{method: "POST", path: cy + "/topics", as: f.Resident, body: map[string]any{"title": "新议题"}},
		{method: "PATCH", path: fmt.Sprintf("/api/v1/topics/%d", tid), as: f.Facilitator, body: map[string]any{"status": "shortlisted"}},
		{method: "POST", path: fmt.Sprintf("/api/v1/topics/%d/merge", tid), as: f.Facilitator, body: map[string]any{"into_topic_id": tid}},
		{method: "PUT", path: fmt.Sprintf("/api/v1/topics/%d/endorsement", tid), as: f.Party},
		{method: "DELETE", path: fmt.Sprintf("/api/v1/topics/%d/endorsement", tid), as: f.Resident},
		{method: "POST", path: cy + "/select-topic", as: f.Facilitator, body: map[string]any{"topic_id": tid, "reason": "再选"}},
		{method: "POST", path: cy + "/cards", as: f.Resident, body: map[string]any{"body": "再补一条"}},
		{method: "PATCH", path: card(cf.cards[0].ID, ""), as: f.Facilitator, body: map[string]any{"status": "hidden", "reason": "隐藏"}},
		{method: "PATCH", path: card(own.ID, ""), as: f.Resident, body: map[string]any{"status": "withdrawn"}},
		{method: "POST", path: card(other.ID, "/reports"), as: f.Resident, body: map[string]any{"reason": "广告"}},
		{method: "PUT", path: card(cf.cards[1].ID, "/cluster"), as: f.Facilitator, body: map[string]any{"cluster_id": cf.group.ID}},
		{method: "POST", path: mt + "/clusters", as: f.Facilitator, body: map[string]any{"label": "新分组"}},
		{method: "PATCH", path: fmt.Sprintf("/api/v1/clusters/%d", cf.group.ID), as: f.Facilitator, body: map[string]any{"label": "改名"}},
		{method: "DELETE", path: fmt.Sprintf("/api/v1/clusters/%d", cf.spare.ID), as: f.Facilitator},
		{method: "POST", path: cy + "/meetings", as: f.Facilitator,
			body: map[string]any{"title": "圆桌会", "starts_at": "2028-11-20T19:30:00+08:00", "location": "会议室"}},
		{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/start", later.ID), as: f.Facilitator},
		{method: "POST", path: mt + "/end", as: f.Facilitator, body: map[string]any{"minutes": map[string]any{"summary": "改纪要"}}},
		{method: "POST", path: mt + "/display-token", as: f.Facilitator},
		{method: "POST", path: mt + "/attendance", as: f.Facilitator, body: map[string]any{"name": "李四"}},
		{method: "POST", path: "/api/v1/meetings/join", as: f.Party, body: map[string]any{"code": later.JoinCode}},
		{method: "POST", path: mt + "/speakers", as: f.Resident, body: map[string]any{"stance": "pro"}},
		{method: "PUT", path: mt + "/agenda-item", as: f.Facilitator, body: map[string]any{"position": 1}},
		{method: "POST", path: fmt.Sprintf("/api/v1/speakers/%d/start", slot.ID), as: f.Facilitator},
		{method: "POST", path: fmt.Sprintf("/api/v1/speakers/%d/finish", slot.ID), as: f.Facilitator},
		{method: "DELETE", path: fmt.Sprintf("/api/v1/speakers/%d", slot.ID), as: f.Facilitator},
		{method: "PUT", path: mt + "/projector", as: f.Facilitator, body: map[string]any{"mode": "blank"}},
		{method: "POST", path: mt + "/seats", as: f.Facilitator, body: map[string]any{"kind": "expert", "label": "律师"}},
		{method: "PATCH", path: seatPath(seat.ID), as: f.Facilitator, body: map[string]any{"label": "改名"}},
		{method: "DELETE", path: seatPath(seat.ID), as: f.Facilitator},
		{method: "POST", path: mt + "/polls", as: f.Facilitator, body: map[string]any{"title": "新表决", "method": "approval",
			"eligibility": "members", "weight": "person", "secrecy": "named", "results_visibility": "live"}},
		{method: "POST", path: cy + "/polls", as: f.Facilitator, body: map[string]any{"title": "业主表决", "method": "approval",
			"eligibility": "owners", "weight": "owner_area", "secrecy": "secret", "results_visibility": "after_close", "rule": "civil_code_278_major"}},
		{method: "POST", path: poll(draftPoll.ID, "/open"), as: f.Facilitator},
		{method: "POST", path: poll(vote.ID, "/close"), as: f.Facilitator},
		{method: "POST", path: poll(vote.ID, "/ballots"), as: f.Resident, body: map[string]any{"choice": "no"}},
		{method: "PUT", path: poll(vote.ID, "/offline-tallies"), as: f.Facilitator, body: map[string]any{"source": "举手", "counts": map[string]int{"yes": 1}}},
		{method: "POST", path: cy + "/resolutions", as: f.Facilitator, body: map[string]any{"poll_id": vote.ID, "title": "再起草", "text": "再起草"}},
		{method: "POST", path: resolutionPath(res.ID) + "/owners-decision", as: f.Facilitator, body: map[string]any{"poll_id": vote.ID}},
		{method: "POST", path: resolutionPath(res.ID) + "/signatures", as: f.Resident, body: map[string]any{}},
		{method: "POST", path: resolutionPath(res.ID) + "/adopt", as: f.Facilitator},
		{method: "POST", path: resolutionPath(res.ID) + "/reject", as: f.Facilitator},
		{method: "PATCH", path: resolutionPath(res.ID), as: f.Facilitator, body: map[string]any{"minority_opinion": "记录"}},
		{method: "POST", path: cy + "/advance", as: f.AdminA, body: map[string]any{"to": models.PhaseCancelled, "reason": "重来"}},
	}
	before := lastSeq(ta.events(f.A.ID))
	for i, r := range routes {
		if i%2 == 1 {
			r.header = map[string]string{"Accept-Language": "en"}
		}
		rec := ta.do(r)
		if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), `"code":"cycle_archived"`) {
			t.Errorf("%s %s: status=%d body=%s, want 409 cycle_archived", r.method, r.path, rec.Code, rec.Body.String())
			continue
		}
		want := T(LocaleZH, "cycle_archived", nil)
		if i%2 == 1 {
			want = T(LocaleEN, "cycle_archived", nil)
		}
		if p := decode[Problem](t, rec); p.Detail != want {
			t.Errorf("%s %s: detail=%q, want %q", r.method, r.path, p.Detail, want)
		}
	}
	if got := ta.eventTypes(f.A.ID, before); len(got) != 0 {
		t.Fatalf("the archive changed: events %v", got)
	}
	if c := must(s.GetCard(ctx, fa, cf.cards[0].ID)); c.Status != models.CardVisible {
		t.Fatalf("the resolution's card is %s", c.Status)
	}
}

// TestPhases_ExportHoldsMyRecords: "download my data" holds every kind of record the cycles
// keep about the person — their anonymous card too, marked so — and nothing of anyone else's.
func TestPhases_ExportHoldsMyRecords(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cy := ta.openCycle(t, "2028-11")
	ta.advance(t, cy.ID, models.PhaseTopicCollection)
	mine := ta.propose(t, cy.ID, f.Resident, "加装电梯")
	theirs := ta.propose(t, cy.ID, f.Party, "楼道照明")
	for _, e := range []struct {
		u  *models.User
		id uint64
	}{{f.Resident, theirs.ID}, {f.Party, mine.ID}} {
		wantStatus(t, ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/topics/%d/endorsement", e.id), as: e.u}), http.StatusOK)
	}
	ta.advance(t, cy.ID, models.PhaseTopicSelection)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/select-topic", cy.ID), as: f.Facilitator,
		body: map[string]any{"topic_id": mine.ID, "reason": "附议最多"}}), http.StatusOK)
	ta.advance(t, cy.ID, models.PhaseCardCollection)
	rec := ta.uploadPhoto(t, f.Resident, f.A.ID, tinyJPEG())
	wantStatus(t, rec, http.StatusCreated)
	photo := decode[models.Upload](t, rec)
	anon := ta.submit(t, cy.ID, f.Resident, map[string]any{"body": "我的匿名建议：按楼层分摊", "anonymous": true, "photo_id": photo.ID})
	named := ta.submit(t, cy.ID, f.Resident, map[string]any{"body": "我的实名建议：先易后难"})
	partyCard := ta.submit(t, cy.ID, f.Party, map[string]any{"body": "党员的建议：成立自管小组", "anonymous": true})
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cards/%d/reports", partyCard.ID), as: f.Resident,
		body: map[string]any{"reason": "和议题无关"}}), http.StatusCreated)
	wantStatus(t, ta.do(req{method: "PUT", path: ownerPath(f.HouseholdA.ID), as: f.Facilitator, body: map[string]any{"user_id": f.Resident.ID}}),
		http.StatusOK)
	m := ta.schedule(t, cy.ID, nil)
	ta.invite(t, m.ID, map[string]any{"kind": "resident_pro", "label": "高层住户代表", "invitee": map[string]any{"user_id": f.Resident.ID}})
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/start", m.ID), as: f.Facilitator}), http.StatusOK)
	for _, u := range []*models.User{f.Resident, f.Party} {
		wantStatus(t, ta.join(u, m.JoinCode), http.StatusCreated)
	}
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/speakers", m.ID), as: f.Resident,
		body: map[string]any{"stance": "con"}}), http.StatusCreated)
	mkPoll := func(path string, body map[string]any) uint64 {
		rec := ta.do(req{method: "POST", path: path, as: f.Facilitator, body: body})
		wantStatus(t, rec, http.StatusCreated)
		id := decode[models.Poll](t, rec).ID
		wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/open", id), as: f.Facilitator}), http.StatusOK)
		return id
	}
	meetingPolls := fmt.Sprintf("/api/v1/meetings/%d/polls", m.ID)
	namedPoll := mkPoll(meetingPolls, map[string]any{"title": "实名表决", "method": "approval", "eligibility": "attendees",
		"weight": "person", "secrecy": "named", "results_visibility": "live"})
	secretPoll := mkPoll(meetingPolls, map[string]any{"title": "无记名表决", "method": "approval", "eligibility": "attendees",
		"weight": "person", "secrecy": "secret", "results_visibility": "after_close"})
	ownersPoll := mkPoll(fmt.Sprintf("/api/v1/cycles/%d/polls", cy.ID), map[string]any{"title": "业主表决", "method": "approval",
		"eligibility": "owners", "weight": "owner_area", "secrecy": "secret", "results_visibility": "after_close",
		"rule": "civil_code_278_ordinary"})
	for _, u := range []*models.User{f.Resident, f.Party} {
		for _, id := range []uint64{namedPoll, secretPoll} {
			wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/ballots", id), as: u,
				body: map[string]any{"choice": "yes"}}), http.StatusCreated)
		}
	}
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/close", namedPoll), as: f.Facilitator}), http.StatusOK)
	rec = ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/resolutions", cy.ID), as: f.Facilitator,
		body: map[string]any{"poll_id": namedPoll, "title": "加装电梯决议", "text": "同意加装电梯。"}})
	wantStatus(t, rec, http.StatusCreated)
	res := decode[models.Resolution](t, rec)
	wantStatus(t, ta.do(req{method: "POST", path: resolutionPath(res.ID) + "/signatures", as: f.Resident, body: map[string]any{}}),
		http.StatusCreated)

	export := func(u *models.User) (models.MyRecords, string) {
		rec := ta.do(req{method: "GET", path: "/api/v1/me/export", as: u})
		wantStatus(t, rec, http.StatusOK)
		var out struct {
			Records models.MyRecords `json:"records"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		return out.Records, rec.Body.String()
	}
	r, raw := export(f.Resident)
	checks := []struct {
		what string
		ok   bool
	}{
		{"topic proposed", len(r.Topics) == 1 && r.Topics[0].ID == mine.ID},
		{"endorsement", len(r.Endorsements) == 1 && r.Endorsements[0].TopicID == theirs.ID},
		{"cards, the anonymous one marked", len(r.Cards) == 2 && r.Cards[0].ID == anon.ID && r.Cards[0].Anonymous &&
			r.Cards[0].PhotoID != nil && r.Cards[1].ID == named.ID && !r.Cards[1].Anonymous},
		{"report made", len(r.Reports) == 1 && r.Reports[0].CardID == partyCard.ID && r.Reports[0].Reason == "和议题无关"},
		{"upload", len(r.Uploads) == 1 && r.Uploads[0].ID == photo.ID},
		{"attendance", len(r.Attendance) == 1 && r.Attendance[0].MeetingID == m.ID},
		{"speaker slot", len(r.Speeches) == 1 && r.Speeches[0].Stance == "con"},
		{"seat", len(r.Seats) == 1 && r.Seats[0].Label == "高层住户代表"},
		{"named ballot", len(r.NamedBallots) == 1 && r.NamedBallots[0].PollID == namedPoll && r.NamedBallots[0].Choice != ""},
		{"secret receipt", len(r.SecretReceipts) == 1 && r.SecretReceipts[0].PollID == secretPoll},
		{"signature", len(r.Signatures) == 1 && r.Signatures[0].ResolutionID == res.ID},
		{"owner record", len(r.OwnerRecords) == 1 && r.OwnerRecords[0].HouseholdID == f.HouseholdA.ID},
		{"owners' roll", len(r.OwnerPollRolls) == 1 && r.OwnerPollRolls[0].PollID == ownersPoll},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s missing from the export: %+v", c.what, r)
		}
	}
	for _, secret := range []string{partyCard.Body, theirs.Title + `","description`, "党员"} {
		if strings.Contains(raw, secret) {
			t.Errorf("the resident's export holds another person's %q", secret)
		}
	}
	if strings.Contains(raw, `"choice"`) && strings.Count(raw, `"choice"`) != 1 {
		t.Errorf("the export holds %d choices, want the named ballot's only", strings.Count(raw, `"choice"`))
	}
	p, praw := export(f.Party)
	if len(p.Cards) != 1 || p.Cards[0].ID != partyCard.ID || len(p.Topics) != 1 || p.Topics[0].ID != theirs.ID ||
		len(p.Reports) != 0 || len(p.Signatures) != 0 || len(p.Seats) != 0 || len(p.Uploads) != 0 || len(p.OwnerRecords) != 0 {
		t.Errorf("the party member's export: %+v", p)
	}
	for _, secret := range []string{anon.Body, named.Body} {
		if strings.Contains(praw, secret) {
			t.Errorf("another person's export holds %q", secret)
		}
	}
}
