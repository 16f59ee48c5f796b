package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m1301Resolution is the resolutions table with the column this step adds: the minority's view,
// what the outvoted side asked to have recorded with the resolution (docs/paper.md "The
// minority's view").
type m1301Resolution struct {
	MinorityOpinion string `gorm:"type:varchar(2000);not null;default:''"`
}

func (m1301Resolution) TableName() string { return "resolutions" }

// m1301Projector is the projector table with the column this step adds: the resolution the wall
// shows in its resolution mode, so the facilitator reads a draft out before adopting it.
type m1301Projector struct {
	ResolutionID *uint64 `gorm:""`
}

func (m1301Projector) TableName() string { return "projector_states" }

func resolutionReviewStep() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "202612051301_resolution_review",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
			if !m.HasColumn(&m1301Resolution{}, "MinorityOpinion") {
				if err := m.AddColumn(&m1301Resolution{}, "MinorityOpinion"); err != nil {
					return err
				}
			}
			if !m.HasColumn(&m1301Projector{}, "ResolutionID") {
				return m.AddColumn(&m1301Projector{}, "ResolutionID")
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			if err := tx.Migrator().DropColumn(&m1301Projector{}, "ResolutionID"); err != nil {
				return err
			}
			return tx.Migrator().DropColumn(&m1301Resolution{}, "MinorityOpinion")
		},
	}
}
