package handlers

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

func ownerPath(householdID uint64) string {
	return fmt.Sprintf("/api/v1/households/%d/owner", householdID)
}

func TestOwners_Register(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	rt := &resTest{testApp: ta, spec: loadOpenAPI(t)}
	f := ta.fx
	ctx := context.Background()
	sa := f.Super.Actor()
	// 1单元 has the fixture's 101 (88.5 m²) and 102, 103; 2单元 has 201 and 202.
	b2 := must(ta.store.CreateBuilding(ctx, sa, f.CompoundA.ID, "2单元"))
	units := []*models.Household{f.HouseholdA}
	for _, u := range []struct {
		b    uint64
		room string
		area float64
	}{{f.BuildingA.ID, "102", 90.5}, {f.BuildingA.ID, "103", 100.25}, {b2.ID, "201", 60}, {b2.ID, "202", 70}} {
		units = append(units, must(ta.store.CreateHousehold(ctx, sa, f.CompoundA.ID,
			models.HouseholdInput{BuildingID: u.b, Room: u.room, Area: u.area})))
	}
	list := func(t *testing.T, as *models.User, query string) models.OwnerRegister {
		t.Helper()
		rec := rt.call(t, req{method: "GET", path: fmt.Sprintf("/api/v1/compounds/%d/owners%s", f.CompoundA.ID, query), as: as}, http.StatusOK)
		return decode[models.OwnerRegister](t, rec)
	}
	set := func(t *testing.T, as *models.User, h *models.Household, body map[string]any) models.RegisterUnit {
		t.Helper()
		return decode[models.RegisterUnit](t, rt.call(t, req{method: "PUT", path: ownerPath(h.ID), as: as, body: body}, http.StatusOK))
	}

	t.Run("OKNoOwnersYet", func(t *testing.T) {
		reg := list(t, f.Facilitator, "")
		if reg.Units != 5 || reg.Heads != 5 || reg.Area != 409.25 || reg.Recorded == nil || *reg.Recorded != 0 || !reg.NamesVisible {
			t.Fatalf("register=%+v", reg)
		}
	})
	t.Run("OKOneOwnerOfThreeUnits", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		for i, h := range units[:3] {
			u := set(t, f.Facilitator, h, map[string]any{"user_id": f.Resident.ID})
			if u.Owner == nil || u.Owner.Kind != models.OwnerMember || u.Owner.Name != "居民" || u.Owner.Units != int64(i+1) {
				t.Fatalf("unit=%+v owner=%+v", u, u.Owner)
			}
		}
		if got := ta.eventTypes(f.A.ID, before); !slices.Equal(got, []models.EventType{models.EvHouseholdOwnerSet, models.EvHouseholdOwnerSet, models.EvHouseholdOwnerSet}) {
			t.Fatalf("events=%v", got)
		}
		// The same owner again changes nothing.
		before = lastSeq(ta.events(f.A.ID))
		set(t, f.AdminA, units[0], map[string]any{"user_id": f.Resident.ID})
		if got := ta.eventTypes(f.A.ID, before); len(got) != 0 {
			t.Fatalf("setting the same owner logged %v", got)
		}
		reg := list(t, f.Facilitator, "")
		if reg.Units != 5 || reg.Heads != 3 || reg.Area != 409.25 || *reg.Recorded != 3 {
			t.Fatalf("register=%+v, want 5 units and 3 heads: the owner of three counts once", reg)
		}
		reg = list(t, f.Facilitator, fmt.Sprintf("?building_id=%d", f.BuildingA.ID))
		if reg.Units != 3 || reg.Heads != 1 || reg.Area != 279.25 || reg.BuildingID == nil || *reg.BuildingID != f.BuildingA.ID {
			t.Fatalf("1单元 register=%+v, want 3 units, 1 head, 279.25 m²", reg)
		}
	})
	t.Run("OKNamedOwnerOfTwoUnits", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		set(t, f.AdminA, units[3], map[string]any{"name": " 王建国 "})
		u := set(t, f.Facilitator, units[4], map[string]any{"same_owner_as": units[3].ID})
		if u.Owner == nil || u.Owner.Name != "王建国" || u.Owner.Kind != models.OwnerNamed || u.Owner.Units != 2 || u.Owner.UserID != nil {
			t.Fatalf("owner=%+v", u.Owner)
		}
		// The name is personal data: no event carries it.
		for _, e := range ta.events(f.A.ID) {
			if e.Seq > before && (strings.Contains(e.Payload, "王建国") || e.Visibility != models.VisCommittee) {
				t.Fatalf("event %s %s visibility %s", e.Type, e.Payload, e.Visibility)
			}
		}
		if reg := list(t, f.Facilitator, ""); reg.Heads != 2 || *reg.Recorded != 5 {
			t.Fatalf("register=%+v, want 2 heads", reg)
		}
	})
	t.Run("OKPublishedListShowsRoomAndAreaOnly", func(t *testing.T) {
		for _, as := range []*models.User{f.Resident, f.Committee, f.Unverified} {
			rec := rt.call(t, req{method: "GET", path: fmt.Sprintf("/api/v1/compounds/%d/owners", f.CompoundA.ID), as: as}, http.StatusOK)
			if body := rec.Body.String(); strings.Contains(body, "王建国") || strings.Contains(body, "居民") || strings.Contains(body, "u:") {
				t.Fatalf("published list as %s names owners: %s", as.Name, body)
			}
			reg := decode[models.OwnerRegister](t, rec)
			if reg.NamesVisible || reg.Recorded != nil || len(reg.Items) != 5 || reg.Heads != 2 || reg.Items[0].Room != "101" ||
				reg.Items[0].Area != 88.5 || reg.Items[0].BuildingName != "1单元" {
				t.Fatalf("published list as %s: %+v", as.Name, reg)
			}
			for _, it := range reg.Items {
				if it.Owner != nil || it.Mine != (as == f.Resident && it.BuildingID == f.BuildingA.ID) {
					t.Fatalf("item as %s: %+v", as.Name, it)
				}
			}
		}
	})
	t.Run("OKClear", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		rt.call(t, req{method: "DELETE", path: ownerPath(units[2].ID), as: f.Facilitator}, http.StatusNoContent)
		rt.call(t, req{method: "DELETE", path: ownerPath(units[2].ID), as: f.AdminA}, http.StatusNoContent)
		if got := ta.eventTypes(f.A.ID, before); !slices.Equal(got, []models.EventType{models.EvHouseholdOwnerCleared}) {
			t.Fatalf("events=%v", got)
		}
		if reg := list(t, f.Facilitator, ""); reg.Heads != 3 || *reg.Recorded != 4 {
			t.Fatalf("register=%+v, want the cleared unit as a head of its own", reg)
		}
	})
	t.Run("ErrBadInput", func(t *testing.T) {
		h := units[0]
		for _, c := range []struct {
			name          string
			body          any
			status        int
			code          string
			field, detail string
		}{
			{"Nothing", map[string]any{}, 422, "invalid_input", "user_id", "请三选一：选一位成员、填写业主姓名，或者选同一位业主的另一户"},
			{"Two", map[string]any{"user_id": f.Party.ID, "name": "王建国"}, 422, "invalid_input", "user_id", ""},
			{"BlankName", map[string]any{"name": "   "}, 422, "invalid_input", "user_id", ""},
			{"LongName", map[string]any{"name": strings.Repeat("王", 51)}, 422, "invalid_input", "name", "姓名最多50个字"},
			{"MemberOfAnotherCommunity", map[string]any{"user_id": f.ResidentB.ID}, 422, "invalid_input", "user_id", "这个人不是本社区成员"},
			{"UnitWithoutOwner", map[string]any{"same_owner_as": units[2].ID}, 422, "invalid_input", "same_owner_as", "那一户还没有登记业主"},
			{"ItsOwnOtherUnit", map[string]any{"same_owner_as": h.ID}, 422, "invalid_input", "same_owner_as", "请选另一户，不能选这一户本身"},
			{"UnitOfAnotherCommunity", map[string]any{"same_owner_as": f.HouseholdB.ID}, 422, "invalid_input", "same_owner_as",
				"这个房号不属于所选小区"},
			{"UnknownUnit", map[string]any{"same_owner_as": units[4].ID + 1000}, 422, "invalid_input", "same_owner_as", ""},
			{"UnknownField", `{"name":"王建国","owner_key":"u:1"}`, 400, "unknown_field", "", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				p := rt.problem(t, req{method: "PUT", path: ownerPath(h.ID), as: f.Facilitator, body: c.body}, c.status, c.code)
				if c.field == "" {
					return
				}
				if got, ok := p.Errors[c.field]; !ok || (c.detail != "" && got != c.detail) || strings.Contains(got, "rule.") {
					t.Fatalf("errors=%v, want %s: %q", p.Errors, c.field, c.detail)
				}
			})
		}
		if reg := list(t, f.Facilitator, ""); reg.Items[0].Owner == nil || reg.Items[0].Owner.Name != "居民" {
			t.Fatalf("a refused change changed the owner: %+v", reg.Items[0].Owner)
		}
		p := rt.problem(t, req{method: "GET", path: fmt.Sprintf("/api/v1/compounds/%d/owners?building_id=%d", f.CompoundA.ID, f.BuildingB.ID),
			as: f.Resident}, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "building_id", "这个楼栋不属于该小区")
		rt.problem(t, req{method: "GET", path: fmt.Sprintf("/api/v1/compounds/%d/owners?building_id=x", f.CompoundA.ID), as: f.Resident},
			http.StatusUnprocessableEntity, "invalid_input")
	})
	t.Run("ErrRoles", func(t *testing.T) {
		for _, u := range []*models.User{f.Resident, f.Committee, f.GridWorker, f.Party} {
			rt.problem(t, req{method: "PUT", path: ownerPath(units[0].ID), as: u, body: map[string]any{"name": "张三"}}, http.StatusForbidden, "forbidden")
			rt.problem(t, req{method: "DELETE", path: ownerPath(units[0].ID), as: u}, http.StatusForbidden, "forbidden")
		}
		rt.problem(t, req{method: "PUT", path: ownerPath(units[0].ID), as: f.AdminB, body: map[string]any{"name": "张三"}}, http.StatusNotFound, "not_found")
		rt.problem(t, req{method: "GET", path: fmt.Sprintf("/api/v1/compounds/%d/owners", f.CompoundA.ID), as: f.ResidentB},
			http.StatusNotFound, "not_found")
		rt.problem(t, req{method: "PUT", path: ownerPath(999999), as: f.AdminA, body: map[string]any{"name": "张三"}}, http.StatusNotFound, "not_found")
	})
}
