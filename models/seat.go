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

// Seat kinds (席位): for which side or body someone sits at the round table. The 安友花园
// elevator table seated supporters, opponents and district departments at one table (docs/domain.md
// "The practice"); the invitation list follows docs/domain.md "The round table".
const (
	SeatPartyOrg        = "party_org"        // 社区党委、小区党支部
	SeatResidentPro     = "resident_pro"     // 居民代表（支持）
	SeatResidentCon     = "resident_con"     // 居民代表（反对）
	SeatResidentNeutral = "resident_neutral" // 居民代表（中立）
	SeatBuildingHead    = "building_head"    // 楼栋长
	SeatOwnersCommittee = "owners_committee" // 业委会、自治委员会
	SeatProperty        = "property"         // 物业
	SeatPartyMember     = "party_member"     // 下沉党员
	SeatGridWorker      = "grid_worker"      // 网格员
	SeatDepartment      = "department"       // 区职能部门
	SeatExpert          = "expert"           // 专家
	SeatOther           = "other"            // 其他
)

// SeatKinds lists the kinds in the order the console offers them.
var SeatKinds = []string{SeatResidentPro, SeatResidentCon, SeatResidentNeutral, SeatBuildingHead, SeatOwnersCommittee,
	SeatProperty, SeatPartyOrg, SeatPartyMember, SeatGridWorker, SeatDepartment, SeatExpert, SeatOther}

// Bounds of a seat's texts, in characters.
const (
	MaxSeatLabelRunes = 30
	MaxGuestNameRunes = 50
)

// Seat is one place at a meeting's table: a kind, a label such as 「一楼住户代表」, and who is
// invited to it — a member of the community, an organization of it (with the name of the person
// it sends, if known), someone from outside by name, or nobody yet. Seats can be planned while
// the cycle collects cards or holds the round table, until the meeting ends; after that they are
// part of the record and no longer change. Removing a seat keeps its row, with RemovedAt.
type Seat struct {
	ID             uint64     `gorm:"primaryKey" json:"id"`
	MeetingID      uint64     `json:"meeting_id"`
	CommunityID    uint64     `json:"-"`
	Kind           string     `json:"kind"`
	Label          string     `json:"label"`
	Position       int        `json:"position"`
	UserID         *uint64    `json:"user_id"`
	OrganizationID *uint64    `json:"organization_id"`
	GuestName      *string    `json:"-"`
	InviteeKey     *string    `json:"-"`
	InvitedAt      *time.Time `json:"invited_at"`
	CreatedBy      uint64     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"-"`
	RemovedAt      *time.Time `json:"-"`
	// Read with the seat: the person's name (the member's, or the guest's), the organization's,
	// the member's phone and when the person signed in at the meeting.
	Name             string     `gorm:"->;-:migration" json:"name"`
	OrganizationName string     `gorm:"->;-:migration" json:"organization_name"`
	Phone            string     `gorm:"->;-:migration" json:"phone"`
	CheckedInAt      *time.Time `gorm:"->;-:migration" json:"checked_in_at"`
	// Present says whether the invited person signed in; nil for callers who may not see who
	// signed in.
	Present *bool `gorm:"-" json:"present"`
}

// TableName pins the table.
func (Seat) TableName() string { return "meeting_seats" }

// seatReadOnly are the fields a seat is read with but never writes.
var seatReadOnly = []string{"Name", "OrganizationName", "Phone", "CheckedInAt"}

// SeatList is a meeting's seats in their order, with how many there are and how many of their
// invitees signed in. PresenceVisible is false for callers who may not see who signed in; their
// seats carry no presence.
type SeatList struct {
	Items           []Seat `json:"items"`
	NextCursor      string `json:"next_cursor"`
	SeatCount       int    `json:"seat_count"`
	SeatsPresent    int    `json:"seats_present"`
	PresenceVisible bool   `json:"presence_visible"`
}

// Invitee names who is invited to a seat: a member by user id or an outsider by name (not both),
// optionally with the organization they come for. The zero Invitee leaves the seat open.
type Invitee struct {
	UserID         *uint64
	OrganizationID *uint64
	Name           string
}

// SeatInput plans a seat.
type SeatInput struct {
	Kind    string
	Label   string
	Invitee Invitee
}

// SeatChange changes a seat; nil leaves a field as it is. A non-nil Invitee replaces the
// invitee, and a zero one opens the seat again.
type SeatChange struct {
	Kind     *string
	Label    *string
	Position *int
	Invitee  *Invitee
}

// seatQuery reads seats with their names and whether their person signed in: a member by user
// id, a guest by a walk-in sign-in under exactly the seat's name. The attendance keys (one row a
// member, one a name) keep it one row a seat.
func seatQuery(db *gorm.DB) *gorm.DB {
	return db.Table("meeting_seats").Select(`meeting_seats.*, COALESCE(users.name, meeting_seats.guest_name, '') AS name,
		COALESCE(users.phone, '') AS phone, COALESCE(organizations.name, '') AS organization_name,
		attendances.created_at AS checked_in_at`).
		Joins("LEFT JOIN users ON users.id = meeting_seats.user_id").
		Joins("LEFT JOIN organizations ON organizations.id = meeting_seats.organization_id").
		Joins(`LEFT JOIN attendances ON attendances.meeting_id = meeting_seats.meeting_id AND
			(attendances.user_id = meeting_seats.user_id OR
			 (meeting_seats.user_id IS NULL AND attendances.walk_in_name = meeting_seats.guest_name))`)
}

// liveSeats are a meeting's seats that were not removed.
func liveSeats(db *gorm.DB, meetingID uint64) *gorm.DB {
	return db.Model(&Seat{}).Where("meeting_id = ? AND removed_at IS NULL", meetingID)
}

// seatCounts counts a meeting's seats and those whose invitee signed in, for the meeting's
// figures.
func seatCounts(db *gorm.DB, meetingID uint64) (seats, present int, err error) {
	row := db.Table("meeting_seats").Select("COUNT(meeting_seats.id), COUNT(attendances.id)").
		Joins(`LEFT JOIN attendances ON attendances.meeting_id = meeting_seats.meeting_id AND
			(attendances.user_id = meeting_seats.user_id OR
			 (meeting_seats.user_id IS NULL AND attendances.walk_in_name = meeting_seats.guest_name))`).
		Where("meeting_seats.meeting_id = ? AND meeting_seats.removed_at IS NULL", meetingID).Row()
	if err := row.Scan(&seats, &present); err != nil {
		return 0, 0, fmt.Errorf("count seats of meeting %d: %w", meetingID, err)
	}
	return seats, present, nil
}

// shape trims a seat to what the caller may see. Who signed in is for facilitators, admins and
// the committee, as on the attendance list; so are phone numbers, masked for all but admins.
// A 下沉党员 seat would tell anyone else that its person is a party member, which only those
// roles may know (docs/architecture.md "Security and privacy rules"): everyone else sees the seat without the person.
func (st *Seat) shape(acc *Access) {
	viewer := acc.Has(attendeeViewers...)
	if viewer {
		present := st.CheckedInAt != nil
		st.Present = &present
	} else {
		st.CheckedInAt = nil
	}
	switch {
	case acc.Has(RoleAdmin):
	case viewer && st.Phone != "":
		st.Phone = MaskPhone(st.Phone)
	default:
		st.Phone = ""
	}
	if st.Kind == SeatPartyMember && !viewer {
		st.UserID, st.Name = nil, ""
	}
}

func cleanSeatKind(kind string) error {
	if kind == "" {
		return FieldError("kind", "seat_kind_required")
	}
	if !slices.Contains(SeatKinds, kind) {
		return FieldError("kind", "unknown_seat_kind")
	}
	return nil
}

func cleanSeatLabel(label string) (string, error) {
	label = strings.TrimSpace(label)
	switch {
	case label == "":
		return "", FieldError("label", "seat_label_required")
	case utf8.RuneCountInString(label) > MaxSeatLabelRunes:
		return "", FieldError("label", "seat_label_too_long")
	}
	return label, nil
}

// cleanInvitee trims the guest's name and checks what needs no database.
func cleanInvitee(in Invitee) (Invitee, error) {
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.UserID != nil && in.Name != "":
		return in, FieldError("invitee.user_id", "user_or_name")
	case utf8.RuneCountInString(in.Name) > MaxGuestNameRunes:
		return in, FieldError("invitee.name", fmt.Sprintf("max:%d", MaxGuestNameRunes))
	}
	return in, nil
}

// key names the invitee for the unique key; nil for an open seat.
func (in Invitee) key() *string {
	var k string
	switch {
	case in.UserID != nil:
		k = fmt.Sprintf("u:%d", *in.UserID)
	case in.OrganizationID != nil && in.Name != "":
		k = fmt.Sprintf("o:%d:%s", *in.OrganizationID, in.Name)
	case in.OrganizationID != nil:
		k = fmt.Sprintf("o:%d", *in.OrganizationID)
	case in.Name != "":
		k = "n:" + in.Name
	default:
		return nil
	}
	return &k
}

// taken is the answer when the invitee already holds another seat of the meeting, on the field
// that names them.
func (in Invitee) taken() error {
	switch {
	case in.UserID != nil:
		return FieldError("invitee.user_id", "seat_taken")
	case in.OrganizationID != nil && in.Name == "":
		return FieldError("invitee.organization_id", "seat_taken")
	}
	return FieldError("invitee.name", "seat_taken")
}

// checkInvitee makes sure the member and the organization belong to the meeting's community.
// Someone of another community answers like someone who does not exist.
func checkInvitee(tx *Tx, communityID uint64, in Invitee) error {
	if in.UserID != nil {
		if _, err := access(tx.DB, Actor{UserID: *in.UserID}, communityID); err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return FieldError("invitee.user_id", "not_a_member")
			}
			return err
		}
	}
	if in.OrganizationID != nil {
		var n int64
		if err := tx.Model(&Organization{}).Where("id = ? AND community_id = ?", *in.OrganizationID, communityID).
			Count(&n).Error; err != nil {
			return fmt.Errorf("find organization: %w", err)
		}
		if n == 0 {
			return FieldError("invitee.organization_id", "organization_not_found")
		}
	}
	return nil
}

func (in Invitee) guestName() *string {
	if in.Name == "" {
		return nil
	}
	n := in.Name
	return &n
}

// payload describes the invitee in an event: ids, and a guest's name as typed.
func (in Invitee) payload() SeatInviteePayload {
	return SeatInviteePayload{UserID: in.UserID, OrganizationID: in.OrganizationID, Name: in.Name}
}

// seatPayload is seat.invited's and seat.removed's: the seat and its invitee.
func seatPayload(st *Seat, in Invitee) SeatPayload {
	return SeatPayload{Kind: st.Kind, Label: st.Label, MeetingID: st.MeetingID, Name: in.Name,
		OrganizationID: in.OrganizationID, Position: st.Position, UserID: in.UserID}
}

func (st *Seat) invitee() Invitee {
	in := Invitee{UserID: st.UserID, OrganizationID: st.OrganizationID}
	if st.GuestName != nil {
		in.Name = *st.GuestName
	}
	return in
}

// lockSeatMeeting locks a meeting's cycle and then the meeting (the order every meeting
// operation locks them in) and checks that the actor facilitates it, that it has not ended and
// that its cycle collects cards or holds the round table — the phases a meeting is scheduled
// and held in. What is read after it is read with forUpdate, which sees the latest rows on MySQL.
func (tx *Tx) lockSeatMeeting(a Actor, meetingID uint64) (*Meeting, *Access, error) {
	var m Meeting
	if err := tx.Select("id", "cycle_id", "community_id").Take(&m, meetingID).Error; err != nil {
		return nil, nil, notFound(err)
	}
	cy, err := tx.lockCycle(m.CycleID)
	if err != nil {
		return nil, nil, err
	}
	acc, err := tx.writeAccess(a, m.CommunityID, RoleFacilitator, RoleAdmin)
	if err != nil {
		return nil, nil, err
	}
	if err := tx.forUpdate().Take(&m, meetingID).Error; err != nil {
		return nil, nil, notFound(err)
	}
	if err := cy.allowMeeting(StepPrepareMeeting, &m); err != nil {
		return nil, nil, err
	}
	return &m, acc, nil
}

// lockSeat reads a seat and locks its meeting for planning.
func (tx *Tx) lockSeat(a Actor, id uint64) (*Seat, *Meeting, *Access, error) {
	var st Seat
	if err := tx.Select("id", "meeting_id").Take(&st, id).Error; err != nil {
		return nil, nil, nil, notFound(err)
	}
	m, acc, err := tx.lockSeatMeeting(a, st.MeetingID)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := tx.forUpdate().Take(&st, id).Error; err != nil {
		return nil, nil, nil, notFound(err)
	}
	return &st, m, acc, nil
}

func seatEvent(tx *Tx, a Actor, st *Seat, typ EventType, payload any) error {
	// Invitees are people: the log names them to the committee and the meeting's staff only.
	_, err := tx.AppendEvent(EventInput{CommunityID: st.CommunityID, Type: typ, SubjectType: "seat", SubjectID: st.ID,
		Actor: a.ref(), Visibility: VisCommittee, Payload: payload})
	return err
}

// seat reads one seat as the caller may see it.
func (s *Store) seat(ctx context.Context, id uint64, acc *Access) (*Seat, error) {
	var st Seat
	if err := seatQuery(s.write.WithContext(ctx)).Where("meeting_seats.id = ?", id).Take(&st).Error; err != nil {
		return nil, notFound(err)
	}
	st.shape(acc)
	return &st, nil
}

// ListSeats returns a meeting's seats in order to members of its community, shaped for the
// caller (see Seat.shape).
func (s *Store) ListSeats(ctx context.Context, a Actor, meetingID uint64) (*SeatList, error) {
	var m Meeting
	if err := s.rdb(ctx).Select("id", "community_id").Take(&m, meetingID).Error; err != nil {
		return nil, notFound(err)
	}
	acc, err := s.readAccess(ctx, a, m.CommunityID)
	if err != nil {
		return nil, err
	}
	out := &SeatList{Items: []Seat{}, PresenceVisible: acc.Has(attendeeViewers...)}
	if err := seatQuery(s.rdb(ctx)).Where("meeting_seats.meeting_id = ? AND meeting_seats.removed_at IS NULL", meetingID).
		Order("meeting_seats.position, meeting_seats.id").Find(&out.Items).Error; err != nil {
		return nil, fmt.Errorf("list seats of meeting %d: %w", meetingID, err)
	}
	for i := range out.Items {
		if out.Items[i].CheckedInAt != nil {
			out.SeatsPresent++
		}
		out.Items[i].shape(acc)
	}
	out.SeatCount = len(out.Items)
	return out, nil
}

// InviteSeat adds a seat at the end of a meeting's table; facilitators and admins, while the
// meeting has not ended and its cycle collects cards or holds the round table. A member or an
// organization must be of the meeting's community, and no invitee holds two seats of a meeting.
func (s *Store) InviteSeat(ctx context.Context, a Actor, meetingID uint64, in SeatInput) (*Seat, error) {
	if err := cleanSeatKind(in.Kind); err != nil {
		return nil, err
	}
	label, err := cleanSeatLabel(in.Label)
	if err != nil {
		return nil, err
	}
	inv, err := cleanInvitee(in.Invitee)
	if err != nil {
		return nil, err
	}
	var id uint64
	var acc *Access
	err = s.tx(ctx, func(tx *Tx) error {
		m, ac, err := tx.lockSeatMeeting(a, meetingID)
		if err != nil {
			return err
		}
		acc = ac
		if err := checkInvitee(tx, m.CommunityID, inv); err != nil {
			return err
		}
		var n int64
		if err := liveSeats(tx.forUpdate(), m.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("count seats: %w", err)
		}
		st := Seat{MeetingID: m.ID, CommunityID: m.CommunityID, Kind: in.Kind, Label: label, Position: int(n) + 1,
			UserID: inv.UserID, OrganizationID: inv.OrganizationID, GuestName: inv.guestName(), InviteeKey: inv.key(),
			CreatedBy: a.UserID}
		if st.InviteeKey != nil {
			now := tx.Now()
			st.InvitedAt = &now
		}
		if err := tx.Omit(seatReadOnly...).Create(&st).Error; err != nil {
			if isDuplicate(err) {
				return inv.taken()
			}
			return fmt.Errorf("create seat: %w", err)
		}
		id = st.ID
		return seatEvent(tx, a, &st, EvSeatInvited, seatPayload(&st, inv))
	})
	if err != nil {
		return nil, err
	}
	return s.seat(ctx, id, acc)
}

// UpdateSeat changes a seat's kind, label, place at the table (1..n; the others shift) or
// invitee, under the same rules as InviteSeat. One seat.changed event lists what changed; a
// change that changes nothing appends none.
func (s *Store) UpdateSeat(ctx context.Context, a Actor, id uint64, in SeatChange) (*Seat, error) {
	if in.Kind != nil {
		if err := cleanSeatKind(*in.Kind); err != nil {
			return nil, err
		}
	}
	var label string
	if in.Label != nil {
		var err error
		if label, err = cleanSeatLabel(*in.Label); err != nil {
			return nil, err
		}
	}
	var inv Invitee
	if in.Invitee != nil {
		var err error
		if inv, err = cleanInvitee(*in.Invitee); err != nil {
			return nil, err
		}
	}
	var acc *Access
	err := s.tx(ctx, func(tx *Tx) error {
		st, m, ac, err := tx.lockSeat(a, id)
		if err != nil {
			return err
		}
		acc = ac
		if st.RemovedAt != nil {
			return Errorf(ECONFLICT, "seat_removed")
		}
		set := map[string]any{}
		changes := map[string]SeatFieldChange{}
		if in.Kind != nil && *in.Kind != st.Kind {
			set["kind"], changes["kind"] = *in.Kind, SeatFieldChange{From: st.Kind, To: *in.Kind}
		}
		if in.Label != nil && label != st.Label {
			set["label"], changes["label"] = label, SeatFieldChange{From: st.Label, To: label}
		}
		if in.Invitee != nil {
			cur := st.invitee()
			if !sameInvitee(cur, inv) {
				if err := checkInvitee(tx, m.CommunityID, inv); err != nil {
					return err
				}
				var invitedAt *time.Time
				if inv.key() != nil {
					now := tx.Now()
					invitedAt = &now
				}
				set["user_id"], set["organization_id"], set["guest_name"] = inv.UserID, inv.OrganizationID, inv.guestName()
				set["invitee_key"], set["invited_at"] = inv.key(), invitedAt
				changes["invitee"] = SeatFieldChange{From: cur.payload(), To: inv.payload()}
			}
		}
		if in.Position != nil && *in.Position != st.Position {
			if err := moveSeat(tx, m.ID, st, *in.Position); err != nil {
				return err
			}
			changes["position"] = SeatFieldChange{From: st.Position, To: *in.Position}
		}
		if len(changes) == 0 {
			return nil
		}
		if len(set) > 0 {
			if err := tx.Model(&Seat{}).Where("id = ?", st.ID).Updates(set).Error; err != nil {
				if isDuplicate(err) {
					return inv.taken()
				}
				return fmt.Errorf("update seat %d: %w", id, err)
			}
		}
		return seatEvent(tx, a, st, EvSeatChanged, SeatChangedPayload{Changes: changes, Kind: kindAfter(st, in),
			Label: labelAfter(st, in, label), MeetingID: st.MeetingID})
	})
	if err != nil {
		return nil, err
	}
	return s.seat(ctx, id, acc)
}

func sameInvitee(a, b Invitee) bool {
	eq := func(x, y *uint64) bool { return (x == nil && y == nil) || (x != nil && y != nil && *x == *y) }
	return eq(a.UserID, b.UserID) && eq(a.OrganizationID, b.OrganizationID) && a.Name == b.Name
}

func kindAfter(st *Seat, in SeatChange) string {
	if in.Kind != nil {
		return *in.Kind
	}
	return st.Kind
}

func labelAfter(st *Seat, in SeatChange, label string) string {
	if in.Label != nil {
		return label
	}
	return st.Label
}

// moveSeat puts a seat at position to (1..n) and shifts the seats between, so the meeting's
// positions stay 1..n without gaps.
func moveSeat(tx *Tx, meetingID uint64, st *Seat, to int) error {
	var n int64
	if err := liveSeats(tx.forUpdate(), meetingID).Count(&n).Error; err != nil {
		return fmt.Errorf("count seats: %w", err)
	}
	if to < 1 || int64(to) > n {
		return FieldError("position", "out_of_range")
	}
	q := liveSeats(tx.DB, meetingID).Where("id <> ?", st.ID)
	if to < st.Position {
		q = q.Where("position >= ? AND position < ?", to, st.Position).Update("position", gorm.Expr("position + 1"))
	} else {
		q = q.Where("position > ? AND position <= ?", st.Position, to).Update("position", gorm.Expr("position - 1"))
	}
	if q.Error != nil {
		return fmt.Errorf("shift seats: %w", q.Error)
	}
	if err := tx.Model(&Seat{}).Where("id = ?", st.ID).Update("position", to).Error; err != nil {
		return fmt.Errorf("move seat %d: %w", st.ID, err)
	}
	return nil
}

// RemoveSeat takes a seat off the table, under the same rules as InviteSeat; the seats after it
// move up and its invitee may be invited again. The row stays for the record; removing it again
// changes nothing.
func (s *Store) RemoveSeat(ctx context.Context, a Actor, id uint64) error {
	return s.tx(ctx, func(tx *Tx) error {
		st, m, _, err := tx.lockSeat(a, id)
		if err != nil || st.RemovedAt != nil {
			return err
		}
		if err := tx.Model(&Seat{}).Where("id = ?", st.ID).
			Updates(map[string]any{"removed_at": tx.Now(), "invitee_key": nil}).Error; err != nil {
			return fmt.Errorf("remove seat %d: %w", id, err)
		}
		if err := liveSeats(tx.DB, m.ID).Where("position > ?", st.Position).
			Update("position", gorm.Expr("position - 1")).Error; err != nil {
			return fmt.Errorf("shift seats: %w", err)
		}
		return seatEvent(tx, a, st, EvSeatRemoved, seatPayload(st, st.invitee()))
	})
}
