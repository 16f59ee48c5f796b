package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m0012Meeting struct{ ID uint64 }
	m0012Topic   struct{ ID uint64 }
	m0012Poll    struct{ ID uint64 }
)

func (m0012Meeting) TableName() string { return "meetings" }
func (m0012Topic) TableName() string   { return "topics" }
func (m0012Poll) TableName() string    { return "polls" }

// projectorPollStep lets the wall show a poll (docs/domain.md "Voting"): projector_states gains
// the poll of the poll mode, a poll of the same meeting, which the poll engine never deletes.
func projectorPollStep() *gormigrate.Migration {
	// projectorState is the table as step 202611260006 made it, with the new column.
	type projectorState struct {
		MeetingID uint64       `gorm:"primaryKey;autoIncrement:false"`
		Meeting   m0012Meeting `gorm:"constraint:OnDelete:CASCADE"`
		Mode      string       `gorm:"type:varchar(12);not null"`
		TopicID   *uint64      `gorm:"index:ix_projector_states_topic"`
		Topic     *m0012Topic  `gorm:"constraint:OnDelete:RESTRICT"`
		Message   string       `gorm:"type:varchar(200);not null;default:''"`
		ClusterID *uint64      `gorm:""`
		PollID    *uint64      `gorm:"index:ix_projector_states_poll"`
		Poll      *m0012Poll   `gorm:"constraint:OnDelete:RESTRICT"`
		UpdatedBy uint64       `gorm:"not null"`
		UpdatedAt time.Time    `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "202611260012_projector_poll",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&projectorState{})
		},
		Rollback: func(tx *gorm.DB) error {
			m := tx.Migrator()
			if m.HasConstraint(&projectorState{}, "Poll") {
				if err := m.DropConstraint(&projectorState{}, "Poll"); err != nil {
					return err
				}
			}
			if m.HasIndex(&projectorState{}, "ix_projector_states_poll") {
				if err := m.DropIndex(&projectorState{}, "ix_projector_states_poll"); err != nil {
					return err
				}
			}
			return m.DropColumn(&projectorState{}, "poll_id")
		},
	}
}
