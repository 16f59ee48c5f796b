package models

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Statuses of a speaker slot (发言).
const (
	SlotWaiting   = "waiting"
	SlotSpeaking  = "speaking"
	SlotDone      = "done"
	SlotWithdrawn = "withdrawn"
)

// SpeakerSlot is one person's turn to speak at a meeting: a member, or someone without a phone
// whom the facilitator queues by name. AgendaPosition is the agenda item the speech is on — the
// current item when the hand went up, and again when the speech starts.
type SpeakerSlot struct {
	ID                uint64     `gorm:"primaryKey" json:"id"`
	MeetingID         uint64     `json:"meeting_id"`
	CommunityID       uint64     `json:"-"`
	UserID            *uint64    `json:"user_id"`
	WalkInName        *string    `json:"-"`
	Name              string     `gorm:"->;-:migration" json:"name"`
	Stance            string     `json:"stance"`
	AgendaPosition    int        `json:"agenda_position"`
	Status            string     `json:"status"`
	QueuedUserID      *uint64    `json:"-"`
	QueuedName        *string    `json:"-"`
	SpeakingMeetingID *uint64    `json:"-"`
	AskedBy           uint64     `json:"asked_by"`
	AskedAt           time.Time  `json:"asked_at"`
	StartedAt         *time.Time `json:"started_at"`
	EndedAt           *time.Time `json:"ended_at"`
	StartedBy         *uint64    `json:"started_by"`
}

// TableName pins the table.
func (SpeakerSlot) TableName() string { return "speaker_slots" }

// meetingProgress is where a meeting is on its agenda; without a row, on its first item.
type meetingProgress struct {
	MeetingID      uint64 `gorm:"primaryKey;autoIncrement:false"`
	AgendaPosition int
	UpdatedAt      time.Time
}

func (meetingProgress) TableName() string { return "meeting_progress" }

// ValidStance reports whether s is pro, con or neutral.
func ValidStance(s string) bool { return s == StancePro || s == StanceCon || s == StanceNeutral }

// Speaking is the running speech with its timer.
type Speaking struct {
	Slot             SpeakerSlot `json:"slot"`
	RemainingSeconds int         `json:"remaining_seconds"`
	Phase            string      `json:"phase"`
}

// QueuedSpeaker is a waiting slot as the queue offers it: Spoken speeches already given on the
// current item, and Blocked with a Reason when it is not offered.
type QueuedSpeaker struct {
	SpeakerSlot
	Spoken  int    `json:"spoken"`
	Blocked bool   `json:"blocked"`
	Reason  string `json:"reason,omitempty"`
}

// SpeakerBoard is the speaker queue of a meeting: the current agenda item, who speaks with the
// timer, the suggested order of who waits, and the speeches given on the item so far.
type SpeakerBoard struct {
	MeetingID   uint64      `json:"meeting_id"`
	CurrentItem *AgendaItem `json:"current_item"`
	// ItemStartedAt is when the meeting moved onto its current item (the start of the meeting
	// for the first item), so every screen runs the same item timer; nil unless started.
	ItemStartedAt *time.Time `json:"item_started_at"`
	// Now is the server's clock when the board was read, for clients to count down in step.
	Now             time.Time       `json:"now"`
	SpeechSeconds   int             `json:"speech_seconds"`
	SpeechesPerItem int             `json:"speeches_per_item"`
	Speaking        *Speaking       `json:"speaking"`
	Queue           []QueuedSpeaker `json:"queue"`
	Done            []SpeakerSlot   `json:"done"`
}

func slotQuery(db *gorm.DB) *gorm.DB {
	return db.Table("speaker_slots").Select("speaker_slots.*, COALESCE(users.name, speaker_slots.walk_in_name, '') AS name").
		Joins("LEFT JOIN users ON users.id = speaker_slots.user_id")
}

// itemStartedAt is when a started meeting moved onto its current item: the last move recorded
// by SetAgendaItem, else the start of the meeting.
func itemStartedAt(db *gorm.DB, m *Meeting) (*time.Time, error) {
	if m.Status != MeetingStarted {
		return nil, nil
	}
	var p []meetingProgress
	if err := db.Where("meeting_id = ?", m.ID).Limit(1).Find(&p).Error; err != nil {
		return nil, fmt.Errorf("read progress of meeting %d: %w", m.ID, err)
	}
	if len(p) > 0 {
		at := p[0].UpdatedAt.UTC()
		return &at, nil
	}
	return m.StartedAt, nil
}

// currentItem is the agenda position speeches count on now: the one set by SetAgendaItem, else
// the first item, else 0 for a meeting without an agenda.
func currentItem(db *gorm.DB, meetingID uint64) (int, error) {
	var p meetingProgress
	err := db.Where("meeting_id = ?", meetingID).Take(&p).Error
	if err == nil {
		return p.AgendaPosition, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, fmt.Errorf("read progress of meeting %d: %w", meetingID, err)
	}
	var first []int
	if err := db.Model(&AgendaItem{}).Where("meeting_id = ?", meetingID).Order("position").Limit(1).
		Pluck("position", &first).Error; err != nil {
		return 0, fmt.Errorf("read agenda of meeting %d: %w", meetingID, err)
	}
	if len(first) == 0 {
		return 0, nil
	}
	return first[0], nil
}

// personKeys tell people apart for OrderQueue: a member by user id, someone without a phone by
// name, numbered above every user id.
type personKeys map[string]uint64

func (k personKeys) of(s *SpeakerSlot) uint64 {
	if s.UserID != nil {
		return *s.UserID
	}
	name := ""
	if s.WalkInName != nil {
		name = *s.WalkInName
	}
	if v, ok := k[name]; ok {
		return v
	}
	v := uint64(1)<<63 + uint64(len(k))
	k[name] = v
	return v
}

// speechesOn counts the speeches (given or running) of the slot's person on one item.
func speechesOn(db *gorm.DB, s *SpeakerSlot, item int) (int64, error) {
	q := db.Model(&SpeakerSlot{}).Where("meeting_id = ? AND agenda_position = ? AND status IN ?", s.MeetingID, item,
		[]string{SlotSpeaking, SlotDone})
	if s.UserID != nil {
		q = q.Where("user_id = ?", *s.UserID)
	} else {
		q = q.Where("user_id IS NULL AND walk_in_name = ?", *s.WalkInName)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count speeches: %w", err)
	}
	return n, nil
}

// speakerBoard reads a meeting's queue as of now.
func speakerBoard(db *gorm.DB, m *Meeting, now time.Time) (*SpeakerBoard, error) {
	item, err := currentItem(db, m.ID)
	if err != nil {
		return nil, err
	}
	b := &SpeakerBoard{MeetingID: m.ID, SpeechSeconds: m.SpeechSeconds, SpeechesPerItem: m.SpeechesPerItem,
		Now: now.UTC(), Queue: []QueuedSpeaker{}, Done: []SpeakerSlot{}}
	if b.ItemStartedAt, err = itemStartedAt(db, m); err != nil {
		return nil, err
	}
	var it AgendaItem
	switch err := db.Where("meeting_id = ? AND position = ?", m.ID, item).Take(&it).Error; {
	case err == nil:
		b.CurrentItem = &it
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return nil, fmt.Errorf("read agenda item: %w", err)
	}
	var slots []SpeakerSlot
	if err := slotQuery(db).Where("speaker_slots.meeting_id = ? AND speaker_slots.status <> ?", m.ID, SlotWithdrawn).
		Order("speaker_slots.id").Find(&slots).Error; err != nil {
		return nil, fmt.Errorf("read speakers of meeting %d: %w", m.ID, err)
	}
	keys := personKeys{}
	byID := map[uint64]SpeakerSlot{}
	var waiting []QueueEntry
	var given []SpeakerSlot
	for _, s := range slots {
		switch s.Status {
		case SlotWaiting:
			byID[s.ID] = s
			waiting = append(waiting, QueueEntry{SlotID: s.ID, UserID: keys.of(&s), Stance: s.Stance, AskedAt: s.AskedAt})
		case SlotSpeaking:
			rem, phase := SpeechState(*s.StartedAt, m.SpeechSeconds, now)
			b.Speaking = &Speaking{Slot: s, RemainingSeconds: rem, Phase: phase}
			given = append(given, s)
		case SlotDone:
			given = append(given, s)
			if s.AgendaPosition == item {
				b.Done = append(b.Done, s)
			}
		}
	}
	sortByStart(given)
	sortByStart(b.Done)
	history := make([]SpeechRecord, len(given))
	for i, s := range given {
		history[i] = SpeechRecord{UserID: keys.of(&s), Stance: s.Stance, AgendaItem: s.AgendaPosition}
	}
	for _, e := range OrderQueue(waiting, history, item, m.SpeechesPerItem) {
		b.Queue = append(b.Queue, QueuedSpeaker{SpeakerSlot: byID[e.SlotID], Spoken: e.Spoken, Blocked: e.Blocked, Reason: e.Reason})
	}
	return b, nil
}

// sortByStart orders speeches as they were given (by start, then id).
func sortByStart(s []SpeakerSlot) {
	slices.SortStableFunc(s, func(a, b SpeakerSlot) int {
		if c := a.StartedAt.Compare(*b.StartedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// SpeakerBoard returns a meeting's speaker queue and timer to members of its community. Names,
// including those of people without phones, appear only here.
func (s *Store) SpeakerBoard(ctx context.Context, a Actor, meetingID uint64) (*SpeakerBoard, error) {
	var m Meeting
	if err := s.rdb(ctx).Take(&m, meetingID).Error; err != nil {
		return nil, notFound(err)
	}
	if _, err := s.readAccess(ctx, a, m.CommunityID); err != nil {
		return nil, err
	}
	return speakerBoard(s.rdb(ctx), &m, s.now())
}

// inMeeting runs fn in a transaction on a started meeting, read with its row locked so the
// meeting's speaker operations take turns, once the actor is known to be a member and the step
// allowed (stepRules). The cycle's phase is read without a lock: a meeting starts only with its
// cycle's row locked, and the cycle cannot leave the round table while the meeting runs, so the
// phase cannot change under a running meeting.
func (s *Store) inMeeting(ctx context.Context, a Actor, meetingID uint64, step Step, fn func(tx *Tx, m *Meeting, acc *Access) error) error {
	return s.tx(ctx, func(tx *Tx) error {
		var m Meeting
		if err := tx.forUpdate().Take(&m, meetingID).Error; err != nil {
			return notFound(err)
		}
		acc, err := tx.writeAccess(a, m.CommunityID)
		if err != nil {
			return err
		}
		var cy Cycle
		if err := tx.Select("id", "phase").Take(&cy, m.CycleID).Error; err != nil {
			return notFound(err)
		}
		if err := cy.allowMeeting(step, &m); err != nil {
			return err
		}
		return fn(tx, &m, acc)
	})
}

// inSlotMeeting is inMeeting for the meeting of a slot, with the slot read inside.
func (s *Store) inSlotMeeting(ctx context.Context, a Actor, slotID uint64, step Step, fn func(tx *Tx, m *Meeting, acc *Access, sl *SpeakerSlot) error) error {
	var sl SpeakerSlot
	if err := s.write.WithContext(ctx).Select("id", "meeting_id").Take(&sl, slotID).Error; err != nil {
		return notFound(err)
	}
	return s.inMeeting(ctx, a, sl.MeetingID, step, func(tx *Tx, m *Meeting, acc *Access) error {
		var cur SpeakerSlot
		if err := tx.Take(&cur, slotID).Error; err != nil {
			return notFound(err)
		}
		return fn(tx, m, acc, &cur)
	})
}

// AskInput is a hand going up: a stance, and for facilitators someone else — a member by
// user id or a person without a phone by name.
type AskInput struct {
	Stance string
	UserID *uint64
	Name   string
}

// AskToSpeak puts someone in a started meeting's speaker queue. A member asks for themself and
// must have signed in; facilitators and admins may ask for a signed-in member or for someone by
// name. A person has one waiting slot: asking again answers it (created false). Someone who has
// given the meeting's speeches on the current item is refused.
func (s *Store) AskToSpeak(ctx context.Context, a Actor, meetingID uint64, in AskInput) (*SpeakerSlot, bool, error) {
	if !ValidStance(in.Stance) {
		return nil, false, FieldError("stance", "invalid")
	}
	name := strings.TrimSpace(in.Name)
	if in.UserID != nil && name != "" {
		return nil, false, FieldError("user_id", "user_or_name")
	}
	var slotID uint64
	err := s.inMeeting(ctx, a, meetingID, StepSpeak, func(tx *Tx, m *Meeting, acc *Access) error {
		slotID = 0
		sl := SpeakerSlot{MeetingID: m.ID, CommunityID: m.CommunityID, Stance: in.Stance, Status: SlotWaiting,
			AskedBy: a.UserID, AskedAt: tx.Now()}
		switch {
		case in.UserID == nil && name == "":
			sl.UserID = a.ref()
		case !acc.Has(RoleFacilitator, RoleAdmin):
			return errForbidden
		case in.UserID != nil:
			if _, err := access(tx.DB, Actor{UserID: *in.UserID}, m.CommunityID); err != nil {
				if ErrorCode(err) == ENOTFOUND {
					return FieldError("user_id", "not_a_member")
				}
				return err
			}
			sl.UserID = in.UserID
		default:
			sl.WalkInName = &name
		}
		if sl.UserID != nil {
			var n int64
			if err := tx.Model(&Attendance{}).Where("meeting_id = ? AND user_id = ?", m.ID, *sl.UserID).Count(&n).Error; err != nil {
				return fmt.Errorf("check sign-in: %w", err)
			}
			if n == 0 {
				return Errorf(ECONFLICT, "not_signed_in")
			}
			sl.QueuedUserID = sl.UserID
		} else {
			sl.QueuedName = sl.WalkInName
		}
		item, err := currentItem(tx.DB, m.ID)
		if err != nil {
			return err
		}
		sl.AgendaPosition = item
		// An existing waiting slot answers before the limit: asking twice is not asking anew.
		var found []uint64
		q := tx.Model(&SpeakerSlot{}).Where("meeting_id = ? AND status = ?", m.ID, SlotWaiting)
		if sl.UserID != nil {
			q = q.Where("queued_user_id = ?", *sl.UserID)
		} else {
			q = q.Where("queued_name = ?", name)
		}
		if err := q.Pluck("id", &found).Error; err != nil {
			return fmt.Errorf("find waiting slot: %w", err)
		}
		if len(found) > 0 {
			slotID = found[0]
			return errAlreadyDone
		}
		n, err := speechesOn(tx.DB, &sl, item)
		if err != nil {
			return err
		}
		if n >= int64(m.SpeechesPerItem) {
			return Errorf(ECONFLICT, "speech_limit").With("limit", m.SpeechesPerItem)
		}
		if err := tx.Omit("Name").Create(&sl).Error; err != nil {
			if isDuplicate(err) {
				return errAlreadyDone
			}
			return fmt.Errorf("ask to speak: %w", err)
		}
		slotID = sl.ID
		_, err = tx.AppendEvent(EventInput{CommunityID: m.CommunityID, Type: EvSpeakerAsked, SubjectType: "speaker_slot",
			SubjectID: sl.ID, Actor: a.ref(), Visibility: VisMembers,
			Payload: SpeakerPayload{MeetingID: m.ID, UserID: sl.UserID, Stance: sl.Stance,
				AgendaPosition: item, WalkIn: ptr(sl.WalkInName != nil)}})
		return err
	})
	created := err == nil
	if errors.Is(err, errAlreadyDone) {
		err = nil
	}
	if err != nil {
		return nil, false, err
	}
	if slotID == 0 {
		// The unique key refused a slot another request made at the same moment.
		q := slotQuery(s.write.WithContext(ctx)).Where("speaker_slots.meeting_id = ? AND speaker_slots.status = ?", meetingID, SlotWaiting)
		if in.UserID != nil || name == "" {
			uid := a.UserID
			if in.UserID != nil {
				uid = *in.UserID
			}
			q = q.Where("speaker_slots.queued_user_id = ?", uid)
		} else {
			q = q.Where("speaker_slots.queued_name = ?", name)
		}
		var sl SpeakerSlot
		if err := q.Take(&sl).Error; err != nil {
			return nil, false, fmt.Errorf("read waiting slot: %w", err)
		}
		return &sl, false, nil
	}
	sl, err := s.slot(ctx, slotID)
	return sl, created, err
}

// slot reads one slot with its name.
func (s *Store) slot(ctx context.Context, id uint64) (*SpeakerSlot, error) {
	var sl SpeakerSlot
	if err := slotQuery(s.write.WithContext(ctx)).Where("speaker_slots.id = ?", id).Take(&sl).Error; err != nil {
		return nil, notFound(err)
	}
	return &sl, nil
}

// slotEvent appends a speaker event: ids and stance, never a name.
func slotEvent(tx *Tx, a Actor, m *Meeting, sl *SpeakerSlot, typ EventType, p SpeakerPayload) error {
	p.MeetingID, p.UserID, p.Stance, p.AgendaPosition = m.ID, sl.UserID, sl.Stance, sl.AgendaPosition
	_, err := tx.AppendEvent(EventInput{CommunityID: m.CommunityID, Type: typ, SubjectType: "speaker_slot", SubjectID: sl.ID,
		Actor: a.ref(), Visibility: VisMembers, Payload: p})
	return err
}

// StartSpeaker gives a waiting slot the floor on the current item; facilitators and admins only,
// one speaker at a time, within the per-item limit.
func (s *Store) StartSpeaker(ctx context.Context, a Actor, slotID uint64) (*SpeakerSlot, error) {
	err := s.inSlotMeeting(ctx, a, slotID, StepChair, func(tx *Tx, m *Meeting, acc *Access, sl *SpeakerSlot) error {
		if err := acc.require(RoleFacilitator, RoleAdmin); err != nil {
			return err
		}
		if sl.Status != SlotWaiting {
			return Errorf(ECONFLICT, "slot_not_waiting")
		}
		var n int64
		if err := tx.Model(&SpeakerSlot{}).Where("speaking_meeting_id = ?", m.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("check speaker: %w", err)
		}
		if n > 0 {
			return Errorf(ECONFLICT, "someone_speaking")
		}
		item, err := currentItem(tx.DB, m.ID)
		if err != nil {
			return err
		}
		spoken, err := speechesOn(tx.DB, sl, item)
		if err != nil {
			return err
		}
		if spoken >= int64(m.SpeechesPerItem) {
			return Errorf(ECONFLICT, "speech_limit").With("limit", m.SpeechesPerItem)
		}
		now := tx.Now()
		if err := tx.Model(&SpeakerSlot{}).Where("id = ? AND status = ?", sl.ID, SlotWaiting).Updates(map[string]any{
			"status": SlotSpeaking, "started_at": now, "started_by": a.UserID, "agenda_position": item,
			"queued_user_id": nil, "queued_name": nil, "speaking_meeting_id": m.ID}).Error; err != nil {
			if isDuplicate(err) {
				return Errorf(ECONFLICT, "someone_speaking")
			}
			return fmt.Errorf("start speaker %d: %w", sl.ID, err)
		}
		sl.AgendaPosition = item
		return slotEvent(tx, a, m, sl, EvSpeakerStarted, SpeakerPayload{SpeechSeconds: ptr(m.SpeechSeconds)})
	})
	if err != nil {
		return nil, err
	}
	return s.slot(ctx, slotID)
}

// FinishSpeaker ends a running speech; facilitators and admins, or the speaker themself.
func (s *Store) FinishSpeaker(ctx context.Context, a Actor, slotID uint64) (*SpeakerSlot, error) {
	err := s.inSlotMeeting(ctx, a, slotID, StepChair, func(tx *Tx, m *Meeting, acc *Access, sl *SpeakerSlot) error {
		own := sl.UserID != nil && *sl.UserID == a.UserID
		if !own {
			if err := acc.require(RoleFacilitator, RoleAdmin); err != nil {
				return err
			}
		}
		if sl.Status != SlotSpeaking {
			return Errorf(ECONFLICT, "slot_not_speaking")
		}
		now := tx.Now()
		if err := tx.Model(&SpeakerSlot{}).Where("id = ?", sl.ID).Updates(map[string]any{
			"status": SlotDone, "ended_at": now, "speaking_meeting_id": nil}).Error; err != nil {
			return fmt.Errorf("finish speaker %d: %w", sl.ID, err)
		}
		return slotEvent(tx, a, m, sl, EvSpeakerFinished,
			SpeakerPayload{Seconds: ptr(int(now.Sub(*sl.StartedAt) / time.Second))})
	})
	if err != nil {
		return nil, err
	}
	return s.slot(ctx, slotID)
}

// WithdrawSpeaker takes a waiting slot out of the queue: the person's own, or any for
// facilitators and admins.
func (s *Store) WithdrawSpeaker(ctx context.Context, a Actor, slotID uint64) (*SpeakerSlot, error) {
	err := s.inSlotMeeting(ctx, a, slotID, StepSpeak, func(tx *Tx, m *Meeting, acc *Access, sl *SpeakerSlot) error {
		own := sl.UserID != nil && *sl.UserID == a.UserID
		if !own {
			if err := acc.require(RoleFacilitator, RoleAdmin); err != nil {
				return err
			}
		}
		if sl.Status != SlotWaiting {
			return Errorf(ECONFLICT, "slot_not_waiting")
		}
		if err := tx.Model(&SpeakerSlot{}).Where("id = ?", sl.ID).Updates(map[string]any{
			"status": SlotWithdrawn, "ended_at": tx.Now(), "queued_user_id": nil, "queued_name": nil}).Error; err != nil {
			return fmt.Errorf("withdraw speaker %d: %w", sl.ID, err)
		}
		return slotEvent(tx, a, m, sl, EvSpeakerWithdrawn, SpeakerPayload{})
	})
	if err != nil {
		return nil, err
	}
	return s.slot(ctx, slotID)
}

// SetAgendaItem moves a started meeting to another item of its agenda; speeches count per item.
// Facilitators and admins only, and not while someone speaks.
func (s *Store) SetAgendaItem(ctx context.Context, a Actor, meetingID uint64, position int) (*SpeakerBoard, error) {
	err := s.inMeeting(ctx, a, meetingID, StepChair, func(tx *Tx, m *Meeting, acc *Access) error {
		if err := acc.require(RoleFacilitator, RoleAdmin); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&AgendaItem{}).Where("meeting_id = ? AND position = ?", m.ID, position).Count(&n).Error; err != nil {
			return fmt.Errorf("find agenda item: %w", err)
		}
		if n == 0 {
			return FieldError("position", "agenda_item_unknown")
		}
		if err := tx.Model(&SpeakerSlot{}).Where("speaking_meeting_id = ?", m.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("check speaker: %w", err)
		}
		if n > 0 {
			return Errorf(ECONFLICT, "someone_speaking")
		}
		from, err := currentItem(tx.DB, m.ID)
		if err != nil {
			return err
		}
		if from == position {
			return nil
		}
		res := tx.Model(&meetingProgress{}).Where("meeting_id = ?", m.ID).
			Updates(map[string]any{"agenda_position": position, "updated_at": tx.Now()})
		if res.Error != nil {
			return fmt.Errorf("move meeting %d: %w", m.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			if err := tx.Create(&meetingProgress{MeetingID: m.ID, AgendaPosition: position, UpdatedAt: tx.Now()}).Error; err != nil {
				return fmt.Errorf("move meeting %d: %w", m.ID, err)
			}
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: m.CommunityID, Type: EvMeetingItemChanged, SubjectType: "meeting",
			SubjectID: m.ID, Actor: a.ref(), Visibility: VisMembers,
			Payload: MeetingItemChangedPayload{MeetingID: m.ID, From: from, To: position}})
		return err
	})
	if err != nil {
		return nil, err
	}
	var m Meeting
	if err := s.write.WithContext(ctx).Take(&m, meetingID).Error; err != nil {
		return nil, notFound(err)
	}
	return speakerBoard(s.write.WithContext(ctx), &m, s.now())
}
