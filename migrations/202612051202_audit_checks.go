package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// auditChecksStep records each run of the chain check over a community's whole log
// (docs/audit-trail.md "The chain check"), so that the last full check and its result can be
// shown beside the log.
func auditChecksStep() *gormigrate.Migration {
	type auditCheck struct {
		ID          uint64          `gorm:"primaryKey"`
		CommunityID uint64          `gorm:"not null;index:ix_audit_checks_community,priority:1"`
		Community   m1201eCommunity `gorm:"constraint:OnDelete:CASCADE"`
		OK          bool            `gorm:"column:ok;not null"`
		Checked     int             `gorm:"not null"`
		Head        uint64          `gorm:"not null"`
		BrokenSeq   *uint64         `gorm:""`
		Reason      string          `gorm:"type:varchar(20);not null;default:''"`
		CheckedBy   *uint64         `gorm:""`
		Checker     *m1201eUser     `gorm:"foreignKey:CheckedBy;constraint:OnDelete:SET NULL"`
		CheckedAt   time.Time       `gorm:"not null;index:ix_audit_checks_community,priority:2"`
	}
	return &gormigrate.Migration{
		ID: "202612051202_audit_checks",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&auditCheck{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("audit_checks")
		},
	}
}
