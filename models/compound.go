package models

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Compound 小区 is a residential compound inside a community.
type Compound struct {
	ID             uint64    `gorm:"primaryKey" json:"id"`
	CommunityID    uint64    `json:"community_id"`
	Name           string    `json:"name"`
	Address        string    `json:"address"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	BuildingCount  int64     `gorm:"-" json:"building_count"`
	HouseholdCount int64     `gorm:"-" json:"household_count"`
}

// TableName pins the table.
func (Compound) TableName() string { return "compounds" }

// Building 楼栋/单元 is a building or stairwell of a compound.
type Building struct {
	ID         uint64    `gorm:"primaryKey" json:"id"`
	CompoundID uint64    `json:"compound_id"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
}

// TableName pins the table.
func (Building) TableName() string { return "buildings" }

// Household 户 is one exclusive unit: a room in a building, with its area. Areas are kept in
// hundredths of a square metre so that owners' votes weighted by area add up exactly.
type Household struct {
	ID            uint64    `gorm:"primaryKey" json:"id"`
	CompoundID    uint64    `json:"compound_id"`
	BuildingID    uint64    `json:"building_id"`
	BuildingName  string    `gorm:"->;-:migration" json:"building_name"`
	Room          string    `json:"room"`
	AreaCenti     int64     `json:"-"`
	Area          float64   `gorm:"-" json:"area"`
	OwnerOccupied bool      `json:"owner_occupied"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// TableName pins the table.
func (Household) TableName() string { return "households" }

// AfterFind fills the area in square metres.
func (h *Household) AfterFind(*gorm.DB) error {
	h.Area = float64(h.AreaCenti) / 100
	return nil
}

// AreaToCenti converts square metres to hundredths, rounding half away from zero.
func AreaToCenti(m2 float64) int64 { return int64(math.Round(m2 * 100)) }

// CompoundInput creates a compound.
type CompoundInput struct{ Name, Address string }

// HouseholdInput creates a household.
type HouseholdInput struct {
	BuildingID    uint64
	Room          string
	Area          float64
	OwnerOccupied bool
}

// CreateCompound adds a compound to a community; admins only.
func (s *Store) CreateCompound(ctx context.Context, a Actor, communityID uint64, in CompoundInput) (*Compound, error) {
	c := &Compound{CommunityID: communityID, Name: strings.TrimSpace(in.Name), Address: strings.TrimSpace(in.Address)}
	err := s.tx(ctx, func(tx *Tx) error {
		if _, err := tx.writeAccess(a, communityID, RoleAdmin); err != nil {
			return err
		}
		if err := tx.Create(c).Error; err != nil {
			if isDuplicate(err) {
				return FieldError("name", "compound_exists")
			}
			return fmt.Errorf("create compound: %w", err)
		}
		_, err := tx.AppendEvent(EventInput{CommunityID: communityID, Type: EvCompoundCreated,
			SubjectType: "compound", SubjectID: c.ID, Actor: a.ref(), Visibility: VisPublic,
			Payload: CompoundCreatedPayload{Name: c.Name, Address: c.Address}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ListCompounds lists a community's compounds with their counts, to its members.
func (s *Store) ListCompounds(ctx context.Context, a Actor, communityID uint64) ([]Compound, error) {
	if _, err := s.readAccess(ctx, a, communityID); err != nil {
		return nil, err
	}
	db := s.rdb(ctx)
	var out []Compound
	if err := db.Where("community_id = ?", communityID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list compounds: %w", err)
	}
	type count struct {
		CompoundID uint64
		N          int64
	}
	var bs, hs []count
	if err := db.Model(&Building{}).Select("compound_id, count(*) AS n").
		Where("compound_id IN (?)", db.Model(&Compound{}).Select("id").Where("community_id = ?", communityID)).
		Group("compound_id").Scan(&bs).Error; err != nil {
		return nil, fmt.Errorf("count buildings: %w", err)
	}
	if err := db.Model(&Household{}).Select("compound_id, count(*) AS n").
		Where("compound_id IN (?)", db.Model(&Compound{}).Select("id").Where("community_id = ?", communityID)).
		Group("compound_id").Scan(&hs).Error; err != nil {
		return nil, fmt.Errorf("count households: %w", err)
	}
	for i := range out {
		for _, b := range bs {
			if b.CompoundID == out[i].ID {
				out[i].BuildingCount = b.N
			}
		}
		for _, h := range hs {
			if h.CompoundID == out[i].ID {
				out[i].HouseholdCount = h.N
			}
		}
	}
	return out, nil
}

// compoundCommunity finds the community that owns a compound.
func compoundCommunity(db *gorm.DB, compoundID uint64) (uint64, error) {
	var c Compound
	if err := db.Select("id", "community_id").Take(&c, compoundID).Error; err != nil {
		return 0, notFound(err)
	}
	return c.CommunityID, nil
}

// CreateBuilding adds a building or stairwell to a compound; admins only.
func (s *Store) CreateBuilding(ctx context.Context, a Actor, compoundID uint64, name string) (*Building, error) {
	b := &Building{CompoundID: compoundID, Name: strings.TrimSpace(name)}
	err := s.tx(ctx, func(tx *Tx) error {
		cid, err := compoundCommunity(tx.DB, compoundID)
		if err != nil {
			return err
		}
		if _, err := tx.writeAccess(a, cid, RoleAdmin); err != nil {
			return err
		}
		if err := tx.Create(b).Error; err != nil {
			if isDuplicate(err) {
				return FieldError("name", "building_exists")
			}
			return fmt.Errorf("create building: %w", err)
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: cid, Type: EvBuildingCreated,
			SubjectType: "building", SubjectID: b.ID, Actor: a.ref(), Visibility: VisPublic,
			Payload: BuildingCreatedPayload{CompoundID: compoundID, Name: b.Name}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// ListBuildings lists a compound's buildings to members of its community.
func (s *Store) ListBuildings(ctx context.Context, a Actor, compoundID uint64) ([]Building, error) {
	cid, err := compoundCommunity(s.rdb(ctx), compoundID)
	if err != nil {
		return nil, err
	}
	if _, err := s.readAccess(ctx, a, cid); err != nil {
		return nil, err
	}
	var out []Building
	if err := s.rdb(ctx).Where("compound_id = ?", compoundID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list buildings: %w", err)
	}
	return out, nil
}

// CreateHousehold adds a household to a building of the compound; admins only.
func (s *Store) CreateHousehold(ctx context.Context, a Actor, compoundID uint64, in HouseholdInput) (*Household, error) {
	h := &Household{CompoundID: compoundID, BuildingID: in.BuildingID, Room: strings.TrimSpace(in.Room),
		AreaCenti: AreaToCenti(in.Area), OwnerOccupied: in.OwnerOccupied}
	err := s.tx(ctx, func(tx *Tx) error {
		cid, err := compoundCommunity(tx.DB, compoundID)
		if err != nil {
			return err
		}
		if _, err := tx.writeAccess(a, cid, RoleAdmin); err != nil {
			return err
		}
		var b Building
		if err := tx.Where("id = ? AND compound_id = ?", in.BuildingID, compoundID).Take(&b).Error; err != nil {
			if notFound(err) == errNotFound {
				return FieldError("building_id", "building_not_in_compound")
			}
			return err
		}
		if err := tx.Omit("BuildingName").Create(h).Error; err != nil {
			if isDuplicate(err) {
				return FieldError("room", "household_exists")
			}
			return fmt.Errorf("create household: %w", err)
		}
		h.BuildingName = b.Name
		h.Area = float64(h.AreaCenti) / 100
		_, err = tx.AppendEvent(EventInput{CommunityID: cid, Type: EvHouseholdCreated,
			SubjectType: "household", SubjectID: h.ID, Actor: a.ref(), Visibility: VisMembers,
			Payload: HouseholdCreatedPayload{CompoundID: compoundID, BuildingID: b.ID, Room: h.Room, AreaCenti: h.AreaCenti}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// ListHouseholds lists a compound's households (optionally of one building) to staff.
func (s *Store) ListHouseholds(ctx context.Context, a Actor, compoundID, buildingID uint64) ([]Household, error) {
	cid, err := compoundCommunity(s.rdb(ctx), compoundID)
	if err != nil {
		return nil, err
	}
	if _, err := s.readAccess(ctx, a, cid, RoleAdmin, RoleGridWorker, RoleFacilitator, RoleCommittee); err != nil {
		return nil, err
	}
	q := s.rdb(ctx).Table("households").
		Select("households.*, buildings.name AS building_name").
		Joins("JOIN buildings ON buildings.id = households.building_id").
		Where("households.compound_id = ?", compoundID)
	if buildingID != 0 {
		q = q.Where("households.building_id = ?", buildingID)
	}
	var out []Household
	if err := q.Order("households.building_id, households.room").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list households: %w", err)
	}
	return out, nil
}

// PlaceTree is a community's compounds, buildings and rooms, for the registration form.
type PlaceTree struct {
	Compounds []PlaceCompound `json:"compounds"`
}

// PlaceCompound is one compound of a PlaceTree.
type PlaceCompound struct {
	ID        uint64          `json:"id"`
	Name      string          `json:"name"`
	Buildings []PlaceBuilding `json:"buildings"`
}

// PlaceBuilding is one building of a PlaceTree; households show their room only.
type PlaceBuilding struct {
	ID         uint64       `json:"id"`
	Name       string       `json:"name"`
	Households []PlaceHouse `json:"households"`
}

// PlaceHouse is a room label, nothing more.
type PlaceHouse struct {
	ID   uint64 `json:"id"`
	Room string `json:"room"`
}

// PublicPlaces returns the tree a resident picks their home from when registering.
func (s *Store) PublicPlaces(ctx context.Context, communityID uint64) (*PlaceTree, error) {
	db := s.rdb(ctx)
	var n int64
	if err := db.Model(&Community{}).Where("id = ?", communityID).Count(&n).Error; err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errNotFound
	}
	var cs []Compound
	if err := db.Where("community_id = ?", communityID).Order("id").Find(&cs).Error; err != nil {
		return nil, err
	}
	tree := &PlaceTree{Compounds: []PlaceCompound{}}
	for _, c := range cs {
		pc := PlaceCompound{ID: c.ID, Name: c.Name, Buildings: []PlaceBuilding{}}
		var bs []Building
		if err := db.Where("compound_id = ?", c.ID).Order("id").Find(&bs).Error; err != nil {
			return nil, err
		}
		var hs []Household
		if err := db.Select("id", "building_id", "room").Where("compound_id = ?", c.ID).Order("room").Find(&hs).Error; err != nil {
			return nil, err
		}
		for _, b := range bs {
			pb := PlaceBuilding{ID: b.ID, Name: b.Name, Households: []PlaceHouse{}}
			for _, h := range hs {
				if h.BuildingID == b.ID {
					pb.Households = append(pb.Households, PlaceHouse{ID: h.ID, Room: h.Room})
				}
			}
			pc.Buildings = append(pc.Buildings, pb)
		}
		tree.Compounds = append(tree.Compounds, pc)
	}
	return tree, nil
}
