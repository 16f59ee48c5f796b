package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m0011Community struct{ ID uint64 }
	m0011Cycle     struct{ ID uint64 }
	m0011Meeting   struct{ ID uint64 }
	m0011Poll      struct{ ID uint64 }
	m0011User      struct{ ID uint64 }
	m0011Card      struct{ ID uint64 }
	m0011Cluster   struct{ ID uint64 }
	m0011Upload    struct{ ID uint64 }
)

func (m0011Community) TableName() string { return "communities" }
func (m0011Cycle) TableName() string     { return "cycles" }
func (m0011Meeting) TableName() string   { return "meetings" }
func (m0011Poll) TableName() string      { return "polls" }
func (m0011User) TableName() string      { return "users" }
func (m0011Card) TableName() string      { return "cards" }
func (m0011Cluster) TableName() string   { return "clusters" }
func (m0011Upload) TableName() string    { return "uploads" }

// resolutionStep creates resolutions (决议, docs/domain.md "The monthly cycle" and "After the resolution"): drafted from
// the closed formal vote of a round table (one resolution a vote), with the card groups and cards
// it came from; the owners' decision a Civil Code art. 278 matter needs — an owners' poll, or the
// result of the city's official owners' e-voting platform with its figures and notice; and the
// signatures (签字) of the meeting's attendees, one a person.
func resolutionStep() *gormigrate.Migration {
	type resolution struct {
		ID          uint64         `gorm:"primaryKey"`
		CommunityID uint64         `gorm:"not null;index:ix_resolutions_community"`
		Community   m0011Community `gorm:"constraint:OnDelete:RESTRICT"`
		CycleID     uint64         `gorm:"not null;index:ix_resolutions_cycle"`
		Cycle       m0011Cycle     `gorm:"constraint:OnDelete:RESTRICT"`
		MeetingID   uint64         `gorm:"not null;index:ix_resolutions_meeting"`
		Meeting     m0011Meeting   `gorm:"constraint:OnDelete:RESTRICT"`
		PollID      uint64         `gorm:"not null;uniqueIndex:ux_resolutions_poll"`
		Poll        m0011Poll      `gorm:"constraint:OnDelete:RESTRICT"`
		Title       string         `gorm:"type:varchar(100);not null"`
		Text        string         `gorm:"type:text;not null"`
		Category    string         `gorm:"type:varchar(32);not null"`
		Matter      string         `gorm:"type:varchar(32);not null;default:''"`
		Status      string         `gorm:"type:varchar(12);not null"`
		PollPassed  bool           `gorm:"not null"`
		DraftedBy   uint64         `gorm:"not null;index:ix_resolutions_drafted_by"`
		Drafter     m0011User      `gorm:"foreignKey:DraftedBy;constraint:OnDelete:RESTRICT"`
		DecidedAt   *time.Time     `gorm:""`
		CreatedAt   time.Time      `gorm:"not null"`
		UpdatedAt   time.Time      `gorm:"not null"`
	}
	type resolutionCard struct {
		ResolutionID uint64     `gorm:"primaryKey;autoIncrement:false"`
		Resolution   resolution `gorm:"constraint:OnDelete:CASCADE"`
		CardID       uint64     `gorm:"primaryKey;autoIncrement:false;index:ix_resolution_cards_card"`
		Card         m0011Card  `gorm:"constraint:OnDelete:RESTRICT"`
	}
	type resolutionCluster struct {
		ResolutionID uint64       `gorm:"primaryKey;autoIncrement:false"`
		Resolution   resolution   `gorm:"constraint:OnDelete:CASCADE"`
		ClusterID    uint64       `gorm:"primaryKey;autoIncrement:false;index:ix_resolution_clusters_cluster"`
		Cluster      m0011Cluster `gorm:"constraint:OnDelete:RESTRICT"`
	}
	// resolutionOwnerDecision is the owners' decision on a Civil Code 278 matter, one a
	// resolution: a linked owners' poll, or an official platform's result as recorded (source,
	// date, units and area — hundredths of m² — and the notice). Figures holds, as JSON, the
	// 278 figures and thresholds the decision was checked against.
	type resolutionOwnerDecision struct {
		ID                 uint64       `gorm:"primaryKey"`
		ResolutionID       uint64       `gorm:"not null;uniqueIndex:ux_resolution_owner_decisions_resolution"`
		Resolution         resolution   `gorm:"constraint:OnDelete:CASCADE"`
		Kind               string       `gorm:"type:varchar(12);not null"`
		PollID             *uint64      `gorm:"index:ix_resolution_owner_decisions_poll"`
		Poll               *m0011Poll   `gorm:"constraint:OnDelete:RESTRICT"`
		Source             string       `gorm:"type:varchar(50);not null;default:''"`
		DecidedOn          string       `gorm:"type:varchar(10);not null;default:''"`
		EligibleUnits      int64        `gorm:"not null;default:0"`
		EligibleArea       int64        `gorm:"not null;default:0"`
		ParticipatingUnits int64        `gorm:"not null;default:0"`
		ParticipatingArea  int64        `gorm:"not null;default:0"`
		UnitsFor           int64        `gorm:"not null;default:0"`
		AreaFor            int64        `gorm:"not null;default:0"`
		UnitsAgainst       int64        `gorm:"not null;default:0"`
		AreaAgainst        int64        `gorm:"not null;default:0"`
		NoticeUploadID     *uint64      `gorm:"index:ix_resolution_owner_decisions_notice"`
		NoticeUpload       *m0011Upload `gorm:"constraint:OnDelete:RESTRICT"`
		Passed             bool         `gorm:"not null"`
		Figures            string       `gorm:"type:text;not null"`
		RecordedBy         uint64       `gorm:"not null;index:ix_resolution_owner_decisions_user"`
		Recorder           m0011User    `gorm:"foreignKey:RecordedBy;constraint:OnDelete:RESTRICT"`
		CreatedAt          time.Time    `gorm:"not null"`
	}
	// resolutionSignature is one person's signature: a member, or a walk-in signed in by name.
	// The unique key (resolution, signer) is the one-signature-a-person rule.
	type resolutionSignature struct {
		ID           uint64     `gorm:"primaryKey"`
		ResolutionID uint64     `gorm:"not null;uniqueIndex:ux_resolution_signatures_signer,priority:1"`
		Resolution   resolution `gorm:"constraint:OnDelete:CASCADE"`
		// SignerKey is "u:<user id>" or "n:<walk-in name>".
		SignerKey  string     `gorm:"type:varchar(60);not null;uniqueIndex:ux_resolution_signatures_signer,priority:2"`
		UserID     *uint64    `gorm:"index:ix_resolution_signatures_user"`
		User       *m0011User `gorm:"constraint:OnDelete:RESTRICT"`
		WalkInName *string    `gorm:"type:varchar(50)"`
		SignedBy   uint64     `gorm:"not null;index:ix_resolution_signatures_signed_by"`
		Signer     m0011User  `gorm:"foreignKey:SignedBy;constraint:OnDelete:RESTRICT"`
		Method     string     `gorm:"type:varchar(12);not null"`
		CreatedAt  time.Time  `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "202611260011_resolutions",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&resolution{}, &resolutionCard{}, &resolutionCluster{}, &resolutionOwnerDecision{},
				&resolutionSignature{})
		},
		Rollback: func(tx *gorm.DB) error {
			for _, n := range []string{"resolution_signatures", "resolution_owner_decisions", "resolution_clusters",
				"resolution_cards", "resolutions"} {
				if err := tx.Migrator().DropTable(n); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
