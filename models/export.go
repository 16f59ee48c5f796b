package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// MyRecords is what the person did and what is recorded of them in the cycles, for the PIPL
// download: every table that refers to a user as the person it is about. Their own anonymous
// cards are theirs and are included, marked anonymous (the download goes to them alone); a
// secret ballot shows only its receipt — that they voted, never what.
type MyRecords struct {
	Topics         []MyTopic       `json:"topics_proposed"`
	Endorsements   []MyEndorsement `json:"endorsements"`
	Cards          []MyCard        `json:"cards"`
	Reports        []MyReport      `json:"card_reports"`
	Uploads        []MyUpload      `json:"uploads"`
	Attendance     []MyAttendance  `json:"attendance"`
	Speeches       []MySpeech      `json:"speaker_slots"`
	Seats          []MySeat        `json:"seats"`
	NamedBallots   []MyNamedBallot `json:"named_ballots"`
	SecretReceipts []MyReceipt     `json:"secret_ballot_receipts"`
	Signatures     []MySignature   `json:"signatures"`
	OwnerRecords   []MyOwnerRecord `json:"owner_records"`
	OwnerPollRolls []MyRollEntry   `json:"owner_poll_rolls"`
	// The follow-through (docs/follow-through.md): objections lodged, items assigned, claims
	// made and updates posted.
	Objections  []MyObjection  `json:"objections"`
	Items       []MyItem       `json:"items_assigned"`
	Claims      []MyClaim      `json:"item_claims"`
	ItemUpdates []MyItemUpdate `json:"item_updates"`
}

// MyObjection is an objection the person lodged, with its answer.
type MyObjection struct {
	ResolutionID uint64    `json:"resolution_id"`
	Text         string    `json:"text"`
	Answer       string    `json:"answer"`
	CreatedAt    time.Time `json:"created_at"`
}

// MyItem is an action item assigned to the person.
type MyItem struct {
	ID           uint64 `json:"id"`
	ResolutionID uint64 `json:"resolution_id"`
	Title        string `json:"title"`
	Status       string `json:"status"`
	DueDate      string `json:"due_date"`
}

// MyClaim is the person's claim on an item.
type MyClaim struct {
	ItemID    uint64    `json:"item_id"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// MyItemUpdate is a progress update the person posted.
type MyItemUpdate struct {
	ItemID     uint64    `json:"item_id"`
	Note       string    `json:"note"`
	Progress   *int      `json:"progress"`
	HoursCenti int64     `json:"hours_centi"`
	CostFen    int64     `json:"cost_fen"`
	CreatedAt  time.Time `json:"created_at"`
}

// MyTopic is a topic the person proposed (or that staff typed in for them).
type MyTopic struct {
	ID          uint64    `json:"id"`
	CycleID     uint64    `json:"cycle_id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Source      string    `json:"source"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
}

// MyEndorsement is a topic the person endorsed (附议).
type MyEndorsement struct {
	TopicID   uint64    `json:"topic_id"`
	Title     string    `json:"title"`
	CreatedAt time.Time `json:"created_at"`
}

// MyCard is a solution card the person wrote, anonymous or not, in whatever status.
type MyCard struct {
	ID               uint64    `json:"id"`
	CycleID          uint64    `json:"cycle_id"`
	Body             string    `json:"body"`
	Anonymous        bool      `json:"anonymous"`
	Origin           string    `json:"origin"`
	Status           string    `json:"status"`
	ModerationReason string    `json:"moderation_reason"`
	PhotoID          *uint64   `json:"photo_id"`
	CreatedAt        time.Time `json:"created_at"`
}

// MyReport is a report the person made on someone's card.
type MyReport struct {
	CardID    uint64    `json:"card_id"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

// MyUpload is a photo the person uploaded (its description; the file is at /uploads/:id).
type MyUpload struct {
	ID          uint64    `json:"id"`
	CommunityID uint64    `json:"community_id"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
}

// MyAttendance is a meeting the person was signed in at, and how.
type MyAttendance struct {
	MeetingID uint64    `json:"meeting_id"`
	Title     string    `json:"meeting_title"`
	Method    string    `json:"method"`
	CreatedAt time.Time `json:"created_at"`
}

// MySpeech is a turn the person asked for at a meeting.
type MySpeech struct {
	MeetingID      uint64     `json:"meeting_id"`
	Stance         string     `json:"stance"`
	AgendaPosition int        `json:"agenda_position"`
	Status         string     `json:"status"`
	AskedAt        time.Time  `json:"asked_at"`
	StartedAt      *time.Time `json:"started_at"`
	EndedAt        *time.Time `json:"ended_at"`
}

// MySeat is a seat at a round table the person was invited to.
type MySeat struct {
	MeetingID uint64     `json:"meeting_id"`
	Kind      string     `json:"kind"`
	Label     string     `json:"label"`
	InvitedAt *time.Time `json:"invited_at"`
	RemovedAt *time.Time `json:"removed_at"`
}

// MyNamedBallot is a named ballot the person cast, with what they chose (points per option).
type MyNamedBallot struct {
	PollID    uint64    `json:"poll_id"`
	Title     string    `json:"poll_title"`
	Choice    string    `json:"choice"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// MyReceipt says that the person voted in a secret poll; what they chose is kept by no one.
type MyReceipt struct {
	PollID uint64 `json:"poll_id"`
	Title  string `json:"poll_title"`
}

// MySignature is the person's signature on a resolution.
type MySignature struct {
	ResolutionID uint64    `json:"resolution_id"`
	Title        string    `json:"resolution_title"`
	Method       string    `json:"method"`
	CreatedAt    time.Time `json:"created_at"`
}

// MyOwnerRecord is a unit the owners' register records the person as owning.
type MyOwnerRecord struct {
	HouseholdID uint64    `json:"household_id"`
	CompoundID  uint64    `json:"compound_id"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// MyRollEntry is a unit the person voted for in an owners' poll's frozen roll.
type MyRollEntry struct {
	PollID      uint64 `json:"poll_id"`
	HouseholdID uint64 `json:"household_id"`
	AreaCenti   int64  `json:"area_centi"`
}

// exportRecords reads every cycle record about the user, each kind in its table's order.
func exportRecords(db *gorm.DB, userID uint64) (*MyRecords, error) {
	r := &MyRecords{Topics: []MyTopic{}, Endorsements: []MyEndorsement{}, Cards: []MyCard{}, Reports: []MyReport{},
		Uploads: []MyUpload{}, Attendance: []MyAttendance{}, Speeches: []MySpeech{}, Seats: []MySeat{},
		NamedBallots: []MyNamedBallot{}, SecretReceipts: []MyReceipt{}, Signatures: []MySignature{},
		OwnerRecords: []MyOwnerRecord{}, OwnerPollRolls: []MyRollEntry{}, Objections: []MyObjection{}, Items: []MyItem{},
		Claims: []MyClaim{}, ItemUpdates: []MyItemUpdate{}}
	reads := []struct {
		what string
		q    *gorm.DB
		dest any
	}{
		{"topics", db.Table("topics").Select("id, cycle_id, title, description, source, status, created_at").
			Where("proposer_id = ?", userID).Order("id"), &r.Topics},
		{"endorsements", db.Table("endorsements").Select("endorsements.topic_id, topics.title, endorsements.created_at").
			Joins("JOIN topics ON topics.id = endorsements.topic_id").Where("endorsements.user_id = ?", userID).
			Order("endorsements.topic_id"), &r.Endorsements},
		{"cards", db.Table("cards").Select("id, cycle_id, body, anonymous, origin, status, moderation_reason, photo_id, created_at").
			Where("author_id = ?", userID).Order("id"), &r.Cards},
		{"card reports", db.Table("card_reports").Select("card_id, reason, created_at").Where("user_id = ?", userID).
			Order("card_id"), &r.Reports},
		{"uploads", db.Table("uploads").Select("id, community_id, content_type, size, created_at").
			Where("uploader_id = ?", userID).Order("id"), &r.Uploads},
		{"attendance", db.Table("attendances").Select("attendances.meeting_id, meetings.title, attendances.method, attendances.created_at").
			Joins("JOIN meetings ON meetings.id = attendances.meeting_id").Where("attendances.user_id = ?", userID).
			Order("attendances.id"), &r.Attendance},
		{"speaker slots", db.Table("speaker_slots").Select("meeting_id, stance, agenda_position, status, asked_at, started_at, ended_at").
			Where("user_id = ?", userID).Order("id"), &r.Speeches},
		{"seats", db.Table("meeting_seats").Select("meeting_id, kind, label, invited_at, removed_at").
			Where("user_id = ?", userID).Order("id"), &r.Seats},
		{"named ballots", db.Table("poll_named_ballots").Select("poll_named_ballots.poll_id, polls.title, poll_named_ballots.choice, poll_named_ballots.created_at, poll_named_ballots.updated_at").
			Joins("JOIN polls ON polls.id = poll_named_ballots.poll_id").Where("poll_named_ballots.user_id = ?", userID).
			Order("poll_named_ballots.id"), &r.NamedBallots},
		{"secret ballot receipts", db.Table("poll_receipts").Select("poll_receipts.poll_id, polls.title").
			Joins("JOIN polls ON polls.id = poll_receipts.poll_id").
			Where("poll_receipts.user_id = ? AND polls.secrecy = ?", userID, SecrecySecret).Order("poll_receipts.poll_id"), &r.SecretReceipts},
		{"signatures", db.Table("resolution_signatures").Select("resolution_signatures.resolution_id, resolutions.title, resolution_signatures.method, resolution_signatures.created_at").
			Joins("JOIN resolutions ON resolutions.id = resolution_signatures.resolution_id").
			Where("resolution_signatures.user_id = ?", userID).Order("resolution_signatures.id"), &r.Signatures},
		{"owner records", db.Table("household_owners").Select("household_id, compound_id, updated_at").
			Where("user_id = ?", userID).Order("id"), &r.OwnerRecords},
		{"owner poll rolls", db.Table("poll_owner_units").Select("poll_id, household_id, area_centi").
			Where("user_id = ?", userID).Order("poll_id, household_id"), &r.OwnerPollRolls},
		{"objections", db.Table("resolution_objections").Select("resolution_id, text, answer, created_at").
			Where("author_id = ?", userID).Order("id"), &r.Objections},
		{"items", db.Table("action_items").Select("id, resolution_id, title, status, due_date").
			Where("assignee_user_id = ?", userID).Order("id"), &r.Items},
		{"item claims", db.Table("item_claims").Select("item_id, status, created_at").Where("user_id = ?", userID).
			Order("id"), &r.Claims},
		{"item updates", db.Table("item_updates").Select("item_id, note, progress, hours_centi, cost_fen, created_at").
			Where("author_id = ?", userID).Order("id"), &r.ItemUpdates},
	}
	for _, rd := range reads {
		if err := rd.q.Scan(rd.dest).Error; err != nil {
			return nil, fmt.Errorf("export %s: %w", rd.what, err)
		}
	}
	return r, nil
}
