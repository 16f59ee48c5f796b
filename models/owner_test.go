package models_test

import (
	"context"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

// ownerWorld is a compound with two stairwells: 1单元 with units of 80.25, 90.50 and 100.75 m²
// and 2单元 with units of 60 and 70 m², and three verified members.
type ownerWorld struct {
	*world
	compound *models.Compound
	b1, b2   *models.Building
	units    []*models.Household // 1单元 101, 102, 103, then 2单元 201, 202
	members  []models.Actor
}

func mustOwnerWorld(t *testing.T) *ownerWorld {
	t.Helper()
	w := &ownerWorld{world: mustOpenWorld(t)}
	ctx := context.Background()
	var err error
	if w.compound, err = w.s.CreateCompound(ctx, w.super, w.c.ID, models.CompoundInput{Name: "安友花园"}); err != nil {
		t.Fatal(err)
	}
	if w.b1, err = w.s.CreateBuilding(ctx, w.super, w.compound.ID, "1单元"); err != nil {
		t.Fatal(err)
	}
	if w.b2, err = w.s.CreateBuilding(ctx, w.super, w.compound.ID, "2单元"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		b    *models.Building
		room string
		area float64
	}{{w.b1, "101", 80.25}, {w.b1, "102", 90.5}, {w.b1, "103", 100.75}, {w.b2, "201", 60}, {w.b2, "202", 70}} {
		h, err := w.s.CreateHousehold(ctx, w.super, w.compound.ID, models.HouseholdInput{BuildingID: u.b.ID, Room: u.room, Area: u.area})
		if err != nil {
			t.Fatal(err)
		}
		w.units = append(w.units, h)
	}
	w.members = addMembers(t, w.s, w.super, w.c.ID, 500, 3, models.RoleResident)
	return w
}

func (w *ownerWorld) own(t *testing.T, h *models.Household, in models.OwnerInput) *models.RegisterUnit {
	t.Helper()
	u, err := w.s.SetHouseholdOwner(context.Background(), w.super, h.ID, in)
	if err != nil {
		t.Fatalf("set owner of %s: %v", h.Room, err)
	}
	return u
}

func (w *ownerWorld) base(t *testing.T, as models.Actor, buildings ...uint64) (models.OwnerBase, *models.OwnerStake) {
	t.Helper()
	b, st, err := w.s.OwnersBase(context.Background(), as, models.OwnerScope{CompoundID: w.compound.ID, BuildingIDs: buildings})
	if err != nil {
		t.Fatal(err)
	}
	return b, st
}

func TestOwnersBase(t *testing.T) {
	t.Parallel()
	w := mustOwnerWorld(t)
	owner := w.members[0]
	t.Run("OKNoOwnersRecorded", func(t *testing.T) {
		// Every unit still counts: an unknown owner is an owner of their own unit.
		b, st := w.base(t, owner)
		if b.Units != 5 || b.Heads != 5 || b.AreaCenti != 40150 || st != nil {
			t.Fatalf("base=%+v stake=%+v, want 5 units, 5 heads, 401.50 m², no stake", b, st)
		}
	})
	t.Run("OKOneOwnerOfThreeUnits", func(t *testing.T) {
		for _, h := range w.units[:3] {
			w.own(t, h, models.OwnerInput{UserID: &owner.UserID})
		}
		b, st := w.base(t, owner)
		if b.Units != 5 || b.Heads != 3 || b.AreaCenti != 40150 {
			t.Fatalf("base=%+v, want 5 units, 3 heads (one for the three units), 401.50 m²", b)
		}
		if st == nil || st.UserID != owner.UserID || len(st.HouseholdIDs) != 3 || st.AreaCenti != 8025+9050+10075 {
			t.Fatalf("stake=%+v, want the three units with 271.50 m²", st)
		}
		// Within the stairwell alone the owner is the only head, with the three areas summed.
		b, st = w.base(t, owner, w.b1.ID)
		if b.Units != 3 || b.Heads != 1 || b.AreaCenti != 27150 || st == nil || st.AreaCenti != 27150 {
			t.Fatalf("1单元 base=%+v stake=%+v, want 3 units, 1 head, 271.50 m²", b, st)
		}
		// Another stairwell: the owner has no stake there.
		if b, st = w.base(t, owner, w.b2.ID); b.Units != 2 || b.Heads != 2 || b.AreaCenti != 13000 || st != nil {
			t.Fatalf("2单元 base=%+v stake=%+v, want 2 units, 2 heads, 130 m², no stake", b, st)
		}
		if _, st := w.base(t, w.members[1]); st != nil {
			t.Fatalf("a member who owns nothing has stake %+v", st)
		}
	})
	t.Run("OKNamedOwnerOfTwoUnits", func(t *testing.T) {
		first := w.own(t, w.units[3], models.OwnerInput{Name: "王建国"})
		second := w.own(t, w.units[4], models.OwnerInput{SameOwnerAs: &w.units[3].ID})
		if first.Owner == nil || second.Owner == nil || first.Owner.OwnerKey != second.Owner.OwnerKey ||
			second.Owner.Name != "王建国" || second.Owner.Kind != models.OwnerNamed || second.Owner.Units != 2 {
			t.Fatalf("units=%+v %+v, want one named owner of both", first.Owner, second.Owner)
		}
		if b, _ := w.base(t, owner); b.Units != 5 || b.Heads != 2 || b.AreaCenti != 40150 {
			t.Fatalf("base=%+v, want 5 units and 2 heads", b)
		}
	})
	t.Run("OKClearingSplitsAnOwner", func(t *testing.T) {
		if err := w.s.ClearHouseholdOwner(context.Background(), w.super, w.units[2].ID); err != nil {
			t.Fatal(err)
		}
		b, st := w.base(t, owner)
		if b.Heads != 3 || st == nil || len(st.HouseholdIDs) != 2 || st.AreaCenti != 17075 {
			t.Fatalf("base=%+v stake=%+v, want 3 heads and a stake of two units, 170.75 m²", b, st)
		}
	})
	t.Run("ErrBuildingOfAnotherCompound", func(t *testing.T) {
		other, err := w.s.CreateCompound(context.Background(), w.super, w.c.ID, models.CompoundInput{Name: "西桥小区"})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = w.s.OwnersBase(context.Background(), owner, models.OwnerScope{CompoundID: other.ID, BuildingIDs: []uint64{w.b1.ID}})
		if c, r := code(err); c != models.EINVALID {
			t.Fatalf("err=%v (%s %s), want a field error", err, c, r)
		}
	})
}
