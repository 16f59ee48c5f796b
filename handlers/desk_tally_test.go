package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/deskseed"
	"github.com/yueyuetan/yueyuetan/models"
)

// TestDesk_ClosedCycleTally: closing a cycle keeps its counts (models/dashboard_tally.go) and the
// dashboard reads them; the close changes no figure, what a closed cycle refuses stays refused,
// and what still moves after the close (an escalation's answer, a claim confirmed on an open
// item) shows on the very next request (docs/desk.md "The dashboard").
func TestDesk_ClosedCycleTally(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	deskToday(ta)
	f := ta.fx
	b, err := deskseed.New(ta.store.Gorm())
	if err != nil {
		t.Fatal(err)
	}
	cid, A := f.A.ID, f.CompoundA.ID
	res, party, grid, fac := f.Resident.ID, f.Party.ID, f.GridWorker.ID, f.Facilitator.ID
	hh := b.Households(A, 3)
	at := time.Date(2026, 5, 20, 2, 0, 0, 0, time.UTC)
	cy := b.Cycle(cid, A, "2026-05", models.PhaseResolved, fac)
	b.Topic(cid, cy, "加装电梯", models.TopicSelected, res, []uint64{res, party, grid})
	b.Cards(cid, cy, models.OriginOnline, 2, res)
	b.Cards(cid, cy, models.OriginPaper, 1, grid)
	m := b.Meeting(cid, cy, fac, []uint64{res, party, grid})
	p := b.Poll(cid, cy, m, fac, []uint64{res, party})
	r := b.Resolution(cid, cy, m, p, "加装电梯", models.ResolutionAccepted, fac)
	done := b.Item(cid, r, nil, "评估", "2026-05-31", models.ItemDone, &at, fac)
	open := b.Item(cid, r, nil, "施工", "2026-08-31", models.ItemTodo, nil, fac)
	b.Update(cid, open, party, at, 250)
	claim := b.Claim(cid, open, party, models.ClaimPending)
	esc := b.Escalation(cid, r, done, "hotline", at, "2026-07-01", "")
	b.Answer(r, hh[0], models.SurveySatisfied)
	b.Answer(r, hh[1], models.SurveyDissatisfied)
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	// The seeder leaves the cycle without a facilitator of its own (the column is nullable): the
	// escalation's answer below, which notifies the cycle's facilitators, must still work (it
	// answered 500 once).
	path := fmt.Sprintf("/api/v1/communities/%d/dashboard?from=2026-01&to=2026-06", cid)
	// get answers the dashboard, and all of it but the cycles' phases (which the close changes)
	// as text to compare.
	get := func() (string, dashView) {
		t.Helper()
		rec := ta.do(req{method: "GET", path: path, as: f.Committee})
		wantStatus(t, rec, http.StatusOK)
		all := decode[map[string]any](t, rec)
		delete(all, "cycles")
		raw, err := json.Marshal(all)
		if err != nil {
			t.Fatal(err)
		}
		return string(raw), decode[dashView](t, rec)
	}
	tallied := func() int64 {
		t.Helper()
		var n int64
		if err := ta.store.Gorm().Table("cycle_tallies").Where("cycle_id = ?", cy).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	before, d := get()
	wantCount(t, "cards", d.Participation.Cards, 3)
	wantCount(t, "attendance", d.Participation.Attendance, 3)
	wantCount(t, "answers", d.Satisfaction.Answers, 2)
	if tallied() != 0 {
		t.Fatal("a cycle that is not closed has a tally")
	}

	// The close keeps the tally and changes no figure.
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", cy), body: map[string]any{"to": "closed"},
		as: f.Facilitator}), http.StatusOK)
	if tallied() == 0 {
		t.Fatal("closing the cycle kept no tally")
	}
	if after, _ := get(); after != before {
		t.Fatalf("the close changed the dashboard:\nbefore %s\nafter  %s", before, after)
	}
	// Once is enough: the catch-up of the server's start leaves a tallied cycle alone.
	if n, err := ta.store.TallyClosedCycles(context.Background()); err != nil || n != 0 {
		t.Fatalf("catch-up tallied %d (err %v), want 0", n, err)
	}

	// The archive refuses a card and cannot be reopened; the figures stay.
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/cards", cy), body: map[string]any{"body": "再加一张"},
		as: f.Resident}), http.StatusConflict)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", cy),
		body: map[string]any{"to": "resolved", "reason": "补录"}, as: f.AdminA}), http.StatusConflict)
	if after, _ := get(); after != before {
		t.Fatalf("a refused write changed the dashboard:\nbefore %s\nafter  %s", before, after)
	}

	// The figures really come from the tally: a row removed behind the store's back (no route
	// does this to a closed cycle) leaves them as they were.
	if err := ta.store.Gorm().Exec("DELETE FROM survey_answers WHERE resolution_id = ? AND household_id = ?", r, hh[1]).Error; err != nil {
		t.Fatal(err)
	}
	if _, d := get(); d.Satisfaction.Answers != 2 || d.Satisfaction.ByLevel["dissatisfied"] != 1 {
		t.Fatalf("satisfaction %+v, want the tally's 2 answers", d.Satisfaction)
	}

	// What still moves after the close is counted live, on the next request.
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/escalations/%d/response", esc),
		body: map[string]any{"response": "已安排", "responded_on": "2026-06-10"}, as: f.Facilitator}), http.StatusOK)
	_, d = get()
	wantCount(t, "escalations responded", d.Escalations.Responded, 1)
	wantCount(t, "escalations awaiting", d.Escalations.Awaiting, 0)
	wantRate(t, "mean response days", d.Escalations.MeanResponseDays, 21)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/claims/%d/confirm", claim), body: map[string]any{},
		as: f.Facilitator}), http.StatusOK)
	_, d = get()
	wantCount(t, "claims confirmed", d.Claims.Confirmed, 1)
	wantCount(t, "claimants", d.Claims.Claimants, 1)
	if d.Claims.ServiceHours != 2.5 {
		t.Fatalf("service hours %v, want 2.5 after the claim's confirmation", d.Claims.ServiceHours)
	}
	wantCount(t, "cards after", d.Participation.Cards, 3)
	wantCount(t, "attendance after", d.Participation.Attendance, 3)
	wantRate(t, "turnout after", d.Participation.Turnout, 2.0/3)
}
