package handlers

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

// ownersPollExamples walks an owners' poll through the spec, for TestOpenAPIPollExamples: made
// on the cycle (at the round table) for one building, its roll as a draft and open, a member who
// owns nothing there refused, an owner of two units voting, a paper ballot entered, voided and
// entered again (and refused for a unit whose owner voted online), the result and the close.
func ownersPollExamples(t *testing.T, ta *testApp, call func(string, oaReq, int, bool) *httptest.ResponseRecorder, cycle string) {
	t.Helper()
	ctx := context.Background()
	fx := ta.fx
	facil, tok := ta.token(fx.Facilitator), ta.token
	h102 := must(ta.store.CreateHousehold(ctx, fx.Super.Actor(), fx.CompoundA.ID, models.HouseholdInput{BuildingID: fx.BuildingA.ID,
		Room: "102", Area: 90.5}))
	h103 := must(ta.store.CreateHousehold(ctx, fx.Super.Actor(), fx.CompoundA.ID, models.HouseholdInput{BuildingID: fx.BuildingA.ID,
		Room: "103", Area: 60}))
	for _, h := range []*models.Household{fx.HouseholdA, h102} {
		must(ta.store.SetHouseholdOwner(ctx, fx.Facilitator.Actor(), h.ID, models.OwnerInput{UserID: &fx.Resident.ID}))
	}
	must(ta.store.SetHouseholdOwner(ctx, fx.Facilitator.Actor(), h103.ID, models.OwnerInput{Name: "王建国"}))

	rec := call("create owners' poll on the cycle", oaReq{method: "POST", path: cycle, token: facil, body: map[string]any{
		"title": "1单元加装电梯", "method": "approval", "eligibility": "owners", "weight": "owner_area", "secrecy": "named",
		"results_visibility": "live", "rule": "civil_code_278_major", "building_ids": []uint64{fx.BuildingA.ID}}}, 201, false)
	owners := decode[pollView](t, rec)
	call("create owners' poll without a 278 rule", oaReq{method: "POST", path: cycle, token: facil, body: map[string]any{
		"title": "业主表决", "method": "approval", "eligibility": "owners", "weight": "owner_area", "secrecy": "named",
		"results_visibility": "live"}}, 422, false)
	call("owner roll of a draft", oaReq{method: "GET", path: pollPath(owners, "/owner-roll"), token: tok(fx.Committee)}, 200, false)
	call("open owners' poll", oaReq{method: "POST", path: pollPath(owners, "/open"), token: facil}, 200, false)
	call("owners' ballot of a member who owns nothing here", oaReq{method: "POST", path: pollPath(owners, "/ballots"),
		token: tok(fx.Party), body: map[string]any{"choice": "yes"}}, 403, false)
	call("owners' ballot", oaReq{method: "POST", path: pollPath(owners, "/ballots"), token: tok(fx.Resident),
		body: map[string]any{"choice": "yes"}}, 201, false)
	call("my owners' ballot", oaReq{method: "GET", path: pollPath(owners, "/my-ballot"), token: tok(fx.Resident)}, 200, false)
	call("owners' poll as its owner", oaReq{method: "GET", path: pollPath(owners, ""), token: tok(fx.Resident)}, 200, false)
	rec = call("paper ballot", oaReq{method: "POST", path: pollPath(owners, "/paper-ballots"), token: facil,
		body: map[string]any{"household_id": h103.ID, "choice": "no", "ballot_no": "0001"}}, 201, false)
	paper := decode[models.PaperBallot](t, rec)
	call("paper ballot voided", oaReq{method: "DELETE", path: fmt.Sprintf("/api/v1/paper-ballots/%d", paper.ID), token: facil,
		body: map[string]any{"reason": "录错了表决意见"}}, 200, false)
	call("paper ballot entered again", oaReq{method: "POST", path: pollPath(owners, "/paper-ballots"), token: facil,
		body: map[string]any{"household_id": h103.ID, "choice": "yes", "ballot_no": "0001"}}, 201, false)
	call("paper ballot of an owner who voted online", oaReq{method: "POST", path: pollPath(owners, "/paper-ballots"), token: facil,
		body: map[string]any{"household_id": h102.ID, "choice": "no", "ballot_no": "0002"}}, 409, false)
	call("paper ballot of a unit not in the roll", oaReq{method: "POST", path: pollPath(owners, "/paper-ballots"), token: facil,
		body: map[string]any{"household_id": fx.HouseholdB.ID, "choice": "no", "ballot_no": "0003"}}, 422, false)
	call("paper ballots as a lump sum", oaReq{method: "PUT", path: pollPath(owners, "/offline-tallies"), token: facil,
		body: map[string]any{"source": "纸质表决票", "counts": map[string]int{"yes": 1}}}, 409, false)
	call("owners' paper ballots", oaReq{method: "GET", path: pollPath(owners, "/paper-ballots"), token: tok(fx.Committee)}, 200, false)
	call("owner roll", oaReq{method: "GET", path: pollPath(owners, "/owner-roll"), token: tok(fx.Unverified)}, 200, false)
	call("owner roll of an unknown poll", oaReq{method: "GET", path: fmt.Sprintf("/api/v1/polls/%d/owner-roll", owners.ID+1000),
		token: tok(fx.Resident)}, 404, false)
	call("owners' results", oaReq{method: "GET", path: pollPath(owners, "/results?recount=1"), token: tok(fx.Committee)}, 200, false)
	call("close owners' poll", oaReq{method: "POST", path: pollPath(owners, "/close"), token: facil}, 200, false)
}
