package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Escalation of an item beyond the community's remit (docs/follow-through.md "Escalation"):
// the facilitator blows the whistle (吹哨报到, the street calls in a department) or files a
// ticket with the 12345 hotline, names the department, the ticket number and the date by which
// a response is due; the response is recorded when it comes, and an escalation still waiting
// past that date is overdue.

// Escalation channels.
const (
	EscalationWhistle = "whistle" // 吹哨报到
	EscalationHotline = "hotline" // 12345 市民热线
)

// EscalationChannels lists the channels in the order the API documents them.
var EscalationChannels = []string{EscalationWhistle, EscalationHotline}

// Escalation statuses: awaiting the department's response, then responded.
const (
	EscalationAwaiting  = "awaiting"
	EscalationResponded = "responded"
)

// Limits of an escalation.
const (
	MaxDepartmentRunes       = 100
	MaxTicketNoRunes         = 40
	MaxEscalationTextRunes   = 2000
	MaxEscalationLeadDays    = 180
	DefaultEscalationDueDays = 7
)

// Escalation is one escalation of an action item to a department outside the community.
type Escalation struct {
	ID           uint64     `gorm:"primaryKey" json:"id"`
	CommunityID  uint64     `json:"community_id"`
	ResolutionID uint64     `json:"resolution_id"`
	ItemID       uint64     `json:"item_id"`
	Channel      string     `json:"channel"`
	Department   string     `json:"department"`
	TicketNo     string     `json:"ticket_no"`
	Reason       string     `json:"reason"`
	ResponseDue  string     `json:"response_due"`
	Status       string     `json:"status"`
	Response     string     `json:"response"`
	RespondedOn  string     `json:"responded_on"`
	RespondedAt  *time.Time `json:"responded_at"`
	RespondedBy  *uint64    `json:"-"`
	CreatedBy    *uint64    `json:"-"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	// OverdueNotedOn is the response deadline the reminder job last announced as missed.
	OverdueNotedOn string `json:"-"`
}

// TableName pins the table.
func (Escalation) TableName() string { return "escalations" }

// EscalationView is an escalation as the API shows it: whether its response is overdue, how many
// days the response took (once it came), and the item's and resolution's titles.
type EscalationView struct {
	Escalation
	Overdue         bool   `json:"overdue"`
	ResponseDays    *int   `json:"response_days"`
	ItemTitle       string `json:"item_title"`
	ResolutionTitle string `json:"resolution_title"`
}

// escalationOverdue: still awaiting a response after its due date, in the community's calendar.
func (e *Escalation) escalationOverdue(today string) bool {
	return e.Status == EscalationAwaiting && e.ResponseDue < today
}

// daysBetween counts calendar days from a to b ('YYYY-MM-DD').
func daysBetween(a, b string) int {
	ta, err1 := time.Parse(time.DateOnly, a)
	tb, err2 := time.Parse(time.DateOnly, b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}

func (e *Escalation) view(today string) EscalationView {
	v := EscalationView{Escalation: *e, Overdue: e.escalationOverdue(today)}
	if e.Status == EscalationResponded && e.RespondedOn != "" {
		d := daysBetween(communityToday(e.CreatedAt), e.RespondedOn)
		v.ResponseDays = &d
	}
	return v
}

// EscalationInput raises an escalation.
type EscalationInput struct {
	Channel     string
	Department  string
	TicketNo    string
	Reason      string
	ResponseDue string
}

func checkEscalationText(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", FieldError(field, "required")
	}
	if utf8.RuneCountInString(s) > max {
		return "", FieldError(field, field+"_too_long")
	}
	return s, nil
}

// checkResponseDue: a date from today up to MaxEscalationLeadDays ahead.
func checkResponseDue(due, today string) error {
	if !validDate(due) {
		return FieldError("response_due", "date_format")
	}
	if due < today {
		return FieldError("response_due", "response_due_past")
	}
	if daysBetween(today, due) > MaxEscalationLeadDays {
		return FieldError("response_due", "response_due_too_far")
	}
	return nil
}

// RaiseEscalation escalates an open item of a resolution being carried out; facilitators and
// admins only, one escalation awaiting its response an item at a time.
func (s *Store) RaiseEscalation(ctx context.Context, a Actor, itemID uint64, in EscalationInput) (*EscalationView, error) {
	if !slices.Contains(EscalationChannels, in.Channel) {
		return nil, FieldError("channel", "unknown_escalation_channel")
	}
	var err error
	if in.Department, err = checkEscalationText("department", in.Department, MaxDepartmentRunes, true); err != nil {
		return nil, err
	}
	if in.TicketNo, err = checkEscalationText("ticket_no", in.TicketNo, MaxTicketNoRunes, false); err != nil {
		return nil, err
	}
	if in.Reason, err = checkEscalationText("reason", in.Reason, MaxEscalationTextRunes, true); err != nil {
		return nil, err
	}
	today := communityToday(s.now())
	if in.ResponseDue == "" {
		in.ResponseDue = s.now().In(shanghai).AddDate(0, 0, DefaultEscalationDueDays).Format(time.DateOnly)
	}
	if err := checkResponseDue(in.ResponseDue, today); err != nil {
		return nil, err
	}
	var id uint64
	err = s.tx(ctx, func(tx *Tx) error {
		it, r, err := tx.lockItem(itemID, true)
		if err != nil {
			return err
		}
		if _, err := tx.writeAccess(a, it.CommunityID, resolutionManagers...); err != nil {
			return err
		}
		if r.Status != ResolutionImplementing {
			return Errorf(ECONFLICT, "resolution_not_implementing").With("status", r.Status)
		}
		if itemClosed(it.Status) {
			return Errorf(ECONFLICT, "item_closed")
		}
		var open int64
		if err := tx.Model(&Escalation{}).Where("item_id = ? AND status = ?", it.ID, EscalationAwaiting).Count(&open).Error; err != nil {
			return fmt.Errorf("find open escalations of item %d: %w", it.ID, err)
		}
		if open > 0 {
			return Errorf(ECONFLICT, "escalation_open")
		}
		e := Escalation{CommunityID: it.CommunityID, ResolutionID: r.ID, ItemID: it.ID, Channel: in.Channel,
			Department: in.Department, TicketNo: in.TicketNo, Reason: in.Reason, ResponseDue: in.ResponseDue,
			Status: EscalationAwaiting, CreatedBy: a.ref(), CreatedAt: tx.now, UpdatedAt: tx.now}
		if err := tx.Create(&e).Error; err != nil {
			return fmt.Errorf("create escalation: %w", err)
		}
		id = e.ID
		_, err = tx.AppendEvent(EventInput{CommunityID: it.CommunityID, Type: EvEscalationRaised, SubjectType: "escalation",
			SubjectID: e.ID, Actor: a.ref(), Visibility: VisMembers, Payload: EscalationRaisedPayload{Channel: e.Channel,
				Department: e.Department, EscalationID: e.ID, ItemID: it.ID, Reason: e.Reason, ResolutionID: r.ID,
				ResponseDue: e.ResponseDue, TicketNo: e.TicketNo}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.GetEscalation(ctx, a, id)
}

// lockEscalation locks an escalation's resolution (as every write to its items does), then the
// escalation itself, and checks that the actor manages the community.
func (tx *Tx) lockEscalation(a Actor, id uint64) (*Escalation, *Resolution, error) {
	var e Escalation
	if err := tx.Take(&e, id).Error; err != nil {
		return nil, nil, notFound(err)
	}
	if _, err := tx.writeAccess(a, e.CommunityID, resolutionManagers...); err != nil {
		return nil, nil, err
	}
	r, err := tx.lockResolution(e.ResolutionID)
	if err != nil {
		return nil, nil, err
	}
	if err := tx.forUpdate().Take(&e, id).Error; err != nil {
		return nil, nil, notFound(err)
	}
	return &e, r, nil
}

// EscalationResponse records the department's response.
type EscalationResponse struct {
	Response string
	// RespondedOn is the day the response came ('YYYY-MM-DD'); today when empty.
	RespondedOn string
	TicketNo    *string
}

// RespondEscalation records the response to an escalation awaiting one; facilitators and admins.
func (s *Store) RespondEscalation(ctx context.Context, a Actor, id uint64, in EscalationResponse) (*EscalationView, error) {
	var err error
	if in.Response, err = checkEscalationText("response", in.Response, MaxEscalationTextRunes, true); err != nil {
		return nil, err
	}
	if in.TicketNo != nil {
		t, err := checkEscalationText("ticket_no", *in.TicketNo, MaxTicketNoRunes, false)
		if err != nil {
			return nil, err
		}
		in.TicketNo = &t
	}
	today := communityToday(s.now())
	if in.RespondedOn == "" {
		in.RespondedOn = today
	}
	if !validDate(in.RespondedOn) {
		return nil, FieldError("responded_on", "date_format")
	}
	if in.RespondedOn > today {
		return nil, FieldError("responded_on", "responded_on_future")
	}
	err = s.tx(ctx, func(tx *Tx) error {
		e, _, err := tx.lockEscalation(a, id)
		if err != nil {
			return err
		}
		if e.Status != EscalationAwaiting {
			return Errorf(ECONFLICT, "escalation_responded")
		}
		raised := communityToday(e.CreatedAt)
		if in.RespondedOn < raised {
			return FieldError("responded_on", "responded_before_raised")
		}
		set := map[string]any{"status": EscalationResponded, "response": in.Response, "responded_on": in.RespondedOn,
			"responded_at": tx.now, "responded_by": a.ref(), "updated_at": tx.now}
		ticket := e.TicketNo
		if in.TicketNo != nil && *in.TicketNo != "" {
			ticket = *in.TicketNo
			set["ticket_no"] = ticket
		}
		if err := tx.Model(&Escalation{}).Where("id = ?", e.ID).Updates(set).Error; err != nil {
			return fmt.Errorf("record response to escalation %d: %w", e.ID, err)
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: e.CommunityID, Type: EvEscalationResponded, SubjectType: "escalation",
			SubjectID: e.ID, Actor: a.ref(), Visibility: VisMembers, Payload: EscalationRespondedPayload{
				Department: e.Department, EscalationID: e.ID, ItemID: e.ItemID, Late: in.RespondedOn > e.ResponseDue,
				ResolutionID: e.ResolutionID, RespondedOn: in.RespondedOn, Response: in.Response,
				ResponseDays: daysBetween(raised, in.RespondedOn), ResponseDue: e.ResponseDue, TicketNo: ticket}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.GetEscalation(ctx, a, id)
}

// EscalationPatch corrects an escalation awaiting its response: the ticket number once the
// hotline gives one, the department, or a response deadline the department agreed to move.
type EscalationPatch struct {
	Department  *string
	TicketNo    *string
	ResponseDue *string
}

// UpdateEscalation changes an escalation awaiting its response; facilitators and admins.
// The event lists each changed field with its value before and after.
func (s *Store) UpdateEscalation(ctx context.Context, a Actor, id uint64, p EscalationPatch) (*EscalationView, error) {
	if p.Department != nil {
		d, err := checkEscalationText("department", *p.Department, MaxDepartmentRunes, true)
		if err != nil {
			return nil, err
		}
		p.Department = &d
	}
	if p.TicketNo != nil {
		t, err := checkEscalationText("ticket_no", *p.TicketNo, MaxTicketNoRunes, false)
		if err != nil {
			return nil, err
		}
		p.TicketNo = &t
	}
	if p.ResponseDue != nil {
		if err := checkResponseDue(*p.ResponseDue, communityToday(s.now())); err != nil {
			return nil, err
		}
	}
	err := s.tx(ctx, func(tx *Tx) error {
		e, _, err := tx.lockEscalation(a, id)
		if err != nil {
			return err
		}
		if e.Status != EscalationAwaiting {
			return Errorf(ECONFLICT, "escalation_responded")
		}
		set := map[string]any{}
		changes := []FieldChange{}
		diff := func(field string, to *string, from string) {
			if to != nil && *to != from {
				set[field] = *to
				changes = append(changes, FieldChange{Field: field, From: from, To: *to})
			}
		}
		diff("department", p.Department, e.Department)
		diff("ticket_no", p.TicketNo, e.TicketNo)
		diff("response_due", p.ResponseDue, e.ResponseDue)
		if len(set) == 0 {
			return nil
		}
		set["updated_at"] = tx.now
		if err := tx.Model(&Escalation{}).Where("id = ?", e.ID).Updates(set).Error; err != nil {
			return fmt.Errorf("change escalation %d: %w", e.ID, err)
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: e.CommunityID, Type: EvEscalationChanged, SubjectType: "escalation",
			SubjectID: e.ID, Actor: a.ref(), Visibility: VisMembers, Payload: EscalationChangedPayload{Changes: changes,
				EscalationID: e.ID, ItemID: e.ItemID, ResolutionID: e.ResolutionID}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.GetEscalation(ctx, a, id)
}

// viewEscalations shapes escalations with their item's and resolution's titles.
func viewEscalations(db *gorm.DB, es []Escalation, today string) ([]EscalationView, error) {
	out := make([]EscalationView, 0, len(es))
	if len(es) == 0 {
		return out, nil
	}
	itemIDs, resIDs := []uint64{}, []uint64{}
	for _, e := range es {
		itemIDs = append(itemIDs, e.ItemID)
		resIDs = append(resIDs, e.ResolutionID)
	}
	titles := func(table string, ids []uint64) (map[uint64]string, error) {
		var rows []struct {
			ID    uint64
			Title string
		}
		if err := db.Table(table).Select("id", "title").Where("id IN ?", uniqueIDs(ids)).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("read %s titles: %w", table, err)
		}
		m := map[uint64]string{}
		for _, r := range rows {
			m[r.ID] = r.Title
		}
		return m, nil
	}
	items, err := titles("action_items", itemIDs)
	if err != nil {
		return nil, err
	}
	res, err := titles("resolutions", resIDs)
	if err != nil {
		return nil, err
	}
	for i := range es {
		v := es[i].view(today)
		v.ItemTitle, v.ResolutionTitle = items[es[i].ItemID], res[es[i].ResolutionID]
		out = append(out, v)
	}
	return out, nil
}

// GetEscalation returns one escalation to members of its community.
func (s *Store) GetEscalation(ctx context.Context, a Actor, id uint64) (*EscalationView, error) {
	db := s.write.WithContext(ctx)
	var e Escalation
	if err := db.Take(&e, id).Error; err != nil {
		return nil, notFound(err)
	}
	if _, err := access(db, a, e.CommunityID); err != nil {
		return nil, err
	}
	vs, err := viewEscalations(db, []Escalation{e}, communityToday(s.now()))
	if err != nil {
		return nil, err
	}
	return &vs[0], nil
}

// EscalationFilter narrows a community's escalations.
type EscalationFilter struct {
	Status       string // awaiting or responded; empty for both
	Overdue      bool   // only those awaiting past their due date
	ResolutionID uint64
	Limit        int
}

// ListEscalations lists a community's escalations, newest first, to its members.
func (s *Store) ListEscalations(ctx context.Context, a Actor, communityID uint64, f EscalationFilter) ([]EscalationView, error) {
	db := s.rdb(ctx)
	if _, err := access(db, a, communityID); err != nil {
		return nil, err
	}
	today := communityToday(s.now())
	q := db.Where("community_id = ?", communityID)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Overdue {
		q = q.Where("status = ? AND response_due < ?", EscalationAwaiting, today)
	}
	if f.ResolutionID != 0 {
		q = q.Where("resolution_id = ?", f.ResolutionID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	var es []Escalation
	if err := q.Order("id DESC").Limit(limit).Find(&es).Error; err != nil {
		return nil, fmt.Errorf("list escalations of community %d: %w", communityID, err)
	}
	return viewEscalations(db, es, today)
}

// itemEscalations lists an item's escalations, oldest first.
func itemEscalations(db *gorm.DB, itemID uint64, today string) ([]EscalationView, error) {
	var es []Escalation
	if err := db.Where("item_id = ?", itemID).Order("id").Find(&es).Error; err != nil {
		return nil, fmt.Errorf("read escalations of item %d: %w", itemID, err)
	}
	out := make([]EscalationView, 0, len(es))
	for i := range es {
		out = append(out, es[i].view(today))
	}
	return out, nil
}

// awaitingEscalations maps each of the items to its escalation awaiting a response, if any.
func awaitingEscalations(db *gorm.DB, itemIDs []uint64) (map[uint64]Escalation, error) {
	out := map[uint64]Escalation{}
	if len(itemIDs) == 0 {
		return out, nil
	}
	var es []Escalation
	if err := db.Select("id", "item_id", "response_due", "status").Where("item_id IN ? AND status = ?", itemIDs, EscalationAwaiting).
		Find(&es).Error; err != nil {
		return nil, fmt.Errorf("read open escalations: %w", err)
	}
	for _, e := range es {
		out[e.ItemID] = e
	}
	return out, nil
}

// RunEscalationChecks announces each escalation whose response is overdue, once per response
// deadline: to the facilitators and the item's assignee, with an escalation.response_overdue
// event. The once is a conditional update of overdue_noted_on in the transaction that writes the
// notice, so two instances running the job at once send it once. It returns how many it sent.
func (s *Store) RunEscalationChecks(ctx context.Context) (int, error) {
	today := communityToday(s.now())
	var es []Escalation
	if err := s.write.WithContext(ctx).Where("status = ? AND response_due < ? AND overdue_noted_on <> response_due",
		EscalationAwaiting, today).Order("id").Find(&es).Error; err != nil {
		return 0, fmt.Errorf("find overdue escalations: %w", err)
	}
	sent := 0
	for i := range es {
		e := &es[i]
		did := false
		err := s.tx(ctx, func(tx *Tx) error {
			did = false
			res := tx.Model(&Escalation{}).Where("id = ? AND status = ? AND response_due = ? AND overdue_noted_on <> ?",
				e.ID, EscalationAwaiting, e.ResponseDue, e.ResponseDue).Update("overdue_noted_on", e.ResponseDue)
			if res.Error != nil {
				return fmt.Errorf("note overdue escalation %d: %w", e.ID, res.Error)
			}
			if res.RowsAffected != 1 {
				return nil // answered, moved, or announced by another run meanwhile
			}
			if _, err := tx.AppendEvent(EventInput{CommunityID: e.CommunityID, Type: EvEscalationResponseOverdue,
				SubjectType: "escalation", SubjectID: e.ID, Visibility: VisMembers, Payload: EscalationOverduePayload{
					Department: e.Department, EscalationID: e.ID, ItemID: e.ItemID, ResolutionID: e.ResolutionID,
					ResponseDue: e.ResponseDue, TicketNo: e.TicketNo}}); err != nil {
				return err
			}
			did = true
			return nil
		})
		if err != nil {
			return sent, err
		}
		if did {
			sent++
		}
	}
	return sent, nil
}

// notifyEscalation tells the item's assignee and the facilitators of its cycle about a step of
// an escalation (never the one who took it).
func (tx *Tx) notifyEscalation(communityID uint64, kind string, except uint64, key string, p escalationNotice) error {
	var it struct {
		ID, ResolutionID uint64
		AssigneeUserID   *uint64
		Title            string
	}
	if err := tx.Table("action_items").Select("id", "resolution_id", "assignee_user_id", "title").Where("id = ?", p.itemID).
		Take(&it).Error; err != nil {
		return notFound(err)
	}
	var r struct {
		ID, CycleID uint64
		Title       string
	}
	if err := tx.Table("resolutions").Select("id", "cycle_id", "title").Where("id = ?", it.ResolutionID).Take(&r).Error; err != nil {
		return notFound(err)
	}
	to, err := facilitatorsOf(tx.DB, communityID, r.CycleID)
	if err != nil {
		return err
	}
	if it.AssigneeUserID != nil {
		to = append(to, *it.AssigneeUserID)
	}
	params := map[string]any{"item_id": it.ID, "item": it.Title, "resolution_id": r.ID, "resolution": r.Title,
		"escalation_id": p.escalationID, "department": p.department, "ticket_no": p.ticketNo, "response_due": p.responseDue}
	return tx.Notify(Note{CommunityID: communityID, Type: kind, SubjectType: "item", SubjectID: it.ID, Params: params,
		Key: key, Except: except}, to...)
}

type escalationNotice struct {
	escalationID, itemID              uint64
	department, ticketNo, responseDue string
}
