// Package migrations holds the versioned schema steps of Yueyuetan. Each step lives in its own
// file with frozen copies of the structs it creates, so a later change to the models package can
// never change what an old step does. The same steps run on SQLite and on MySQL/MariaDB.
package migrations

import (
	"fmt"
	"strings"

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
	opsStep(),
	actionItemsStep(),
	notificationsStep(),
	surveyAcceptanceStep(),
	meetingWallLinkStep(),
	streetsStep(),
	escalationsStep(),
	auditChecksStep(),
	resolutionReviewStep(),
	wallPageStep(),
	topicCarryStep(),
	dashboardStep(),
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

// Up runs every pending step. It refuses a database a newer binary migrated (ErrNewerDatabase):
// this one would misread it.
func Up(db *gorm.DB) error {
	if err := CheckNotNewer(db); err != nil {
		return err
	}
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

// Report compares the binary's steps with the database's record of the steps that ran.
type Report struct {
	// Applied and Pending are the binary's steps, run and not yet run.
	Applied, Pending []string
	// Unknown are steps the database records and this binary does not know: a newer binary
	// migrated it.
	Unknown []string
}

// Agree reports a database exactly at this binary's newest step.
func (r Report) Agree() bool { return len(r.Pending) == 0 && len(r.Unknown) == 0 }

// Compare reads the database's record of steps and sets it beside the binary's.
func Compare(db *gorm.DB) (Report, error) {
	var r Report
	known := map[string]bool{}
	for _, s := range steps {
		known[s.ID] = true
	}
	ran := map[string]bool{}
	if db.Migrator().HasTable("schema_migrations") {
		var ids []string
		if err := db.Table("schema_migrations").Order("id").Pluck("id", &ids).Error; err != nil {
			return r, fmt.Errorf("read schema_migrations: %w", err)
		}
		for _, id := range ids {
			ran[id] = true
			if !known[id] {
				r.Unknown = append(r.Unknown, id)
			}
		}
	}
	for _, s := range steps {
		if ran[s.ID] {
			r.Applied = append(r.Applied, s.ID)
		} else {
			r.Pending = append(r.Pending, s.ID)
		}
	}
	return r, nil
}

// ErrNewerDatabase is the refusal to run on a database a newer binary migrated.
type ErrNewerDatabase struct{ Unknown []string }

func (e *ErrNewerDatabase) Error() string {
	return fmt.Sprintf("the database was migrated by a newer yueyuetan: it records %d step(s) this binary does not know (%s, newest %s); "+
		"run the newer binary, or restore a backup taken before the upgrade (docs/operations.md \"Upgrades\")",
		len(e.Unknown), strings.Join(e.Unknown, ", "), e.Unknown[len(e.Unknown)-1])
}

// CheckNotNewer refuses a database that records steps this binary does not know.
func CheckNotNewer(db *gorm.DB) error {
	r, err := Compare(db)
	if err != nil {
		return err
	}
	if len(r.Unknown) > 0 {
		return &ErrNewerDatabase{Unknown: r.Unknown}
	}
	return nil
}
