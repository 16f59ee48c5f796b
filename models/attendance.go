package models

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"
)

// How someone signed in (签到).
const (
	CheckInCode        = "code"        // typed the meeting's join code
	CheckInQR          = "qr"          // scanned the code shown on the projector
	CheckInFacilitator = "facilitator" // signed in by the facilitator, from the member list or as a walk-in
)

// Attendance is one person signed in at a meeting: a member (unique per meeting) or a walk-in
// known by name (unique per meeting and name).
type Attendance struct {
	ID          uint64    `gorm:"primaryKey" json:"id"`
	MeetingID   uint64    `json:"meeting_id"`
	UserID      *uint64   `json:"user_id"`
	WalkInName  *string   `json:"-"`
	Name        string    `gorm:"->;-:migration" json:"name"`
	CheckedInBy uint64    `json:"checked_in_by"`
	Method      string    `json:"method"`
	CreatedAt   time.Time `json:"created_at"`
}

// TableName pins the table.
func (Attendance) TableName() string { return "attendances" }

// attendeeViewers see who signed in; everyone else sees only how many.
var attendeeViewers = []string{RoleFacilitator, RoleAdmin, RoleCommittee}

var joinCodePattern = regexp.MustCompile(`^[0-9]{6}$`)

func attendanceQuery(db *gorm.DB) *gorm.DB {
	return db.Table("attendances").Select("attendances.*, COALESCE(users.name, attendances.walk_in_name, '') AS name").
		Joins("LEFT JOIN users ON users.id = attendances.user_id")
}

// signIn adds the attendance inside tx, or answers errAlreadyDone when the person has signed in
// already: the unique keys decide, so concurrent scans of one person make one row. The caller
// has checked the step.
func signIn(tx *Tx, a Actor, m *Meeting, att *Attendance) error {
	att.MeetingID = m.ID
	if err := tx.Omit("Name").Create(att).Error; err != nil {
		if isDuplicate(err) {
			return errAlreadyDone
		}
		return fmt.Errorf("sign in: %w", err)
	}
	_, err := tx.AppendEvent(EventInput{CommunityID: m.CommunityID, Type: EvAttendanceCheckedIn, SubjectType: "attendance",
		SubjectID: att.ID, Actor: a.ref(), Visibility: VisCommittee,
		Payload: AttendanceCheckedInPayload{MeetingID: m.ID, Method: att.Method, UserID: att.UserID, WalkIn: att.WalkInName != nil}})
	return err
}

// signedIn reads the attendance a sign-in made or found.
func (s *Store) signedIn(ctx context.Context, meetingID uint64, userID *uint64, name *string) (*Attendance, error) {
	q := attendanceQuery(s.write.WithContext(ctx)).Where("attendances.meeting_id = ?", meetingID)
	if userID != nil {
		q = q.Where("attendances.user_id = ?", *userID)
	} else {
		q = q.Where("attendances.walk_in_name = ?", *name)
	}
	var att Attendance
	if err := q.Take(&att).Error; err != nil {
		return nil, fmt.Errorf("read attendance: %w", err)
	}
	return &att, nil
}

// JoinMeeting signs the caller in at the meeting whose join code they typed or scanned. A code
// that matches no meeting the caller may join — unknown, ended, or another community's — is one
// and the same invalid code. Only a verified member signs themself in (403 not_verified: the
// facilitator signs in anyone else they see at the door), and only while the meeting runs
// (409 join_not_started before it starts). Signing in again answers the first attendance;
// created says which.
func (s *Store) JoinMeeting(ctx context.Context, a Actor, code, method string) (*Meeting, *Attendance, bool, error) {
	if a.UserID == 0 {
		return nil, nil, false, Errorf(EUNAUTHORIZED, "login_required")
	}
	code = strings.TrimSpace(code)
	if method == "" {
		method = CheckInCode
	}
	if method != CheckInCode && method != CheckInQR {
		return nil, nil, false, FieldError("method", "invalid")
	}
	unknown := FieldError("code", "join_code_unknown")
	if !joinCodePattern.MatchString(code) {
		return nil, nil, false, unknown
	}
	var meetingID uint64
	var acc *Access
	err := s.tx(ctx, func(tx *Tx) error {
		var m Meeting
		if err := tx.Select("id", "cycle_id").Where("active_join_code = ?", code).Take(&m).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return unknown
			}
			return fmt.Errorf("find meeting by code: %w", err)
		}
		// The cycle first, then the meeting: the order every meeting operation locks them in.
		cy, err := tx.lockCycle(m.CycleID)
		if err != nil {
			return err
		}
		if err := tx.forUpdate().Where("active_join_code = ?", code).Take(&m).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return unknown // the meeting ended meanwhile
			}
			return fmt.Errorf("find meeting by code: %w", err)
		}
		meetingID = m.ID
		acc, err = tx.writeAccess(a, m.CommunityID)
		if err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return unknown
			}
			return err
		}
		if err := acc.requireVerified(); err != nil {
			return err
		}
		if m.Status == MeetingScheduled {
			if err := requireNotArchived(cy.Phase); err != nil {
				return err
			}
			if cy.Phase != PhaseCardCollection && cy.Phase != PhaseRoundTable {
				return phaseError(cy.Phase) // it will not start any more
			}
			return Errorf(ECONFLICT, "join_not_started")
		}
		if err := cy.allowMeeting(StepJoin, &m); err != nil {
			return err
		}
		return signIn(tx, a, &m, &Attendance{UserID: a.ref(), CheckedInBy: a.UserID, Method: method})
	})
	created := err == nil
	if errors.Is(err, errAlreadyDone) {
		err = nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	att, err := s.signedIn(ctx, meetingID, a.ref(), nil)
	if err != nil {
		return nil, nil, false, err
	}
	m, err := findMeeting(s.write.WithContext(ctx), meetingID)
	if err != nil {
		return nil, nil, false, err
	}
	m.shapeFor(acc)
	return m, att, created, nil
}

// CheckInInput names who the facilitator signs in: a member by user id, or a walk-in by name.
type CheckInInput struct {
	UserID *uint64
	Name   string
}

// CheckIn signs someone in for them (代签到); facilitators and admins only. Signing the same
// person in again answers the first attendance; created says which.
func (s *Store) CheckIn(ctx context.Context, a Actor, meetingID uint64, in CheckInInput) (*Attendance, bool, error) {
	name := strings.TrimSpace(in.Name)
	if (in.UserID == nil) == (name == "") {
		return nil, false, FieldError("user_id", "user_or_name")
	}
	att := Attendance{UserID: in.UserID, CheckedInBy: a.UserID, Method: CheckInFacilitator}
	if name != "" {
		att.WalkInName = &name
	}
	err := s.facilitateMeeting(ctx, a, meetingID, StepCheckIn, func(tx *Tx, m *Meeting) error {
		if in.UserID != nil {
			if _, err := access(tx.DB, Actor{UserID: *in.UserID}, m.CommunityID); err != nil {
				if ErrorCode(err) == ENOTFOUND {
					return FieldError("user_id", "not_a_member")
				}
				return err
			}
		}
		row := att // a retried transaction starts from the same row
		return signIn(tx, a, m, &row)
	})
	created := err == nil
	if errors.Is(err, errAlreadyDone) {
		err = nil
	}
	if err != nil {
		return nil, false, err
	}
	out, err := s.signedIn(ctx, meetingID, att.UserID, att.WalkInName)
	return out, created, err
}

// AttendanceList is a meeting's sign-in: figures for every member, names only for facilitators,
// admins and the committee.
type AttendanceList struct {
	Count        int64        `json:"count"`
	Quorum       int          `json:"quorum"`
	QuorumMet    bool         `json:"quorum_met"`
	CheckedIn    bool         `json:"checked_in"`
	NamesVisible bool         `json:"names_visible"`
	Items        []Attendance `json:"items"`
	NextCursor   string       `json:"next_cursor"`
}

// ListAttendance tells members how many signed in and whether the quorum is met, and whether
// they did themselves; facilitators, admins and the committee also see who.
func (s *Store) ListAttendance(ctx context.Context, a Actor, meetingID uint64) (*AttendanceList, error) {
	var m Meeting
	if err := s.rdb(ctx).Take(&m, meetingID).Error; err != nil {
		return nil, notFound(err)
	}
	acc, err := s.readAccess(ctx, a, m.CommunityID)
	if err != nil {
		return nil, err
	}
	var rows []Attendance
	if err := attendanceQuery(s.rdb(ctx)).Where("attendances.meeting_id = ?", meetingID).
		Order("attendances.id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list attendance: %w", err)
	}
	out := &AttendanceList{Count: int64(len(rows)), Quorum: m.Quorum, Items: []Attendance{},
		NamesVisible: acc.Has(attendeeViewers...)}
	out.QuorumMet = quorumMet(m.Quorum, out.Count)
	for _, r := range rows {
		if r.UserID != nil && *r.UserID == a.UserID {
			out.CheckedIn = true
		}
	}
	if out.NamesVisible {
		out.Items = rows
	}
	return out, nil
}
