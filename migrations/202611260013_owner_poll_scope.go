package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m0013Poll      struct{ ID uint64 }
	m0013Compound  struct{ ID uint64 }
	m0013Building  struct{ ID uint64 }
	m0013Household struct{ ID uint64 }
	m0013User      struct{ ID uint64 }
)

func (m0013Poll) TableName() string      { return "polls" }
func (m0013Compound) TableName() string  { return "compounds" }
func (m0013Building) TableName() string  { return "buildings" }
func (m0013Household) TableName() string { return "households" }
func (m0013User) TableName() string      { return "users" }

// m0013OfflineTally and m0013OfflineTallyEdit are the offline tables of step 202611260008 with
// only the columns this step adds: the area behind each option's paper count (owners' polls),
// as JSON of option id → hundredths of m², before and after each edit.
type m0013OfflineTally struct {
	Areas *string `gorm:"type:text"`
}

func (m0013OfflineTally) TableName() string { return "poll_offline_tallies" }

type m0013OfflineTallyEdit struct {
	PreviousAreas *string `gorm:"type:text"`
	Areas         *string `gorm:"type:text"`
}

func (m0013OfflineTallyEdit) TableName() string { return "poll_offline_tally_edits" }

// ownerPollScopeStep lets the poll engine count owners' votes (docs/domain.md "Voting" and
// "Owners' decisions: Civil Code article 278"): an owners' poll's scope — the cycle's compound, or some of its buildings (an elevator
// retrofit is voted per stairwell) — with the base it counts against; the roll (表决名册) frozen
// from the owners' register when the poll opens, one row per exclusive unit with its owner and
// area, so that a register edit during the vote changes neither who may vote nor the base; and
// the area of paper ballots per option.
func ownerPollScopeStep() *gormigrate.Migration {
	// pollOwnerScope is an owners' poll's scope. Units, heads (owners, an owner of several units
	// once; a unit without a recorded owner as its own) and area (hundredths of m²) are the base,
	// frozen with the roll at the open (FrozenAt); zero before.
	type pollOwnerScope struct {
		PollID     uint64        `gorm:"primaryKey;autoIncrement:false"`
		Poll       m0013Poll     `gorm:"constraint:OnDelete:RESTRICT"`
		CompoundID uint64        `gorm:"not null;index:ix_poll_owner_scopes_compound"`
		Compound   m0013Compound `gorm:"constraint:OnDelete:RESTRICT"`
		Units      int64         `gorm:"not null;default:0"`
		Heads      int64         `gorm:"not null;default:0"`
		AreaCenti  int64         `gorm:"not null;default:0"`
		FrozenAt   *time.Time    `gorm:""`
	}
	// pollOwnerBuilding is one building of a scope limited to some buildings; a scope without
	// any covers the whole compound.
	type pollOwnerBuilding struct {
		PollID     uint64        `gorm:"primaryKey;autoIncrement:false"`
		Poll       m0013Poll     `gorm:"constraint:OnDelete:RESTRICT"`
		BuildingID uint64        `gorm:"primaryKey;autoIncrement:false;index:ix_poll_owner_buildings_building"`
		Building   m0013Building `gorm:"constraint:OnDelete:RESTRICT"`
	}
	// pollOwnerUnit is one exclusive unit of the roll: its owner's key as the register had it at
	// the open ("" for a unit without a recorded owner), the member who votes for it (null for an
	// owner known by name, who votes on paper) and its area. The index (user, poll) finds a
	// voter's units in one lookup.
	type pollOwnerUnit struct {
		PollID      uint64         `gorm:"primaryKey;autoIncrement:false;index:ix_poll_owner_units_user,priority:2"`
		Poll        m0013Poll      `gorm:"constraint:OnDelete:RESTRICT"`
		HouseholdID uint64         `gorm:"primaryKey;autoIncrement:false;index:ix_poll_owner_units_household"`
		Household   m0013Household `gorm:"constraint:OnDelete:RESTRICT"`
		OwnerKey    string         `gorm:"type:varchar(40);not null;default:''"`
		UserID      *uint64        `gorm:"index:ix_poll_owner_units_user,priority:1"`
		User        *m0013User     `gorm:"constraint:OnDelete:RESTRICT"`
		AreaCenti   int64          `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "202611260013_owner_poll_scope",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.AutoMigrate(&pollOwnerScope{}, &pollOwnerBuilding{}, &pollOwnerUnit{}); err != nil {
				return err
			}
			m := tx.Migrator()
			for _, c := range []struct {
				model any
				field string
			}{{&m0013OfflineTally{}, "Areas"}, {&m0013OfflineTallyEdit{}, "PreviousAreas"}, {&m0013OfflineTallyEdit{}, "Areas"}} {
				if !m.HasColumn(c.model, c.field) {
					if err := m.AddColumn(c.model, c.field); err != nil {
						return err
					}
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			m := tx.Migrator()
			for _, c := range []struct {
				model any
				field string
			}{{&m0013OfflineTallyEdit{}, "Areas"}, {&m0013OfflineTallyEdit{}, "PreviousAreas"}, {&m0013OfflineTally{}, "Areas"}} {
				if m.HasColumn(c.model, c.field) {
					if err := m.DropColumn(c.model, c.field); err != nil {
						return err
					}
				}
			}
			for _, n := range []string{"poll_owner_units", "poll_owner_buildings", "poll_owner_scopes"} {
				if err := m.DropTable(n); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
