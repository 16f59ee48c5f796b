package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

type m1001User struct {
	ID uint64 `gorm:"primaryKey"`
}

func (m1001User) TableName() string { return "users" }

// streetsStep adds the street (街道) above the communities and its observers: people who read the
// dashboards of every community of the street and change nothing (docs/desk.md "The street
// observer"). A community belongs to the street whose name, district and city it names.
func streetsStep() *gormigrate.Migration {
	type street struct {
		ID        uint64    `gorm:"primaryKey"`
		Name      string    `gorm:"type:varchar(100);not null;uniqueIndex:ux_streets_place,priority:1"`
		District  string    `gorm:"type:varchar(100);not null;uniqueIndex:ux_streets_place,priority:2"`
		City      string    `gorm:"type:varchar(100);not null;uniqueIndex:ux_streets_place,priority:3"`
		CreatedBy uint64    `gorm:"not null"`
		CreatedAt time.Time `gorm:"not null"`
	}
	type streetObserver struct {
		StreetID  uint64    `gorm:"primaryKey;autoIncrement:false"`
		Street    street    `gorm:"constraint:OnDelete:CASCADE"`
		UserID    uint64    `gorm:"primaryKey;autoIncrement:false;index:ix_street_observers_user"`
		User      m1001User `gorm:"constraint:OnDelete:CASCADE"`
		CreatedBy uint64    `gorm:"not null"`
		CreatedAt time.Time `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "202612051001_streets",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&street{}, &streetObserver{})
		},
		Rollback: func(tx *gorm.DB) error {
			for _, n := range []string{"street_observers", "streets"} {
				if err := tx.Migrator().DropTable(n); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
