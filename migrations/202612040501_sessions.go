package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

type m0501User struct{ ID uint64 }

func (m0501User) TableName() string { return "users" }

// sessionsStep gives every login session a row of its own, so an access token can name its
// session (claim sid) and a revoked session ends at once on every instance: the request's user
// lookup joins this row by its primary key. A session is the family of refresh tokens one login
// rotates through; existing families become sessions, revoked when every token of theirs is.
func sessionsStep() *gormigrate.Migration {
	type session struct {
		ID        string     `gorm:"primaryKey;type:varchar(64)"`
		UserID    uint64     `gorm:"not null;index:ix_sessions_user"`
		User      m0501User  `gorm:"constraint:OnDelete:CASCADE"`
		CreatedAt time.Time  `gorm:"not null"`
		RevokedAt *time.Time `gorm:""`
	}
	return &gormigrate.Migration{
		ID: "202612040501_sessions",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.AutoMigrate(&session{}); err != nil {
				return err
			}
			return tx.Exec(`INSERT INTO sessions (id, user_id, created_at, revoked_at)
				SELECT family_id, MIN(user_id), MIN(created_at), CASE WHEN COUNT(*) = COUNT(revoked_at) THEN MAX(revoked_at) END
				FROM refresh_tokens GROUP BY family_id`).Error
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("sessions")
		},
	}
}
