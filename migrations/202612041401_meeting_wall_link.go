package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m1401Meeting is the meetings table with the column this step adds: the wall's current token,
// so every facilitator can show the link that is on the projector (docs/architecture.md "The
// wall"). Meetings made before it have none until their link is renewed.
type m1401Meeting struct {
	DisplayToken *string `gorm:"type:varchar(64)"`
}

func (m1401Meeting) TableName() string { return "meetings" }

func meetingWallLinkStep() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "202612041401_meeting_wall_link",
		Migrate: func(tx *gorm.DB) error {
			if tx.Migrator().HasColumn(&m1401Meeting{}, "DisplayToken") {
				return nil
			}
			return tx.Migrator().AddColumn(&m1401Meeting{}, "DisplayToken")
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropColumn(&m1401Meeting{}, "DisplayToken")
		},
	}
}
