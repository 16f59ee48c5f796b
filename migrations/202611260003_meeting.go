package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m0003Community struct{ ID uint64 }
	m0003Cycle     struct{ ID uint64 }
	m0003User      struct{ ID uint64 }
	m0003Card      struct{ ID uint64 }
)

func (m0003Community) TableName() string { return "communities" }
func (m0003Cycle) TableName() string     { return "cycles" }
func (m0003User) TableName() string      { return "users" }
func (m0003Card) TableName() string      { return "cards" }

// meetingStep creates round-table meetings, their agenda, the cards their minutes link and
// sign-in (docs/domain.md "The round table").
func meetingStep() *gormigrate.Migration {
	type meeting struct {
		ID          uint64         `gorm:"primaryKey"`
		CycleID     uint64         `gorm:"not null;index:ix_meetings_cycle"`
		Cycle       m0003Cycle     `gorm:"constraint:OnDelete:RESTRICT"`
		CommunityID uint64         `gorm:"not null"`
		Community   m0003Community `gorm:"constraint:OnDelete:RESTRICT"`
		Title       string         `gorm:"type:varchar(100);not null"`
		StartsAt    time.Time      `gorm:"not null"`
		Location    string         `gorm:"type:varchar(200);not null"`
		Status      string         `gorm:"type:varchar(12);not null"`
		JoinCode    string         `gorm:"type:varchar(6);not null"`
		// ActiveJoinCode is the join code while the meeting has not ended, NULL after: the unique
		// key keeps codes unique among meetings people can still join.
		ActiveJoinCode   *string    `gorm:"type:varchar(6);uniqueIndex:ux_meetings_active_join_code"`
		DisplayTokenHash string     `gorm:"type:varchar(64);not null;uniqueIndex:ux_meetings_display_token"`
		Quorum           int        `gorm:"not null;default:0"`
		SpeechSeconds    int        `gorm:"not null;default:120"`
		SpeechesPerItem  int        `gorm:"not null;default:2"`
		Summary          string     `gorm:"type:text;not null"`
		AttendeeCount    int        `gorm:"not null;default:0"`
		StartedAt        *time.Time `gorm:""`
		EndedAt          *time.Time `gorm:""`
		CreatedBy        uint64     `gorm:"not null"`
		CreatedAt        time.Time  `gorm:"not null"`
		UpdatedAt        time.Time  `gorm:"not null"`
	}
	type meetingAgendaItem struct {
		ID        uint64  `gorm:"primaryKey"`
		MeetingID uint64  `gorm:"not null;uniqueIndex:ux_agenda_meeting_position"`
		Meeting   meeting `gorm:"constraint:OnDelete:CASCADE"`
		Position  int     `gorm:"not null;uniqueIndex:ux_agenda_meeting_position"`
		Title     string  `gorm:"type:varchar(100);not null"`
		Minutes   int     `gorm:"not null"`
	}
	type meetingMinuteCard struct {
		MeetingID uint64    `gorm:"primaryKey;autoIncrement:false"`
		Meeting   meeting   `gorm:"constraint:OnDelete:CASCADE"`
		CardID    uint64    `gorm:"primaryKey;autoIncrement:false;index:ix_meeting_minute_cards_card"`
		Card      m0003Card `gorm:"constraint:OnDelete:RESTRICT"`
	}
	type attendance struct {
		ID          uint64     `gorm:"primaryKey"`
		MeetingID   uint64     `gorm:"not null;uniqueIndex:ux_attendances_user;uniqueIndex:ux_attendances_walk_in"`
		Meeting     meeting    `gorm:"constraint:OnDelete:CASCADE"`
		UserID      *uint64    `gorm:"uniqueIndex:ux_attendances_user"`
		User        *m0003User `gorm:"constraint:OnDelete:RESTRICT"`
		WalkInName  *string    `gorm:"type:varchar(50);uniqueIndex:ux_attendances_walk_in"`
		CheckedInBy uint64     `gorm:"not null"`
		Method      string     `gorm:"type:varchar(12);not null"`
		CreatedAt   time.Time  `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "202611260003_meeting",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&meeting{}, &meetingAgendaItem{}, &meetingMinuteCard{}, &attendance{})
		},
		Rollback: func(tx *gorm.DB) error {
			for _, n := range []string{"attendances", "meeting_minute_cards", "meeting_agenda_items", "meetings"} {
				if err := tx.Migrator().DropTable(n); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
