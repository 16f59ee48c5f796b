package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

func membersPath(cid uint64) string { return fmt.Sprintf("/api/v1/communities/%d/members", cid) }

func memberPath(cid, uid uint64) string {
	return fmt.Sprintf("/api/v1/communities/%d/members/%d", cid, uid)
}

// lastEvent returns the newest event of a community and how many were appended since before.
func (ta *testApp) lastEvent(cid uint64, before int) (models.Event, int) {
	ta.t.Helper()
	evs := ta.events(cid)
	if len(evs) == 0 {
		ta.t.Fatalf("community %d has no events", cid)
	}
	return evs[len(evs)-1], len(evs) - before
}

// wantOneEvent checks that exactly one event of the type was appended since before and returns
// its payload.
func (ta *testApp) wantOneEvent(t *testing.T, cid uint64, before int, typ models.EventType) map[string]any {
	t.Helper()
	ev, n := ta.lastEvent(cid, before)
	if n != 1 || ev.Type != typ {
		t.Fatalf("%d events appended, last type=%q; want exactly one %q", n, ev.Type, typ)
	}
	if ev.Seq != uint64(before+1) {
		t.Fatalf("seq=%d, want %d", ev.Seq, before+1)
	}
	var payload map[string]any
	if err := json.Unmarshal([]byte(ev.Payload), &payload); err != nil {
		t.Fatalf("payload %q: %v", ev.Payload, err)
	}
	return payload
}

func TestMember_Add(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	t.Run("OKNewUserBySuperadmin", func(t *testing.T) {
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "POST", path: membersPath(f.A.ID), as: f.Super, body: map[string]any{
			"phone": "13612345678", "name": "李网格", "password": "initial-pass-1", "roles": []string{"grid_worker", "resident", "grid_worker"},
			"household_id": f.HouseholdA.ID}})
		wantStatus(t, rec, http.StatusCreated)
		m := decode[models.MemberView](t, rec)
		if m.Name != "李网格" || m.Phone != "13612345678" || !m.Verified || m.VerifiedByName != "超管" ||
			joined(m.Roles) != "grid_worker,resident" || m.HouseholdRoom != "101" || m.CompoundName != "安友花园" {
			t.Fatalf("member=%+v", m)
		}
		p := ta.wantOneEvent(t, f.A.ID, before, models.EvMemberAdded)
		if p["user_id"] != float64(m.UserID) {
			t.Fatalf("payload=%v", p)
		}
		ta.login(t, "13612345678", "initial-pass-1")
	})
	t.Run("ErrPasswordForNewUser", func(t *testing.T) {
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "POST", path: membersPath(f.A.ID), as: f.Super, body: map[string]any{
			"phone": "13612340000", "name": "新人", "roles": []string{"resident"}}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "password", "新用户需要设置初始密码")
		if n := len(ta.events(f.A.ID)); n != before {
			t.Fatalf("a refused add appended %d events", n-before)
		}
	})
	t.Run("ErrAlreadyMember", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: membersPath(f.A.ID), as: f.AdminA, body: map[string]any{
			"phone": f.Resident.Phone, "name": "居民", "password": "initial-pass-1", "roles": []string{"resident"}}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "phone", "这个人已经是本社区成员了")
	})
	t.Run("ErrValidation", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: membersPath(f.A.ID), as: f.AdminA, header: map[string]string{"Accept-Language": "en"},
			body: map[string]any{"phone": "1361234", "name": "x", "roles": []string{"mayor"}, "password": "short"}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "phone", "Enter an 11-digit mobile number")
		wantField(t, p, "password", "The password needs at least 8 characters. A sentence you remember, with a few digits, works well")
		wantField(t, p, "roles[0]", "Roles must be one of: resident, grid_worker, facilitator, party_member, committee, admin")
		rec = ta.do(req{method: "POST", path: membersPath(f.A.ID), as: f.AdminA, body: map[string]any{
			"phone": "13612340001", "name": "x", "roles": []string{}}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "roles", "角色至少选1项")
		rec = ta.do(req{method: "POST", path: membersPath(f.A.ID), as: f.AdminA, body: map[string]any{
			"phone": "13612340001", "name": "x", "password": "initial-pass-1", "roles": []string{"resident"}, "compound_id": f.CompoundB.ID}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "compound_id", "找不到这个小区")
	})
}

func TestMember_Verify(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	t.Run("OK", func(t *testing.T) {
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Unverified.ID), as: f.GridWorker, body: map[string]bool{"verified": true}})
		wantStatus(t, rec, http.StatusOK)
		m := decode[models.MemberView](t, rec)
		if !m.Verified || m.VerifiedAt == nil || m.VerifiedByName != "网格员" {
			t.Fatalf("member=%+v, want verified by the grid worker", m)
		}
		ta.wantOneEvent(t, f.A.ID, before, models.EvMemberVerified)
		// The committee sees it in the community's log.
		rec = ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/events", f.A.ID), as: f.Committee})
		wantStatus(t, rec, http.StatusOK)
		found := false
		for _, e := range decode[itemsPage[models.Event]](t, rec).Items {
			if e.Type == models.EvMemberVerified && e.SubjectID == f.Unverified.ID && e.ActorID != nil && *e.ActorID == f.GridWorker.ID {
				var p map[string]any
				if err := json.Unmarshal(e.Data, &p); err != nil || p["user_id"] != float64(f.Unverified.ID) {
					t.Fatalf("payload=%s", e.Data)
				}
				found = true
			}
		}
		if !found {
			t.Fatalf("no member.verified event by the grid worker in %s", rec.Body.String())
		}
		// Verifying again changes nothing and logs nothing.
		before = len(ta.events(f.A.ID))
		wantStatus(t, ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Unverified.ID), as: f.GridWorker,
			body: map[string]bool{"verified": true}}), http.StatusOK)
		if n := len(ta.events(f.A.ID)) - before; n != 0 {
			t.Fatalf("a no-op verify appended %d events", n)
		}
	})
	t.Run("OKUnverify", func(t *testing.T) {
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Unverified.ID), as: f.AdminA, body: map[string]bool{"verified": false}})
		wantStatus(t, rec, http.StatusOK)
		if m := decode[models.MemberView](t, rec); m.Verified || m.VerifiedAt != nil || m.VerifiedByName != "" {
			t.Fatalf("member=%+v, want unverified", m)
		}
		ta.wantOneEvent(t, f.A.ID, before, models.EvMemberUnverified)
	})
	t.Run("ErrSelf", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.GridWorker.ID), as: f.GridWorker, body: map[string]bool{"verified": false}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "verified", "不能核验自己的身份，请请其他工作人员核验")
	})
	t.Run("ErrNotStaff", func(t *testing.T) {
		for _, u := range []*models.User{f.Resident, f.Committee, f.Facilitator, f.Party} {
			rec := ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Unverified.ID), as: u, body: map[string]bool{"verified": true}})
			wantProblem(t, rec, http.StatusForbidden, "forbidden")
		}
	})
	t.Run("OKHomeByGridWorker", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Resident.ID), as: f.GridWorker,
			body: map[string]any{"household_id": f.HouseholdA.ID}})
		wantStatus(t, rec, http.StatusOK)
		if m := decode[models.MemberView](t, rec); m.HouseholdRoom != "101" || m.CompoundID == nil || *m.CompoundID != f.CompoundA.ID {
			t.Fatalf("member=%+v, want home 101 of 安友花园", m)
		}
		rec = ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Resident.ID), as: f.GridWorker,
			body: map[string]any{"household_id": f.HouseholdB.ID}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "household_id", "这个房号不属于所选小区")
		rec = ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Resident.ID), as: f.GridWorker, body: map[string]any{"compound_id": 0}})
		wantStatus(t, rec, http.StatusOK)
		if m := decode[models.MemberView](t, rec); m.CompoundID != nil || m.HouseholdID != nil {
			t.Fatalf("member=%+v, want the home cleared", m)
		}
	})
}

func TestMember_Roles(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	t.Run("OK", func(t *testing.T) {
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Resident.ID), as: f.AdminA,
			body: map[string]any{"roles": []string{"resident", "party_member"}}})
		wantStatus(t, rec, http.StatusOK)
		if m := decode[models.MemberView](t, rec); joined(m.Roles) != "party_member,resident" {
			t.Fatalf("roles=%v", m.Roles)
		}
		p := ta.wantOneEvent(t, f.A.ID, before, models.EvMemberRolesChanged)
		if fmt.Sprint(p["added"]) != "[party_member]" || fmt.Sprint(p["removed"]) != "[]" {
			t.Fatalf("payload=%v, want party_member added", p)
		}
		before++
		wantStatus(t, ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Resident.ID), as: f.AdminA,
			body: map[string]any{"roles": []string{"party_member"}}}), http.StatusOK)
		p = ta.wantOneEvent(t, f.A.ID, before, models.EvMemberRolesChanged)
		if fmt.Sprint(p["added"]) != "[]" || fmt.Sprint(p["removed"]) != "[resident]" {
			t.Fatalf("payload=%v, want resident removed", p)
		}
		// The new roles take effect at once: a party member alone may not list members.
		wantProblem(t, ta.do(req{method: "GET", path: membersPath(f.A.ID), as: f.Resident}), http.StatusForbidden, "forbidden")
		wantStatus(t, ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Resident.ID), as: f.AdminA,
			body: map[string]any{"roles": []string{"grid_worker"}}}), http.StatusOK)
		wantStatus(t, ta.do(req{method: "GET", path: membersPath(f.A.ID), as: f.Resident}), http.StatusOK)
	})
	t.Run("ErrLastAdmin", func(t *testing.T) {
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.AdminA.ID), as: f.AdminA, body: map[string]any{"roles": []string{"resident"}}})
		p := wantProblem(t, rec, http.StatusConflict, "last_admin")
		if p.Detail != "社区至少要保留一位管理员，请先指定另一位管理员。" || p.Title != "操作冲突" {
			t.Fatalf("problem=%+v", p)
		}
		if n := len(ta.events(f.A.ID)) - before; n != 0 {
			t.Fatalf("a refused change appended %d events", n)
		}
		// With a second admin the first may step down.
		wantStatus(t, ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Facilitator.ID), as: f.AdminA,
			body: map[string]any{"roles": []string{"admin", "facilitator"}}}), http.StatusOK)
		wantStatus(t, ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.AdminA.ID), as: f.AdminA,
			body: map[string]any{"roles": []string{"resident"}}}), http.StatusOK)
		wantProblem(t, ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Facilitator.ID), as: f.Facilitator,
			body: map[string]any{"roles": []string{"facilitator"}}}), http.StatusConflict, "last_admin")
	})
	t.Run("ErrNotAdmin", func(t *testing.T) {
		for _, u := range []*models.User{f.GridWorker, f.Committee, f.Resident} {
			rec := ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Party.ID), as: u, body: map[string]any{"roles": []string{"admin"}}})
			wantProblem(t, rec, http.StatusForbidden, "forbidden")
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: memberPath(f.B.ID, f.ResidentB.ID), as: f.AdminB, body: map[string]any{"roles": []string{}}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "roles", "角色至少选1项")
		rec = ta.do(req{method: "PATCH", path: memberPath(f.B.ID, f.ResidentB.ID), as: f.AdminB, body: map[string]any{"roles": []string{"king"}}})
		wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
	})
}

func TestMember_Details(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	org := decode[models.Organization](t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/organizations", f.A.ID),
		as: f.AdminA, body: map[string]string{"name": "某供电公司", "kind": "work_unit"}}))
	orgB := decode[models.Organization](t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/organizations", f.B.ID),
		as: f.AdminB, body: map[string]string{"name": "某律所", "kind": "work_unit"}}))
	t.Run("OK", func(t *testing.T) {
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Party.ID), as: f.AdminA, body: map[string]any{
			"skills": []string{" 电工 ", "电工", "水暖"}, "work_unit": "供电公司", "organization_id": org.ID}})
		wantStatus(t, rec, http.StatusOK)
		m := decode[models.MemberView](t, rec)
		if joined(m.Skills) != "水暖,电工" || m.WorkUnit != "供电公司" || m.OrganizationName != "某供电公司" {
			t.Fatalf("member=%+v", m)
		}
		p := ta.wantOneEvent(t, f.A.ID, before, models.EvMemberUpdated)
		if fmt.Sprint(p["fields"]) != "[organization_id skills work_unit]" {
			t.Fatalf("payload=%v", p)
		}
	})
	t.Run("ErrNotAdmin", func(t *testing.T) {
		for _, body := range []map[string]any{{"skills": []string{"木工"}}, {"work_unit": "x"}, {"organization_id": org.ID},
			{"skills": []string{"木工"}, "verified": true}} {
			for _, u := range []*models.User{f.GridWorker, f.Facilitator, f.Committee, f.Party} {
				rec := ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Party.ID), as: u, body: body})
				wantProblem(t, rec, http.StatusForbidden, "forbidden")
			}
		}
		m := decode[itemsPage[models.MemberView]](t, ta.do(req{method: "GET", path: membersPath(f.A.ID) + "?role=party_member", as: f.AdminA}))
		if len(m.Items) != 1 || joined(m.Items[0].Skills) != "水暖,电工" {
			t.Fatalf("skills changed by a refused request: %+v", m.Items)
		}
	})
	t.Run("ErrOtherCommunitysOrganization", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Party.ID), as: f.AdminA, body: map[string]any{"organization_id": orgB.ID}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "organization_id", "找不到这个组织")
	})
	t.Run("ErrSkillTooLong", func(t *testing.T) {
		long := strings.Repeat("特", 31)
		rec := ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Party.ID), as: f.AdminA, body: map[string]any{"skills": []string{"电工", long}}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "skills[1]", "特长最多30个字")
	})
	t.Run("SkillsThatCollate", func(t *testing.T) {
		// MySQL's collation treats these as one skill; SQLite keeps both. Neither is a server error.
		rec := ta.do(req{method: "PATCH", path: memberPath(f.A.ID, f.Party.ID), as: f.AdminA, body: map[string]any{"skills": []string{"Cafe", "café"}}})
		if ta.store.Dialect() == models.DialectMySQL {
			wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "skills", "特长有重复")
			return
		}
		wantStatus(t, rec, http.StatusOK)
		if m := decode[models.MemberView](t, rec); joined(m.Skills) != "Cafe,café" {
			t.Fatalf("skills=%v", m.Skills)
		}
	})
}

func TestMember_List(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	list := func(t *testing.T, query url.Values) itemsPage[models.MemberView] {
		t.Helper()
		rec := ta.do(req{method: "GET", path: membersPath(f.A.ID) + "?" + query.Encode(), as: f.AdminA})
		wantStatus(t, rec, http.StatusOK)
		return decode[itemsPage[models.MemberView]](t, rec)
	}
	ids := func(p itemsPage[models.MemberView]) []uint64 {
		out := []uint64{}
		for _, m := range p.Items {
			out = append(out, m.UserID)
		}
		return out
	}
	t.Run("OKFilters", func(t *testing.T) {
		cases := []struct {
			query url.Values
			want  []uint64
		}{
			{url.Values{}, []uint64{f.AdminA.ID, f.Facilitator.ID, f.GridWorker.ID, f.Committee.ID, f.Party.ID, f.Resident.ID, f.Unverified.ID}},
			{url.Values{"role": {"resident"}}, []uint64{f.Party.ID, f.Resident.ID, f.Unverified.ID}},
			{url.Values{"role": {"admin"}}, []uint64{f.AdminA.ID}},
			{url.Values{"verified": {"false"}}, []uint64{f.Unverified.ID}},
			{url.Values{"verified": {"true"}, "role": {"resident"}}, []uint64{f.Party.ID, f.Resident.ID}},
			{url.Values{"q": {"居民"}}, []uint64{f.Resident.ID, f.Unverified.ID}},
			{url.Values{"q": {" 新居民 "}}, []uint64{f.Unverified.ID}},
			{url.Values{"q": {"1380000000"}}, []uint64{f.AdminA.ID, f.Facilitator.ID, f.GridWorker.ID, f.Committee.ID, f.Party.ID, f.Resident.ID, f.Unverified.ID}},
			// LIKE wildcards in the query are literal characters.
			{url.Values{"q": {"%"}}, []uint64{}},
			{url.Values{"q": {"_"}}, []uint64{}},
			{url.Values{"q": {`\`}}, []uint64{}},
			{url.Values{"q": {"!"}}, []uint64{}},
			{url.Values{"q": {"!%"}}, []uint64{}},
			{url.Values{"q": {"'"}}, []uint64{}},
			{url.Values{"q": {"nobody"}}, []uint64{}},
		}
		for _, c := range cases {
			if got := ids(list(t, c.query)); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("?%s: users=%v, want %v", c.query.Encode(), got, c.want)
			}
		}
	})
	t.Run("OKPaging", func(t *testing.T) {
		all := ids(list(t, url.Values{"limit": {"200"}}))
		seen := map[uint64]bool{}
		var walked []uint64
		cursor, pages := "", 0
		for {
			q := url.Values{"limit": {"2"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			p := list(t, q)
			pages++
			if len(p.Items) > 2 || pages > 10 {
				t.Fatalf("page %d has %d items", pages, len(p.Items))
			}
			for _, id := range ids(p) {
				if seen[id] {
					t.Fatalf("user %d repeated on page %d", id, pages)
				}
				seen[id] = true
				walked = append(walked, id)
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		if fmt.Sprint(walked) != fmt.Sprint(all) || pages != 4 {
			t.Fatalf("walked %v in %d pages, want %v in 4", walked, pages, all)
		}
		// A filtered walk pages through the filtered set.
		p := list(t, url.Values{"limit": {"2"}, "role": {"resident"}})
		p2 := list(t, url.Values{"limit": {"2"}, "role": {"resident"}, "cursor": {p.NextCursor}})
		if len(p.Items) != 2 || len(p2.Items) != 1 || p2.NextCursor != "" {
			t.Fatalf("filtered pages: %v then %v (next %q)", ids(p), ids(p2), p2.NextCursor)
		}
	})
	t.Run("ErrBadQuery", func(t *testing.T) {
		bad := []struct {
			query, code, field string
		}{
			{"cursor=%21%21", "bad_cursor", ""},
			{"cursor=" + encodeCursor(1)[:3], "bad_cursor", ""},
			{"limit=ten", "invalid_input", "limit"},
			{"limit=201", "invalid_input", "limit"},
			{"limit=-1", "invalid_input", "limit"},
			{"role=mayor", "invalid_input", "role"},
			{"verified=yes", "invalid_input", "verified"},
		}
		for _, b := range bad {
			rec := ta.do(req{method: "GET", path: membersPath(f.A.ID) + "?" + b.query, as: f.AdminA})
			if b.field == "" {
				wantProblem(t, rec, http.StatusBadRequest, b.code)
				continue
			}
			p := wantProblem(t, rec, http.StatusUnprocessableEntity, b.code)
			if _, ok := p.Errors[b.field]; !ok {
				t.Fatalf("?%s: errors=%v, want %s", b.query, p.Errors, b.field)
			}
		}
	})
}

// TestMember_LastAdminConcurrent: two admins take each other's admin role at the same moment. One
// may win; the community never ends up without an admin.
func TestMember_LastAdminConcurrent(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	for round := 0; round < 5; round++ {
		// Two admins: admin A and the facilitator.
		for _, u := range []*models.User{f.AdminA, f.Facilitator} {
			rec := ta.do(req{method: "PATCH", path: memberPath(f.A.ID, u.ID), as: f.Super, body: map[string]any{"roles": []string{"admin"}}})
			wantStatus(t, rec, http.StatusOK)
		}
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i, pair := range [][2]*models.User{{f.AdminA, f.Facilitator}, {f.Facilitator, f.AdminA}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body, _ := json.Marshal(map[string]any{"roles": []string{"resident"}})
				hr := httptest.NewRequest("PATCH", memberPath(f.A.ID, pair[1].ID), bytes.NewReader(body))
				hr.Header.Set("Content-Type", "application/json")
				hr.Header.Set("Authorization", "Bearer "+ta.token(pair[0]))
				rec := httptest.NewRecorder()
				ta.e.ServeHTTP(rec, hr)
				codes[i] = rec.Code
			}()
		}
		wg.Wait()
		admins := decode[itemsPage[models.MemberView]](t, ta.do(req{method: "GET", path: membersPath(f.A.ID) + "?role=admin", as: f.Super}))
		if len(admins.Items) != 1 {
			t.Fatalf("round %d: statuses=%v left %d admins, want exactly 1", round, codes, len(admins.Items))
		}
		// The loser was refused as last admin, or as no longer an admin at all.
		if !(codes[0] == http.StatusOK) == !(codes[1] == http.StatusOK) {
			t.Fatalf("round %d: statuses=%v, want one 200", round, codes)
		}
	}
}
