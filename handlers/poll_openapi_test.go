package handlers

import (
	"fmt"
	"net/http"
	"testing"
)

// TestOpenAPIPollExamples walks every poll route the way clients use it, success and failure,
// and checks each request and answer against the spec; every poll operation must succeed once.
func TestOpenAPIPollExamples(t *testing.T) {
	ta := newTestApp(t)
	s := loadOpenAPI(t)
	fx := ta.fx
	pf := ta.buildPollFixture("2027-03")
	covered := map[string]bool{}
	call := oaCaller(t, ta.e, s, covered)
	tok := ta.token
	meeting := fmt.Sprintf("/api/v1/meetings/%d/polls", pf.meeting.ID)
	cycle := fmt.Sprintf("/api/v1/cycles/%d/polls", pf.cycle.ID)
	facil := tok(fx.Facilitator)

	rec := call("create dot vote", oaReq{method: "POST", path: meeting, token: facil, body: map[string]any{"title": "哪些方案优先讨论",
		"method": "dot", "dots_per_voter": 3, "max_dots_per_option": 2, "options": []map[string]any{{"cluster_id": pf.group.ID},
			{"card_id": pf.cards[1].ID}, {"label": "其他方案"}}, "eligibility": "attendees", "weight": "person", "secrecy": "named",
		"results_visibility": "after_close"}}, 201, false)
	dot := decode[pollView](t, rec)
	rec = call("create motion", oaReq{method: "POST", path: meeting, token: facil, body: map[string]any{"title": "同意分摊方案",
		"method": "approval", "eligibility": "members", "weight": "person", "secrecy": "secret", "results_visibility": "after_close",
		"rule": "two_thirds", "quorum": 2}}, 201, false)
	motion := decode[pollView](t, rec)
	call("create owners' poll", oaReq{method: "POST", path: meeting, token: facil, body: map[string]any{"title": "业主表决",
		"method": "approval", "eligibility": "owners", "weight": "owner_area", "secrecy": "secret", "results_visibility": "after_close",
		"rule": "civil_code_278_major"}}, 422, false)
	ownersPollExamples(t, ta, call, cycle)
	call("create bad method", oaReq{method: "POST", path: meeting, token: facil, body: map[string]any{"title": "x", "method": "lottery",
		"eligibility": "members", "weight": "person", "secrecy": "named", "results_visibility": "live"}}, 422, true)
	call("create as resident", oaReq{method: "POST", path: meeting, token: tok(fx.Resident), body: map[string]any{"title": "x",
		"method": "approval", "eligibility": "members", "weight": "person", "secrecy": "named", "results_visibility": "live"}}, 403, false)
	call("create cycle poll in the wrong phase", oaReq{method: "POST", path: cycle, token: facil, body: map[string]any{"title": "选议题",
		"method": "single", "options": []map[string]any{{"label": "甲"}, {"label": "乙"}}, "eligibility": "members", "weight": "person",
		"secrecy": "named", "results_visibility": "after_vote"}}, 409, false)
	call("meeting polls", oaReq{method: "GET", path: meeting, token: tok(fx.Resident)}, 200, false)
	call("cycle polls", oaReq{method: "GET", path: cycle, token: tok(fx.Resident)}, 200, false)
	call("poll draft", oaReq{method: "GET", path: pollPath(dot, ""), token: tok(fx.Resident)}, 200, false)
	call("ballot in a draft", oaReq{method: "POST", path: pollPath(motion, "/ballots"), token: tok(fx.Resident),
		body: map[string]any{"choice": "yes"}}, 409, false)
	call("open", oaReq{method: "POST", path: pollPath(dot, "/open"), token: facil}, 200, false)
	call("open motion", oaReq{method: "POST", path: pollPath(motion, "/open"), token: facil}, 200, false)
	call("open again", oaReq{method: "POST", path: pollPath(dot, "/open"), token: facil}, 200, false)
	call("dot ballot not signed in", oaReq{method: "POST", path: pollPath(dot, "/ballots"), token: tok(fx.Resident),
		body: map[string]any{"dots": map[string]int{dot.opt(0): 2}}}, 403, false)
	wantStatus(t, ta.join(fx.Resident, pf.meeting.JoinCode), http.StatusCreated)
	wantStatus(t, ta.join(fx.Party, pf.meeting.JoinCode), http.StatusCreated)
	call("dot ballot", oaReq{method: "POST", path: pollPath(dot, "/ballots"), token: tok(fx.Resident),
		body: map[string]any{"dots": map[string]int{dot.opt(0): 2, dot.opt(2): 1}}}, 201, false)
	call("dot ballot changed", oaReq{method: "POST", path: pollPath(dot, "/ballots"), token: tok(fx.Resident),
		body: map[string]any{"dots": map[string]int{dot.opt(1): 2}}}, 200, false)
	call("dot ballot too many", oaReq{method: "POST", path: pollPath(dot, "/ballots"), token: tok(fx.Party),
		body: map[string]any{"dots": map[string]int{dot.opt(0): 2, dot.opt(1): 2}}}, 422, false)
	call("dot ballot wrong shape", oaReq{method: "POST", path: pollPath(dot, "/ballots"), token: tok(fx.Party),
		body: map[string]any{"option_id": dot.Options[0].ID}}, 422, false)
	call("my dot ballot", oaReq{method: "GET", path: pollPath(dot, "/my-ballot"), token: tok(fx.Resident)}, 200, false)
	call("my ballot unverified", oaReq{method: "GET", path: pollPath(dot, "/my-ballot"), token: tok(fx.Unverified)}, 200, false)
	call("dot results hidden", oaReq{method: "GET", path: pollPath(dot, "/results"), token: tok(fx.Resident)}, 200, false)
	call("dot recount hidden", oaReq{method: "GET", path: pollPath(dot, "/results?recount=1"), token: tok(fx.Committee)}, 409, false)
	call("results bad recount", oaReq{method: "GET", path: pollPath(dot, "/results?recount=maybe"), token: tok(fx.Committee)}, 422, true)
	for _, u := range []struct {
		name   string
		choice string
	}{{"resident", "yes"}, {"party", "yes"}, {"grid", "no"}} {
		as := map[string]string{"resident": tok(fx.Resident), "party": tok(fx.Party), "grid": tok(fx.GridWorker)}[u.name]
		call("secret ballot "+u.name, oaReq{method: "POST", path: pollPath(motion, "/ballots"), token: as,
			body: map[string]any{"choice": u.choice}}, 201, false)
	}
	call("secret ballot again", oaReq{method: "POST", path: pollPath(motion, "/ballots"), token: tok(fx.Resident),
		body: map[string]any{"choice": "no"}}, 409, false)
	call("my secret ballot", oaReq{method: "GET", path: pollPath(motion, "/my-ballot"), token: tok(fx.Resident)}, 200, false)
	call("offline counts", oaReq{method: "PUT", path: pollPath(motion, "/offline-tallies"), token: facil,
		body: map[string]any{"source": "举手", "counts": map[string]int{"yes": 4, "no": 1, "abstain": 1}}}, 200, false)
	call("offline counts corrected", oaReq{method: "PUT", path: pollPath(motion, "/offline-tallies"), token: facil,
		body: map[string]any{"source": "举手", "counts": map[string]int{"yes": 3, "no": 1, "abstain": 1}, "voters": 5}}, 200, false)
	call("offline counts unknown option", oaReq{method: "PUT", path: pollPath(motion, "/offline-tallies"), token: facil,
		body: map[string]any{"source": "举手", "counts": map[string]int{"maybe": 1}}}, 422, false)
	call("offline counts as resident", oaReq{method: "PUT", path: pollPath(motion, "/offline-tallies"), token: tok(fx.Resident),
		body: map[string]any{"source": "举手", "counts": map[string]int{"yes": 1}}}, 403, false)
	call("offline tallies", oaReq{method: "GET", path: pollPath(motion, "/offline-tallies"), token: tok(fx.Committee)}, 200, false)
	call("motion results live", oaReq{method: "GET", path: pollPath(motion, "/results"), token: tok(fx.Resident)}, 200, false)
	call("secret motion recount while open", oaReq{method: "GET", path: pollPath(motion, "/results?recount=1"), token: tok(fx.Committee)}, 409, false)
	call("recount as resident", oaReq{method: "GET", path: pollPath(motion, "/results?recount=1"), token: tok(fx.Resident)}, 403, false)
	call("close", oaReq{method: "POST", path: pollPath(motion, "/close"), token: facil}, 200, false)
	call("close dot vote", oaReq{method: "POST", path: pollPath(dot, "/close"), token: facil}, 200, false)
	call("close again", oaReq{method: "POST", path: pollPath(motion, "/close"), token: facil}, 200, false)
	call("open closed", oaReq{method: "POST", path: pollPath(motion, "/open"), token: facil}, 409, false)
	call("results closed", oaReq{method: "GET", path: pollPath(dot, "/results"), token: tok(fx.Resident)}, 200, false)
	call("recount closed", oaReq{method: "GET", path: pollPath(motion, "/results?recount=true"), token: tok(fx.AdminA)}, 200, false)
	call("poll other tenant", oaReq{method: "GET", path: pollPath(motion, ""), token: tok(fx.ResidentB)}, 404, false)
	call("poll bad id", oaReq{method: "GET", path: "/api/v1/polls/x", token: tok(fx.Resident)}, 404, true)

	// Topic selection on a cycle.
	cy := ta.openCycle(t, "2027-08")
	ta.advance(t, cy.ID, "topic_collection")
	t1 := ta.propose(t, cy.ID, fx.Resident, "加装电梯")
	t2 := ta.propose(t, cy.ID, fx.Party, "停车难")
	ta.advance(t, cy.ID, "topic_selection")
	rec = call("create topic poll", oaReq{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/polls", cy.ID), token: facil,
		body: map[string]any{"title": "本月议题", "method": "ranked", "options": []map[string]any{{"topic_id": t1.ID}, {"topic_id": t2.ID}},
			"eligibility": "members", "weight": "person", "secrecy": "named", "results_visibility": "after_vote"}}, 201, false)
	topics := decode[pollView](t, rec)
	call("open topic poll", oaReq{method: "POST", path: pollPath(topics, "/open"), token: facil}, 200, false)
	call("ranked ballot", oaReq{method: "POST", path: pollPath(topics, "/ballots"), token: tok(fx.Party),
		body: map[string]any{"ranking": []uint64{topics.Options[1].ID, topics.Options[0].ID}}}, 201, false)
	call("topic results after vote", oaReq{method: "GET", path: pollPath(topics, "/results"), token: tok(fx.Party)}, 200, false)

	var missed []string
	for _, op := range s.operations() {
		if len(op.path) > len("/api/v1/polls") && (op.path[:len("/api/v1/polls")] == "/api/v1/polls" ||
			op.path == "/api/v1/meetings/{id}/polls" || op.path == "/api/v1/cycles/{id}/polls") && !covered[op.key()] {
			missed = append(missed, op.key())
		}
	}
	if len(missed) > 0 {
		t.Errorf("poll operations without a successful example: %v", missed)
	}
}
