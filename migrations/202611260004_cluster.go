package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m0004Community struct{ ID uint64 }
	m0004Meeting   struct{ ID uint64 }
	m0004Card      struct{ ID uint64 }
)

func (m0004Community) TableName() string { return "communities" }
func (m0004Meeting) TableName() string   { return "meetings" }
func (m0004Card) TableName() string      { return "cards" }

// clusterStep creates the card groups of a round table (KJ method, docs/domain.md "The round table") and
// the place of each grouped card. A dissolved group keeps its row, so its history stays readable.
func clusterStep() *gormigrate.Migration {
	type cluster struct {
		ID          uint64         `gorm:"primaryKey"`
		MeetingID   uint64         `gorm:"not null;index:ix_clusters_meeting"`
		Meeting     m0004Meeting   `gorm:"constraint:OnDelete:RESTRICT"`
		CommunityID uint64         `gorm:"not null"`
		Community   m0004Community `gorm:"constraint:OnDelete:RESTRICT"`
		Label       string         `gorm:"type:varchar(30);not null"`
		Position    int            `gorm:"not null"`
		CreatedBy   uint64         `gorm:"not null"`
		DissolvedAt *time.Time     `gorm:""`
		CreatedAt   time.Time      `gorm:"not null"`
		UpdatedAt   time.Time      `gorm:"not null"`
	}
	// clusterCard is a card's place on one meeting's wall: the primary key keeps a card in at
	// most one group of a meeting; a card with no row lies in the loose pile.
	type clusterCard struct {
		MeetingID uint64       `gorm:"primaryKey;autoIncrement:false"`
		Meeting   m0004Meeting `gorm:"constraint:OnDelete:RESTRICT"`
		CardID    uint64       `gorm:"primaryKey;autoIncrement:false;index:ix_cluster_cards_card"`
		Card      m0004Card    `gorm:"constraint:OnDelete:RESTRICT"`
		ClusterID uint64       `gorm:"not null;index:ix_cluster_cards_cluster"`
		Cluster   cluster      `gorm:"constraint:OnDelete:RESTRICT"`
		Position  int          `gorm:"not null"`
		MovedBy   uint64       `gorm:"not null"`
		MovedAt   time.Time    `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "202611260004_cluster",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&cluster{}, &clusterCard{})
		},
		Rollback: func(tx *gorm.DB) error {
			for _, n := range []string{"cluster_cards", "clusters"} {
				if err := tx.Migrator().DropTable(n); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
