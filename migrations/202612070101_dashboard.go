package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

type m070101Cycle struct{ ID uint64 }

func (m070101Cycle) TableName() string { return "cycles" }

// m070101Tally is the tally of a closed cycle (models/dashboard_tally.go): its counts that the
// close makes final (participation, survey answers by level, settled items by their place),
// written once when it closes.
type m070101Tally struct {
	CycleID                  uint64       `gorm:"primaryKey;autoIncrement:false"`
	Cycle                    m070101Cycle `gorm:"constraint:OnDelete:RESTRICT"`
	Topics                   int64        `gorm:"not null;default:0"`
	Endorsements             int64        `gorm:"not null;default:0"`
	CardsOnline              int64        `gorm:"not null;default:0"`
	CardsPaper               int64        `gorm:"not null;default:0"`
	CardsTable               int64        `gorm:"not null;default:0"`
	Meetings                 int64        `gorm:"not null;default:0"`
	Attendance               int64        `gorm:"not null;default:0"`
	Polls                    int64        `gorm:"not null;default:0"`
	Ballots                  int64        `gorm:"not null;default:0"`
	TurnoutVoters            int64        `gorm:"not null;default:0"`
	TurnoutSigned            int64        `gorm:"not null;default:0"`
	SurveySatisfied          int64        `gorm:"not null;default:0"`
	SurveyBasicallySatisfied int64        `gorm:"not null;default:0"`
	SurveyDissatisfied       int64        `gorm:"not null;default:0"`
	SurveyVeryDissatisfied   int64        `gorm:"not null;default:0"`
	ItemsTotal               int64        `gorm:"not null;default:0"`
	ItemsCancelled           int64        `gorm:"not null;default:0"`
	ItemsOnTime              int64        `gorm:"not null;default:0"`
	ItemsDoneLate            int64        `gorm:"not null;default:0"`
	ItemsResponded           int64        `gorm:"not null;default:0"`
	ItemsJudged              int64        `gorm:"not null;default:0"`
}

func (m070101Tally) TableName() string { return "cycle_tallies" }

// dashIndex is an index this step adds, and the one-column index it makes redundant (dropped,
// and made again on rollback).
type dashIndex struct {
	table, name, columns string
	replaces, oldColumns string
}

// dashboardStep makes the table of the tallies of closed cycles (cycle_tallies) and adds the
// indexes the dashboard's live counts read without touching the rows (docs/desk.md "Tests and
// the benchmark"): cards by cycle and origin, survey answers by resolution and level, each
// item's updates by time (an item's first update is one seek), and items by resolution, status
// and completion (a closed cycle's open items are found without reading the settled ones).
// The cards, updates and items indexes start with the column of the index they replace, which serves
// every query (and, on MySQL, foreign key) that used it.
func dashboardStep() *gormigrate.Migration {
	steps := []dashIndex{
		{table: "cards", name: "ix_cards_cycle_origin", columns: "cycle_id, origin", replaces: "ix_cards_cycle", oldColumns: "cycle_id"},
		{table: "survey_answers", name: "ix_survey_answers_resolution_level", columns: "resolution_id, level"},
		{table: "item_updates", name: "ix_item_updates_item_created", columns: "item_id, created_at", replaces: "ix_item_updates_item", oldColumns: "item_id"},
		{table: "action_items", name: "ix_action_items_resolution_status", columns: "resolution_id, status, done_at", replaces: "ix_action_items_resolution", oldColumns: "resolution_id"},
	}
	return &gormigrate.Migration{
		ID: "202612070101_dashboard",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
			if err := tx.AutoMigrate(&m070101Tally{}); err != nil {
				return err
			}
			for _, s := range steps {
				if !m.HasIndex(s.table, s.name) {
					if err := tx.Exec("CREATE INDEX " + s.name + " ON " + s.table + " (" + s.columns + ")").Error; err != nil {
						return err
					}
				}
				if s.replaces != "" && m.HasIndex(s.table, s.replaces) {
					if err := m.DropIndex(s.table, s.replaces); err != nil {
						return err
					}
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			m := tx.Migrator()
			for _, s := range steps {
				if s.replaces != "" && !m.HasIndex(s.table, s.replaces) {
					if err := tx.Exec("CREATE INDEX " + s.replaces + " ON " + s.table + " (" + s.oldColumns + ")").Error; err != nil {
						return err
					}
				}
				if m.HasIndex(s.table, s.name) {
					if err := m.DropIndex(s.table, s.name); err != nil {
						return err
					}
				}
			}
			return m.DropTable("cycle_tallies")
		},
	}
}
