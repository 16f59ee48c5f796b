package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m0005Community struct{ ID uint64 }
	m0005Meeting   struct{ ID uint64 }
	m0005User      struct{ ID uint64 }
)

func (m0005Community) TableName() string { return "communities" }
func (m0005Meeting) TableName() string   { return "meetings" }
func (m0005User) TableName() string      { return "users" }

// m0005MeetingProgress is where a started meeting is on its agenda: the item speeches count on.
// It lives outside the step only to name its table, which gorm would otherwise pluralize.
type m0005MeetingProgress struct {
	MeetingID      uint64       `gorm:"primaryKey;autoIncrement:false"`
	Meeting        m0005Meeting `gorm:"constraint:OnDelete:CASCADE"`
	AgendaPosition int          `gorm:"not null"`
	UpdatedAt      time.Time    `gorm:"not null"`
}

func (m0005MeetingProgress) TableName() string { return "meeting_progress" }

// speakerStep creates the speaker queue (docs/domain.md "The round table") and each meeting's current
// agenda item.
func speakerStep() *gormigrate.Migration {
	type speakerSlot struct {
		ID          uint64         `gorm:"primaryKey"`
		MeetingID   uint64         `gorm:"not null;index:ix_speaker_slots_meeting;uniqueIndex:ux_speaker_slots_queued_user;uniqueIndex:ux_speaker_slots_queued_name"`
		Meeting     m0005Meeting   `gorm:"constraint:OnDelete:CASCADE"`
		CommunityID uint64         `gorm:"not null"`
		Community   m0005Community `gorm:"constraint:OnDelete:RESTRICT"`
		UserID      *uint64        `gorm:"index:ix_speaker_slots_user"`
		User        *m0005User     `gorm:"constraint:OnDelete:RESTRICT"`
		WalkInName  *string        `gorm:"type:varchar(50)"`
		Stance      string         `gorm:"type:varchar(8);not null"`
		// AgendaPosition is the item the speech is on: the current item when asked, and again
		// when it starts.
		AgendaPosition int    `gorm:"not null"`
		Status         string `gorm:"type:varchar(12);not null"`
		// QueuedUserID and QueuedName repeat the person while the slot waits and are NULL after:
		// the unique keys allow one waiting slot a person.
		QueuedUserID *uint64 `gorm:"uniqueIndex:ux_speaker_slots_queued_user"`
		QueuedName   *string `gorm:"type:varchar(50);uniqueIndex:ux_speaker_slots_queued_name"`
		// SpeakingMeetingID is the meeting while the slot speaks, NULL otherwise: one speaker at a
		// time.
		SpeakingMeetingID *uint64    `gorm:"uniqueIndex:ux_speaker_slots_speaking"`
		AskedBy           uint64     `gorm:"not null"`
		AskedAt           time.Time  `gorm:"not null"`
		StartedAt         *time.Time `gorm:""`
		EndedAt           *time.Time `gorm:""`
		StartedBy         *uint64    `gorm:""`
	}
	return &gormigrate.Migration{
		ID: "202611260005_speaker",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&speakerSlot{}, &m0005MeetingProgress{})
		},
		Rollback: func(tx *gorm.DB) error {
			for _, n := range []string{"meeting_progress", "speaker_slots"} {
				if err := tx.Migrator().DropTable(n); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
