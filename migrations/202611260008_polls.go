package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Frozen references to tables of earlier steps, for foreign keys.
type (
	m0008Community struct{ ID uint64 }
	m0008Cycle     struct{ ID uint64 }
	m0008Meeting   struct{ ID uint64 }
	m0008User      struct{ ID uint64 }
	m0008Cluster   struct{ ID uint64 }
	m0008Card      struct{ ID uint64 }
	m0008Topic     struct{ ID uint64 }
	m0008Event     struct{ ID uint64 }
)

func (m0008Community) TableName() string { return "communities" }
func (m0008Cycle) TableName() string     { return "cycles" }
func (m0008Meeting) TableName() string   { return "meetings" }
func (m0008User) TableName() string      { return "users" }
func (m0008Cluster) TableName() string   { return "clusters" }
func (m0008Card) TableName() string      { return "cards" }
func (m0008Topic) TableName() string     { return "topics" }
func (m0008Event) TableName() string     { return "events" }

// pollStep creates the poll engine (docs/domain.md "Voting"): polls and their options; running
// tallies per option, with the count of voters, in a few shards, so that a result costs
// O(options) and not O(ballots); receipts (one per voter or household, by primary key); ballots —
// named ones with their voter, secret ones with no voter, no time and a random id, so that
// neither a column nor the insertion order links one to a receipt; and offline (paper,
// show-of-hands) counts with the history of every edit.
func pollStep() *gormigrate.Migration {
	type poll struct {
		ID                uint64         `gorm:"primaryKey"`
		CommunityID       uint64         `gorm:"not null;index:ix_polls_community"`
		Community         m0008Community `gorm:"constraint:OnDelete:RESTRICT"`
		CycleID           uint64         `gorm:"not null;index:ix_polls_cycle"`
		Cycle             m0008Cycle     `gorm:"constraint:OnDelete:RESTRICT"`
		MeetingID         *uint64        `gorm:"index:ix_polls_meeting"`
		Meeting           *m0008Meeting  `gorm:"constraint:OnDelete:RESTRICT"`
		Title             string         `gorm:"type:varchar(100);not null"`
		Method            string         `gorm:"type:varchar(12);not null"`
		MaxChoices        int            `gorm:"not null;default:0"`
		DotsPerVoter      int            `gorm:"not null;default:0"`
		MaxDotsPerOption  int            `gorm:"not null;default:0"`
		ScoreMax          int            `gorm:"not null;default:0"`
		Eligibility       string         `gorm:"type:varchar(20);not null"`
		Weight            string         `gorm:"type:varchar(12);not null"`
		Secrecy           string         `gorm:"type:varchar(8);not null"`
		ResultsVisibility string         `gorm:"type:varchar(12);not null"`
		Rule              string         `gorm:"type:varchar(32);not null;default:''"`
		Quorum            int            `gorm:"not null;default:0"`
		Status            string         `gorm:"type:varchar(8);not null"`
		// OfflineVoters is the sum of the offline tallies' voters; offline edits lock this row.
		OfflineVoters int64      `gorm:"not null;default:0"`
		CreatedBy     uint64     `gorm:"not null;index:ix_polls_created_by"`
		Creator       m0008User  `gorm:"foreignKey:CreatedBy;constraint:OnDelete:RESTRICT"`
		OpenedAt      *time.Time `gorm:""`
		OpenedBy      *uint64    `gorm:""`
		ClosedAt      *time.Time `gorm:""`
		ClosedBy      *uint64    `gorm:""`
		// Result is the result computed at close, as JSON; ClosedEventID is the poll.closed
		// event, whose payload carries the same result into the hash chain.
		Result        *string     `gorm:"type:text"`
		ClosedEventID *uint64     `gorm:"index:ix_polls_closed_event"`
		ClosedEvent   *m0008Event `gorm:"constraint:OnDelete:RESTRICT"`
		CreatedAt     time.Time   `gorm:"not null"`
		UpdatedAt     time.Time   `gorm:"not null"`
	}
	// pollOption is one option, with its offline points and area: the sum of the poll's offline
	// tallies (edits are rare and lock the poll's row).
	type pollOption struct {
		ID            uint64        `gorm:"primaryKey"`
		PollID        uint64        `gorm:"not null;uniqueIndex:ux_poll_options_position,priority:1"`
		Poll          poll          `gorm:"constraint:OnDelete:RESTRICT"`
		Position      int           `gorm:"not null;uniqueIndex:ux_poll_options_position,priority:2"`
		Label         string        `gorm:"type:varchar(100);not null"`
		OptionKey     string        `gorm:"type:varchar(8);not null;default:''"`
		ClusterID     *uint64       `gorm:"index:ix_poll_options_cluster"`
		Cluster       *m0008Cluster `gorm:"constraint:OnDelete:RESTRICT"`
		CardID        *uint64       `gorm:"index:ix_poll_options_card"`
		Card          *m0008Card    `gorm:"constraint:OnDelete:RESTRICT"`
		TopicID       *uint64       `gorm:"index:ix_poll_options_topic"`
		Topic         *m0008Topic   `gorm:"constraint:OnDelete:RESTRICT"`
		OfflinePoints int64         `gorm:"not null;default:0"`
		OfflineArea   int64         `gorm:"not null;default:0"`
	}
	// pollOptionTally is one shard of an option's running online tally: points, supporters
	// (voters who gave it any point), the area behind its points (owners' polls, hundredths of
	// m²), and the voters first counted on this row. A ballot adds to one shard drawn at random,
	// so that concurrent ballots seldom wait for the same rows; a result sums the shards —
	// O(options × shards), never O(ballots).
	type pollOptionTally struct {
		OptionID         uint64     `gorm:"primaryKey;autoIncrement:false"`
		Option           pollOption `gorm:"constraint:OnDelete:RESTRICT"`
		Shard            int        `gorm:"primaryKey;autoIncrement:false"`
		PollID           uint64     `gorm:"not null;index:ix_poll_option_tallies_poll"`
		Poll             poll       `gorm:"constraint:OnDelete:RESTRICT"`
		OnlinePoints     int64      `gorm:"not null;default:0"`
		OnlineSupporters int64      `gorm:"not null;default:0"`
		OnlineArea       int64      `gorm:"not null;default:0"`
		OnlineVoters     int64      `gorm:"not null;default:0"`
	}
	// pollReceipt proves that a voter (a user, or a household for household weight) voted: the
	// primary key is the one-ballot-per-voter rule. It has no time, so that it cannot be lined
	// up with the moment a secret ballot was counted.
	type pollReceipt struct {
		PollID   uint64    `gorm:"primaryKey;autoIncrement:false"`
		Poll     poll      `gorm:"constraint:OnDelete:RESTRICT"`
		VoterKey uint64    `gorm:"primaryKey;autoIncrement:false"`
		UserID   uint64    `gorm:"not null;index:ix_poll_receipts_user"`
		User     m0008User `gorm:"constraint:OnDelete:RESTRICT"`
	}
	// pollNamedBallot is a named ballot: its voter, its points per option as JSON, and when it
	// was cast and last changed.
	type pollNamedBallot struct {
		ID        uint64    `gorm:"primaryKey"`
		PollID    uint64    `gorm:"not null;uniqueIndex:ux_poll_named_ballots_voter,priority:1"`
		Poll      poll      `gorm:"constraint:OnDelete:RESTRICT"`
		VoterKey  uint64    `gorm:"not null;uniqueIndex:ux_poll_named_ballots_voter,priority:2"`
		UserID    uint64    `gorm:"not null;index:ix_poll_named_ballots_user"`
		User      m0008User `gorm:"constraint:OnDelete:RESTRICT"`
		Choice    string    `gorm:"type:text;not null"`
		Area      int64     `gorm:"not null;default:0"`
		Changes   int       `gorm:"not null;default:0"`
		CreatedAt time.Time `gorm:"not null"`
		UpdatedAt time.Time `gorm:"not null"`
	}
	// pollSecretBallot is a secret ballot: a random id (on SQLite the rowid itself, so no hidden
	// insertion order), the poll, the points and the voter's area weight — nothing else.
	type pollSecretBallot struct {
		ID     uint64 `gorm:"primaryKey;autoIncrement:false"`
		PollID uint64 `gorm:"not null;index:ix_poll_secret_ballots_poll"`
		Poll   poll   `gorm:"constraint:OnDelete:RESTRICT"`
		Choice string `gorm:"type:text;not null"`
		Area   int64  `gorm:"not null;default:0"`
	}
	// pollOfflineTally is the current count of one offline source (纸质票, 举手 …) of a poll: its
	// points per option as JSON and the voters it stands for.
	type pollOfflineTally struct {
		ID        uint64    `gorm:"primaryKey"`
		PollID    uint64    `gorm:"not null;uniqueIndex:ux_poll_offline_tallies_source,priority:1"`
		Poll      poll      `gorm:"constraint:OnDelete:RESTRICT"`
		Source    string    `gorm:"type:varchar(20);not null;uniqueIndex:ux_poll_offline_tallies_source,priority:2"`
		Voters    int64     `gorm:"not null;default:0"`
		Counts    string    `gorm:"type:text;not null"`
		UpdatedBy uint64    `gorm:"not null;index:ix_poll_offline_tallies_user"`
		Updater   m0008User `gorm:"foreignKey:UpdatedBy;constraint:OnDelete:RESTRICT"`
		CreatedAt time.Time `gorm:"not null"`
		UpdatedAt time.Time `gorm:"not null"`
	}
	// pollOfflineTallyEdit is one edit of an offline tally: the value before (none for
	// the first entry), the value after, who and when.
	type pollOfflineTallyEdit struct {
		ID             uint64           `gorm:"primaryKey"`
		TallyID        uint64           `gorm:"not null;index:ix_poll_offline_edits_tally"`
		Tally          pollOfflineTally `gorm:"constraint:OnDelete:RESTRICT"`
		PollID         uint64           `gorm:"not null;index:ix_poll_offline_edits_poll"`
		Poll           poll             `gorm:"constraint:OnDelete:RESTRICT"`
		PreviousVoters *int64           `gorm:""`
		PreviousCounts *string          `gorm:"type:text"`
		Voters         int64            `gorm:"not null"`
		Counts         string           `gorm:"type:text;not null"`
		ChangedBy      uint64           `gorm:"not null;index:ix_poll_offline_edits_user"`
		Changer        m0008User        `gorm:"foreignKey:ChangedBy;constraint:OnDelete:RESTRICT"`
		ChangedAt      time.Time        `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "202611260008_polls",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&poll{}, &pollOption{}, &pollOptionTally{}, &pollReceipt{}, &pollNamedBallot{},
				&pollSecretBallot{}, &pollOfflineTally{}, &pollOfflineTallyEdit{})
		},
		Rollback: func(tx *gorm.DB) error {
			for _, n := range []string{"poll_offline_tally_edits", "poll_offline_tallies", "poll_secret_ballots",
				"poll_named_ballots", "poll_receipts", "poll_option_tallies", "poll_options", "polls"} {
				if err := tx.Migrator().DropTable(n); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
