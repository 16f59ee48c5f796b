package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Kinds of owner in the owners' register (业主名册).
const (
	OwnerMember = "member" // a member of the community, by user id
	OwnerNamed  = "named"  // someone the app knows by name only
)

// MaxOwnerNameRunes is the longest owner name, in characters.
const MaxOwnerNameRunes = 50

// ownerManagers keep the owners' register and see who owns what; owners' names are personal data
// that no other role needs.
var ownerManagers = []string{RoleAdmin, RoleFacilitator}

// householdOwner is the register's record of one exclusive unit's owner. OwnerKey is shared by
// every unit of one owner: "u:<user id>" for a member, "n:<household id>" for an owner known by
// name (the unit they were first recorded on), so no name ever needs to match another.
type householdOwner struct {
	ID          uint64 `gorm:"primaryKey"`
	HouseholdID uint64
	CommunityID uint64
	CompoundID  uint64
	OwnerKey    string
	UserID      *uint64
	OwnerName   *string
	UpdatedBy   uint64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (householdOwner) TableName() string { return "household_owners" }

func memberOwnerKey(userID uint64) string { return "u:" + strconv.FormatUint(userID, 10) }

func namedOwnerKey(householdID uint64) string { return "n:" + strconv.FormatUint(householdID, 10) }

// OwnerScope is what an owners' vote covers: a compound, or only some of its buildings or
// stairwells (an elevator retrofit is voted per stairwell, docs/domain.md "Owners' decisions: Civil Code article 278").
type OwnerScope struct {
	CompoundID  uint64
	BuildingIDs []uint64
}

func (sc OwnerScope) households(db *gorm.DB) *gorm.DB {
	q := db.Table("households").Where("households.compound_id = ?", sc.CompoundID)
	if len(sc.BuildingIDs) > 0 {
		q = q.Where("households.building_id IN ?", sc.BuildingIDs)
	}
	return q
}

// OwnerBase is the eligible base of an owners' vote over a scope, the denominators of the Civil
// Code art. 278 thresholds: every exclusive unit in it, the owners by head — an owner of several
// units counted once, a unit with no recorded owner counted as an owner of its own — and the
// exclusive area in hundredths of a square metre.
type OwnerBase struct {
	Units     int64
	Heads     int64
	AreaCenti int64
}

// ownerBase counts a scope's units, owners by head and area, in one query. It is what an owners'
// poll's eligible figures come from (tally.Input.EligibleOwners and EligibleArea); call it inside
// the transaction that reads the tallies so both see one register.
func ownerBase(db *gorm.DB, sc OwnerScope) (OwnerBase, error) {
	var row struct {
		Units, Area, Recorded, OwnerKeys int64
	}
	err := sc.households(db).
		Select("COUNT(*) AS units, COALESCE(SUM(households.area_centi), 0) AS area, " +
			"COUNT(household_owners.id) AS recorded, COUNT(DISTINCT household_owners.owner_key) AS owner_keys").
		Joins("LEFT JOIN household_owners ON household_owners.household_id = households.id").Take(&row).Error
	if err != nil {
		return OwnerBase{}, fmt.Errorf("count owners of compound %d: %w", sc.CompoundID, err)
	}
	return OwnerBase{Units: row.Units, Heads: row.OwnerKeys + row.Units - row.Recorded, AreaCenti: row.Area}, nil
}

// OwnerStake is one member's exclusive units in a scope and their area (hundredths of m²): an
// owners' poll takes their one ballot with this weight.
type OwnerStake struct {
	UserID       uint64
	HouseholdIDs []uint64
	AreaCenti    int64
}

// ownerStake finds the units a member owns in a scope; nil when they own none there. It reads
// the member's own rows only, so a ballot costs the same in a compound of any size.
func ownerStake(db *gorm.DB, sc OwnerScope, userID uint64) (*OwnerStake, error) {
	var rows []struct {
		ID        uint64
		AreaCenti int64
	}
	err := sc.households(db).Select("households.id, households.area_centi").
		Joins("JOIN household_owners ON household_owners.household_id = households.id").
		Where("household_owners.owner_key = ?", memberOwnerKey(userID)).Order("households.id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read units of owner %d: %w", userID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	st := &OwnerStake{UserID: userID}
	for _, r := range rows {
		st.HouseholdIDs = append(st.HouseholdIDs, r.ID)
		st.AreaCenti += r.AreaCenti
	}
	return st, nil
}

// checkScope confirms that the buildings of a scope belong to its compound.
func checkScope(db *gorm.DB, sc OwnerScope) error {
	if len(sc.BuildingIDs) == 0 {
		return nil
	}
	var n int64
	if err := db.Model(&Building{}).Where("compound_id = ? AND id IN ?", sc.CompoundID, sc.BuildingIDs).
		Count(&n).Error; err != nil {
		return fmt.Errorf("check buildings: %w", err)
	}
	if n != int64(len(uniqueIDs(sc.BuildingIDs))) {
		return FieldError("building_id", "building_not_in_compound")
	}
	return nil
}

// OwnersBase returns the eligible base of an owners' vote over a scope, and the caller's own
// stake in it, to members of the compound's community.
func (s *Store) OwnersBase(ctx context.Context, a Actor, sc OwnerScope) (OwnerBase, *OwnerStake, error) {
	db := s.rdb(ctx)
	cid, err := compoundCommunity(db, sc.CompoundID)
	if err != nil {
		return OwnerBase{}, nil, err
	}
	if _, err := s.readAccess(ctx, a, cid); err != nil {
		return OwnerBase{}, nil, err
	}
	if err := checkScope(db, sc); err != nil {
		return OwnerBase{}, nil, err
	}
	var out OwnerBase
	var st *OwnerStake
	// One read transaction, so the base and the stake come from one register.
	err = db.Transaction(func(db *gorm.DB) error {
		var err error
		if out, err = ownerBase(db, sc); err != nil {
			return err
		}
		st, err = ownerStake(db, sc, a.UserID)
		return err
	})
	return out, st, err
}

// OwnerRegister is a compound's (or one building's) owners' register as one caller may see it.
// Everyone in the community sees the published list — building, room and area of every unit,
// and the totals an owners' vote counts against; admins and facilitators also see who owns each
// unit.
type OwnerRegister struct {
	CompoundID uint64  `json:"compound_id"`
	BuildingID *uint64 `json:"building_id"`
	Units      int64   `json:"units"`
	Heads      int64   `json:"heads"`
	Area       float64 `json:"area"`
	// Recorded is how many units have an owner recorded; null for those who may not see owners.
	Recorded     *int64         `json:"recorded"`
	NamesVisible bool           `json:"names_visible"`
	Items        []RegisterUnit `json:"items"`
	NextCursor   string         `json:"next_cursor"`
}

// RegisterUnit is one exclusive unit of the register.
type RegisterUnit struct {
	HouseholdID  uint64  `json:"household_id"`
	BuildingID   uint64  `json:"building_id"`
	BuildingName string  `json:"building_name"`
	Room         string  `json:"room"`
	Area         float64 `json:"area"`
	// Mine: the caller owns this unit.
	Mine bool `json:"mine"`
	// Owner is null for a unit without a recorded owner, and for everyone but admins and
	// facilitators.
	Owner *UnitOwner `json:"owner"`
}

// UnitOwner is who owns a unit, as admins and facilitators see it.
type UnitOwner struct {
	Kind     string  `json:"kind"`
	UserID   *uint64 `json:"user_id"`
	Name     string  `json:"name"`
	OwnerKey string  `json:"owner_key"`
	// Units is how many units of the compound this owner holds: more than one means they count
	// once by head with the areas added up.
	Units     int64     `json:"units"`
	UpdatedAt time.Time `json:"updated_at"`
}

type registerRow struct {
	HouseholdID  uint64
	BuildingID   uint64
	BuildingName string
	Room         string
	AreaCenti    int64
	OwnerKey     *string
	UserID       *uint64
	OwnerName    *string
	UserName     *string
	UpdatedAt    *time.Time
}

func registerQuery(db *gorm.DB) *gorm.DB {
	return db.Table("households").
		Select("households.id AS household_id, households.building_id, buildings.name AS building_name, households.room, " +
			"households.area_centi, household_owners.owner_key, household_owners.user_id, household_owners.owner_name, " +
			"users.name AS user_name, household_owners.updated_at").
		Joins("JOIN buildings ON buildings.id = households.building_id").
		Joins("LEFT JOIN household_owners ON household_owners.household_id = households.id").
		Joins("LEFT JOIN users ON users.id = household_owners.user_id")
}

// unit shapes a row for a viewer; perKey counts the compound's units per owner key.
func (r registerRow) unit(viewer uint64, staff bool, perKey map[string]int64) RegisterUnit {
	u := RegisterUnit{HouseholdID: r.HouseholdID, BuildingID: r.BuildingID, BuildingName: r.BuildingName, Room: r.Room,
		Area: float64(r.AreaCenti) / 100, Mine: r.OwnerKey != nil && *r.OwnerKey == memberOwnerKey(viewer)}
	if !staff || r.OwnerKey == nil {
		return u
	}
	o := &UnitOwner{Kind: OwnerNamed, OwnerKey: *r.OwnerKey, UserID: r.UserID, Units: perKey[*r.OwnerKey]}
	if r.UpdatedAt != nil {
		o.UpdatedAt = *r.UpdatedAt
	}
	switch {
	case r.UserID != nil:
		o.Kind = OwnerMember
		if r.UserName != nil {
			o.Name = *r.UserName
		}
	case r.OwnerName != nil:
		o.Name = *r.OwnerName
	}
	u.Owner = o
	return u
}

// keyUnits counts how many units of a compound each of the given owner keys holds.
func keyUnits(db *gorm.DB, compoundID uint64, keys []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(keys) == 0 {
		return out, nil
	}
	var rows []struct {
		OwnerKey string
		N        int64
	}
	if err := db.Model(&householdOwner{}).Select("owner_key, COUNT(*) AS n").
		Where("compound_id = ? AND owner_key IN ?", compoundID, keys).Group("owner_key").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("count units per owner: %w", err)
	}
	for _, r := range rows {
		out[r.OwnerKey] = r.N
	}
	return out, nil
}

// ListOwnerRegister returns a compound's owners' register (optionally one building's) to members
// of its community, shaped by role (see OwnerRegister).
func (s *Store) ListOwnerRegister(ctx context.Context, a Actor, compoundID, buildingID uint64) (*OwnerRegister, error) {
	db := s.rdb(ctx)
	cid, err := compoundCommunity(db, compoundID)
	if err != nil {
		return nil, err
	}
	acc, err := s.readAccess(ctx, a, cid)
	if err != nil {
		return nil, err
	}
	sc := OwnerScope{CompoundID: compoundID}
	out := &OwnerRegister{CompoundID: compoundID, NamesVisible: acc.Has(ownerManagers...), Items: []RegisterUnit{}}
	if buildingID != 0 {
		sc.BuildingIDs = []uint64{buildingID}
		out.BuildingID = &buildingID
	}
	if err := checkScope(db, sc); err != nil {
		return nil, err
	}
	err = db.Transaction(func(db *gorm.DB) error {
		base, err := ownerBase(db, sc)
		if err != nil {
			return err
		}
		out.Units, out.Heads, out.Area = base.Units, base.Heads, float64(base.AreaCenti)/100
		var rows []registerRow
		q := registerQuery(db).Where("households.compound_id = ?", compoundID)
		if buildingID != 0 {
			q = q.Where("households.building_id = ?", buildingID)
		}
		if err := q.Order("households.building_id, households.room").Find(&rows).Error; err != nil {
			return fmt.Errorf("read owners' register: %w", err)
		}
		var keys []string
		var recorded int64
		for _, r := range rows {
			if r.OwnerKey != nil {
				keys = append(keys, *r.OwnerKey)
				recorded++
			}
		}
		counts := map[string]int64{}
		if out.NamesVisible {
			out.Recorded = &recorded
			if counts, err = keyUnits(db, compoundID, uniqueStrings(keys)); err != nil {
				return err
			}
		}
		for _, r := range rows {
			out.Items = append(out.Items, r.unit(a.UserID, out.NamesVisible, counts))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// OwnerInput records who owns a unit: a member (UserID), someone known by name (Name), or the
// owner already recorded on another unit of the compound (SameOwnerAs, a household id) — the
// way an owner of several units is counted once. Exactly one is given.
type OwnerInput struct {
	UserID      *uint64
	Name        string
	SameOwnerAs *uint64
}

// readUnit reads one unit of the register in full.
func readUnit(db *gorm.DB, householdID uint64) (*RegisterUnit, error) {
	var r registerRow
	if err := registerQuery(db).Where("households.id = ?", householdID).Take(&r).Error; err != nil {
		return nil, notFound(err)
	}
	var counts map[string]int64
	if r.OwnerKey != nil {
		var h Household
		if err := db.Select("compound_id").Take(&h, householdID).Error; err != nil {
			return nil, fmt.Errorf("read household %d: %w", householdID, err)
		}
		var err error
		if counts, err = keyUnits(db, h.CompoundID, []string{*r.OwnerKey}); err != nil {
			return nil, err
		}
	}
	u := r.unit(0, true, counts)
	return &u, nil
}

// lockHousehold reads a household with its community inside tx, locking its row so that two
// changes of its owner run one after the other, and requires the actor to keep the register.
func (tx *Tx) lockHousehold(a Actor, id uint64) (*Household, uint64, error) {
	var h Household
	if err := tx.forUpdate().Select("id", "compound_id", "building_id").Take(&h, id).Error; err != nil {
		return nil, 0, notFound(err)
	}
	cid, err := compoundCommunity(tx.DB, h.CompoundID)
	if err != nil {
		return nil, 0, err
	}
	if _, err := tx.writeAccess(a, cid, ownerManagers...); err != nil {
		return nil, 0, err
	}
	return &h, cid, nil
}

// SetHouseholdOwner records or changes who owns a unit; admins and facilitators. Setting the
// same owner again changes nothing and logs nothing.
func (s *Store) SetHouseholdOwner(ctx context.Context, a Actor, householdID uint64, in OwnerInput) (*RegisterUnit, error) {
	name := strings.TrimSpace(in.Name)
	given := 0
	for _, ok := range []bool{in.UserID != nil, name != "", in.SameOwnerAs != nil} {
		if ok {
			given++
		}
	}
	err := s.tx(ctx, func(tx *Tx) error {
		h, cid, err := tx.lockHousehold(a, householdID)
		if err != nil {
			return err
		}
		switch {
		case given != 1:
			return FieldError("user_id", "owner_one_of")
		case utf8.RuneCountInString(name) > MaxOwnerNameRunes:
			return FieldError("name", "owner_name_too_long")
		}
		row := householdOwner{HouseholdID: h.ID, CommunityID: cid, CompoundID: h.CompoundID, UpdatedBy: a.UserID}
		switch {
		case in.UserID != nil:
			if _, err := access(tx.DB, Actor{UserID: *in.UserID}, cid); err != nil {
				if ErrorCode(err) == ENOTFOUND {
					return FieldError("user_id", "not_a_member")
				}
				return err
			}
			row.UserID, row.OwnerKey = in.UserID, memberOwnerKey(*in.UserID)
		case name != "":
			row.OwnerName, row.OwnerKey = &name, namedOwnerKey(h.ID)
		default:
			if *in.SameOwnerAs == h.ID {
				return FieldError("same_owner_as", "owner_same_unit")
			}
			var other householdOwner
			err := tx.Where("household_id = ?", *in.SameOwnerAs).Take(&other).Error
			switch {
			case err == nil && other.CompoundID != h.CompoundID:
				return FieldError("same_owner_as", "household_not_in_compound")
			case err != nil && notFound(err) == errNotFound:
				var n int64
				if err := tx.Model(&Household{}).Where("id = ? AND compound_id = ?", *in.SameOwnerAs, h.CompoundID).
					Count(&n).Error; err != nil {
					return fmt.Errorf("find household %d: %w", *in.SameOwnerAs, err)
				}
				if n == 0 {
					return FieldError("same_owner_as", "household_not_in_compound")
				}
				return FieldError("same_owner_as", "owner_not_recorded")
			case err != nil:
				return fmt.Errorf("read owner of household %d: %w", *in.SameOwnerAs, err)
			}
			row.UserID, row.OwnerName, row.OwnerKey = other.UserID, other.OwnerName, other.OwnerKey
		}
		var prev householdOwner
		err = tx.Where("household_id = ?", h.ID).Limit(1).Find(&prev).Error
		if err != nil {
			return fmt.Errorf("read owner of household %d: %w", h.ID, err)
		}
		now := tx.Now()
		typ := EvHouseholdOwnerSet
		payload := HouseholdOwnerPayload{HouseholdID: h.ID, CompoundID: h.CompoundID, BuildingID: h.BuildingID,
			OwnerKey: row.OwnerKey, UserID: row.UserID}
		if prev.ID != 0 {
			if prev.OwnerKey == row.OwnerKey && equalPtr(prev.UserID, row.UserID) && equalPtr(prev.OwnerName, row.OwnerName) {
				return nil
			}
			typ, payload.PreviousOwnerKey = EvHouseholdOwnerChanged, ptr(prev.OwnerKey)
			if err := tx.Model(&householdOwner{}).Where("id = ?", prev.ID).Updates(map[string]any{"owner_key": row.OwnerKey,
				"user_id": row.UserID, "owner_name": row.OwnerName, "updated_by": a.UserID, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("change owner of household %d: %w", h.ID, err)
			}
		} else {
			row.CreatedAt, row.UpdatedAt = now, now
			if err := tx.Create(&row).Error; err != nil {
				return fmt.Errorf("record owner of household %d: %w", h.ID, err)
			}
		}
		// The event names the owner by key and, for a member, user id; never by name.
		_, err = tx.AppendEvent(EventInput{CommunityID: cid, Type: typ, SubjectType: "household", SubjectID: h.ID,
			Actor: a.ref(), Visibility: VisCommittee, Payload: payload})
		return err
	})
	if err != nil {
		return nil, err
	}
	return readUnit(s.write.WithContext(ctx), householdID)
}

// ClearHouseholdOwner removes a unit's owner record (the unit then counts as an owner of its own);
// admins and facilitators. Clearing a unit without one changes nothing.
func (s *Store) ClearHouseholdOwner(ctx context.Context, a Actor, householdID uint64) error {
	return s.tx(ctx, func(tx *Tx) error {
		h, cid, err := tx.lockHousehold(a, householdID)
		if err != nil {
			return err
		}
		var prev householdOwner
		if err := tx.Where("household_id = ?", h.ID).Limit(1).Find(&prev).Error; err != nil {
			return fmt.Errorf("read owner of household %d: %w", h.ID, err)
		}
		if prev.ID == 0 {
			return nil
		}
		if err := tx.Delete(&householdOwner{}, prev.ID).Error; err != nil {
			return fmt.Errorf("clear owner of household %d: %w", h.ID, err)
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: cid, Type: EvHouseholdOwnerCleared, SubjectType: "household",
			SubjectID: h.ID, Actor: a.ref(), Visibility: VisCommittee,
			Payload: HouseholdOwnerClearedPayload{HouseholdID: h.ID, CompoundID: h.CompoundID, BuildingID: h.BuildingID,
				PreviousOwnerKey: prev.OwnerKey}})
		return err
	})
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func uniqueIDs(ids []uint64) []uint64 {
	seen := map[uint64]bool{}
	out := make([]uint64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func uniqueStrings(ss []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
