package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m060101Topic is the topics table with the columns this step adds for topics carried into a
// compound's next cycle (docs/phases.md "Topics carried into the next cycle"):
// CarriedFromTopicID is the topic of the earlier cycle this one is the copy of, and its unique
// key keeps a topic from being carried twice (NULLs never collide, on SQLite or MySQL);
// CarriedEndorsements is how many endorsements came with it.
type m060101Topic struct {
	CarriedFromTopicID  *uint64 `gorm:"uniqueIndex:ux_topics_carried_from"`
	CarriedEndorsements int64   `gorm:"not null;default:0"`
}

func (m060101Topic) TableName() string { return "topics" }

func topicCarryStep() *gormigrate.Migration {
	const key = "ux_topics_carried_from"
	return &gormigrate.Migration{
		ID: "202612060101_topic_carry",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
			for _, col := range []string{"CarriedFromTopicID", "CarriedEndorsements"} {
				if !m.HasColumn(&m060101Topic{}, col) {
					if err := m.AddColumn(&m060101Topic{}, col); err != nil {
						return err
					}
				}
			}
			if !m.HasIndex(&m060101Topic{}, key) {
				return m.CreateIndex(&m060101Topic{}, key)
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			m := tx.Migrator()
			if m.HasIndex(&m060101Topic{}, key) {
				if err := m.DropIndex(&m060101Topic{}, key); err != nil {
					return err
				}
			}
			for _, col := range []string{"CarriedEndorsements", "CarriedFromTopicID"} {
				if m.HasColumn(&m060101Topic{}, col) {
					if err := m.DropColumn(&m060101Topic{}, col); err != nil {
						return err
					}
				}
			}
			return nil
		},
	}
}
