package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// foundation creates places and people, auth state and the event log (docs/domain.md, docs/architecture.md "The event log").
func foundation() *gormigrate.Migration {
	type community struct {
		ID        uint64    `gorm:"primaryKey"`
		Name      string    `gorm:"type:varchar(100);not null;uniqueIndex:ux_communities_name_street"`
		Street    string    `gorm:"type:varchar(100);not null;uniqueIndex:ux_communities_name_street"`
		District  string    `gorm:"type:varchar(100);not null"`
		City      string    `gorm:"type:varchar(100);not null"`
		CreatedAt time.Time `gorm:"not null"`
		UpdatedAt time.Time `gorm:"not null"`
	}
	type compound struct {
		ID          uint64    `gorm:"primaryKey"`
		CommunityID uint64    `gorm:"not null;uniqueIndex:ux_compounds_community_name"`
		Community   community `gorm:"constraint:OnDelete:RESTRICT"`
		Name        string    `gorm:"type:varchar(100);not null;uniqueIndex:ux_compounds_community_name"`
		Address     string    `gorm:"type:varchar(200);not null;default:''"`
		CreatedAt   time.Time `gorm:"not null"`
		UpdatedAt   time.Time `gorm:"not null"`
	}
	type building struct {
		ID         uint64    `gorm:"primaryKey"`
		CompoundID uint64    `gorm:"not null;uniqueIndex:ux_buildings_compound_name"`
		Compound   compound  `gorm:"constraint:OnDelete:RESTRICT"`
		Name       string    `gorm:"type:varchar(50);not null;uniqueIndex:ux_buildings_compound_name"`
		CreatedAt  time.Time `gorm:"not null"`
	}
	type household struct {
		ID            uint64    `gorm:"primaryKey"`
		CompoundID    uint64    `gorm:"not null;index:ix_households_compound"`
		Compound      compound  `gorm:"constraint:OnDelete:RESTRICT"`
		BuildingID    uint64    `gorm:"not null;uniqueIndex:ux_households_building_room"`
		Building      building  `gorm:"constraint:OnDelete:RESTRICT"`
		Room          string    `gorm:"type:varchar(32);not null;uniqueIndex:ux_households_building_room"`
		AreaCenti     int64     `gorm:"not null;default:0"`
		OwnerOccupied bool      `gorm:"not null;default:false"`
		CreatedAt     time.Time `gorm:"not null"`
		UpdatedAt     time.Time `gorm:"not null"`
	}
	type user struct {
		ID               uint64     `gorm:"primaryKey"`
		Phone            string     `gorm:"type:varchar(32);not null;uniqueIndex:ux_users_phone"`
		Name             string     `gorm:"type:varchar(50);not null"`
		PasswordHash     string     `gorm:"type:varchar(200);not null"`
		Locale           string     `gorm:"type:varchar(8);not null;default:'zh-CN'"`
		LargeText        bool       `gorm:"not null;default:false"`
		IsSuperadmin     bool       `gorm:"not null;default:false"`
		PrivacyConsentAt *time.Time `gorm:""`
		PrivacyVersion   string     `gorm:"type:varchar(20);not null;default:''"`
		ClosedAt         *time.Time `gorm:""`
		CreatedAt        time.Time  `gorm:"not null"`
		UpdatedAt        time.Time  `gorm:"not null"`
	}
	type organization struct {
		ID          uint64    `gorm:"primaryKey"`
		CommunityID uint64    `gorm:"not null;uniqueIndex:ux_organizations_community_name"`
		Community   community `gorm:"constraint:OnDelete:RESTRICT"`
		Name        string    `gorm:"type:varchar(100);not null;uniqueIndex:ux_organizations_community_name"`
		Kind        string    `gorm:"type:varchar(32);not null"`
		CreatedAt   time.Time `gorm:"not null"`
	}
	type membership struct {
		ID             uint64        `gorm:"primaryKey"`
		UserID         uint64        `gorm:"not null;uniqueIndex:ux_memberships_user_community"`
		User           user          `gorm:"constraint:OnDelete:RESTRICT"`
		CommunityID    uint64        `gorm:"not null;uniqueIndex:ux_memberships_user_community;index:ix_memberships_community"`
		Community      community     `gorm:"constraint:OnDelete:RESTRICT"`
		CompoundID     *uint64       `gorm:""`
		Compound       *compound     `gorm:"constraint:OnDelete:RESTRICT"`
		HouseholdID    *uint64       `gorm:""`
		Household      *household    `gorm:"constraint:OnDelete:RESTRICT"`
		VerifiedAt     *time.Time    `gorm:""`
		VerifiedBy     *uint64       `gorm:""`
		WorkUnit       string        `gorm:"type:varchar(100);not null;default:''"`
		OrganizationID *uint64       `gorm:""`
		Organization   *organization `gorm:"constraint:OnDelete:RESTRICT"`
		CreatedAt      time.Time     `gorm:"not null"`
		UpdatedAt      time.Time     `gorm:"not null"`
	}
	type memberRole struct {
		MembershipID uint64     `gorm:"primaryKey;autoIncrement:false"`
		Membership   membership `gorm:"constraint:OnDelete:CASCADE"`
		Role         string     `gorm:"primaryKey;type:varchar(20)"`
	}
	type memberSkill struct {
		MembershipID uint64     `gorm:"primaryKey;autoIncrement:false"`
		Membership   membership `gorm:"constraint:OnDelete:CASCADE"`
		Skill        string     `gorm:"primaryKey;type:varchar(30)"`
	}
	type refreshToken struct {
		ID        uint64     `gorm:"primaryKey"`
		UserID    uint64     `gorm:"not null;index:ix_refresh_tokens_user"`
		User      user       `gorm:"constraint:OnDelete:CASCADE"`
		FamilyID  string     `gorm:"type:varchar(64);not null;index:ix_refresh_tokens_family"`
		TokenHash string     `gorm:"type:varchar(64);not null;uniqueIndex:ux_refresh_tokens_hash"`
		ExpiresAt time.Time  `gorm:"not null"`
		UsedAt    *time.Time `gorm:""`
		RevokedAt *time.Time `gorm:""`
		CreatedAt time.Time  `gorm:"not null"`
	}
	type loginThrottle struct {
		Key         string     `gorm:"primaryKey;type:varchar(80)"`
		Failures    int        `gorm:"not null;default:0"`
		WindowStart time.Time  `gorm:"not null"`
		LockedUntil *time.Time `gorm:""`
	}
	type event struct {
		ID          uint64    `gorm:"primaryKey"`
		CommunityID uint64    `gorm:"not null;uniqueIndex:ux_events_community_seq"`
		Seq         uint64    `gorm:"not null;uniqueIndex:ux_events_community_seq"`
		Type        string    `gorm:"type:varchar(64);not null"`
		SubjectType string    `gorm:"type:varchar(32);not null;index:ix_events_subject"`
		SubjectID   uint64    `gorm:"not null;index:ix_events_subject"`
		ActorID     *uint64   `gorm:""`
		Payload     string    `gorm:"type:text;not null"`
		Visibility  string    `gorm:"type:varchar(16);not null"`
		CreatedAt   time.Time `gorm:"not null"`
		PrevHash    string    `gorm:"type:varchar(64);not null"`
		Hash        string    `gorm:"type:varchar(64);not null"`
	}
	type eventHead struct {
		CommunityID uint64 `gorm:"primaryKey;autoIncrement:false"`
		Seq         uint64 `gorm:"not null"`
		Hash        string `gorm:"type:varchar(64);not null"`
	}
	tables := []any{
		&community{}, &compound{}, &building{}, &household{}, &user{}, &organization{},
		&membership{}, &memberRole{}, &memberSkill{}, &refreshToken{}, &loginThrottle{},
		&event{}, &eventHead{},
	}
	names := []string{
		"event_heads", "events", "login_throttles", "refresh_tokens", "member_skills", "member_roles",
		"memberships", "organizations", "users", "households", "buildings", "compounds", "communities",
	}
	return &gormigrate.Migration{
		ID: "202611260001_foundation",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			for _, n := range names {
				if err := tx.Migrator().DropTable(n); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
