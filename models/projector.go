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
	ProjectorCards   = "cards"   // the card wall: the meeting's groups with their cards, then the loose cards
	ProjectorCluster = "cluster" // one group of the meeting, big, with its cards
	ProjectorSpeaker = "speaker" // the speaker's turn with its timer, and who is next
	ProjectorPoll    = "poll"    // one poll of the meeting: turnout, and the results once they may be shown
	ProjectorMessage = "message" // a short message from the facilitator
	ProjectorBlank   = "blank"   // nothing but the meeting's title
	// ProjectorResolution shows a resolution of the meeting as it stands — a draft read out before
	// it is adopted (docs/paper.md "Draft review") — with its status.
	ProjectorResolution = "resolution"

	// MaxProjectorMessageRunes is the longest wall message, in characters.
	MaxProjectorMessageRunes = 200
	// WallQueueLength is how many of the people waiting to speak the wall names.
	WallQueueLength = 3
	// MaxWallPage is the highest page of the card wall a facilitator may hold (docs/wall.md).
	MaxWallPage = 99
)

// ProjectorModes lists the modes in the console's order.
var ProjectorModes = []string{ProjectorJoin, ProjectorTopic, ProjectorCards, ProjectorCluster, ProjectorSpeaker,
	ProjectorPoll, ProjectorResolution, ProjectorMessage, ProjectorBlank}

// ProjectorState is what a meeting's facilitator last put on the wall. TopicID is the topic it
// showed (the cycle's selected topic when it was pushed); ClusterID the group of the cluster mode;
// PollID the poll of the poll mode.
type ProjectorState struct {
	MeetingID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Mode      string
	TopicID   *uint64
	Message   string
	ClusterID *uint64
	PollID    *uint64
	// ResolutionID is the resolution of the resolution mode.
	ResolutionID *uint64
	// Page is the page of the card wall (cards and cluster modes) the facilitator holds,
	// 1-based; 0 lets the wall turn its pages by itself (docs/wall.md).
	Page      int `gorm:"not null;default:0"`
	UpdatedBy uint64
	UpdatedAt time.Time
}

// TableName pins the table.
func (ProjectorState) TableName() string { return "projector_states" }

// Wall is what the projector shows, and all it may know: the meeting's public face, the
// attendance figures and the content of the current mode only. It never carries user ids,
// phone numbers, authors, hidden cards or anything not pushed to it; a speaker appears by the
// masked name only (see maskName).
type Wall struct {
	Title         string    `json:"title"`
	Location      string    `json:"location"`
	StartsAt      time.Time `json:"starts_at"`
	Status        string    `json:"status"`
	JoinCode      string    `json:"join_code"` // empty once the meeting ended
	JoinURL       string    `json:"join_url"`  // filled by the HTTP layer, which knows the base URL
	AttendeeCount int       `json:"attendee_count"`
	Quorum        int       `json:"quorum"`
	QuorumMet     bool      `json:"quorum_met"`
	Mode          string    `json:"mode"`
	// Page is the page of the cards the facilitator holds on the wall, 1-based; 0 lets the wall
	// turn its pages by itself, counting from UpdatedAt on the server's clock (docs/wall.md).
	Page      int       `json:"page"`
	UpdatedAt time.Time `json:"updated_at"`
	// Now is the server's clock when the wall was read: the wall counts a speech down from
	// StartedAt on its own clock corrected by the difference.
	Now     time.Time    `json:"now"`
	Topic   *WallTopic   `json:"topic"`   // mode topic only
	Cards   []WallCard   `json:"cards"`   // mode cards only: the loose cards, after the groups
	Groups  []WallGroup  `json:"groups"`  // mode cards only
	Cluster *WallGroup   `json:"cluster"` // mode cluster only; null once the group is dissolved
	Speaker *WallSpeaker `json:"speaker"` // mode speaker only
	Poll    *WallPoll    `json:"poll"`    // mode poll only
	Message *string      `json:"message"` // mode message only
	// Resolution is the resolution mode's resolution.
	Resolution *WallResolution `json:"resolution"`

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

// WallGroup is a group of cards as the wall shows it: its label, its place and its visible
// cards in their order.
type WallGroup struct {
	ID       uint64     `json:"id"`
	Label    string     `json:"label"`
	Position int        `json:"position"`
	Cards    []WallCard `json:"cards"`
}

// WallSpeaker is the speaker mode: the agenda item under discussion, the speech timer, the
// running speech and the next few in the suggested order.
type WallSpeaker struct {
	Item           *WallItem   `json:"item"` // null for a meeting without an agenda
	LimitSeconds   int         `json:"limit_seconds"`
	WarningSeconds int         `json:"warning_seconds"`
	Current        *WallSpeech `json:"current"` // null while nobody speaks
	Next           []WallTurn  `json:"next"`    // at most WallQueueLength
	Waiting        int         `json:"waiting"` // how many may be called now, in all
}

// WallItem is the current agenda item as the wall shows it.
type WallItem struct {
	Position int    `json:"position"`
	Title    string `json:"title"`
	Minutes  int    `json:"minutes"`
}

// WallTurn is someone's turn as the wall shows it: the masked name and the stance.
type WallTurn struct {
	Name   string `json:"name"`
	Stance string `json:"stance"`
}

// WallSpeech is the running speech: whose, and since when.
type WallSpeech struct {
	WallTurn
	StartedAt time.Time `json:"started_at"`
}

// ProjectorInput is what the facilitator puts on the wall.
type ProjectorInput struct {
	Mode         string
	Message      string
	ClusterID    *uint64
	PollID       *uint64
	ResolutionID *uint64
	Page         int
}

// maskName is how the wall names a speaker: the first character and a star for each of the
// next ones, at most three (王** for 王秀英). The wall is a public screen — photographed,
// streamed, opened by anyone holding its link — while the people in the room see who stands
// up anyway; so, as phone numbers are masked for non-admins, the wall shows no more of a name
// than it takes to tell the speakers apart. The console shows the full name.
func maskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	if len(r) == 0 {
		return ""
	}
	return string(r[0]) + strings.Repeat("*", min(max(len(r)-1, 1), 3))
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

// checkProjectorInput checks what needs no database: the mode, and the message and group only
// where the mode takes them. It answers the trimmed message.
func checkProjectorInput(in ProjectorInput) (string, error) {
	msg := strings.TrimSpace(in.Message)
	switch {
	case !slices.Contains(ProjectorModes, in.Mode):
		return "", FieldError("mode", "unknown_mode")
	case in.Mode == ProjectorMessage && msg == "":
		return "", FieldError("message", "required")
	case in.Mode != ProjectorMessage && msg != "":
		return "", FieldError("message", "message_mode_only")
	case utf8.RuneCountInString(msg) > MaxProjectorMessageRunes:
		return "", FieldError("message", "message_too_long")
	case in.Mode == ProjectorCluster && in.ClusterID == nil:
		return "", FieldError("cluster_id", "cluster_required")
	case in.Mode != ProjectorCluster && in.ClusterID != nil:
		return "", FieldError("cluster_id", "cluster_mode_only")
	case in.Mode == ProjectorPoll && in.PollID == nil:
		return "", FieldError("poll_id", "poll_required")
	case in.Mode != ProjectorPoll && in.PollID != nil:
		return "", FieldError("poll_id", "poll_mode_only")
	case in.Mode == ProjectorResolution && in.ResolutionID == nil:
		return "", FieldError("resolution_id", "wall_resolution_required")
	case in.Mode != ProjectorResolution && in.ResolutionID != nil:
		return "", FieldError("resolution_id", "wall_resolution_mode_only")
	case in.Page < 0 || in.Page > MaxWallPage:
		return "", FieldError("page", "wall_page_range")
	case in.Page != 0 && in.Mode != ProjectorCards && in.Mode != ProjectorCluster:
		return "", FieldError("page", "wall_page_mode_only")
	}
	return msg, nil
}

// stateFor is the projector state that input puts on a meeting's wall, checked against the
// database: the topic mode takes the cycle's selected topic, the cluster mode a live group of
// this meeting, the poll mode a poll of this meeting (any other id, of another meeting or
// community or none, is the same field error).
func stateFor(db *gorm.DB, m *Meeting, in ProjectorInput) (ProjectorState, error) {
	msg, err := checkProjectorInput(in)
	if err != nil {
		return ProjectorState{}, err
	}
	st := ProjectorState{MeetingID: m.ID, Mode: in.Mode, Message: msg, Page: in.Page}
	switch in.Mode {
	case ProjectorTopic:
		var cy Cycle
		if err := db.Select("id", "selected_topic_id").Take(&cy, m.CycleID).Error; err != nil {
			return st, fmt.Errorf("read cycle %d: %w", m.CycleID, err)
		}
		if cy.SelectedTopicID == nil {
			return st, Errorf(ECONFLICT, "wall_topic_not_selected")
		}
		st.TopicID = cy.SelectedTopicID
	case ProjectorCluster:
		var cs []Cluster
		if err := db.Select("id", "meeting_id", "dissolved_at").Where("id = ?", *in.ClusterID).Limit(1).Find(&cs).Error; err != nil {
			return st, fmt.Errorf("read cluster %d: %w", *in.ClusterID, err)
		}
		if len(cs) == 0 || cs[0].MeetingID != m.ID {
			return st, FieldError("cluster_id", "cluster_unknown")
		}
		if cs[0].DissolvedAt != nil {
			return st, Errorf(ECONFLICT, "cluster_dissolved")
		}
		st.ClusterID = in.ClusterID
	case ProjectorPoll:
		if err := checkWallPoll(db, m, *in.PollID); err != nil {
			return st, err
		}
		st.PollID = in.PollID
	case ProjectorResolution:
		var n int64
		if err := db.Model(&Resolution{}).Where("id = ? AND meeting_id = ?", *in.ResolutionID, m.ID).Count(&n).Error; err != nil {
			return st, fmt.Errorf("read resolution %d: %w", *in.ResolutionID, err)
		}
		if n == 0 {
			return st, FieldError("resolution_id", "wall_resolution_unknown")
		}
		st.ResolutionID = in.ResolutionID
	}
	return st, nil
}

// wallOf builds the wall of a meeting (read with its figures) in a projector state, at now.
func wallOf(db *gorm.DB, m *Meeting, st ProjectorState, now time.Time) (*Wall, error) {
	w := &Wall{Title: m.Title, Location: m.Location, StartsAt: m.StartsAt, Status: m.Status,
		AttendeeCount: m.AttendeeCount, Quorum: m.Quorum, QuorumMet: m.QuorumMet, Mode: st.Mode, Page: st.Page, UpdatedAt: st.UpdatedAt,
		Now: now.UTC(), MeetingID: m.ID, CycleID: m.CycleID, CommunityID: m.CommunityID}
	if m.ActiveJoinCode != nil {
		w.JoinCode = *m.ActiveJoinCode
	}
	var err error
	switch st.Mode {
	case ProjectorTopic:
		w.Topic, err = wallTopic(db, st.TopicID)
	case ProjectorCards:
		w.Groups, w.Cards, err = wallGroups(db, m)
	case ProjectorCluster:
		if st.ClusterID != nil {
			w.Cluster, err = wallCluster(db, m, *st.ClusterID)
		}
	case ProjectorSpeaker:
		w.Speaker, err = wallSpeaker(db, m, now)
	case ProjectorPoll:
		if st.PollID != nil {
			w.Poll, err = wallPoll(db, m, *st.PollID, now)
		}
	case ProjectorResolution:
		if st.ResolutionID != nil {
			w.Resolution, err = wallResolution(db, *st.ResolutionID)
		}
	case ProjectorMessage:
		msg := st.Message
		w.Message = &msg
	}
	if err != nil {
		return nil, err
	}
	return w, nil
}

// WallResolution is the resolution mode: the resolution's title, text and status as it stands,
// and the minority's view once recorded. Nothing about who drafted or signed it.
type WallResolution struct {
	ID              uint64 `json:"id"`
	Title           string `json:"title"`
	Text            string `json:"text"`
	Status          string `json:"status"`
	MinorityOpinion string `json:"minority_opinion"`
}

func wallResolution(db *gorm.DB, id uint64) (*WallResolution, error) {
	var r WallResolution
	if err := db.Model(&Resolution{}).Select("id", "title", "text", "status", "minority_opinion").
		Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, fmt.Errorf("read wall resolution %d: %w", id, err)
	}
	return &r, nil
}

func wallTopic(db *gorm.DB, topicID *uint64) (*WallTopic, error) {
	t := &WallTopic{}
	if topicID == nil {
		return t, nil
	}
	var row struct {
		Title           string
		SelectedTopicID *uint64
		SelectionReason string
	}
	if err := db.Table("topics").Select("topics.title, cycles.selected_topic_id, cycles.selection_reason").
		Joins("JOIN cycles ON cycles.id = topics.cycle_id").Where("topics.id = ?", *topicID).
		Take(&row).Error; err != nil {
		return nil, fmt.Errorf("read wall topic %d: %w", *topicID, err)
	}
	t.Title = row.Title
	if row.SelectedTopicID != nil && *row.SelectedTopicID == *topicID {
		t.Reason = row.SelectionReason
	}
	return t, nil
}

// groupedCardText reads the visible cards that a meeting's groups hold (one group's, when
// clusterID is not 0), in their order within each group.
func groupedCardText(db *gorm.DB, meetingID, clusterID uint64) (map[uint64][]WallCard, error) {
	var rows []struct {
		ClusterID uint64
		ID        uint64
		Body      string
	}
	q := db.Table("cluster_cards").Select("cluster_cards.cluster_id, cards.id, cards.body").
		Joins("JOIN cards ON cards.id = cluster_cards.card_id").
		Where("cluster_cards.meeting_id = ? AND cards.status = ?", meetingID, CardVisible)
	if clusterID != 0 {
		q = q.Where("cluster_cards.cluster_id = ?", clusterID)
	}
	if err := q.Order("cluster_cards.position, cluster_cards.card_id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read grouped cards of meeting %d: %w", meetingID, err)
	}
	out := map[uint64][]WallCard{}
	for _, r := range rows {
		out[r.ClusterID] = append(out[r.ClusterID], WallCard{ID: r.ID, Body: r.Body})
	}
	return out, nil
}

func wallGroupOf(c Cluster, cards []WallCard) WallGroup {
	if cards == nil {
		cards = []WallCard{}
	}
	return WallGroup{ID: c.ID, Label: c.Label, Position: c.Position, Cards: cards}
}

// wallGroups is the card wall: the meeting's live groups in order with their visible cards, and
// the cycle's visible cards in none of them, oldest first.
func wallGroups(db *gorm.DB, m *Meeting) ([]WallGroup, []WallCard, error) {
	var cls []Cluster
	if err := liveClusters(db, m.ID).Select("id", "label", "position").Order("position, id").Find(&cls).Error; err != nil {
		return nil, nil, fmt.Errorf("read wall groups of meeting %d: %w", m.ID, err)
	}
	byGroup, err := groupedCardText(db, m.ID, 0)
	if err != nil {
		return nil, nil, err
	}
	groups := make([]WallGroup, 0, len(cls))
	for _, c := range cls {
		groups = append(groups, wallGroupOf(c, byGroup[c.ID]))
	}
	loose := []WallCard{}
	if err := db.Model(&Card{}).Select("id", "body").Where("cycle_id = ? AND status = ?", m.CycleID, CardVisible).
		Where("id NOT IN (?)", db.Table("cluster_cards").Select("card_id").Where("meeting_id = ?", m.ID)).
		Order("id").Find(&loose).Error; err != nil {
		return nil, nil, fmt.Errorf("read wall cards of meeting %d: %w", m.ID, err)
	}
	return groups, loose, nil
}

// wallCluster is one live group of the meeting with its visible cards; nil once dissolved.
func wallCluster(db *gorm.DB, m *Meeting, id uint64) (*WallGroup, error) {
	var cls []Cluster
	if err := liveClusters(db, m.ID).Select("id", "label", "position").Where("id = ?", id).Limit(1).Find(&cls).Error; err != nil {
		return nil, fmt.Errorf("read wall group %d: %w", id, err)
	}
	if len(cls) == 0 {
		return nil, nil
	}
	cards, err := groupedCardText(db, m.ID, id)
	if err != nil {
		return nil, err
	}
	g := wallGroupOf(cls[0], cards[id])
	return &g, nil
}

// wallSpeaker reads the speaker queue as the wall shows it: masked names and stances only, and
// of those waiting only the ones the facilitator may call now, in the suggested order.
func wallSpeaker(db *gorm.DB, m *Meeting, now time.Time) (*WallSpeaker, error) {
	b, err := speakerBoard(db, m, now)
	if err != nil {
		return nil, err
	}
	limit := m.SpeechSeconds
	if limit <= 0 {
		limit = DefaultSpeechSeconds
	}
	sp := &WallSpeaker{LimitSeconds: limit, WarningSeconds: SpeechWarningSeconds, Next: []WallTurn{}}
	if it := b.CurrentItem; it != nil {
		sp.Item = &WallItem{Position: it.Position, Title: it.Title, Minutes: it.Minutes}
	}
	if s := b.Speaking; s != nil && s.Slot.StartedAt != nil {
		sp.Current = &WallSpeech{WallTurn: WallTurn{Name: maskName(s.Slot.Name), Stance: s.Slot.Stance},
			StartedAt: s.Slot.StartedAt.UTC()}
	}
	for _, q := range b.Queue {
		if q.Blocked {
			continue
		}
		sp.Waiting++
		if len(sp.Next) < WallQueueLength {
			sp.Next = append(sp.Next, WallTurn{Name: maskName(q.Name), Stance: q.Stance})
		}
	}
	return sp, nil
}

// SetProjector puts something on a meeting's wall; facilitators and admins only, until the
// meeting ends. The topic mode shows the cycle's selected topic; the cluster mode one live
// group of this meeting (cluster_id, taken by no other mode); the poll mode one poll of this
// meeting (poll_id, likewise); the message mode needs a message of at most 200 characters, and
// no other mode takes one.
func (s *Store) SetProjector(ctx context.Context, a Actor, meetingID uint64, in ProjectorInput) (*Wall, error) {
	if _, err := checkProjectorInput(in); err != nil {
		return nil, err
	}
	err := s.facilitateMeeting(ctx, a, meetingID, StepPrepareMeeting, func(tx *Tx, m *Meeting) error {
		st, err := stateFor(tx.DB, m, in)
		if err != nil {
			return err
		}
		st.UpdatedBy, st.UpdatedAt = a.UserID, tx.Now()
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "meeting_id"}}, UpdateAll: true}).
			Create(&st).Error; err != nil {
			return fmt.Errorf("set projector of meeting %d: %w", m.ID, err)
		}
		payload := ProjectorChangedPayload{MeetingID: m.ID, Mode: in.Mode, ClusterID: st.ClusterID, PollID: st.PollID,
			ResolutionID: st.ResolutionID, Page: st.Page}
		_, err = tx.AppendEvent(EventInput{CommunityID: m.CommunityID, Type: EvProjectorChanged, SubjectType: "meeting",
			SubjectID: m.ID, Actor: a.ref(), Visibility: VisMembers, Payload: payload})
		return err
	})
	if err != nil {
		return nil, err
	}
	db := s.write.WithContext(ctx)
	m, err := findMeeting(db, meetingID)
	if err != nil {
		return nil, err
	}
	return currentWall(db, m, s.now())
}

// currentWall is the wall of a meeting as it shows now.
func currentWall(db *gorm.DB, m *Meeting, now time.Time) (*Wall, error) {
	st, err := projectorState(db, m)
	if err != nil {
		return nil, err
	}
	return wallOf(db, m, st, now)
}

// Projector shows facilitators, admins and the committee what the meeting's wall shows now,
// for the console's preview; the join code only to those who keep it.
func (s *Store) Projector(ctx context.Context, a Actor, meetingID uint64) (*Wall, error) {
	m, err := s.projectorMeeting(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	w, err := currentWall(s.rdb(ctx), m, s.now())
	if err != nil {
		return nil, err
	}
	return w, s.shapeWall(ctx, a, m.CommunityID, w)
}

// shapeWall leaves the join code out of a wall shown through the API to someone who may not
// see it (the wall itself, by its display token, shows it to the room).
func (s *Store) shapeWall(ctx context.Context, a Actor, communityID uint64, w *Wall) error {
	acc, err := s.Access(ctx, a, communityID)
	if err != nil {
		return err
	}
	if !acc.Has(codeKeepers...) {
		w.JoinCode = ""
	}
	return nil
}

// PreviewProjector shows the same people the wall as input would put it, without putting it
// there: the console's "what you are about to show". It checks input as SetProjector does, so
// a refusal shows before anything is pushed.
func (s *Store) PreviewProjector(ctx context.Context, a Actor, meetingID uint64, in ProjectorInput) (*Wall, error) {
	m, err := s.projectorMeeting(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	if _, err := checkProjectorInput(in); err != nil {
		return nil, err
	}
	if m.Status == MeetingEnded {
		return nil, meetingStateError(m.Status)
	}
	db := s.rdb(ctx)
	st, err := stateFor(db, m, in)
	if err != nil {
		return nil, err
	}
	st.UpdatedAt = s.now()
	w, err := wallOf(db, m, st, s.now())
	if err != nil {
		return nil, err
	}
	return w, s.shapeWall(ctx, a, m.CommunityID, w)
}

// projectorMeeting reads a meeting for those who may see its wall from the console.
func (s *Store) projectorMeeting(ctx context.Context, a Actor, meetingID uint64) (*Meeting, error) {
	m, err := findMeeting(s.rdb(ctx), meetingID)
	if err != nil {
		return nil, err
	}
	if _, err := s.readAccess(ctx, a, m.CommunityID, RoleFacilitator, RoleAdmin, RoleCommittee); err != nil {
		return nil, err
	}
	return m, nil
}

// WallByDisplayToken is the wall of the meeting whose current display token this is; no login
// is needed, and a renewed or unknown token is not found.
func (s *Store) WallByDisplayToken(ctx context.Context, token string) (*Wall, error) {
	m, err := s.MeetingByDisplayToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return currentWall(s.rdb(ctx), m, s.now())
}

// ProjectorShows is what a meeting's wall shows now: the mode and the poll of the poll mode or the
// resolution of the resolution mode (0 otherwise). It asks no one's access: it is what the room sees, and callers have already
// checked the display token.
func (s *Store) ProjectorShows(ctx context.Context, m *Meeting) (string, uint64, error) {
	st, err := projectorState(s.rdb(ctx), m)
	switch {
	case err != nil:
		return st.Mode, 0, err
	case st.PollID != nil:
		return st.Mode, *st.PollID, nil
	case st.ResolutionID != nil:
		return st.Mode, *st.ResolutionID, nil
	}
	return st.Mode, 0, nil
}
