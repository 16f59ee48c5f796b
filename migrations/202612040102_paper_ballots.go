package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m0102Poll       struct{ ID uint64 }
	m0102PollOption struct{ ID uint64 }
	m0102Household  struct{ ID uint64 }
	m0102User       struct{ ID uint64 }
)

func (m0102Poll) TableName() string       { return "polls" }
func (m0102PollOption) TableName() string { return "poll_options" }
func (m0102Household) TableName() string  { return "households" }
func (m0102User) TableName() string       { return "users" }

// m0102OptionTally is poll_option_tallies (step 202611260008) with only the columns this step
// adds: the paper ballots entered unit by unit in an owners' poll — points (heads), the area
// behind them (hundredths of m²) and the owners they stand for.
type m0102OptionTally struct {
	OfflinePoints int64 `gorm:"not null;default:0"`
	OfflineArea   int64 `gorm:"not null;default:0"`
	OfflineVoters int64 `gorm:"not null;default:0"`
}

func (m0102OptionTally) TableName() string { return "poll_option_tallies" }

// paperBallotsStep records an owners' poll's paper ballots (书面表决票) unit by unit, so that an
// owner who voted online cannot be counted again on paper (docs/ballot-secrecy.md). Each entry
// names the unit written on the ballot, the owner it counts for (every unit of that owner in the
// roll) with their area, the ballot's number, and — in a named poll only — the choice; a secret
// poll's choice goes only to the tallies' new offline columns. A mistaken entry is voided, never
// deleted: ActiveKey is 0 while it counts and its own id once voided, so the unique keys allow
// one counting entry per owner and per ballot number and keep every voided one.
func paperBallotsStep() *gormigrate.Migration {
	type pollPaperBallot struct {
		ID          uint64           `gorm:"primaryKey"`
		PollID      uint64           `gorm:"not null;uniqueIndex:ux_poll_paper_ballots_owner,priority:1;uniqueIndex:ux_poll_paper_ballots_number,priority:1"`
		Poll        m0102Poll        `gorm:"constraint:OnDelete:RESTRICT"`
		OwnerKey    string           `gorm:"type:varchar(40);not null;uniqueIndex:ux_poll_paper_ballots_owner,priority:2"`
		BallotNo    string           `gorm:"type:varchar(20);not null;uniqueIndex:ux_poll_paper_ballots_number,priority:2"`
		ActiveKey   uint64           `gorm:"not null;default:0;uniqueIndex:ux_poll_paper_ballots_owner,priority:3;uniqueIndex:ux_poll_paper_ballots_number,priority:3"`
		HouseholdID uint64           `gorm:"not null;index:ix_poll_paper_ballots_household"`
		Household   m0102Household   `gorm:"constraint:OnDelete:RESTRICT"`
		OptionID    *uint64          `gorm:"index:ix_poll_paper_ballots_option"`
		Option      *m0102PollOption `gorm:"constraint:OnDelete:RESTRICT"`
		AreaCenti   int64            `gorm:"not null"`
		EnteredBy   uint64           `gorm:"not null;index:ix_poll_paper_ballots_entered_by"`
		Enterer     m0102User        `gorm:"foreignKey:EnteredBy;constraint:OnDelete:RESTRICT"`
		EnteredAt   time.Time        `gorm:"not null"`
		VoidedBy    *uint64          `gorm:"index:ix_poll_paper_ballots_voided_by"`
		Voider      *m0102User       `gorm:"foreignKey:VoidedBy;constraint:OnDelete:RESTRICT"`
		VoidedAt    *time.Time       `gorm:""`
		VoidReason  *string          `gorm:"type:varchar(200)"`
	}
	cols := []string{"OfflinePoints", "OfflineArea", "OfflineVoters"}
	return &gormigrate.Migration{
		ID: "202612040102_paper_ballots",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
			for _, c := range cols {
				if !m.HasColumn(&m0102OptionTally{}, c) {
					if err := m.AddColumn(&m0102OptionTally{}, c); err != nil {
						return err
					}
				}
			}
			return tx.AutoMigrate(&pollPaperBallot{})
		},
		Rollback: func(tx *gorm.DB) error {
			m := tx.Migrator()
			if err := m.DropTable("poll_paper_ballots"); err != nil {
				return err
			}
			for _, c := range cols {
				if m.HasColumn(&m0102OptionTally{}, c) {
					if err := m.DropColumn(&m0102OptionTally{}, c); err != nil {
						return err
					}
				}
			}
			return nil
		},
	}
}
