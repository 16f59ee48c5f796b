// Package migrations holds the versioned schema steps of Yueyuetan. Each step lives in its own
// file with frozen copies of the structs it creates, so a later change to the models package can
// never change what an old step does. The same steps run on SQLite and on MySQL/MariaDB.
package migrations

import (
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// steps lists every migration in the order it runs. Append new steps; never edit a landed one.
var steps = []*gormigrate.Migration{
	foundation(),
	cycleStep(),
	meetingStep(),
	clusterStep(),
	speakerStep(),
	projectorStep(),
	seatStep(),
	pollStep(),
	ownersStep(),
	resolutionStep(),
	projectorPollStep(),
	ownerPollScopeStep(),
	sessionsStep(),
	invitationsStep(),
	secretBallotsDroppedStep(),
	paperBallotsStep(),
	cycleOpenMonthStep(),
	passwordResetStep(),
	actionItemsStep(),
	notificationsStep(),
	surveyAcceptanceStep(),
}

// Latest is the id of the newest step; /readyz reports not ready until it has run.
func Latest() string { return steps[len(steps)-1].ID }

func newMigrator(db *gorm.DB) *gormigrate.Gormigrate {
	opts := *gormigrate.DefaultOptions
	opts.TableName = "schema_migrations"
	opts.IDColumnSize = 64
	opts.UseTransaction = false
	return gormigrate.New(db, &opts, steps)
}

// Up runs every pending step.
func Up(db *gorm.DB) error {
	if err := newMigrator(db).Migrate(); err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	return nil
}

// Down rolls back the latest step that ran.
func Down(db *gorm.DB) error {
	if err := newMigrator(db).RollbackLast(); err != nil {
		return fmt.Errorf("migrate down: %w", err)
	}
	return nil
}

// StepStatus says whether one step has run.
type StepStatus struct {
	ID      string
	Applied bool
}

// Status lists every known step and whether it has run.
func Status(db *gorm.DB) ([]StepStatus, error) {
	applied := map[string]bool{}
	if db.Migrator().HasTable("schema_migrations") {
		var ids []string
		if err := db.Table("schema_migrations").Pluck("id", &ids).Error; err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		for _, id := range ids {
			applied[id] = true
		}
	}
	out := make([]StepStatus, 0, len(steps))
	for _, s := range steps {
		out = append(out, StepStatus{ID: s.ID, Applied: applied[s.ID]})
	}
	return out, nil
}

// Current reports whether the newest step has run.
func Current(db *gorm.DB) (bool, error) {
	st, err := Status(db)
	if err != nil {
		return false, err
	}
	for _, s := range st {
		if !s.Applied {
			return false, nil
		}
	}
	return true, nil
}
