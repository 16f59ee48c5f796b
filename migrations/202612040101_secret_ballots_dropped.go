package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0101Poll is a frozen reference to polls, for the foreign key of the table the rollback makes.
type m0101Poll struct{ ID uint64 }

func (m0101Poll) TableName() string { return "polls" }

// secretBallotsDroppedStep removes the table of secret ballots (docs/ballot-secrecy.md): a secret
// ballot now lives only in its poll's running tallies, which already hold every ballot the table
// had, so dropping it loses no count. Its rows are deleted first, which on SQLite (secure_delete)
// zeroes them in their pages. A rollback makes the table again, empty.
func secretBallotsDroppedStep() *gormigrate.Migration {
	// pollSecretBallot is the table as step 202611260008 made it.
	type pollSecretBallot struct {
		ID     uint64    `gorm:"primaryKey;autoIncrement:false"`
		PollID uint64    `gorm:"not null;index:ix_poll_secret_ballots_poll"`
		Poll   m0101Poll `gorm:"constraint:OnDelete:RESTRICT"`
		Choice string    `gorm:"type:text;not null"`
		Area   int64     `gorm:"not null;default:0"`
	}
	return &gormigrate.Migration{
		ID: "202612040101_secret_ballots_dropped",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
			if !m.HasTable("poll_secret_ballots") {
				return nil
			}
			if err := tx.Exec("DELETE FROM poll_secret_ballots").Error; err != nil {
				return err
			}
			return m.DropTable("poll_secret_ballots")
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&pollSecretBallot{})
		},
	}
}
