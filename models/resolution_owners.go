package models

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/yueyuetan/yueyuetan/models/tally"
)

// Kinds of owners' decision.
const (
	DecisionByPoll     = "poll"     // an owners' poll counted by this product's engine
	DecisionByOfficial = "official" // the result of the city's official owners' e-voting platform
)

// Bounds of an official result's figures.
const (
	MaxOfficialUnits   = 1_000_000
	MaxOfficialArea    = 100_000_000 // m²
	MaxOfficialSource  = 50
	officialDateLayout = "2006-01-02"
)

// shanghai is the zone in which a decision's date is a calendar date.
var shanghai = time.FixedZone("CST", 8*3600)

// ownerDecisionRow is an owners' decision as stored; areas in hundredths of m².
type ownerDecisionRow struct {
	ID                 uint64 `gorm:"primaryKey"`
	ResolutionID       uint64
	Kind               string
	PollID             *uint64
	Source             string
	DecidedOn          string
	EligibleUnits      int64
	EligibleArea       int64
	ParticipatingUnits int64
	ParticipatingArea  int64
	UnitsFor           int64
	AreaFor            int64
	UnitsAgainst       int64
	AreaAgainst        int64
	NoticeUploadID     *uint64
	Passed             bool
	Figures            string
	RecordedBy         uint64
	CreatedAt          time.Time
}

func (ownerDecisionRow) TableName() string { return "resolution_owner_decisions" }

// OwnersDecision is the owners' decision on a Civil Code 278 matter as shown: where it came from,
// the units (owners by head) and areas (m²) it counted, whether it passed, and the 278 decision
// with every figure and threshold it was checked against.
type OwnersDecision struct {
	Kind               string          `json:"kind"`
	PollID             *uint64         `json:"poll_id"`
	Source             string          `json:"source"`
	DecidedOn          string          `json:"decided_on"`
	EligibleUnits      int64           `json:"eligible_units"`
	EligibleArea       float64         `json:"eligible_area"`
	ParticipatingUnits int64           `json:"participating_units"`
	ParticipatingArea  float64         `json:"participating_area"`
	UnitsFor           int64           `json:"units_for"`
	AreaFor            float64         `json:"area_for"`
	UnitsAgainst       int64           `json:"units_against"`
	AreaAgainst        float64         `json:"area_against"`
	NoticeUploadID     *uint64         `json:"notice_upload_id"`
	NoticeURL          string          `json:"notice_url"`
	Passed             bool            `json:"passed"`
	Decision           *tally.Decision `json:"decision"`
	RecordedBy         uint64          `json:"recorded_by"`
	RecordedAt         time.Time       `json:"recorded_at"`
}

func (row *ownerDecisionRow) view() (*OwnersDecision, error) {
	d := &OwnersDecision{Kind: row.Kind, PollID: row.PollID, Source: row.Source, DecidedOn: row.DecidedOn,
		EligibleUnits: row.EligibleUnits, EligibleArea: tally.M2(row.EligibleArea), ParticipatingUnits: row.ParticipatingUnits,
		ParticipatingArea: tally.M2(row.ParticipatingArea), UnitsFor: row.UnitsFor, AreaFor: tally.M2(row.AreaFor),
		UnitsAgainst: row.UnitsAgainst, AreaAgainst: tally.M2(row.AreaAgainst), NoticeUploadID: row.NoticeUploadID,
		Passed: row.Passed, RecordedBy: row.RecordedBy, RecordedAt: row.CreatedAt}
	if row.NoticeUploadID != nil {
		d.NoticeURL = fmt.Sprintf("/api/v1/uploads/%d", *row.NoticeUploadID)
	}
	if err := json.Unmarshal([]byte(row.Figures), &d.Decision); err != nil {
		return nil, fmt.Errorf("decode owners' decision %d: %w", row.ID, err)
	}
	return d, nil
}

func readOwnersDecision(db *gorm.DB, resolutionID uint64) (*OwnersDecision, error) {
	var row ownerDecisionRow
	if err := db.Where("resolution_id = ?", resolutionID).Limit(1).Find(&row).Error; err != nil {
		return nil, fmt.Errorf("read owners' decision of resolution %d: %w", resolutionID, err)
	}
	if row.ID == 0 {
		return nil, nil
	}
	return row.view()
}

// OfficialResult is an owners' vote as the city's official owners' e-voting platform published
// it: the platform, the date, the units (owners by head) and exclusive area (m²) that could take
// part, took part, and voted for and against (the rest of those taking part abstained), and the
// published notice (an upload of the community).
type OfficialResult struct {
	Source             string
	DecidedOn          string
	EligibleUnits      int64
	EligibleArea       float64
	ParticipatingUnits int64
	ParticipatingArea  float64
	UnitsFor           int64
	AreaFor            float64
	UnitsAgainst       int64
	AreaAgainst        float64
	NoticeUploadID     uint64
}

// row checks the figures against each other and converts them; today bounds the date.
func (o *OfficialResult) row(today time.Time) (*ownerDecisionRow, error) {
	f := func(name string) string { return "official." + name }
	row := &ownerDecisionRow{Kind: DecisionByOfficial, Source: strings.TrimSpace(o.Source), DecidedOn: o.DecidedOn,
		EligibleUnits: o.EligibleUnits, EligibleArea: AreaToCenti(o.EligibleArea),
		ParticipatingUnits: o.ParticipatingUnits, ParticipatingArea: AreaToCenti(o.ParticipatingArea),
		UnitsFor: o.UnitsFor, AreaFor: AreaToCenti(o.AreaFor), UnitsAgainst: o.UnitsAgainst, AreaAgainst: AreaToCenti(o.AreaAgainst)}
	day, derr := time.ParseInLocation(officialDateLayout, o.DecidedOn, shanghai)
	for _, c := range []struct {
		bad         bool
		field, rule string
	}{
		{row.Source == "", "source", "required"},
		{utf8.RuneCountInString(row.Source) > MaxOfficialSource, "source", "official_source_too_long"},
		{derr != nil, "decided_on", "date_format"},
		{derr == nil && day.After(today.In(shanghai)), "decided_on", "date_in_future"},
		{o.EligibleUnits < 1 || o.EligibleUnits > MaxOfficialUnits, "eligible_units", "official_units_range"},
		{row.EligibleArea < 1 || o.EligibleArea > MaxOfficialArea, "eligible_area", "official_area_range"},
		{o.ParticipatingUnits < 0, "participating_units", "official_units_range"},
		{o.ParticipatingArea < 0, "participating_area", "official_area_range"},
		{o.UnitsFor < 0, "units_for", "official_units_range"},
		{o.AreaFor < 0, "area_for", "official_area_range"},
		{o.UnitsAgainst < 0, "units_against", "official_units_range"},
		{o.AreaAgainst < 0, "area_against", "official_area_range"},
		{o.ParticipatingUnits > o.EligibleUnits, "participating_units", "exceeds_eligible"},
		{row.ParticipatingArea > row.EligibleArea, "participating_area", "exceeds_eligible"},
		{o.UnitsFor+o.UnitsAgainst > o.ParticipatingUnits, "units_for", "exceeds_participating"},
		{row.AreaFor+row.AreaAgainst > row.ParticipatingArea, "area_for", "exceeds_participating"},
		{o.NoticeUploadID == 0, "notice_upload_id", "required"},
	} {
		if c.bad {
			return nil, fieldErr(f(c.field), c.rule)
		}
	}
	return row, nil
}

// officialDecision checks recorded figures against a 278 rule with the poll engine's own rule
// (tally.Compute): those for, against and abstaining, by head (units) and by area, counted as
// one approval vote's offline tallies against the eligible base.
func officialDecision(rule string, row *ownerDecisionRow) tally.Decision {
	line := func(units, area int64) tally.Line { return tally.Line{Points: units, Supporters: units, Area: area} }
	in := tally.Input{Method: tally.Approval, Rule: rule, OfflineVoters: row.ParticipatingUnits,
		EligibleOwners: row.EligibleUnits, EligibleArea: row.EligibleArea, Options: []tally.OptionInput{
			{ID: 1, Key: tally.Yes, Offline: line(row.UnitsFor, row.AreaFor)},
			{ID: 2, Key: tally.No, Offline: line(row.UnitsAgainst, row.AreaAgainst)},
			{ID: 3, Key: tally.Abstain, Offline: line(row.ParticipatingUnits-row.UnitsFor-row.UnitsAgainst,
				row.ParticipatingArea-row.AreaFor-row.AreaAgainst)},
		}}
	return *tally.Compute(in).Decision
}

// pollDecisionRow takes an owners' poll's closed result as the decision, with its figures.
func pollDecisionRow(po *pollOutcome) (*ownerDecisionRow, tally.Decision, error) {
	if po.Decision == nil || po.Decision.Owners == nil || po.Passed == nil {
		return nil, tally.Decision{}, fmt.Errorf("owners' poll %d has no 278 figures", po.ID)
	}
	d, f := *po.Decision, po.Decision.Owners
	id := po.ID
	row := &ownerDecisionRow{Kind: DecisionByPoll, PollID: &id, EligibleUnits: f.EligibleOwners,
		EligibleArea: AreaToCenti(f.EligibleArea), ParticipatingUnits: f.ParticipatingOwners,
		ParticipatingArea: AreaToCenti(f.ParticipatingArea), UnitsFor: d.Yes, AreaFor: AreaToCenti(f.ApprovingArea),
		UnitsAgainst: d.No, AreaAgainst: AreaToCenti(po.AreaByKey[tally.No]), Passed: *po.Passed}
	return row, d, nil
}

// OwnersDecisionInput records the owners' decision on a resolution's 278 matter: the id of a
// closed owners' poll of the cycle, or an official platform's result. Exactly one is given.
type OwnersDecisionInput struct {
	PollID   *uint64
	Official *OfficialResult
}

// RecordOwnersDecision records the owners' decision on a Civil Code 278 resolution and decides
// it: adopted when the decision passes, rejected when it fails. Facilitators and admins, while the
// cycle holds the round table or forms its resolutions; once per resolution.
func (s *Store) RecordOwnersDecision(ctx context.Context, a Actor, id uint64, in OwnersDecisionInput) (*Resolution, error) {
	var head Resolution
	if err := s.rdb(ctx).Select("id", "cycle_id").Take(&head, id).Error; err != nil {
		return nil, notFound(err)
	}
	err := s.tx(ctx, func(tx *Tx) error {
		cy, err := tx.lockCycle(head.CycleID)
		if err != nil {
			return err
		}
		if _, err := tx.writeAccess(a, cy.CommunityID, resolutionManagers...); err != nil {
			return err
		}
		var r Resolution
		if err := tx.forUpdate().Take(&r, id).Error; err != nil {
			return notFound(err)
		}
		if (in.PollID == nil) == (in.Official == nil) {
			return FieldError("poll_id", "poll_or_official")
		}
		var row *ownerDecisionRow
		if in.Official != nil {
			if row, err = in.Official.row(tx.Now()); err != nil {
				return err
			}
		}
		if err := cy.allow(StepResolve); err != nil {
			return err
		}
		switch {
		case !tally.Is278(r.Category):
			return Errorf(ECONFLICT, "owners_decision_not_needed")
		case r.Status != ResolutionDraft:
			return Errorf(ECONFLICT, "resolution_decided")
		case !r.PollPassed:
			// The round table turned it down: it is recorded rejected (docs/paper.md).
			return Errorf(ECONFLICT, "poll_not_passed")
		}
		var d tally.Decision
		if in.PollID != nil {
			po, err := readPollOutcome(tx.DB, *in.PollID)
			switch {
			case err != nil:
				return err
			case po.CommunityID != r.CommunityID:
				return errNotFound
			case po.CycleID != r.CycleID:
				return FieldError("poll_id", "poll_not_in_cycle")
			case !po.ownersVote():
				return FieldError("poll_id", "poll_not_owners_vote")
			case po.Rule != r.Category:
				return FieldError("poll_id", "owners_rule_mismatch")
			case po.Status != PollClosed:
				return Errorf(ECONFLICT, "poll_not_closed")
			}
			if row, d, err = pollDecisionRow(po); err != nil {
				return err
			}
		} else {
			var n int64
			if err := tx.Model(&Upload{}).Where("id = ? AND community_id = ?", in.Official.NoticeUploadID, r.CommunityID).
				Count(&n).Error; err != nil {
				return fmt.Errorf("find notice: %w", err)
			}
			if n == 0 {
				return fieldErr("official.notice_upload_id", "notice_not_found")
			}
			row.NoticeUploadID = &in.Official.NoticeUploadID
			d = officialDecision(r.Category, row)
			row.Passed = d.Passed
		}
		figures, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("encode owners' decision: %w", err)
		}
		row.ResolutionID, row.Figures, row.RecordedBy, row.CreatedAt = r.ID, string(figures), a.UserID, tx.Now()
		if err := tx.Create(row).Error; err != nil {
			if isDuplicate(err) {
				return Errorf(ECONFLICT, "resolution_decided")
			}
			return fmt.Errorf("record owners' decision: %w", err)
		}
		payload := OwnersDecisionRecordedPayload{ResolutionID: r.ID, CycleID: r.CycleID, MeetingID: r.MeetingID,
			PollID: r.PollID, Kind: row.Kind, OwnersPollID: row.PollID, Source: row.Source, DecidedOn: row.DecidedOn,
			EligibleUnits: row.EligibleUnits, EligibleArea: row.EligibleArea, ParticipatingUnits: row.ParticipatingUnits,
			ParticipatingArea: row.ParticipatingArea, UnitsFor: row.UnitsFor, AreaFor: row.AreaFor,
			UnitsAgainst: row.UnitsAgainst, AreaAgainst: row.AreaAgainst, NoticeUploadID: row.NoticeUploadID,
			Passed: row.Passed, Decision: d}
		if _, err := tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: EvResolutionOwnersDecisionRecorded,
			SubjectType: "resolution", SubjectID: r.ID, Actor: a.ref(), Visibility: VisMembers, Payload: payload}); err != nil {
			return err
		}
		return decideResolution(tx, a, &r, row.Passed, ResolutionDecidedPayload{DecidedBy: "owners", OwnersDecision: ptr(row.Kind)})
	})
	if err != nil {
		return nil, err
	}
	return s.resolutionView(ctx, s.write.WithContext(ctx), a, id)
}
