package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m1201Community    struct{ ID uint64 }
	m1201Resolution   struct{ ID uint64 }
	m1201User         struct{ ID uint64 }
	m1201Organization struct{ ID uint64 }
	m1201Upload       struct{ ID uint64 }
)

func (m1201Community) TableName() string    { return "communities" }
func (m1201Resolution) TableName() string   { return "resolutions" }
func (m1201User) TableName() string         { return "users" }
func (m1201Organization) TableName() string { return "organizations" }
func (m1201Upload) TableName() string       { return "uploads" }

// m1201CommunityCols is the column this step adds to communities: the publicity period of
// resolutions in days (docs/follow-through.md "Publicity").
type m1201CommunityCols struct {
	PublicityDays int `gorm:"not null;default:7"`
}

func (m1201CommunityCols) TableName() string { return "communities" }

// m1201ResolutionCols are the columns this step adds to resolutions: the end of the publicity
// period, the budget in fen (分) and its funding source.
type m1201ResolutionCols struct {
	PublicityEndsAt *time.Time `gorm:""`
	BudgetFen       *int64     `gorm:""`
	FundingSource   string     `gorm:"type:varchar(24);not null;default:''"`
}

func (m1201ResolutionCols) TableName() string { return "resolutions" }

// actionItemsStep creates the follow-through of a resolution (docs/follow-through.md): action
// items (落实事项) in a tree with weights, due dates, skills and an assignee — a member or an
// organization with a contact person; party members' claims on items open for claims; progress
// updates with photos, hours and costs; and objections lodged during publicity with their answers.
func actionItemsStep() *gormigrate.Migration {
	type actionItem struct {
		ID             uint64             `gorm:"primaryKey"`
		CommunityID    uint64             `gorm:"not null;index:ix_action_items_community_status,priority:1"`
		Community      m1201Community     `gorm:"constraint:OnDelete:RESTRICT"`
		ResolutionID   uint64             `gorm:"not null;index:ix_action_items_resolution"`
		Resolution     m1201Resolution    `gorm:"constraint:OnDelete:RESTRICT"`
		ParentID       *uint64            `gorm:"index:ix_action_items_parent"`
		Parent         *actionItemRef     `gorm:"foreignKey:ParentID;constraint:OnDelete:RESTRICT"`
		Title          string             `gorm:"type:varchar(100);not null"`
		Weight         int                `gorm:"not null;default:1"`
		DueDate        string             `gorm:"type:varchar(10);not null;index:ix_action_items_due_date"`
		Skills         string             `gorm:"type:varchar(500);not null;default:''"`
		AssigneeUserID *uint64            `gorm:"index:ix_action_items_assignee_user"`
		AssigneeUser   *m1201User         `gorm:"foreignKey:AssigneeUserID;constraint:OnDelete:RESTRICT"`
		AssigneeOrgID  *uint64            `gorm:"index:ix_action_items_assignee_org"`
		AssigneeOrg    *m1201Organization `gorm:"foreignKey:AssigneeOrgID;constraint:OnDelete:RESTRICT"`
		ContactName    string             `gorm:"type:varchar(50);not null;default:''"`
		ContactPhone   string             `gorm:"type:varchar(20);not null;default:''"`
		Status         string             `gorm:"type:varchar(12);not null;index:ix_action_items_community_status,priority:2"`
		Progress       int                `gorm:"not null;default:0"`
		BlockedReason  string             `gorm:"type:varchar(500);not null;default:''"`
		OpenForClaims  bool               `gorm:"not null;default:false"`
		CreatedBy      uint64             `gorm:"not null"`
		Creator        m1201User          `gorm:"foreignKey:CreatedBy;constraint:OnDelete:RESTRICT"`
		CreatedAt      time.Time          `gorm:"not null"`
		UpdatedAt      time.Time          `gorm:"not null"`
		DoneAt         *time.Time         `gorm:""`
	}
	// itemClaim is a party member's claim on an item open for claims, one a person and item.
	type itemClaim struct {
		ID          uint64         `gorm:"primaryKey"`
		CommunityID uint64         `gorm:"not null;index:ix_item_claims_community"`
		Community   m1201Community `gorm:"constraint:OnDelete:RESTRICT"`
		ItemID      uint64         `gorm:"not null;uniqueIndex:ux_item_claims_item_user,priority:1"`
		Item        actionItemRef  `gorm:"foreignKey:ItemID;constraint:OnDelete:CASCADE"`
		UserID      uint64         `gorm:"not null;uniqueIndex:ux_item_claims_item_user,priority:2;index:ix_item_claims_user"`
		User        m1201User      `gorm:"constraint:OnDelete:RESTRICT"`
		Status      string         `gorm:"type:varchar(12);not null"`
		DecidedBy   *uint64        `gorm:""`
		Decider     *m1201User     `gorm:"foreignKey:DecidedBy;constraint:OnDelete:RESTRICT"`
		DecidedAt   *time.Time     `gorm:""`
		CreatedAt   time.Time      `gorm:"not null"`
	}
	// itemUpdate is a progress report with evidence: a note, the progress it sets, service hours
	// (hundredths) and a cost in fen with its receipt among the photos.
	type itemUpdate struct {
		ID          uint64         `gorm:"primaryKey"`
		CommunityID uint64         `gorm:"not null;index:ix_item_updates_community"`
		Community   m1201Community `gorm:"constraint:OnDelete:RESTRICT"`
		ItemID      uint64         `gorm:"not null;index:ix_item_updates_item"`
		Item        actionItemRef  `gorm:"foreignKey:ItemID;constraint:OnDelete:CASCADE"`
		AuthorID    uint64         `gorm:"not null;index:ix_item_updates_author"`
		Author      m1201User      `gorm:"constraint:OnDelete:RESTRICT"`
		Note        string         `gorm:"type:text;not null"`
		Progress    *int           `gorm:""`
		HoursCenti  int64          `gorm:"not null;default:0"`
		CostFen     int64          `gorm:"not null;default:0"`
		CreatedAt   time.Time      `gorm:"not null"`
	}
	type itemUpdatePhoto struct {
		UpdateID uint64      `gorm:"primaryKey;autoIncrement:false"`
		Update   itemUpdate  `gorm:"foreignKey:UpdateID;constraint:OnDelete:CASCADE"`
		UploadID uint64      `gorm:"primaryKey;autoIncrement:false;index:ix_item_update_photos_upload"`
		Upload   m1201Upload `gorm:"constraint:OnDelete:RESTRICT"`
		Position int         `gorm:"not null"`
	}
	// resolutionObjection is an objection (异议) lodged during publicity, with the facilitator's answer.
	type resolutionObjection struct {
		ID           uint64          `gorm:"primaryKey"`
		CommunityID  uint64          `gorm:"not null;index:ix_resolution_objections_community"`
		Community    m1201Community  `gorm:"constraint:OnDelete:RESTRICT"`
		ResolutionID uint64          `gorm:"not null;index:ix_resolution_objections_resolution"`
		Resolution   m1201Resolution `gorm:"constraint:OnDelete:CASCADE"`
		AuthorID     uint64          `gorm:"not null;index:ix_resolution_objections_author"`
		Author       m1201User       `gorm:"constraint:OnDelete:RESTRICT"`
		Text         string          `gorm:"type:text;not null"`
		Answer       string          `gorm:"type:text;not null"`
		AnsweredBy   *uint64         `gorm:""`
		Answerer     *m1201User      `gorm:"foreignKey:AnsweredBy;constraint:OnDelete:RESTRICT"`
		AnsweredAt   *time.Time      `gorm:""`
		CreatedAt    time.Time       `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "202612041201_action_items",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
			if !m.HasColumn(&m1201CommunityCols{}, "PublicityDays") {
				if err := m.AddColumn(&m1201CommunityCols{}, "PublicityDays"); err != nil {
					return err
				}
			}
			for _, col := range []string{"PublicityEndsAt", "BudgetFen", "FundingSource"} {
				if !m.HasColumn(&m1201ResolutionCols{}, col) {
					if err := m.AddColumn(&m1201ResolutionCols{}, col); err != nil {
						return err
					}
				}
			}
			return tx.AutoMigrate(&actionItem{}, &itemClaim{}, &itemUpdate{}, &itemUpdatePhoto{}, &resolutionObjection{})
		},
		Rollback: func(tx *gorm.DB) error {
			m := tx.Migrator()
			for _, n := range []string{"resolution_objections", "item_update_photos", "item_updates", "item_claims", "action_items"} {
				if err := m.DropTable(n); err != nil {
					return err
				}
			}
			for _, col := range []string{"PublicityEndsAt", "BudgetFen", "FundingSource"} {
				if m.HasColumn(&m1201ResolutionCols{}, col) {
					if err := m.DropColumn(&m1201ResolutionCols{}, col); err != nil {
						return err
					}
				}
			}
			if m.HasColumn(&m1201CommunityCols{}, "PublicityDays") {
				return m.DropColumn(&m1201CommunityCols{}, "PublicityDays")
			}
			return nil
		},
	}
}

// actionItemRef refers to action_items for the self-reference and the child tables' keys.
type actionItemRef struct{ ID uint64 }

func (actionItemRef) TableName() string { return "action_items" }
