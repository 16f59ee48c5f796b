package models

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Meeting statuses and the speaking limits a meeting starts with (docs/domain.md, docs/domain.md "The round table":
// at most 2 minutes a speech and 2 speeches a person an item).
const (
	MeetingScheduled = "scheduled"
	MeetingStarted   = "started"
	MeetingEnded     = "ended"

	DefaultSpeechSeconds   = 120
	DefaultSpeechesPerItem = 2
)

// Meeting 圆桌会议 is the round table of a cycle. Its join code lets members sign in from their
// phones; its display token is the projector's capability, looked up by its hash and kept as
// well (DisplayTokenRaw) so that any facilitator of the meeting can show the link in use.
type Meeting struct {
	ID               uint64     `gorm:"primaryKey" json:"id"`
	CycleID          uint64     `json:"cycle_id"`
	CommunityID      uint64     `json:"community_id"`
	Title            string     `json:"title"`
	StartsAt         time.Time  `json:"starts_at"`
	Location         string     `json:"location"`
	Status           string     `json:"status"`
	JoinCode         string     `json:"join_code,omitempty"` // to code keepers only (shapeFor)
	ActiveJoinCode   *string    `json:"-"`
	DisplayTokenHash string     `json:"-"`
	DisplayTokenRaw  *string    `gorm:"column:display_token" json:"-"`
	Quorum           int        `json:"quorum"`
	SpeechSeconds    int        `json:"speech_seconds"`
	SpeechesPerItem  int        `json:"speeches_per_item"`
	Summary          string     `json:"summary"`
	AttendeeCount    int        `json:"attendee_count"`
	StartedAt        *time.Time `json:"started_at"`
	EndedAt          *time.Time `json:"ended_at"`
	CreatedBy        uint64     `json:"created_by"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	// Filled for responses.
	Agenda         []AgendaItem `gorm:"-" json:"agenda"`
	MinutesCardIDs []uint64     `gorm:"-" json:"minutes_card_ids"`
	QuorumMet      bool         `gorm:"-" json:"quorum_met"`
	// SeatCount is the number of stakeholder seats; SeatsPresent of those whose invitee signed in.
	SeatCount    int `gorm:"-" json:"seat_count"`
	SeatsPresent int `gorm:"-" json:"seats_present"`
	// DisplayToken is the raw projector token, sent only by the calls that make one.
	DisplayToken string `gorm:"-" json:"display_token,omitempty"`
}

// TableName pins the table.
func (Meeting) TableName() string { return "meetings" }

// AgendaItem is one item of a meeting's agenda, with its planned duration.
type AgendaItem struct {
	ID        uint64 `gorm:"primaryKey" json:"-"`
	MeetingID uint64 `json:"-"`
	Position  int    `json:"position"`
	Title     string `json:"title"`
	Minutes   int    `json:"minutes"`
}

// TableName pins the table.
func (AgendaItem) TableName() string { return "meeting_agenda_items" }

type meetingMinuteCard struct {
	MeetingID uint64 `gorm:"primaryKey;autoIncrement:false"`
	CardID    uint64 `gorm:"primaryKey;autoIncrement:false"`
}

func (meetingMinuteCard) TableName() string { return "meeting_minute_cards" }

// codeKeepers see a meeting's join code: the facilitators and admins who run it (and the wall,
// by its display token). Anyone else could sign in from home with it.
var codeKeepers = []string{RoleFacilitator, RoleAdmin}

// shapeFor leaves the join code out of a meeting for whoever may not see it.
func (m *Meeting) shapeFor(acc *Access) {
	if !acc.Has(codeKeepers...) {
		m.JoinCode = ""
	}
}

// quorumMet: a quorum of 0 means the meeting needs none.
func quorumMet(quorum int, count int64) bool { return quorum == 0 || count >= int64(quorum) }

// errJoinCodeTaken makes ScheduleMeeting draw another code.
var errJoinCodeTaken = errors.New("join code taken")

// newJoinCode draws a 6-digit code.
func newJoinCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// fill adds the agenda, the cards the minutes link and the attendance figures.
func (m *Meeting) fill(db *gorm.DB) error {
	m.Agenda = []AgendaItem{}
	if err := db.Where("meeting_id = ?", m.ID).Order("position").Find(&m.Agenda).Error; err != nil {
		return fmt.Errorf("read agenda of meeting %d: %w", m.ID, err)
	}
	m.MinutesCardIDs = []uint64{}
	if err := db.Model(&meetingMinuteCard{}).Where("meeting_id = ?", m.ID).Order("card_id").
		Pluck("card_id", &m.MinutesCardIDs).Error; err != nil {
		return fmt.Errorf("read minutes of meeting %d: %w", m.ID, err)
	}
	if m.Status != MeetingEnded {
		var n int64
		if err := db.Model(&Attendance{}).Where("meeting_id = ?", m.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("count attendance of meeting %d: %w", m.ID, err)
		}
		m.AttendeeCount = int(n)
	}
	m.QuorumMet = quorumMet(m.Quorum, int64(m.AttendeeCount))
	var err error
	m.SeatCount, m.SeatsPresent, err = seatCounts(db, m.ID)
	return err
}

// findMeeting reads a meeting with its agenda and figures.
func findMeeting(db *gorm.DB, id uint64) (*Meeting, error) {
	var m Meeting
	if err := db.Take(&m, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &m, m.fill(db)
}

// MeetingInput schedules a meeting. Zero speaking limits take the defaults.
type MeetingInput struct {
	Title           string
	StartsAt        time.Time
	Location        string
	Agenda          []AgendaItem
	Quorum          int
	SpeechSeconds   int
	SpeechesPerItem int
}

// ScheduleMeeting schedules a cycle's round table while it collects cards or holds the round
// table; facilitators and admins only. The answer carries the display token, once.
func (s *Store) ScheduleMeeting(ctx context.Context, a Actor, cycleID uint64, in MeetingInput) (*Meeting, error) {
	in.Title, in.Location = strings.TrimSpace(in.Title), strings.TrimSpace(in.Location)
	switch {
	case in.Title == "":
		return nil, FieldError("title", "required")
	case in.Location == "":
		return nil, FieldError("location", "required")
	case in.StartsAt.IsZero():
		return nil, FieldError("starts_at", "required")
	case in.Quorum < 0:
		return nil, FieldError("quorum", "invalid")
	}
	if in.SpeechSeconds == 0 {
		in.SpeechSeconds = DefaultSpeechSeconds
	}
	if in.SpeechesPerItem == 0 {
		in.SpeechesPerItem = DefaultSpeechesPerItem
	}
	for i := range in.Agenda {
		in.Agenda[i].Title = strings.TrimSpace(in.Agenda[i].Title)
		if in.Agenda[i].Title == "" {
			return nil, FieldError(fmt.Sprintf("agenda[%d].title", i), "required")
		}
	}
	var m *Meeting
	var token string
	for attempt := 1; ; attempt++ {
		code, err := newJoinCode()
		if err != nil {
			return nil, err
		}
		if token, err = randomToken(32); err != nil {
			return nil, err
		}
		err = s.tx(ctx, func(tx *Tx) error {
			cy, err := tx.lockCycle(cycleID)
			if err != nil {
				return err
			}
			if _, err := tx.writeAccess(a, cy.CommunityID, RoleFacilitator, RoleAdmin); err != nil {
				return err
			}
			if err := cy.allow(StepScheduleMeeting); err != nil {
				return err
			}
			m = &Meeting{CycleID: cycleID, CommunityID: cy.CommunityID, Title: in.Title,
				StartsAt: in.StartsAt.UTC().Truncate(time.Millisecond), Location: in.Location, Status: MeetingScheduled,
				JoinCode: code, ActiveJoinCode: &code, DisplayTokenHash: tokenHash(token), DisplayTokenRaw: &token, Quorum: in.Quorum,
				SpeechSeconds: in.SpeechSeconds, SpeechesPerItem: in.SpeechesPerItem, CreatedBy: a.UserID}
			if err := tx.Create(m).Error; err != nil {
				if isDuplicate(err) {
					return errJoinCodeTaken
				}
				return fmt.Errorf("create meeting: %w", err)
			}
			for i, it := range in.Agenda {
				item := AgendaItem{MeetingID: m.ID, Position: i + 1, Title: it.Title, Minutes: it.Minutes}
				if err := tx.Create(&item).Error; err != nil {
					return fmt.Errorf("create agenda item: %w", err)
				}
			}
			if _, err = tx.AppendEvent(EventInput{CommunityID: cy.CommunityID, Type: EvMeetingScheduled, SubjectType: "meeting",
				SubjectID: m.ID, Actor: a.ref(), Visibility: VisMembers,
				Payload: MeetingScheduledPayload{CycleID: cycleID, Title: m.Title, StartsAt: m.StartsAt, Location: m.Location,
					Quorum: m.Quorum, AgendaItems: len(in.Agenda)}}); err != nil {
				return err
			}
			return notifyMeetingScheduled(tx, a, cy, m)
		})
		if errors.Is(err, errJoinCodeTaken) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, err
		}
		break
	}
	out, err := findMeeting(s.write.WithContext(ctx), m.ID)
	if err != nil {
		return nil, err
	}
	out.DisplayToken = token
	return out, nil
}

// GetMeeting returns a meeting to members of its community, with its join code only to
// facilitators and admins.
func (s *Store) GetMeeting(ctx context.Context, a Actor, id uint64) (*Meeting, error) {
	var m Meeting
	if err := s.rdb(ctx).Take(&m, id).Error; err != nil {
		return nil, notFound(err)
	}
	acc, err := s.readAccess(ctx, a, m.CommunityID)
	if err != nil {
		return nil, err
	}
	m.shapeFor(acc)
	return &m, m.fill(s.rdb(ctx))
}

// ListMeetings lists a cycle's meetings in the order they start, to members of its community,
// with their join codes only to facilitators and admins.
func (s *Store) ListMeetings(ctx context.Context, a Actor, cycleID uint64) ([]Meeting, error) {
	cy, err := findCycle(s.rdb(ctx), cycleID)
	if err != nil {
		return nil, err
	}
	acc, err := s.readAccess(ctx, a, cy.CommunityID)
	if err != nil {
		return nil, err
	}
	var out []Meeting
	if err := s.rdb(ctx).Where("cycle_id = ?", cycleID).Order("starts_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	for i := range out {
		out[i].shapeFor(acc)
		if err := out[i].fill(s.rdb(ctx)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MeetingByDisplayToken returns the meeting whose current display token this is, for the
// projector; a renewed token no longer matches.
func (s *Store) MeetingByDisplayToken(ctx context.Context, token string) (*Meeting, error) {
	if token == "" {
		return nil, errNotFound
	}
	var m Meeting
	if err := s.rdb(ctx).Where("display_token_hash = ?", tokenHash(token)).Take(&m).Error; err != nil {
		return nil, notFound(err)
	}
	return &m, m.fill(s.rdb(ctx))
}

// meetingStateError names why a meeting cannot take a step.
func meetingStateError(status string) error {
	switch status {
	case MeetingStarted:
		return Errorf(ECONFLICT, "meeting_already_started")
	case MeetingEnded:
		return Errorf(ECONFLICT, "meeting_ended")
	}
	return Errorf(ECONFLICT, "meeting_not_started")
}

// facilitateMeeting runs fn in a transaction on a meeting once the actor is known to be a
// facilitator or admin of its community and the step is allowed (stepRules). The cycle's row is
// locked first, then the meeting's: the order every meeting operation locks them in.
func (s *Store) facilitateMeeting(ctx context.Context, a Actor, id uint64, step Step, fn func(tx *Tx, m *Meeting) error) error {
	return s.tx(ctx, func(tx *Tx) error {
		var m Meeting
		if err := tx.Select("id", "cycle_id").Take(&m, id).Error; err != nil {
			return notFound(err)
		}
		cy, err := tx.lockCycle(m.CycleID)
		if err != nil {
			return err
		}
		if err := tx.forUpdate().Take(&m, id).Error; err != nil {
			return notFound(err)
		}
		if _, err := tx.writeAccess(a, m.CommunityID, RoleFacilitator, RoleAdmin); err != nil {
			return err
		}
		if err := cy.allowMeeting(step, &m); err != nil {
			return err
		}
		return fn(tx, &m)
	})
}

// StartMeeting opens a scheduled meeting; facilitators and admins only, while the cycle collects
// cards or holds the round table. A cycle still collecting cards moves to the round table.
func (s *Store) StartMeeting(ctx context.Context, a Actor, id uint64) (*Meeting, error) {
	err := s.tx(ctx, func(tx *Tx) error {
		var m Meeting
		if err := tx.Select("id", "cycle_id", "community_id").Take(&m, id).Error; err != nil {
			return notFound(err)
		}
		// The cycle first, then the meeting: the order every meeting operation locks them in.
		cy, err := tx.lockCycle(m.CycleID)
		if err != nil {
			return err
		}
		if _, err := tx.writeAccess(a, m.CommunityID, RoleFacilitator, RoleAdmin); err != nil {
			return err
		}
		if err := tx.forUpdate().Take(&m, id).Error; err != nil {
			return notFound(err)
		}
		if err := cy.allowMeeting(StepStartMeeting, &m); err != nil {
			return err
		}
		now := tx.Now()
		if err := tx.Model(&Meeting{}).Where("id = ?", m.ID).
			Updates(map[string]any{"status": MeetingStarted, "started_at": now}).Error; err != nil {
			return fmt.Errorf("start meeting %d: %w", id, err)
		}
		if cy.Phase == PhaseCardCollection {
			if err := tx.Model(&Cycle{}).Where("id = ? AND phase = ?", cy.ID, cy.Phase).
				Update("phase", PhaseRoundTable).Error; err != nil {
				return fmt.Errorf("advance cycle %d: %w", cy.ID, err)
			}
			if _, err := tx.AppendEvent(EventInput{CommunityID: cy.CommunityID, Type: EvCycleAdvanced, SubjectType: "cycle",
				SubjectID: cy.ID, Actor: a.ref(), Visibility: VisPublic,
				Payload: CyclePhasePayload{From: cy.Phase, To: PhaseRoundTable, Reason: "", Direction: "forward",
					MeetingID: &m.ID}}); err != nil {
				return err
			}
			if err := notifyPhase(tx, a, cy, PhaseRoundTable); err != nil {
				return err
			}
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: m.CommunityID, Type: EvMeetingStarted, SubjectType: "meeting",
			SubjectID: m.ID, Actor: a.ref(), Visibility: VisMembers, Payload: MeetingPayload{CycleID: m.CycleID}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return findMeeting(s.write.WithContext(ctx), id)
}

// MinutesInput closes a meeting: a summary and the cards of the cycle it took up.
type MinutesInput struct {
	Summary string
	CardIDs []uint64
}

// EndMeeting ends a started meeting with its minutes and keeps its attendee count; its join
// code stops working. Facilitators and admins only.
func (s *Store) EndMeeting(ctx context.Context, a Actor, id uint64, in MinutesInput) (*Meeting, error) {
	summary := strings.TrimSpace(in.Summary)
	if summary == "" {
		return nil, FieldError("minutes.summary", "required")
	}
	cards := slices.Clone(in.CardIDs)
	slices.Sort(cards)
	cards = slices.Compact(cards)
	err := s.facilitateMeeting(ctx, a, id, StepEndMeeting, func(tx *Tx, m *Meeting) error {
		if len(cards) > 0 {
			var n int64
			if err := tx.Model(&Card{}).Where("id IN ? AND cycle_id = ?", cards, m.CycleID).Count(&n).Error; err != nil {
				return fmt.Errorf("check minutes cards: %w", err)
			}
			if n != int64(len(cards)) {
				return FieldError("minutes.card_ids", "card_not_in_cycle")
			}
		}
		var count int64
		if err := tx.Model(&Attendance{}).Where("meeting_id = ?", m.ID).Count(&count).Error; err != nil {
			return fmt.Errorf("count attendance: %w", err)
		}
		if err := tx.Model(&Meeting{}).Where("id = ?", m.ID).Updates(map[string]any{"status": MeetingEnded,
			"ended_at": tx.Now(), "active_join_code": nil, "attendee_count": count, "summary": summary}).Error; err != nil {
			return fmt.Errorf("end meeting %d: %w", id, err)
		}
		for _, c := range cards {
			if err := tx.Create(&meetingMinuteCard{MeetingID: m.ID, CardID: c}).Error; err != nil {
				return fmt.Errorf("link minutes card: %w", err)
			}
		}
		_, err := tx.AppendEvent(EventInput{CommunityID: m.CommunityID, Type: EvMeetingEnded, SubjectType: "meeting",
			SubjectID: m.ID, Actor: a.ref(), Visibility: VisMembers,
			Payload: MeetingEndedPayload{CycleID: m.CycleID, AttendeeCount: count, QuorumMet: quorumMet(m.Quorum, count),
				CardIDs: cards}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return findMeeting(s.write.WithContext(ctx), id)
}

// RenewDisplayToken replaces a meeting's projector token; the old one stops working at once.
// Facilitators and admins only, until the meeting ends.
func (s *Store) RenewDisplayToken(ctx context.Context, a Actor, id uint64) (string, error) {
	token, err := randomToken(32)
	if err != nil {
		return "", err
	}
	err = s.facilitateMeeting(ctx, a, id, StepPrepareMeeting, func(tx *Tx, m *Meeting) error {
		if err := tx.Model(&Meeting{}).Where("id = ?", m.ID).
			Updates(map[string]any{"display_token_hash": tokenHash(token), "display_token": token}).Error; err != nil {
			return fmt.Errorf("renew display token of meeting %d: %w", id, err)
		}
		_, err := tx.AppendEvent(EventInput{CommunityID: m.CommunityID, Type: EvMeetingDisplayTokenRenewed,
			SubjectType: "meeting", SubjectID: m.ID, Actor: a.ref(), Visibility: VisCommittee,
			Payload: MeetingPayload{CycleID: m.CycleID}})
		return err
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// WallToken is the meeting's current projector token, so any facilitator or admin of the
// meeting can show the link the projector uses (or open a second wall) without retiring it. A
// meeting made before the token was kept has none (409 wall_link_unknown) until it is renewed.
// The wall shows only what members may read anyway; renewing retires every open wall.
func (s *Store) WallToken(ctx context.Context, a Actor, id uint64) (string, error) {
	var m Meeting
	db := s.rdb(ctx)
	if err := db.Select("id", "community_id", "display_token_hash", "display_token").Take(&m, id).Error; err != nil {
		return "", notFound(err)
	}
	acc, err := access(db, a, m.CommunityID)
	if err != nil {
		return "", err
	}
	if err := acc.require(RoleFacilitator, RoleAdmin); err != nil {
		return "", err
	}
	if m.DisplayTokenRaw == nil || tokenHash(*m.DisplayTokenRaw) != m.DisplayTokenHash {
		return "", Errorf(ECONFLICT, "wall_link_unknown")
	}
	return *m.DisplayTokenRaw, nil
}

// ClusterSuggestions proposes groups of near-duplicate visible cards of the meeting's cycle for
// the facilitator's card wall (and the committee, who read everything); cards already in one of
// the meeting's groups are not suggested again.
func (s *Store) ClusterSuggestions(ctx context.Context, a Actor, meetingID uint64) ([]Suggestion, error) {
	var m Meeting
	if err := s.rdb(ctx).Select("id", "community_id", "cycle_id").Take(&m, meetingID).Error; err != nil {
		return nil, notFound(err)
	}
	if _, err := s.readAccess(ctx, a, m.CommunityID, RoleFacilitator, RoleAdmin, RoleCommittee); err != nil {
		return nil, err
	}
	var cards []CardText
	if err := s.rdb(ctx).Model(&Card{}).Select("id", "body").
		Where("cycle_id = ? AND status = ?", m.CycleID, CardVisible).Order("id").Find(&cards).Error; err != nil {
		return nil, fmt.Errorf("read cards of meeting %d: %w", meetingID, err)
	}
	grouped, err := groupedCards(s.rdb(ctx), meetingID)
	if err != nil {
		return nil, err
	}
	return SuggestClusters(cards, SuggestOptions{Exclude: grouped}), nil
}
