package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m0601User      struct{ ID uint64 }
	m0601Community struct{ ID uint64 }
)

func (m0601User) TableName() string      { return "users" }
func (m0601Community) TableName() string { return "communities" }

// passwordResetStep keeps one-time password reset codes: at most one live code per person and
// channel (staff: handed over by the community office; sms: texted), stored as an argon2id hash,
// with who issued it and in which community.
func passwordResetStep() *gormigrate.Migration {
	type passwordResetCode struct {
		UserID      uint64          `gorm:"primaryKey;autoIncrement:false"`
		User        m0601User       `gorm:"constraint:OnDelete:CASCADE"`
		Channel     string          `gorm:"primaryKey;type:varchar(8)"`
		CodeHash    string          `gorm:"type:varchar(200);not null"`
		CommunityID *uint64         `gorm:"index:ix_password_reset_codes_community"`
		Community   *m0601Community `gorm:"constraint:OnDelete:CASCADE"`
		IssuedBy    *uint64         `gorm:""`
		IssuedByRef *m0601User      `gorm:"foreignKey:IssuedBy;constraint:OnDelete:SET NULL"`
		ExpiresAt   time.Time       `gorm:"not null"`
		CreatedAt   time.Time       `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "202612040601_password_resets",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&passwordResetCode{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("password_reset_codes")
		},
	}
}
