package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Projector modes: what the wall (大屏) of a meeting shows. A meeting that was never set shows
// the join screen.
const (
	ProjectorJoin    = "join"    // QR code, join code and attendance
	ProjectorTopic   = "topic"   // the cycle's selected topic and why it was selected
	ProjectorCards   = "cards"   // the card wall: the text of the cycle's visible cards
	ProjectorMessage = "message" // a short message from the facilitator
	ProjectorBlank   = "blank"   // nothing but the meeting's title

	// MaxProjectorMessageRunes is the longest wall message, in characters.
	MaxProjectorMessageRunes = 200
)

// ProjectorModes lists the modes in the console's order.
var ProjectorModes = []string{ProjectorJoin, ProjectorTopic, ProjectorCards, ProjectorMessage, ProjectorBlank}

// ProjectorState is what a meeting's facilitator last put on the wall. TopicID is the topic it
// showed (the cycle's selected topic when it was pushed); ClusterID is kept for the group mode.
type ProjectorState struct {
	MeetingID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Mode      string
	TopicID   *uint64
	Message   string
	ClusterID *uint64
	UpdatedBy uint64
	UpdatedAt time.Time
}

// TableName pins the table.
func (ProjectorState) TableName() string { return "projector_states" }

// Wall is what the projector shows, and all it may know: the meeting's public face, the
// attendance figures and the content of the current mode only. It never carries user ids,
// phone numbers, authors, hidden cards or anything not pushed to it.
type Wall struct {
	Title         string     `json:"title"`
	Location      string     `json:"location"`
	StartsAt      time.Time  `json:"starts_at"`
	Status        string     `json:"status"`
	JoinCode      string     `json:"join_code"` // empty once the meeting ended
	JoinURL       string     `json:"join_url"`  // filled by the HTTP layer, which knows the base URL
	AttendeeCount int        `json:"attendee_count"`
	Quorum        int        `json:"quorum"`
	QuorumMet     bool       `json:"quorum_met"`
	Mode          string     `json:"mode"`
	UpdatedAt     time.Time  `json:"updated_at"`
	Topic         *WallTopic `json:"topic"`   // mode topic only
	Cards         []WallCard `json:"cards"`   // mode cards only
	Message       *string    `json:"message"` // mode message only

	// For the stream of the wall; never sent.
	MeetingID   uint64 `json:"-"`
	CycleID     uint64 `json:"-"`
	CommunityID uint64 `json:"-"`
}

// WallTopic is the selected topic as the wall shows it.
type WallTopic struct {
	Title  string `json:"title"`
	Reason string `json:"reason"`
}

// WallCard is a card as the wall shows it: its text, never its author.
type WallCard struct {
	ID   uint64 `json:"id"`
	Body string `json:"body"`
}

// ProjectorInput is what the facilitator puts on the wall.
type ProjectorInput struct {
	Mode    string
	Message string
}

// projectorState reads a meeting's state; a meeting never set shows the join screen since it
// was scheduled.
func projectorState(db *gorm.DB, m *Meeting) (ProjectorState, error) {
	var st ProjectorState
	err := db.Where("meeting_id = ?", m.ID).Limit(1).Find(&st).Error
	if err != nil {
		return st, fmt.Errorf("read projector of meeting %d: %w", m.ID, err)
	}
	if st.MeetingID == 0 {
		st = ProjectorState{MeetingID: m.ID, Mode: ProjectorJoin, UpdatedAt: m.CreatedAt}
	}
	return st, nil
}

// wallOf builds the wall of a meeting (read with its figures) in its current state.
func wallOf(db *gorm.DB, m *Meeting) (*Wall, error) {
	st, err := projectorState(db, m)
	if err != nil {
		return nil, err
	}
	w := &Wall{Title: m.Title, Location: m.Location, StartsAt: m.StartsAt, Status: m.Status,
		AttendeeCount: m.AttendeeCount, Quorum: m.Quorum, QuorumMet: m.QuorumMet, Mode: st.Mode, UpdatedAt: st.UpdatedAt,
		MeetingID: m.ID, CycleID: m.CycleID, CommunityID: m.CommunityID}
	if m.ActiveJoinCode != nil {
		w.JoinCode = *m.ActiveJoinCode
	}
	switch st.Mode {
	case ProjectorTopic:
		w.Topic = &WallTopic{}
		if st.TopicID != nil {
			var row struct {
				Title           string
				SelectedTopicID *uint64
				SelectionReason string
			}
			if err := db.Table("topics").Select("topics.title, cycles.selected_topic_id, cycles.selection_reason").
				Joins("JOIN cycles ON cycles.id = topics.cycle_id").Where("topics.id = ?", *st.TopicID).
				Take(&row).Error; err != nil {
				return nil, fmt.Errorf("read wall topic %d: %w", *st.TopicID, err)
			}
			w.Topic.Title = row.Title
			if row.SelectedTopicID != nil && *row.SelectedTopicID == *st.TopicID {
				w.Topic.Reason = row.SelectionReason
			}
		}
	case ProjectorCards:
		w.Cards = []WallCard{}
		if err := db.Model(&Card{}).Select("id", "body").Where("cycle_id = ? AND status = ?", m.CycleID, CardVisible).
			Order("id").Find(&w.Cards).Error; err != nil {
			return nil, fmt.Errorf("read wall cards of meeting %d: %w", m.ID, err)
		}
	case ProjectorMessage:
		msg := st.Message
		w.Message = &msg
	}
	return w, nil
}

// SetProjector puts something on a meeting's wall; facilitators and admins only, until the
// meeting ends. The topic mode shows the cycle's selected topic; the message mode needs a
// message of at most 200 characters, and no other mode takes one.
func (s *Store) SetProjector(ctx context.Context, a Actor, meetingID uint64, in ProjectorInput) (*Wall, error) {
	msg := strings.TrimSpace(in.Message)
	switch {
	case !slices.Contains(ProjectorModes, in.Mode):
		return nil, FieldError("mode", "unknown_mode")
	case in.Mode == ProjectorMessage && msg == "":
		return nil, FieldError("message", "required")
	case in.Mode != ProjectorMessage && msg != "":
		return nil, FieldError("message", "message_mode_only")
	case utf8.RuneCountInString(msg) > MaxProjectorMessageRunes:
		return nil, FieldError("message", "message_too_long")
	}
	err := s.facilitateMeeting(ctx, a, meetingID, func(tx *Tx, m *Meeting) error {
		if m.Status == MeetingEnded {
			return meetingStateError(m.Status)
		}
		st := ProjectorState{MeetingID: m.ID, Mode: in.Mode, Message: msg, UpdatedBy: a.UserID, UpdatedAt: tx.Now()}
		if in.Mode == ProjectorTopic {
			var cy Cycle
			if err := tx.Select("id", "selected_topic_id").Take(&cy, m.CycleID).Error; err != nil {
				return fmt.Errorf("read cycle %d: %w", m.CycleID, err)
			}
			if cy.SelectedTopicID == nil {
				return Errorf(ECONFLICT, "wall_topic_not_selected")
			}
			st.TopicID = cy.SelectedTopicID
		}
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "meeting_id"}}, UpdateAll: true}).
			Create(&st).Error; err != nil {
			return fmt.Errorf("set projector of meeting %d: %w", m.ID, err)
		}
		_, err := tx.AppendEvent(EventInput{CommunityID: m.CommunityID, Type: "projector.changed", SubjectType: "meeting",
			SubjectID: m.ID, Actor: a.ref(), Visibility: VisMembers, Payload: map[string]any{"meeting_id": m.ID, "mode": in.Mode}})
		return err
	})
	if err != nil {
		return nil, err
	}
	m, err := findMeeting(s.write.WithContext(ctx), meetingID)
	if err != nil {
		return nil, err
	}
	return wallOf(s.write.WithContext(ctx), m)
}

// Projector shows facilitators, admins and the committee what the meeting's wall shows now,
// for the console's preview.
func (s *Store) Projector(ctx context.Context, a Actor, meetingID uint64) (*Wall, error) {
	m, err := findMeeting(s.rdb(ctx), meetingID)
	if err != nil {
		return nil, err
	}
	if _, err := s.readAccess(ctx, a, m.CommunityID, RoleFacilitator, RoleAdmin, RoleCommittee); err != nil {
		return nil, err
	}
	return wallOf(s.rdb(ctx), m)
}

// WallByDisplayToken is the wall of the meeting whose current display token this is; no login
// is needed, and a renewed or unknown token is not found.
func (s *Store) WallByDisplayToken(ctx context.Context, token string) (*Wall, error) {
	m, err := s.MeetingByDisplayToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return wallOf(s.rdb(ctx), m)
}

// ProjectorMode is the mode a meeting's wall shows now. It asks no one's access: the mode is
// what the room sees, and callers have already checked the display token.
func (s *Store) ProjectorMode(ctx context.Context, m *Meeting) (string, error) {
	st, err := projectorState(s.rdb(ctx), m)
	return st.Mode, err
}
