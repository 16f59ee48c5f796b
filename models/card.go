package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Card origins and statuses (docs/domain.md).
const (
	OriginOnline = "online"
	OriginPaper  = "paper"
	OriginTable  = "table"

	CardVisible   = "visible"
	CardHidden    = "hidden"
	CardWithdrawn = "withdrawn"

	// MaxCardRunes is the longest card body, in characters.
	MaxCardRunes = 300
	// reportsToHide is how many reports hide a card into the moderation queue.
	reportsToHide = 3
)

// Card 解法卡片 is one proposed solution. The author of an anonymous card is kept only to let
// them see and withdraw it: no route, list, export or event shows it.
type Card struct {
	ID               uint64    `gorm:"primaryKey" json:"id"`
	CycleID          uint64    `json:"cycle_id"`
	CommunityID      uint64    `json:"community_id"`
	Body             string    `json:"body"`
	Anonymous        bool      `json:"anonymous"`
	Origin           string    `json:"origin"`
	AuthorID         *uint64   `json:"-"`
	AuthorName       string    `json:"author_name"`
	EnteredBy        uint64    `json:"-"`
	PhotoID          *uint64   `json:"photo_id"`
	Status           string    `json:"status"`
	ModerationReason string    `json:"moderation_reason"`
	ReportCount      int       `json:"report_count"`
	IdempotencyKey   *string   `json:"-"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	PhotoURL         string    `gorm:"-" json:"photo_url"`
	Mine             bool      `gorm:"-" json:"mine"`
	// EnteredByMe marks a paper or table card the viewer typed in: they may correct or withdraw it.
	EnteredByMe bool   `gorm:"-" json:"entered_by_me"`
	UserName    string `gorm:"->;-:migration" json:"-"`
}

// TableName pins the table.
func (Card) TableName() string { return "cards" }

type cardReport struct {
	CardID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	UserID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	Reason    string
	CreatedAt time.Time
}

func (cardReport) TableName() string { return "card_reports" }

// shape prepares a card for a viewer: the author's name only for named cards, moderation
// figures only for moderators.
func (c *Card) shape(viewer uint64, moderator bool) {
	c.Mine = c.AuthorID != nil && *c.AuthorID == viewer
	c.EnteredByMe = c.typedBy(viewer)
	switch {
	case c.Anonymous:
		c.AuthorName = ""
	case c.AuthorID != nil && c.UserName != "":
		c.AuthorName = c.UserName
	}
	if !moderator {
		c.ReportCount = 0
		if c.Status == CardVisible {
			c.ModerationReason = ""
		}
	}
	if c.PhotoID != nil {
		c.PhotoURL = fmt.Sprintf("/api/v1/uploads/%d", *c.PhotoID)
	}
}

// typedBy says whether user typed this card in for someone else (a paper or table card).
func (c *Card) typedBy(user uint64) bool {
	return c.Origin != OriginOnline && c.EnteredBy == user
}

// typedStep is the step that takes a typed-in card of this origin.
func (c *Card) typedStep() Step {
	if c.Origin == OriginTable {
		return StepTableCard
	}
	return StepSubmitCard
}

func cardQuery(db *gorm.DB) *gorm.DB {
	return db.Table("cards").Select("cards.*, COALESCE(users.name, '') AS user_name").
		Joins("LEFT JOIN users ON users.id = cards.author_id")
}

// CardInput is a submitted or typed-in card.
type CardInput struct {
	Body       string
	Anonymous  bool
	Origin     string
	AuthorName string
	PhotoID    *uint64
	// IdempotencyKey makes a retried submit return the first card.
	IdempotencyKey string
}

// moderatorRoles see every card and its reports; facilitators and admins act on them.
var moderatorRoles = []string{RoleFacilitator, RoleAdmin, RoleCommittee}

// SubmitCard adds a card: residents online during card collection and the round table;
// staff type in paper cards then too, and cards written at the table during the round table.
// It returns the card and whether this call created it.
func (s *Store) SubmitCard(ctx context.Context, a Actor, cycleID uint64, in CardInput) (*Card, bool, error) {
	body := strings.TrimSpace(in.Body)
	if body == "" {
		return nil, false, FieldError("body", "required")
	}
	if utf8.RuneCountInString(body) > MaxCardRunes {
		return nil, false, FieldError("body", "card_too_long")
	}
	if in.Origin == "" {
		in.Origin = OriginOnline
	}
	var key *string
	if in.IdempotencyKey != "" {
		key = &in.IdempotencyKey
	}
	card := &Card{CycleID: cycleID, Body: body, Anonymous: in.Anonymous, Origin: in.Origin, EnteredBy: a.UserID,
		PhotoID: in.PhotoID, Status: CardVisible, IdempotencyKey: key}
	var acc *Access
	err := s.tx(ctx, func(tx *Tx) error {
		cy, err := tx.lockCycle(cycleID)
		if err != nil {
			return err
		}
		acc, err = tx.writeAccess(a, cy.CommunityID)
		if err != nil {
			return err
		}
		card.CommunityID = cy.CommunityID
		switch in.Origin {
		case OriginOnline:
			if err := acc.requireVerified(); err != nil {
				return err
			}
			card.AuthorID = a.ref()
			if err := cy.allow(StepSubmitCard); err != nil {
				return err
			}
		case OriginPaper:
			if err := acc.require(RoleFacilitator, RoleAdmin, RoleGridWorker); err != nil {
				return err
			}
			if err := cy.allow(StepSubmitCard); err != nil {
				return err
			}
		case OriginTable:
			if err := acc.require(RoleFacilitator, RoleAdmin); err != nil {
				return err
			}
			if err := cy.allow(StepTableCard); err != nil {
				return err
			}
		default:
			return FieldError("origin", "unknown_origin")
		}
		if in.Origin != OriginOnline && !in.Anonymous {
			card.AuthorName = strings.TrimSpace(in.AuthorName)
		}
		if in.PhotoID != nil {
			var up Upload
			if err := tx.Where("id = ? AND community_id = ?", *in.PhotoID, cy.CommunityID).Take(&up).Error; err != nil ||
				(in.Origin == OriginOnline && up.UploaderID != a.UserID) {
				return FieldError("photo_id", "photo_not_found")
			}
		}
		if err := tx.Omit("UserName").Create(card).Error; err != nil {
			if isDuplicate(err) && key != nil {
				return errAlreadyDone
			}
			return fmt.Errorf("create card: %w", err)
		}
		actorRef := a.ref()
		if card.Anonymous && card.Origin == OriginOnline {
			actorRef = nil // the log must not tie an anonymous card to its author
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: cy.CommunityID, Type: EvCardCreated, SubjectType: "card",
			SubjectID: card.ID, Actor: actorRef, Visibility: VisMembers,
			Payload: CardCreatedPayload{CycleID: cycleID, Origin: card.Origin, Anonymous: card.Anonymous,
				HasPhoto: card.PhotoID != nil}})
		return err
	})
	if err != nil && key != nil {
		// A retry: the first attempt (perhaps a concurrent one that won the insert, perhaps one
		// made before the phase closed) answers, as long as it carried the same card.
		var prev Card
		perr := s.write.WithContext(ctx).Where("entered_by = ? AND idempotency_key = ?", a.UserID, *key).Take(&prev).Error
		switch {
		case perr == nil && (prev.CycleID != cycleID || prev.Body != body || !samePhoto(prev.PhotoID, in.PhotoID)):
			return nil, false, Errorf(ECONFLICT, "idempotency_key_reused")
		case perr == nil:
			c, err := s.cardFor(s.write.WithContext(ctx), a, prev.ID)
			return c, false, err
		case !errors.Is(perr, gorm.ErrRecordNotFound):
			return nil, false, perr
		}
	}
	if err != nil {
		return nil, false, err
	}
	// The new card is answered from memory: it is exactly what was committed.
	card.CreatedAt, card.UpdatedAt = card.CreatedAt.UTC(), card.UpdatedAt.UTC()
	if card.AuthorID != nil {
		card.UserName = acc.UserName
	}
	card.shape(a.UserID, acc.Has(moderatorRoles...))
	return card, true, nil
}

func samePhoto(a, b *uint64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// cardFor loads a card as the actor may see it, or ENOTFOUND when they may not.
func (s *Store) cardFor(db *gorm.DB, a Actor, id uint64) (*Card, error) {
	var c Card
	if err := cardQuery(db).Where("cards.id = ?", id).Take(&c).Error; err != nil {
		return nil, notFound(err)
	}
	acc, err := access(db, a, c.CommunityID)
	if err != nil {
		return nil, err
	}
	moderator := acc.Has(moderatorRoles...)
	mine := c.AuthorID != nil && *c.AuthorID == a.UserID || c.typedBy(a.UserID)
	if c.Status != CardVisible && !moderator && !mine {
		return nil, errNotFound
	}
	c.shape(a.UserID, moderator)
	return &c, nil
}

// GetCard returns one card to whoever may see it.
func (s *Store) GetCard(ctx context.Context, a Actor, id uint64) (*Card, error) {
	return s.cardFor(s.rdb(ctx), a, id)
}

// CardFilter narrows a card list; Status is for moderators ("hidden" is the moderation queue).
type CardFilter struct {
	Status string
	Mine   bool
}

// ListCards lists a cycle's cards: residents see visible cards and their own; facilitators,
// admins and the committee see all, with report counts.
func (s *Store) ListCards(ctx context.Context, a Actor, cycleID uint64, f CardFilter) ([]Card, error) {
	cy, err := findCycle(s.rdb(ctx), cycleID)
	if err != nil {
		return nil, err
	}
	acc, err := s.readAccess(ctx, a, cy.CommunityID)
	if err != nil {
		return nil, err
	}
	moderator := acc.Has(moderatorRoles...)
	q := cardQuery(s.rdb(ctx)).Where("cards.cycle_id = ?", cycleID)
	if !moderator {
		q = q.Where("(cards.status = ? OR cards.author_id = ?)", CardVisible, a.UserID)
	}
	if f.Status != "" {
		if !slices.Contains([]string{CardVisible, CardHidden, CardWithdrawn}, f.Status) {
			return nil, FieldError("status", "unknown_status")
		}
		q = q.Where("cards.status = ?", f.Status)
	}
	if f.Mine {
		q = q.Where("cards.author_id = ?", a.UserID)
	}
	var out []Card
	if err := q.Order("cards.id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list cards: %w", err)
	}
	for i := range out {
		out[i].shape(a.UserID, moderator)
	}
	return out, nil
}

// lockCard reads a card for a change, with its cycle locked and the actor's access: a card that
// is not visible is not found except by its author, its typist and the moderators.
func (tx *Tx) lockCard(a Actor, id uint64) (Card, *Cycle, *Access, error) {
	var c Card
	if err := tx.Omit("UserName").Take(&c, id).Error; err != nil {
		return c, nil, nil, notFound(err)
	}
	cy, err := tx.lockCycle(c.CycleID)
	if err != nil {
		return c, nil, nil, err
	}
	acc, err := tx.writeAccess(a, c.CommunityID)
	if err != nil {
		return c, nil, nil, err
	}
	mine := c.AuthorID != nil && *c.AuthorID == a.UserID
	if c.Status != CardVisible && !mine && !c.typedBy(a.UserID) && !acc.Has(moderatorRoles...) {
		return c, nil, nil, errNotFound
	}
	return c, cy, acc, nil
}

// SetCardStatus withdraws a card (its author, while the cycle takes cards; for a paper or table
// card, the person who typed it in, since its writer has no account to do it with) or hides and
// restores it (facilitators and admins, with a reason, until the cycle is archived).
func (s *Store) SetCardStatus(ctx context.Context, a Actor, id uint64, status, reason string) (*Card, error) {
	reason = strings.TrimSpace(reason)
	err := s.tx(ctx, func(tx *Tx) error {
		c, cy, acc, err := tx.lockCard(a, id)
		if err != nil {
			return err
		}
		mine := c.AuthorID != nil && *c.AuthorID == a.UserID
		actorRef := a.ref()
		var typ EventType
		switch status {
		case CardWithdrawn:
			if !mine && !c.typedBy(a.UserID) {
				return errForbidden
			}
			if err := cy.allow(StepWithdrawCard); err != nil {
				return err
			}
			if c.Anonymous {
				actorRef = nil
			}
			typ = EvCardWithdrawn
		case CardHidden, CardVisible:
			if err := acc.require(RoleFacilitator, RoleAdmin); err != nil {
				return err
			}
			if err := cy.allow(StepModerateCard); err != nil {
				return err
			}
			if reason == "" {
				return FieldError("reason", "reason_required")
			}
			if c.Status == CardWithdrawn {
				return Errorf(ECONFLICT, "card_withdrawn")
			}
			typ = map[string]EventType{CardHidden: EvCardHidden, CardVisible: EvCardRestored}[status]
		default:
			return FieldError("status", "unknown_status")
		}
		if c.Status == status {
			return nil
		}
		if err := tx.Model(&Card{}).Where("id = ?", c.ID).
			Updates(map[string]any{"status": status, "moderation_reason": reason}).Error; err != nil {
			return fmt.Errorf("set card status: %w", err)
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: c.CommunityID, Type: typ, SubjectType: "card", SubjectID: c.ID,
			Actor: actorRef, Visibility: VisMembers, Payload: CardStatusPayload{CycleID: c.CycleID, Reason: reason}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.cardFor(s.write.WithContext(ctx), a, id)
}

// CardCorrection is a typed-in card's text and author name as corrected; nil leaves one as it is.
type CardCorrection struct {
	Body       *string
	AuthorName *string
}

// CorrectCard fixes a paper or table card's typing: its text and the author's name as written on
// the paper. Only the person who typed it in may, while the cycle still takes cards of its
// origin and the card is visible; the event keeps the text before and after.
func (s *Store) CorrectCard(ctx context.Context, a Actor, id uint64, in CardCorrection) (*Card, error) {
	err := s.tx(ctx, func(tx *Tx) error {
		c, cy, _, err := tx.lockCard(a, id)
		if err != nil {
			return err
		}
		if !c.typedBy(a.UserID) {
			return errForbidden
		}
		if err := cy.allow(c.typedStep()); err != nil {
			return err
		}
		if c.Status != CardVisible {
			return Errorf(ECONFLICT, "card_not_correctable")
		}
		body, name := c.Body, c.AuthorName
		if in.Body != nil {
			body = strings.TrimSpace(*in.Body)
			switch {
			case body == "":
				return FieldError("body", "required")
			case utf8.RuneCountInString(body) > MaxCardRunes:
				return FieldError("body", "card_too_long")
			}
		}
		if in.AuthorName != nil && !c.Anonymous {
			name = strings.TrimSpace(*in.AuthorName)
		}
		if body == c.Body && name == c.AuthorName {
			return nil
		}
		if err := tx.Model(&Card{}).Where("id = ?", c.ID).
			Updates(map[string]any{"body": body, "author_name": name, "updated_at": tx.Now()}).Error; err != nil {
			return fmt.Errorf("correct card: %w", err)
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: c.CommunityID, Type: EvCardCorrected, SubjectType: "card",
			SubjectID: c.ID, Actor: a.ref(), Visibility: VisMembers, Payload: CardCorrectedPayload{CycleID: c.CycleID,
				Before: CardWording{Body: c.Body, AuthorName: c.AuthorName},
				After:  CardWording{Body: body, AuthorName: name}}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.cardFor(s.write.WithContext(ctx), a, id)
}

// ReportCard records a member's report; the third report hides the card into the moderation
// queue. Reporting twice is a no-op; an archived cycle takes no reports.
func (s *Store) ReportCard(ctx context.Context, a Actor, id uint64, reason string) (*Card, error) {
	reason = strings.TrimSpace(reason)
	err := s.tx(ctx, func(tx *Tx) error {
		var c Card
		if err := tx.Select("id", "cycle_id").Take(&c, id).Error; err != nil {
			return notFound(err)
		}
		// The cycle first, then the card: the order the card operations lock them in.
		cy, err := tx.lockCycle(c.CycleID)
		if err != nil {
			return err
		}
		if err := tx.forUpdate().Omit("UserName").Take(&c, id).Error; err != nil {
			return notFound(err)
		}
		if _, err := tx.writeAccess(a, c.CommunityID); err != nil {
			return err
		}
		if c.Status != CardVisible {
			return errNotFound
		}
		if err := cy.allow(StepReportCard); err != nil {
			return err
		}
		if c.AuthorID != nil && *c.AuthorID == a.UserID {
			return Errorf(ECONFLICT, "own_card")
		}
		if err := tx.Create(&cardReport{CardID: c.ID, UserID: a.UserID, Reason: reason}).Error; err != nil {
			if isDuplicate(err) {
				return errAlreadyDone
			}
			return fmt.Errorf("report card: %w", err)
		}
		changes := map[string]any{"report_count": gorm.Expr("report_count + 1")}
		hide := c.ReportCount+1 == reportsToHide
		if hide {
			changes["status"], changes["moderation_reason"] = CardHidden, "reports"
		}
		if err := tx.Model(&Card{}).Where("id = ?", c.ID).Updates(changes).Error; err != nil {
			return err
		}
		if _, err := tx.AppendEvent(EventInput{CommunityID: c.CommunityID, Type: EvCardReported, SubjectType: "card",
			SubjectID: c.ID, Actor: a.ref(), Visibility: VisCommittee,
			Payload: CardStatusPayload{CycleID: c.CycleID, Reason: reason}}); err != nil {
			return err
		}
		if !hide {
			return nil
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: c.CommunityID, Type: EvCardHidden, SubjectType: "card",
			SubjectID: c.ID, Visibility: VisMembers, Payload: CardStatusPayload{CycleID: c.CycleID, Reason: HiddenByReports}})
		return err
	})
	if err != nil && !errors.Is(err, errAlreadyDone) {
		return nil, err
	}
	c, err := s.cardFor(s.write.WithContext(ctx), a, id)
	if errors.Is(err, errNotFound) {
		// The report hid the card from its reporter: say so without showing it.
		return nil, nil
	}
	return c, err
}

// TimelineItem is one step of a card's story. A vote the card was put to, and the resolution it
// led to, are named by id and title.
type TimelineItem struct {
	Type         EventType `json:"type"`
	At           time.Time `json:"at"`
	Reason       string    `json:"reason,omitempty"`
	Title        string    `json:"title,omitempty"`
	PollID       uint64    `json:"poll_id,omitempty"`
	ResolutionID uint64    `json:"resolution_id,omitempty"`
}

// CardTimeline tells what happened to a card, from the event log: submitted, reported, hidden,
// restored, withdrawn and, as later phases add them, grouped, voted, resolved. It names no one.
func (s *Store) CardTimeline(ctx context.Context, a Actor, id uint64) ([]TimelineItem, error) {
	c, err := s.cardFor(s.rdb(ctx), a, id)
	if err != nil {
		return nil, err
	}
	acc, err := s.Access(ctx, a, c.CommunityID)
	if err != nil {
		return nil, err
	}
	var evs []Event
	q := s.rdb(ctx).Where("community_id = ? AND subject_type = ? AND subject_id = ?", c.CommunityID, "card", id)
	if !acc.Has(RoleCommittee, RoleAdmin) {
		q = q.Where("visibility <> ?", VisCommittee)
	}
	if err := q.Order("seq").Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("card timeline: %w", err)
	}
	out := []TimelineItem{}
	for _, e := range evs {
		item := TimelineItem{Type: e.Type, At: e.CreatedAt}
		switch e.Type {
		case EvCardHidden, EvCardRestored:
			var p CardStatusPayload
			_ = jsonUnmarshal(e.Payload, &p)
			item.Reason = p.Reason
		case EvCardPolled, EvCardPollClosed:
			var p CardPollPayload
			_ = jsonUnmarshal(e.Payload, &p)
			item.Title, item.PollID = p.Title, p.PollID
		case EvCardResolved, EvCardResolutionAdopted, EvCardResolutionRejected:
			var p CardResolutionPayload
			_ = jsonUnmarshal(e.Payload, &p)
			item.Title, item.PollID, item.ResolutionID = p.Title, p.PollID, p.ResolutionID
		}
		out = append(out, item)
	}
	return out, nil
}
