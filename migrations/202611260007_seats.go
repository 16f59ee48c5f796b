package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m0007Community    struct{ ID uint64 }
	m0007Meeting      struct{ ID uint64 }
	m0007User         struct{ ID uint64 }
	m0007Organization struct{ ID uint64 }
)

func (m0007Community) TableName() string    { return "communities" }
func (m0007Meeting) TableName() string      { return "meetings" }
func (m0007User) TableName() string         { return "users" }
func (m0007Organization) TableName() string { return "organizations" }

// seatStep creates the stakeholder seats of a round table (docs/domain.md "The round table"): who is invited
// to sit at the table for which side or body — a member, an organization of the community,
// someone from outside by name, or nobody yet. A removed seat keeps its row, like a dissolved
// card group.
func seatStep() *gormigrate.Migration {
	type meetingSeat struct {
		ID uint64 `gorm:"primaryKey"`
		// The unique key (meeting, invitee) also serves the meeting's foreign key.
		MeetingID   uint64         `gorm:"not null;uniqueIndex:ux_meeting_seats_invitee,priority:1"`
		Meeting     m0007Meeting   `gorm:"constraint:OnDelete:CASCADE"`
		CommunityID uint64         `gorm:"not null"`
		Community   m0007Community `gorm:"constraint:OnDelete:RESTRICT"`
		Kind        string         `gorm:"type:varchar(20);not null"`
		Label       string         `gorm:"type:varchar(30);not null"`
		Position    int            `gorm:"not null"`
		UserID      *uint64        `gorm:"index:ix_meeting_seats_user"`
		User        *m0007User     `gorm:"constraint:OnDelete:RESTRICT"`
		// OrganizationID may come with a person: the department and the official it sends.
		OrganizationID *uint64            `gorm:"index:ix_meeting_seats_organization"`
		Organization   *m0007Organization `gorm:"constraint:OnDelete:RESTRICT"`
		GuestName      *string            `gorm:"type:varchar(50)"`
		// InviteeKey names the invitee ("u:7", "o:3", "o:3:李科长", "n:王工"), NULL for an open or
		// removed seat: the unique key keeps one person or body from holding two seats of a meeting.
		InviteeKey *string    `gorm:"type:varchar(80);uniqueIndex:ux_meeting_seats_invitee,priority:2"`
		InvitedAt  *time.Time `gorm:""`
		CreatedBy  uint64     `gorm:"not null"`
		CreatedAt  time.Time  `gorm:"not null"`
		UpdatedAt  time.Time  `gorm:"not null"`
		// RemovedAt marks a seat taken off the table; the row stays for the record.
		RemovedAt *time.Time `gorm:""`
	}
	return &gormigrate.Migration{
		ID: "202611260007_seats",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&meetingSeat{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("meeting_seats")
		},
	}
}
