package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// How a signature was given.
const (
	SignedSelf        = "self"        // the attendee on their phone
	SignedFacilitator = "facilitator" // the facilitator for them (代签), from a paper sheet or by hand
)

// resolutionSignature is one person's signature on a resolution. The unique key (resolution,
// signer) makes it one a person, whatever the number of taps.
type resolutionSignature struct {
	ID           uint64 `gorm:"primaryKey"`
	ResolutionID uint64
	SignerKey    string
	UserID       *uint64
	WalkInName   *string
	SignedBy     uint64
	Method       string
	CreatedAt    time.Time
}

func (resolutionSignature) TableName() string { return "resolution_signatures" }

// Signature is a signature as facilitators, admins and the committee see it.
type Signature struct {
	ID       uint64  `json:"id"`
	UserID   *uint64 `json:"user_id"`
	Name     string  `json:"name"`
	Method   string  `json:"method"`
	SignedBy uint64  `json:"signed_by"`
	// SignedByName names who recorded a signature given for someone else (代签).
	SignedByName string    `json:"signed_by_name"`
	SignedAt     time.Time `json:"signed_at"`
}

// fillSignatures adds the signatures: how many and whether the viewer signed or may sign, for
// every member; who signed only for facilitators, admins and the committee, as with sign-in.
func (r *Resolution) fillSignatures(db *gorm.DB, a Actor, acc *Access) error {
	var rows []struct {
		ID         uint64
		UserID     *uint64
		WalkInName *string
		SignedBy   uint64
		Method     string
		CreatedAt  time.Time
		UserName   *string
		ByName     *string
	}
	if err := db.Table("resolution_signatures").Select("resolution_signatures.id, resolution_signatures.user_id, resolution_signatures.walk_in_name, "+
		"resolution_signatures.signed_by, resolution_signatures.method, resolution_signatures.created_at, users.name AS user_name, "+
		"signers.name AS by_name").
		Joins("LEFT JOIN users ON users.id = resolution_signatures.user_id").
		Joins("LEFT JOIN users signers ON signers.id = resolution_signatures.signed_by").
		Where("resolution_signatures.resolution_id = ?", r.ID).Order("resolution_signatures.id").Find(&rows).Error; err != nil {
		return fmt.Errorf("read signatures of resolution %d: %w", r.ID, err)
	}
	r.SignatureCount, r.NamesVisible, r.Signatures = int64(len(rows)), acc.Has(attendeeViewers...), []Signature{}
	for _, row := range rows {
		if row.UserID != nil && *row.UserID == a.UserID {
			r.SignedByMe = true
		}
		if !r.NamesVisible {
			continue
		}
		sg := Signature{ID: row.ID, UserID: row.UserID, Method: row.Method, SignedBy: row.SignedBy, SignedAt: row.CreatedAt}
		switch {
		case row.UserName != nil:
			sg.Name = *row.UserName
		case row.WalkInName != nil:
			sg.Name = *row.WalkInName
		}
		if row.Method != SignedSelf && row.ByName != nil {
			sg.SignedByName = *row.ByName
		}
		r.Signatures = append(r.Signatures, sg)
	}
	if r.SignedByMe || r.Status == ResolutionRejected || a.UserID == 0 {
		return nil
	}
	var phase string
	var phases []string
	if err := db.Model(&Cycle{}).Where("id = ?", r.CycleID).Pluck("phase", &phases).Error; err != nil {
		return fmt.Errorf("read cycle of resolution %d: %w", r.ID, err)
	}
	if len(phases) == 1 {
		phase = phases[0]
	}
	if allowStep(StepSign, phase, "") != nil {
		return nil
	}
	uid := a.UserID
	attended, err := attendedVote(db, r, &uid, "")
	r.CanSign = attended
	return err
}

// attendedVote says whether someone — a member by user id, or a walk-in by name — was signed in
// at the resolution's meeting when its vote closed: a signature attests presence at the vote, so
// signing in after it does not let anyone sign.
func attendedVote(db *gorm.DB, r *Resolution, userID *uint64, name string) (bool, error) {
	q := db.Model(&Attendance{}).Where("meeting_id = ?", r.MeetingID)
	if userID != nil {
		q = q.Where("user_id = ?", *userID)
	} else {
		q = q.Where("user_id IS NULL AND walk_in_name = ?", name)
	}
	var at []time.Time
	if err := q.Limit(1).Pluck("created_at", &at).Error; err != nil {
		return false, fmt.Errorf("read attendance: %w", err)
	}
	if len(at) == 0 {
		return false, nil
	}
	var closed []*time.Time
	if err := db.Model(&Poll{}).Where("id = ?", r.PollID).Pluck("closed_at", &closed).Error; err != nil {
		return false, fmt.Errorf("read vote of resolution %d: %w", r.ID, err)
	}
	return len(closed) == 1 && closed[0] != nil && !at[0].After(*closed[0]), nil
}

// SignInput names who signs: nobody (the caller signs for themselves), or — the facilitator
// signing someone in — a member by user id or a walk-in by the name they signed in under.
type SignInput struct {
	UserID *uint64
	Name   string
}

// SignResolution adds a signature (签字) to a resolution. Those who sign are the attendees of the
// meeting that voted on it, signed in before the vote closed — the people who were at the table
// for the vote, which is what a signature attests; anyone else is refused (403 not_an_attendee). Attendees sign themselves on their
// phones; facilitators and admins sign in an attendee, member or walk-in, who signed on paper.
// One signature a person: a repeated tap answers the first one (created false). Not on a rejected
// resolution; while the cycle holds the round table or forms its resolutions.
func (s *Store) SignResolution(ctx context.Context, a Actor, id uint64, in SignInput) (*Resolution, bool, error) {
	var head Resolution
	if err := s.rdb(ctx).Select("id", "cycle_id").Take(&head, id).Error; err != nil {
		return nil, false, notFound(err)
	}
	name := strings.TrimSpace(in.Name)
	err := s.tx(ctx, func(tx *Tx) error {
		cy, err := tx.lockCycle(head.CycleID)
		if err != nil {
			return err
		}
		acc, err := tx.writeAccess(a, cy.CommunityID)
		if err != nil {
			return err
		}
		var r Resolution
		if err := tx.Take(&r, id).Error; err != nil {
			return notFound(err)
		}
		sig := resolutionSignature{ResolutionID: r.ID, SignedBy: a.UserID, CreatedAt: tx.Now()}
		forSomeone := in.UserID != nil || name != ""
		switch {
		case !forSomeone:
			ok, err := attendedVote(tx.DB, &r, a.ref(), "")
			if err != nil {
				return err
			}
			if !ok {
				return Errorf(EFORBIDDEN, "not_an_attendee")
			}
			sig.UserID, sig.Method = a.ref(), SignedSelf
		case !acc.Has(resolutionManagers...):
			return errForbidden
		case in.UserID != nil && name != "":
			return FieldError("user_id", "user_or_name")
		case in.UserID != nil:
			ok, err := attendedVote(tx.DB, &r, in.UserID, "")
			if err != nil {
				return err
			}
			if !ok {
				return FieldError("user_id", "not_an_attendee")
			}
			sig.UserID, sig.Method = in.UserID, SignedFacilitator
		default:
			ok, err := attendedVote(tx.DB, &r, nil, name)
			if err != nil {
				return err
			}
			if !ok {
				return FieldError("name", "walk_in_not_signed_in")
			}
			sig.WalkInName, sig.Method = &name, SignedFacilitator
		}
		if err := cy.allow(StepSign); err != nil {
			return err
		}
		if r.Status == ResolutionRejected {
			return Errorf(ECONFLICT, "resolution_rejected")
		}
		if sig.UserID != nil {
			sig.SignerKey = "u:" + strconv.FormatUint(*sig.UserID, 10)
		} else {
			sig.SignerKey = "n:" + name
		}
		if err := tx.Create(&sig).Error; err != nil {
			if isDuplicate(err) {
				return errAlreadyDone
			}
			return fmt.Errorf("sign resolution %d: %w", r.ID, err)
		}
		// Who signed is for the committee, as with sign-in; members see the count.
		payload := ResolutionSignedPayload{ResolutionID: r.ID, CycleID: r.CycleID, MeetingID: r.MeetingID, PollID: r.PollID,
			Method: sig.Method, UserID: sig.UserID, WalkIn: sig.WalkInName != nil}
		_, err = tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: EvResolutionSigned, SubjectType: "resolution",
			SubjectID: r.ID, Actor: a.ref(), Visibility: VisCommittee, Payload: payload})
		return err
	})
	created := err == nil
	if errors.Is(err, errAlreadyDone) {
		err = nil
	}
	if err != nil {
		return nil, false, err
	}
	r, err := s.resolutionView(ctx, s.write.WithContext(ctx), a, id)
	return r, created, err
}
