package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/yueyuetan/yueyuetan/models/tally"
)

// An owners' poll's paper ballots (书面表决票) are entered unit by unit by a facilitator: the unit
// written on the ballot, the choice and the ballot's number. An entry counts for the unit's owner
// as the poll's roll has them — one head, the area of every unit of theirs in the roll — like an
// online ballot, and so an owner is counted once: a unit whose owner voted online is refused, and
// so is an online ballot of an owner entered on paper. A named poll keeps the choice on the
// entry; a secret poll keeps only that the unit voted on paper and adds the choice to the tallies
// (docs/ballot-secrecy.md). A mistaken entry is voided with a reason, never deleted.

// MaxPaperBallotNoRunes and MaxVoidReasonRunes bound a paper ballot's number and a void's reason.
const (
	MaxPaperBallotNoRunes = 20
	MaxVoidReasonRunes    = 200
)

// pollPaperBallot is one entry; ActiveKey is 0 while it counts and its id once voided.
type pollPaperBallot struct {
	ID          uint64 `gorm:"primaryKey"`
	PollID      uint64
	OwnerKey    string
	BallotNo    string
	ActiveKey   uint64
	HouseholdID uint64
	OptionID    *uint64
	AreaCenti   int64
	EnteredBy   uint64
	EnteredAt   time.Time
	VoidedBy    *uint64
	VoidedAt    *time.Time
	VoidReason  *string
}

func (pollPaperBallot) TableName() string { return "poll_paper_ballots" }

// PaperBallot is an entry as shown to facilitators, admins and the committee.
type PaperBallot struct {
	ID           uint64 `json:"id"`
	PollID       uint64 `json:"poll_id"`
	HouseholdID  uint64 `json:"household_id"`
	BuildingName string `json:"building_name"`
	Room         string `json:"room"`
	// Units are the rooms of the owner's units in the roll the entry counts for.
	Units    []string `json:"units"`
	Area     float64  `json:"area"`
	BallotNo string   `json:"ballot_no"`
	// Choice is yes, no or abstain; null in a secret poll, which keeps no choice beside a unit.
	Choice        *string    `json:"choice"`
	EnteredBy     uint64     `json:"entered_by"`
	EnteredByName string     `json:"entered_by_name"`
	EnteredAt     time.Time  `json:"entered_at"`
	VoidedBy      *uint64    `json:"voided_by"`
	VoidedByName  *string    `json:"voided_by_name"`
	VoidedAt      *time.Time `json:"voided_at"`
	VoidReason    *string    `json:"void_reason"`
}

// PaperBallots are an owners' poll's paper entries, counting and voided, in the order entered.
type PaperBallots struct {
	PollID  uint64        `json:"poll_id"`
	Secrecy string        `json:"secrecy"`
	Counted int64         `json:"counted"`
	Items   []PaperBallot `json:"items"`
}

// PaperBallotInput is one paper ballot: the unit on it, yes/no/abstain, and its number.
type PaperBallotInput struct {
	HouseholdID uint64
	Choice      string
	BallotNo    string
}

// rollUnit is a unit of an owners' poll's roll.
type rollUnit struct {
	HouseholdID uint64
	OwnerKey    string
	UserID      *uint64
	AreaCenti   int64
}

// ownerKeyOf is whom a unit's paper ballot counts for: its owner's key in the roll, or the unit
// itself when no owner was recorded (it counts as an owner of its own).
func (u rollUnit) ownerKeyOf() string {
	if u.OwnerKey != "" {
		return u.OwnerKey
	}
	return "h:" + strconv.FormatUint(u.HouseholdID, 10)
}

// ownerUnits are the units of the roll one entry counts for.
func ownerUnits(db *gorm.DB, pollID uint64, u rollUnit) ([]rollUnit, error) {
	if u.OwnerKey == "" {
		return []rollUnit{u}, nil
	}
	var out []rollUnit
	if err := db.Table("poll_owner_units").Select("household_id, owner_key, user_id, area_centi").
		Where("poll_id = ? AND owner_key = ?", pollID, u.OwnerKey).Order("household_id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("read units of owner in poll %d: %w", pollID, err)
	}
	return out, nil
}

// paperPoll checks that a poll takes paper ballots now: an open owners' poll in its phase.
func paperPoll(tx *Tx, p *Poll) error {
	if p.Eligibility != EligibleOwners {
		return Errorf(ECONFLICT, "paper_ballots_owners_only")
	}
	if p.Status != PollOpen {
		return pollStateError(p.Status)
	}
	pl, err := readPollPlace(tx.DB, p)
	if err != nil {
		return err
	}
	return pl.requireActive(p)
}

// addPaper adds (sign 1) or takes away (sign -1) one owner's paper ballot on an option, on the
// option's tally row of shard 0 (paper entries take the poll's lock, so they never wait for each
// other there; a sealed poll's tallies are shard 0 only).
func addPaper(tx *Tx, p *Poll, optionID uint64, area, sign int64) error {
	if err := tx.Exec(`UPDATE poll_option_tallies SET offline_points = offline_points + ?, offline_area = offline_area + ?,
		offline_voters = offline_voters + ? WHERE option_id = ? AND shard = 0`, sign, sign*area, sign, optionID).Error; err != nil {
		return fmt.Errorf("count paper ballot of poll %d: %w", p.ID, err)
	}
	return nil
}

// AddPaperBallot records one paper ballot of an owners' poll; facilitators and admins while the
// poll is open in its phase. A unit not in the roll is a field error; an owner who voted online or
// already on paper, or a ballot number already entered, is 409.
func (s *Store) AddPaperBallot(ctx context.Context, a Actor, pollID uint64, in PaperBallotInput) (*PaperBallot, error) {
	no := strings.TrimSpace(in.BallotNo)
	switch {
	case no == "":
		return nil, FieldError("ballot_no", "required")
	case utf8.RuneCountInString(no) > MaxPaperBallotNoRunes:
		return nil, FieldError("ballot_no", "paper_ballot_no_too_long")
	}
	var id uint64
	err := s.managePoll(ctx, a, pollID, func(tx *Tx, p *Poll) error {
		if err := paperPoll(tx, p); err != nil {
			return err
		}
		optionID := optionOfKey(p, in.Choice)
		if optionID == 0 {
			return FieldError("choice", "unknown_choice")
		}
		var u rollUnit
		if err := tx.Table("poll_owner_units").Select("household_id, owner_key, user_id, area_centi").
			Where("poll_id = ? AND household_id = ?", p.ID, in.HouseholdID).Limit(1).Scan(&u).Error; err != nil {
			return fmt.Errorf("read unit %d of poll %d: %w", in.HouseholdID, p.ID, err)
		}
		if u.HouseholdID == 0 {
			return FieldError("household_id", "unit_not_in_roll")
		}
		units, err := ownerUnits(tx.DB, p.ID, u)
		if err != nil {
			return err
		}
		var area int64
		for _, x := range units {
			area += x.AreaCenti
			if x.UserID != nil {
				voted, err := hasReceipt(tx.DB, p.ID, *x.UserID)
				if err != nil {
					return err
				}
				if voted {
					return Errorf(ECONFLICT, "unit_voted_online")
				}
			}
		}
		key := u.ownerKeyOf()
		var taken []pollPaperBallot
		if err := tx.Where("poll_id = ? AND active_key = 0 AND (owner_key = ? OR ballot_no = ?)", p.ID, key, no).
			Find(&taken).Error; err != nil {
			return fmt.Errorf("read paper ballots of poll %d: %w", p.ID, err)
		}
		for _, t := range taken {
			if t.OwnerKey == key {
				return Errorf(ECONFLICT, "unit_voted_on_paper")
			}
			return Errorf(ECONFLICT, "paper_ballot_no_taken")
		}
		now := tx.Now()
		row := pollPaperBallot{PollID: p.ID, OwnerKey: key, BallotNo: no, HouseholdID: u.HouseholdID, AreaCenti: area,
			EnteredBy: a.UserID, EnteredAt: now}
		if p.Secrecy == SecrecyNamed {
			row.OptionID = &optionID
		}
		if err := tx.Create(&row).Error; err != nil {
			if isDuplicate(err) {
				return Errorf(ECONFLICT, "unit_voted_on_paper")
			}
			return fmt.Errorf("record paper ballot: %w", err)
		}
		if err := addPaper(tx, p, optionID, area, 1); err != nil {
			return err
		}
		id = row.ID
		payload := PaperBallotPayload{CycleID: p.CycleID, MeetingID: p.MeetingID, PollID: p.ID, PaperBallotID: row.ID,
			HouseholdID: u.HouseholdID, BallotNo: no}
		if p.Secrecy == SecrecyNamed {
			payload.Choice = ptr(in.Choice)
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: p.CommunityID, Type: EvPollPaperBallotEntered, SubjectType: "poll",
			SubjectID: p.ID, Actor: a.ref(), Visibility: VisCommittee, Payload: payload})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.paperBallot(s.write.WithContext(ctx), id)
}

// VoidPaperBallotInput voids a mistaken entry. A secret poll kept no choice beside the entry, so
// the facilitator says again what the paper ballot chose (it is taken off the tallies).
type VoidPaperBallotInput struct {
	Reason string
	Choice string
}

// VoidPaperBallot takes a mistaken paper entry off the count, keeping it voided with the reason,
// who and when; facilitators and admins while the poll is open in its phase. The unit may then be
// entered again. Voiding a voided entry changes nothing.
func (s *Store) VoidPaperBallot(ctx context.Context, a Actor, id uint64, in VoidPaperBallotInput) (*PaperBallot, error) {
	reason := strings.TrimSpace(in.Reason)
	switch {
	case reason == "":
		return nil, FieldError("reason", "required")
	case utf8.RuneCountInString(reason) > MaxVoidReasonRunes:
		return nil, FieldError("reason", "void_reason_too_long")
	}
	var pb pollPaperBallot
	if err := s.rdb(ctx).Take(&pb, id).Error; err != nil {
		return nil, notFound(err)
	}
	err := s.managePoll(ctx, a, pb.PollID, func(tx *Tx, p *Poll) error {
		if err := tx.Take(&pb, id).Error; err != nil {
			return notFound(err)
		}
		if pb.ActiveKey != 0 {
			// Voided already: voiding again changes nothing.
			return nil
		}
		if err := paperPoll(tx, p); err != nil {
			return err
		}
		var optionID uint64
		if pb.OptionID != nil {
			optionID = *pb.OptionID
		} else {
			if in.Choice == "" {
				return FieldError("choice", "required")
			}
			if optionID = optionOfKey(p, in.Choice); optionID == 0 {
				return FieldError("choice", "unknown_choice")
			}
			// The tallies must hold a paper ballot of that choice and area to take away.
			paper, _, err := paperTallies(tx.forUpdate().Session(&gorm.Session{}), p.ID)
			if err != nil {
				return err
			}
			if l := paper[optionID]; l.Points < 1 || l.Area < pb.AreaCenti {
				return FieldError("choice", "paper_choice_not_counted")
			}
		}
		now := tx.Now()
		if err := tx.Model(&pollPaperBallot{}).Where("id = ? AND active_key = 0", pb.ID).Updates(map[string]any{
			"active_key": pb.ID, "voided_by": a.UserID, "voided_at": now, "void_reason": reason}).Error; err != nil {
			return fmt.Errorf("void paper ballot %d: %w", pb.ID, err)
		}
		if err := addPaper(tx, p, optionID, pb.AreaCenti, -1); err != nil {
			return err
		}
		payload := PaperBallotPayload{CycleID: p.CycleID, MeetingID: p.MeetingID, PollID: p.ID, PaperBallotID: pb.ID,
			HouseholdID: pb.HouseholdID, BallotNo: pb.BallotNo, Reason: ptr(reason)}
		_, err := tx.AppendEvent(EventInput{CommunityID: p.CommunityID, Type: EvPollPaperBallotVoided, SubjectType: "poll",
			SubjectID: p.ID, Actor: a.ref(), Visibility: VisCommittee, Payload: payload})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.paperBallot(s.write.WithContext(ctx), id)
}

// ListPaperBallots lists an owners' poll's paper entries, voided ones included, to facilitators,
// admins and the committee.
func (s *Store) ListPaperBallots(ctx context.Context, a Actor, pollID uint64) (*PaperBallots, error) {
	db := s.rdb(ctx)
	p, err := findPoll(db, pollID)
	if err != nil {
		return nil, err
	}
	if _, err := s.readAccess(ctx, a, p.CommunityID, pollAuditors...); err != nil {
		return nil, err
	}
	if p.Eligibility != EligibleOwners {
		return nil, errNotFound
	}
	items, err := paperBallots(db, p, "poll_paper_ballots.poll_id = ?", p.ID)
	if err != nil {
		return nil, err
	}
	out := &PaperBallots{PollID: p.ID, Secrecy: p.Secrecy, Items: items}
	for _, it := range items {
		if it.VoidedAt == nil {
			out.Counted++
		}
	}
	return out, nil
}

func (s *Store) paperBallot(db *gorm.DB, id uint64) (*PaperBallot, error) {
	var pb pollPaperBallot
	if err := db.Take(&pb, id).Error; err != nil {
		return nil, notFound(err)
	}
	p, err := findPoll(db, pb.PollID)
	if err != nil {
		return nil, err
	}
	items, err := paperBallots(db, p, "poll_paper_ballots.id = ?", id)
	if err != nil {
		return nil, err
	}
	return &items[0], nil
}

// paperBallots reads entries of a poll with their unit, the owner's rooms and the names of who
// entered and voided them.
func paperBallots(db *gorm.DB, p *Poll, where string, arg uint64) ([]PaperBallot, error) {
	var rows []struct {
		ID, PollID, HouseholdID, EnteredBy uint64
		OwnerKey, BallotNo                 string
		OptionID, VoidedBy                 *uint64
		AreaCenti                          int64
		EnteredAt                          time.Time
		VoidedAt                           *time.Time
		VoidReason                         *string
		BuildingName, Room, EnteredName    string
		VoidedName                         *string
	}
	if err := db.Table("poll_paper_ballots").Select("poll_paper_ballots.*, buildings.name AS building_name, households.room, "+
		"COALESCE(eu.name, '') AS entered_name, vu.name AS voided_name").
		Joins("JOIN households ON households.id = poll_paper_ballots.household_id").
		Joins("JOIN buildings ON buildings.id = households.building_id").
		Joins("LEFT JOIN users eu ON eu.id = poll_paper_ballots.entered_by").
		Joins("LEFT JOIN users vu ON vu.id = poll_paper_ballots.voided_by").
		Where(where, arg).Order("poll_paper_ballots.id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read paper ballots of poll %d: %w", p.ID, err)
	}
	keys := map[uint64]string{}
	for _, o := range p.Options {
		keys[o.ID] = o.OptionKey
	}
	out := make([]PaperBallot, 0, len(rows))
	for _, r := range rows {
		pb := PaperBallot{ID: r.ID, PollID: r.PollID, HouseholdID: r.HouseholdID, BuildingName: r.BuildingName, Room: r.Room,
			Units: []string{}, Area: tally.M2(r.AreaCenti), BallotNo: r.BallotNo, EnteredBy: r.EnteredBy, EnteredByName: r.EnteredName,
			EnteredAt: r.EnteredAt, VoidedBy: r.VoidedBy, VoidedByName: r.VoidedName, VoidedAt: r.VoidedAt, VoidReason: r.VoidReason}
		if r.OptionID != nil {
			k := keys[*r.OptionID]
			pb.Choice = &k
		}
		q := db.Table("poll_owner_units").Select("households.room").
			Joins("JOIN households ON households.id = poll_owner_units.household_id").
			Where("poll_owner_units.poll_id = ?", p.ID)
		if strings.HasPrefix(r.OwnerKey, "h:") {
			q = q.Where("poll_owner_units.household_id = ?", r.HouseholdID)
		} else {
			q = q.Where("poll_owner_units.owner_key = ?", r.OwnerKey)
		}
		if err := q.Order("households.building_id, households.room").Pluck("households.room", &pb.Units).Error; err != nil {
			return nil, fmt.Errorf("read units of paper ballot %d: %w", r.ID, err)
		}
		out = append(out, pb)
	}
	return out, nil
}

// votedOnPaper reports whether an owner (a member, by user id) has a counting paper ballot in the
// poll.
func votedOnPaper(db *gorm.DB, pollID, userID uint64) (bool, error) {
	var n int64
	if err := db.Model(&pollPaperBallot{}).Where("poll_id = ? AND owner_key = ? AND active_key = 0", pollID,
		memberOwnerKey(userID)).Count(&n).Error; err != nil {
		return false, fmt.Errorf("read paper ballots of poll %d: %w", pollID, err)
	}
	return n > 0, nil
}

// recountPaper re-derives an owners' poll's paper ballots into offline (points and area per
// option) and returns the owners they stand for: from the entries' choices in a named poll; in a
// secret poll, which keeps none, the tallies' paper counts are taken as they stand and only the
// owners are counted again.
func recountPaper(db *gorm.DB, p *Poll, offline, offlineArea map[uint64]int64, rc *Recount) (int64, error) {
	var rows []pollPaperBallot
	if err := db.Where("poll_id = ? AND active_key = 0", p.ID).Find(&rows).Error; err != nil {
		return 0, fmt.Errorf("read paper ballots of poll %d: %w", p.ID, err)
	}
	if p.Secrecy == SecrecySecret {
		paper, voters, err := paperTallies(db, p.ID)
		if err != nil {
			return 0, err
		}
		for id, l := range paper {
			offline[id] += l.Points
			offlineArea[id] += l.Area
		}
		if voters != int64(len(rows)) {
			rc.Differences = append(rc.Differences, fmt.Sprintf("paper ballots against counted paper owners: %d entered, %d counted",
				len(rows), voters))
		}
		if len(rows) > 0 || voters > 0 {
			rc.NotRederived = append(rc.NotRederived, RecountLimit{Code: NotRederivedSecretPaper})
		}
		return int64(len(rows)), nil
	}
	for _, r := range rows {
		if r.OptionID != nil {
			offline[*r.OptionID]++
			offlineArea[*r.OptionID] += r.AreaCenti
		}
	}
	return int64(len(rows)), nil
}
