package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m1201eCommunity  struct{ ID uint64 }
	m1201eResolution struct{ ID uint64 }
	m1201eItem       struct{ ID uint64 }
	m1201eUser       struct{ ID uint64 }
)

func (m1201eCommunity) TableName() string  { return "communities" }
func (m1201eResolution) TableName() string { return "resolutions" }
func (m1201eItem) TableName() string       { return "action_items" }
func (m1201eUser) TableName() string       { return "users" }

// escalationsStep keeps the escalations of action items beyond the community's remit (吹哨 /
// 12345, docs/follow-through.md "Escalation"): the department asked, the ticket number, the
// deadline for its response, the response once recorded. overdue_noted_on is the response
// deadline the reminder job last announced as missed: a conditional update of it is what makes
// that announcement go out once however many instances run the job.
func escalationsStep() *gormigrate.Migration {
	type escalation struct {
		ID             uint64           `gorm:"primaryKey"`
		CommunityID    uint64           `gorm:"not null;index:ix_escalations_community_status,priority:1"`
		Community      m1201eCommunity  `gorm:"constraint:OnDelete:RESTRICT"`
		ResolutionID   uint64           `gorm:"not null;index:ix_escalations_resolution"`
		Resolution     m1201eResolution `gorm:"constraint:OnDelete:RESTRICT"`
		ItemID         uint64           `gorm:"not null;index:ix_escalations_item"`
		Item           m1201eItem       `gorm:"constraint:OnDelete:RESTRICT"`
		Channel        string           `gorm:"type:varchar(10);not null"`
		Department     string           `gorm:"type:varchar(100);not null"`
		TicketNo       string           `gorm:"type:varchar(40);not null;default:''"`
		Reason         string           `gorm:"type:text;not null"`
		ResponseDue    string           `gorm:"type:varchar(10);not null;index:ix_escalations_due"`
		Status         string           `gorm:"type:varchar(12);not null;index:ix_escalations_community_status,priority:2"`
		Response       string           `gorm:"type:text;not null"`
		RespondedOn    string           `gorm:"type:varchar(10);not null;default:''"`
		RespondedAt    *time.Time       `gorm:""`
		RespondedBy    *uint64          `gorm:""`
		Responder      *m1201eUser      `gorm:"foreignKey:RespondedBy;constraint:OnDelete:SET NULL"`
		OverdueNotedOn string           `gorm:"type:varchar(10);not null;default:''"`
		CreatedBy      *uint64          `gorm:""`
		Creator        *m1201eUser      `gorm:"foreignKey:CreatedBy;constraint:OnDelete:SET NULL"`
		CreatedAt      time.Time        `gorm:"not null"`
		UpdatedAt      time.Time        `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "202612051201_escalations",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&escalation{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("escalations")
		},
	}
}
