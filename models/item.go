package models

import (
	"time"
)

// Action item statuses (docs/follow-through.md "Action items"). Blocked needs a reason; done and
// cancelled close an item.
const (
	ItemTodo       = "todo"
	ItemInProgress = "in_progress"
	ItemBlocked    = "blocked"
	ItemDone       = "done"
	ItemCancelled  = "cancelled"
)

// ItemStatuses lists the statuses in the order the API documents them.
var ItemStatuses = []string{ItemTodo, ItemInProgress, ItemBlocked, ItemDone, ItemCancelled}

// Claim statuses: a party member's claim waits for the facilitator, who confirms or declines it.
const (
	ClaimPending   = "pending"
	ClaimConfirmed = "confirmed"
	ClaimDeclined  = "declined"
)

// Funding sources of a resolution's budget (阳光财务).
const (
	FundingMaintenanceFund   = "maintenance_fund"   // 专项维修资金
	FundingGovernmentSubsidy = "government_subsidy" // 政府补贴
	FundingResidents         = "residents"          // 居民自筹
	FundingProperty          = "property"           // 物业
	FundingOther             = "other"              // 其他
)

// FundingSources lists the funding sources in the order the API documents them.
var FundingSources = []string{FundingMaintenanceFund, FundingGovernmentSubsidy, FundingResidents, FundingProperty, FundingOther}

// Limits of the follow-through.
const (
	MaxItemTitleRunes     = 100
	MaxItemSkills         = 10
	MaxItemSkillRunes     = 20
	MaxItemsPerResolution = 200
	MaxItemDepth          = 4
	MaxItemWeight         = 100
	MaxBlockedReasonRunes = 500
	MaxUpdateNoteRunes    = 2000
	MaxUpdatePhotos       = 9
	MaxObjectionRunes     = 2000
	MaxPublicityDays      = 90
	DefaultPublicityDays  = 7
)

// ActionItem 落实事项 is one piece of carrying out a resolution: a node of a tree with a weight,
// a due date ('YYYY-MM-DD', the community's calendar), the skills it needs and an assignee — a
// member or an organization with a contact person. Progress of a leaf is reported; a parent's
// rolls up from its children by weight.
type ActionItem struct {
	ID             uint64     `gorm:"primaryKey" json:"id"`
	CommunityID    uint64     `json:"community_id"`
	ResolutionID   uint64     `json:"resolution_id"`
	ParentID       *uint64    `json:"parent_id"`
	Title          string     `json:"title"`
	Weight         int        `json:"weight"`
	DueDate        string     `json:"due_date"`
	Skills         string     `json:"-"`
	AssigneeUserID *uint64    `json:"assignee_user_id"`
	AssigneeOrgID  *uint64    `json:"assignee_org_id"`
	ContactName    string     `json:"contact_name"`
	ContactPhone   string     `json:"contact_phone"`
	Status         string     `json:"status"`
	Progress       int        `json:"progress"`
	BlockedReason  string     `json:"blocked_reason"`
	OpenForClaims  bool       `json:"open_for_claims"`
	CreatedBy      uint64     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	DoneAt         *time.Time `json:"done_at"`
}

// TableName pins the table.
func (ActionItem) TableName() string { return "action_items" }

// ItemClaim is a party member's claim on an item open for claims (党员接单).
type ItemClaim struct {
	ID          uint64     `gorm:"primaryKey" json:"id"`
	CommunityID uint64     `json:"community_id"`
	ItemID      uint64     `json:"item_id"`
	UserID      uint64     `json:"user_id"`
	Status      string     `json:"status"`
	DecidedBy   *uint64    `json:"decided_by"`
	DecidedAt   *time.Time `json:"decided_at"`
	CreatedAt   time.Time  `json:"created_at"`
}

// TableName pins the table.
func (ItemClaim) TableName() string { return "item_claims" }

// ItemUpdate is a progress report on an item with its evidence.
type ItemUpdate struct {
	ID          uint64    `gorm:"primaryKey" json:"id"`
	CommunityID uint64    `json:"community_id"`
	ItemID      uint64    `json:"item_id"`
	AuthorID    uint64    `json:"author_id"`
	Note        string    `json:"note"`
	Progress    *int      `json:"progress"`
	HoursCenti  int64     `json:"-"`
	CostFen     int64     `json:"cost_fen"`
	CreatedAt   time.Time `json:"created_at"`
}

// TableName pins the table.
func (ItemUpdate) TableName() string { return "item_updates" }

type itemUpdatePhoto struct {
	UpdateID uint64 `gorm:"primaryKey;autoIncrement:false"`
	UploadID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Position int
}

func (itemUpdatePhoto) TableName() string { return "item_update_photos" }

// Objection 异议 is a member's objection to a resolution during its publicity, with the
// facilitator's answer.
type Objection struct {
	ID           uint64     `gorm:"primaryKey" json:"id"`
	CommunityID  uint64     `json:"community_id"`
	ResolutionID uint64     `json:"resolution_id"`
	AuthorID     uint64     `json:"-"`
	Text         string     `json:"text"`
	Answer       string     `json:"answer"`
	AnsweredBy   *uint64    `json:"answered_by"`
	AnsweredAt   *time.Time `json:"answered_at"`
	CreatedAt    time.Time  `json:"created_at"`
	// Mine: the reader lodged it. Objections show no author's name.
	Mine bool `gorm:"-" json:"mine"`
}

// TableName pins the table.
func (Objection) TableName() string { return "resolution_objections" }
