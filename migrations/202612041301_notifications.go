package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m1301User         struct{ ID uint64 }
	m1301Community    struct{ ID uint64 }
	m1301Notification struct{ ID uint64 }
)

func (m1301Notification) TableName() string { return "notifications" }

func (m1301User) TableName() string      { return "users" }
func (m1301Community) TableName() string { return "communities" }

// notificationsStep makes the in-app inbox and what hangs off it (docs/notifications.md):
//   - notifications: one row a recipient, its kind and parameters (rendered in the reader's
//     language when read), read or not; dedupe_key, unique per recipient, makes a repeat of the
//     same notice impossible where a writer names one (NULLs never collide);
//   - notification_prefs: the optional kinds a person switched off;
//   - notification_deliveries: the outbox of the outbound channels (SMS, WeChat), one row a
//     notification and channel, with its attempts and last failure;
//   - (job leases, which instance runs a periodic job, are step 202612040901's job_leases);
//   - item_reminders: the reminders the reminder job sent, one an item, kind and day.
func notificationsStep() *gormigrate.Migration {
	type notification struct {
		ID          uint64         `gorm:"primaryKey"`
		CommunityID uint64         `gorm:"not null;index:ix_notifications_community"`
		Community   m1301Community `gorm:"constraint:OnDelete:CASCADE"`
		UserID      uint64         `gorm:"not null;index:ix_notifications_user_id,priority:1;uniqueIndex:ux_notifications_user_key,priority:1"`
		User        m1301User      `gorm:"constraint:OnDelete:CASCADE"`
		Type        string         `gorm:"type:varchar(40);not null"`
		SubjectType string         `gorm:"type:varchar(20);not null"`
		SubjectID   uint64         `gorm:"not null"`
		Params      string         `gorm:"type:text;not null"`
		DedupeKey   *string        `gorm:"type:varchar(120);uniqueIndex:ux_notifications_user_key,priority:2"`
		ReadAt      *time.Time     `gorm:"index:ix_notifications_user_id,priority:2"`
		CreatedAt   time.Time      `gorm:"not null"`
	}
	type notificationPref struct {
		UserID    uint64    `gorm:"primaryKey;autoIncrement:false"`
		User      m1301User `gorm:"constraint:OnDelete:CASCADE"`
		Type      string    `gorm:"primaryKey;type:varchar(40)"`
		CreatedAt time.Time `gorm:"not null"`
	}
	type notificationDelivery struct {
		ID             uint64            `gorm:"primaryKey"`
		NotificationID uint64            `gorm:"not null;uniqueIndex:ux_notification_deliveries_channel,priority:1"`
		Notification   m1301Notification `gorm:"constraint:OnDelete:CASCADE"`
		Channel        string            `gorm:"type:varchar(20);not null;uniqueIndex:ux_notification_deliveries_channel,priority:2"`
		UserID         uint64            `gorm:"not null"`
		User           m1301User         `gorm:"constraint:OnDelete:CASCADE"`
		Status         string            `gorm:"type:varchar(10);not null;index:ix_notification_deliveries_due,priority:1"`
		Attempts       int               `gorm:"not null"`
		LastError      string            `gorm:"type:varchar(500);not null"`
		NextAttemptAt  time.Time         `gorm:"not null;index:ix_notification_deliveries_due,priority:2"`
		SentAt         *time.Time
		CreatedAt      time.Time `gorm:"not null"`
		UpdatedAt      time.Time `gorm:"not null"`
	}
	type itemReminder struct {
		ItemID    uint64    `gorm:"primaryKey;autoIncrement:false"`
		Kind      string    `gorm:"primaryKey;type:varchar(20)"`
		Day       string    `gorm:"primaryKey;type:varchar(10)"`
		CreatedAt time.Time `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "202612041301_notifications",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&notification{}, &notificationPref{}, &notificationDelivery{}, &itemReminder{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("notification_deliveries", "item_reminders",
				"notification_prefs", "notifications")
		},
	}
}
