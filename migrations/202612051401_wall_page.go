package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m051401ProjectorState is the projector_states table with the column this step adds: the page
// of the card wall a facilitator holds, 0 while the wall turns its pages by itself
// (docs/wall.md).
type m051401ProjectorState struct {
	Page int `gorm:"not null;default:0"`
}

func (m051401ProjectorState) TableName() string { return "projector_states" }

func wallPageStep() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "202612051401_wall_page",
		Migrate: func(tx *gorm.DB) error {
			if tx.Migrator().HasColumn(&m051401ProjectorState{}, "Page") {
				return nil
			}
			return tx.Migrator().AddColumn(&m051401ProjectorState{}, "Page")
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropColumn(&m051401ProjectorState{}, "Page")
		},
	}
}
