package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/models/tally"
)

// ownersTest is a cycle of community A at the round table (the resolution fixture) with a
// stairwell, 3单元, of eight units and six owners (600 m²):
//
//	301 50 m², 302 50 m², 303 100 m²  居民 (one owner of three units: 200 m²)
//	304 50 m²                          党员
//	305 50 m²                          网格员
//	306 100 m²                         监督委员
//	307 100.01 m²                      管理员甲
//	308 99.99 m²                       主持人
//
// and, elsewhere in the compound, 1单元 101 (88.5 m², also 居民's) and 4单元 401 (80 m²,
// 新居民's, an unverified member). The owners are registered through the API.
type ownersTest struct {
	*testApp
	rf           resolutionFixture
	stair, other *models.Building
	units        map[string]*models.Household // by room
}

func newOwnersTest(t *testing.T, month string) *ownersTest {
	t.Helper()
	ta := newTestApp(t)
	ot := &ownersTest{testApp: ta, rf: ta.buildResolutionFixture(month), units: map[string]*models.Household{}}
	ctx := context.Background()
	f := ta.fx
	sa := f.Super.Actor()
	ot.stair = must(ta.store.CreateBuilding(ctx, sa, f.CompoundA.ID, "3单元"))
	ot.other = must(ta.store.CreateBuilding(ctx, sa, f.CompoundA.ID, "4单元"))
	owners := map[string]*models.User{"301": f.Resident, "302": f.Resident, "303": f.Resident, "304": f.Party,
		"305": f.GridWorker, "306": f.Committee, "307": f.AdminA, "308": f.Facilitator, "401": f.Unverified}
	for _, u := range []struct {
		b    *models.Building
		room string
		area float64
	}{{ot.stair, "301", 50}, {ot.stair, "302", 50}, {ot.stair, "303", 100}, {ot.stair, "304", 50}, {ot.stair, "305", 50},
		{ot.stair, "306", 100}, {ot.stair, "307", 100.01}, {ot.stair, "308", 99.99}, {ot.other, "401", 80}} {
		h := must(ta.store.CreateHousehold(ctx, sa, f.CompoundA.ID, models.HouseholdInput{BuildingID: u.b.ID, Room: u.room, Area: u.area}))
		ot.units[u.room] = h
		ot.setOwner(t, h, map[string]any{"user_id": owners[u.room].ID})
	}
	ot.setOwner(t, f.HouseholdA, map[string]any{"user_id": f.Resident.ID})
	return ot
}

func (ot *ownersTest) setOwner(t *testing.T, h *models.Household, body map[string]any) {
	t.Helper()
	wantStatus(t, ot.do(req{method: "PUT", path: ownerPath(h.ID), as: ot.fx.Facilitator, body: body}), http.StatusOK)
}

// ownersBody is an owners' poll of the stairwell under the major rule, secret, counts after the
// close; extra replaces or adds fields (nil deletes one).
func (ot *ownersTest) ownersBody(extra map[string]any) map[string]any {
	b := map[string]any{"title": "3单元加装电梯业主表决", "method": "approval", "eligibility": "owners", "weight": "owner_area",
		"secrecy": "secret", "results_visibility": "after_close", "rule": tally.CivilCode278Major,
		"building_ids": []uint64{ot.stair.ID}}
	for k, v := range extra {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

func (ot *ownersTest) cyclePolls() string {
	return fmt.Sprintf("/api/v1/cycles/%d/polls", ot.rf.cycle.ID)
}

// openOwnersPoll creates and opens an owners' poll.
func (ot *ownersTest) openOwnersPoll(t *testing.T, extra map[string]any) models.Poll {
	t.Helper()
	rec := ot.do(req{method: "POST", path: ot.cyclePolls(), as: ot.fx.Facilitator, body: ot.ownersBody(extra)})
	wantStatus(t, rec, http.StatusCreated)
	p := decode[models.Poll](t, rec)
	rec = ot.do(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/open", p.ID), as: ot.fx.Facilitator})
	wantStatus(t, rec, http.StatusOK)
	return decode[models.Poll](t, rec)
}

func (ot *ownersTest) vote(t *testing.T, pollID uint64, as *models.User, choice string) {
	t.Helper()
	wantStatus(t, ot.do(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/ballots", pollID), as: as,
		body: map[string]any{"choice": choice}}), http.StatusCreated)
}

func (ot *ownersTest) results(t *testing.T, pollID uint64, as *models.User, query string) models.PollResult {
	t.Helper()
	rec := ot.do(req{method: "GET", path: fmt.Sprintf("/api/v1/polls/%d/results%s", pollID, query), as: as})
	wantStatus(t, rec, http.StatusOK)
	return decode[models.PollResult](t, rec)
}

func (ot *ownersTest) closePoll(t *testing.T, pollID uint64) models.PollResult {
	t.Helper()
	rec := ot.do(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/close", pollID), as: ot.fx.Facilitator})
	wantStatus(t, rec, http.StatusOK)
	return decode[models.PollResult](t, rec)
}

// option finds a result's option by key.
func option(t *testing.T, r models.PollResult, key string) models.ResultOption {
	t.Helper()
	for _, o := range r.Options {
		if o.Key == key {
			return o
		}
	}
	t.Fatalf("result has no option %q: %+v", key, r.Options)
	return models.ResultOption{}
}

func manyIDs(n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(i + 1)
	}
	return out
}

func val(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer {
		return v
	}
	if rv.IsNil() {
		return nil
	}
	return rv.Elem().Interface()
}

// TestOwnersPoll_CreateRefused: an owners' poll needs the cycle, approval, owner_area, a 278 rule
// and buildings of the cycle's compound; every refusal is a clear 4xx that stores nothing.
func TestOwnersPoll_CreateRefused(t *testing.T) {
	t.Parallel()
	ot := newOwnersTest(t, "2027-05")
	f := ot.fx
	meeting := fmt.Sprintf("/api/v1/meetings/%d/polls", ot.rf.meeting.ID)
	var before int64
	ot.store.Gorm().Model(&models.Poll{}).Count(&before)
	events := lastSeq(ot.events(f.A.ID))
	for _, c := range []struct {
		name         string
		path         string
		as           *models.User
		body         map[string]any
		status       int
		code, field  string
		zh, en       string
		lang         string
		wantMentions string
	}{
		{name: "AtAMeeting", path: meeting, body: ot.ownersBody(map[string]any{"building_ids": nil}), status: 422, code: "invalid_input",
			field: "eligibility", zh: "业主表决请在本期月月谈上发起（不在会议上）：业主表决常要持续数周，也包括没有到会的业主"},
		{name: "PersonWeight", body: ot.ownersBody(map[string]any{"weight": "person"}), status: 422, code: "invalid_input",
			field: "weight", zh: "业主表决按专有部分面积和业主人数计票，计票单位请选「按面积」（owner_area）"},
		{name: "NotApproval", body: ot.ownersBody(map[string]any{"method": "single", "rule": nil,
			"options": []map[string]any{{"label": "甲"}, {"label": "乙"}}}), status: 422, code: "invalid_input", field: "method",
			zh: "业主表决只能是赞成/反对/弃权表决"},
		{name: "NoRule", body: ot.ownersBody(map[string]any{"rule": nil}), status: 422, code: "invalid_input", field: "rule",
			zh: "业主表决请选择《民法典》第278条的规则：双过半或双四分之三"},
		{name: "SimpleMajority", body: ot.ownersBody(map[string]any{"rule": "simple_majority"}), status: 422, code: "invalid_input",
			field: "rule", lang: "en", en: "Choose a Civil Code art. 278 rule for an owners' vote: double majority or double three quarters"},
		{name: "BuildingOfAnotherCompound", body: ot.ownersBody(map[string]any{"building_ids": []uint64{ot.stair.ID, f.BuildingB.ID}}),
			status: 422, code: "invalid_input", field: "building_ids", zh: "这个楼栋不属于该小区"},
		{name: "UnknownBuilding", body: ot.ownersBody(map[string]any{"building_ids": []uint64{987654}}), status: 422,
			code: "invalid_input", field: "building_ids"},
		{name: "TooManyBuildings", body: ot.ownersBody(map[string]any{"building_ids": manyIDs(51)}), status: 422,
			code: "invalid_input", field: "building_ids"},
		{name: "BuildingsOnAMembersPoll", path: meeting, body: ot.ownersBody(map[string]any{"eligibility": "members", "weight": "person",
			"rule": "simple_majority"}), status: 422, code: "invalid_input", field: "building_ids", zh: "只有业主表决可以限定楼栋"},
		{name: "278RuleOnAMembersPoll", path: meeting, body: ot.ownersBody(map[string]any{"eligibility": "members", "weight": "person",
			"building_ids": nil}), status: 422, code: "invalid_input", field: "rule"},
		{name: "Resident", as: f.Resident, body: ot.ownersBody(nil), status: 403, code: "forbidden"},
		{name: "Committee", as: f.Committee, body: ot.ownersBody(nil), status: 403, code: "forbidden"},
		{name: "OtherTenant", as: f.AdminB, body: ot.ownersBody(nil), status: 404, code: "not_found"},
		{name: "UnknownField", body: ot.ownersBody(map[string]any{"buildings": []uint64{1}}), status: 400, code: "unknown_field"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, as := c.path, c.as
			if path == "" {
				path = ot.cyclePolls()
			}
			if as == nil {
				as = f.Facilitator
			}
			r := req{method: "POST", path: path, as: as, body: c.body}
			if c.lang != "" {
				r.header = map[string]string{"Accept-Language": c.lang}
			}
			p := wantProblem(t, ot.do(r), c.status, c.code)
			if c.field == "" {
				return
			}
			got, ok := p.Errors[c.field]
			if !ok || (c.zh != "" && got != c.zh) || (c.en != "" && got != c.en) || strings.Contains(got, "rule.") {
				t.Fatalf("errors=%v, want %s: %q%q", p.Errors, c.field, c.zh, c.en)
			}
		})
	}
	var after int64
	ot.store.Gorm().Model(&models.Poll{}).Count(&after)
	if after != before || lastSeq(ot.events(f.A.ID)) != events {
		t.Fatalf("refused owners' polls stored %d polls and %d events", after-before, lastSeq(ot.events(f.A.ID))-events)
	}

	t.Run("OKDraftShowsTheRegisterNow", func(t *testing.T) {
		rec := ot.do(req{method: "POST", path: ot.cyclePolls(), as: f.Facilitator,
			body: ot.ownersBody(map[string]any{"building_ids": []uint64{ot.stair.ID, ot.stair.ID}})})
		wantStatus(t, rec, http.StatusCreated)
		p := decode[models.Poll](t, rec)
		b := p.OwnerBase
		if p.Status != models.PollDraft || p.MeetingID != nil || b == nil || b.CompoundID != f.CompoundA.ID ||
			!slices.Equal(b.BuildingIDs, []uint64{ot.stair.ID}) || b.Units != 8 || b.Heads != 6 || b.Area != 600 || b.FrozenAt != nil {
			t.Fatalf("poll=%+v base=%+v, want a draft of 3单元 (8 units, 6 owners, 600 m²)", p, b)
		}
		rec = ot.do(req{method: "GET", path: fmt.Sprintf("/api/v1/polls/%d", p.ID), as: f.Resident})
		wantStatus(t, rec, http.StatusOK)
		mine := decode[models.Poll](t, rec)
		if st := mine.Me.Stake; !mine.Me.Eligible || mine.Me.CanVote || st == nil || st.Area != 200 || len(st.Units) != 3 ||
			st.Units[0].Room != "301" || st.Units[0].BuildingName != "3单元" {
			t.Fatalf("me=%+v stake=%+v, want 301–303 (200 m²)", mine.Me, mine.Me.Stake)
		}
		var payload map[string]any
		for _, e := range ot.events(f.A.ID) {
			if e.Type == models.EvPollCreated && e.SubjectID == p.ID {
				payload = payloadOf(t, e)
			}
		}
		if payload["building_ids"] == nil || payload["compound_id"] != float64(f.CompoundA.ID) {
			t.Fatalf("poll.created payload=%v, want the scope", payload)
		}
	})
}

// TestOwnersPoll_Major278: one owner of three units votes once, counted once by head with the
// three areas summed; the double 2/3 participation and double 3/4 approval pass exactly at the
// thresholds and fail one owner or a hundredth of a square metre short, by head and by area.
func TestOwnersPoll_Major278(t *testing.T) {
	t.Parallel()
	ot := newOwnersTest(t, "2027-06")
	f := ot.fx
	type flags struct{ partHead, partArea, apprHead, apprArea bool }
	for _, c := range []struct {
		name            string
		yes, no         []*models.User
		part, yesHeads  int64
		partArea, yesAr float64
		want            flags
	}{
		// 4 of 6 owners with 400 of 600 m² take part; 3 of them with 300 of 400 m² approve.
		{"Exactly2Of3And3Of4", []*models.User{f.Resident, f.Party, f.GridWorker}, []*models.User{f.Committee}, 4, 3, 400, 300,
			flags{true, true, true, true}},
		// 3 owners with 400 m²: 2/3 of the area, one owner short of 2/3 by head.
		{"OneOwnerShortOfTakingPart", []*models.User{f.Resident, f.AdminA, f.Facilitator}, nil, 3, 3, 400, 400,
			flags{false, true, true, true}},
		// 4 owners with 399.99 m²: a hundredth of a square metre short of 2/3 of the area.
		{"AHundredthShortOfTakingPart", []*models.User{f.Resident, f.Party, f.GridWorker, f.Facilitator}, nil, 4, 4, 399.99, 399.99,
			flags{true, false, true, true}},
		// 2 of 4 owners approve, with 300.01 of 400.01 m² (≥ 3/4 by area): short by head.
		{"OneOwnerShortOfApproving", []*models.User{f.Resident, f.AdminA}, []*models.User{f.Party, f.GridWorker}, 4, 2, 400.01, 300.01,
			flags{true, true, false, true}},
		// 3 of 4 owners approve with 300 of 400.01 m²: short of 3/4 by area.
		{"AHundredthShortOfApproving", []*models.User{f.Resident, f.Party, f.GridWorker}, []*models.User{f.AdminA}, 4, 3, 400.01, 300,
			flags{true, true, true, false}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := ot.openOwnersPoll(t, map[string]any{"title": c.name})
			for _, u := range c.yes {
				ot.vote(t, p.ID, u, "yes")
			}
			for _, u := range c.no {
				ot.vote(t, p.ID, u, "no")
			}
			// Before the close the counts are hidden (after_close); turnout shows.
			live := ot.results(t, p.ID, f.Resident, "")
			if live.Passed != nil || live.Decision != nil || live.Voters != c.part || live.Eligible != 6 || live.CountsVisible {
				t.Fatalf("live result=%+v, want hidden counts, %d of 6 voters", live, c.part)
			}
			r := ot.closePoll(t, p.ID)
			want := c.want.partHead && c.want.partArea && c.want.apprHead && c.want.apprArea
			d := r.Decision
			if r.Passed == nil || *r.Passed != want || d == nil || d.Owners == nil {
				t.Fatalf("result=%+v decision=%+v, want passed=%v", r, d, want)
			}
			o := d.Owners
			if got := (flags{o.ParticipationByHead, o.ParticipationByArea, o.ApprovalByHead, o.ApprovalByArea}); got != c.want {
				t.Fatalf("thresholds=%+v, want %+v; figures=%+v", got, c.want, o)
			}
			if o.EligibleOwners != 6 || o.EligibleArea != 600 || o.ParticipatingOwners != c.part || o.ParticipatingArea != c.partArea ||
				o.ApprovingOwners != c.yesHeads || o.ApprovingArea != c.yesAr {
				t.Fatalf("figures=%+v, want %d owners %.2f m² taking part, %d owners %.2f m² approving of 6 and 600", o, c.part,
					c.partArea, c.yesHeads, c.yesAr)
			}
			if r.Voters != c.part || r.Eligible != 6 || r.OwnerBase == nil || r.OwnerBase.Units != 8 || r.OwnerBase.FrozenAt == nil {
				t.Fatalf("voters=%d eligible=%d base=%+v", r.Voters, r.Eligible, r.OwnerBase)
			}
			yes := option(t, r, "yes")
			if val(yes.Total) != c.yesHeads || val(yes.TotalArea) != c.yesAr || val(yes.OnlineArea) != c.yesAr {
				t.Fatalf("yes=%v heads %v m², want %d heads %.2f m²", val(yes.Total), val(yes.TotalArea), c.yesHeads, c.yesAr)
			}
			// The committee's recount agrees: a secret poll keeps no ballots, so it checks the
			// receipts against the voters counted and says that the choices cannot be recounted.
			rc := ot.results(t, p.ID, f.Committee, "?recount=1").Recount
			if rc == nil || !rc.Matches || rc.Ballots != 0 || rc.Receipts != c.part || rc.CountedVoters != c.part ||
				len(rc.NotRederived) != 1 || rc.NotRederived[0].Code != models.NotRederivedSecretChoices || rc.NotRederived[0].Text == "" {
				t.Fatalf("recount=%+v", rc)
			}
		})
	}
	t.Run("OneOwnerSendingTwentyBallotsAtOnceCountsOnce", func(t *testing.T) {
		p := ot.openOwnersPoll(t, map[string]any{"title": "同时投票"})
		codes := make([]int, 20)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = ot.do(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/ballots", p.ID), as: f.Resident,
					body: map[string]any{"choice": "yes"}}).Code
			}()
		}
		wg.Wait()
		slices.Sort(codes)
		if codes[0] != http.StatusCreated || codes[1] != http.StatusConflict || codes[19] != http.StatusConflict {
			t.Fatalf("codes=%v, want one 201 and 409 already_voted for the rest", codes)
		}
		r := ot.closePoll(t, p.ID)
		if yes := option(t, r, "yes"); r.Voters != 1 || val(yes.Total) != int64(1) || val(yes.TotalArea) != 200.0 {
			t.Fatalf("voters=%d yes=%v/%v, want one owner with 200 m²", r.Voters, val(yes.Total), val(yes.TotalArea))
		}
	})
	t.Run("OneOwnerOfThreeUnitsVotesOnce", func(t *testing.T) {
		p := ot.openOwnersPoll(t, map[string]any{"title": "一人三户", "secrecy": "named", "results_visibility": "live"})
		ot.vote(t, p.ID, f.Resident, "yes")
		// Again, changed: still one ballot, one head, 200 m².
		rec := ot.do(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/ballots", p.ID), as: f.Resident,
			body: map[string]any{"choice": "no"}})
		wantStatus(t, rec, http.StatusOK)
		r := ot.results(t, p.ID, f.Resident, "")
		no := option(t, r, "no")
		if r.Voters != 1 || val(no.Total) != int64(1) || val(no.TotalArea) != 200.0 || val(option(t, r, "yes").Total) != int64(0) {
			t.Fatalf("voters=%d no=%v/%v, want one owner with 200 m²", r.Voters, val(no.Total), val(no.TotalArea))
		}
		rec = ot.do(req{method: "GET", path: fmt.Sprintf("/api/v1/polls/%d/my-ballot", p.ID), as: f.Resident})
		wantStatus(t, rec, http.StatusOK)
		my := decode[models.MyBallot](t, rec)
		if !my.Voted || my.Stake == nil || my.Stake.Area != 200 || len(my.Stake.Units) != 3 || my.Ballot == nil || my.Ballot.Choice != "no" {
			t.Fatalf("my ballot=%+v stake=%+v", my, my.Stake)
		}
		var receipts int64
		ot.store.Gorm().Table("poll_receipts").Where("poll_id = ?", p.ID).Count(&receipts)
		if receipts != 1 {
			t.Fatalf("%d receipts, want 1", receipts)
		}
	})
}

// TestOwnersPoll_StairwellScope: a poll of one stairwell counts its units only — an owner there
// weighs only their units there, an owner elsewhere in the compound is refused — while a poll of
// the whole compound counts every unit.
func TestOwnersPoll_StairwellScope(t *testing.T) {
	t.Parallel()
	ot := newOwnersTest(t, "2027-07")
	f := ot.fx
	stair := ot.openOwnersPoll(t, map[string]any{"title": "3单元加装电梯"})
	whole := ot.openOwnersPoll(t, map[string]any{"title": "全小区改变共有部分用途", "building_ids": nil})
	ballots := func(id uint64) string { return fmt.Sprintf("/api/v1/polls/%d/ballots", id) }

	t.Run("ErrOwnerOfAnotherBuilding", func(t *testing.T) {
		for _, c := range []struct{ lang, want string }{
			{"zh-CN", "您不在这次业主表决的名册上：表决范围内没有登记在您名下的房屋（名册在表决开始时确定）。如有遗漏，请联系社区工作人员，可以用纸质表决票计入。"},
			{"en", "You are not on this owners' vote's roll: no unit in its scope is registered to you (the roll is fixed when the vote opens). If this is a mistake, ask the community staff; your vote can be counted on a paper ballot."},
		} {
			p := wantProblem(t, ot.do(req{method: "POST", path: ballots(stair.ID), as: f.Unverified, header: map[string]string{"Accept-Language": c.lang},
				body: map[string]any{"choice": "yes"}}), http.StatusForbidden, "not_owner_in_scope")
			if p.Detail != c.want {
				t.Fatalf("detail=%q, want %q", p.Detail, c.want)
			}
		}
		// Members who own nothing at all, and another tenant, are refused too.
		wantProblem(t, ot.do(req{method: "POST", path: ballots(stair.ID), as: f.Super, body: map[string]any{"choice": "yes"}}),
			http.StatusForbidden, "not_eligible")
		wantProblem(t, ot.do(req{method: "POST", path: ballots(stair.ID), as: f.ResidentB, body: map[string]any{"choice": "yes"}}),
			http.StatusNotFound, "not_found")
		rec := ot.do(req{method: "GET", path: fmt.Sprintf("/api/v1/polls/%d/my-ballot", stair.ID), as: f.Unverified})
		wantStatus(t, rec, http.StatusOK)
		if my := decode[models.MyBallot](t, rec); my.Eligible || my.Reason != "not_owner_in_scope" || my.Stake != nil {
			t.Fatalf("my ballot=%+v, want not eligible: not_owner_in_scope", my)
		}
		if r := ot.results(t, stair.ID, f.Facilitator, ""); r.Voters != 0 {
			t.Fatalf("voters=%d after refused ballots", r.Voters)
		}
	})
	t.Run("OKOwnerWeighsTheirUnitsInScope", func(t *testing.T) {
		ot.vote(t, stair.ID, f.Resident, "yes")
		ot.vote(t, whole.ID, f.Resident, "yes")
		ot.vote(t, whole.ID, f.Unverified, "no")
		s, w := ot.closePoll(t, stair.ID), ot.closePoll(t, whole.ID)
		if yes := option(t, s, "yes"); val(yes.TotalArea) != 200.0 || s.Eligible != 6 {
			t.Fatalf("3单元: yes area=%v eligible=%d, want 200 m² of 6 owners", val(yes.TotalArea), s.Eligible)
		}
		// The whole compound: 1单元 101, 3单元 and 4单元 401 — 10 units, 7 owners, 768.5 m².
		b := w.OwnerBase
		if b == nil || b.BuildingIDs == nil || len(b.BuildingIDs) != 0 || b.Units != 10 || b.Heads != 7 || b.Area != 768.5 || w.Eligible != 7 {
			t.Fatalf("whole compound base=%+v eligible=%d", b, w.Eligible)
		}
		if yes, no := option(t, w, "yes"), option(t, w, "no"); val(yes.TotalArea) != 288.5 || val(no.TotalArea) != 80.0 ||
			val(yes.Total) != int64(1) || val(no.Total) != int64(1) {
			t.Fatalf("whole compound yes=%v/%v no=%v/%v", val(yes.Total), val(yes.TotalArea), val(no.Total), val(no.TotalArea))
		}
	})
}

// TestOwnersPoll_PaperBallots: the facilitator enters paper ballots by head and area per option;
// they are shown apart, added to the totals and kept with their history, and impossible counts
// are refused without changing anything.
func TestOwnersPoll_PaperBallots(t *testing.T) {
	t.Parallel()
	ot := newOwnersTest(t, "2027-08")
	f := ot.fx
	ctx := context.Background()
	// 4单元 402 and 403 belong to 王建国, known by name; 404 has no recorded owner.
	for _, u := range []struct {
		room string
		area float64
	}{{"402", 70}, {"403", 60}, {"404", 40}} {
		ot.units[u.room] = must(ot.store.CreateHousehold(ctx, f.Super.Actor(), f.CompoundA.ID,
			models.HouseholdInput{BuildingID: ot.other.ID, Room: u.room, Area: u.area}))
	}
	ot.setOwner(t, ot.units["402"], map[string]any{"name": "王建国"})
	ot.setOwner(t, ot.units["403"], map[string]any{"same_owner_as": ot.units["402"].ID})
	p := ot.openOwnersPoll(t, map[string]any{"title": "更换物业", "rule": tally.CivilCode278Ordinary, "building_ids": nil,
		"secrecy": "named", "results_visibility": "live"})
	if b := p.OwnerBase; b.Units != 13 || b.Heads != 9 || b.Area != 938.5 {
		t.Fatalf("base=%+v, want 13 units, 9 owners (王建国 once, 404 as its own), 938.5 m²", b)
	}
	ot.vote(t, p.ID, f.Resident, "yes")
	ot.vote(t, p.ID, f.Party, "yes")
	path := fmt.Sprintf("/api/v1/polls/%d/paper-ballots", p.ID)
	enter := func(pollID uint64, room, choice, no string) *httpRec {
		return ot.do(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/paper-ballots", pollID), as: f.Facilitator,
			body: map[string]any{"household_id": ot.units[room].ID, "choice": choice, "ballot_no": no}})
	}
	void := func(id uint64, body map[string]any) *httpRec {
		return ot.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/paper-ballots/%d", id), as: f.Facilitator, body: body})
	}

	t.Run("OKEnteredUnitByUnit", func(t *testing.T) {
		// 王建国's ballot names 402: it counts once, for 402 and 403, with their 130 m².
		rec := enter(p.ID, "402", "yes", "001")
		wantStatus(t, rec, http.StatusCreated)
		if pb := decode[models.PaperBallot](t, rec); pb.Area != 130 || !slices.Equal(pb.Units, []string{"402", "403"}) ||
			pb.Choice == nil || *pb.Choice != "yes" || pb.BallotNo != "001" {
			t.Fatalf("entry=%+v", pb)
		}
		wantStatus(t, enter(p.ID, "404", "no", "002"), http.StatusCreated)
		// A slip: 306's ballot entered as abstaining; 监督委员 (its owner) can no longer vote
		// online; the entry is voided with a reason and kept.
		rec = enter(p.ID, "306", "abstain", "003")
		wantStatus(t, rec, http.StatusCreated)
		slip := decode[models.PaperBallot](t, rec)
		wantProblem(t, ot.do(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/ballots", p.ID), as: f.Committee,
			body: map[string]any{"choice": "no"}}), http.StatusConflict, "voted_on_paper")
		wantStatus(t, void(slip.ID, map[string]any{"reason": "录错了房号"}), http.StatusOK)
		wantStatus(t, void(slip.ID, map[string]any{"reason": "再作废一次"}), http.StatusOK) // changes nothing

		r := ot.results(t, p.ID, f.Resident, "")
		yes, no, abstain := option(t, r, "yes"), option(t, r, "no"), option(t, r, "abstain")
		if r.Voters != 4 || r.OfflineVoters != 2 || val(yes.Online) != int64(2) || val(yes.Offline) != int64(1) || val(yes.Total) != int64(3) ||
			val(yes.OnlineArea) != 338.5 || val(yes.OfflineArea) != 130.0 || val(yes.TotalArea) != 468.5 ||
			val(no.Total) != int64(1) || val(no.TotalArea) != 40.0 || val(abstain.Total) != int64(0) || val(abstain.TotalArea) != 0.0 {
			t.Fatalf("result voters=%d yes=%+v no=%+v abstain=%+v", r.Voters, yes, no, abstain)
		}
		o := r.Decision.Owners
		if o.ParticipatingOwners != 4 || o.ParticipatingArea != 508.5 || o.ApprovingOwners != 3 || o.ApprovingArea != 468.5 {
			t.Fatalf("figures=%+v", o)
		}
		if rc := ot.results(t, p.ID, f.Committee, "?recount=1").Recount; rc == nil || !rc.Matches || len(rc.NotRederived) != 0 {
			t.Fatalf("recount=%+v, want the paper entries recounted to match", rc)
		}
		rec = ot.do(req{method: "GET", path: path, as: f.Committee})
		wantStatus(t, rec, http.StatusOK)
		list := decode[models.PaperBallots](t, rec)
		if list.Counted != 2 || len(list.Items) != 3 || list.Items[2].VoidedAt == nil || val(list.Items[2].VoidReason) != "录错了房号" ||
			val(list.Items[2].VoidedByName) != "主持人" || list.Items[2].Room != "306" {
			t.Fatalf("paper ballots=%+v", list)
		}
		roll := decode[models.OwnerRoll](t, ot.do(req{method: "GET", path: fmt.Sprintf("/api/v1/polls/%d/owner-roll", p.ID), as: f.Unverified}))
		for _, u := range roll.Items {
			paper := map[string]string{"402": "yes", "403": "yes", "404": "no"}[u.Room]
			if u.Paper == nil || *u.Paper != (paper != "") || (paper != "" && val(u.Choice) != paper) {
				t.Fatalf("roll unit %s paper=%v choice=%v", u.Room, val(u.Paper), val(u.Choice))
			}
		}
	})
	t.Run("ErrRefused", func(t *testing.T) {
		members := ot.openedPoll(t, ot.rf.meeting, map[string]any{"title": "协商表决", "method": "approval"})
		before := lastSeq(ot.events(f.A.ID))
		wantProblem(t, enter(p.ID, "301", "no", "010"), http.StatusConflict, "unit_voted_online")
		wantProblem(t, enter(p.ID, "403", "no", "011"), http.StatusConflict, "unit_voted_on_paper")
		wantProblem(t, enter(p.ID, "305", "no", "001"), http.StatusConflict, "paper_ballot_no_taken")
		wantProblem(t, enter(members.ID, "305", "no", "012"), http.StatusConflict, "paper_ballots_owners_only")
		pr := wantProblem(t, ot.do(req{method: "POST", path: path, as: f.Facilitator,
			body: map[string]any{"household_id": f.HouseholdB.ID, "choice": "no", "ballot_no": "013"}}), 422, "invalid_input")
		if pr.Errors["household_id"] != T(LocaleZH, "rule.unit_not_in_roll", nil) {
			t.Fatalf("errors=%v", pr.Errors)
		}
		wantProblem(t, ot.do(req{method: "POST", path: path, as: f.Resident,
			body: map[string]any{"household_id": ot.units["305"].ID, "choice": "no", "ballot_no": "014"}}), http.StatusForbidden, "forbidden")
		wantProblem(t, ot.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/polls/%d/offline-tallies", p.ID), as: f.Facilitator,
			body: map[string]any{"source": "纸质表决票", "counts": map[string]int{"yes": 1}}}), http.StatusConflict, "owners_paper_per_unit")
		pr = wantProblem(t, ot.do(req{method: "PUT", path: pollPath(members, "/offline-tallies"), as: f.Facilitator,
			body: map[string]any{"source": "举手", "counts": map[string]int{"yes": 1}, "areas": map[string]float64{"yes": 10}}}), 422, "invalid_input")
		if pr.Errors["areas"] == "" {
			t.Fatalf("errors=%v, want areas refused", pr.Errors)
		}
		if after := lastSeq(ot.events(f.A.ID)); after != before {
			t.Fatalf("refused paper ballots appended %d events", after-before)
		}
		if r := ot.results(t, p.ID, f.Resident, ""); r.Voters != 4 || val(option(t, r, "yes").TotalArea) != 468.5 {
			t.Fatalf("after refusals: voters=%d", r.Voters)
		}
	})
	t.Run("OKSecretKeepsNoChoiceBesideTheUnit", func(t *testing.T) {
		sp := ot.openOwnersPoll(t, map[string]any{"title": "不记名纸质票", "rule": tally.CivilCode278Ordinary, "building_ids": nil})
		rec := enter(sp.ID, "404", "yes", "101")
		wantStatus(t, rec, http.StatusCreated)
		pb := decode[models.PaperBallot](t, rec)
		var stored []map[string]any
		ot.store.Gorm().Raw("SELECT * FROM poll_paper_ballots WHERE poll_id = ?", sp.ID).Scan(&stored)
		if pb.Choice != nil || len(stored) != 1 || stored[0]["option_id"] != nil {
			t.Fatalf("secret entry=%+v stored=%v, want no choice", pb, stored)
		}
		// Voiding it needs the choice the paper ballot made, and one the tallies hold.
		pr := wantProblem(t, void(pb.ID, map[string]any{"reason": "票号录错"}), 422, "invalid_input")
		if pr.Errors["choice"] == "" {
			t.Fatalf("errors=%v, want the choice asked for", pr.Errors)
		}
		pr = wantProblem(t, void(pb.ID, map[string]any{"reason": "票号录错", "choice": "no"}), 422, "invalid_input")
		if pr.Errors["choice"] != T(LocaleZH, "rule.paper_choice_not_counted", nil) {
			t.Fatalf("errors=%v", pr.Errors)
		}
		wantStatus(t, void(pb.ID, map[string]any{"reason": "票号录错", "choice": "yes"}), http.StatusOK)
		wantStatus(t, enter(sp.ID, "404", "yes", "102"), http.StatusCreated)
		ot.closePoll(t, sp.ID)
		rc := ot.results(t, sp.ID, f.Committee, "?recount=1")
		if rc.Recount == nil || !rc.Recount.Matches || rc.OfflineVoters != 1 || val(option(t, rc, "yes").OfflineArea) != 40.0 ||
			len(rc.Recount.NotRederived) != 2 || rc.Recount.NotRederived[1].Code != models.NotRederivedSecretPaper {
			t.Fatalf("secret paper result=%+v recount=%+v", rc, rc.Recount)
		}
	})
}

// TestOwnersPoll_PublishedLists: the roll, the results and the poll show rooms and areas, never
// an owner's name; a named poll shows who took part and how, a secret one shows neither to
// members and who took part to the facilitator only.
func TestOwnersPoll_PublishedLists(t *testing.T) {
	t.Parallel()
	ot := newOwnersTest(t, "2027-09")
	f := ot.fx
	names := []string{"居民", "党员", "网格员", "监督委员", "管理员甲", "主持人", "新居民", "王建国", "u:", "owner_key", "user_id",
		"138000"}
	noNames := func(t *testing.T, what, body string) {
		t.Helper()
		for _, n := range names {
			if strings.Contains(body, n) {
				t.Fatalf("%s names %q: %s", what, n, body)
			}
		}
	}
	roll := func(t *testing.T, id uint64, as *models.User) models.OwnerRoll {
		t.Helper()
		rec := ot.do(req{method: "GET", path: fmt.Sprintf("/api/v1/polls/%d/owner-roll", id), as: as})
		wantStatus(t, rec, http.StatusOK)
		noNames(t, "roll as "+as.Name, rec.Body.String())
		return decode[models.OwnerRoll](t, rec)
	}
	named := ot.openOwnersPoll(t, map[string]any{"title": "公示表决", "secrecy": "named", "results_visibility": "live"})
	ot.vote(t, named.ID, f.Resident, "yes")
	ot.vote(t, named.ID, f.Committee, "no")

	t.Run("OKNamedPollShowsUnitsAndVotes", func(t *testing.T) {
		owner := map[string]*models.User{"301": f.Resident, "302": f.Resident, "303": f.Resident, "304": f.Party,
			"305": f.GridWorker, "306": f.Committee, "307": f.AdminA, "308": f.Facilitator}
		for _, as := range []*models.User{f.Unverified, f.Resident, f.Committee, f.Facilitator} {
			r := roll(t, named.ID, as)
			if len(r.Items) != 8 || !r.VotedVisible || !r.ChoicesVisible || r.Base.Units != 8 || r.Base.Heads != 6 || r.Base.Area != 600 {
				t.Fatalf("roll as %s=%+v", as.Name, r)
			}
			for _, u := range r.Items {
				want := map[string]string{"301": "yes", "302": "yes", "303": "yes", "306": "no"}[u.Room]
				if u.BuildingName != "3单元" || u.Area != ot.units[u.Room].Area || u.Voted == nil || *u.Voted != (want != "") ||
					(want == "") != (u.Choice == nil) || (u.Choice != nil && *u.Choice != want) || u.Mine != (owner[u.Room] == as) {
					t.Fatalf("roll as %s unit %+v voted=%v choice=%v", as.Name, u, val(u.Voted), val(u.Choice))
				}
			}
		}
		for _, path := range []string{"/results", "", "/my-ballot"} {
			rec := ot.do(req{method: "GET", path: fmt.Sprintf("/api/v1/polls/%d%s", named.ID, path), as: f.Unverified})
			wantStatus(t, rec, http.StatusOK)
			noNames(t, "poll"+path, rec.Body.String())
		}
	})
	t.Run("OKSecretPollShowsNoVotes", func(t *testing.T) {
		secret := ot.openOwnersPoll(t, map[string]any{"title": "不记名表决"})
		ot.vote(t, secret.ID, f.Resident, "yes")
		wantStatus(t, ot.do(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/paper-ballots", secret.ID), as: f.Facilitator,
			body: map[string]any{"household_id": ot.units["305"].ID, "choice": "no", "ballot_no": "7"}}), http.StatusCreated)
		// While it is open no one — the facilitator included — sees which unit voted, online or
		// on paper, nor how the counts move.
		for _, as := range []*models.User{f.Resident, f.Committee, f.Facilitator, f.AdminA} {
			r := roll(t, secret.ID, as)
			if r.VotedVisible || r.ChoicesVisible {
				t.Fatalf("open secret roll as %s=%+v", as.Name, r)
			}
			for _, u := range r.Items {
				if u.Voted != nil || u.Paper != nil || u.Choice != nil {
					t.Fatalf("open secret roll as %s shows %+v", as.Name, u)
				}
			}
			res := ot.results(t, secret.ID, as, "")
			for _, o := range res.Options {
				if !o.Hidden || o.Total != 0 || o.TotalArea != nil || o.Supporters != 0 {
					t.Fatalf("open secret results as %s show %+v", as.Name, o)
				}
			}
			if res.Voters != 2 {
				t.Fatalf("open secret turnout as %s=%d, want 2", as.Name, res.Voters)
			}
		}
		// After the close its managers and the committee see who took part, online or on paper,
		// never how; members still do not; per-option heads and area are published, with a
		// warning that so few voters could give a choice away.
		closed := ot.closePoll(t, secret.ID)
		yes, no := option(t, closed, "yes"), option(t, closed, "no")
		if val(yes.Total) != int64(1) || val(yes.TotalArea) != 200.0 || val(no.Total) != int64(1) || val(no.TotalArea) != 50.0 ||
			!closed.SmallCounts {
			t.Fatalf("closed yes=%v/%v no=%v/%v small=%v", val(yes.Total), val(yes.TotalArea), val(no.Total), val(no.TotalArea),
				closed.SmallCounts)
		}
		for _, as := range []*models.User{f.Facilitator, f.Committee} {
			r := roll(t, secret.ID, as)
			if !r.VotedVisible || r.ChoicesVisible {
				t.Fatalf("closed secret roll as %s=%+v", as.Name, r)
			}
			for _, u := range r.Items {
				if u.Voted == nil || *u.Voted != (u.Room <= "303") || u.Paper == nil || *u.Paper != (u.Room == "305") || u.Choice != nil {
					t.Fatalf("closed secret roll as %s shows %+v", as.Name, u)
				}
			}
		}
		if r := roll(t, secret.ID, f.Resident); r.VotedVisible {
			t.Fatalf("closed secret roll as a member=%+v", r)
		}
	})
	t.Run("OKDraftRollIsTheRegister", func(t *testing.T) {
		rec := ot.do(req{method: "POST", path: ot.cyclePolls(), as: f.Facilitator, body: ot.ownersBody(map[string]any{"building_ids": nil})})
		wantStatus(t, rec, http.StatusCreated)
		r := roll(t, decode[models.Poll](t, rec).ID, f.Resident)
		mine := 0
		for _, u := range r.Items {
			if u.Voted != nil || u.Choice != nil {
				t.Fatalf("draft roll shows %+v", u)
			}
			if u.Mine {
				mine++
			}
		}
		if len(r.Items) != 10 || r.Base.FrozenAt != nil || r.Status != models.PollDraft || mine != 4 {
			t.Fatalf("draft roll=%+v mine=%d", r, mine)
		}
	})
	t.Run("ErrNotAnOwnersPoll", func(t *testing.T) {
		p := ot.formalVote(ot.rf.meeting.ID, "协商表决", 1, 0)
		wantProblem(t, ot.do(req{method: "GET", path: fmt.Sprintf("/api/v1/polls/%d/owner-roll", p.ID), as: f.Resident}),
			http.StatusNotFound, "not_found")
		wantProblem(t, ot.do(req{method: "GET", path: fmt.Sprintf("/api/v1/polls/%d/owner-roll", named.ID), as: f.ResidentB}),
			http.StatusNotFound, "not_found")
	})
}

// TestOwnersPoll_RollFrozenAtOpen: what the register says after an owners' poll opened changes
// neither who votes, nor with what weight, nor the base; the stored result shows the base it used,
// and the next poll counts the register as it is then.
func TestOwnersPoll_RollFrozenAtOpen(t *testing.T) {
	t.Parallel()
	ot := newOwnersTest(t, "2027-10")
	f := ot.fx
	before := lastSeq(ot.events(f.A.ID))
	p := ot.openOwnersPoll(t, map[string]any{"title": "名册冻结", "secrecy": "named", "results_visibility": "live"})
	var opened map[string]any
	for _, e := range ot.events(f.A.ID) {
		if e.Seq > before && e.Type == models.EvPollOpened {
			opened = payloadOf(t, e)
		}
	}
	if b, _ := opened["owner_base"].(map[string]any); b["units"] != float64(8) || b["heads"] != float64(6) || b["area"] != float64(600) {
		t.Fatalf("poll.opened payload=%v, want the frozen base", opened)
	}
	// The register changes during the vote: 304 loses its owner, 303 is sold to 新居民 and a
	// new unit 309 is added to the stairwell.
	wantStatus(t, ot.do(req{method: "DELETE", path: ownerPath(ot.units["304"].ID), as: f.Facilitator}), http.StatusNoContent)
	ot.setOwner(t, ot.units["303"], map[string]any{"user_id": f.Unverified.ID})
	must(ot.store.CreateHousehold(context.Background(), f.Super.Actor(), f.CompoundA.ID,
		models.HouseholdInput{BuildingID: ot.stair.ID, Room: "309", Area: 45}))

	// The roll decides: 党员 still votes for 304, 居民 still for 301–303 with 200 m², 新居民 is not
	// on this poll's roll.
	ot.vote(t, p.ID, f.Party, "yes")
	ot.vote(t, p.ID, f.Resident, "yes")
	wantProblem(t, ot.do(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/ballots", p.ID), as: f.Unverified,
		body: map[string]any{"choice": "no"}}), http.StatusForbidden, "not_owner_in_scope")
	live := ot.results(t, p.ID, f.Resident, "")
	if yes := option(t, live, "yes"); live.Eligible != 6 || live.OwnerBase.Units != 8 || val(yes.TotalArea) != 250.0 {
		t.Fatalf("live eligible=%d base=%+v yes area=%v, want the frozen base and weights", live.Eligible, live.OwnerBase, val(yes.TotalArea))
	}
	r := ot.closePoll(t, p.ID)
	if b := r.OwnerBase; b == nil || b.FrozenAt == nil || b.Units != 8 || b.Heads != 6 || b.Area != 600 ||
		r.Decision.Owners.EligibleOwners != 6 || r.Decision.Owners.EligibleArea != 600 {
		t.Fatalf("stored base=%+v figures=%+v", r.OwnerBase, r.Decision.Owners)
	}
	var stored struct {
		OwnerBase models.OwnerPollBase `json:"owner_base"`
	}
	var raw string
	ot.store.Gorm().Table("polls").Where("id = ?", p.ID).Pluck("result", &raw)
	if err := json.Unmarshal([]byte(raw), &stored); err != nil || stored.OwnerBase.Units != 8 || stored.OwnerBase.FrozenAt == nil {
		t.Fatalf("stored result %s: base=%+v err=%v", raw, stored.OwnerBase, err)
	}
	// The next poll counts the register now: 9 units; 居民, 新居民, 304 and 309 (no recorded
	// owner, each its own), 网格员, 监督委员, 管理员甲, 主持人 — 8 owners; 645 m².
	next := ot.openOwnersPoll(t, map[string]any{"title": "下一次表决"})
	if b := next.OwnerBase; b.Units != 9 || b.Heads != 8 || b.Area != 645 {
		t.Fatalf("next base=%+v", b)
	}
	ot.vote(t, next.ID, f.Unverified, "yes")
	wantProblem(t, ot.do(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/ballots", next.ID), as: f.Party,
		body: map[string]any{"choice": "yes"}}), http.StatusForbidden, "not_owner_in_scope")
}

// TestOwnersPoll_Phases: an owners' poll runs at the round table and on while the cycle forms
// its resolutions; the cycle is archived only once its votes are closed, and then takes nothing.
func TestOwnersPoll_Phases(t *testing.T) {
	t.Parallel()
	ot := newOwnersTest(t, "2027-11")
	f := ot.fx
	early := ot.openOwnersPoll(t, map[string]any{"title": "会上开始"})
	ot.endMeeting(t, ot.rf.meeting.ID)
	ot.advance(t, ot.rf.cycle.ID, models.PhaseResolved)
	late := ot.openOwnersPoll(t, map[string]any{"title": "会后开始"})
	ot.vote(t, early.ID, f.Resident, "yes")
	ot.vote(t, late.ID, f.Resident, "yes")
	wantStatus(t, ot.do(req{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/paper-ballots", late.ID), as: f.Facilitator,
		body: map[string]any{"household_id": ot.units["305"].ID, "choice": "no", "ballot_no": "1"}}), http.StatusCreated)
	ot.closePoll(t, early.ID)
	p := wantProblem(t, ot.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/advance", ot.rf.cycle.ID), as: f.Facilitator,
		body: map[string]any{"to": models.PhaseClosed}}), http.StatusConflict, "poll_open")
	if !strings.Contains(p.Detail, "会后开始") {
		t.Fatalf("detail=%q, want the open vote named", p.Detail)
	}
	if r := ot.closePoll(t, late.ID); r.Voters != 2 || r.Status != models.PollClosed {
		t.Fatalf("closed: %+v", r)
	}
	ot.advance(t, ot.rf.cycle.ID, models.PhaseClosed)
	for _, r := range []req{
		{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/close", late.ID), as: f.Facilitator},
		{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/ballots", late.ID), as: f.Party, body: map[string]any{"choice": "yes"}},
		{method: "POST", path: fmt.Sprintf("/api/v1/polls/%d/paper-ballots", late.ID), as: f.Facilitator,
			body: map[string]any{"household_id": ot.units["306"].ID, "choice": "no", "ballot_no": "2"}},
		{method: "POST", path: ot.cyclePolls(), as: f.Facilitator, body: ot.ownersBody(nil)},
	} {
		wantProblem(t, ot.do(r), http.StatusConflict, "cycle_archived")
	}
}

// TestCycle_CloseWaitsForOwnersDecision: a cycle does not close while a Civil Code 278 resolution
// still awaits the owners; it does once their decision is recorded.
func TestCycle_CloseWaitsForOwnersDecision(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	rf := ta.buildResolutionFixture("2027-12")
	r := ta.draftFrom(rf.cycle.ID, ta.formalVote(rf.meeting.ID, "同意加装电梯", 3, 0).ID, models.MatterElevatorRetrofit)
	ta.endMeeting(t, rf.meeting.ID)
	ta.advance(t, rf.cycle.ID, models.PhaseResolved)
	path := fmt.Sprintf("/api/v1/cycles/%d/advance", rf.cycle.ID)
	before := lastSeq(ta.events(f.A.ID))
	for _, c := range []struct{ lang, want string }{
		{"zh-CN", "还有1份决议在等待业主共同决定（《民法典》第278条）。请先记录业主表决或官方平台的结果，再归档本期月月谈。"},
		{"en", "1 resolution(s) still await the owners' decision (Civil Code art. 278). Record the owners' vote or the official platform's result before closing this month's talk."},
	} {
		p := wantProblem(t, ta.do(req{method: "POST", path: path, as: f.Facilitator, header: map[string]string{"Accept-Language": c.lang},
			body: map[string]any{"to": models.PhaseClosed}}), http.StatusConflict, "owners_decision_pending")
		if p.Detail != c.want {
			t.Fatalf("detail=%q, want %q", p.Detail, c.want)
		}
	}
	if cy := must(ta.store.GetCycle(context.Background(), f.Facilitator.Actor(), rf.cycle.ID)); cy.Phase != models.PhaseResolved ||
		lastSeq(ta.events(f.A.ID)) != before {
		t.Fatalf("refused close: phase=%s, %d events", cy.Phase, lastSeq(ta.events(f.A.ID))-before)
	}
	// The owners decide in an owners' poll after the meeting: 9 of 12 owners with 9,000 of
	// 12,000 m², all for.
	p := ta.ownersPoll(rf.cycle.ID, tally.CivilCode278Major, 12, 1200000, 9, 900000, 0, 0)
	wantStatus(t, ta.do(req{method: "POST", path: resolutionPath(r.ID) + "/owners-decision", as: f.Facilitator,
		body: map[string]any{"poll_id": p.ID}}), http.StatusOK)
	ta.signOffAll(t, rf.cycle.ID)
	ta.advance(t, rf.cycle.ID, models.PhaseClosed)
}
