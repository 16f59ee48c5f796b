package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

func TestCommunity_Create(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	body := map[string]string{"name": " 常青社区 ", "street": "唐家墩街道", "district": "江汉区", "city": "武汉市"}
	t.Run("OK", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/communities", as: ta.fx.Super, body: body})
		wantStatus(t, rec, http.StatusCreated)
		c := decode[models.Community](t, rec)
		if c.ID == 0 || c.Name != "常青社区" || c.Street != "唐家墩街道" {
			t.Fatalf("community=%+v", c)
		}
		evs := ta.events(c.ID)
		if len(evs) != 1 || evs[0].Type != models.EvCommunityCreated || evs[0].Seq != 1 {
			t.Fatalf("events=%+v, want the chain to start with community.created", evs)
		}
		all := decode[itemsPage[models.Community]](t, ta.do(req{method: "GET", path: "/api/v1/communities", as: ta.fx.Super}))
		if len(all.Items) != 3 {
			t.Fatalf("superadmin sees %d communities, want 3", len(all.Items))
		}
		own := decode[itemsPage[models.Community]](t, ta.do(req{method: "GET", path: "/api/v1/communities", as: ta.fx.Resident}))
		if len(own.Items) != 1 || own.Items[0].ID != ta.fx.A.ID {
			t.Fatalf("resident sees %+v, want only A", own.Items)
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/communities", as: ta.fx.Super, body: body})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "name", "已经有同名的社区了")
	})
	t.Run("ErrNotSuperadmin", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/communities", as: ta.fx.AdminA, body: body})
		wantProblem(t, rec, http.StatusForbidden, "forbidden")
	})
}

func TestCommunity_Update(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	path := fmt.Sprintf("/api/v1/communities/%d", ta.fx.A.ID)
	t.Run("OK", func(t *testing.T) {
		before := len(ta.events(ta.fx.A.ID))
		rec := ta.do(req{method: "PATCH", path: path, as: ta.fx.AdminA, body: map[string]string{"district": " 江岸区 "}})
		wantStatus(t, rec, http.StatusOK)
		if c := decode[models.Community](t, rec); c.District != "江岸区" || c.Name != "西桥社区" {
			t.Fatalf("community=%+v", c)
		}
		ta.wantOneEvent(t, ta.fx.A.ID, before, models.EvCommunityUpdated)
		got := decode[models.Community](t, ta.do(req{method: "GET", path: path, as: ta.fx.Resident}))
		if got.District != "江岸区" {
			t.Fatalf("after reload district=%q", got.District)
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/communities/%d", ta.fx.B.ID), as: ta.fx.AdminB,
			body: map[string]string{"name": "西桥社区"}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "name", "已经有同名的社区了")
	})
	t.Run("ErrBlank", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: path, as: ta.fx.AdminA, body: map[string]string{"name": "  "}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		if !strings.HasPrefix(p.Errors["name"], "请填写") {
			t.Fatalf("errors=%v, want name required", p.Errors)
		}
	})
}

func TestCompound_Create(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	path := fmt.Sprintf("/api/v1/communities/%d/compounds", f.A.ID)
	t.Run("OK", func(t *testing.T) {
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "POST", path: path, as: f.AdminA, body: map[string]string{"name": "常青苑", "address": "常青路1号"}})
		wantStatus(t, rec, http.StatusCreated)
		c := decode[models.Compound](t, rec)
		if c.ID == 0 || c.Name != "常青苑" || c.Address != "常青路1号" || c.CommunityID != f.A.ID {
			t.Fatalf("compound=%+v", c)
		}
		p := ta.wantOneEvent(t, f.A.ID, before, models.EvCompoundCreated)
		if p["name"] != "常青苑" {
			t.Fatalf("payload=%v", p)
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: f.AdminA, body: map[string]string{"name": "安友花园"}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "name", "这个社区已经有同名的小区了")
		rec = ta.do(req{method: "POST", path: path, as: f.AdminA, header: map[string]string{"Accept-Language": "en"}, body: map[string]string{"name": " 安友花园 "}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "name", "This community already has a compound with this name")
		if p.Title != "Invalid input" || p.Detail != "This community already has a compound with this name" {
			t.Fatalf("problem=%+v", p)
		}
		// The same name in another community is fine.
		wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/compounds", f.B.ID), as: f.AdminB,
			body: map[string]string{"name": "安友花园"}}), http.StatusCreated)
	})
	t.Run("ErrValidation", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: f.AdminA, body: map[string]string{"name": " ", "address": strings.Repeat("路", 201)}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		if !strings.HasPrefix(p.Errors["name"], "请填写") {
			t.Fatalf("errors=%v, want name required", p.Errors)
		}
		wantField(t, p, "address", "地址最多200个字")
	})
}

func TestBuilding_Create(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	path := fmt.Sprintf("/api/v1/compounds/%d/buildings", f.CompoundA.ID)
	t.Run("OK", func(t *testing.T) {
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "POST", path: path, as: f.AdminA, body: map[string]string{"name": "2单元"}})
		wantStatus(t, rec, http.StatusCreated)
		if b := decode[models.Building](t, rec); b.Name != "2单元" || b.CompoundID != f.CompoundA.ID {
			t.Fatalf("building=%+v", b)
		}
		ta.wantOneEvent(t, f.A.ID, before, models.EvBuildingCreated)
		list := decode[itemsPage[models.Building]](t, ta.do(req{method: "GET", path: path, as: f.Resident}))
		if len(list.Items) != 2 || list.Items[0].Name != "1单元" || list.Items[1].Name != "2单元" {
			t.Fatalf("buildings=%+v", list.Items)
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: f.AdminA, body: map[string]string{"name": "1单元"}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "name", "这个小区已经有同名的楼栋了")
	})
	t.Run("ErrMissingCompound", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/compounds/987654/buildings", as: f.AdminA, body: map[string]string{"name": "1栋"}})
		wantProblem(t, rec, http.StatusNotFound, "not_found")
	})
}

func TestHousehold_Create(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	path := fmt.Sprintf("/api/v1/compounds/%d/households", f.CompoundA.ID)
	t.Run("OK", func(t *testing.T) {
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "POST", path: path, as: f.AdminA,
			body: map[string]any{"building_id": f.BuildingA.ID, "room": "102", "area": 88.5, "owner_occupied": true}})
		wantStatus(t, rec, http.StatusCreated)
		h := decode[models.Household](t, rec)
		if h.Area != 88.5 || h.Room != "102" || h.BuildingName != "1单元" || !h.OwnerOccupied {
			t.Fatalf("household=%+v", h)
		}
		p := ta.wantOneEvent(t, f.A.ID, before, models.EvHouseholdCreated)
		if p["area_centi"] != float64(8850) {
			t.Fatalf("payload=%v, want area_centi 8850", p)
		}
	})
	t.Run("OKAreasRoundTrip", func(t *testing.T) {
		for i, a := range []float64{0.01, 56.65, 70.35, 99.99, 100.1, 123.45, 9999.99} {
			rec := ta.do(req{method: "POST", path: path, as: f.AdminA, body: map[string]any{"building_id": f.BuildingA.ID, "room": fmt.Sprintf("R%d", i), "area": a}})
			wantStatus(t, rec, http.StatusCreated)
			if got := decode[models.Household](t, rec).Area; got != a {
				t.Fatalf("area=%v, want %v exactly", got, a)
			}
		}
	})
	t.Run("OKList", func(t *testing.T) {
		rec := ta.do(req{method: "GET", path: path, as: f.GridWorker})
		wantStatus(t, rec, http.StatusOK)
		// The JSON itself says 88.5, not 88.49999….
		if !strings.Contains(rec.Body.String(), `"area":88.5,`) {
			t.Fatalf("list body=%s, want area 88.5", rec.Body.String())
		}
		hs := decode[itemsPage[models.Household]](t, rec).Items
		byRoom := map[string]models.Household{}
		for _, h := range hs {
			byRoom[h.Room] = h
		}
		if len(hs) != 9 || byRoom["101"].Area != 88.5 || byRoom["102"].Area != 88.5 || byRoom["R2"].Area != 70.35 || byRoom["101"].BuildingName != "1单元" {
			t.Fatalf("households=%+v", hs)
		}
		b2 := decode[models.Building](t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/compounds/%d/buildings", f.CompoundA.ID),
			as: f.AdminA, body: map[string]string{"name": "2单元"}}))
		wantStatus(t, ta.do(req{method: "POST", path: path, as: f.AdminA, body: map[string]any{"building_id": b2.ID, "room": "101", "area": 60}}), http.StatusCreated)
		only := decode[itemsPage[models.Household]](t, ta.do(req{method: "GET", path: fmt.Sprintf("%s?building_id=%d", path, b2.ID), as: f.AdminA}))
		if len(only.Items) != 1 || only.Items[0].BuildingID != b2.ID {
			t.Fatalf("building filter gave %+v", only.Items)
		}
		wantField(t, wantProblem(t, ta.do(req{method: "GET", path: path + "?building_id=x", as: f.AdminA}),
			http.StatusUnprocessableEntity, "invalid_input"), "building_id", "楼栋格式不对")
	})
	t.Run("OKCounts", func(t *testing.T) {
		rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/compounds", f.A.ID), as: f.Resident})
		wantStatus(t, rec, http.StatusOK)
		cs := decode[itemsPage[models.Compound]](t, rec).Items
		if len(cs) != 1 || cs[0].BuildingCount != 2 || cs[0].HouseholdCount != 10 {
			t.Fatalf("compounds=%+v, want 2 buildings and 10 households", cs)
		}
		rec = ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/compounds", f.B.ID), as: f.ResidentB})
		if cs := decode[itemsPage[models.Compound]](t, rec).Items; len(cs) != 1 || cs[0].BuildingCount != 1 || cs[0].HouseholdCount != 1 {
			t.Fatalf("B's compounds=%+v, want 1 building and 1 household", cs)
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: f.AdminA, body: map[string]any{"building_id": f.BuildingA.ID, "room": " 101 ", "area": 50}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "room", "这个楼栋已经有这个房号了")
		rec = ta.do(req{method: "POST", path: path, as: f.AdminA, header: map[string]string{"Accept-Language": "en-GB"},
			body: map[string]any{"building_id": f.BuildingA.ID, "room": "101", "area": 50}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "room", "This building already has this room")
	})
	t.Run("ErrOtherCompoundsBuilding", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: f.AdminA, body: map[string]any{"building_id": f.BuildingB.ID, "room": "301", "area": 50}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "building_id", "这个楼栋不属于该小区")
	})
	t.Run("ErrArea", func(t *testing.T) {
		for _, c := range []struct {
			area any
			msg  string
		}{
			{0, "面积不能小于0.01"}, {-5, "面积不能小于0.01"}, {0.001, "面积不能小于0.01"}, {10000.5, "面积不能大于10000"},
			{"88.5", "面积的类型不对"},
		} {
			rec := ta.do(req{method: "POST", path: path, as: f.AdminA, body: map[string]any{"building_id": f.BuildingA.ID, "room": "401", "area": c.area}})
			wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "area", c.msg)
		}
	})
}

// TestRegister_Pickers: the registration form lists communities and their rooms without a login,
// and shows nothing of a household beyond its room label.
func TestRegister_Pickers(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/compounds/%d/households", f.CompoundA.ID), as: f.AdminA,
		body: map[string]any{"building_id": f.BuildingA.ID, "room": "102", "area": 66.6, "owner_occupied": true}}), http.StatusCreated)
	t.Run("OKCommunities", func(t *testing.T) {
		rec := ta.do(req{method: "GET", path: "/api/v1/register/communities"})
		wantStatus(t, rec, http.StatusOK)
		cs := decode[itemsPage[models.Community]](t, rec).Items
		if len(cs) != 2 || cs[0].Name != "西桥社区" || cs[1].Name != "天门墩社区" || cs[0].Street != "唐家墩街道" {
			t.Fatalf("communities=%+v", cs)
		}
	})
	t.Run("OKPlaces", func(t *testing.T) {
		rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/register/communities/%d/places", f.A.ID)})
		wantStatus(t, rec, http.StatusOK)
		tree := decode[models.PlaceTree](t, rec)
		if len(tree.Compounds) != 1 || tree.Compounds[0].Name != "安友花园" || len(tree.Compounds[0].Buildings) != 1 {
			t.Fatalf("tree=%+v", tree)
		}
		b := tree.Compounds[0].Buildings[0]
		if b.Name != "1单元" || len(b.Households) != 2 || b.Households[0].Room != "101" || b.Households[1].Room != "102" ||
			b.Households[0].ID != f.HouseholdA.ID {
			t.Fatalf("building=%+v", b)
		}
		// Only ids, names and room labels: walk the raw JSON for any other key.
		var raw any
		if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
			t.Fatal(err)
		}
		allowed := map[string]bool{"compounds": true, "buildings": true, "households": true, "id": true, "name": true, "room": true}
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					if !allowed[k] {
						t.Fatalf("registration places show %q: %s", k, rec.Body.String())
					}
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(raw)
		for _, leak := range []string{"area", "owner", "66.6", "88.5"} {
			if strings.Contains(rec.Body.String(), leak) {
				t.Fatalf("registration places leak %q: %s", leak, rec.Body.String())
			}
		}
		// Another community's tree holds only its own places.
		rec = ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/register/communities/%d/places", f.B.ID)})
		if tb := decode[models.PlaceTree](t, rec); len(tb.Compounds) != 1 || tb.Compounds[0].ID != f.CompoundB.ID {
			t.Fatalf("B's tree=%+v", tb)
		}
	})
	t.Run("OKEmptyCommunity", func(t *testing.T) {
		c := decode[models.Community](t, ta.do(req{method: "POST", path: "/api/v1/communities", as: f.Super,
			body: map[string]string{"name": "空社区", "street": "街道", "district": "区", "city": "市"}}))
		rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/register/communities/%d/places", c.ID)})
		wantStatus(t, rec, http.StatusOK)
		if rec.Body.String() != `{"compounds":[]}`+"\n" {
			t.Fatalf("body=%q, want an empty list (not null)", rec.Body.String())
		}
	})
	t.Run("ErrMissing", func(t *testing.T) {
		wantProblem(t, ta.do(req{method: "GET", path: "/api/v1/register/communities/987654/places"}), http.StatusNotFound, "not_found")
		wantProblem(t, ta.do(req{method: "GET", path: "/api/v1/register/communities/x/places"}), http.StatusNotFound, "bad_id")
	})
}
