package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

type (
	m0502User      struct{ ID uint64 }
	m0502Community struct{ ID uint64 }
	m0502Compound  struct{ ID uint64 }
	m0502Household struct{ ID uint64 }
)

func (m0502User) TableName() string      { return "users" }
func (m0502Community) TableName() string { return "communities" }
func (m0502Compound) TableName() string  { return "compounds" }
func (m0502Household) TableName() string { return "households" }

// invitationsStep keeps an admin's offer of membership to a person, which the person accepts or
// declines (docs/invitations.md): one row per community and person, holding what the admin
// typed (name, phone), the offered roles and home, whether the admin vouches for the person's
// identity, and the answer.
func invitationsStep() *gormigrate.Migration {
	type memberInvitation struct {
		ID          uint64          `gorm:"primaryKey"`
		CommunityID uint64          `gorm:"not null;uniqueIndex:ux_member_invitations_community_user,priority:1"`
		Community   m0502Community  `gorm:"constraint:OnDelete:RESTRICT"`
		UserID      uint64          `gorm:"not null;uniqueIndex:ux_member_invitations_community_user,priority:2;index:ix_member_invitations_user"`
		User        m0502User       `gorm:"constraint:OnDelete:CASCADE"`
		Name        string          `gorm:"type:varchar(50);not null"`
		Phone       string          `gorm:"type:varchar(20);not null"`
		Roles       string          `gorm:"type:varchar(200);not null"`
		CompoundID  *uint64         `gorm:""`
		Compound    *m0502Compound  `gorm:"constraint:OnDelete:RESTRICT"`
		HouseholdID *uint64         `gorm:""`
		Household   *m0502Household `gorm:"constraint:OnDelete:RESTRICT"`
		Verify      bool            `gorm:"not null;default:false"`
		InvitedBy   uint64          `gorm:"not null"`
		Inviter     m0502User       `gorm:"foreignKey:InvitedBy;constraint:OnDelete:RESTRICT"`
		Status      string          `gorm:"type:varchar(16);not null"`
		CreatedAt   time.Time       `gorm:"not null"`
		ExpiresAt   time.Time       `gorm:"not null"`
		DecidedAt   *time.Time      `gorm:""`
	}
	return &gormigrate.Migration{
		ID: "202612040502_invitations",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&memberInvitation{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("member_invitations")
		},
	}
}
