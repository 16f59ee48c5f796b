package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// opsStep adds what running the server for years needs (docs/operations.md): named leases
// (job_leases), so that exactly one of several instances runs each periodic job — the scheduled
// backups, and later the reminders and outbound notifications (docs/notifications.md) — and a
// row the outage probe rewrites on SQLite (the row "probe"); and the record of the backups
// taken, for the admin screen's "last backup" line.
func opsStep() *gormigrate.Migration {
	type jobLease struct {
		Name      string    `gorm:"primaryKey;type:varchar(64)"`
		Holder    string    `gorm:"type:varchar(200);not null;default:''"`
		ExpiresAt time.Time `gorm:"not null"`
	}
	type backupRun struct {
		ID         uint64    `gorm:"primaryKey"`
		StartedAt  time.Time `gorm:"not null;index:ix_backup_runs_started"`
		FinishedAt time.Time `gorm:"not null"`
		File       string    `gorm:"type:varchar(500);not null"`
		Size       int64     `gorm:"not null"`
		OK         bool      `gorm:"column:ok;not null"`
		Error      string    `gorm:"type:varchar(500);not null;default:''"`
		Holder     string    `gorm:"type:varchar(200);not null;default:''"`
	}
	return &gormigrate.Migration{
		ID: "202612040901_ops",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.Table("job_leases").AutoMigrate(&jobLease{}); err != nil {
				return err
			}
			if err := tx.Table("backup_runs").AutoMigrate(&backupRun{}); err != nil {
				return err
			}
			epoch := time.Unix(0, 0).UTC()
			var n int64
			if err := tx.Table("job_leases").Where("name = ?", "probe").Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return tx.Table("job_leases").Create(&jobLease{Name: "probe", ExpiresAt: epoch}).Error
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("backup_runs", "job_leases")
		},
	}
}
