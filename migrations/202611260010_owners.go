package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m0010Community struct{ ID uint64 }
	m0010Compound  struct{ ID uint64 }
	m0010Household struct{ ID uint64 }
	m0010User      struct{ ID uint64 }
)

func (m0010Community) TableName() string { return "communities" }
func (m0010Compound) TableName() string  { return "compounds" }
func (m0010Household) TableName() string { return "households" }
func (m0010User) TableName() string      { return "users" }

// ownersStep creates the owners' register (业主名册) that owners' polls count from (docs/domain.md
// "Voting", docs/domain.md "Owners' decisions: Civil Code article 278"): who owns each exclusive unit — a member of the community, or someone
// known only by name — and an owner key shared by every unit of one owner, so that an owner of
// several units counts once by head while their areas add up. A unit has at most one record.
func ownersStep() *gormigrate.Migration {
	type householdOwner struct {
		ID          uint64         `gorm:"primaryKey"`
		HouseholdID uint64         `gorm:"not null;uniqueIndex:ux_household_owners_household"`
		Household   m0010Household `gorm:"constraint:OnDelete:RESTRICT"`
		CommunityID uint64         `gorm:"not null;index:ix_household_owners_community"`
		Community   m0010Community `gorm:"constraint:OnDelete:RESTRICT"`
		// The index (compound, owner key) serves the compound's foreign key and counting heads.
		CompoundID uint64        `gorm:"not null;index:ix_household_owners_key,priority:1"`
		Compound   m0010Compound `gorm:"constraint:OnDelete:RESTRICT"`
		// OwnerKey is "u:<user id>" for a member, "n:<household id>" for an owner known by name
		// (the id of the unit the admin first recorded them on, shared by their other units).
		OwnerKey  string     `gorm:"type:varchar(40);not null;index:ix_household_owners_key,priority:2"`
		UserID    *uint64    `gorm:"index:ix_household_owners_user"`
		User      *m0010User `gorm:"constraint:OnDelete:RESTRICT"`
		OwnerName *string    `gorm:"type:varchar(50)"`
		UpdatedBy uint64     `gorm:"not null;index:ix_household_owners_updated_by"`
		Updater   m0010User  `gorm:"foreignKey:UpdatedBy;constraint:OnDelete:RESTRICT"`
		CreatedAt time.Time  `gorm:"not null"`
		UpdatedAt time.Time  `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "202611260010_owners",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&householdOwner{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("household_owners")
		},
	}
}
