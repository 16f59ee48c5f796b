package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m1302User       struct{ ID uint64 }
	m1302Resolution struct{ ID uint64 }
	m1302Household  struct{ ID uint64 }
)

func (m1302User) TableName() string       { return "users" }
func (m1302Resolution) TableName() string { return "resolutions" }
func (m1302Household) TableName() string  { return "households" }

// m1302Community adds the satisfaction threshold (满意率, in percent) below which a resolution
// under evaluation is flagged for reopening.
type m1302Community struct {
	SatisfactionThreshold int `gorm:"not null;default:80"`
}

func (m1302Community) TableName() string { return "communities" }

// m1302ResolutionRound adds the evaluation round: it starts at 1 and grows each time a refused
// sign-off or a reopening sends the resolution back to implementing, so a new survey begins.
type m1302ResolutionRound struct {
	EvaluationRound int `gorm:"not null;default:1"`
}

func (m1302ResolutionRound) TableName() string { return "resolutions" }

// surveyAcceptanceStep keeps the satisfaction survey (one answer a household and round, by a
// unique key) and the committee's sign-offs (docs/notifications.md "Survey and sign-off").
func surveyAcceptanceStep() *gormigrate.Migration {
	type surveyAnswer struct {
		ID           uint64          `gorm:"primaryKey"`
		ResolutionID uint64          `gorm:"not null;uniqueIndex:ux_survey_answers_household,priority:1"`
		Resolution   m1302Resolution `gorm:"constraint:OnDelete:CASCADE"`
		Round        int             `gorm:"not null;uniqueIndex:ux_survey_answers_household,priority:2"`
		HouseholdID  uint64          `gorm:"not null;uniqueIndex:ux_survey_answers_household,priority:3"`
		Household    m1302Household  `gorm:"constraint:OnDelete:CASCADE"`
		Level        string          `gorm:"type:varchar(20);not null"`
		Via          string          `gorm:"type:varchar(10);not null"`
		RecordedBy   *uint64         `gorm:""`
		Recorder     *m1302User      `gorm:"foreignKey:RecordedBy;constraint:OnDelete:SET NULL"`
		CreatedAt    time.Time       `gorm:"not null"`
	}
	type resolutionAcceptance struct {
		ID           uint64          `gorm:"primaryKey"`
		ResolutionID uint64          `gorm:"not null;index:ix_resolution_acceptances_resolution"`
		Resolution   m1302Resolution `gorm:"constraint:OnDelete:CASCADE"`
		Round        int             `gorm:"not null"`
		UserID       *uint64         `gorm:""`
		User         *m1302User      `gorm:"constraint:OnDelete:SET NULL"`
		Decision     string          `gorm:"type:varchar(10);not null"`
		Remarks      string          `gorm:"type:text;not null"`
		CreatedAt    time.Time       `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "202612041302_survey_acceptance",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
			if !m.HasColumn(&m1302Community{}, "SatisfactionThreshold") {
				if err := m.AddColumn(&m1302Community{}, "SatisfactionThreshold"); err != nil {
					return err
				}
			}
			if !m.HasColumn(&m1302ResolutionRound{}, "EvaluationRound") {
				if err := m.AddColumn(&m1302ResolutionRound{}, "EvaluationRound"); err != nil {
					return err
				}
			}
			return tx.AutoMigrate(&surveyAnswer{}, &resolutionAcceptance{})
		},
		Rollback: func(tx *gorm.DB) error {
			if err := tx.Migrator().DropTable("resolution_acceptances", "survey_answers"); err != nil {
				return err
			}
			if err := tx.Migrator().DropColumn(&m1302ResolutionRound{}, "EvaluationRound"); err != nil {
				return err
			}
			return tx.Migrator().DropColumn(&m1302Community{}, "SatisfactionThreshold")
		},
	}
}
