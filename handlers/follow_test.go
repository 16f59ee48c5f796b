package handlers

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// followClock is a movable clock for the store: tests move it past publicity periods and due
// dates instead of sleeping.
type followClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *followClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *followClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// useClock gives the test app's store a clock starting now.
func (ta *testApp) useClock() *followClock {
	c := &followClock{t: time.Now().UTC()}
	ta.store.Now = c.now
	return c
}

// adoptedResolution drafts an ordinary resolution from a passed formal vote: it is adopted.
func (ta *testApp) adoptedResolution(month string) *models.Resolution {
	rf := ta.buildResolutionFixture(month)
	return ta.draftFrom(rf.cycle.ID, ta.formalVote(rf.meeting.ID, "加装电梯表决", 3, 1).ID, "")
}

type itemJSON struct {
	ID             uint64   `json:"id"`
	ParentID       *uint64  `json:"parent_id"`
	Status         string   `json:"status"`
	Progress       int      `json:"progress"`
	Overdue        bool     `json:"overdue"`
	AssigneeUserID *uint64  `json:"assignee_user_id"`
	OpenForClaims  bool     `json:"open_for_claims"`
	BlockedReason  string   `json:"blocked_reason"`
	DueDate        string   `json:"due_date"`
	MatchedSkills  []string `json:"matched_skills"`
	Load           int      `json:"load"`
	MayEdit        bool     `json:"may_edit"`
	Updates        []struct {
		ID        uint64   `json:"id"`
		PhotoURLs []string `json:"photo_urls"`
		CostFen   int64    `json:"cost_fen"`
		Hours     float64  `json:"hours"`
	} `json:"updates"`
}

type resolutionJSON struct {
	ID              uint64     `json:"id"`
	Status          string     `json:"status"`
	PublicityEndsAt *time.Time `json:"publicity_ends_at"`
	Progress        int        `json:"progress"`
	OverdueItems    int        `json:"overdue_items"`
	ItemCount       int        `json:"item_count"`
	BudgetFen       *int64     `json:"budget_fen"`
	FundingSource   string     `json:"funding_source"`
	SpentFen        int64      `json:"spent_fen"`
	Objections      []struct {
		ID     uint64 `json:"id"`
		Text   string `json:"text"`
		Answer string `json:"answer"`
		Mine   bool   `json:"mine"`
	} `json:"objections"`
}

func (ta *testApp) getResolutionJSON(t *testing.T, id uint64, as *models.User) resolutionJSON {
	t.Helper()
	rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/resolutions/%d", id), as: as})
	wantStatus(t, rec, http.StatusOK)
	return decode[resolutionJSON](t, rec)
}

func (ta *testApp) countEvents(cid uint64, typ models.EventType) int {
	n := 0
	for _, e := range ta.events(cid) {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// TestFollow_Lifecycle walks a resolution through the API from adoption to evaluation: the
// community's publicity period, objections and answers, items planned during publicity, the
// period ending by the store's clock, claims, progress rolling up by weight, updates with a
// receipt, items going overdue as the clock passes their due date, and the move to evaluating
// when the last item closes.
func TestFollow_Lifecycle(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	clock := ta.useClock()
	r := ta.adoptedResolution("2030-01")
	p := fmt.Sprintf
	do := func(method, path string, as *models.User, body any, want int) *httpRec {
		t.Helper()
		rec := ta.do(req{method: method, path: path, as: as, body: body})
		wantStatus(t, rec, want)
		return rec
	}
	rpath := p("/api/v1/resolutions/%d", r.ID)

	// The community's period is 5 days.
	rec := do("PATCH", p("/api/v1/communities/%d", f.A.ID), f.AdminA, map[string]any{"publicity_days": 5}, http.StatusOK)
	if v := decode[map[string]any](t, rec); v["publicity_days"] != float64(5) {
		t.Fatalf("community=%v", v)
	}
	do("PATCH", p("/api/v1/communities/%d", f.A.ID), f.Facilitator, map[string]any{"publicity_days": 3}, http.StatusForbidden)

	// Objections before publicity are refused.
	wantProblem(t, ta.do(req{method: "POST", path: rpath + "/objections", as: f.Resident, body: map[string]any{"text": "反对"}}),
		http.StatusConflict, "not_in_publicity")
	do("POST", rpath+"/publicity", f.Resident, map[string]any{}, http.StatusForbidden)
	do("POST", rpath+"/publicity", f.Committee, map[string]any{}, http.StatusForbidden)
	start := clock.now()
	rec = do("POST", rpath+"/publicity", f.Facilitator, map[string]any{}, http.StatusOK)
	pub := decode[resolutionJSON](t, rec)
	if pub.Status != models.ResolutionPublicity || pub.PublicityEndsAt == nil ||
		pub.PublicityEndsAt.Sub(start) < 5*24*time.Hour-time.Second || pub.PublicityEndsAt.Sub(start) > 5*24*time.Hour+time.Second {
		t.Fatalf("publicity: %+v (start %v)", pub, start)
	}
	wantProblem(t, ta.do(req{method: "POST", path: rpath + "/publicity", as: f.Facilitator, body: map[string]any{}}),
		http.StatusConflict, "resolution_not_adopted")

	// Objections: a member lodges, the committee may not, the facilitator answers once.
	rec = do("POST", rpath+"/objections", f.Resident, map[string]any{"text": "电梯噪音会影响一楼住户"}, http.StatusCreated)
	objID := decode[map[string]any](t, rec)["id"].(float64)
	do("POST", rpath+"/objections", f.Committee, map[string]any{"text": "委员异议"}, http.StatusForbidden)
	do("POST", rpath+"/objections", f.ResidentB, map[string]any{"text": "外社区"}, http.StatusNotFound)
	do("POST", p("/api/v1/objections/%d/answer", int(objID)), f.Resident, map[string]any{"text": "自问自答"}, http.StatusForbidden)
	do("POST", p("/api/v1/objections/%d/answer", int(objID)), f.Facilitator, map[string]any{"text": "已要求选用低噪音机型"}, http.StatusOK)
	wantProblem(t, ta.do(req{method: "POST", path: p("/api/v1/objections/%d/answer", int(objID)), as: f.Facilitator,
		body: map[string]any{"text": "再答"}}), http.StatusConflict, "objection_answered")
	got := ta.getResolutionJSON(t, r.ID, f.Resident)
	if len(got.Objections) != 1 || got.Objections[0].Answer != "已要求选用低噪音机型" || !got.Objections[0].Mine {
		t.Fatalf("objections as the author: %+v", got.Objections)
	}
	if got = ta.getResolutionJSON(t, r.ID, f.Party); got.Objections[0].Mine {
		t.Fatalf("objection is mine to another: %+v", got.Objections)
	}
	if ta.countEvents(f.A.ID, models.EventObjectionLodged) != 1 || ta.countEvents(f.A.ID, models.EventObjectionAnswered) != 1 {
		t.Fatal("objection events missing")
	}

	// Budget.
	do("PATCH", rpath, f.Resident, map[string]any{"budget_fen": 100}, http.StatusForbidden)
	rec = do("PATCH", rpath, f.Facilitator, map[string]any{"budget_fen": 48000000, "funding_source": "maintenance_fund"}, http.StatusOK)
	if b := decode[resolutionJSON](t, rec); b.BudgetFen == nil || *b.BudgetFen != 48000000 || b.FundingSource != "maintenance_fund" {
		t.Fatalf("budget: %+v", b)
	}

	// Items planned during publicity: A (weight 3) with A1 (the resident's) and A2 (open for an
	// electrician's claim); B (weight 1, the party member's) due soonest.
	today := clock.now().In(time.FixedZone("CST", 8*3600))
	due := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	mk := func(body map[string]any) itemJSON {
		t.Helper()
		return decode[itemJSON](t, do("POST", rpath+"/items", f.Facilitator, body, http.StatusCreated))
	}
	itemA := mk(map[string]any{"title": "加装电梯施工", "weight": 3, "due_date": due(30)})
	itemA1 := mk(map[string]any{"title": "征求一楼住户意见", "parent_id": itemA.ID, "due_date": due(20), "assignee_user_id": f.Resident.ID})
	itemA2 := mk(map[string]any{"title": "改造电路", "parent_id": itemA.ID, "due_date": due(25), "skills": []string{"电工"}, "open_for_claims": true})
	itemB := mk(map[string]any{"title": "公示施工方案", "due_date": due(8), "assignee_user_id": f.Party.ID})
	if itemA.Status != models.ItemTodo || itemA.Progress != 0 || itemA.Overdue || !itemA2.OpenForClaims {
		t.Fatalf("new items: %+v %+v", itemA, itemA2)
	}
	do("POST", rpath+"/items", f.Resident, map[string]any{"title": "x", "due_date": due(1)}, http.StatusForbidden)
	do("POST", rpath+"/items", f.Committee, map[string]any{"title": "x", "due_date": due(1)}, http.StatusForbidden)
	ipath := func(id uint64) string { return p("/api/v1/items/%d", id) }
	// Work starts when publicity ends.
	wantProblem(t, ta.do(req{method: "PATCH", path: ipath(itemA1.ID), as: f.Resident, body: map[string]any{"progress": 10}}),
		http.StatusConflict, "resolution_not_implementing")

	// The period ends by the clock: the first read moves it, once.
	clock.advance(5*24*time.Hour + time.Minute)
	if got := ta.getResolutionJSON(t, r.ID, f.Resident); got.Status != models.ResolutionImplementing {
		t.Fatalf("after publicity: %s", got.Status)
	}
	ta.getResolutionJSON(t, r.ID, f.Committee)
	if n := ta.countEvents(f.A.ID, models.EventResolutionImplementing); n != 1 {
		t.Fatalf("resolution.implementing events=%d, want 1", n)
	}
	wantProblem(t, ta.do(req{method: "POST", path: rpath + "/objections", as: f.Resident, body: map[string]any{"text": "晚了"}}),
		http.StatusConflict, "not_in_publicity")

	// Claims: the electrician sees A2 first, with the matching skill, and claims it.
	do("PATCH", p("/api/v1/communities/%d/members/%d", f.A.ID, f.Party.ID), f.AdminA, map[string]any{"skills": []string{"电工"}}, http.StatusOK)
	mk(map[string]any{"title": "整理楼道", "due_date": due(7), "open_for_claims": true})
	rec = do("GET", p("/api/v1/communities/%d/claimable-items", f.A.ID), f.Party, nil, http.StatusOK)
	cl := decode[struct {
		Items []itemJSON `json:"items"`
		Load  int        `json:"load"`
	}](t, rec)
	if len(cl.Items) != 2 || cl.Items[0].ID != itemA2.ID || !slices.Equal(cl.Items[0].MatchedSkills, []string{"电工"}) ||
		cl.Items[0].Load != 1 || cl.Load != 1 || len(cl.Items[1].MatchedSkills) != 0 {
		t.Fatalf("claimable: %+v", cl)
	}
	do("GET", p("/api/v1/communities/%d/claimable-items", f.A.ID), f.Resident, nil, http.StatusForbidden)
	do("POST", ipath(itemA2.ID)+"/claims", f.Resident, nil, http.StatusForbidden)
	rec = do("POST", ipath(itemA2.ID)+"/claims", f.Party, nil, http.StatusCreated)
	claim := decode[map[string]any](t, rec)
	if claim["status"] != "pending" {
		t.Fatalf("claim=%v", claim)
	}
	wantProblem(t, ta.do(req{method: "POST", path: ipath(itemA2.ID) + "/claims", as: f.Party}), http.StatusConflict, "claim_exists")
	// Until confirmed the claimant cannot work on it.
	do("PATCH", ipath(itemA2.ID), f.Party, map[string]any{"progress": 10}, http.StatusForbidden)
	claimPath := p("/api/v1/claims/%d", int(claim["id"].(float64)))
	do("POST", claimPath+"/confirm", f.Party, nil, http.StatusForbidden)
	do("POST", claimPath+"/confirm", f.Committee, nil, http.StatusForbidden)
	do("POST", claimPath+"/confirm", f.Facilitator, nil, http.StatusOK)
	wantProblem(t, ta.do(req{method: "POST", path: claimPath + "/decline", as: f.Facilitator}), http.StatusConflict, "claim_decided")
	a2 := decode[itemJSON](t, do("GET", ipath(itemA2.ID), f.Party, nil, http.StatusOK))
	if a2.AssigneeUserID == nil || *a2.AssigneeUserID != f.Party.ID || a2.OpenForClaims || !a2.MayEdit {
		t.Fatalf("confirmed claim: %+v", a2)
	}

	// Permissions: an assignee cannot touch another's item; the committee changes nothing.
	do("PATCH", ipath(itemB.ID), f.Resident, map[string]any{"progress": 10}, http.StatusForbidden)
	do("PATCH", ipath(itemA1.ID), f.Committee, map[string]any{"progress": 10}, http.StatusForbidden)
	do("POST", ipath(itemA1.ID)+"/updates", f.Committee, map[string]any{"note": "委员"}, http.StatusForbidden)
	do("PATCH", ipath(itemA1.ID), f.Resident, map[string]any{"due_date": due(40)}, http.StatusForbidden)
	do("PATCH", ipath(itemA1.ID), f.Resident, map[string]any{"status": "cancelled"}, http.StatusForbidden)

	// Rollup: A1 at 50 → A = (50·1 + 0·1)/2 = 25 → resolution = (25·3 + 0·1 + 0·1)/5 = 15.
	a1 := decode[itemJSON](t, do("PATCH", ipath(itemA1.ID), f.Resident, map[string]any{"progress": 50}, http.StatusOK))
	if a1.Status != models.ItemInProgress || a1.Progress != 50 {
		t.Fatalf("A1: %+v", a1)
	}
	if a := decode[itemJSON](t, do("GET", ipath(itemA.ID), f.Resident, nil, http.StatusOK)); a.Progress != 25 {
		t.Fatalf("A progress=%d, want 25", a.Progress)
	}
	if got := ta.getResolutionJSON(t, r.ID, f.Resident); got.Progress != 15 || got.ItemCount != 5 {
		t.Fatalf("resolution progress=%d items=%d, want 15 and 5", got.Progress, got.ItemCount)
	}
	wantProblem(t, ta.do(req{method: "PATCH", path: ipath(itemA.ID), as: f.Facilitator, body: map[string]any{"progress": 10}}),
		http.StatusUnprocessableEntity, "invalid_input")

	// Updates with evidence: a cost needs a receipt photo; with one the spending shows.
	before := len(ta.events(f.A.ID))
	p2 := wantProblem(t, ta.do(req{method: "POST", path: ipath(itemA1.ID) + "/updates", as: f.Resident,
		body: map[string]any{"note": "买了材料", "cost_fen": 12000}}), http.StatusUnprocessableEntity, "invalid_input")
	if p2.Errors["photo_ids"] == "" || len(ta.events(f.A.ID)) != before {
		t.Fatalf("receipt: %+v", p2)
	}
	receipt := must(ta.store.SaveUpload(context.Background(), f.Resident.Actor(), f.A.ID, bytes.NewReader(tinyJPEG())))
	others := must(ta.store.SaveUpload(context.Background(), f.Party.Actor(), f.A.ID, bytes.NewReader(tinyJPEG())))
	do("POST", ipath(itemA1.ID)+"/updates", f.Resident, map[string]any{"note": "别人的照片", "photo_ids": []uint64{others.ID}},
		http.StatusUnprocessableEntity)
	do("POST", ipath(itemA1.ID)+"/updates", f.Resident, map[string]any{"note": "买了材料", "cost_fen": 12000, "hours": 1.5,
		"progress": 60, "photo_ids": []uint64{receipt.ID}}, http.StatusCreated)
	a1 = decode[itemJSON](t, do("GET", ipath(itemA1.ID), f.Party, nil, http.StatusOK))
	if a1.Progress != 60 || len(a1.Updates) != 1 || len(a1.Updates[0].PhotoURLs) != 1 || a1.Updates[0].CostFen != 12000 ||
		a1.Updates[0].Hours != 1.5 {
		t.Fatalf("A1 after update: %+v", a1)
	}
	// The evidence is shown to members, like the resolution.
	do("GET", p("/api/v1/uploads/%d", receipt.ID), f.Party, nil, http.StatusOK)
	do("GET", p("/api/v1/uploads/%d", receipt.ID), f.ResidentB, nil, http.StatusNotFound)
	if got := ta.getResolutionJSON(t, r.ID, f.Resident); got.SpentFen != 12000 {
		t.Fatalf("spent=%d", got.SpentFen)
	}

	// Blocked needs a reason.
	wantProblem(t, ta.do(req{method: "PATCH", path: ipath(itemB.ID), as: f.Party, body: map[string]any{"status": "blocked"}}),
		http.StatusUnprocessableEntity, "invalid_input")
	b := decode[itemJSON](t, do("PATCH", ipath(itemB.ID), f.Party, map[string]any{"status": "blocked", "blocked_reason": "等待街道批复"}, http.StatusOK))
	if b.Status != models.ItemBlocked || b.BlockedReason != "等待街道批复" {
		t.Fatalf("blocked: %+v", b)
	}

	// Past B's due date (8 days after planning; 5 have passed) B is overdue.
	if got := ta.getResolutionJSON(t, r.ID, f.Resident); got.OverdueItems != 0 {
		t.Fatalf("overdue before the due date: %d", got.OverdueItems)
	}
	clock.advance(4 * 24 * time.Hour)
	if got := ta.getResolutionJSON(t, r.ID, f.Resident); got.OverdueItems != 2 {
		t.Fatalf("overdue=%d, want 2 (B and the hallway item)", got.OverdueItems)
	}
	rec = do("GET", rpath+"/items", f.Resident, nil, http.StatusOK)
	list := decode[struct{ Items []itemJSON }](t, rec)
	overdue := 0
	for _, it := range list.Items {
		if it.Overdue {
			overdue++
		}
	}
	if len(list.Items) != 5 || overdue != 2 {
		t.Fatalf("items=%d overdue=%d", len(list.Items), overdue)
	}
	mine := decode[struct{ Items []itemJSON }](t, do("GET", "/api/v1/me/items", f.Party, nil, http.StatusOK))
	if len(mine.Items) != 2 || mine.Items[0].ID != itemB.ID || !mine.Items[0].Overdue {
		t.Fatalf("party's items: %+v", mine.Items)
	}

	// Finish: A1 and A2 done close A by themselves; the hallway item cancelled; B done last moves
	// the resolution to evaluating in the same request.
	do("PATCH", ipath(itemA1.ID), f.Resident, map[string]any{"status": "done"}, http.StatusOK)
	do("PATCH", ipath(itemA2.ID), f.Party, map[string]any{"status": "done"}, http.StatusOK)
	if a := decode[itemJSON](t, do("GET", ipath(itemA.ID), f.Resident, nil, http.StatusOK)); a.Status != models.ItemDone || a.Progress != 100 {
		t.Fatalf("A after its children: %+v", a)
	}
	for _, it := range list.Items {
		if it.ID != itemA.ID && it.ID != itemA1.ID && it.ID != itemA2.ID && it.ID != itemB.ID {
			do("PATCH", ipath(it.ID), f.Facilitator, map[string]any{"status": "cancelled"}, http.StatusOK)
		}
	}
	if got := ta.getResolutionJSON(t, r.ID, f.Resident); got.Status != models.ResolutionImplementing {
		t.Fatalf("status before the last item: %s", got.Status)
	}
	b = decode[itemJSON](t, do("PATCH", ipath(itemB.ID), f.Party, map[string]any{"status": "done"}, http.StatusOK))
	if b.BlockedReason != "" || b.Overdue {
		t.Fatalf("B done: %+v", b)
	}
	got = ta.getResolutionJSON(t, r.ID, f.Resident)
	if got.Status != models.ResolutionEvaluating || got.Progress != 100 || got.OverdueItems != 0 {
		t.Fatalf("after the last item: %+v", got)
	}
	if n := ta.countEvents(f.A.ID, models.EventResolutionEvaluating); n != 1 {
		t.Fatalf("resolution.evaluating events=%d", n)
	}
	// Nothing more is reported on an evaluated resolution.
	wantProblem(t, ta.do(req{method: "POST", path: ipath(itemB.ID) + "/updates", as: f.Party, body: map[string]any{"note": "补充"}}),
		http.StatusConflict, "resolution_not_implementing")
	do("POST", rpath+"/items", f.Facilitator, map[string]any{"title": "追加", "due_date": due(1)}, http.StatusConflict)
	// The chain still verifies.
	do("GET", p("/api/v1/communities/%d/audit/verify", f.A.ID), f.AdminA, nil, http.StatusOK)
}

// TestFollow_NoPublicity: 0 days starts implementing at once.
func TestFollow_NoPublicity(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	r := ta.adoptedResolution("2030-02")
	rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/resolutions/%d/publicity", r.ID), as: ta.fx.Facilitator,
		body: map[string]any{"days": 0}})
	wantStatus(t, rec, http.StatusOK)
	if v := decode[resolutionJSON](t, rec); v.Status != models.ResolutionImplementing || v.PublicityEndsAt != nil {
		t.Fatalf("days 0: %+v", v)
	}
}

// TestFollow_BadInput: bad input is 422 with the field named, and changes nothing.
func TestFollow_BadInput(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	r := ta.adoptedResolution("2030-03")
	p := fmt.Sprintf
	rpath := p("/api/v1/resolutions/%d", r.ID)
	wantStatus(t, ta.do(req{method: "POST", path: rpath + "/publicity", as: f.Facilitator, body: map[string]any{"days": 0}}), http.StatusOK)
	rec := ta.do(req{method: "POST", path: rpath + "/items", as: f.Facilitator, body: map[string]any{"title": "父事项", "due_date": "2030-06-01"}})
	wantStatus(t, rec, http.StatusCreated)
	parent := decode[itemJSON](t, rec)
	other := ta.adoptedResolutionIn(r)
	for _, c := range []struct {
		method, path string
		body         map[string]any
		field        string
	}{
		{"POST", rpath + "/publicity", map[string]any{"days": -1}, "days"},
		{"POST", rpath + "/publicity", map[string]any{"days": 91}, "days"},
		{"PATCH", p("/api/v1/communities/%d", f.A.ID), map[string]any{"publicity_days": 100}, "publicity_days"},
		{"PATCH", rpath, map[string]any{"budget_fen": -5}, "budget_fen"},
		{"PATCH", rpath, map[string]any{"funding_source": "lottery"}, "funding_source"},
		{"POST", rpath + "/items", map[string]any{"title": " ", "due_date": "2030-06-01"}, "title"},
		{"POST", rpath + "/items", map[string]any{"title": "事项", "due_date": "2030-02-30"}, "due_date"},
		{"POST", rpath + "/items", map[string]any{"title": "事项", "due_date": "明天"}, "due_date"},
		{"POST", rpath + "/items", map[string]any{"title": "事项"}, "due_date"},
		{"POST", rpath + "/items", map[string]any{"title": "事项", "due_date": "2030-06-01", "weight": 0}, "weight"},
		{"POST", rpath + "/items", map[string]any{"title": "事项", "due_date": "2030-06-01", "parent_id": 999999}, "parent_id"},
		{"POST", rpath + "/items", map[string]any{"title": "事项", "due_date": "2030-06-01", "assignee_user_id": f.ResidentB.ID}, "assignee_user_id"},
		{"POST", rpath + "/items", map[string]any{"title": "事项", "due_date": "2030-06-01", "assignee_org_id": 999999}, "assignee_org_id"},
		{"POST", rpath + "/items", map[string]any{"title": "事项", "due_date": "2030-06-01", "skills": []string{"一二三四五六七八九十一二三四五六七八九十一"}}, "skills[0]"},
		{"PATCH", p("/api/v1/items/%d", parent.ID), map[string]any{"status": "finished"}, "status"},
		{"PATCH", p("/api/v1/items/%d", parent.ID), map[string]any{"progress": 101}, "progress"},
		{"PATCH", p("/api/v1/items/%d", parent.ID), map[string]any{"due_date": "2030/06/01"}, "due_date"},
		{"PATCH", p("/api/v1/items/%d", parent.ID), map[string]any{"status": "blocked", "blocked_reason": " "}, "blocked_reason"},
		{"POST", p("/api/v1/items/%d/updates", parent.ID), map[string]any{"note": ""}, "note"},
		{"POST", p("/api/v1/items/%d/updates", parent.ID), map[string]any{"note": "工时", "hours": -1}, "hours"},
		{"POST", p("/api/v1/items/%d/updates", parent.ID), map[string]any{"note": "照片", "photo_ids": []uint64{999999}}, "photo_ids"},
	} {
		t.Run(c.method+" "+c.field, func(t *testing.T) {
			before := len(ta.events(f.A.ID))
			pr := wantProblem(t, ta.do(req{method: c.method, path: c.path, as: f.Super, body: c.body}), http.StatusUnprocessableEntity, "invalid_input")
			if pr.Errors[c.field] == "" {
				t.Fatalf("errors=%v, want %s", pr.Errors, c.field)
			}
			if n := len(ta.events(f.A.ID)); n != before {
				t.Fatalf("events %d → %d", before, n)
			}
		})
	}
	// A parent from another resolution is not found in this one.
	pr := wantProblem(t, ta.do(req{method: "POST", path: p("/api/v1/resolutions/%d/items", other.ID), as: f.Facilitator,
		body: map[string]any{"title": "事项", "due_date": "2030-06-01", "parent_id": parent.ID}}), http.StatusUnprocessableEntity, "invalid_input")
	if pr.Errors["parent_id"] == "" {
		t.Fatalf("errors=%v", pr.Errors)
	}
	// English messages.
	rec = ta.do(req{method: "POST", path: rpath + "/items", as: f.Facilitator, body: map[string]any{"title": "事项", "due_date": "x"},
		header: map[string]string{"Accept-Language": "en"}})
	if pr := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"); pr.Errors["due_date"] == "" {
		t.Fatalf("en: %v", pr.Errors)
	}
}

// adoptedResolutionIn drafts another adopted resolution in the cycle of r.
func (ta *testApp) adoptedResolutionIn(r *models.Resolution) *models.Resolution {
	return ta.draftFrom(r.CycleID, ta.formalVote(r.MeetingID, "第二项表决", 3, 0).ID, "")
}

// TestFollow_TreeRules: a parent with open children cannot be closed by hand; it closes by
// itself when its last child closes and opens again when a child is reopened, which also takes
// the resolution out of reach of evaluating only until everything is closed again. The person's
// download carries their objections, items, claims and updates.
func TestFollow_TreeRules(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	r := ta.adoptedResolution("2030-04")
	p := fmt.Sprintf
	do := func(method, path string, as *models.User, body any, want int) *httpRec {
		t.Helper()
		rec := ta.do(req{method: method, path: path, as: as, body: body})
		wantStatus(t, rec, want)
		return rec
	}
	rpath := p("/api/v1/resolutions/%d", r.ID)
	do("POST", rpath+"/publicity", f.Facilitator, map[string]any{"days": 1}, http.StatusOK)
	do("POST", rpath+"/objections", f.Resident, map[string]any{"text": "希望公开费用明细"}, http.StatusCreated)
	clock := ta.useClock()
	clock.advance(25 * time.Hour)
	mk := func(body map[string]any) itemJSON {
		t.Helper()
		return decode[itemJSON](t, do("POST", rpath+"/items", f.Facilitator, body, http.StatusCreated))
	}
	parent := mk(map[string]any{"title": "父事项", "due_date": "2099-01-01"})
	child1 := mk(map[string]any{"title": "子事项一", "parent_id": parent.ID, "due_date": "2099-01-01", "assignee_user_id": f.Resident.ID})
	child2 := mk(map[string]any{"title": "子事项二", "parent_id": parent.ID, "due_date": "2099-01-01"})
	ipath := func(id uint64) string { return p("/api/v1/items/%d", id) }
	for _, st := range []string{"done", "cancelled"} {
		wantProblem(t, ta.do(req{method: "PATCH", path: ipath(parent.ID), as: f.Facilitator, body: map[string]any{"status": st}}),
			http.StatusConflict, "item_children_open")
	}
	do("POST", ipath(child1.ID)+"/updates", f.Resident, map[string]any{"note": "完成", "progress": 100, "hours": 2}, http.StatusCreated)
	do("PATCH", ipath(child1.ID), f.Resident, map[string]any{"status": "done"}, http.StatusOK)
	do("PATCH", ipath(child2.ID), f.Facilitator, map[string]any{"status": "cancelled"}, http.StatusOK)
	if got := ta.getResolutionJSON(t, r.ID, f.Resident); got.Status != models.ResolutionEvaluating || got.Progress != 100 {
		t.Fatalf("all closed: %+v", got)
	}
	if pi := decode[itemJSON](t, do("GET", ipath(parent.ID), f.Resident, nil, http.StatusOK)); pi.Status != models.ItemDone {
		t.Fatalf("parent: %+v", pi)
	}
	// The resolution is being evaluated: nothing is reopened here (sign-off sends it back).
	do("PATCH", ipath(child2.ID), f.Facilitator, map[string]any{"status": "in_progress"}, http.StatusConflict)
	// Back to implementing as a refused sign-off would, a reopened child reopens its parent.
	if err := ta.store.Gorm().Table("resolutions").Where("id = ?", r.ID).Update("status", models.ResolutionImplementing).Error; err != nil {
		t.Fatal(err)
	}
	do("PATCH", ipath(child2.ID), f.Resident, map[string]any{"status": "in_progress"}, http.StatusForbidden)
	do("PATCH", ipath(child2.ID), f.Facilitator, map[string]any{"status": "in_progress"}, http.StatusOK)
	pi := decode[itemJSON](t, do("GET", ipath(parent.ID), f.Resident, nil, http.StatusOK))
	if pi.Status != models.ItemInProgress || pi.Progress != 50 {
		t.Fatalf("parent after a child reopened: %+v", pi)
	}

	// The resident's download.
	rec := do("GET", "/api/v1/me/export", f.Resident, nil, http.StatusOK)
	exp := decode[struct {
		Records struct {
			Objections  []map[string]any `json:"objections"`
			Items       []map[string]any `json:"items_assigned"`
			ItemUpdates []map[string]any `json:"item_updates"`
		} `json:"records"`
	}](t, rec)
	if len(exp.Records.Objections) != 1 || len(exp.Records.Items) != 1 || len(exp.Records.ItemUpdates) != 1 {
		t.Fatalf("export: %s", rec.Body.String())
	}
}

// TestFollow_ConcurrentClosing closes every item of a resolution at once: the resolution moves
// to evaluating exactly once, whichever request closes the last item (on MariaDB the item
// writes take the resolution's row lock in turn).
func TestFollow_ConcurrentClosing(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	r := ta.adoptedResolution("2030-05")
	rpath := fmt.Sprintf("/api/v1/resolutions/%d", r.ID)
	wantStatus(t, ta.do(req{method: "POST", path: rpath + "/publicity", as: f.Facilitator, body: map[string]any{"days": 0}}), http.StatusOK)
	var ids []uint64
	for i := range 6 {
		rec := ta.do(req{method: "POST", path: rpath + "/items", as: f.Facilitator,
			body: map[string]any{"title": fmt.Sprintf("事项%d", i), "due_date": "2099-01-01"}})
		wantStatus(t, rec, http.StatusCreated)
		ids = append(ids, decode[itemJSON](t, rec).ID)
	}
	var wg sync.WaitGroup
	codes := make([]int, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/items/%d", id), as: f.Facilitator,
				body: map[string]any{"status": "done"}}).Code
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Fatalf("item %d: status %d", ids[i], c)
		}
	}
	if got := ta.getResolutionJSON(t, r.ID, f.Resident); got.Status != models.ResolutionEvaluating || got.Progress != 100 {
		t.Fatalf("after closing all: %+v", got)
	}
	if n := ta.countEvents(f.A.ID, models.EventResolutionEvaluating); n != 1 {
		t.Fatalf("resolution.evaluating events=%d, want 1", n)
	}
}
