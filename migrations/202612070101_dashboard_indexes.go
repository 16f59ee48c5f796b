package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// dashIndex is an index this step adds, and the one-column index it makes redundant (dropped,
// and made again on rollback).
type dashIndex struct {
	table, name, columns string
	replaces, oldColumns string
}

// dashboardIndexesStep adds the indexes the dashboard's grouped counts read without touching the
// rows (docs/desk.md "Tests and the benchmark"): cards by cycle and origin, survey answers by
// resolution and level, and each item's updates by time (an item's first update is one seek).
// The cards and updates indexes start with the column of the index they replace, which serves
// every query (and, on MySQL, foreign key) that used it.
func dashboardIndexesStep() *gormigrate.Migration {
	steps := []dashIndex{
		{table: "cards", name: "ix_cards_cycle_origin", columns: "cycle_id, origin", replaces: "ix_cards_cycle", oldColumns: "cycle_id"},
		{table: "survey_answers", name: "ix_survey_answers_resolution_level", columns: "resolution_id, level"},
		{table: "item_updates", name: "ix_item_updates_item_created", columns: "item_id, created_at", replaces: "ix_item_updates_item", oldColumns: "item_id"},
	}
	return &gormigrate.Migration{
		ID: "202612070101_dashboard_indexes",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
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
			return nil
		},
	}
}
