package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m0002Community struct{ ID uint64 }
	m0002Compound  struct{ ID uint64 }
	m0002User      struct{ ID uint64 }
)

func (m0002Community) TableName() string { return "communities" }
func (m0002Compound) TableName() string  { return "compounds" }
func (m0002User) TableName() string      { return "users" }

// cycleStep creates the monthly cycle, its topics and endorsements, uploads, solution cards and
// their reports (docs/domain.md "The monthly cycle", §3 "The cycle").
func cycleStep() *gormigrate.Migration {
	type cycle struct {
		ID              uint64         `gorm:"primaryKey"`
		CommunityID     uint64         `gorm:"not null;uniqueIndex:ux_cycles_community_month"`
		Community       m0002Community `gorm:"constraint:OnDelete:RESTRICT"`
		CompoundID      uint64         `gorm:"not null;index:ix_cycles_compound"`
		Compound        m0002Compound  `gorm:"constraint:OnDelete:RESTRICT"`
		Month           string         `gorm:"type:varchar(7);not null;uniqueIndex:ux_cycles_community_month"`
		Phase           string         `gorm:"type:varchar(20);not null"`
		FacilitatorID   *uint64        `gorm:""`
		Reason          string         `gorm:"type:varchar(500);not null;default:''"`
		SelectedTopicID *uint64        `gorm:""`
		SelectionReason string         `gorm:"type:varchar(500);not null;default:''"`
		CreatedBy       uint64         `gorm:"not null"`
		CreatedAt       time.Time      `gorm:"not null"`
		UpdatedAt       time.Time      `gorm:"not null"`
	}
	type topic struct {
		ID           uint64    `gorm:"primaryKey"`
		CycleID      uint64    `gorm:"not null;index:ix_topics_cycle"`
		Cycle        cycle     `gorm:"constraint:OnDelete:RESTRICT"`
		CommunityID  uint64    `gorm:"not null"`
		Title        string    `gorm:"type:varchar(100);not null"`
		Description  string    `gorm:"type:text;not null"`
		Source       string    `gorm:"type:varchar(20);not null"`
		ProposerID   *uint64   `gorm:""`
		EnteredBy    uint64    `gorm:"not null"`
		Status       string    `gorm:"type:varchar(20);not null"`
		MergedIntoID *uint64   `gorm:""`
		StatusReason string    `gorm:"type:varchar(500);not null;default:''"`
		CreatedAt    time.Time `gorm:"not null"`
		UpdatedAt    time.Time `gorm:"not null"`
	}
	type endorsement struct {
		TopicID   uint64    `gorm:"primaryKey;autoIncrement:false"`
		Topic     topic     `gorm:"constraint:OnDelete:CASCADE"`
		UserID    uint64    `gorm:"primaryKey;autoIncrement:false;index:ix_endorsements_user"`
		User      m0002User `gorm:"constraint:OnDelete:RESTRICT"`
		CreatedAt time.Time `gorm:"not null"`
	}
	type upload struct {
		ID          uint64         `gorm:"primaryKey"`
		CommunityID uint64         `gorm:"not null;index:ix_uploads_community"`
		Community   m0002Community `gorm:"constraint:OnDelete:RESTRICT"`
		UploaderID  uint64         `gorm:"not null"`
		Uploader    m0002User      `gorm:"constraint:OnDelete:RESTRICT"`
		BlobKey     string         `gorm:"type:varchar(64);not null"`
		ContentType string         `gorm:"type:varchar(40);not null"`
		Size        int64          `gorm:"not null"`
		Width       int            `gorm:"not null"`
		Height      int            `gorm:"not null"`
		CreatedAt   time.Time      `gorm:"not null"`
	}
	type card struct {
		ID               uint64    `gorm:"primaryKey"`
		CycleID          uint64    `gorm:"not null;index:ix_cards_cycle"`
		Cycle            cycle     `gorm:"constraint:OnDelete:RESTRICT"`
		CommunityID      uint64    `gorm:"not null"`
		Body             string    `gorm:"type:text;not null"`
		Anonymous        bool      `gorm:"not null;default:false"`
		Origin           string    `gorm:"type:varchar(10);not null"`
		AuthorID         *uint64   `gorm:"index:ix_cards_author"`
		AuthorName       string    `gorm:"type:varchar(50);not null;default:''"`
		EnteredBy        uint64    `gorm:"not null;uniqueIndex:ux_cards_idempotency"`
		PhotoID          *uint64   `gorm:""`
		Photo            *upload   `gorm:"constraint:OnDelete:RESTRICT"`
		Status           string    `gorm:"type:varchar(12);not null"`
		ModerationReason string    `gorm:"type:varchar(500);not null;default:''"`
		ReportCount      int       `gorm:"not null;default:0"`
		IdempotencyKey   *string   `gorm:"type:varchar(100);uniqueIndex:ux_cards_idempotency"`
		CreatedAt        time.Time `gorm:"not null"`
		UpdatedAt        time.Time `gorm:"not null"`
	}
	type cardReport struct {
		CardID    uint64    `gorm:"primaryKey;autoIncrement:false"`
		Card      card      `gorm:"constraint:OnDelete:CASCADE"`
		UserID    uint64    `gorm:"primaryKey;autoIncrement:false"`
		User      m0002User `gorm:"constraint:OnDelete:RESTRICT"`
		Reason    string    `gorm:"type:varchar(200);not null;default:''"`
		CreatedAt time.Time `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "202611260002_cycle",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&cycle{}, &topic{}, &endorsement{}, &upload{}, &card{}, &cardReport{})
		},
		Rollback: func(tx *gorm.DB) error {
			for _, n := range []string{"card_reports", "cards", "uploads", "endorsements", "topics", "cycles"} {
				if err := tx.Migrator().DropTable(n); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
