package models

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Notification kinds (docs/notifications.md "Kinds"). The kinds of the story of one's card start
// with "card_" and can never be switched off; the others are optional.
const (
	// The story of my card: grouped at the table, put to a vote, in a resolution, the
	// resolution's items progressing and done, the survey, signed off.
	NoteCardGrouped       = "card_grouped"
	NoteCardPolled        = "card_polled"
	NoteCardResolution    = "card_resolution"
	NoteCardItemProgress  = "card_item_progress"
	NoteCardItemDone      = "card_item_done"
	NoteCardEvaluating    = "card_evaluating"
	NoteCardAccepted      = "card_accepted"
	NoteCardReturned      = "card_returned"
	NoteItemAssigned      = "item_assigned"
	NoteClaimSubmitted    = "claim_submitted"
	NoteClaimConfirmed    = "claim_confirmed"
	NoteClaimDeclined     = "claim_declined"
	NoteItemDueSoon       = "item_due_soon"
	NoteItemDueToday      = "item_due_today"
	NoteItemOverdue       = "item_overdue"
	NoteObjection         = "objection_lodged"
	NoteCyclePhase        = "cycle_phase"
	NoteMeetingScheduled  = "meeting_scheduled"
	NoteSurveyBelowTarget = "survey_below_threshold"
	// Escalation of an item (docs/follow-through.md "Escalation").
	NoteItemEscalated       = "item_escalated"
	NoteEscalationResponded = "escalation_responded"
	NoteEscalationOverdue   = "escalation_overdue"
)

// NotificationKinds lists every kind in the order the preferences show them.
var NotificationKinds = []string{
	NoteCardGrouped, NoteCardPolled, NoteCardResolution, NoteCardItemProgress, NoteCardItemDone,
	NoteCardEvaluating, NoteCardAccepted, NoteCardReturned,
	NoteItemAssigned, NoteClaimSubmitted, NoteClaimConfirmed, NoteClaimDeclined,
	NoteItemDueSoon, NoteItemDueToday, NoteItemOverdue, NoteObjection,
	NoteCyclePhase, NoteMeetingScheduled, NoteSurveyBelowTarget,
	NoteItemEscalated, NoteEscalationResponded, NoteEscalationOverdue,
}

// CardStoryKind reports a kind of the story of one's card: never switched off.
func CardStoryKind(kind string) bool { return strings.HasPrefix(kind, "card_") }

// outboundKinds also go out over the outbound channels (SMS, WeChat) when some are configured:
// what asks the person to act, or closes their card's story. The rest stay in the inbox.
var outboundKinds = map[string]bool{
	NoteItemAssigned: true, NoteClaimConfirmed: true, NoteClaimDeclined: true,
	NoteItemDueSoon: true, NoteItemDueToday: true, NoteItemOverdue: true,
	NoteCardEvaluating: true, NoteCardAccepted: true, NoteEscalationOverdue: true,
}

// OutboundKind reports whether a kind goes out over the outbound channels too.
func OutboundKind(kind string) bool { return outboundKinds[kind] }

// Notification is one notice in a person's inbox. Its words are not stored: Params are rendered
// in the reader's language when it is read (docs/notifications.md "Rendering").
type Notification struct {
	ID          uint64     `gorm:"primaryKey" json:"id"`
	CommunityID uint64     `json:"community_id"`
	UserID      uint64     `json:"-"`
	Type        string     `json:"type"`
	SubjectType string     `json:"subject_type"`
	SubjectID   uint64     `json:"subject_id"`
	Params      string     `json:"-"`
	DedupeKey   *string    `json:"-"`
	ReadAt      *time.Time `json:"read_at"`
	CreatedAt   time.Time  `json:"created_at"`
	// Data is Params decoded, for the renderer.
	Data map[string]any `gorm:"-" json:"-"`
}

// TableName pins the table.
func (Notification) TableName() string { return "notifications" }

type notificationPref struct {
	UserID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	Type      string `gorm:"primaryKey"`
	CreatedAt time.Time
}

func (notificationPref) TableName() string { return "notification_prefs" }

// Delivery is one notification's passage through one outbound channel: pending until sent,
// retried with growing pauses, failed after maxDeliveryAttempts.
type Delivery struct {
	ID             uint64 `gorm:"primaryKey"`
	NotificationID uint64
	Channel        string
	UserID         uint64
	Status         string
	Attempts       int
	LastError      string
	NextAttemptAt  time.Time
	SentAt         *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName pins the table.
func (Delivery) TableName() string { return "notification_deliveries" }

// Delivery statuses.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
)

// Note is what a writer says about a change that someone should hear of. Key, when set, is
// unique per recipient: a second Note with the same key to the same person is dropped by the
// database, so a retried or repeated writer cannot notify twice.
type Note struct {
	CommunityID uint64
	Type        string
	SubjectType string
	SubjectID   uint64
	Params      map[string]any
	Key         string
	// Except is not notified (the one who made the change hears nothing of it).
	Except uint64
}

// Notify writes a notification to each of the users inside the writer's transaction, and its
// outbound deliveries when the kind goes out and channels are configured: it commits or rolls
// back with the change. Optional kinds skip those who switched them off; the story of one's card
// reaches its author always. This is the one way notifications are written
// (docs/notifications.md "Writing a notification").
func (tx *Tx) Notify(n Note, users ...uint64) error {
	users = uniqueIDs(slices.DeleteFunc(slices.Clone(users), func(u uint64) bool { return u == 0 || u == n.Except }))
	if len(users) == 0 {
		return nil
	}
	if !slices.Contains(NotificationKinds, n.Type) {
		return fmt.Errorf("notify: unknown kind %q", n.Type)
	}
	if !CardStoryKind(n.Type) {
		var off []uint64
		if err := tx.Model(&notificationPref{}).Where("user_id IN ? AND type = ?", users, n.Type).
			Pluck("user_id", &off).Error; err != nil {
			return fmt.Errorf("read notification preferences: %w", err)
		}
		users = slices.DeleteFunc(users, func(u uint64) bool { return slices.Contains(off, u) })
	}
	params, err := json.Marshal(n.Params)
	if err != nil {
		return fmt.Errorf("encode %s notification: %w", n.Type, err)
	}
	if n.Params == nil {
		params = []byte("{}")
	}
	channels := tx.store.OutboundChannels
	outbound := OutboundKind(n.Type) && len(channels) > 0
	for _, u := range users {
		row := Notification{CommunityID: n.CommunityID, UserID: u, Type: n.Type, SubjectType: n.SubjectType,
			SubjectID: n.SubjectID, Params: string(params), CreatedAt: tx.now}
		q := tx.DB
		if n.Key != "" {
			key := n.Key
			row.DedupeKey = &key
			q = q.Clauses(clause.OnConflict{DoNothing: true})
		}
		res := q.Create(&row)
		if res.Error != nil {
			return fmt.Errorf("write %s notification: %w", n.Type, res.Error)
		}
		if res.RowsAffected == 0 || !outbound {
			continue
		}
		if row.ID == 0 {
			// MySQL's ON DUPLICATE KEY path reports no id; read it back by its unique key.
			if err := tx.Model(&Notification{}).Where("user_id = ? AND dedupe_key = ?", u, n.Key).
				Pluck("id", &row.ID).Error; err != nil {
				return fmt.Errorf("read notification id: %w", err)
			}
		}
		for _, ch := range channels {
			d := Delivery{NotificationID: row.ID, Channel: ch, UserID: u, Status: DeliveryPending,
				NextAttemptAt: tx.now, CreatedAt: tx.now, UpdatedAt: tx.now}
			if err := tx.Create(&d).Error; err != nil {
				return fmt.Errorf("queue %s delivery: %w", ch, err)
			}
		}
	}
	return nil
}

// NotifyCompound writes an optional notice to every member of the community who lives in the
// compound (by their membership's compound or household), in one statement, except n.Except and
// those who switched the kind off. Such notices stay in the inbox (no outbound delivery) and
// take no key.
func (tx *Tx) NotifyCompound(n Note, compoundID uint64) error {
	if CardStoryKind(n.Type) || OutboundKind(n.Type) || n.Key != "" {
		return fmt.Errorf("notify compound: kind %q cannot be sent to a whole compound", n.Type)
	}
	params, err := json.Marshal(n.Params)
	if err != nil {
		return fmt.Errorf("encode %s notification: %w", n.Type, err)
	}
	err = tx.Exec(`INSERT INTO notifications (community_id, user_id, type, subject_type, subject_id, params, created_at)
		SELECT DISTINCT m.community_id, m.user_id, ?, ?, ?, ?, ?
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.community_id = ? AND u.closed_at IS NULL AND m.user_id <> ?
		  AND (m.compound_id = ? OR m.household_id IN (SELECT h.id FROM households h WHERE h.compound_id = ?))
		  AND NOT EXISTS (SELECT 1 FROM notification_prefs p WHERE p.user_id = m.user_id AND p.type = ?)`,
		n.Type, n.SubjectType, n.SubjectID, string(params), tx.now,
		n.CommunityID, n.Except, compoundID, compoundID, n.Type).Error
	if err != nil {
		return fmt.Errorf("write %s notifications: %w", n.Type, err)
	}
	return nil
}

// facilitatorsOf are those who hear of what needs a facilitator in a cycle: its facilitator
// and the community's facilitators.
func facilitatorsOf(db *gorm.DB, communityID, cycleID uint64) ([]uint64, error) {
	out, err := membersWithRole(db, communityID, RoleFacilitator)
	if err != nil {
		return nil, err
	}
	if cycleID != 0 {
		// A cycle may have no facilitator of its own (the column is nullable): scanned into a
		// struct's pointer, not plucked, which cannot take a NULL into a uint64.
		var c struct{ FacilitatorID *uint64 }
		if err := db.Model(&Cycle{}).Select("facilitator_id").Where("id = ?", cycleID).Limit(1).Scan(&c).Error; err != nil {
			return nil, fmt.Errorf("read facilitator of cycle %d: %w", cycleID, err)
		}
		if c.FacilitatorID != nil {
			out = append(out, *c.FacilitatorID)
		}
	}
	return uniqueIDs(out), nil
}

// membersWithRole lists the users holding a role in a community.
func membersWithRole(db *gorm.DB, communityID uint64, role string) ([]uint64, error) {
	var ids []uint64
	err := db.Table("memberships").Joins("JOIN member_roles r ON r.membership_id = memberships.id").
		Where("memberships.community_id = ? AND r.role = ?", communityID, role).Order("memberships.user_id").
		Pluck("memberships.user_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("list %s of community %d: %w", role, communityID, err)
	}
	return ids, nil
}

// cardExcerpt is the start of a card's text, to remind its author which card a notice is about.
func cardExcerpt(body string) string {
	const n = 24
	if utf8.RuneCountInString(body) <= n {
		return body
	}
	r := []rune(body)
	return string(r[:n]) + "…"
}

// notifyCardAuthors tells the author of each card (its own author only; an anonymous card's
// author too, and nobody else about who wrote it) a step in their card's story. The params
// carry the card's id and excerpt besides the step's own; no name of anyone. key, when set,
// is suffixed with the card id.
func notifyCardAuthors(tx *Tx, a Actor, communityID uint64, cardIDs []uint64, kind, key string, params map[string]any) error {
	if len(cardIDs) == 0 {
		return nil
	}
	var cards []struct {
		ID       uint64
		AuthorID uint64
		Body     string
	}
	if err := tx.Table("cards").Select("id", "author_id", "body").
		Where("id IN ? AND author_id IS NOT NULL AND status <> ?", cardIDs, CardWithdrawn).Order("id").
		Find(&cards).Error; err != nil {
		return fmt.Errorf("read authors of cards: %w", err)
	}
	for _, c := range cards {
		p := map[string]any{"card_id": c.ID, "card": cardExcerpt(c.Body)}
		for k, v := range params {
			p[k] = v
		}
		k := ""
		if key != "" {
			k = fmt.Sprintf("%s:card:%d", key, c.ID)
		}
		if err := tx.Notify(Note{CommunityID: communityID, Type: kind, SubjectType: "card", SubjectID: c.ID,
			Params: p, Key: k}, c.AuthorID); err != nil {
			return err
		}
	}
	return nil
}

// notifyResolutionCards tells the authors of the cards a resolution stands on a step of it.
func notifyResolutionCards(tx *Tx, a Actor, r *Resolution, kind, key string, params map[string]any) error {
	cards, err := resolutionCardSet(tx.DB, r.ID)
	if err != nil {
		return err
	}
	p := map[string]any{"resolution_id": r.ID, "resolution": r.Title}
	for k, v := range params {
		p[k] = v
	}
	return notifyCardAuthors(tx, a, r.CommunityID, cards, kind, key, p)
}

// NotificationPage is one page of an inbox, newest first, with the unread count.
type NotificationPage struct {
	Items  []Notification
	Unread int64
	Next   uint64
}

// ListNotifications pages through the caller's inbox, newest first, before the notification id
// before (0: from the newest); unreadOnly keeps the unread ones.
func (s *Store) ListNotifications(ctx context.Context, a Actor, before uint64, limit int, unreadOnly bool) (*NotificationPage, error) {
	if a.UserID == 0 {
		return nil, Errorf(EUNAUTHORIZED, "login_required")
	}
	db := s.rdb(ctx)
	limit = clampLimit(limit)
	q := db.Where("user_id = ?", a.UserID)
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	var items []Notification
	if err := q.Order("id DESC").Limit(limit + 1).Find(&items).Error; err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	out := &NotificationPage{}
	if len(items) > limit {
		items = items[:limit]
		out.Next = items[limit-1].ID
	}
	for i := range items {
		items[i].Data = map[string]any{}
		_ = json.Unmarshal([]byte(items[i].Params), &items[i].Data)
	}
	out.Items = items
	var err error
	out.Unread, err = s.UnreadNotifications(ctx, a.UserID)
	return out, err
}

// UnreadNotifications counts a user's unread notifications.
func (s *Store) UnreadNotifications(ctx context.Context, userID uint64) (int64, error) {
	var n int64
	if err := s.rdb(ctx).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count unread notifications: %w", err)
	}
	return n, nil
}

// NotificationsAfter lists the notifications after an id, in id order, for the live stream.
func (s *Store) NotificationsAfter(ctx context.Context, afterID uint64, users []uint64, limit int) ([]Notification, error) {
	var out []Notification
	if len(users) == 0 {
		return nil, nil
	}
	if err := s.rdb(ctx).Where("id > ? AND user_id IN ?", afterID, users).Order("id").Limit(limit).
		Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read new notifications: %w", err)
	}
	for i := range out {
		out[i].Data = map[string]any{}
		_ = json.Unmarshal([]byte(out[i].Params), &out[i].Data)
	}
	return out, nil
}

// LastNotificationID is the newest notification's id (0 when none), where a live stream starts.
func (s *Store) LastNotificationID(ctx context.Context) (uint64, error) {
	var id *uint64
	if err := s.rdb(ctx).Model(&Notification{}).Select("MAX(id)").Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("read newest notification: %w", err)
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}

// MaxMarkRead bounds the ids one request marks read.
const MaxMarkRead = 200

// MarkNotificationsRead marks the caller's notifications read: those of ids, or all. Marking is
// the reader's own business, not a change of the community: it appends no event. It returns
// the unread count after.
func (s *Store) MarkNotificationsRead(ctx context.Context, a Actor, ids []uint64, all bool) (int64, error) {
	if a.UserID == 0 {
		return 0, Errorf(EUNAUTHORIZED, "login_required")
	}
	switch {
	case !all && len(ids) == 0:
		return 0, FieldError("ids", "ids_or_all_required")
	case len(ids) > MaxMarkRead:
		return 0, FieldError("ids", "too_many_ids")
	}
	err := s.tx(ctx, func(tx *Tx) error {
		q := tx.Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", a.UserID)
		if !all {
			q = q.Where("id IN ?", uniqueIDs(ids))
		}
		if err := q.Update("read_at", tx.now).Error; err != nil {
			return fmt.Errorf("mark notifications read: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	var n int64
	if err := s.write.WithContext(ctx).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", a.UserID).
		Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count unread notifications: %w", err)
	}
	return n, nil
}

// NotificationPref is one kind in a person's preferences.
type NotificationPref struct {
	Type     string `json:"type"`
	Enabled  bool   `json:"enabled"`
	Optional bool   `json:"optional"`
}

// NotificationPrefs lists every kind with whether the caller receives it.
func (s *Store) NotificationPrefs(ctx context.Context, a Actor) ([]NotificationPref, error) {
	if a.UserID == 0 {
		return nil, Errorf(EUNAUTHORIZED, "login_required")
	}
	var off []string
	if err := s.rdb(ctx).Model(&notificationPref{}).Where("user_id = ?", a.UserID).Pluck("type", &off).Error; err != nil {
		return nil, fmt.Errorf("read notification preferences: %w", err)
	}
	out := make([]NotificationPref, 0, len(NotificationKinds))
	for _, k := range NotificationKinds {
		opt := !CardStoryKind(k)
		out = append(out, NotificationPref{Type: k, Optional: opt, Enabled: !opt || !slices.Contains(off, k)})
	}
	return out, nil
}

// SetNotificationPrefs switches off exactly the optional kinds in off (the others on): it inserts
// what is missing and deletes what is gone. A kind of the card's story cannot be switched off
// (422 card_story_always_on).
func (s *Store) SetNotificationPrefs(ctx context.Context, a Actor, off []string) ([]NotificationPref, error) {
	if a.UserID == 0 {
		return nil, Errorf(EUNAUTHORIZED, "login_required")
	}
	for i, k := range off {
		switch {
		case !slices.Contains(NotificationKinds, k):
			return nil, FieldError(fmt.Sprintf("off[%d]", i), "unknown_notification_kind")
		case CardStoryKind(k):
			return nil, FieldError(fmt.Sprintf("off[%d]", i), "card_story_always_on")
		}
	}
	err := s.tx(ctx, func(tx *Tx) error {
		var have []string
		if err := tx.Model(&notificationPref{}).Where("user_id = ?", a.UserID).Pluck("type", &have).Error; err != nil {
			return fmt.Errorf("read notification preferences: %w", err)
		}
		var gone []string
		for _, k := range have {
			if !slices.Contains(off, k) {
				gone = append(gone, k)
			}
		}
		if len(gone) > 0 {
			if err := tx.Where("user_id = ? AND type IN ?", a.UserID, gone).Delete(&notificationPref{}).Error; err != nil {
				return fmt.Errorf("switch notifications on: %w", err)
			}
		}
		for _, k := range off {
			if slices.Contains(have, k) {
				continue
			}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).
				Create(&notificationPref{UserID: a.UserID, Type: k, CreatedAt: tx.now}).Error; err != nil {
				return fmt.Errorf("switch notifications off: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.NotificationPrefs(ctx, a)
}

// notifyPolledCards tells the authors of the cards a poll's options stand for (the card itself,
// or the cards of its group) that their card was put to a vote.
func notifyPolledCards(tx *Tx, a Actor, p *Poll) error {
	var cards []uint64
	for _, o := range p.Options {
		switch {
		case o.CardID != nil:
			cards = append(cards, *o.CardID)
		case o.ClusterID != nil:
			var in []uint64
			if err := tx.Table("cluster_cards").Where("cluster_id = ?", *o.ClusterID).Pluck("card_id", &in).Error; err != nil {
				return fmt.Errorf("read cards of group %d: %w", *o.ClusterID, err)
			}
			cards = append(cards, in...)
		}
	}
	return notifyCardAuthors(tx, a, p.CommunityID, uniqueIDs(cards), NoteCardPolled, fmt.Sprintf("polled:%d", p.ID),
		map[string]any{"poll_id": p.ID, "poll": p.Title})
}

// notifyPhase tells the members living in a cycle's compound that it moved to another phase.
func notifyPhase(tx *Tx, a Actor, c *Cycle, to string) error {
	var name []string
	if err := tx.Model(&Compound{}).Where("id = ?", c.CompoundID).Pluck("name", &name).Error; err != nil {
		return fmt.Errorf("read compound %d: %w", c.CompoundID, err)
	}
	var month []string
	if err := tx.Model(&Cycle{}).Where("id = ?", c.ID).Pluck("month", &month).Error; err != nil {
		return fmt.Errorf("read cycle %d: %w", c.ID, err)
	}
	compound, mo := "", ""
	if len(name) == 1 {
		compound = name[0]
	}
	if len(month) == 1 {
		mo = month[0]
	}
	return tx.NotifyCompound(Note{CommunityID: c.CommunityID, Type: NoteCyclePhase, SubjectType: "cycle", SubjectID: c.ID,
		Params: map[string]any{"cycle_id": c.ID, "month": mo, "compound": compound, "phase": to}, Except: a.UserID},
		c.CompoundID)
}

// notifyMeetingScheduled tells the members living in the cycle's compound of a new meeting.
func notifyMeetingScheduled(tx *Tx, a Actor, c *Cycle, m *Meeting) error {
	return tx.NotifyCompound(Note{CommunityID: c.CommunityID, Type: NoteMeetingScheduled, SubjectType: "meeting", SubjectID: m.ID,
		Params: map[string]any{"meeting_id": m.ID, "cycle_id": c.ID, "meeting": m.Title, "location": m.Location,
			"starts_at": m.StartsAt.In(communityZone).Format("2006-01-02 15:04")}, Except: a.UserID}, c.CompoundID)
}
