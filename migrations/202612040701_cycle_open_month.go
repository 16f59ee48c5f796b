package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0701Cycle is the cycles table of step 202611260002 with the columns this step reads and the
// one it adds: OpenMonth holds the month while the cycle is not cancelled and is null once it
// is, so the unique key on (community, open month) keeps one live cycle a month and lets a
// cancelled month be run again (NULLs never collide, on SQLite or MySQL).
type m0701Cycle struct {
	CommunityID uint64  `gorm:"not null;uniqueIndex:ux_cycles_community_open_month"`
	Month       string  `gorm:"type:varchar(7);not null"`
	Phase       string  `gorm:"type:varchar(20);not null"`
	OpenMonth   *string `gorm:"type:varchar(7);uniqueIndex:ux_cycles_community_open_month"`
}

func (m0701Cycle) TableName() string { return "cycles" }

// cycleOpenMonthStep moves "one cycle per community and month" from the month itself to the
// month of a cycle that is not cancelled. The new key is made before the old one goes: MySQL
// needs an index that starts with community_id for the cycles' foreign key at every moment.
func cycleOpenMonthStep() *gormigrate.Migration {
	const oldKey, newKey = "ux_cycles_community_month", "ux_cycles_community_open_month"
	return &gormigrate.Migration{
		ID: "202612040701_cycle_open_month",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
			if !m.HasColumn(&m0701Cycle{}, "OpenMonth") {
				if err := m.AddColumn(&m0701Cycle{}, "OpenMonth"); err != nil {
					return err
				}
			}
			if err := tx.Exec("UPDATE cycles SET open_month = month WHERE phase <> ?", "cancelled").Error; err != nil {
				return err
			}
			if !m.HasIndex(&m0701Cycle{}, newKey) {
				if err := m.CreateIndex(&m0701Cycle{}, newKey); err != nil {
					return err
				}
			}
			if m.HasIndex(&m0701Cycle{}, oldKey) {
				return m.DropIndex(&m0701Cycle{}, oldKey)
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			m := tx.Migrator()
			if !m.HasIndex(&m0701Cycle{}, oldKey) {
				if err := tx.Exec("CREATE UNIQUE INDEX " + oldKey + " ON cycles (community_id, month)").Error; err != nil {
					return err
				}
			}
			if m.HasIndex(&m0701Cycle{}, newKey) {
				if err := m.DropIndex(&m0701Cycle{}, newKey); err != nil {
					return err
				}
			}
			if m.HasColumn(&m0701Cycle{}, "OpenMonth") {
				return m.DropColumn(&m0701Cycle{}, "OpenMonth")
			}
			return nil
		},
	}
}
