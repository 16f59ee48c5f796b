package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m0006Meeting struct{ ID uint64 }
	m0006Topic   struct{ ID uint64 }
)

func (m0006Meeting) TableName() string { return "meetings" }
func (m0006Topic) TableName() string   { return "topics" }

// projectorStep creates what each meeting's wall shows (docs/domain.md "The round table": speaker slots … projector
// state"): one row a meeting, written by the facilitator's console. cluster_id has no foreign
// key yet: the step that creates clusters adds one when the wall learns to show a group.
func projectorStep() *gormigrate.Migration {
	type projectorState struct {
		MeetingID uint64       `gorm:"primaryKey;autoIncrement:false"`
		Meeting   m0006Meeting `gorm:"constraint:OnDelete:CASCADE"`
		Mode      string       `gorm:"type:varchar(12);not null"`
		TopicID   *uint64      `gorm:"index:ix_projector_states_topic"`
		Topic     *m0006Topic  `gorm:"constraint:OnDelete:RESTRICT"`
		Message   string       `gorm:"type:varchar(200);not null;default:''"`
		ClusterID *uint64      `gorm:""`
		UpdatedBy uint64       `gorm:"not null"`
		UpdatedAt time.Time    `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "202611260006_projector",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&projectorState{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("projector_states")
		},
	}
}
